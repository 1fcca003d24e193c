#!/usr/bin/env python3
"""umT5 encoder parity fixture from the official Wan 2.1 code, for machines without transformers.

make_text_vae_fixtures.py --parts text builds the text-encoder fixture with transformers' UMT5EncoderModel. Where
transformers cannot be had (no PyPI), this script gets the same fixture from the Wan team's own encoder,
wan/modules/t5.py (T5Encoder with per-layer relative position buckets, i.e. umT5), which needs nothing but torch:

* a random 2-layer encoder with the shapes of make_text_vae_fixtures.py's UMT5Config, built and initialised by
  t5.py itself (norm gains then moved away from 1 so a misplaced gain shows);
* its weights renamed to transformers' UMT5EncoderModel layout (the layout of the text_encoder/ folder of every
  Wan diffusers checkpoint) and written with a transformers-style config.json;
* for three token sequences padded to 512 (Wan's text_len): the encoder's output (`last_hidden_state`) and the
  context Wan feeds its DiT: T5EncoderModel.__call__ (rows cut at each sequence's length) followed by
  WanModel.forward's zero padding back to text_len (`wan_context`).

Token ids are drawn at random (the tokenizer has its own fixture); they end in </s> (id 1) and pad with 0.

Usage (torch only; the Wan checkout is fetched, never committed):
    python tools/wan-fixtures/make_umt5_fixture_wan.py --wan ~/src/Wan2.1 [--out tests/Kinema.Wan.Tests/Fixtures/text_vae]
"""

import argparse
import importlib.util
import json
import sys
import types
from pathlib import Path

DEFAULT_OUT = "tests/Kinema.Wan.Tests/Fixtures/text_vae"
TEXT_LEN = 512                       # Wan's text_len
VOCAB = 512                          # a multiple of 64, as umT5 pads its vocabulary; room for a synthetic tokenizer
D_MODEL, D_KV, D_FF, LAYERS, HEADS, BUCKETS, MAX_DISTANCE = 16, 4, 32, 2, 4, 32, 128
LENGTHS = [9, 5, 14]                 # tokens per sequence, </s> included


