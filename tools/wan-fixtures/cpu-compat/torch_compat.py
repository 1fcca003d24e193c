"""Lets diffusers (2025+) import and run on Debian's torch 1.13 (CPU only); see README.md beside this file."""
import contextlib, enum, math, sys, types
import torch
import torch.nn.functional as F

class _NoDevice:
    @staticmethod
    def is_available(): return False
    @staticmethod
    def device_count(): return 0
    def __getattr__(self, name):
        return lambda *a, **k: None
# Inert devices: diffusers probes them at import time; only mps may already exist.
for name in ("xpu", "mtia", "npu"):
    setattr(torch, name, _NoDevice())
if not hasattr(torch, "mps"):
    torch.mps = _NoDevice()
if not hasattr(torch.backends, "mps"):
    torch.backends.mps = _NoDevice()

def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    d = query.shape[-1]
    s = scale if scale is not None else 1.0 / math.sqrt(d)
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, dim=-3); value = value.repeat_interleave(rep, dim=-3)
    scores = torch.matmul(query, key.transpose(-2, -1)) * s
    if is_causal:
        L, S = query.shape[-2], key.shape[-2]
        m = torch.ones(L, S, dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(~m, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    return torch.matmul(scores.softmax(-1), value)
F.scaled_dot_product_attention = _sdpa

import torch.distributed as _dist
class _Placeholder:
    pass
for mod, attrs in (("torch.distributed._functional_collectives", ()),
                   ("torch.distributed.tensor", ("DTensor", "Replicate", "Shard", "DeviceMesh")),
                   ("torch.distributed.device_mesh", ("DeviceMesh", "init_device_mesh"))):
    try:
        __import__(mod)
    except Exception:
        m = types.ModuleType(mod)
        for a in attrs:
            setattr(m, a, type(a, (_Placeholder,), {}))
        sys.modules[mod] = m
    setattr(_dist, mod.rsplit(".", 1)[1], sys.modules[mod])

if not hasattr(torch, "compiler"):
    def _disable(fn=None, recursive=True, **k):
        return fn if fn is not None else (lambda f: f)
    torch.compiler = types.SimpleNamespace(disable=_disable, is_compiling=lambda: False,
                                           is_dynamo_compiling=lambda: False, allow_in_graph=lambda f: f)
for _name in ("float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64", "float8_e4m3fnuz", "float8_e5m2fnuz"):
    if not hasattr(torch, _name):
        setattr(torch, _name, type("missing_dtype_" + _name, (), {})())

if "torch.nn.attention" not in sys.modules:
    try:
        import torch.nn.attention  # noqa
    except Exception:
        _att = types.ModuleType("torch.nn.attention")
        _att.SDPBackend = enum.Enum("SDPBackend", "ERROR MATH FLASH_ATTENTION EFFICIENT_ATTENTION CUDNN_ATTENTION OVERRIDEABLE")
        _att.sdpa_kernel = lambda *a, **k: contextlib.nullcontext()
        _att.__path__ = []
        _flex = types.ModuleType("torch.nn.attention.flex_attention")
        _flex.BlockMask = type("BlockMask", (), {})
        _flex.create_block_mask = lambda *a, **k: None
        _flex.flex_attention = None
        _att.flex_attention = _flex
        sys.modules["torch.nn.attention"] = _att
        sys.modules["torch.nn.attention.flex_attention"] = _flex
        torch.nn.attention = _att

if not hasattr(torch.nn, "RMSNorm"):
    class RMSNorm(torch.nn.Module):
        """torch.nn.RMSNorm as documented for torch >= 2.4: x * rsqrt(mean(x^2) + eps) * weight."""
        def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
            super().__init__()
            if isinstance(normalized_shape, int):
                normalized_shape = (normalized_shape,)
            self.normalized_shape = tuple(normalized_shape)
            self.eps = eps
            self.elementwise_affine = elementwise_affine
            if elementwise_affine:
                self.weight = torch.nn.Parameter(torch.ones(self.normalized_shape, device=device, dtype=dtype))
            else:
                self.register_parameter("weight", None)
        def forward(self, x):
            dims = tuple(range(-len(self.normalized_shape), 0))
            eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
            y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
            return y * self.weight if self.weight is not None else y
    torch.nn.RMSNorm = RMSNorm
