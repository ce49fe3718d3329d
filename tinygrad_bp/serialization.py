"""``tb.save`` / ``tb.load``: checkpoints that never run code when loaded.

A checkpoint is an ordinary NumPy ``.npz`` archive (a zip of ``.npy`` files):

- ``__tinygrad_bp__`` -- a uint8 array holding UTF-8 JSON that describes the saved structure
  (``bytes(np.load(path)["__tinygrad_bp__"]).decode()`` shows it);
- ``arr_0``, ``arr_1``, ... -- one entry per tensor or array.

Loading reads it with ``allow_pickle=False`` and rebuilds only the types listed below, so a
checkpoint from an untrusted source can be damaged but cannot execute anything. What can be saved:
tensors (dtype, shape, ``requires_grad``; ``nn.Parameter`` stays a Parameter), NumPy arrays of
bool/number/string dtype and NumPy scalars, ``int float bool str bytes None``, and ``dict`` /
``OrderedDict`` (keys ``str`` or ``int``), ``list`` and ``tuple`` of these, nested. Anything else is
refused at save time with a ``TypeError`` that names where it sits (``obj['state'][0]['foo']``).
An object that appears several times (a tied weight) is stored once and loads as one object.
Like PyTorch, a tensor's ``.grad`` and graph are not saved: a saved non-leaf tensor loads as a leaf.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import secrets
import stat
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import safetensors_format
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError"]

FORMAT = "tinygrad_bp"
VERSION = 1
_HEADER = "__tinygrad_bp__"
_MAX_DEPTH = 500
_ARRAY_KINDS = "biufcUS"     # bool, signed/unsigned int, float, complex, str, bytes: no pickle needed
_TENSOR_KINDS = "biuf"
_SUPPORTED = ("tensors, NumPy arrays and scalars, int, float, bool, str, bytes, None, and dicts (str or int "
              "keys), lists and tuples of them")


class CheckpointError(ValueError):
    """A file that ``tb.load`` cannot read: empty, truncated, damaged, or not written by ``tb.save``."""


# -- save ------------------------------------------------------------------------------------------

def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write ``obj`` to ``f`` (a path, or a binary file object) as a ``.npz`` checkpoint, or, for a path
    ending in ``.safetensors``, a state dict in the safetensors format that PyTorch reads (see
    safetensors_format.py for its limits).

    A path is written exactly as given (no suffix added) and atomically: the data goes to a temporary
    file in the same directory, which then replaces ``f`` with ``os.replace``, so a crash mid-write
    leaves any previous file intact. Everything is checked before anything is written.
    """
    if isinstance(f, (str, os.PathLike)) and os.fspath(f).endswith(".safetensors"):
        payload = safetensors_format.encode(obj)  # checked and encoded before anything is written
        _atomic_write(_fspath(f, "save"), lambda fh: fh.write(payload))
        return
    encoder = _Encoder()
    root = encoder.encode(obj, "obj", 0)
    try:
        header = json.dumps({"format": FORMAT, "version": VERSION, "root": root}, ensure_ascii=True,
                            separators=(",", ":"))
    except ValueError as e:   # e.g. an int too long to print
        raise ValueError(f"tb.save: cannot describe the object as JSON: {e}") from e
    members = {_HEADER: np.frombuffer(header.encode("ascii"), dtype=np.uint8), **encoder.arrays}
    if hasattr(f, "write"):
        _write_npz(f, members)
        return
    _atomic_write(_fspath(f, "save"), lambda fh: _write_npz(fh, members))


