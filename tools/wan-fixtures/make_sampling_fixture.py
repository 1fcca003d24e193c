#!/usr/bin/env python3
"""End-to-end sampling reference for Kinema.Wan, produced by diffusers' own ``WanPipeline.__call__``.

Loads the tiny 2-layer DiT and the UniPC scheduler that ``make_fixtures.py`` committed in the wan-parity folder
(``transformer/`` and ``scheduler/``, read back with ``from_pretrained`` / ``from_pretrained``), builds
``diffusers.WanPipeline(tokenizer=None, text_encoder=None, vae=None, ...)`` around them and runs a short sampling
with classifier-free guidance from given initial latents and given (random, seeded) ``prompt_embeds`` /
``negative_prompt_embeds``, ``output_type="latent"``. Nothing of the loop is re-implemented here: the pipeline's
denoising loop, its CFG combination and ``UniPCMultistepScheduler.step`` are diffusers' code. A
``callback_on_step_end`` records the latents after every step.

Writes into ``--out`` (default: tests/Kinema.Wan.Tests/Fixtures/wan-parity):

  sampling_3step.safetensors   for each case NAME in CASES: NAME.latents (initial), NAME.prompt_embeds,
                               NAME.negative_prompt_embeds, NAME.step.{i} (latents after step i), NAME.output
                               (what the pipeline returned)
  sampling_3step.json          versions, seed and every case's settings

The C# test (tests/Kinema.Wan.Tests/Parity/WanSamplingParityTests.cs) reads the settings from the json.
Run through cpu-compat/run.sh on a machine with only Debian's torch (see README.md).
"""

import argparse
import json
import os
import platform
import sys

# ---- settings (recorded in sampling_3step.json, which the C# test reads) ---------------------------------------

