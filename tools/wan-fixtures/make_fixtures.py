#!/usr/bin/env python3
"""Reference fixtures for Kinema.Wan's parity tests, produced by the real diffusers code.

Builds a tiny random WanTransformer3DModel and UniPCMultistepScheduler (flow_prediction, use_flow_sigmas) from a
diffusers *source checkout* (diffusers need not be installed: its ``src`` folder is put on ``sys.path``) and
writes, into ``--out``:

  model_index.json                      a two-component WanPipeline index (transformer + scheduler)
  transformer/                          save_pretrained output: config.json + 2 safetensors shards + index (fp32)
  scheduler/scheduler_config.json       save_pretrained output
  dit_io.safetensors                    fixed DiT inputs and outputs: scalar timesteps, TI2V per-token timesteps
                                        (first latent frame at t = 0), and a bf16 run; plus intermediates
  scheduler_schedules.safetensors       sigmas / timesteps of set_timesteps for several (steps, shift) pairs
  scheduler_step.safetensors            one scheduler.step from a random sample and model output
  scheduler_loop.safetensors            3- and 6-step sampling loops driven by a fixed fake velocity function
  manifest.json                         versions, device and the settings used

Everything is small (well under 1 MB). Run ``python make_fixtures.py --help`` for options; see README.md.
The C# side (tests/Kinema.Wan.Tests/Parity) must use exactly the constants below: keep them in step.
"""

import argparse
import json
import os
import platform
import sys

# ---- constants shared with tests/Kinema.Wan.Tests/Parity/WanParityTests.cs -------------------------------------

TRANSFORMER_CONFIG = dict(
    patch_size=(1, 2, 2),
    num_attention_heads=2,
    attention_head_dim=12,   # rotary split 4/4/4; diffusers and the original Wan code agree for this head size
    in_channels=4,
    out_channels=4,
    text_dim=16,
    freq_dim=32,
    ffn_dim=40,
    num_layers=2,
    cross_attn_norm=True,
    qk_norm="rms_norm_across_heads",
    eps=1e-6,
    rope_max_seq_len=64,
)
LATENT_SHAPE = (2, 4, 3, 6, 10)          # B, C, T, H, W -> token grid 3 x 3 x 5 (odd on every axis)
TEXT_SHAPE = (2, 7, 16)                   # B, text tokens, text_dim
TIMESTEPS = [999, 437]                    # int64, as the pipeline passes scheduler.timesteps
SCHEDULES = [(50, 5.0), (50, 3.0), (30, 12.0), (10, 1.0), (7, 8.0), (2, 3.0), (1, 5.0)]
STEP_SETTINGS = dict(steps=10, flow_shift=3.0)
LOOPS = [("loop3", 3, 5.0), ("loop6", 6, 3.0)]
SAMPLE_SHAPE = (1, 4, 3, 6, 10)


def fake_velocity(torch, x, t):
    """A fixed, smooth stand-in for the DiT (the C# test evaluates the same expression in float32)."""
    return 0.5 * x - 0.3 * torch.tanh(x) + (float(t) / 1000.0) * 0.2


def schedule_key(steps, shift):
    return f"steps{steps}_shift{shift:g}"


# ---------------------------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--diffusers", required=True, help="path to a huggingface/diffusers source checkout (the folder holding src/diffusers)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Kinema.Wan.Tests", "Fixtures", "wan-parity"),
                        help="output folder (default: tests/Kinema.Wan.Tests/Fixtures/wan-parity)")
    parser.add_argument("--device", default="cpu", help="torch device for the forward passes (default cpu; fp32 either way, TF32 off)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def import_diffusers(path):
    src = os.path.join(os.path.abspath(path), "src")
    if not os.path.isdir(os.path.join(src, "diffusers")):
        sys.exit(f"error: {src}/diffusers not found; pass the root of a diffusers checkout with --diffusers")
    sys.path.insert(0, src)
    import diffusers  # noqa: E402
    from diffusers import UniPCMultistepScheduler, WanTransformer3DModel  # noqa: E402
    return diffusers, WanTransformer3DModel, UniPCMultistepScheduler


def save_tensors(torch, path, tensors, metadata=None):
    """safetensors writer; uses the safetensors package when present, else writes the format directly."""
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    try:
        from safetensors.torch import save_file
        save_file(tensors, path, metadata=metadata)
        return
    except ImportError:
        pass
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for key in sorted(tensors):
        t = tensors[key]
        data = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[key] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(encoded).to_bytes(8, "little"))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def make_transformer(torch, WanTransformer3DModel, seed):
    torch.manual_seed(seed)
    model = WanTransformer3DModel(**TRANSFORMER_CONFIG).eval()
    # Default init leaves the norm gains at 1 and biases at 0; randomise them so every parameter matters.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".norm" in name and name.endswith(".weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif ".norm" in name and name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
    return model


