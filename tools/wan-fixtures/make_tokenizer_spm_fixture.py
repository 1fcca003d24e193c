#!/usr/bin/env python3
"""Tokenizer parity fixture for Kinema.Wan's umT5 tokenizer, with Google's sentencepiece library as the reference.

transformers and the Rust ``tokenizers`` package are not needed (nor used): this runs with Debian's
``python3-sentencepiece`` alone (``/usr/bin/python3``; no torch). For each model spec in MODELS it

1. trains a small real SentencePiece Unigram model (``SentencePieceTrainer``) on a synthetic, deterministic
   corpus written by this script, with umT5's special ids (<pad> 0, </s> 1, <s> 2, <unk> 3);
2. derives from that model the ``tokenizer.json`` our code reads, from the model's own pieces, scores, unk id and
   ``precompiled_charsmap`` only, the way transformers' ``T5Converter`` (``SpmConverter``) lays it out in the
   umT5 era: Unigram vocab = the pieces + ``<extra_id_N>`` (N descending, score 0), normalizer
   Sequence[Precompiled(charsmap), Replace(" {2,}" -> " ")] (no Precompiled when the model has no charsmap),
   Metaspace("▁", prepend always, split), TemplateProcessing "$A </s>", control pieces and <unk> as added tokens;
3. tokenizes the strings in CASES with ``SentencePieceProcessor.encode`` (the independent reference) and records
   the ids, plus the T5 convention our ``EncodeBatch`` follows: truncate the pieces to max_length − 1, append
   </s> (id 1), pad with <pad> (id 0) to max_length, mask 1 on real tokens.

Writes into ``--out`` (default tests/Kinema.Wan.Tests/Fixtures/tokenizer-spm):

  <model>/spiece.model, <model>/tokenizer.json     for each model in MODELS
  cases.json                                       max_length, the strings, per model the reference ids, versions

The C# test is tests/Kinema.Wan.Tests/Parity/TokenizerSpmParityTests.cs. See README.md for what this reference
can and cannot vouch for (it is not transformers' T5TokenizerFast).
"""

import argparse
import base64
import json
import os
import platform
import random
import sys
import tempfile

MAX_LENGTH = 512   # Wan's text length
NUM_EXTRA_IDS = 3  # T5Converter appends <extra_id_N>; umT5 has many more, three exercise the same code

# name, normalization rule, byte_fallback in the spm model, vocab size. The T5 converter never turns on the
# Unigram byte_fallback (only LlamaConverter-style converters set handle_byte_fallback), so the first model has
# none: unknown characters become one fused <unk> in both sentencepiece and the converted tokenizer. The second
# model is trained with byte_fallback and its tokenizer.json says so, exercising the <0xNN> path (a conversion
# with handle_byte_fallback, as transformers does for Llama-style models).
MODELS = [
    dict(name="nmt_nfkc", normalization="nmt_nfkc", byte_fallback=False, vocab_size=700),
    dict(name="identity_bytes", normalization="identity", byte_fallback=True, vocab_size=700),
]

WORDS = ("a an the cat dog bird walks runs flies on in under over grass tree river city night day light dark "
         "realistic cinematic style camera slowly quickly pans zooms close up wide shot of and with without "
         "red green blue golden soft warm cold rain snow sun moon people person walking street car bus train "
         "ocean waves beach mountain forest sky clouds smoke fire water glass reflection portrait landscape "
         "video frame motion blur sharp focus detailed high quality low 4k 8k hdr film grain vintage modern").split()
EXTRA = ("café naïve résumé Ångström über straße garçon fiancée coöperate São Paulo Zürich "
         "東京 北京 上海 タワー 夜景 猫 犬 서울 한국어 Привет мир кот собака Ελλάδα θάλασσα").split()
PUNCT = [".", ",", "!", "?", ";", ":", "-", "(", ")", "\"", "'", "/", "%", "&", "#", "@", "...", "—"]