class _Encoder:
    """Turns a Python structure into JSON-ready nodes, collecting arrays into ``self.arrays``."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._names: dict[int, str] = {}     # id(tensor or array) -> member name, for shared objects
        self._keep: list[Any] = []           # keeps ids valid while encoding
        self._open: set[int] = set()         # containers on the current path, to detect cycles

    def encode(self, obj: Any, path: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError(f"tb.save: {path} is nested more than {_MAX_DEPTH} levels deep")
        kind = type(obj)
        if obj is None or kind in (bool, int, float, str):
            return obj
        if kind is bytes:
            return {"type": "bytes", "array": self._store(obj, np.frombuffer(obj, dtype=np.uint8))}
        if isinstance(obj, Tensor):
            return self._tensor(obj, path)
        if kind is np.ndarray:
            _check_array_dtype(obj.dtype, path)
            return {"type": "ndarray", "array": self._store(obj, obj)}
        if isinstance(obj, np.generic) and kind.__module__ == "numpy":
            _check_array_dtype(obj.dtype, path)
            return {"type": "numpy_scalar", "array": self._store(obj, np.asarray(obj))}
        if kind in (list, tuple, dict, OrderedDict):
            return self._container(obj, path, depth)
        raise TypeError(f"tb.save cannot store {_describe(obj)} at {path}: only {_SUPPORTED} can be saved "
                        "without pickle" + _hint(obj))

    def _container(self, obj: Any, path: str, depth: int) -> dict:
        if id(obj) in self._open:
            raise ValueError(f"tb.save: {path} contains itself (a reference cycle), which cannot be saved")
        self._open.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = []
                for key, value in obj.items():
                    if type(key) not in (str, int):
                        raise TypeError(f"tb.save cannot store the dict key {key!r} ({type(key).__name__}) in "
                                        f"{path}: keys must be str or int")
                    items.append([key, self.encode(value, f"{path}[{key!r}]", depth + 1)])
                return {"type": "dict" if type(obj) is dict else "ordered_dict", "items": items}
            items = [self.encode(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(obj)]
            return {"type": type(obj).__name__, "items": items}
        finally:
            self._open.discard(id(obj))

    def _tensor(self, t: Tensor, path: str) -> dict:
        parameter = _parameter_class()
        if type(t) is not Tensor and (parameter is None or type(t) is not parameter):
            raise TypeError(f"tb.save cannot store {_describe(t)} at {path}: only Tensor and nn.Parameter "
                            "are rebuilt at load time (save t.detach() for a plain tensor)")
        kind = "parameter" if type(t) is not Tensor else "tensor"
        return {"type": kind, "array": self._store(t, t._array), "requires_grad": bool(t.requires_grad)}

    def _store(self, owner: Any, array: np.ndarray) -> str:
        name = self._names.get(id(owner))
        if name is None:
            name = f"arr_{len(self.arrays)}"
            self._names[id(owner)] = name
            self._keep.append(owner)
            self.arrays[name] = array
        return name


def _check_array_dtype(dtype: np.dtype, path: str) -> None:
    if dtype.kind not in _ARRAY_KINDS:
        what = "object" if dtype.kind == "O" else str(dtype)
        raise TypeError(f"tb.save cannot store a NumPy array of dtype {what} at {path}: only bool, number and "
                        "string arrays can be saved without pickle")


def _describe(obj: Any) -> str:
    kind = type(obj)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"an object of type {name}"


def _hint(obj: Any) -> str:
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return "; convert the named tuple with tuple(x) or x._asdict()"
    if isinstance(obj, dict):
        return "; convert it with dict(x)"
    for base in (int, float, str, list, tuple):
        if isinstance(obj, base):
            return f"; convert it with {base.__name__}(x)"
    if isinstance(obj, np.ndarray):
        return "; convert it with np.asarray(x)"
    return ""


def _parameter_class() -> type | None:
    try:
        from .nn.parameter import Parameter
    except ImportError:
        return None
    return Parameter


def _write_npz(fh: IO[bytes], members: dict[str, np.ndarray]) -> None:
    """What ``np.savez`` does, with ``allow_pickle=False`` on every member."""
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in members.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, array, allow_pickle=False)


def _atomic_write(path: str, write: Any) -> None:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it over ``path``."""
    target = os.path.realpath(path)          # write through a symlink instead of replacing the link
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(2, f"tb.save: the directory of {path!r} does not exist", path)
    tmp = os.path.join(directory, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):   # keep an overwritten file's permissions
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- load ------------------------------------------------------------------------------------------

