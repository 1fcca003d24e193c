#!/usr/bin/env python3
"""Reference fixtures for Kinema.Wan's umT5 tokenizer, umT5 encoder and Wan VAE parity tests.

Builds small random models with the *real* reference code and records their inputs and outputs:

* a small SentencePiece-Unigram tokenizer.json in umT5's layout (Precompiled charsmap + Replace normalizer,
  Metaspace, byte fallback, "$A </s>" template), saved through transformers' PreTrainedTokenizerFast, plus the
  ids/mask it gives for a few prompts after diffusers' prompt_clean (Wan's clean='whitespace');
* a 2-layer transformers UMT5EncoderModel (save_pretrained layout) with its last_hidden_state and the context
  diffusers' WanPipeline._get_t5_prompt_embeds builds from it (rows beyond each prompt zeroed);
* two tiny diffusers AutoencoderKLWan models, Wan 2.1 style and Wan 2.2 style (residual, patch_size 2), with
  encode (posterior mean) and decode outputs.

Everything runs on the CPU in fp32, so no GPU is needed; a GPU machine is just where these packages live.
The C# tests (Category=WanParity) read the output folder; see README-text-vae.md.

Usage:
    python tools/wan-fixtures/make_text_vae_fixtures.py [--out tests/Kinema.Wan.Tests/Fixtures/text_vae]
        [--diffusers-src /path/to/diffusers] [--transformers-src /path/to/transformers] [--seed 0]
"""

import argparse
import json
import struct
import sys
import types
from pathlib import Path

DEFAULT_OUT = "tests/Kinema.Wan.Tests/Fixtures/text_vae"
MAX_LENGTH = 512  # Wan's text length
TILE_MIN, TILE_STRIDE = 24, 16  # pixels; the C# parity test uses the same WanVaeTiling

PROMPTS = [
    "A cat walks on the grass, realistic style.",
    "  Multiple   spaces\tand\nnewlines &amp;amp; entities  ",
    "\uff26\uff55\uff4c\uff4c\u3000width \uff21\uff22\uff23 and \ufb01ne cafe\u0301 t\u00e9",
    "Unicode: na\u00efve \u6771\u4eac \u2014 \U0001F600 <unk> </s> tail",
    "",
    "the cat runs " * 200,  # longer than 512 tokens: truncation keeps 511 pieces and the </s>
]
ENCODER_PROMPTS = 3  # the text encoder fixture uses the first three (keeps the files small)


def add_source_paths(args):
    for src in (args.diffusers_src, args.transformers_src):
        if not src:
            continue
        path = Path(src)
        sys.path.insert(0, str(path / "src") if (path / "src").is_dir() else str(path))


# ---------------------------------------------------------------------------------------------------
# Tokenizer


def build_vocab():
    """umT5-like ids: <pad> 0, </s> 1, <s> 2, <unk> 3, then 256 byte pieces, characters and words with falling scores."""
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<s>", 0.0), ("<unk>", 0.0)]
    pieces += [(f"<0x{b:02X}>", 0.0) for b in range(256)]
    seen = {p for p, _ in pieces}

    def add(piece, score):
        if piece not in seen:
            seen.add(piece)
            pieces.append((piece, score))

    for code in range(ord(" "), ord("~") + 1):
        c = "\u2581" if chr(code) == " " else chr(code)
        add(c, -8.0 - code / 100.0)
        add("\u2581" + c, -7.5 - code / 100.0)
    words = ("the cat walk walks on grass real realistic style multiple space spaces and new newline lines "
             "entities full width fine caf\u00e9 t\u00e9 unicode na\u00efve run runs tail").split()
    for i, w in enumerate(words):
        add("\u2581" + w, -3.0 - 0.05 * i)
    for i, sub in enumerate(["ing", "ed", "es", "s", "al", "ic", "ist", "ul", "ll", "ne", "\u00e9", "\u00ef", "\u6771", "\u4eac"]):
        add(sub, -5.0 - 0.1 * i)
    return pieces


def pack_charsmap(rules):
    """SentencePiece's precompiled_charsmap: u32 trie size, darts-clone units, NUL-terminated replacements."""
    blob = bytearray()
    keys = []
    for src, dst in rules:
        keys.append((src.encode("utf-8"), len(blob)))
        blob += dst.encode("utf-8") + b"\0"

    root = {"children": {}, "value": None}
    for key, value in keys:
        node = root
        for b in key:
            node = node["children"].setdefault(b, {"children": {}, "value": None})
        if node["value"] is None:
            node["value"] = value

    units = {0: 0}
    used_bases = set()
    queue = [(root, 0)]
    while queue:
        node, position = queue.pop(0)
        base = 1
        while (base in used_bases or (node["value"] is not None and base in units)
               or any((base ^ c) in units for c in node["children"])):
            base += 1
        used_bases.add(base)
        offset = position ^ base
        assert offset < (1 << 21)
        leaf = node["value"] is not None
        units[position] = (offset << 10) | ((1 << 8) if leaf else 0) | (units[position] & 0xFF)
        if leaf:
            units[base] = 0x80000000 | node["value"]
        for c in sorted(node["children"]):
            units[base ^ c] = c
            queue.append((node["children"][c], base ^ c))
    array = [0] * (max(units) + 1)
    for position, unit in units.items():
        array[position] = unit
    return struct.pack("<I", 4 * len(array)) + struct.pack(f"<{len(array)}I", *array) + bytes(blob)


