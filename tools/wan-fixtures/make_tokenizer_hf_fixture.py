#!/usr/bin/env python3
"""The `text_vae/tokenizer` fixture from Hugging Face's Rust tokenizers, where Python transformers is not installable.

make_text_vae_fixtures.py --parts text builds this fixture with Python `tokenizers` + `transformers`. This script
produces the same files (tokenizer/tokenizer.json, tokenizer_cases.json, tokenizer_ids.safetensors) from:

* the same vocabulary, charsmap and prompts (imported from make_text_vae_fixtures.py), laid out as the JSON that
  `tokenizers.Tokenizer.save` writes for umT5's pipeline;
* the `tokenizers` crate itself, through its npm binding (`npm install tokenizers@0.23.2` outside the repository):
  it parses that JSON, saves it back (the committed tokenizer.json is the crate's own serialization) and encodes the
  prompts with truncation and padding set as transformers' PreTrainedTokenizerFast sets them (hf_tokenize.cjs);
* diffusers' real `prompt_clean` (pipeline_wan.py of a diffusers checkout) for the cleaned strings.

What transformers adds on top of the crate for this call (set_truncation_and_padding, then encode_batch) is
reproduced in hf_tokenize.cjs, not run; ftfy is used when installed (the manifest records whether it was).

Run through cpu-compat/run.sh (diffusers needs torch to import):
    tools/wan-fixtures/cpu-compat/run.sh DIFFUSERS HUB ACCELERATE tools/wan-fixtures/make_tokenizer_hf_fixture.py \
        --node-modules /path/with/node_modules [--out tests/Kinema.Wan.Tests/Fixtures/text_vae]
"""

import argparse
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
from make_text_vae_fixtures import DEFAULT_OUT, MAX_LENGTH, PROMPTS, build_vocab, charsmap_rules, pack_charsmap  # noqa: E402


def draft_tokenizer_json(vocab):
    """What make_text_vae_fixtures.make_tokenizer builds with Python tokenizers, as the crate's JSON layout."""
    special = ["<pad>", "</s>", "<s>", "<unk>"]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for i, t in enumerate(special)
        ],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(pack_charsmap(charsmap_rules())).decode("ascii")},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}},
        },
        "decoder": None,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": [[p, s] for p, s in vocab], "byte_fallback": True},
    }


def prompt_clean_from_diffusers():
    """diffusers' own prompt_clean, imported from the pipeline module (see make_sampling_fixture.import_wan_pipeline)."""
    from make_sampling_fixture import import_wan_pipeline
    import_wan_pipeline()
    module = sys.modules["diffusers.pipelines.wan.pipeline_wan"]
    return module.prompt_clean, module.__file__


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-modules", required=True, help="folder holding node_modules/tokenizers (npm install tokenizers@0.23.2)")
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()

    module = Path(args.node_modules).resolve() / "node_modules" / "tokenizers"
    if not module.is_dir():
        sys.exit(f"error: {module} not found; run `npm install tokenizers@0.23.2` in {args.node_modules}")
    version = json.loads((module / "package.json").read_text())["version"]
    try:
        import ftfy  # noqa: F401
        have_ftfy = True
    except ImportError:
        have_ftfy = False
        print("warning: ftfy is not installed, so prompt_clean skips ftfy.fix_text (recorded in the cases file)", file=sys.stderr)
    prompt_clean, diffusers_file = prompt_clean_from_diffusers()
    cleaned = [prompt_clean(p) for p in PROMPTS]

    out = Path(args.out)
    folder = out / "tokenizer"
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / "tokenizer.draft.json"
    draft.write_text(json.dumps(draft_tokenizer_json(build_vocab()), ensure_ascii=False), encoding="utf-8")
    try:
        result = subprocess.run(["node", str(here / "hf_tokenize.cjs"), str(module), str(draft), str(folder / "tokenizer.json"),
                                 str(MAX_LENGTH)], input=json.dumps(cleaned).encode("utf-8"), capture_output=True, check=False)
    finally:
        draft.unlink()
    if result.returncode != 0:
        sys.exit("error: hf_tokenize.cjs failed:\n" + result.stderr.decode("utf-8", "replace"))
    encodings = json.loads(result.stdout)

    with open(out / "tokenizer_cases.json", "w", encoding="utf-8") as f:
        json.dump({"max_length": MAX_LENGTH, "prompts": PROMPTS, "cleaned": cleaned, "ftfy": have_ftfy,
                   "tokens": [e["tokens"][: e["attention_mask"].count(1)] for e in encodings]}, f, ensure_ascii=False, indent=1)
    import torch
    from make_fixtures import save_tensors
    save_tensors(torch, str(out / "tokenizer_ids.safetensors"), {
        "input_ids": torch.tensor([e["ids"] for e in encodings], dtype=torch.int64),
        "attention_mask": torch.tensor([e["attention_mask"] for e in encodings], dtype=torch.int64)})
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest["tokenizer"] = {
        "generator": "tools/wan-fixtures/make_tokenizer_hf_fixture.py",
        "reference": f"Hugging Face tokenizers {version} (Rust crate, npm binding), truncation and padding as "
                     "transformers' PreTrainedTokenizerFast sets them; diffusers prompt_clean",
        "tokenizers_npm": version,
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "diffusers_file": os.path.relpath(diffusers_file, Path(diffusers_file).parents[3]),
        "ftfy": have_ftfy,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    for p, e in zip(cleaned, encodings):
        print(f"{sum(e['attention_mask']):4d} tokens  {p[:60]!r}")


if __name__ == "__main__":
    main()