def load(f: str | os.PathLike | IO[bytes], map_location: Any = None, *, weights_only: bool | None = None) -> Any:
    """Read a checkpoint written by ``tb.save`` and rebuild the saved object.

    Never unpickles. ``map_location`` and ``weights_only`` are accepted so PyTorch code runs unchanged:
    everything lives on the CPU, and loading is always "weights only". A missing file raises
    ``FileNotFoundError``; an empty, truncated, damaged or foreign file (a pickle, a PyTorch
    checkpoint, any other ``.npz``) raises ``CheckpointError`` (a ``ValueError``) naming the file.
    """
    if map_location not in (None, "cpu"):
        raise ValueError(f"tb.load: map_location must be None or 'cpu' (tinygrad_bp runs on the CPU), "
                         f"got {map_location!r}")
    if hasattr(f, "read"):
        return _load_from(f, getattr(f, "name", "<file object>"))
    path = _fspath(f, "load")
    with open(path, "rb") as fh:
        return _load_from(fh, path)


def _load_from(fh: IO[bytes], name: Any) -> Any:
    name = repr(os.fsdecode(name)) if isinstance(name, (str, bytes)) else str(name)
    if not (hasattr(fh, "seek") and fh.seekable()):
        fh = io.BytesIO(fh.read())
    start = fh.tell()
    head = fh.read(9)
    fh.seek(start)
    if safetensors_format.looks_like(head) or name.endswith(".safetensors'"):
        return safetensors_format.decode(fh, name, CheckpointError)
    _check_magic(head[:4], name)
    try:
        archive = np.load(fh, allow_pickle=False)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error) as e:
        raise CheckpointError(f"tb.load: {name} is truncated or damaged: it cannot be opened as an .npz "
                              f"archive ({e})") from e
    with archive:
        return _Decoder(archive, name).run()


def _check_magic(head: bytes, name: str) -> None:
    if not head:
        raise CheckpointError(f"tb.load: {name} is empty (0 bytes), not a tinygrad_bp checkpoint")
    if head[:1] == b"\x80":
        raise CheckpointError(f"tb.load: {name} is a Python pickle (as written by pickle.dump or an old "
                              "torch.save), not a tinygrad_bp checkpoint; tinygrad_bp never unpickles, because "
                              "unpickling can run arbitrary code")
    if head == b"\x93NUM":
        raise CheckpointError(f"tb.load: {name} is a single NumPy array (.npy), not a tinygrad_bp checkpoint "
                              "(an .npz archive written by tb.save); read it with np.load")
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise CheckpointError(f"tb.load: {name} is not a tinygrad_bp checkpoint: it does not start like an "
                              f".npz (zip) archive (first bytes {head!r})")


