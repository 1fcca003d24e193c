"""Minimal pure-Python stand-in for the safetensors package (read/write, torch only); see ../README.md."""
import json, struct
__version__ = "0.4.0-shim"

class SafetensorError(Exception):
    pass

def _read_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    return header, 8 + n

class _Slice:
    def __init__(self, t): self._t = t
    def __getitem__(self, idx): return self._t[idx]
    def get_shape(self): return list(self._t.shape)
    def get_dtype(self): return str(self._t.dtype)

class safe_open:
    def __init__(self, path, framework="pt", device="cpu"):
        self._path = str(path); self._device = device
        self._header, self._base = _read_header(self._path)
        self._meta = self._header.pop("__metadata__", None)
    def __enter__(self): return self
    def __exit__(self, *a): return False
    def keys(self): return list(self._header.keys())
    def offset_keys(self): return sorted(self._header, key=lambda k: self._header[k]["data_offsets"][0])
    def metadata(self): return self._meta
    def get_tensor(self, name):
        from .torch import _decode
        info = self._header[name]
        b, e = info["data_offsets"]
        with open(self._path, "rb") as f:
            f.seek(self._base + b); raw = f.read(e - b)
        t = _decode(raw, info["dtype"], info["shape"])
        dev = self._device
        if isinstance(dev, int): dev = f"cuda:{dev}"
        return t.to(dev) if str(dev) != "cpu" else t
    def get_slice(self, name): return _Slice(self.get_tensor(name))
