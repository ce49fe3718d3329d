"""tinygrad_bp: a NumPy-backed autograd engine that reads like a mini PyTorch.

``import tinygrad_bp as tb`` needs only NumPy; graphviz, matplotlib and progress bars load on first use.
So do ``tb.viz`` and ``tb.save``/``tb.load`` (see ``__getattr__`` below), to keep the import fast.
"""

from importlib import import_module as _import_module

from . import tensor as _core  # noqa: F401 - first: autograd and the ops build on Tensor, which attaches its methods

# isort: split
from . import autograd, dtypes, functional, nn, optim, utils
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (  # noqa: I001
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import backends, cuda, device, get_default_device, set_default_device
from .dtypes import (  # noqa: A004
    bool,
    double,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,  # noqa: A004 - torch.int is int32
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .functional import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    cdist,
    chain_matmul,
    einsum,
    meshgrid,
    split,
    tensordot,
)
from .functions import METHOD_FUNCTIONS, OTHER_FUNCTIONS
from .legacy import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Variable,
)
from .printing import set_printoptions
from .random import Generator, initial_seed, manual_seed, seed
from .size import Size
from .tensor import Tensor

__version__ = "0.1.0"

# the tensor API's functions at the top level, as in PyTorch: tb.exp(x), tb.cat([a, b]), ... (functions.py)
globals().update(METHOD_FUNCTIONS)
globals().update(OTHER_FUNCTIONS)
autograd.Variable = Variable  # tb.autograd.Variable: the deprecated alias lives in legacy.py, above autograd's layer

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


def is_tensor(obj: object) -> bool:
    """True if ``obj`` is a tinygrad_bp Tensor."""
    return isinstance(obj, Tensor)