LATENT_SHAPE = (1, 4, 3, 6, 10)      # batch 1 as Kinema's pipeline samples; token grid 3 x 3 x 5
TEXT_ROWS = 12                       # rows of prompt_embeds; the pipeline zero-pads each prompt past its length
PROMPT_LENGTH = 7                    # non-zero rows of prompt_embeds
NEGATIVE_LENGTH = 4                  # non-zero rows of negative_prompt_embeds
CASES = [
    # name, steps, guidance_scale, expand_timesteps (Wan 2.2 TI2V per-token timesteps), first frame given
    ("t2v_cfg5", 3, 5.0, False, False),
    ("ti2v_cfg3", 3, 3.0, True, False),
    # Wan 2.2 TI2V image-to-video: WanImageToVideoPipeline(expand_timesteps=True) encodes the image with the VAE
    # (text_vae/vae22: the Wan 2.2 layout, z_dim 4 as this transformer, 16x spatial), keeps latent frame 0 clean
    # and gives its tokens t = 0.
    ("ti2v_image_cfg3", 3, 3.0, True, True),
]
VAE22 = os.path.join("..", "text_vae", "vae22")  # relative to --fixtures


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "tests", "Kinema.Wan.Tests", "Fixtures", "wan-parity")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--diffusers", required=True, help="path to a diffusers source checkout (the folder holding src/diffusers)")
    parser.add_argument("--fixtures", default=default,
                        help="the wan-parity folder holding transformer/ and scheduler/ (default: the committed one)")
    parser.add_argument("--out", default=None, help="output folder (default: --fixtures)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def import_wan_pipeline():
    """diffusers' WanPipeline class. Where transformers is not installed (Debian's torch route), ``diffusers.WanPipeline``
    is a dummy that refuses to construct. The real ``diffusers.pipelines.wan.pipeline_wan`` module needs transformers
    only for two names used as type annotations (``AutoTokenizer``, ``UMT5EncoderModel``) and for ``diffusers.loaders``
    to export ``WanLoraLoaderMixin`` (a base class whose LoRA methods are never called here). So, only while that
    module is imported, two inert placeholder classes stand in for the transformers names, and the real
    ``WanLoraLoaderMixin`` is taken from ``diffusers.loaders.lora_pipeline``. Nothing of the placeholders is used: the
    pipeline is built with tokenizer, text_encoder and vae set to None and is given prompt_embeds."""
    try:
        import transformers  # noqa: F401
    except ImportError:
        import types
        import diffusers.loaders
        from diffusers.loaders.lora_pipeline import WanLoraLoaderMixin
        diffusers.loaders.WanLoraLoaderMixin = WanLoraLoaderMixin
        stub = types.ModuleType("transformers")

        class AutoTokenizer:  # placeholder: never instantiated
            pass

        class UMT5EncoderModel:  # placeholder: never instantiated
            pass

        stub.AutoTokenizer, stub.UMT5EncoderModel = AutoTokenizer, UMT5EncoderModel
        sys.modules["transformers"] = stub
        try:
            from diffusers.pipelines.wan.pipeline_wan import WanPipeline
        finally:
            del sys.modules["transformers"]
        return WanPipeline
    from diffusers.pipelines.wan.pipeline_wan import WanPipeline
    return WanPipeline


def import_wan_i2v_pipeline():
    """diffusers' WanImageToVideoPipeline, imported as import_wan_pipeline imports WanPipeline (three more
    transformers names appear only as type annotations there: CLIPImageProcessor, CLIPVisionModel and the two above)."""
    try:
        import transformers  # noqa: F401
    except ImportError:
        import types
        import diffusers.loaders
        from diffusers.loaders.lora_pipeline import WanLoraLoaderMixin
        diffusers.loaders.WanLoraLoaderMixin = WanLoraLoaderMixin
        stub = types.ModuleType("transformers")
        for name in ("AutoTokenizer", "UMT5EncoderModel", "CLIPImageProcessor", "CLIPVisionModel"):
            setattr(stub, name, type(name, (), {}))  # placeholders: never instantiated
        sys.modules["transformers"] = stub
        try:
            from diffusers.pipelines.wan.pipeline_wan_i2v import WanImageToVideoPipeline
        finally:
            del sys.modules["transformers"]
        return WanImageToVideoPipeline
    from diffusers.pipelines.wan.pipeline_wan_i2v import WanImageToVideoPipeline
    return WanImageToVideoPipeline


def main():
    args = parse_args()
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    src = os.path.join(os.path.abspath(args.diffusers), "src")
    if not os.path.isdir(os.path.join(src, "diffusers")):
        sys.exit(f"error: {src}/diffusers not found; pass the root of a diffusers checkout with --diffusers")
    sys.path.insert(0, src)
    import diffusers
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanTransformer3DModel
    WanPipeline = import_wan_pipeline()
    WanImageToVideoPipeline = import_wan_i2v_pipeline()
    import numpy as np
    from PIL import Image

    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    from make_fixtures import save_tensors

    fixtures = os.path.abspath(args.fixtures)
    out = os.path.abspath(args.out or args.fixtures)
    os.makedirs(out, exist_ok=True)
    transformer = WanTransformer3DModel.from_pretrained(os.path.join(fixtures, "transformer"), torch_dtype=torch.float32).eval()

    g = torch.Generator().manual_seed(args.seed + 10)
    tensors, cases = {}, []
    for name, steps, guidance, expand, first_frame in CASES:
        latents = torch.randn(LATENT_SHAPE, generator=g)
        prompt = torch.zeros(1, TEXT_ROWS, transformer.config.text_dim)
        prompt[:, :PROMPT_LENGTH] = torch.randn(1, PROMPT_LENGTH, transformer.config.text_dim, generator=g)
        negative = torch.zeros(1, TEXT_ROWS, transformer.config.text_dim)
        negative[:, :NEGATIVE_LENGTH] = torch.randn(1, NEGATIVE_LENGTH, transformer.config.text_dim, generator=g)

        # A fresh scheduler per case, from the committed config (flow_shift 3.0), as from_pretrained would load it.
        scheduler = UniPCMultistepScheduler.from_pretrained(os.path.join(fixtures, "scheduler"))
        _, _, t, h, w = LATENT_SHAPE
        extra = {}
        if first_frame:
            vae = AutoencoderKLWan.from_pretrained(os.path.join(fixtures, VAE22), torch_dtype=torch.float32).eval()
            pipe = WanImageToVideoPipeline(tokenizer=None, text_encoder=None, vae=vae, scheduler=scheduler,
                                           image_processor=None, image_encoder=None, transformer=transformer,
                                           expand_timesteps=expand)
            height, width = h * pipe.vae_scale_factor_spatial, w * pipe.vae_scale_factor_spatial
            pixels = torch.randint(0, 256, (height, width, 3), generator=g, dtype=torch.int64).to(torch.uint8)
            extra["image"] = Image.fromarray(pixels.numpy().astype(np.uint8), mode="RGB")
            tensors[f"{name}.image"] = pixels  # (H, W, 3) RGB bytes, what the PIL image holds
            # The encoded first frame, recorded for diagnosis: the pipeline's own prepare_latents on the same inputs.
            processed = pipe.video_processor.preprocess(extra["image"], height=height, width=width).to(dtype=torch.float32)
            with torch.no_grad():
                _, condition, _ = pipe.prepare_latents(processed, 1, vae.config.z_dim, height, width, (t - 1) * 4 + 1,
                                                       torch.float32, torch.device("cpu"), None, latents.clone())
            tensors[f"{name}.condition"] = condition
        else:
            pipe = WanPipeline(tokenizer=None, text_encoder=None, vae=None, transformer=transformer, scheduler=scheduler,
                               expand_timesteps=expand)
        pipe.set_progress_bar_config(disable=True)

        per_step = []

        def record(p, i, t, kwargs):
            per_step.append(kwargs["latents"].detach().clone())
            return {}

        with torch.no_grad():
            output = pipe(**extra, prompt=None, negative_prompt=None, prompt_embeds=prompt.clone(), negative_prompt_embeds=negative.clone(),
                          latents=latents.clone(), num_inference_steps=steps, guidance_scale=guidance,
                          height=h * pipe.vae_scale_factor_spatial, width=w * pipe.vae_scale_factor_spatial,
                          num_frames=(t - 1) * pipe.vae_scale_factor_temporal + 1, output_type="latent", return_dict=False,
                          callback_on_step_end=record, callback_on_step_end_tensor_inputs=["latents"])[0]
        assert len(per_step) == steps
        if first_frame:  # the pipeline puts the clean first frame back into what it returns
            assert torch.equal(per_step[-1][:, :, 1:], output[:, :, 1:]) and torch.equal(condition, output[:, :, :1])
        else:
            assert torch.equal(per_step[-1], output)
        tensors[f"{name}.latents"] = latents
        tensors[f"{name}.prompt_embeds"] = prompt
        tensors[f"{name}.negative_prompt_embeds"] = negative
        for i, x in enumerate(per_step):
            tensors[f"{name}.step.{i}"] = x
        tensors[f"{name}.output"] = output
        cases.append({"name": name, "steps": steps, "guidance_scale": guidance, "expand_timesteps": expand,
                      "first_frame": first_frame, "pipeline": type(pipe).__name__,
                      "flow_shift": scheduler.config.flow_shift, "timesteps": [int(x) for x in scheduler.timesteps],
                      "sigmas": [float(x) for x in scheduler.sigmas]})
        print(f"{name}: timesteps {cases[-1]['timesteps']}, output max |x| {output.abs().max().item():.4f}")

    save_tensors(torch, os.path.join(out, "sampling_3step.safetensors"), tensors)
    with open(os.path.join(out, "sampling_3step.json"), "w") as f:
        json.dump({"diffusers_version": diffusers.__version__, "torch_version": torch.__version__,
                   "python": platform.python_version(), "device": "cpu", "seed": args.seed,
                   "pipeline": "diffusers.WanPipeline(tokenizer=None, text_encoder=None, vae=None), or for first_frame cases "
                               "WanImageToVideoPipeline(tokenizer=None, text_encoder=None, image_encoder=None, vae=text_vae/vae22, "
                               "expand_timesteps=True); output_type='latent'",
                   "vae": "text_vae/vae22 (first_frame cases)",
                   "transformer": "transformer/ (make_fixtures.py), float32", "scheduler": "scheduler/ (flow_shift from its config)",
                   "latent_shape": LATENT_SHAPE, "text_rows": TEXT_ROWS, "prompt_length": PROMPT_LENGTH,
                   "negative_length": NEGATIVE_LENGTH, "cases": cases}, f, indent=2)
    size = os.path.getsize(os.path.join(out, "sampling_3step.safetensors"))
    print(f"wrote {out}/sampling_3step.safetensors ({size / 1024:.0f} KiB) and sampling_3step.json")
    if size > 1024 * 1024:
        sys.exit("error: the fixture exceeds 1 MB; shrink the shapes above")


if __name__ == "__main__":
    main()
