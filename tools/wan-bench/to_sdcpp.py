#!/usr/bin/python3
"""Convert a diffusers-layout Wan 2.1 transformer (WanTransformer3DModel safetensors, single file or sharded with
an index, as `kinema wan make-random` writes) into the original Wan / ComfyUI key layout that stable-diffusion.cpp
loads with --diffusion-model (it prefixes the keys with `model.diffusion_model.` itself).

    /usr/bin/python3 tools/wan-bench/to_sdcpp.py DIFFUSERS_FOLDER/transformer OUT.safetensors [--dtype f32|f16|bf16]

Only numpy is needed. Tensors are streamed one at a time, so memory stays at one tensor. Values are converted,
never changed: the renaming is the inverse of diffusers' convert_wan_to_diffusers.py for T2V models.
"""
import argparse
import json
import os
import re
import struct
import sys

import numpy as np

# diffusers name -> original Wan name (T2V; no image embedder, no VACE).
_BLOCK_RULES = [
    (r"attn1\.to_q\.", "self_attn.q."), (r"attn1\.to_k\.", "self_attn.k."), (r"attn1\.to_v\.", "self_attn.v."),
    (r"attn1\.to_out\.0\.", "self_attn.o."), (r"attn1\.norm_q\.", "self_attn.norm_q."), (r"attn1\.norm_k\.", "self_attn.norm_k."),
    (r"attn2\.to_q\.", "cross_attn.q."), (r"attn2\.to_k\.", "cross_attn.k."), (r"attn2\.to_v\.", "cross_attn.v."),
    (r"attn2\.to_out\.0\.", "cross_attn.o."), (r"attn2\.norm_q\.", "cross_attn.norm_q."), (r"attn2\.norm_k\.", "cross_attn.norm_k."),
    (r"norm2\.", "norm3."),                       # diffusers' affine cross-attention norm is the original norm3
    (r"ffn\.net\.0\.proj\.", "ffn.0."), (r"ffn\.net\.2\.", "ffn.2."),
    (r"scale_shift_table$", "modulation"),
]
_TOP_RULES = {
    "scale_shift_table": "head.modulation",
    "proj_out.weight": "head.head.weight", "proj_out.bias": "head.head.bias",
    "patch_embedding.weight": "patch_embedding.weight", "patch_embedding.bias": "patch_embedding.bias",
    "condition_embedder.time_embedder.linear_1.weight": "time_embedding.0.weight",
    "condition_embedder.time_embedder.linear_1.bias": "time_embedding.0.bias",
    "condition_embedder.time_embedder.linear_2.weight": "time_embedding.2.weight",
    "condition_embedder.time_embedder.linear_2.bias": "time_embedding.2.bias",
    "condition_embedder.time_proj.weight": "time_projection.1.weight",
    "condition_embedder.time_proj.bias": "time_projection.1.bias",
    "condition_embedder.text_embedder.linear_1.weight": "text_embedding.0.weight",
    "condition_embedder.text_embedder.linear_1.bias": "text_embedding.0.bias",
    "condition_embedder.text_embedder.linear_2.weight": "text_embedding.2.weight",
    "condition_embedder.text_embedder.linear_2.bias": "text_embedding.2.bias",
}


def rename(key):
    if key in _TOP_RULES:
        return _TOP_RULES[key]
    m = re.match(r"^blocks\.(\d+)\.(.*)$", key)
    if m:
        rest = m.group(2)
        for pattern, repl in _BLOCK_RULES:
            new, n = re.subn("^" + pattern, repl, rest)
            if n:
                return "blocks.%s.%s" % (m.group(1), new)
    raise KeyError("no original-Wan name for diffusers key %r (I2V/VACE/TI2V extras are not handled)" % key)


def read_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return header, 8 + n


def shards(folder):
    index = os.path.join(folder, "diffusion_pytorch_model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        return [os.path.join(folder, x) for x in files]
    return [os.path.join(folder, "diffusion_pytorch_model.safetensors")]


_NP = {"F32": np.float32, "F16": np.float16}


def load_as_f32(f, base, info):
    start, end = info["data_offsets"]
    f.seek(base + start)
    raw = f.read(end - start)
    dt = info["dtype"]
    if dt == "BF16":
        return (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
    if dt in _NP:
        return np.frombuffer(raw, dtype=_NP[dt]).astype(np.float32)
    raise ValueError("unsupported dtype %s" % dt)


def encode(values, out_dtype):
    if out_dtype == "F32":
        return values.astype(np.float32).tobytes()
    if out_dtype == "F16":
        return values.astype(np.float16).tobytes()
    # BF16, round to nearest even
    u = values.astype(np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16).tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("transformer_folder")
    ap.add_argument("out")
    ap.add_argument("--dtype", default="f32", choices=["f32", "f16", "bf16"])
    # Norms, modulation tables and biases are kept in f32 as the Comfy repackaged fp16 files do for 1-D tensors.
    args = ap.parse_args()
    out_dtype = args.dtype.upper()

    entries = []  # (new_name, shard_path, base, info)
    for path in shards(args.transformer_folder):
        header, base = read_header(path)
        for k, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
            entries.append((rename(k), path, base, info))
    names = [e[0] for e in entries]
    if len(set(names)) != len(names):
        sys.exit("duplicate names after renaming")

    header, offset, plan = {}, 0, []
    for name, path, base, info in entries:
        dt = out_dtype if (len(info["shape"]) >= 2 and "modulation" not in name) else "F32"
        size = int(np.prod(info["shape"])) * (4 if dt == "F32" else 2)
        header[name] = {"dtype": dt, "shape": info["shape"], "data_offsets": [offset, offset + size]}
        plan.append((name, path, base, info, dt))
        offset += size
    header["__metadata__"] = {"format": "pt", "converted_by": "kinema tools/wan-bench/to_sdcpp.py"}
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)

    tmp = args.out + ".part"
    handles = {}
    try:
        with open(tmp, "wb") as out:
            out.write(struct.pack("<Q", len(blob)))
            out.write(blob)
            for name, path, base, info, dt in plan:
                f = handles.get(path) or handles.setdefault(path, open(path, "rb"))
                out.write(encode(load_as_f32(f, base, info), dt))
    finally:
        for f in handles.values():
            f.close()
    os.replace(tmp, args.out)
    print("wrote %s: %d tensors, %.2f GB (%s matrices)" % (args.out, len(plan), (offset + len(blob) + 8) / 1e9, out_dtype))


if __name__ == "__main__":
    main()
