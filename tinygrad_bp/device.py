"""Devices: tinygrad_bp computes on the CPU with NumPy, and says so when asked for anything else.

``tb.device("cuda")`` can be built (as in PyTorch, a device is only a name), but creating a tensor
there, moving one with ``.to("cuda")`` or ``.cuda()``, or making it the default raises
``RuntimeError`` naming the device. ``tb.cuda.is_available()`` is False, so the usual
``device = "cuda" if tb.cuda.is_available() else "cpu"`` picks the CPU. The device stays a real
object, so a later backend can slot in behind it.
"""

from __future__ import annotations

from typing import Any

_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "xla", "hip", "ipu", "mtia", "privateuseone")


class device:  # noqa: N801 - PyTorch's name
    """A device name: ``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 - PyTorch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be str or device, not {type.__class__.__name__}")
        name, _, number = type.partition(":")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def resolve(dev: Any, where: str) -> device:
    """The device ``dev`` names (None: the default); RuntimeError unless it is the CPU."""
    if dev is None:
        return CPU
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(f"{where}: device '{d}' is not available: tinygrad_bp computes on the CPU with NumPy "
                           "(use device='cpu', or pick it with `'cuda' if tb.cuda.is_available() else 'cpu'`)")
    return CPU


def is_device(value: Any) -> bool:
    """True for a device object or a string that names a device (what ``.to(...)`` receives)."""
    if isinstance(value, device):
        return True
    if isinstance(value, str):
        return value.partition(":")[0] in _TYPES
    return False


def set_default_device(dev: Any) -> None:
    """Only the CPU can be the default device."""
    resolve(dev, "set_default_device")


def get_default_device() -> device:
    """device(type='cpu')."""
    return CPU


class _Cuda:
    """``tb.cuda``: no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Accepted and ignored, as PyTorch does without a GPU."""

    manual_seed_all = manual_seed

    @staticmethod
    def current_device() -> int:
        raise RuntimeError("tb.cuda.current_device(): no CUDA device: tinygrad_bp computes on the CPU with NumPy")


class _Mps:
    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class _Cudnn:
    """Settings that tutorials assign (``tb.backends.cudnn.deterministic = True``); they change nothing."""

    deterministic = False
    benchmark = False
    enabled = False

    @staticmethod
    def is_available() -> bool:
        return False


class _Backends:
    mps = _Mps()
    cudnn = _Cudnn()


cuda = _Cuda()
backends = _Backends()