def charsmap_rules():
    rules = [("\u3000", " "), ("\ufb01", "fi"), ("e\u0301", "\u00e9")]
    rules += [(chr(0xFF21 + i), chr(ord("A") + i)) for i in range(26)]
    rules += [(chr(0xFF41 + i), chr(ord("a") + i)) for i in range(26)]
    rules += [(chr(0xFF10 + i), chr(ord("0") + i)) for i in range(10)]
    return rules


def make_tokenizer(folder: Path):
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = build_vocab()
    tok = Tokenizer(models.Unigram(vocab, unk_id=3, byte_fallback=True))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(pack_charsmap(charsmap_rules())),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    try:
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    except TypeError:  # tokenizers < 0.14
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", add_prefix_space=True)
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)])
    tok.add_special_tokens(["<pad>", "</s>", "<s>", "<unk>"])
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    fast = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), pad_token="<pad>",
                                   eos_token="</s>", unk_token="<unk>", bos_token="<s>", model_max_length=MAX_LENGTH)
    fast.save_pretrained(str(folder))
    assert fast.convert_tokens_to_ids("<pad>") == 0 and fast.convert_tokens_to_ids("</s>") == 1
    return fast, len(vocab)


def tokenize(tokenizer, prompts):
    """What diffusers' WanPipeline._get_t5_prompt_embeds does before the encoder."""
    from diffusers.pipelines.wan.pipeline_wan import prompt_clean
    cleaned = [prompt_clean(p) for p in prompts]
    inputs = tokenizer(cleaned, padding="max_length", max_length=MAX_LENGTH, truncation=True,
                       add_special_tokens=True, return_attention_mask=True, return_tensors="pt")
    return cleaned, inputs.input_ids, inputs.attention_mask


# ---------------------------------------------------------------------------------------------------
# Text encoder


def make_text_encoder(folder: Path, vocab_size: int, tokenizer, torch, seed: int):
    from transformers import UMT5Config, UMT5EncoderModel
    from diffusers.pipelines.wan.pipeline_wan import WanPipeline

    torch.manual_seed(seed)
    config = UMT5Config(vocab_size=(vocab_size + 63) // 64 * 64, d_model=16, d_kv=4, d_ff=32, num_layers=2,
                        num_decoder_layers=2, num_heads=4, relative_attention_num_buckets=32,
                        relative_attention_max_distance=128, feed_forward_proj="gated-gelu", dropout_rate=0.0,
                        layer_norm_epsilon=1e-6, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                        tie_word_embeddings=False)
    model = UMT5EncoderModel(config).eval()
    with torch.no_grad():
        # Norm gains away from 1, so a missing or misplaced gain shows up in the outputs.
        for name, p in model.named_parameters():
            if "layer_norm" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
    model.save_pretrained(str(folder), safe_serialization=True)

    prompts = PROMPTS[:ENCODER_PROMPTS]
    _, ids, mask = tokenize(tokenizer, prompts)
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
        pipe = types.SimpleNamespace(tokenizer=tokenizer, text_encoder=model, _execution_device=torch.device("cpu"))
        context = WanPipeline._get_t5_prompt_embeds(pipe, prompt=prompts, num_videos_per_prompt=1,
                                                    max_sequence_length=MAX_LENGTH, device=torch.device("cpu"),
                                                    dtype=torch.float32)
    return {"input_ids": ids.contiguous(), "attention_mask": mask.contiguous(),
            "last_hidden_state": hidden.float().contiguous(), "wan_context": context.float().contiguous()}


# ---------------------------------------------------------------------------------------------------
# VAE


