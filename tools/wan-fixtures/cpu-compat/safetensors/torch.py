import json, struct
import torch
from . import safe_open

_DT = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
       "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
_NAME = {v: k for k, v in _DT.items()}

def _decode(raw, dtype, shape):
    dt = _DT[dtype]
    if len(raw) == 0:
        return torch.empty(shape, dtype=dt)
    return torch.frombuffer(bytearray(raw), dtype=dt).reshape(shape).clone()

def _encode(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    return t.numpy().tobytes()

def save(tensors, metadata=None):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        t = tensors[k]; raw = _encode(t)
        header[k] = {"dtype": _NAME[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw); off += len(raw)
    if metadata: header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)

def save_file(tensors, filename, metadata=None):
    with open(filename, "wb") as f: f.write(save(tensors, metadata))

def load_file(filename, device="cpu"):
    with safe_open(filename, "pt", device=device) as f:
        return {k: f.get_tensor(k) for k in f.keys()}

def load(data):
    n = struct.unpack("<Q", data[:8])[0]; header = json.loads(data[8:8 + n]); header.pop("__metadata__", None)
    return {k: _decode(data[8 + n + v["data_offsets"][0]: 8 + n + v["data_offsets"][1]], v["dtype"], v["shape"]) for k, v in header.items()}

def load_model(model, filename, strict=True, device="cpu"):
    return model.load_state_dict(load_file(filename, device=device), strict=strict)

def save_model(model, filename, metadata=None, force_contiguous=False):
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, filename, metadata)

def storage_ptr(t):
    return t.storage().data_ptr()

def storage_size(t):
    return t.storage().size() * t.element_size()
