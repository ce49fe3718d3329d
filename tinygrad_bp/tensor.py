"""Tensor: a NumPy array plus the links of the dynamic graph (``grad_fn``) and its gradient (``grad``).

Every differentiable operation is a primitive in ``tinygrad_bp/ops`` (forward and backward side by
side) or a composite of primitives written here. This module only prepares operands (PyTorch's type
promotion, dims, error messages) and calls ``Op.apply``.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import device as _device
from . import dtypes
from .autograd import grad_mode, saved_values

_grad_state = grad_mode._state  # this thread's grad mode

_Scalar = (int, float, bool, np.generic)


class Tensor:
    """An n-dimensional array that records the operations applied to it, for ``backward()``.

    ``Tensor(data, requires_grad=False)`` converts Python data to the default float dtype (as
    ``torch.Tensor`` does) and keeps a NumPy array's dtype. Prefer ``tb.tensor``, which also keeps
    Python ints as int64 and bools as bool.
    """

    # The attributes every tensor sets live in slots; rarely set ones are class defaults, overridden
    # per instance in a lazily created __dict__ (tensor creation is on the hot path).
    __slots__ = ("data", "_grad", "grad_fn", "requires_grad", "__weakref__", "__dict__")
    _version = 0  # in-place writes so far (autograd/saved_values.py)
    _backward_hooks = None  # {id: fn} of register_hook on a leaf
    _retains_grad = False
    __array_ufunc__ = None  # numpy defers to our reflected operators: ndarray * Tensor -> Tensor

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            array = data.data.copy()
        elif isinstance(data, np.ndarray):
            array = data
        else:
            array = np.asarray(data, dtype=dtypes.get_default_dtype())
        _init(self, array, None)
        if requires_grad:
            self.requires_grad_(True)

    _make: Any  # set below: Tensor._make(array, grad_fn=None), the fast internal constructor

    # ---------------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple:
        """The size of each dimension, a tuple."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The element type (a NumPy dtype: tb.float32, tb.int64, ...)."""
        return self.data.dtype

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
            if value.data.dtype != self.data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{_c_type_name(value.data.dtype)}' to "
                                   f"a tensor with grad_dtype '{_type_name(self.data.dtype)}'. Please ensure that "
                                   "the gradient and the tensor have the same dtype")
            if value.data.shape != self.data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same "
                                   "size")
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user (not by an op that recorded a graph)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed."""
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped."""
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of one dimension."""
        return self.data.shape if dim is None else self.data.shape[_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied). Refused while the tensor requires grad."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to Scalar")
        return self.data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        return _make(self.data)

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (the gradient flows back unchanged)."""
        return _ops.elementwise.Cast.apply(self, dtype=self.dtype) if self.requires_grad else _make(self.data.copy())

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place (floating-point leaves only); returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients (got {self.dtype})")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        node = self.grad_fn
        if node is None or self._retains_grad:
            return
        import weakref
        self._retains_grad = True
        node.retained = weakref.ref(self)  # weak: the node must not keep its output alive
        if node.hooks is None:
            node.hooks = {}

    @property
    def retains_grad(self) -> builtins.bool:
        """True for a non-leaf tensor after ``retain_grad()``."""
        return self._retains_grad

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with this tensor's total gradient during backward, before it is used.

        A hook that returns a Tensor replaces the gradient (of the same shape); ``None`` keeps it.
        Returns a handle: ``handle.remove()`` unregisters the hook.
        """
        from .autograd.hooks import RemovableHandle
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._backward_hooks is None:
                self._backward_hooks = {}
            hooks = self._backward_hooks
        else:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = {}
            hooks = self.grad_fn.hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf that requires grad.

        A non-scalar tensor needs ``gradient`` (dL/dself). The graph's saved values are freed
        afterwards unless ``retain_graph`` (default: same as ``create_graph``).
        """
        _engine.backward(self, gradient, create_graph if retain_graph is None else retain_graph, create_graph)

    # ---------------------------------------------------------------- conversions
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
        if dtype == self.data.dtype:
            return self
        if self.requires_grad and dtype.kind != "f":
            return _make(self.data.astype(dtype))
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
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape})")
        return builtins.bool(self.data)

    def __index__(self) -> builtins.int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.data)

    def __len__(self) -> builtins.int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    __hash__ = object.__hash__  # by identity: tensors key optimizer state although == is elementwise

    def __repr__(self) -> str:
        return _format(self)

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other.data.dtype is self.data.dtype:  # fast path: nothing to promote
            return _Add.apply(self, other)
        return _binary(_Add, self, other, "add")

    def __radd__(self, other: Any) -> Tensor:
        return _binary(_Add, self, other, "add", reverse=True)

    def __sub__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other.data.dtype is self.data.dtype and self.data.dtype.kind == "f":
            return _Sub.apply(self, other)
        return _binary(_Sub, self, other, "sub")

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(_Sub, self, other, "sub", reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other.data.dtype is self.data.dtype:  # fast path: nothing to promote
            return _Mul.apply(self, other)
        return _binary(_Mul, self, other, "mul")

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(_Mul, self, other, "mul", reverse=True)

    def __truediv__(self, other: Any) -> Tensor:
        if type(other) is Tensor and other.data.dtype is self.data.dtype and self.data.dtype.kind == "f":
            return _Div.apply(self, other)
        return _binary(_Div, self, other, "div")

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(_Div, self, other, "div", reverse=True)

    def __pow__(self, other: Any) -> Tensor:
        if self.data.dtype == dtypes.bool and (isinstance(other, Tensor) and other.data.dtype == dtypes.bool):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        if isinstance(other, builtins.int) and not isinstance(other, builtins.bool) and other < 0 \
                and self.data.dtype.kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _binary(_ops.elementwise.Pow, self, other, "pow")

    def __rpow__(self, other: Any) -> Tensor:
        return _binary(_ops.elementwise.Pow, self, other, "pow", reverse=True)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(_as_tensor(other), self)

    def __neg__(self) -> Tensor:
        if self.data.dtype == dtypes.bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return _ops.elementwise.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __invert__(self) -> Tensor:
        if self.data.dtype.kind not in "biu":
            raise RuntimeError(f"bitwise_not: expected an integer or bool tensor, got {self.dtype}")
        return _make(~self.data)

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """self + alpha·other."""
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """self - alpha·other."""
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        """self · other."""
        return self * other

    def div(self, other: Any) -> Tensor:
        """self / other."""
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return self ** exponent

    def matmul(self, other: Any) -> Tensor:
        """self @ other."""
        return matmul(self, other)

    # comparisons: bool tensors, no graph
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(np.greater_equal, self, other)

    def __and__(self, other: Any) -> Tensor:
        return _compare(np.logical_and if self.dtype == dtypes.bool else np.bitwise_and, self, other)

    def __or__(self, other: Any) -> Tensor:
        return _compare(np.logical_or if self.dtype == dtypes.bool else np.bitwise_or, self, other)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """True where every element (over dim) is nonzero; a bool tensor, not differentiable."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "all")
        return _make(np.all(self.data, axis=axis, keepdims=keepdim))

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """True where some element (over dim) is nonzero; a bool tensor, not differentiable."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "any")
        return _make(np.any(self.data, axis=axis, keepdims=keepdim))

    def eq(self, other: Any) -> Tensor:
        """Elementwise equality (a bool tensor)."""
        return self == other

    # ---------------------------------------------------------------- unary math
    def exp(self) -> Tensor:
        """eˣ;  d/dx = eˣ."""
        return _ops.elementwise.Exp.apply(_floating(self))

    def log(self) -> Tensor:
        """ln x;  d/dx = 1/x."""
        return _ops.elementwise.Log.apply(_floating(self))

    def sqrt(self) -> Tensor:
        """√x;  d/dx = 1/(2√x)."""
        return _ops.elementwise.Sqrt.apply(_floating(self))

    def sin(self) -> Tensor:
        """sin x;  d/dx = cos x."""
        return _ops.elementwise.Sin.apply(_floating(self))

    def cos(self) -> Tensor:
        """cos x;  d/dx = -sin x."""
        return _ops.elementwise.Cos.apply(_floating(self))

    def tanh(self) -> Tensor:
        """tanh x;  d/dx = 1 - tanh² x."""
        return _ops.elementwise.Tanh.apply(_floating(self))

    def sigmoid(self) -> Tensor:
        """σ(x) = 1/(1+e⁻ˣ);  d/dx = σ(1-σ)."""
        return _ops.elementwise.Sigmoid.apply(_floating(self))

    def abs(self) -> Tensor:
        """|x|;  d/dx = sign x."""
        if self.data.dtype == dtypes.bool:
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        return _ops.elementwise.Abs.apply(self)

    def sign(self) -> Tensor:
        """sign x (-1, 0 or 1);  d/dx = 0."""
        return self.clone() if self.data.dtype == dtypes.bool else _ops.elementwise.Sign.apply(self)

    def relu(self) -> Tensor:
        """max(x, 0);  d/dx = 1 where x > 0."""
        if self.data.dtype == dtypes.bool:
            raise RuntimeError("Boolean inputs not supported for relu")
        return _ops.elementwise.Relu.apply(self)

    def square(self) -> Tensor:
        """x²;  d/dx = 2x (a bool tensor squares to int64, as in PyTorch)."""
        return self ** 2 if self.data.dtype == dtypes.bool else self * self

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        """Limit values to [min, max]; the gradient passes where min ≤ x ≤ max."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _clamp_bounds(self, min, max)
        x = self
        if x.data.dtype.kind != "f" and any(isinstance(v, builtins.float) for v in (min, max)):
            x = x.to(dtypes.get_default_dtype())
        return _ops.elementwise.Clamp.apply(x, min=min, max=max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max with other."""
        return maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min with other."""
        return minimum(self, other)

    # ---------------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
            keepdims: builtins.bool | None = None, dtype: Any = None) -> Tensor:
        """Σ over ``dim`` (int, tuple or None for all); bool and int tensors sum to int64."""
        axis, keepdim = _reduce_args(self, dim, axis, keepdim, keepdims, "sum")
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "bi" and x.data.dtype != dtypes.int64:
            x = x.to(dtypes.int64)
        return _ops.reduce.Sum.apply(x, axis=axis, keepdims=keepdim)

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None,
             keepdims: builtins.bool | None = None, dtype: Any = None) -> Tensor:
        """(1/n) Σ over ``dim``; needs a floating-point tensor, as in PyTorch."""
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind != "f":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point "
                               f"or complex dtype. Got: {_type_name(x.data.dtype)}")
        axis, keepdim = _reduce_args(self, dim, axis, keepdim, keepdims, "mean")
        return _ops.reduce.Mean.apply(x, axis=axis, keepdims=keepdim)

    def var(self, dim: Any = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
            correction: Any = None) -> Tensor:
        """Σ (x - mean)² / (n - correction); unbiased (correction=1) by default."""
        if isinstance(dim, builtins.bool):  # var(unbiased) in PyTorch's old positional form
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        return _var(self, dim, keepdim, correction, "var")

    def std(self, dim: Any = None, unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
            correction: Any = None) -> Tensor:
        """√var (unbiased by default)."""
        if isinstance(dim, builtins.bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        return _var(self, dim, keepdim, correction, "std")

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """Largest value; with ``dim`` the named tuple (values, indices); with a tensor, ``maximum``."""
        return _extreme(self, dim, keepdim, np.max, np.argmax, maximum, "max")

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """Smallest value; with ``dim`` the named tuple (values, indices); with a tensor, ``minimum``."""
        return _extreme(self, dim, keepdim, np.min, np.argmin, minimum, "min")

    def amax(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """The largest values over dim (ties share the gradient)."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "amax")
        _check_reducible(self, axis, "amax")
        return _ops.reduce.Amax.apply(self, axis=axis, keepdims=keepdim, fn=np.max)

    def amin(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """The smallest values over dim (ties share the gradient)."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "amin")
        _check_reducible(self, axis, "amin")
        return _ops.reduce.Amax.apply(self, axis=axis, keepdims=keepdim, fn=np.min)

    def argmax(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the largest value (flattened when dim is None); not differentiable."""
        return _arg_extreme(self, dim, keepdim, np.argmax)

    def argmin(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the smallest value (flattened when dim is None); not differentiable."""
        return _arg_extreme(self, dim, keepdim, np.argmin)

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Tensor:
        """log Σ eˣ over dim, computed stably (the max is subtracted first)."""
        axis, keepdim = _reduce_args(self, dim, None, keepdim, None, "logsumexp")
        return _ops.reduce.LogSumExp.apply(_floating(self), axis=axis, keepdims=keepdim)

    def softmax(self, dim: builtins.int) -> Tensor:
        """eˣ / Σ eˣ along dim."""
        axis = _dim(dim, self.ndim, "softmax")
        return _ops.reduce.Softmax.apply(_float_only(self, "softmax"), axis=axis)

    def log_softmax(self, dim: builtins.int) -> Tensor:
        """x - logsumexp(x) along dim."""
        axis = _dim(dim, self.ndim, "log_softmax")
        return _ops.reduce.LogSoftmax.apply(_float_only(self, "log_softmax"), axis=axis)

    # ---------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape (one size may be -1)."""
        shape = _size_args(shape)
        try:
            new_shape = _infer_shape(self.shape, shape)
        except ValueError as e:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {self.numel()}") from e
        if new_shape == self.shape:
            return self
        out = _ops.shape.Reshape.apply(self, shape=new_shape)
        return _mark_view(out, self, "reshape", new_shape)

    def view(self, *shape: Any) -> Tensor:
        """``reshape`` that never copies: refused (RuntimeError) when the memory layout needs a copy."""
        if not self.data.flags.c_contiguous:
            sizes = _size_args(shape)
            try:
                target = _infer_shape(self.shape, sizes)
            except ValueError as e:
                raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {self.numel()}") from e
            if self.data.size and not np.may_share_memory(np.reshape(self.data, target), self.data):
                raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                                   "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return self.reshape(*shape)

    def is_contiguous(self) -> bool:
        """True when the elements lie in memory in row-major order (what ``view`` needs)."""
        return self.data.flags.c_contiguous

    def contiguous(self) -> Tensor:
        """self when contiguous, else a row-major copy that stays in the graph."""
        return self if self.data.flags.c_contiguous else _ops.shape.Contiguous.apply(self)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Dims start_dim..end_dim merged into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, self.ndim, "flatten"), _dim(end_dim, self.ndim, "flatten")
        return self.reshape(self.shape[:s] + (-1,) + self.shape[e + 1:])

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """A size-1 dim inserted at dim."""
        d = _dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Size-1 dims removed (all, or the given ones)."""
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dims = {_dim(d, self.ndim, "squeeze") for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1)))

    def permute(self, *dims: Any) -> Tensor:
        """The dims reordered."""
        dims = _size_args(dims)
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(): number of dimensions in the tensor input does not match the length of the "
                               f"desired ordering of dimensions i.e. input.dim() = {self.ndim} is not equal to "
                               f"len(dims) = {len(dims)}")
        dims = tuple(_dim(d, self.ndim, "permute") for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        if dims == tuple(range(self.ndim)):
            return self
        return _mark_view(_ops.shape.Permute.apply(self, axes=dims), self, "permute", dims)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """Two dims swapped."""
        axes = list(range(self.ndim))
        a, b = _dim(dim0, self.ndim, "transpose"), _dim(dim1, self.ndim, "transpose")
        if self.ndim == 0:
            return self
        axes[a], axes[b] = axes[b], axes[a]
        return self.permute(tuple(axes))

    def t(self) -> Tensor:
        """The transpose of a matrix (<= 2 dims)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.T

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape without copying (-1 keeps a size)."""
        sizes = _size_args(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
                               f"the number of dimensions in the tensor ({self.ndim})")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
        for i, n in enumerate(self.shape):
            if n != 1 and n != shape[i + lead]:
                raise RuntimeError(f"expand: the expanded size of the tensor ({shape[i + lead]}) must match the "
                                   f"existing size ({n}) at non-singleton dimension {i + lead}. Target sizes: "
                                   f"{list(sizes)}. Tensor sizes: {list(self.shape)}")
        if shape == self.shape:
            return self
        return _ops.shape.Expand.apply(self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        """Broadcast to the shape of other."""
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = _index(index)
        try:
            out = _ops.shape.GetItem.apply(self, index=index)
        except IndexError as e:
            raise IndexError(f"index {index!r} is out of bounds for a tensor of shape {tuple(self.shape)}: {e}") from e
        return _mark_view(out, self, "index", index)

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _index(index)
        if _records(self, value):
            _inplace_graph(self, "__setitem__", lambda old, v: _put(old, index, v), value)
            return
        self.data[index] = value.data if isinstance(value, Tensor) else value
        saved_values.bump(self)

    # ---------------------------------------------------------------- in place
    # Outside a graph (e.g. parameters under no_grad) these write into ``.data``. On a tensor that is in
    # a graph, or when the other operand requires grad, they are differentiable: the new value is computed
    # from a copy of the old one, written into ``.data``, and ``grad_fn`` moves to the new node (PyTorch
    # "rebases" the tensor). Every in-place write bumps the version counter (autograd/saved_values.py).
    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self ← self + alpha·other, in place (``+=``)."""
        if _records(self, other):
            return _inplace_graph(self, "add_", lambda old, o: old.add(o, alpha=alpha), other)
        return _inplace(self, "add_", np.add, other if alpha == 1 else _data(other) * alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self ← self - alpha·other, in place (``-=``)."""
        if _records(self, other):
            return _inplace_graph(self, "sub_", lambda old, o: old.sub(o, alpha=alpha), other)
        return _inplace(self, "sub_", np.subtract, other if alpha == 1 else _data(other) * alpha)

    def mul_(self, other: Any) -> Tensor:
        """self ← self · other, in place (``*=``)."""
        if _records(self, other):
            return _inplace_graph(self, "mul_", lambda old, o: old * o, other)
        return _inplace(self, "mul_", np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        """self ← self / other, in place (``/=``)."""
        if _records(self, other):
            return _inplace_graph(self, "div_", lambda old, o: old / o, other)
        return _inplace(self, "div_", np.divide, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """self ← min(max(self, min), max), in place."""
        if _records(self, min, max):
            return _inplace_graph(self, "clamp_", lambda old, lo, hi: old.clamp(lo, hi), min, max)
        np.clip(self.data, _data(min), _data(max), out=self.data)
        saved_values.bump(self)
        return self

    clip_ = clamp_

    def zero_(self) -> Tensor:
        """self ← 0, in place."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """self ← value everywhere, in place."""
        if _records(self, value):
            return _inplace_graph(self, "fill_", _overwrite, value)
        self.data[...] = _data(value)
        saved_values.bump(self)
        return self

    def copy_(self, src: Any) -> Tensor:
        """self ← src (broadcast to self's shape, cast to self's dtype), in place."""
        if _records(self, src):
            return _inplace_graph(self, "copy_", _overwrite, src)
        try:
            np.copyto(self.data, np.broadcast_to(_data(src), self.shape), casting="unsafe")
        except ValueError as e:
            raise RuntimeError(f"copy_: the source of shape {np.shape(_data(src))} can't be broadcast to the "
                               f"destination's shape {tuple(self.shape)}") from e
        saved_values.bump(self)
        return self

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with uniform samples on [a, b)."""
        from .random import _rng
        return self.copy_(_rng(generator).uniform(a, b, self.shape))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with normal samples."""
        from .random import _rng
        return self.copy_(_rng(generator).normal(mean, std, self.shape))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)


# -------------------------------------------------------------------- construction
_new = object.__new__


def _init(t: Tensor, data: np.ndarray, grad_fn: Any) -> None:
    t.data = data
    t._grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None


def _make(data: Any, grad_fn: Any = None) -> Tensor:
    """Wrap an array without copying or converting it (scalars from NumPy become 0-d arrays)."""
    t = _new(Tensor)
    t.data = data if type(data) is np.ndarray else np.asarray(data)
    t._grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    return t


Tensor._make = staticmethod(_make)


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    if isinstance(x, _Scalar):
        return _make(np.asarray(x, dtype=dtypes.scalar_dtype(x)))
    raise TypeError(f"expected a Tensor, a numpy array or a number, got {type(x).__name__}")


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _rank(t: Tensor) -> builtins.int:
    return 2 if t.data.ndim else 1


# -------------------------------------------------------------------- operand preparation
def _binary(op: Any, a: Tensor, b: Any, name: str, reverse: builtins.bool = False) -> Tensor:
    """Apply a binary primitive after PyTorch's type promotion; ``reverse`` computes ``b op a``."""
    ad = a.data
    if op is _Sub and isinstance(b, Tensor) and (ad.dtype == dtypes.bool) != (b.data.dtype == dtypes.bool):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if isinstance(b, Tensor):
        bd = b.data
        if ad.dtype != bd.dtype:
            dt = dtypes.promote(ad.dtype, _rank(a), bd.dtype, _rank(b))
            a, b = a.to(dt), b.to(dt)
    elif isinstance(b, _Scalar):
        if isinstance(b, np.generic):
            b = b.item()
        kind = ad.dtype.kind
        if not (kind == "f" or (kind in "iu" and not isinstance(b, builtins.float))
                or (kind == "b" and isinstance(b, builtins.bool))):
            a = a.to(dtypes.promote(ad.dtype, _rank(a), dtypes.scalar_dtype(b), 0))
    elif isinstance(b, np.ndarray):
        return _binary(op, a, _make(b), name, reverse)
    else:
        return NotImplemented
    if op is _Div and a.data.dtype.kind != "f":  # true division of ints gives floats
        fdt = dtypes.get_default_dtype()
        a = a.to(fdt)
        b = b.to(fdt) if isinstance(b, Tensor) else b
    elif op is _Sub and a.data.dtype == dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return op.apply(b, a) if reverse else op.apply(a, b)


def _broadcast_message(name: str, sa: tuple, sb: tuple) -> str:
    for i in range(1, builtins.max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            dim = builtins.max(len(sa), len(sb)) - i
            return (f"{name}: the size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                    f"dimension {dim} (shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together)")
    return f"{name}: shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together"


def _compare(fn: Any, a: Tensor, b: Any) -> Tensor:
    bd = b.data if isinstance(b, Tensor) else b
    try:
        return _make(fn(a.data, bd))
    except ValueError as e:
        raise RuntimeError(_broadcast_message(fn.__name__, a.shape, np.shape(bd))) from e


def _floating(t: Tensor) -> Tensor:
    """Int and bool tensors are converted to the default float dtype by float-valued functions."""
    return t if t.data.dtype.kind == "f" else t.to(dtypes.get_default_dtype())


_TORCH_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                     "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _c_type_name(dtype: np.dtype) -> str:
    """The C name PyTorch prints for an element type ('float', 'double', 'long int')."""
    name = np.dtype(dtype).name
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "int16": "short int",
            "int8": "signed char", "uint8": "unsigned char", "float16": "c10::Half"}.get(name, name)


def _type_name(dtype: np.dtype) -> str:
    """PyTorch's name of a scalar type in messages ('Float', 'Long', ...)."""
    return _TORCH_TYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _float_only(t: Tensor, op: str) -> Tensor:
    """``t`` if it is floating point; PyTorch's NotImplementedError for an op with no integer kernel."""
    if t.data.dtype.kind != "f":
        raise NotImplementedError(f'"{op}_lastdim_kernel_impl" not implemented for \'{_type_name(t.data.dtype)}\'')
    return t


def _dim(d: Any, ndim: builtins.int, op: str) -> builtins.int:
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def _reduce_args(t: Tensor, dim: Any, axis: Any, keepdim: Any, keepdims: Any, op: str) -> tuple:
    """Normalise dim/axis (int, tuple or None) to a sorted tuple of non-negative dims, or None."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, builtins.bool(keepdim)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = tuple(sorted({_dim(d, t.ndim, op) for d in dims}))  # a 0-d tensor takes dim 0 or -1, as in PyTorch
    return (None if t.ndim == 0 else axes), builtins.bool(keepdim)


def _var(t: Tensor, dim: Any, keepdim: builtins.bool, correction: Any, op: str) -> Tensor:
    if t.data.dtype.kind != "f":
        raise RuntimeError(f"std and var only support floating point and complex dtypes (got {t.dtype})")
    axis, keepdim = _reduce_args(t, dim, None, keepdim, None, op)
    n = t.data.size if axis is None else builtins.int(np.prod([t.shape[a] for a in axis]))
    if n - correction <= 0:
        import warnings

        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                      "factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    op_class = _ops.reduce.Var if op == "var" else _ops.reduce.Std
    return op_class.apply(t, axis=axis, keepdims=keepdim, correction=correction)


def _size_args(args: tuple) -> tuple:
    """Accept sizes as f(2, 3) or f((2, 3)) or f([2, 3])."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(builtins.int(a) for a in args)


def _infer_shape(old: tuple, new: tuple) -> tuple:
    size = builtins.int(np.prod(old))
    if new.count(-1) > 1:
        raise ValueError("only one dimension can be inferred")
    if -1 in new:
        rest = builtins.int(np.prod([n for n in new if n != -1]))
        if rest == 0 or size % rest:
            raise ValueError("cannot infer")
        new = tuple(size // rest if n == -1 else n for n in new)
    if builtins.int(np.prod(new)) != size:
        raise ValueError("size mismatch")
    return tuple(new)


def _index(index: Any) -> Any:
    """Tensors and lists inside an index become NumPy arrays (integer-array or boolean indexing)."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index) if index else np.zeros(0, np.int64)  # [] is an empty integer index, as in PyTorch
    return index


class MaxResult(NamedTuple):
    """What ``x.max(dim)`` / ``x.min(dim)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


def _check_reducible(t: Tensor, axis: Any, op: str) -> None:
    """PyTorch's errors for a max/min-like reduction of an empty tensor (``axis``: None, int or tuple)."""
    if t.data.size:
        return
    if axis is None:
        if op in ("argmax", "argmin"):  # PyTorch's type and wording differ for these two
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for a in (axis if isinstance(axis, tuple) else (axis,)):
        if t.ndim and t.shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def _extreme(t: Tensor, dim: Any, keepdim: builtins.bool, fn: Any, arg: Any, pairwise: Any, op: str) -> Any:
    if isinstance(dim, Tensor):
        return pairwise(t, dim)
    axis = None if dim is None else _dim(dim, t.ndim, op)
    _check_reducible(t, axis, op)
    if dim is None:
        return _ops.reduce.Amax.apply(t, axis=None, keepdims=False, fn=fn)
    if t.ndim == 0:
        return MaxResult(t, _make(np.zeros((), np.int64)))
    values = _ops.reduce.MaxAlongDim.apply(t, axis=axis, keepdims=keepdim, arg=arg)
    idx = arg(t.data, axis=axis, keepdims=keepdim)
    return MaxResult(values, _make(idx.astype(np.int64, copy=False)))


def _arg_extreme(t: Tensor, dim: Any, keepdim: builtins.bool, arg: Any) -> Tensor:
    if t.data.dtype == dtypes.bool:
        raise RuntimeError(f"{arg.__name__}(): does not support bool input")
    _check_reducible(t, None if dim is None else _dim(dim, t.ndim, arg.__name__), arg.__name__)
    if dim is None:
        out = arg(t.data)
        return _make(np.asarray(out, np.int64).reshape((1,) * t.ndim if keepdim else ()))
    return _make(arg(t.data, axis=_dim(dim, t.ndim, arg.__name__), keepdims=keepdim).astype(np.int64, copy=False))


def _records(t: Tensor, *others: Any) -> builtins.bool:
    """True if an in-place update of ``t`` must be recorded in the graph."""
    return _grad_state.enabled and (t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others))


_VIEW_OPS = ("Reshape", "Permute", "Expand", "GetItem")


def _mark_view(out: Tensor, base: Tensor, kind: str, arg: Any) -> Tensor:
    """Remember, on a view that shares ``base``'s memory, how it was made (``kind``: index, reshape or
    permute, with its argument), so an in-place update of the view inside a graph can rebase ``base`` and
    re-make the view, as PyTorch does. Only while grad mode is on: without a graph, writes are plain."""
    if _grad_state.enabled and out.data.base is not None and out is not base \
            and np.may_share_memory(out.data, base.data):
        out._view_of = (base, kind, arg)
    return out


def _inplace_view(t: Tensor, op: str, compute: Any, operands: list) -> Tensor:
    """_inplace_graph for a view: the base is rebased with the new values, then the view is re-made from it."""
    base, kind, arg = t.__dict__["_view_of"]
    new = _fit_inplace(t, op, compute(_make(t.data.copy(), t.grad_fn), *operands))
    if kind == "index":
        embed, remake = (lambda old, v: _put(old, arg, v)), (lambda b: b[arg])
    elif kind == "reshape":
        embed, remake = (lambda old, v: v.reshape(old.shape)), (lambda b: b.reshape(arg))
    else:
        inverse = tuple(np.argsort(arg).tolist())
        embed, remake = (lambda old, v: v.permute(inverse)), (lambda b: b.permute(arg))
    _inplace_graph(base, op, embed, new)  # writes t's memory too; recurses when the base is itself a view
    fresh = remake(base)
    t.grad_fn, t.requires_grad = fresh.grad_fn, fresh.requires_grad
    saved_values.bump(t)
    return t


def _fit_inplace(t: Tensor, op: str, new: Tensor) -> Tensor:
    """The result of an in-place op checked against (and cast to) the tensor it is written into."""
    if new.shape != t.shape:
        raise RuntimeError(f"{op}: output with shape {list(t.shape)} doesn't match the broadcast shape "
                           f"{list(new.shape)}")
    if new.dtype != t.dtype:
        if not np.can_cast(new.dtype, t.dtype, "same_kind"):
            raise RuntimeError(f"{op}: result type {new.dtype} can't be cast to the desired output type {t.dtype}")
        new = new.to(t.dtype)
    return new


def _inplace_graph(t: Tensor, op: str, compute: Any, *operands: Any) -> Tensor:
    """t ← compute(old t, *operands), differentiably: the value is written into ``t.data`` and ``t.grad_fn``
    moves to the new node. Operands that are ``t`` (``y.mul_(y)``) or share its memory are taken before
    the write, as in PyTorch. A view (``y[:, 0] += 1``) rebases the tensor it was made from as well."""
    if t.requires_grad and t.grad_fn is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
                           "Wrap the update in `with tb.no_grad():` (as optimizers do), or update a clone().")
    operands = [_make(o.data.copy(), o.grad_fn) if isinstance(o, Tensor) and o.grad_fn is not None
                and np.may_share_memory(o.data, t.data) else o for o in operands]
    if "_view_of" in t.__dict__ and t.data.base is not None:
        return _inplace_view(t, op, compute, operands)
    if t.grad_fn is not None and type(t.grad_fn).__name__ in _VIEW_OPS and t.data.base is not None:
        raise RuntimeError(f"{op}: in-place update of a view ({t.grad_fn.name()}: it shares memory with the tensor "
                           "it was made from) is not supported inside a graph; use the out-of-place op, or "
                           "update a clone()")
    old = _make(t.data.copy(), t.grad_fn)  # a snapshot: the new node may save it (mul_, div_)
    new = _fit_inplace(t, op, compute(old, *operands))
    try:
        np.copyto(t.data, new.data)
    except ValueError as e:  # a read-only broadcast view (expand)
        raise RuntimeError(f"{op}: unsupported operation: more than one element of the written-to tensor refers "
                           "to a single memory location. Please clone() the tensor before performing the "
                           "operation.") from e
    t.grad_fn = new.grad_fn
    t.requires_grad = new.requires_grad
    saved_values.bump(t)
    return t


def _overwrite(old: Tensor, src: Any) -> Tensor:
    """``src`` broadcast to ``old``'s shape and dtype, as a graph op whose gradient to ``old`` is zero."""
    s = _as_tensor(src if not isinstance(src, (list, tuple)) else np.asarray(src))
    if s.dtype != old.dtype:
        s = s.to(old.dtype)
    try:
        np.broadcast_shapes(s.shape, old.shape)
    except ValueError as e:
        raise RuntimeError(f"copy_: the source of shape {tuple(s.shape)} can't be broadcast to the destination's "
                           f"shape {tuple(old.shape)}") from e
    return _ops.elementwise.Where.apply(np.ones(old.shape, bool), s, old)


def _put(old: Tensor, index: Any, value: Any) -> Tensor:
    """``old`` with ``value`` written at ``index`` (x[index] = value), as graph ops."""
    mask = np.zeros(old.shape, bool)
    mask[index] = True
    v = _as_tensor(value)
    if v.dtype != old.dtype:
        v = v.to(old.dtype)
    target = old.data[index].shape
    if v.shape != target:
        v = v.expand(target) if v.ndim <= len(target) else v.reshape(target)
    placed = _ops.shape.IndexAdd.apply(v, shape=old.shape, index=index)
    return _ops.elementwise.Where.apply(mask, placed, old)


def _inplace(t: Tensor, op: str, ufunc: Any, other: Any) -> Tensor:
    od = _data(other)
    try:
        ufunc(t.data, od, out=t.data, casting="same_kind")
    except ValueError as e:
        raise RuntimeError(_broadcast_message(op, t.shape, np.shape(od))) from e
    except TypeError as e:  # numpy's UFuncTypeError: e.g. adding floats into an int tensor
        raise RuntimeError(f"{op}: result type {np.result_type(t.data, od)} can't be cast to the desired "
                           f"output type {t.dtype}") from e
    saved_values.bump(t)
    return t


def zero_grads(params: Any, set_to_none: builtins.bool = True) -> None:
    """What ``Module.zero_grad`` and ``Optimizer.zero_grad`` do: each ``p.grad`` set to None, or zeroed in
    place (detached first if it has a graph; the version counter notes the write)."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad = p.grad.detach()
            p.grad.data[...] = 0
            saved_values.bump(p.grad)


# -------------------------------------------------------------------- printing
def _format(t: Tensor) -> str:
    """PyTorch's layout: 4 decimals (or ``1.`` when every value is whole), padded to one width."""
    a = t.data
    if a.dtype.kind == "f":
        finite = a[np.isfinite(a)]
        integral = finite.size == 0 or np.all(finite == np.round(finite))
        big = finite.size and (np.abs(finite).max() >= 1e8 or (0 < np.abs(finite[finite != 0]).min(initial=1) < 1e-4))
        if integral and not big:
            def one(v: Any) -> str:
                return f"{v:.0f}." if np.isfinite(v) else str(v)
        elif big:
            def one(v: Any) -> str:
                return f"{v:.4e}"
        else:
            def one(v: Any) -> str:
                return f"{v:.4f}"
        width = max((len(one(v)) for v in a.flat), default=0) if a.size <= 1000 else 0
        fmt = {"float_kind": lambda v: one(v).rjust(width)}
        body = np.array2string(a, separator=", ", formatter=fmt, threshold=1000, edgeitems=3, prefix="tensor(")
    else:
        body = np.array2string(a, separator=", ", threshold=1000, edgeitems=3, prefix="tensor(")
    extras = []
    if a.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        extras.append(f"dtype=tinygrad_bp.{a.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


# -------------------------------------------------------------------- functions on tensors
def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics (1-D operands, broadcast batch dims)."""
    a, b = _as_tensor(a), _as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                           f"{b.ndim}D")
    if a.data.dtype != b.data.dtype:
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}")
    if a.data.dtype == dtypes.bool:  # PyTorch checks a dot product's dtype; a matrix product's only when it runs
        if a.ndim == b.ndim == 1:
            raise NotImplementedError('"dot" not implemented for \'Bool\'')
        if a.data.size and b.data.size:
            raise NotImplementedError('"addmm_impl_cpu_" not implemented for \'Bool\'')
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        raise RuntimeError(f"matmul: mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, a.shape))} and "
                           f"{'x'.join(map(str, b.shape))}): the last dim of the first must equal the "
                           f"{'first' if b.ndim == 1 else 'second-to-last'} dim of the second")
    try:
        return _ops.matmul.MatMul.apply(a, b)
    except ValueError as e:
        raise RuntimeError(f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be broadcast") from e


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """Elementwise choice: ``input`` where condition is true, else ``other``."""
    cond = _data(condition)
    if not (isinstance(cond, np.ndarray) and cond.dtype == np.bool_):
        cond = np.asarray(cond)
        if cond.dtype != np.bool_:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{_type_name(cond.dtype)}")
    x, y = _as_tensor(input), _as_tensor(other)
    if x.data.dtype != y.data.dtype:
        dt = dtypes.promote(x.data.dtype, _rank_or_scalar(input), y.data.dtype, _rank_or_scalar(other))
        x, y = x.to(dt), y.to(dt)
    try:
        return _ops.elementwise.Where.apply(cond, x, y)
    except ValueError as e:
        raise RuntimeError(f"where: condition {np.shape(cond)}, input {x.shape} and other {y.shape} cannot be "
                           "broadcast together") from e


def _rank_or_scalar(x: Any) -> builtins.int:
    return _rank(x) if isinstance(x, Tensor) else (2 if isinstance(x, np.ndarray) and x.ndim else 0)


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise max; on ties the gradient is split evenly."""
    a, b = _promoted_pair(input, other)
    return _broadcasting("maximum", _ops.elementwise.Maximum, a, b)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise min; on ties the gradient is split evenly."""
    a, b = _promoted_pair(input, other)
    return _broadcasting("minimum", _ops.elementwise.Minimum, a, b)


def _clamp_bounds(x: Tensor, lo: Any, hi: Any) -> Tensor:
    """clamp with tensor bounds: one op, promoted to a common dtype (ties give the gradient to x)."""
    parts = [x] + [None if b is None else _as_tensor(b) for b in (lo, hi)]
    present = [t for t in parts if t is not None]
    dt = present[0].data.dtype
    for orig, t in zip((lo, hi), parts[1:]):
        if t is not None and t.data.dtype != dt:
            dt = dtypes.promote(dt, _rank(x), t.data.dtype, _rank_or_scalar(orig))
    parts = [t if t is None or t.data.dtype == dt else t.to(dt) for t in parts]
    try:
        return _ops.elementwise.ClampBounds.apply(*parts)
    except ValueError as e:
        raise RuntimeError(f"clamp: input {x.shape}, min {None if parts[1] is None else parts[1].shape} and max "
                           f"{None if parts[2] is None else parts[2].shape} cannot be broadcast together") from e


def _promoted_pair(a: Any, b: Any) -> tuple:
    """Elementwise max with other."""
    ta, tb = _as_tensor(a), _as_tensor(b)
    if ta.data.dtype != tb.data.dtype:
        dt = dtypes.promote(ta.data.dtype, _rank_or_scalar(a), tb.data.dtype, _rank_or_scalar(b))
        ta, tb = ta.to(dt), tb.to(dt)
    return ta, tb


def _broadcasting(name: str, op: Any, a: Tensor, b: Tensor) -> Tensor:
    try:
        return op.apply(a, b)
    except ValueError as e:
        raise RuntimeError(_broadcast_message(name, a.shape, b.shape)) from e


def cat(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    if not builtins.len(tensors):
        raise ValueError("cat(): expected a non-empty list of Tensors")
    ts = _same_dtype([_as_tensor(t) for t in tensors], "cat")
    if builtins.any(t.shape == (0,) for t in ts):  # PyTorch's legacy rule: 1-D empty tensors are skipped
        rest = [t for t in ts if t.shape != (0,)]
        if not rest:
            return _ops.shape.Cat.apply(*ts, axis=0)
        ts = rest
    for i, t in enumerate(ts):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    axis = _dim(dim, ts[0].ndim, "cat")
    for t in ts[1:]:
        if t.ndim != ts[0].ndim or any(t.shape[i] != ts[0].shape[i] for i in range(t.ndim) if i != axis):
            raise RuntimeError(f"cat: sizes of tensors must match except in dimension {axis}; got shapes "
                               f"{[tuple(x.shape) for x in ts]}")
    return _ops.shape.Cat.apply(*ts, axis=axis)


def stack(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    ts = _same_dtype([_as_tensor(t) for t in tensors], "stack")
    axis = _dim(dim, ts[0].ndim + 1, "stack")
    if any(t.shape != ts[0].shape for t in ts):
        raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {[tuple(x.shape) for x in ts]}")
    return _ops.shape.Stack.apply(*ts, axis=axis)


def _same_dtype(ts: list, op: str) -> list:
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList" if op == "stack" else
                           f"{op}(): expected a non-empty list of Tensors")
    dt = ts[0].data.dtype
    for t in ts[1:]:
        dt = dtypes.promote(dt, 2, t.data.dtype, 2)
    return [t.to(dt) for t in ts]


# The ops and the engine import Tensor from this module, so they are imported once it is defined.
from . import ops as _ops
from . import tensor_methods as _tensor_methods  # noqa: F401, E402 - adds the generated methods
from .autograd import engine as _engine
from .ops.elementwise import Add as _Add
from .ops.elementwise import Div as _Div
from .ops.elementwise import Mul as _Mul
from .ops.elementwise import Sub as _Sub