def make_vae(folder: Path, wan22: bool, torch, seed: int):
    from diffusers import AutoencoderKLWan

    torch.manual_seed(seed)
    common = dict(base_dim=8, z_dim=4, dim_mult=[1, 2, 2, 2], num_res_blocks=1, temperal_downsample=[False, True, True],
                  latents_mean=[0.1, -0.2, 0.3, 0.0], latents_std=[1.5, 0.5, 2.0, 1.0])
    if wan22:
        common.update(decoder_base_dim=12, is_residual=True, in_channels=12, out_channels=12, patch_size=2,
                      scale_factor_spatial=16)
    vae = AutoencoderKLWan(**common).eval()
    expected_in = 12 if wan22 else 3
    if vae.encoder.conv_in.in_channels != expected_in:
        sys.exit(f"this diffusers builds conv_in with {vae.encoder.conv_in.in_channels} input channels for "
                 f"in_channels={common.get('in_channels', 3)}; Kinema follows diffusers 58eb52c (in_channels counts the "
                 "patchified channels, as the Wan 2.2 convert script's config does). Use a matching --diffusers-src.")
    with torch.no_grad():
        for name, p in vae.named_parameters():
            if name.endswith("gamma"):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
        # Keep decoded values mostly inside [-1, 1] so the final clamp does not hide differences.
        vae.decoder.conv_out.weight.mul_(0.5)
    vae.save_pretrained(str(folder), safe_serialization=True)

    video = torch.rand(1, 3, 9, 32, 32) * 2 - 1
    spatial = 16 if wan22 else 8
    latents = torch.randn(1, 4, 3, 32 // spatial, 32 // spatial)
    with torch.no_grad():
        mean = vae.encode(video).latent_dist.mean
        decoded = vae.decode(latents).sample
        # Spatial tiling with tiles small enough to split these latents and overlap (blend) them.
        vae.enable_tiling(tile_sample_min_height=TILE_MIN, tile_sample_min_width=TILE_MIN,
                          tile_sample_stride_height=TILE_STRIDE, tile_sample_stride_width=TILE_STRIDE)
        decoded_tiled = vae.decode(latents).sample
        vae.disable_tiling()
    return {"video": video.contiguous(), "mean": mean.contiguous(), "latents": latents.contiguous(),
            "decoded": decoded.contiguous(), "decoded_tiled": decoded_tiled.contiguous()}


# ---------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--diffusers-src", help="a diffusers checkout; its src/ goes first on sys.path")
    parser.add_argument("--transformers-src", help="a transformers checkout; its src/ goes first on sys.path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parts", default="text,vae",
                        help="what to write: text (tokenizer + text encoder; needs transformers and tokenizers), "
                             "vae (needs only diffusers), or both (default text,vae)")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if not parts or parts - {"text", "vae"}:
        sys.exit(f"--parts must list text and/or vae, got '{args.parts}'")
    add_source_paths(args)

    import torch
    import diffusers
    from safetensors.torch import save_file
    tokenizers = transformers = None
    if "text" in parts:
        import tokenizers
        import transformers
    have_ftfy = False
    try:
        import ftfy  # noqa: F401
        have_ftfy = True
    except ImportError:
        if "text" in parts:
            print("warning: ftfy is not installed, so prompt_clean skips ftfy.fix_text; the cleaned strings are then "
                  "not compared by the C# test (ids still are)", file=sys.stderr)

    torch.set_grad_enabled(False)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    if "text" in parts:
        tokenizer, vocab_size = make_tokenizer(out / "tokenizer")
        cleaned, ids, mask = tokenize(tokenizer, PROMPTS)
        save_file({"input_ids": ids.contiguous(), "attention_mask": mask.contiguous()}, str(out / "tokenizer_ids.safetensors"))
        with open(out / "tokenizer_cases.json", "w", encoding="utf-8") as f:
            json.dump({"max_length": MAX_LENGTH, "prompts": PROMPTS, "cleaned": cleaned, "ftfy": have_ftfy}, f,
                      ensure_ascii=False, indent=2)
        save_file(make_text_encoder(out / "text_encoder", vocab_size, tokenizer, torch, args.seed),
                  str(out / "text_encoder_io.safetensors"))
    if "vae" in parts:
        save_file(make_vae(out / "vae21", False, torch, args.seed + 1), str(out / "vae21_io.safetensors"))
        save_file(make_vae(out / "vae22", True, torch, args.seed + 2), str(out / "vae22_io.safetensors"))

    manifest = {
        "generator": "tools/wan-fixtures/make_text_vae_fixtures.py",
        "seed": args.seed,
        "torch": torch.__version__,
        "parts": sorted(parts),
        "transformers": transformers.__version__ if transformers else None,
        "diffusers": diffusers.__version__,
        "tokenizers": tokenizers.__version__ if tokenizers else None,
        "ftfy": have_ftfy,
        "diffusers_file": diffusers.__file__,
    }
    with open(out / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)

    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({total / 1e6:.2f} MB)")
    if total > 4_000_000:
        print("warning: fixtures exceed 4 MB; shrink them before committing", file=sys.stderr)


if __name__ == "__main__":
    main()
