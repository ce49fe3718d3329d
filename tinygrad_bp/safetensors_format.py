"""The safetensors format, for state dicts that travel to and from PyTorch (``tb.save(sd, "w.safetensors")``).

A file is: 8 bytes (little-endian uint64) giving the header's length N, N bytes of UTF-8 JSON
``{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}``
(padded with spaces to a multiple of 8), then the tensors' little-endian bytes, back to back.
``safetensors.torch.load_file`` reads what we write, and we read what ``save_file`` writes.

Its limits: one flat mapping of string names to tensors (a model's ``state_dict``; no nested
objects, numbers or optimizer state: use the default ``.npz`` format for those), dtypes bool,
uint8, int8/16/32/64 and float16/32/64, and no ``requires_grad`` (tensors load as plain tensors,
as with ``safetensors.torch``). Reading checks every header field and offset before any data is
used, so a truncated or forged file is a clear ``CheckpointError``.
"""

from __future__ import annotations

import json
import struct
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from .tensor import Tensor

_DTYPES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "I32": np.int32, "I64": np.int64,
           "F16": np.float16, "F32": np.float32, "F64": np.float64}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}
_MAX_HEADER = 100_000_000  # what the reference implementation accepts


def encode(obj: Any) -> bytes:
    """The bytes of a safetensors file holding ``obj``, a mapping of str names to tensors or arrays."""
    if not isinstance(obj, dict):
        raise TypeError(f"tb.save: a .safetensors file holds a dict of str names to tensors (a state_dict), "
                        f"got {type(obj).__name__}; save other objects to a .npz path")
    header: dict = {}
    chunks = []
    offset = 0
    for name, value in obj.items():
        if not isinstance(name, str):
            raise TypeError(f"tb.save: safetensors names must be str, got {name!r}")
        array = value.detach().numpy() if isinstance(value, Tensor) else value
        if not isinstance(array, np.ndarray):
            raise TypeError(f"tb.save: {name!r} is a {type(value).__name__}; a .safetensors file holds only tensors")
        if array.dtype not in _NAMES:
            raise TypeError(f"tb.save: {name!r} has dtype {array.dtype}, which safetensors cannot store here "
                            f"(supported: {', '.join(str(np.dtype(d)) for d in _DTYPES.values())})")
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _NAMES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def looks_like(head: bytes) -> bool:
    """True if the first 9 bytes of a file look like a safetensors header (length, then '{')."""
    return len(head) >= 9 and head[8:9] == b"{" and 0 < struct.unpack("<Q", head[:8])[0] <= _MAX_HEADER


def decode(fh: IO[bytes], name: str, error: type) -> OrderedDict:
    """Read a safetensors file into an OrderedDict of Tensors (in the order of their data)."""
    raw = fh.read()
    if len(raw) < 8:
        raise error(f"tb.load: {name} is truncated: a safetensors file starts with an 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > _MAX_HEADER or 8 + n > len(raw):
        raise error(f"tb.load: {name} is truncated or damaged: its header claims {n} bytes, the file has "
                    f"{len(raw) - 8} after the length")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise error(f"tb.load: {name} is not a valid safetensors file: its header is not JSON ({e})") from e
    if not isinstance(header, dict):
        raise error(f"tb.load: {name} is not a valid safetensors file: its header is not a JSON object")
    header.pop("__metadata__", None)
    data = memoryview(raw)[8 + n:]
    entries = []
    for key, info in header.items():
        entries.append((_check_entry(key, info, name, error), key))
    entries.sort()
    expected = 0
    for (begin, end, _, _), key in entries:
        if begin != expected:
            raise error(f"tb.load: {name} is not a valid safetensors file: the data of {key!r} starts at byte "
                        f"{begin}, expected {expected} (overlapping or missing data)")
        expected = end
    if expected != len(data):
        raise error(f"tb.load: {name} is truncated or damaged: its tensors need {expected} bytes of data, "
                    f"the file has {len(data)}")
    out = OrderedDict()
    for (begin, end, dtype, shape), key in entries:
        array = np.frombuffer(data[begin:end], dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
        out[key] = Tensor._make(array.astype(dtype, copy=True))
    return out


def _check_entry(key: str, info: Any, name: str, error: type) -> tuple:
    bad = f"tb.load: {name} is not a valid safetensors file: entry {key!r}"
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise error(f"{bad} must have exactly dtype, shape and data_offsets")
    if info["dtype"] not in _DTYPES:
        raise error(f"{bad} has dtype {info['dtype']!r}, not one of {', '.join(_DTYPES)}")
    shape, offsets = info["shape"], info["data_offsets"]
    if not (isinstance(shape, list) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                            for s in shape)):
        raise error(f"{bad} has an invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) and o >= 0 for o in offsets)
            and offsets[0] <= offsets[1]):
        raise error(f"{bad} has invalid data_offsets {offsets!r}")
    dtype = _DTYPES[info["dtype"]]
    size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    if offsets[1] - offsets[0] != size:
        raise error(f"{bad} has shape {shape} of {info['dtype']} ({size} bytes) but data_offsets {offsets} "
                    f"({offsets[1] - offsets[0]} bytes)")
    return offsets[0], offsets[1], dtype, tuple(shape)