class _Decoder:
    """Rebuilds the structure from the JSON header, checking every node of the untrusted input."""

    def __init__(self, archive: Any, name: str) -> None:
        self.archive = archive
        self.name = name
        self._objects: dict[tuple[str, str], Any] = {}   # (type, member) -> object, for shared objects

    def fail(self, what: str) -> CheckpointError:
        return CheckpointError(f"tb.load: {self.name} is not a valid tinygrad_bp checkpoint: {what}")

    def run(self) -> Any:
        files = self.archive.files
        if _HEADER not in files:
            if any(f.endswith("data.pkl") for f in files):
                raise self.fail("it looks like a PyTorch checkpoint (torch.save), which stores pickled code; "
                                "tinygrad_bp never unpickles. Re-save its tensors as NumPy arrays with tb.save")
            shown = ", ".join(files[:5]) + (", ..." if len(files) > 5 else "")
            raise self.fail(f"it is an .npz archive without a '{_HEADER}' entry (entries: {shown or 'none'})")
        raw = self._read(_HEADER)
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise self.fail(f"the '{_HEADER}' entry is not UTF-8 bytes")
        try:
            header = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise self.fail(f"its structure description is not valid JSON ({e})") from e
        if not isinstance(header, dict) or header.get("format") != FORMAT or "root" not in header:
            raise self.fail("its structure description has no tinygrad_bp header")
        version = header.get("version")
        if type(version) is not int or version < 1:
            raise self.fail(f"unknown format version {version!r}")
        if version > VERSION:
            raise self.fail(f"it was written in format version {version} by a newer tinygrad_bp; this one "
                            f"reads version {VERSION}")
        return self.decode(header["root"], 0)

    def decode(self, node: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail(f"the structure is nested more than {_MAX_DEPTH} levels deep")
        if node is None or type(node) in (bool, int, float, str):
            return node
        kind = node.get("type") if isinstance(node, dict) else None
        if kind in ("list", "tuple"):
            items = [self.decode(item, depth + 1) for item in self._field(node, "items", list)]
            return items if kind == "list" else tuple(items)
        if kind in ("dict", "ordered_dict"):
            out = {} if kind == "dict" else OrderedDict()
            for pair in self._field(node, "items", list):
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                    raise self.fail(f"a dict entry is not a [str or int key, value] pair: {_short(pair)}")
                if pair[0] in out:
                    raise self.fail(f"the dict key {pair[0]!r} appears twice")
                out[pair[0]] = self.decode(pair[1], depth + 1)
            return out
        if kind in ("tensor", "parameter"):
            return self._shared(kind, node, self._tensor)
        if kind in ("ndarray", "numpy_scalar", "bytes"):
            return self._shared(kind, node, self._array_object)
        raise self.fail(f"unknown entry {_short(node)}")

    def _shared(self, kind: str, node: dict, build: Any) -> Any:
        member = self._field(node, "array", str)
        key = (kind, member)
        if key not in self._objects:
            self._objects[key] = build(kind, node, self._read(member))
        return self._objects[key]

    def _tensor(self, kind: str, node: dict, array: np.ndarray) -> Tensor:
        requires_grad = self._field(node, "requires_grad", bool)
        if array.dtype.kind not in _TENSOR_KINDS:
            raise self.fail(f"a tensor has dtype {array.dtype}, which tensors do not support")
        if requires_grad and array.dtype.kind != "f":
            raise self.fail(f"a {array.dtype} tensor has requires_grad=True (only float tensors can)")
        t = Tensor._make(array)
        if kind == "parameter":
            parameter = _parameter_class()
            if parameter is not None:
                return parameter(t, requires_grad=requires_grad)
        return t.requires_grad_(requires_grad) if requires_grad else t

    def _array_object(self, kind: str, node: dict, array: np.ndarray) -> Any:
        if array.dtype.kind not in _ARRAY_KINDS:
            raise self.fail(f"an array has dtype {array.dtype}, which tb.save never writes")
        if kind == "ndarray":
            return array
        if kind == "bytes":
            if array.dtype != np.uint8 or array.ndim != 1:
                raise self.fail("a bytes entry is not a 1-d uint8 array")
            return array.tobytes()
        if array.ndim != 0:
            raise self.fail(f"a NumPy scalar entry has shape {array.shape}")
        return array[()]

    def _field(self, node: dict, field: str, kind: type) -> Any:
        value = node.get(field)
        if type(value) is not kind:
            raise self.fail(f"the {node.get('type')} entry {_short(node)} has no valid '{field}' field")
        return value

    def _read(self, member: str) -> np.ndarray:
        if member not in self.archive.files:
            raise self.fail(f"the entry '{member}' it refers to is missing from the archive")
        try:
            self._check_size(member)
            return self.archive[member]
        except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error, KeyError) as e:
            if isinstance(e, CheckpointError):
                raise
            raise CheckpointError(f"tb.load: {self.name} is truncated or damaged: cannot read its entry "
                                  f"'{member}' ({e})") from e

    def _check_size(self, member: str) -> None:
        """Compare the shape an entry declares with the bytes it holds before allocating anything, so a
        forged shape cannot make load allocate terabytes."""
        info = self.archive.zip.getinfo(member + ".npy")
        with self.archive.zip.open(info) as fp:
            version = np.lib.format.read_magic(fp)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                return   # other versions: NumPy's reader checks them
            shape, _, dtype = read_header(fp)
            declared = fp.tell() + math.prod(shape) * dtype.itemsize
        if dtype.hasobject:
            raise self.fail(f"its entry '{member}' holds Python objects (pickled data), which tb.save never "
                            "writes and tb.load never reads")
        if declared != info.file_size:
            raise CheckpointError(f"tb.load: {self.name} is truncated or damaged: its entry '{member}' declares "
                                  f"shape {shape} of {dtype} ({declared} bytes with its header) but holds "
                                  f"{info.file_size} bytes")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fspath(f: Any, what: str) -> str:
    try:
        return os.fsdecode(os.fspath(f))
    except TypeError:
        raise TypeError(f"tb.{what} expects a path (str or os.PathLike) or a binary file object, "
                        f"got {type(f).__name__}") from None