CASES = [
    "A cat walks on the grass, realistic style.",
    "",
    "hello",
    "HELLO World hElLo",
    "Multiple   spaces\tand\nnewlines\r\ninside",
    "  leading spaces",
    "\tleading tab",
    "Wait... what?! (yes) [no] {maybe} \"quoted\" 'single' - dash; semi: 100% #1 @user & co. <tag> a/b\\c ~^`|",
    "0123456789 3.14159 1,000,000 2024-05-17 12:30 -7 +42 1e-6 0x1F",
    "naïve café résumé Ångström über straße",
    "decomposed e\u0301 and a\u0308 and o\u0302",
    "東京タワー 北京 서울 Привет мир Ελλάδα",
    "full-width ＡＢＣ１２３！ and ideographic\u3000space, ligature ﬁne ﬂow, ½ ² ™ ①",
    "no-break\u00a0space, en\u2002space, zero\u200bwidth, soft\u00adhyphen",
    "🦀 crab, ꙮ multiocular, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, नमस्ते, 👩\u200d👩\u200d👧 family",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa !!!!!!!!!! ........ ----",
    "ends with punctuation!",
    " ".join(["the cat runs"] * 200),
    None,  # filled below: ~600 pseudo-random corpus words, truncated at a non-repeating point
]
# Not compared, because sentencepiece and an HF tokenizer.json differ there by design (see README.md):
# text containing added-token strings such as "</s>" or "<extra_id_0>" (HF matches them before normalizing,
# sentencepiece spells them out), and trailing or whitespace-only text (sentencepiece strips it; the umT5-era
# converter's Metaspace leaves a final "▁" piece). Wan cleans prompts first, so neither reaches the tokenizer there.


def make_corpus(rng, lines=4000):
    out = []
    for _ in range(lines):
        n = rng.randint(4, 18)
        words = []
        for _ in range(n):
            r = rng.random()
            if r < 0.78:
                w = rng.choice(WORDS)
            elif r < 0.90:
                w = rng.choice(EXTRA)
            elif r < 0.96:
                w = str(rng.randint(0, 99999)) if rng.random() < 0.7 else f"{rng.randint(0, 99)}.{rng.randint(0, 999)}"
            else:
                w = rng.choice(WORDS).capitalize()
            if rng.random() < 0.1:
                w += rng.choice(PUNCT)
            words.append(w)
        out.append(" ".join(words))
    return out


# ---- a minimal protobuf wire reader, enough for ModelProto's pieces, trainer_spec and normalizer_spec ------------

def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of a serialized message; length-delimited values as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            length, i = _varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def read_model_proto(path):
    """pieces [(piece, score, type)], trainer_spec {unk_id, byte_fallback, model_type}, precompiled_charsmap."""
    import struct
    data = open(path, "rb").read()
    pieces, trainer, charsmap = [], {}, b""
    for number, _, value in _fields(data):
        if number == 1:        # repeated SentencePiece pieces = 1 {piece = 1, score = 2 (float), type = 3}
            piece, score, kind = None, 0.0, 1
            for n, w, v in _fields(value):
                if n == 1:
                    piece = v.decode("utf-8")
                elif n == 2:
                    score = struct.unpack("<f", v)[0]
                elif n == 3:
                    kind = v
            pieces.append((piece, score, kind))
        elif number == 2:      # TrainerSpec: model_type = 3, byte_fallback = 35, unk_id = 40
            for n, w, v in _fields(value):
                if n == 3:
                    trainer["model_type"] = v
                elif n == 35:
                    trainer["byte_fallback"] = bool(v)
                elif n == 40:
                    trainer["unk_id"] = v
        elif number == 3:      # NormalizerSpec: precompiled_charsmap = 2
            for n, w, v in _fields(value):
                if n == 2:
                    charsmap = bytes(v)
    return pieces, trainer, charsmap


# ---- tokenizer.json in the layout transformers' T5Converter produced for umT5 --------------------------------------