def load_wan_t5(checkout: Path):
    """Imports wan/modules/t5.py; its tokenizer import (transformers) is replaced by an inert stand-in."""
    source = checkout / "wan" / "modules" / "t5.py"
    if not source.is_file():
        sys.exit(f"--wan {checkout}: {source} does not exist (expected a Wan2.1 checkout)")
    package = types.ModuleType("wan_reference")
    package.__path__ = [str(source.parent)]
    sys.modules["wan_reference"] = package
    tokenizers = types.ModuleType("wan_reference.tokenizers")
    tokenizers.HuggingfaceTokenizer = type("HuggingfaceTokenizer", (), {})
    sys.modules["wan_reference.tokenizers"] = tokenizers
    spec = importlib.util.spec_from_file_location("wan_reference.t5", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules["wan_reference.t5"] = module
    # T5EncoderModel's signature evaluates torch.cuda.current_device() as a default; a CPU-only torch raises there.
    import torch
    current_device = torch.cuda.current_device
    torch.cuda.current_device = lambda: torch.device("cpu")
    try:
        spec.loader.exec_module(module)
    finally:
        torch.cuda.current_device = current_device
    return module


def to_transformers_names(state):
    """Wan T5Encoder parameter names -> transformers UMT5EncoderModel names."""
    renamed = {"shared.weight": state["token_embedding.weight"],
               "encoder.final_layer_norm.weight": state["norm.weight"]}
    for i in range(LAYERS):
        w, h = f"blocks.{i}.", f"encoder.block.{i}.layer."
        renamed[h + "0.layer_norm.weight"] = state[w + "norm1.weight"]
        for p in "qkvo":
            renamed[h + f"0.SelfAttention.{p}.weight"] = state[w + f"attn.{p}.weight"]
        renamed[h + "0.SelfAttention.relative_attention_bias.weight"] = state[w + "pos_embedding.embedding.weight"]
        renamed[h + "1.layer_norm.weight"] = state[w + "norm2.weight"]
        renamed[h + "1.DenseReluDense.wi_0.weight"] = state[w + "ffn.gate.0.weight"]   # the GELU branch
        renamed[h + "1.DenseReluDense.wi_1.weight"] = state[w + "ffn.fc1.weight"]      # the linear branch
        renamed[h + "1.DenseReluDense.wo.weight"] = state[w + "ffn.fc2.weight"]
    if len(renamed) != len(state):
        sys.exit(f"renamed {len(renamed)} of {len(state)} tensors; t5.py's layout changed")
    return {k: v.detach().float().contiguous() for k, v in renamed.items()}


def transformers_config():
    return {
        "architectures": ["UMT5EncoderModel"], "model_type": "umt5", "vocab_size": VOCAB, "d_model": D_MODEL,
        "d_kv": D_KV, "d_ff": D_FF, "num_layers": LAYERS, "num_decoder_layers": LAYERS, "num_heads": HEADS,
        "relative_attention_num_buckets": BUCKETS, "relative_attention_max_distance": MAX_DISTANCE,
        "feed_forward_proj": "gated-gelu", "dense_act_fn": "gelu_new", "is_gated_act": True,
        "layer_norm_epsilon": 1e-6, "dropout_rate": 0.0, "pad_token_id": 0, "eos_token_id": 1,
        "decoder_start_token_id": 0, "tie_word_embeddings": False, "torch_dtype": "float32",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wan", required=True, help="a Wan2.1 source checkout (github.com/Wan-Video/Wan2.1)")
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch
    from safetensors.torch import save_file

    t5 = load_wan_t5(Path(args.wan))
    torch.manual_seed(args.seed)
    encoder = t5.T5Encoder(vocab=VOCAB, dim=D_MODEL, dim_attn=D_KV * HEADS, dim_ffn=D_FF, num_heads=HEADS,
                           num_layers=LAYERS, num_buckets=BUCKETS, shared_pos=False, dropout=0.0).eval()
    with torch.no_grad():
        for name, p in encoder.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                p.copy_(1.0 + 0.2 * torch.randn_like(p))

    ids = torch.zeros(len(LENGTHS), TEXT_LEN, dtype=torch.long)
    mask = torch.zeros(len(LENGTHS), TEXT_LEN, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        ids[row, :length - 1] = torch.randint(4, VOCAB, (length - 1,))
        ids[row, length - 1] = 1
        mask[row, :length] = 1

    with torch.no_grad():
        hidden = encoder(ids, mask)
        # T5EncoderModel.__call__ with the tokenizer's output given: cut each row at its sequence length.
        wrapper = object.__new__(t5.T5EncoderModel)
        wrapper.model = encoder
        wrapper.tokenizer = lambda texts, return_mask, add_special_tokens: (ids, mask)
        trimmed = wrapper(["unused"] * len(LENGTHS), torch.device("cpu"))
        # WanModel.forward: torch.cat([u, u.new_zeros(self.text_len - u.size(0), u.size(1))]) for u in context
        context = torch.stack([torch.cat([u, u.new_zeros(TEXT_LEN - u.size(0), u.size(1))]) for u in trimmed])

    out = Path(args.out)
    folder = out / "text_encoder"
    folder.mkdir(parents=True, exist_ok=True)
    save_file(to_transformers_names(encoder.state_dict()), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(transformers_config(), indent=2))
    save_file({"input_ids": ids, "attention_mask": mask, "last_hidden_state": hidden.float().contiguous(),
               "wan_context": context.float().contiguous()}, str(out / "text_encoder_io.safetensors"))

    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest["text_encoder"] = {"generator": "tools/wan-fixtures/make_umt5_fixture_wan.py",
                                "reference": "Wan2.1 wan/modules/t5.py (T5Encoder, T5EncoderModel.__call__)",
                                "seed": args.seed, "torch": torch.__version__, "lengths": LENGTHS}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    print(f"wrote {folder} and {out / 'text_encoder_io.safetensors'}")


if __name__ == "__main__":
    main()
