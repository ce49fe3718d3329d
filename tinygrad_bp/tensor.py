"""Tensor: a NumPy array plus the links of the dynamic graph (``grad_fn``) and its gradient (``grad``).

This module holds what a tensor *is*: its data, its graph links, its gradient, conversions. What a
tensor *does* lives one layer up, in the modules whose methods it gets attached at the end of this file
(the one import back-edge: Tensor's methods -> ops): arithmetic, math and reductions in
``tensor_math.py``, shapes and indexing in ``tensor_shape.py``, in-place updates in ``tensor_inplace.py``,
small generated methods in ``tensor_methods.py``, printing in ``printing.py``. Every differentiable
operation is a primitive in ``tinygrad_bp/ops`` (forward and backward side by side).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import device as _device
from . import dtypes
from . import printing as _printing
from .size import Size


class Tensor:
    """An n-dimensional array that records the operations applied to it, for ``backward()``.

    ``Tensor(data, requires_grad=False)`` converts Python data to the default float dtype (as
    ``torch.Tensor`` does) and keeps a NumPy array's dtype. Prefer ``tb.tensor``, which also keeps
    Python ints as int64 and bools as bool.
    """

    # The attributes every tensor sets live in slots; rarely set ones are class defaults, overridden
    # per instance in a lazily created __dict__ (tensor creation is on the hot path).
    __slots__ = ("_array", "_grad", "grad_fn", "requires_grad", "__weakref__", "__dict__")
    _version = 0  # in-place writes so far (autograd/saved_values.py)
    _untracked = False  # True for what ``.data`` returns: its in-place writes are not version-checked
    _is_tensor = True  # (a graph node's is False: the backward loop tells leaves from nodes by it)
    _backward_hooks = None  # {id: fn} of register_hook on a leaf
    _retains_grad = False
    __array_ufunc__ = None  # numpy defers to our reflected operators: ndarray * Tensor -> Tensor

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            array = data._array.copy()
        elif isinstance(data, np.ndarray):
            array = data
        else:
            array = np.asarray(data, dtype=dtypes.get_default_dtype())
        _init(self, array, None)
        if requires_grad:
            self.requires_grad_(True)

    @property
    def data(self) -> Tensor:
        """The values as a new Tensor sharing this one's memory, cut from the graph (PyTorch's ``.data``).

        In-place updates through it (``p.data -= lr * p.grad``, ``p.data.mul_(0.9)``) change this tensor
        without being recorded and without counting as in-place writes for backward's version check.
        The NumPy array itself is ``numpy()``."""
        t = _make(self._array)
        t._untracked = True
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self.requires_grad and value._array.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self._array = value._array  # shape and dtype may change, as in PyTorch

    @property
    def shape(self) -> Size:
        """The size of each dimension, a ``tb.Size`` (a tuple, printing as ``tinygrad_bp.Size([2, 3])``)."""
        return _new_size(Size, self._array.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._array.ndim

    @property
    def dtype(self) -> np.dtype:
        """The element type (a NumPy dtype: tb.float32, tb.int64, ...)."""
        return self._array.dtype

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (leaves, and tensors that ``retain_grad()``).

        Reading it on any other tensor gives None with PyTorch's UserWarning, once per tensor.
        """
        g = self._grad
        if g is None and self.grad_fn is not None and not self._retains_grad and not self.__dict__.get("_warned"):
            self._warned = True
            import warnings

            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                          "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                          "instead.", UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._array.dtype != self._array.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype "
                                   f"'{dtypes.c_type_name(value._array.dtype)}' "
                                   f"to a tensor with grad_dtype '{dtypes.type_name(self._array.dtype)}'. Please "
                                   "ensure that the gradient and the tensor have the same dtype")
            if value._array.shape != self._array.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same "
                                   "size")
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user (not by an op that recorded a graph)."""
        return self.grad_fn is None

    def size(self, dim: int | None = None) -> Any:
        """The shape (a ``Size``), or the size of one dimension."""
        return _new_size(Size, self._array.shape) if dim is None else self._array.shape[_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        """The number of elements."""
        return self._array.size

    def dim(self) -> int:
        """The number of dimensions."""
        return self._array.ndim

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied). Refused while the tensor requires grad."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return self._array.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._array.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        return _make(self._array)

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (the gradient flows back unchanged)."""
        return _ops.elementwise.Cast.apply(self, dtype=self.dtype) if self.requires_grad else _make(self._array.copy())

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place (floating-point leaves only); returns self."""
        if requires_grad and self._array.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients (got {self.dtype})")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward (leaves always keep it)."""
        _hooks.retain_grad(self)

    @property
    def retains_grad(self) -> builtins.bool:
        """True for a non-leaf tensor after ``retain_grad()``."""
        return self._retains_grad

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with this tensor's total gradient during backward, before it is used.

        A hook that returns a Tensor replaces the gradient (of the same shape); ``None`` keeps it.
        Returns a handle: ``handle.remove()`` unregisters the hook.
        """
        return _hooks.register_hook(self, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf that requires grad.

        A non-scalar tensor needs ``gradient`` (dL/dself). The graph's saved values are freed
        afterwards unless ``retain_graph`` (default: same as ``create_graph``).
        """
        _engine.backward(self, gradient, create_graph if retain_graph is None else retain_graph, create_graph)

    @property
    def device(self) -> Any:
        """Where the data lives: always ``device(type='cpu')`` (NumPy)."""
        return _device.CPU

    def cpu(self) -> Tensor:
        """self: the data is already on the CPU."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Refused (RuntimeError): tinygrad_bp computes on the CPU."""
        _device.resolve("cuda" if device is None else device, "Tensor.cuda")
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` (other's dtype), with the keywords
        ``dtype``, ``device``, ``copy`` and ``non_blocking``; a cast is differentiable (the gradient comes back in
        this tensor's dtype). Only the CPU exists."""
        if len(args) == 1 and not kwargs and isinstance(args[0], np.dtype):
            return self._cast(args[0])  # to(dtype): the common case (type promotion), kept short
        dtype, dev, copy = kwargs.pop("dtype", None), kwargs.pop("device", None), kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword argument(s) {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif a is not None and _device.is_device(a):
                dev = a
            elif a is not None:
                dtype = a
        _device.resolve(dev, "Tensor.to")
        out = self if dtype is None else self._cast(dtype)
        return out.clone() if copy and out is self else out

    def _cast(self, dtype: Any) -> Tensor:
        dtype = np.dtype(dtype)
        if dtype == self._array.dtype:
            return self
        if self.requires_grad and dtype.kind != "f":
            return _make(self._array.astype(dtype))
        return _ops.elementwise.Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        """As float32 (differentiable)."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64 (differentiable)."""
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        """As int64."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """As int32."""
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(dtypes.bool)

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __bool__(self) -> builtins.bool:
        if self._array.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape})")
        return builtins.bool(self._array)

    def __index__(self) -> builtins.int:
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self._array)

    def __len__(self) -> builtins.int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__  # by identity: tensors key optimizer state although == is elementwise

    def __repr__(self) -> str:
        return _printing.format_tensor(self)


def _init(t: Tensor, data: np.ndarray, grad_fn: Any) -> None:
    t._array = data
    t._grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None


_Scalar = (int, float, bool, np.generic)
_new = object.__new__
_new_size = tuple.__new__  # a Size without its checks: an array's shape is already ints


def _make(data: Any, grad_fn: Any = None) -> Tensor:
    """Wrap an array without copying or converting it (scalars from NumPy become 0-d arrays)."""
    t = _new(Tensor)
    t._array = data if type(data) is np.ndarray else np.asarray(data)
    t._grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    return t


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    if isinstance(x, _Scalar):
        return _make(np.asarray(x, dtype=dtypes.scalar_dtype(x)))
    raise TypeError(f"expected a Tensor, a numpy array or a number, got {type(x).__name__}")


def _data(x: Any) -> Any:
    return x._array if isinstance(x, Tensor) else x


def _rank(t: Tensor) -> builtins.int:
    return 2 if t._array.ndim else 1


def _broadcast_message(name: str, sa: tuple, sb: tuple) -> str:
    for i in range(1, builtins.max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            dim = builtins.max(len(sa), len(sb)) - i
            return (f"{name}: the size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                    f"dimension {dim} (shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together)")
    return f"{name}: shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together"


def _dim(d: Any, ndim: builtins.int, op: str) -> builtins.int:
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def _size_args(args: tuple) -> tuple:
    """Accept sizes as f(2, 3) or f((2, 3)) or f([2, 3])."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(builtins.int(a) for a in args)


Tensor._make = staticmethod(_make)


def attach(methods: type) -> None:
    """Copy the methods defined in class ``methods`` onto Tensor (how the method modules add theirs)."""
    for name, value in vars(methods).items():
        if name not in _NOT_METHODS:
            setattr(Tensor, name, value)


# what every class has (a class defining __eq__ also gets __hash__ = None: Tensor keeps hashing by identity)
_NOT_METHODS = ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__hash__", "__firstlineno__",
                "__static_attributes__")


# The one back-edge: Tensor's methods come from the layers above, which import Tensor from this module.
from . import ops as _ops  # noqa: E402
from . import tensor_inplace, tensor_math, tensor_methods, tensor_shape  # noqa: E402, F401 - they attach the methods
from .autograd import engine as _engine  # noqa: E402
from .autograd import hooks as _hooks  # noqa: E402