def tokenizer_json(pieces, trainer, charsmap):
    CONTROL, UNKNOWN = 3, 2
    vocab = [[p, s] for p, s, _ in pieces] + [[f"<extra_id_{i}>", 0.0] for i in range(NUM_EXTRA_IDS - 1, -1, -1)]
    added = [i for i, (_, _, kind) in enumerate(pieces) if kind in (CONTROL, UNKNOWN)]
    added += list(range(len(pieces), len(vocab)))
    eos = next(i for i, (p, _, _) in enumerate(pieces) if p == "</s>")
    normalizers = [{"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    if charsmap:
        normalizers.insert(0, {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii")})
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True, "prepend_scheme": "always", "split": True}
    item = lambda kind, name: {kind: {"id": name, "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": vocab[i][0], "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i in added],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [item("Sequence", "A"), item("SpecialToken", "</s>")],
            "pair": [item("Sequence", "A"), item("SpecialToken", "</s>"), item("Sequence", "B"), item("SpecialToken", "</s>")],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [eos], "tokens": ["</s>"]}},
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": trainer["unk_id"], "vocab": vocab,
                  "byte_fallback": bool(trainer.get("byte_fallback", False))},
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "tests", "Kinema.Wan.Tests", "Fixtures", "tokenizer-spm"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import sentencepiece as spm

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    rng = random.Random(args.seed)
    corpus = make_corpus(rng)
    cases = list(CASES)
    cases[-1] = " ".join(rng.choice(WORDS + EXTRA) for _ in range(600))

    result = {"reference": "Google sentencepiece (SentencePieceProcessor.encode), not transformers' T5TokenizerFast",
              "sentencepiece_version": spm.__version__, "python": platform.python_version(), "seed": args.seed,
              "max_length": MAX_LENGTH, "pad_id": 0, "eos_id": 1,
              "convention": "ids = pieces[:max_length - 1] + [eos_id], padded with pad_id to max_length; mask 1 on ids",
              "cases": cases, "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path = os.path.join(tmp, "corpus.txt")
        with open(corpus_path, "w", encoding="utf-8") as f:
            f.write("\n".join(corpus) + "\n")
        for spec in MODELS:
            folder = os.path.join(out, spec["name"])
            os.makedirs(folder, exist_ok=True)
            prefix = os.path.join(tmp, spec["name"])
            spm.SentencePieceTrainer.train(
                input=corpus_path, model_prefix=prefix, model_type="unigram", vocab_size=spec["vocab_size"],
                normalization_rule_name=spec["normalization"], byte_fallback=spec["byte_fallback"],
                character_coverage=0.9995, pad_id=0, eos_id=1, bos_id=2, unk_id=3,
                pad_piece="<pad>", eos_piece="</s>", bos_piece="<s>", unk_piece="<unk>",
                num_threads=1, hard_vocab_limit=False, minloglevel=2)
            model_path = os.path.join(folder, "spiece.model")
            with open(prefix + ".model", "rb") as src, open(model_path, "wb") as dst:
                dst.write(src.read())

            pieces, trainer, charsmap = read_model_proto(model_path)
            sp = spm.SentencePieceProcessor(model_file=model_path)
            # The wire reader and the library must agree on every piece and score.
            assert len(pieces) == sp.get_piece_size()
            for i, (p, s, _) in enumerate(pieces):
                assert sp.id_to_piece(i) == p and abs(sp.get_score(i) - s) < 1e-6, (i, p)
            assert trainer["unk_id"] == sp.unk_id() == 3 and sp.pad_id() == 0 and sp.eos_id() == 1
            assert trainer.get("byte_fallback", False) == spec["byte_fallback"]
            assert bool(charsmap) == (spec["normalization"] != "identity")

            with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
                json.dump(tokenizer_json(pieces, trainer, charsmap), f, ensure_ascii=False, indent=1)

            ids = [sp.encode(text, out_type=int) for text in cases]
            result["models"][spec["name"]] = {
                "spec": spec, "vocab_size": sp.get_piece_size(), "extra_ids": NUM_EXTRA_IDS,
                "pieces": ids,
                "input_ids": [p[:MAX_LENGTH - 1] + [1] for p in ids],
                "unknown_or_byte_pieces": sum(1 for p in ids for i in p if sp.is_unknown(i) or sp.is_byte(i)),
            }
            print(f"{spec['name']}: {sp.get_piece_size()} pieces; lengths {[len(p) for p in ids]}; "
                  f"{result['models'][spec['name']]['unknown_or_byte_pieces']} unknown/byte pieces")

    with open(os.path.join(out, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    for root, _, names in os.walk(out):
        for name in names:
            size = os.path.getsize(os.path.join(root, name))
            print(f"{os.path.relpath(os.path.join(root, name), out)}: {size / 1024:.0f} KiB")
            if size > 1024 * 1024:
                sys.exit(f"error: {name} exceeds 1 MB")


if __name__ == "__main__":
    main()