def dit_fixtures(torch, model, device, seed, out):
    g = torch.Generator().manual_seed(seed + 1)
    hidden = torch.randn(LATENT_SHAPE, generator=g)
    context = torch.randn(TEXT_SHAPE, generator=g)
    timestep = torch.tensor(TIMESTEPS, dtype=torch.int64)
    b, _, t, h, w = LATENT_SHAPE
    grid = (t, h // 2, w // 2)
    tokens = grid[0] * grid[1] * grid[2]
    # Wan 2.2 TI2V with a clean first frame: the pipeline's mask[:, ::2, ::2] * t, flattened per token.
    mask = torch.ones(grid)
    mask[0] = 0
    per_token = torch.stack([(mask * float(ts)).flatten() for ts in TIMESTEPS])  # (B, tokens) float32

    captured = {}
    model = model.to(device)
    hook = model.blocks[0].register_forward_hook(lambda m, i, o: captured.__setitem__("block0_output", o.detach().cpu()))
    with torch.no_grad():
        out_scalar = model(hidden.to(device), timestep.to(device), context.to(device), return_dict=False)[0].cpu()
        block0 = captured["block0_output"]
        temb, proj, text, _ = model.condition_embedder(timestep.to(device), context.to(device))
        out_token = model(hidden.to(device), per_token.to(device), context.to(device), return_dict=False)[0].cpu()
    hook.remove()
    assert per_token.shape == (b, tokens)

    tensors = {
        "hidden_states": hidden, "encoder_hidden_states": context, "timestep": timestep, "output": out_scalar,
        "timestep_per_token": per_token, "output_per_token": out_token,
        "temb": temb.cpu(), "timestep_proj": proj.cpu(), "text_embedded": text.cpu(), "block0_output": block0,
    }
    return tensors


def dit_bf16_fixture(torch, WanTransformer3DModel, folder, device, io):
    """Load the saved checkpoint in bf16 the way the pipeline does (keeps _keep_in_fp32_modules in fp32)."""
    model = WanTransformer3DModel.from_pretrained(folder, torch_dtype=torch.bfloat16).to(device).eval()
    with torch.no_grad():
        out = model(io["hidden_states"].to(device, torch.bfloat16), io["timestep"].to(device),
                    io["encoder_hidden_states"].to(device, torch.bfloat16), return_dict=False)[0]
    return out.float().cpu()


def scheduler_fixtures(torch, UniPCMultistepScheduler, seed, out):
    def make(flow_shift):
        return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                       num_train_timesteps=1000, flow_shift=flow_shift)

    schedules = {}
    for steps, shift in SCHEDULES:
        s = make(shift)
        s.set_timesteps(steps)
        schedules[schedule_key(steps, shift) + ".sigmas"] = s.sigmas.to(torch.float32)
        schedules[schedule_key(steps, shift) + ".timesteps"] = s.timesteps.to(torch.int64)
    save_tensors(torch, os.path.join(out, "scheduler_schedules.safetensors"), schedules)

    g = torch.Generator().manual_seed(seed + 2)
    s = make(STEP_SETTINGS["flow_shift"])
    s.set_timesteps(STEP_SETTINGS["steps"])
    sample = torch.randn(SAMPLE_SHAPE, generator=g)
    model_output = torch.randn(SAMPLE_SHAPE, generator=g)
    prev = s.step(model_output, s.timesteps[0], sample, return_dict=False)[0]
    save_tensors(torch, os.path.join(out, "scheduler_step.safetensors"),
                 {"sample": sample, "model_output": model_output, "prev_sample": prev})

    loops = {}
    for name, steps, shift in LOOPS:
        s = make(shift)
        s.set_timesteps(steps)
        x = torch.randn(SAMPLE_SHAPE, generator=g)
        loops[f"{name}.initial"] = x.clone()
        for i, t in enumerate(s.timesteps):
            v = fake_velocity(torch, x, int(t))
            loops[f"{name}.model_output.{i}"] = v.clone()
            x = s.step(v, t, x, return_dict=False)[0]
            loops[f"{name}.sample.{i}"] = x.clone()
    save_tensors(torch, os.path.join(out, "scheduler_loop.safetensors"), loops)
    return make(STEP_SETTINGS["flow_shift"])


def main():
    args = parse_args()
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    diffusers, WanTransformer3DModel, UniPCMultistepScheduler = import_diffusers(args.diffusers)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    model = make_transformer(torch, WanTransformer3DModel, args.seed)
    transformer_dir = os.path.join(out, "transformer")
    # A small shard size so the fixture exercises diffusers' own sharding and index file.
    model.save_pretrained(transformer_dir, safe_serialization=True, max_shard_size="50KB")

    io = dit_fixtures(torch, model, args.device, args.seed, out)
    io["output_bf16"] = dit_bf16_fixture(torch, WanTransformer3DModel, transformer_dir, args.device, io)
    save_tensors(torch, os.path.join(out, "dit_io.safetensors"), io)

    scheduler = scheduler_fixtures(torch, UniPCMultistepScheduler, args.seed, out)
    scheduler.save_pretrained(os.path.join(out, "scheduler"))

    with open(os.path.join(out, "model_index.json"), "w") as f:
        json.dump({"_class_name": "WanPipeline", "_diffusers_version": diffusers.__version__,
                   "scheduler": ["diffusers", "UniPCMultistepScheduler"],
                   "transformer": ["diffusers", "WanTransformer3DModel"]}, f, indent=2)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"diffusers_version": diffusers.__version__, "torch_version": torch.__version__,
                   "python": platform.python_version(), "device": args.device, "seed": args.seed,
                   "transformer_config": TRANSFORMER_CONFIG, "latent_shape": LATENT_SHAPE, "text_shape": TEXT_SHAPE,
                   "timesteps": TIMESTEPS, "schedules": SCHEDULES, "step": STEP_SETTINGS,
                   "loops": LOOPS, "sample_shape": SAMPLE_SHAPE}, f, indent=2)

    total = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(out) for name in names)
    print(f"wrote fixtures to {out} ({total / 1024:.0f} KiB)")
    if total > 2 * 1024 * 1024:
        sys.exit("error: fixtures exceed 2 MB; shrink the shapes above")


if __name__ == "__main__":
    main()
