"""tinygrad_bp: a NumPy-backed autograd engine that reads like a mini PyTorch.

``import tinygrad_bp as tb`` needs only NumPy; graphviz, matplotlib and progress bars load on first use.
So do ``tb.viz`` and ``tb.save``/``tb.load`` (see ``__getattr__`` below), to keep the import fast.
"""

from importlib import import_module as _import_module

from . import tensor as _core  # noqa: F401 - first: autograd and the ops build on Tensor, which attaches its methods

# isort: split
from . import autograd, dtypes, nn, optim, utils
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (  # noqa: I001
    arange,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import backends, cuda, device, get_default_device, set_default_device
from .dtypes import bool, double, float, float32, float64, get_default_dtype, int32, int64, long, set_default_dtype  # noqa: A004
from .random import Generator, initial_seed, manual_seed, seed
from .tensor import Tensor
from .tensor_math import matmul, maximum, minimum, where
from .tensor_shape import cat, stack

__version__ = "0.1.0"

# the same functions at the top level, as in PyTorch (tb.mm(a, b), tb.isnan(x), ...)
for _name in ("mm", "bmm", "mv", "dot", "outer", "addmm", "isnan", "isinf", "isfinite", "logical_and", "logical_or",
              "logical_xor", "logical_not", "ne", "lt", "le", "gt", "ge", "eq"):
    globals()[_name] = getattr(Tensor, _name)

_LAZY = {"viz": "viz", "save": "serialization", "load": "serialization"}  # attribute -> submodule


def __getattr__(name: str) -> object:
    """``tb.viz``, ``tb.save``, ``tb.load``: import their module on first access (PEP 562), then cache."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _import_module(f".{_LAZY[name]}", __name__)
    value = module if name == _LAZY[name] else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def exp(x: Tensor) -> Tensor:
    """eˣ elementwise."""
    return x.exp()


def log(x: Tensor) -> Tensor:
    """Natural log elementwise."""
    return x.log()


def sqrt(x: Tensor) -> Tensor:
    """√x elementwise."""
    return x.sqrt()


def abs(x: Tensor) -> Tensor:  # noqa: A001
    """|x| elementwise."""
    return x.abs()


def sin(x: Tensor) -> Tensor:
    """sin x elementwise."""
    return x.sin()


def cos(x: Tensor) -> Tensor:
    """cos x elementwise."""
    return x.cos()


def tanh(x: Tensor) -> Tensor:
    """tanh x elementwise."""
    return x.tanh()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e⁻ˣ) elementwise."""
    return x.sigmoid()


def relu(x: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return x.relu()


def clamp(x: Tensor, min: object = None, max: object = None) -> Tensor:  # noqa: A002
    """Limit x to [min, max]."""
    return x.clamp(min, max)


clip = clamp


def pow(x: Tensor, exponent: object) -> Tensor:  # noqa: A001
    """x ** exponent."""
    return x ** exponent


def sum(x: Tensor, dim: object = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Σ x over dim."""
    return x.sum(dim, keepdim)


def mean(x: Tensor, dim: object = None, keepdim: bool = False) -> Tensor:
    """Mean of x over dim."""
    return x.mean(dim, keepdim)


def softmax(x: Tensor, dim: int) -> Tensor:
    """eˣ / Σ eˣ along dim."""
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    """x - logsumexp(x) along dim."""
    return x.log_softmax(dim)


def is_tensor(obj: object) -> bool:
    """True if ``obj`` is a tinygrad_bp Tensor."""
    return isinstance(obj, Tensor)


def max(x: Tensor, dim: object = None, keepdim: bool = False) -> object:  # noqa: A001
    """The largest value; with ``dim`` the named tuple (values, indices), as ``torch.max(x, 1)``."""
    return x.max(dim, keepdim)


def min(x: Tensor, dim: object = None, keepdim: bool = False) -> object:  # noqa: A001
    """The smallest value; with ``dim`` the named tuple (values, indices)."""
    return x.min(dim, keepdim)


def argmax(x: Tensor, dim: object = None, keepdim: bool = False) -> Tensor:
    """Index of the largest value (of the flattened tensor when dim is None)."""
    return x.argmax(dim, keepdim)


def argmin(x: Tensor, dim: object = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest value (of the flattened tensor when dim is None)."""
    return x.argmin(dim, keepdim)


def reshape(x: Tensor, shape: object) -> Tensor:
    """The same values in a new shape."""
    return x.reshape(shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims start_dim..end_dim merged into one."""
    return x.flatten(start_dim, end_dim)


def numel(x: Tensor) -> int:
    """The number of elements."""
    return x.numel()
