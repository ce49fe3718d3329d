"""The op table: one row per public op (PyTorch's OpInfo, torch/testing/_internal/common_methods_invocations.py).

Every op test is generated from ``OPS`` (tests/test_op_table.py: forward against NumPy, gradcheck,
gradgradcheck, dtype rules, coverage; tests/test_parity_op_table.py: values, gradients and grad_fn
names against live PyTorch). An op without a row fails the coverage tests.

How to add a row
----------------
A new op is one ``Op`` subclass in ``tinygrad_bp/ops/`` (forward and backward side by side) plus one
row here. Append an ``OpInfo`` to ``OPS`` (or to the list of its group below):

    OpInfo("exp", method("exp"), _unary_samples(), ref=np.exp, dtypes=INT_BOOL, result_dtype=to_float)

* ``name``: the public name the row calls itself: a Tensor method (``"exp"``, ``"__getitem__"``), a function
  of the ``tinygrad_bp`` namespace (``"cat"``; ``with_function(row)`` adds the row ``exp.function`` calling
  ``tb.exp`` when a method has the same name), or ``"nn.functional.<name>"`` for ops reached through ``nn``.
  A test checks that the row does call that name; ``variant`` tells rows of one name apart.
* ``fn(lib, *tensors, **kwargs)``: the expression, written once for ``lib`` = ``tinygrad_bp`` or
  ``torch`` (``method("exp")`` builds ``lambda lib, x, **kw: x.exp(**kw)``).
* ``samples(rng)``: yields ``Sample(arrays, kwargs)``; each float64 array becomes a leaf that requires
  grad; constants (indices, targets, masks) go in ``kwargs``. Keep inputs away from kinks (|x| = 0,
  clamp bounds, max ties) and in the domain (positive for log / sqrt).
* ``ref(*arrays, **kwargs)``: the NumPy forward; ``supports_grad`` / ``supports_gradgrad``: which
  derivatives exist and are checked; ``dtypes`` + ``result_dtype``: PyTorch's result dtype for
  integer / bool inputs; ``torch=False`` if PyTorch has no identical expression.
* An engine bug goes in ``xfail={"gradcheck": "reason"}`` (keys: forward, gradcheck, gradgradcheck,
  dtype, parity, grad_fn_name; ``"gradcheck:3"`` for sample 3 only); it is run with strict=True.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tinygrad_bp.ops.shape import IndexAdd


@dataclass(frozen=True, eq=False)
class Sample:
    """One call of a row: float64 arrays (each becomes a leaf that requires grad) and keyword arguments."""

    inputs: tuple
    kwargs: dict = field(default_factory=dict)

    def describe(self) -> str:
        shapes = ", ".join(str(np.shape(a)) for a in self.inputs)
        return f"inputs {shapes}, kwargs {self.kwargs}"


@dataclass(frozen=True, eq=False)
class OpInfo:
    """One op: how to call it, on what, what it should compute and which derivatives it has."""

    name: str
    fn: Callable[..., Any]
    samples: Callable[[np.random.Generator], Iterable[Sample]]
    ref: Callable[..., Any] | None = None
    variant: str = ""
    supports_grad: bool = True
    supports_gradgrad: bool = True
    dtypes: tuple = ()
    result_dtype: Callable[[str], str] | None = None
    torch: bool = True
    gradcheck_kwargs: dict = field(default_factory=dict)
    xfail: dict = field(default_factory=dict)
    max_samples: int | None = None

    @property
    def id(self) -> str:
        return f"{self.name}.{self.variant}" if self.variant else self.name

    def sample_inputs(self) -> list[Sample]:
        """The row's samples, from a generator seeded by the row id (the same every run)."""
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        samples = list(self.samples(rng))
        return samples if self.max_samples is None else samples[: self.max_samples]

    def xfail_reason(self, kind: str, index: int | None = None) -> str | None:
        """Why this test of this row (or of one sample) is expected to fail, or None."""
        return self.xfail.get(f"{kind}:{index}") or self.xfail.get(kind)


# ----------------------------------------------------------------------------- call helpers
def method(name: str) -> Callable[..., Any]:
    """``lambda lib, x, *rest, **kw: x.<name>(*rest, **kw)``."""
    def call(lib: Any, x: Any, *rest: Any, **kwargs: Any) -> Any:
        return getattr(x, name)(*rest, **kwargs)
    return call


def function(name: str) -> Callable[..., Any]:
    """``lambda lib, *tensors, **kw: lib.<name>(*tensors, **kw)``."""
    def call(lib: Any, *tensors: Any, **kwargs: Any) -> Any:
        return getattr(lib, name)(*tensors, **kwargs)
    return call


def with_function(row: OpInfo, samples: int = 2) -> list[OpInfo]:
    """The row (a method call) and the same op through the namespace function (its first samples)."""
    return [row, replace(row, variant="function", fn=function(row.name), max_samples=samples)]


def operation(op: Callable[..., Any]) -> Callable[..., Any]:
    """``lambda lib, *tensors: op(*tensors)`` for a Python operator (``operator.add`` is ``a + b``)."""
    def call(lib: Any, *tensors: Any) -> Any:
        return op(*tensors)
    return call


def inplace(name: str) -> Callable[..., Any]:
    """``y = x * 1; y.<name>(*rest, **kw)``: the in-place method on a non-leaf, returning y."""
    def call(lib: Any, x: Any, *rest: Any, **kwargs: Any) -> Any:
        y = x * 1
        getattr(y, name)(*rest, **kwargs)
        return y
    return call


def augmented(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """``y = x * 1; y op= other``: an augmented assignment (``+=``) on a non-leaf."""
    def call(lib: Any, x: Any, other: Any) -> Any:
        return op(x * 1, other)
    return call


# ----------------------------------------------------------------------------- dtype rules (PyTorch's)
INT_BOOL = ("int64", "bool")


def same(dtype: str) -> str:
    return dtype


def to_float(dtype: str) -> str:
    """Integer and bool inputs give the default float dtype (exp, log, sin, div, ...)."""
    return dtype if dtype.startswith("float") else "float32"


def sum_dtype(dtype: str) -> str:
    """sum of integers or bools is int64."""
    return dtype if dtype.startswith("float") else "int64"


def always(result: str) -> Callable[[str], str]:
    def rule(dtype: str) -> str:
        return result
    rule.__name__ = f"always_{result}"
    return rule


def cast_input(a: np.ndarray, dtype: str) -> np.ndarray:
    """A float sample as an integer (rounded, scaled) or bool (> 0) array, for the dtype checks."""
    if dtype == "bool":
        return a > 0
    if dtype.startswith("int"):
        return np.round(a * 3).astype(dtype)
    return a.astype(dtype)


# ----------------------------------------------------------------------------- input generators
SHAPES = [(), (3,), (2, 3), (2, 1, 4)]
BROADCAST_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 3), ()), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)),
                   ((1,), (2, 2))]
REDUCE_DIMS = [None, 0, 1, -1, (0, 2), (0, 1, 2), (-1, 0)]
MATMUL_SHAPES = [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 2)), ((4, 1, 2, 3), (5, 3, 2)), ((3,), (2, 3, 2))]


def normal(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.standard_normal(shape)


def positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.abs(rng.standard_normal(shape)) + 0.5


def uniform(low: float, high: float) -> Callable[[np.random.Generator, tuple], np.ndarray]:
    def make(rng: np.random.Generator, shape: tuple) -> np.ndarray:
        return rng.uniform(low, high, shape)
    return make


def away(*kinks: float, gap: float = 0.1) -> Callable[[np.random.Generator, tuple], np.ndarray]:
    """Normal values moved at least ``gap`` away from each kink (|x| at 0, clamp bounds)."""
    def make(rng: np.random.Generator, shape: tuple) -> np.ndarray:
        x = rng.standard_normal(shape)
        for k in kinks:
            near = np.abs(x - k) < gap
            x = np.where(near, k + np.where(x >= k, gap, -gap) * 2, x)
        return x
    return make


def distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Values at least 0.25 apart (no ties for max / min / sort-like ops)."""
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n / 2) * 0.3 + rng.uniform(0, 0.05, n)).reshape(shape)


def each_shape(make: Callable = normal, shapes: Iterable = SHAPES, **kwargs: Any) -> Callable:
    def samples(rng: np.random.Generator) -> Iterator[Sample]:
        for shape in shapes:
            yield Sample((make(rng, shape),), dict(kwargs))
    return samples


def each_pair(make_a: Callable = normal, make_b: Callable = normal, pairs: Iterable = BROADCAST_PAIRS) -> Callable:
    def samples(rng: np.random.Generator) -> Iterator[Sample]:
        for sa, sb in pairs:
            yield Sample((make_a(rng, sa), make_b(rng, sb)))
    return samples


def each_kwargs(shape: tuple, kwarg_list: Iterable[dict], make: Callable = normal) -> Callable:
    """One input of ``shape`` per kwargs entry."""
    def samples(rng: np.random.Generator) -> Iterator[Sample]:
        for kwargs in kwarg_list:
            yield Sample((make(rng, shape),), dict(kwargs))
    return samples


def case(*shapes: tuple, make: Any = normal, **kwargs: Any) -> tuple:
    """One sample for ``fixed``: input shapes, how to fill them (one maker, or one per input), kwargs."""
    return shapes, make, kwargs


def fixed(*cases: tuple) -> Callable:
    """The samples given by ``case(...)`` entries."""
    def generate(rng: np.random.Generator) -> Iterator[Sample]:
        for shapes, make, kwargs in cases:
            makes = make if isinstance(make, (list, tuple)) else [make] * len(shapes)
            yield Sample(tuple(mk(rng, shape) for mk, shape in zip(makes, shapes)), dict(kwargs))
    return generate


def reduction_samples(dims: Iterable = REDUCE_DIMS, make: Callable = normal, shape: tuple = (2, 3, 4)) -> Callable:
    def samples(rng: np.random.Generator) -> Iterator[Sample]:
        for dim in dims:
            for keepdim in (False, True):
                yield Sample((make(rng, shape),), {"dim": dim, "keepdim": keepdim})
    return samples


# ----------------------------------------------------------------------------- NumPy references
def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def _softmax(a: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _logsumexp(a: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return np.log(np.exp(a).sum(axis=dim, keepdims=keepdim))


def _reduce(np_fn: Callable, **extra: Any) -> Callable:
    def ref(a: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
        return np_fn(a, axis=dim, keepdims=keepdim, **extra)
    return ref


def _along(np_fn: Callable) -> Callable:
    def ref(a: np.ndarray, dim: int, keepdim: bool = False) -> np.ndarray:
        return np_fn(a, axis=dim, keepdims=keepdim)
    return ref


def _conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, padding: int = 0,
            dilation: int = 1) -> np.ndarray:
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, hh, ww = xp.shape
    co, _, kh, kw = w.shape
    oh = (hh - dilation * (kh - 1) - 1) // stride + 1
    ow = (ww - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, co, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride: i * stride + dilation * (kh - 1) + 1: dilation,
                       j * stride: j * stride + dilation * (kw - 1) + 1: dilation]
            out[:, :, i, j] = np.einsum("ncij,ocij->no", patch, w)
    return out if b is None else out + b[None, :, None, None]


def _conv_transpose2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1,
                      padding: int = 0) -> np.ndarray:
    n, _, h, wd = x.shape
    _, co, kh, kw = w.shape
    full = np.zeros((n, co, (h - 1) * stride + kh, (wd - 1) * stride + kw))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * stride: i * stride + kh, j * stride: j * stride + kw] += np.einsum(
                "nc,cokl->nokl", x[:, :, i, j], w)
    out = full[:, :, padding: full.shape[2] - padding, padding: full.shape[3] - padding]
    return out if b is None else out + b[None, :, None, None]


def _max_pool2d(x: np.ndarray, kernel_size: int, stride: int | None = None, padding: int = 0) -> np.ndarray:
    stride = kernel_size if stride is None else stride
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    oh = (xp.shape[2] - kernel_size) // stride + 1
    ow = (xp.shape[3] - kernel_size) // stride + 1
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = xp[:, :, i * stride: i * stride + kernel_size,
                                 j * stride: j * stride + kernel_size].max(axis=(2, 3))
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, normalized_shape: tuple, eps: float = 1e-5) -> np.ndarray:
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _batch_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w.reshape(shape) + b.reshape(shape)


def _lstm_ref(x: np.ndarray, h: np.ndarray, c: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray,
              b_hh: np.ndarray) -> np.ndarray:
    i, f, g, o = np.split(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=1)
    c2 = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return np.concatenate([_sigmoid(o) * np.tanh(c2), c2], axis=1)


def _gru_ref(x: np.ndarray, h: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray,
             b_hh: np.ndarray) -> np.ndarray:
    ir, iz, in_ = np.split(x @ w_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, axis=1)
    r, z = _sigmoid(ir + hr), _sigmoid(iz + hz)
    n = np.tanh(in_ + r * hn)
    return (1 - z) * n + z * h


def _erf(a: np.ndarray) -> np.ndarray:
    from math import erf
    return np.vectorize(erf)(a)


def _softplus(a: np.ndarray, beta: float = 1.0) -> np.ndarray:
    return np.log1p(np.exp(beta * a)) / beta


def _index_add_ref(a: np.ndarray, shape: tuple, index: Any) -> np.ndarray:
    out = np.zeros(shape)
    np.add.at(out, index, a)
    return out


def _setitem_ref(a: np.ndarray, v: np.ndarray, index: Any) -> np.ndarray:
    out = a.copy()
    out[index] = v
    return out


# ----------------------------------------------------------------------------- lib-specific pieces
def _with_parameters(module: Any, **parameters: Any) -> Any:
    """The module computing with the given tensors as its parameters (put in ``_parameters``, as
    torch.func.functional_call does), so that gradients reach the sample's leaves in both libraries."""
    for name, value in parameters.items():
        module._parameters[name] = value
    return module


def _lstm_cell(lib: Any, x: Any, h: Any, c: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
    """One nn.LSTMCell step, [h', c'] side by side."""
    cell = _with_parameters(lib.nn.LSTMCell(x.shape[1], h.shape[1], dtype=lib.float64), weight_ih=w_ih,
                            weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh)
    return lib.cat(list(cell(x, (h, c))), 1)


def _gru_cell(lib: Any, x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
    """One nn.GRUCell step."""
    cell = _with_parameters(lib.nn.GRUCell(x.shape[1], h.shape[1], dtype=lib.float64), weight_ih=w_ih,
                            weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh)
    return cell(x, h)


def _conv2d_module(lib: Any, x: Any, w: Any, b: Any, **kwargs: Any) -> Any:
    """nn.Conv2d computing with the given weight and bias."""
    conv = lib.nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), dtype=lib.float64, **kwargs)
    return _with_parameters(conv, weight=w, bias=b)(x)


def _setitem(lib: Any, x: Any, v: Any, index: Any) -> Any:
    y = x * 1
    y[index] = v
    return y


def _copy(lib: Any, x: Any, src: Any) -> Any:
    y = x * 1
    y.copy_(src)
    return y * x


def _fill(lib: Any, x: Any, value: float) -> Any:
    y = x * 1
    y.fill_(value)
    return y * x


def _zero(lib: Any, x: Any) -> Any:
    y = x * 1
    y.zero_()
    return y + x


# ----------------------------------------------------------------------------- the rows
def _small_ints(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Floats drawn from {-2, ..., 2}: comparisons see equal elements too."""
    return rng.integers(-2, 3, shape).astype(np.float64)


def _with_specials(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    x = rng.standard_normal(shape).reshape(-1)
    x[::3] = np.inf
    x[1::4] = np.nan
    x[2::5] = -np.inf
    return x.reshape(shape)


def _of_positive(call: Callable, skip: int = 0) -> Callable:
    """``call(x > 0, y > 0, ...)``: masks of the inputs (after ``skip`` leading arguments such as lib)."""
    def fn(*args: Any, **kwargs: Any) -> Any:
        return call(*args[:skip], *(a > 0 for a in args[skip:]), **kwargs)
    return fn


def _times_x(call: Callable) -> Callable:
    """``call(x) * x``: keeps the second derivative of a piecewise-linear op non-zero."""
    def fn(lib: Any, x: Any, *rest: Any, **kwargs: Any) -> Any:
        return call(lib, x, *rest, **kwargs) * x
    return fn


_CMP_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3))]
_CMP_REFS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater,
             "ge": np.greater_equal}

BINARY = [
    OpInfo("__add__", operation(operator.add), each_pair(), ref=np.add, dtypes=INT_BOOL, result_dtype=same),
    OpInfo("__sub__", operation(operator.sub), each_pair(), ref=np.subtract, dtypes=("int64",), result_dtype=same),
    OpInfo("__mul__", operation(operator.mul), each_pair(), ref=np.multiply, dtypes=INT_BOOL, result_dtype=same),
    OpInfo("__truediv__", operation(operator.truediv), each_pair(make_b=positive), ref=np.divide, dtypes=("int64",),
           result_dtype=to_float),
    OpInfo("__pow__", operation(operator.pow), each_pair(positive, normal, BROADCAST_PAIRS[:4]), ref=np.power),
    OpInfo("__pow__", lambda lib, x, p: x ** p, fixed(*[case((2, 3), make=positive, p=p) for p in (2, 3, 0.5, -1.5, 0)],
                                                       case((2, 3), p=3)),
           ref=lambda a, p: a ** p, variant="scalar"),
    OpInfo("__radd__", lambda lib, x: 2.5 + x, each_shape(shapes=[(2, 3)]), ref=lambda a: 2.5 + a),
    OpInfo("__rsub__", lambda lib, x: 2.0 - x, each_shape(shapes=[(2, 3)]), ref=lambda a: 2.0 - a),
    OpInfo("__rmul__", lambda lib, x: 1.5 * x + 0.5, each_shape(shapes=[(2, 3)]), ref=lambda a: 1.5 * a + 0.5),
    OpInfo("__rtruediv__", lambda lib, x: 3.0 / x, each_shape(positive, [(2, 3)]), ref=lambda a: 3.0 / a),
    OpInfo("__rpow__", lambda lib, x: 2.0 ** x, each_shape(shapes=[(2, 3), (4,)]), ref=lambda a: 2.0 ** a),
    OpInfo("add", method("add"), fixed(case((2, 3), (3,)), case((2, 3), (2, 3), alpha=2.0)),
           ref=lambda a, b, alpha=1: a + alpha * b),
    OpInfo("sub", method("sub"), fixed(case((2, 3), (2, 1)), case((2, 3), (3,), alpha=0.5)),
           ref=lambda a, b, alpha=1: a - alpha * b),
    OpInfo("mul", method("mul"), fixed(case((2, 3), (3,))), ref=np.multiply),
    OpInfo("div", method("div"), fixed(case((2, 3), (2, 1), make=(normal, positive))), ref=np.divide),
    *with_function(OpInfo("pow", method("pow"), fixed(case((2, 3), make=positive, exponent=2),
                                                      case((2, 3), make=positive, exponent=0.5)),
                          ref=lambda a, exponent: a ** exponent), samples=1),
    OpInfo("pow", method("pow"), fixed(case((2, 3), (3,), make=(positive, normal))), ref=np.power, variant="tensor"),
    *with_function(OpInfo("maximum", method("maximum"), each_pair(), ref=np.maximum, dtypes=("int64",),
                          result_dtype=same)),
    *with_function(OpInfo("minimum", method("minimum"), each_pair(), ref=np.minimum, dtypes=("int64",),
                          result_dtype=same)),
    OpInfo("maximum", _times_x(method("maximum")), fixed(case((4,), (4,))), ref=lambda a, b: np.maximum(a, b) * a,
           variant="times_x"),
    OpInfo("minimum", lambda lib, a, b: a.minimum(b) * b, fixed(case((4,), (4,))),
           ref=lambda a, b: np.minimum(a, b) * b, variant="times_y"),
]

_unary = [
    # (name, NumPy reference, inputs, dtype rule for int64 / bool inputs or None)
    ("exp", np.exp, normal, to_float),
    ("log", np.log, positive, None),
    ("sqrt", np.sqrt, positive, None),
    ("abs", np.abs, away(0.0), None),
    ("sin", np.sin, normal, to_float),
    ("cos", np.cos, normal, to_float),
    ("tanh", np.tanh, normal, to_float),
    ("sigmoid", _sigmoid, normal, to_float),
    ("relu", lambda a: np.maximum(a, 0), away(0.0), None),
]
UNARY = [
    OpInfo("__neg__", operation(operator.neg), each_shape(), ref=np.negative, dtypes=("int64",), result_dtype=same),
    OpInfo("__pos__", operation(operator.pos), each_shape(shapes=[(2, 3)]), ref=np.positive),
    *[r for name, ref, make, rule in _unary for r in with_function(
        OpInfo(name, method(name), each_shape(make), ref=ref, dtypes=INT_BOOL if rule else (), result_dtype=rule))],
    OpInfo("abs", _times_x(method("abs")), each_shape(away(0.0, gap=0.2), [(5,)]), ref=lambda a: np.abs(a) * a,
           variant="times_x"),
    OpInfo("relu", _times_x(method("relu")), each_shape(away(0.0), [(4,)]), ref=lambda a: np.maximum(a, 0) * a,
           variant="times_x"),
    OpInfo("sign", lambda lib, x: x.sign() * x, each_shape(away(0.0)), ref=lambda a: np.sign(a) * a),
    OpInfo("square", method("square"), each_shape(), ref=np.square, dtypes=("int64",), result_dtype=same),
    *with_function(OpInfo("clamp", method("clamp"), each_shape(away(-0.5, 0.7), min=-0.5, max=0.7),
                          ref=lambda a, min, max: np.clip(a, min, max))),
    OpInfo("clamp", method("clamp"), each_shape(away(0.1), min=0.1), ref=lambda a, min: np.maximum(a, min),
           variant="min"),
    OpInfo("clamp", _times_x(method("clamp")), each_shape(away(-0.5, 0.5), [(4,)], min=-0.5, max=0.5),
           ref=lambda a, min, max: np.clip(a, min, max) * a, variant="times_x"),
    OpInfo("clamp", lambda lib, x, lo, hi: x.clamp(lo, hi),
           fixed(case((2, 3), (2, 3), (2, 3), make=(normal, uniform(-0.6, -0.4), uniform(0.4, 0.6))),
                 case((2, 3), (3,), (), make=(normal, uniform(-0.6, -0.4), uniform(0.4, 0.6)))),
           ref=lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi), variant="tensor_bounds"),
    *with_function(OpInfo("clip", method("clip"), each_shape(away(0.2), max=0.2),
                          ref=lambda a, max: np.minimum(a, max))),
]

_reductions = [
    # (name, NumPy reference, dims, inputs, dtype rule)
    ("sum", _reduce(np.sum), REDUCE_DIMS, normal, sum_dtype),
    ("mean", _reduce(np.mean), REDUCE_DIMS, normal, None),
    ("var", _reduce(np.var, ddof=1), REDUCE_DIMS, normal, None),
    ("std", _reduce(np.std, ddof=1), REDUCE_DIMS, normal, None),
    ("amax", _reduce(np.max), REDUCE_DIMS, distinct, same),
    ("amin", _reduce(np.min), REDUCE_DIMS, distinct, same),
    ("logsumexp", _logsumexp, [d for d in REDUCE_DIMS if d is not None] + [(0, 1, 2)], normal, None),
]
def _reduction_row(name: str, ref: Callable, dims: list, make: Callable, rule: Callable | None) -> list[OpInfo]:
    dtypes = INT_BOOL if rule is sum_dtype else ("int64",) if rule else ()
    row = OpInfo(name, method(name), reduction_samples(dims, make), ref=ref, dtypes=dtypes, result_dtype=rule)
    return with_function(row) if name in ("sum", "mean") else [row]


REDUCTIONS = [
    *[r for entry in _reductions for r in _reduction_row(*entry)],
    OpInfo("var", method("var"), fixed(case((2, 4), dim=1), case((5,), unbiased=False), case((2, 3), correction=0,
                                                                                               dim=0)),
           ref=lambda a, dim=None, unbiased=True, correction=None: a.var(
               axis=dim, ddof=(int(unbiased) if correction is None else correction)), variant="correction"),
    OpInfo("std", method("std"), fixed(case((5,)), case((2, 3), dim=1, unbiased=False)),
           ref=lambda a, dim=None, unbiased=True: a.std(axis=dim, ddof=int(unbiased)), variant="unbiased"),
    OpInfo("sum", lambda lib, x, **kw: (x * x).sum(**kw), fixed(case((2, 3), dim=1), case((2, 3))),
           ref=lambda a, dim=None: (a * a).sum(axis=dim), variant="of_square"),
    OpInfo("amax", lambda lib, x: (x * x).amax(dim=1), fixed(case((2, 3), make=positive)),
           ref=lambda a: (a * a).max(axis=1), variant="of_square"),
    *with_function(OpInfo("max", method("max"), each_shape(distinct, [(3,), (2, 3), (2, 3, 4)]), ref=np.max,
                          dtypes=("int64",), result_dtype=same)),
    *with_function(OpInfo("min", method("min"), each_shape(distinct, [(3,), (2, 3), (2, 3, 4)]), ref=np.min,
                          dtypes=("int64",), result_dtype=same)),
    *[OpInfo(which, lambda lib, x, _w=which, **kw: getattr(x, _w)(**kw).values,
             reduction_samples([0, 1, -1], distinct, (3, 4)), ref=_along(getattr(np, which)), variant="dim")
      for which in ("max", "min")],
    *[OpInfo(which, lambda lib, x, _w=which, **kw: getattr(x, _w)(**kw).indices,
             reduction_samples([0, 1, -1], distinct, (3, 4)), ref=_along(getattr(np, "arg" + which)),
             variant="dim_indices", supports_grad=False, supports_gradgrad=False) for which in ("max", "min")],
    OpInfo("max", lambda lib, x: (x * x).max(dim=0).values, fixed(case((3, 2), make=positive)),
           ref=lambda a: (a * a).max(axis=0), variant="dim_of_square"),
    *[r for name in ("argmax", "argmin") for r in with_function(OpInfo(
        name, method(name), reduction_samples([None, 0, 1], distinct, (3, 4)),
        ref=_reduce(getattr(np, name)),
        supports_grad=False, supports_gradgrad=False, dtypes=("int64",), result_dtype=always("int64")))],
    *[OpInfo(name, lambda lib, x, _n=name, **kw: getattr(x > 0, _n)(**kw),
             each_kwargs((2, 3), [{}, {"dim": 1}, {"dim": 0, "keepdim": True}]),
             ref=_of_positive(_reduce(getattr(np, name))),
             supports_grad=False, supports_gradgrad=False) for name in ("all", "any")],
    *[r for name in ("softmax", "log_softmax") for r in with_function(OpInfo(
        name, method(name), fixed(*[case((3, 4), dim=d) for d in (0, 1, -1)], case((2, 3, 4), dim=1)),
        ref=(lambda a, dim: _softmax(a, dim)) if name == "softmax" else (lambda a, dim: np.log(_softmax(a, dim))),
        dtypes=(), result_dtype=None))],
]

COMPARISONS = [
    *[OpInfo(name, method(name), each_pair(_small_ints, _small_ints, _CMP_PAIRS), ref=ref, supports_grad=False,
             supports_gradgrad=False, dtypes=INT_BOOL, result_dtype=always("bool")) for name, ref in _CMP_REFS.items()],
    *[OpInfo(name, function(name), each_pair(_small_ints, _small_ints, _CMP_PAIRS[:1]), ref=ref, supports_grad=False,
             supports_gradgrad=False, variant="function") for name, ref in _CMP_REFS.items()],
    *[OpInfo(f"__{name}__", operation(getattr(operator, name)), each_pair(_small_ints, _small_ints, _CMP_PAIRS),
             ref=ref,
             supports_grad=False, supports_gradgrad=False, dtypes=("int64",), result_dtype=always("bool"))
      for name, ref in _CMP_REFS.items()],
    *[r for name in ("isnan", "isinf", "isfinite") for r in with_function(OpInfo(
        name, method(name), each_shape(_with_specials, [(4, 5)]), ref=getattr(np, name), supports_grad=False,
        supports_gradgrad=False))],
    *[r for name in ("logical_and", "logical_or", "logical_xor") for r in with_function(OpInfo(
        name, method(name), each_pair(_small_ints, _small_ints, _CMP_PAIRS[:2]), ref=getattr(np, name),
        supports_grad=False, supports_gradgrad=False, dtypes=INT_BOOL, result_dtype=always("bool")))],
    *with_function(OpInfo("logical_not", method("logical_not"), each_shape(_small_ints, [(2, 3)]), ref=np.logical_not,
                          supports_grad=False, supports_gradgrad=False, dtypes=INT_BOOL, result_dtype=always("bool"))),
    *[OpInfo(f"__{name}__", _of_positive(operation(getattr(operator, name + "_")), skip=1),
             each_pair(normal, normal, _CMP_PAIRS), ref=_of_positive(getattr(np, "logical_" + name)),
             supports_grad=False, supports_gradgrad=False) for name in ("and", "or")],
    OpInfo("__invert__", lambda lib, x: ~(x > 0), each_shape(shapes=[(2, 3)]), ref=lambda a: ~(a > 0),
           supports_grad=False, supports_gradgrad=False),
]

_GETITEM_INDICES = [
    ((2, 3, 4), (slice(1, None), slice(None, None, 2), -1)),
    ((2, 3, 4), (Ellipsis, None, 0)),
    ((2, 3, 4), [0, 1, 0, 0]),
    ((2, 3, 4), ([0, 1, 1], [2, 0, 2])),
    ((2, 3), (slice(None), slice(1, None))),
    ((2, 3), [0, 0, 1]),
    ((3,), [0, 0, 2, 0]),
]

SHAPE_OPS = [
    *with_function(OpInfo("reshape", lambda lib, x, shape: x.reshape(shape),
                          fixed(case((2, 3, 4), shape=(4, 6)), case((2, 3), shape=(3, 2)),
                                case((2, 3, 4), shape=(-1,))),
                          ref=lambda a, shape: a.reshape(shape), dtypes=INT_BOOL, result_dtype=same)),
    OpInfo("view", lambda lib, x, shape: x.view(shape), fixed(case((2, 3, 4), shape=(-1, 3)), case((2, 3), shape=(6,))),
           ref=lambda a, shape: a.reshape(shape)),
    *with_function(OpInfo("flatten", method("flatten"), fixed(case((2, 3, 4)), case((2, 3, 4), start_dim=1),
                                                              case((2, 3, 4, 1), start_dim=1, end_dim=2)),
                          ref=lambda a, start_dim=0, end_dim=-1: a.reshape(
                              a.shape[:start_dim] + (-1,) + a.shape[end_dim % a.ndim + 1:]))),
    OpInfo("transpose", method("transpose"), fixed(case((2, 3, 4), dim0=0, dim1=2), case((2, 3), dim0=1, dim1=0)),
           ref=lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1), dtypes=("int64",), result_dtype=same),
    OpInfo("permute", lambda lib, x, dims: x.permute(*dims),
           fixed(case((2, 3, 4), dims=(1, 2, 0)), case((2, 3, 2), dims=(2, 0, 1)), case((2, 3), dims=(-1, 0))),
           ref=lambda a, dims: a.transpose(dims)),
    OpInfo("T", lambda lib, x: x.T, each_shape(shapes=[(2, 3)]), ref=lambda a: a.T),
    # x.T on other than 2-D reverses the dims; PyTorch warns that this is deprecated
    OpInfo("T", lambda lib, x: x.T, each_shape(shapes=[(2, 3, 4), (3,)]), ref=lambda a: a.T, variant="reverse",
           torch=False),
    OpInfo("mT", lambda lib, x: x.mT, each_shape(shapes=[(2, 3, 4), (2, 3)]), ref=lambda a: np.swapaxes(a, -1, -2)),
    OpInfo("t", method("t"), each_shape(shapes=[(2, 3), (3,)]), ref=lambda a: a.T),
    OpInfo("unsqueeze", method("unsqueeze"), fixed(case((2, 3, 4), dim=1), case((3,), dim=-1), case((), dim=0)),
           ref=lambda a, dim: np.expand_dims(a, dim)),
    OpInfo("squeeze", method("squeeze"), fixed(case((2, 1, 4), dim=1), case((2, 1, 4)), case((2, 3, 4, 1), dim=-1),
                                               case((2, 3), dim=0)),
           ref=lambda a, dim=None: np.squeeze(a, dim) if dim is None or a.shape[dim] == 1 else a),
    OpInfo("expand", lambda lib, x, sizes: x.expand(*sizes),
           fixed(case((2, 1, 4), sizes=(2, 3, 4)), case((2, 3, 4), sizes=(5, -1, -1, -1)), case((1, 3), sizes=(2, 3))),
           ref=lambda a, sizes: np.broadcast_to(a, tuple(s if s != -1 else a.shape[i - len(sizes) + a.ndim]
                                                          for i, s in enumerate(sizes)))),
    OpInfo("expand_as", lambda lib, x, other: x.expand_as(lib.tensor(other)),
           fixed(case((1, 3), other=np.zeros((2, 3)))),
           ref=lambda a, other: np.broadcast_to(a, other.shape)),
    OpInfo("contiguous", lambda lib, x: x.transpose(0, 1).contiguous(), each_shape(shapes=[(2, 3, 4)]),
           ref=lambda a: np.swapaxes(a, 0, 1)),
    OpInfo("__getitem__", lambda lib, x, index: x[index],
           lambda rng: (Sample((normal(rng, shape),), {"index": index}) for shape, index in _GETITEM_INDICES),
           ref=lambda a, index: a[index], dtypes=("int64",), result_dtype=same),
    OpInfo("__getitem__", lambda lib, x: x[:, lib.tensor([2, 2, 1])], each_shape(shapes=[(2, 3, 4)]),
           ref=lambda a: a[:, [2, 2, 1]], variant="tensor_index"),
    OpInfo("__getitem__", lambda lib, x: x[x.detach() > 0], each_shape(shapes=[(2, 3, 4), (2, 2)]),
           ref=lambda a: a[a > 0], variant="bool_mask"),
    OpInfo("__getitem__", lambda lib, x: (x * x)[x > 0], each_shape(away(0.0), [(2, 2)]), ref=lambda a: (a * a)[a > 0],
           variant="mask_of_square"),
    OpInfo("__setitem__", _setitem, fixed(case((3, 4), (4,), index=1), case((3, 4), (2, 4), index=[0, 2]),
                                          case((2, 3, 4), (), index=(slice(None), 1))),
           ref=_setitem_ref),
    OpInfo("ops.shape.IndexAdd", lambda lib, x, **kw: IndexAdd.apply(x, **kw),
           fixed(case((4,), shape=(3,), index=(np.array([0, 2, 0, 1]),)),
                 case((2, 4), shape=(2, 3, 4), index=(slice(None), 1))),
           ref=_index_add_ref, torch=False),
    OpInfo("cat", lambda lib, *ts, dim: lib.cat(list(ts), dim),
           fixed(*[case((2, 3), (2, 3), (2, 3), dim=d) for d in (0, 1, -1)], case((2, 2), (2, 3), dim=1)),
           ref=lambda *arrays, dim: np.concatenate(arrays, axis=dim), dtypes=INT_BOOL, result_dtype=same),
    OpInfo("cat", lambda lib, a, b: lib.cat([a * b, b * b], dim=1), fixed(case((2, 2), (2, 2))),
           ref=lambda a, b: np.concatenate([a * b, b * b], axis=1), variant="of_products"),
    OpInfo("stack", lambda lib, *ts, dim: lib.stack(list(ts), dim),
           fixed(*[case((2, 3), (2, 3), (2, 3), dim=d) for d in (0, 1, -1)], case((3,), (3,), dim=0)),
           ref=lambda *arrays, dim: np.stack(arrays, axis=dim), dtypes=INT_BOOL, result_dtype=same),
    OpInfo("stack", lambda lib, a, b: lib.stack([a * b, a], dim=0), fixed(case((3,), (3,))),
           ref=lambda a, b: np.stack([a * b, a]), variant="of_product"),
    OpInfo("where", lambda lib, a, b: lib.where(a.detach() > 0, a, b),
           each_pair(pairs=[((2, 3), (3,)), ((2, 3), (2, 3))]),
           ref=lambda a, b: np.where(a > 0, a, b), dtypes=("int64",), result_dtype=same),
    OpInfo("where", lambda lib, a, b: a.where(a.detach() > 0, b), each_pair(pairs=[((2, 3), (3,))]),
           ref=lambda a, b: np.where(a > 0, a, b), variant="method"),
    OpInfo("where", lambda lib, a: lib.where(a.detach() > 0, a, 0.0), each_shape(shapes=[(2, 3)]),
           ref=lambda a: np.where(a > 0, a, 0.0), variant="scalar"),
    OpInfo("where", lambda lib, a, b: lib.where(a > 0, a * a, b * a), each_pair(pairs=[((2, 3), (2, 3))]),
           ref=lambda a, b: np.where(a > 0, a * a, b * a), variant="of_products"),
    OpInfo("clone", method("clone"), each_shape(shapes=[(2, 3), ()]), ref=np.copy, dtypes=("int64",),
           result_dtype=same),
    OpInfo("clone", _times_x(method("clone")), each_shape(shapes=[(3,)]), ref=lambda a: a * a, variant="times_x"),
]

MATMUL = [
    OpInfo("__matmul__", operation(operator.matmul), each_pair(pairs=MATMUL_SHAPES + [((2, 2, 3), (3, 2))]),
           ref=np.matmul,
           dtypes=("int64",), result_dtype=same),
    # y @ x with a non-Tensor y raises in PyTorch (list, ndarray): the method is called directly
    OpInfo("__rmatmul__", lambda lib, x, y: x.__rmatmul__(y), each_pair(pairs=[((3, 2), (2, 3)), ((3,), (2, 3))]),
           ref=lambda a, b: b @ a),
    *with_function(OpInfo("matmul", method("matmul"), each_pair(pairs=MATMUL_SHAPES[:4]), ref=np.matmul)),
    *with_function(OpInfo("mm", method("mm"), each_pair(pairs=[((2, 3), (3, 4))]), ref=np.matmul), samples=1),
    *with_function(OpInfo("bmm", method("bmm"), each_pair(pairs=[((2, 2, 3), (2, 3, 4))]), ref=np.matmul), samples=1),
    *with_function(OpInfo("mv", method("mv"), each_pair(pairs=[((2, 3), (3,))]), ref=np.matmul), samples=1),
    *with_function(OpInfo("dot", method("dot"), each_pair(pairs=[((3,), (3,))]), ref=np.dot), samples=1),
    *with_function(OpInfo("outer", method("outer"), each_pair(pairs=[((3,), (2,))]), ref=np.outer), samples=1),
    *with_function(OpInfo("addmm", method("addmm"), fixed(case((2, 4), (2, 3), (3, 4)), case((4,), (2, 3), (3, 4),
                                                                                                beta=0.5, alpha=2.0)),
                          ref=lambda c, a, b, beta=1, alpha=1: beta * c + alpha * (a @ b))),
]

INPLACE = [
    OpInfo("add_", inplace("add_"), fixed(case((2, 3), (3,)), case((2, 3), (2, 3), alpha=2.0)),
           ref=lambda a, b, alpha=1: a + alpha * b),
    OpInfo("sub_", inplace("sub_"), fixed(case((2, 3), (3,)), case((2, 3), (), alpha=0.5)),
           ref=lambda a, b, alpha=1: a - alpha * b),
    OpInfo("mul_", inplace("mul_"), fixed(case((2, 3), (3,))), ref=np.multiply),
    OpInfo("div_", inplace("div_"), fixed(case((2, 3), (3,), make=(normal, positive))), ref=np.divide),
    OpInfo("clamp_", inplace("clamp_"), each_shape(away(-0.5, 0.7), [(2, 3)], min=-0.5, max=0.7),
           ref=lambda a, min, max: np.clip(a, min, max)),
    OpInfo("clip_", inplace("clip_"), each_shape(away(0.2), [(2, 3)], min=0.2), ref=lambda a, min: np.maximum(a, min)),
    OpInfo("copy_", _copy, fixed(case((2, 3), (3,))), ref=lambda a, b: np.broadcast_to(b, a.shape) * a),
    OpInfo("fill_", _fill, fixed(case((2, 3), value=0.5)), ref=lambda a, value: np.full_like(a, value) * a),
    OpInfo("zero_", _zero, fixed(case((2, 3))), ref=lambda a: a),
    OpInfo("__iadd__", augmented(operator.iadd), fixed(case((2, 3), (3,))), ref=np.add),
    OpInfo("__isub__", augmented(operator.isub), fixed(case((2, 3), (2, 3))), ref=np.subtract),
    OpInfo("__imul__", augmented(operator.imul), fixed(case((2, 3), (2, 1))), ref=np.multiply),
    OpInfo("__itruediv__", augmented(operator.itruediv), fixed(case((2, 3), (3,), make=(normal, positive))),
           ref=np.divide),
]

_LOSSY = {"eps": 1e-2, "atol": 1e-4}  # through float32: linear, so a big eps is exact up to float32 rounding
CASTS = [
    OpInfo("float", lambda lib, x: x.float().double(), each_shape(shapes=[(3,), (2, 3)]),
           ref=lambda a: a.astype(np.float32).astype(np.float64), gradcheck_kwargs=_LOSSY),
    OpInfo("float", method("float"), each_shape(shapes=[(2, 3)]), ref=lambda a: a.astype(np.float32),
           variant="float32_out", gradcheck_kwargs=_LOSSY, supports_gradgrad=False, dtypes=INT_BOOL,
           result_dtype=always("float32")),
    OpInfo("double", method("double"), each_shape(shapes=[(2, 3)]), ref=np.copy, dtypes=INT_BOOL,
           result_dtype=always("float64")),
    OpInfo("to", lambda lib, x: x.to(lib.float32).to(dtype=lib.float64), each_shape(shapes=[(2, 3)]),
           ref=lambda a: a.astype(np.float32).astype(np.float64), gradcheck_kwargs=_LOSSY),
    *[OpInfo(name, method(name), each_shape(shapes=[(2, 3)]), ref=lambda a, _d=dt: a.astype(_d), supports_grad=False,
             supports_gradgrad=False, dtypes=INT_BOOL, result_dtype=always(dt))
      for name, dt in (("long", "int64"), ("int", "int32"), ("bool", "bool"))],
]


def nn_functional(name: str) -> Callable[..., Any]:
    """``lambda lib, *tensors, **kw: lib.nn.functional.<name>(*tensors, **kw)``."""
    def call(lib: Any, *tensors: Any, **kwargs: Any) -> Any:
        return getattr(lib.nn.functional, name)(*tensors, **kwargs)
    return call


def _functional_row(name: str, samples: Callable, ref: Callable | None, **options: Any) -> OpInfo:
    return OpInfo(f"nn.functional.{name}", nn_functional(name), samples, ref=ref, **options)


def _targets(call: Callable, key: str = "target") -> Callable:
    """``call(lib, *tensors, target=lib.tensor(target))``: a constant (class indices, probabilities) as a tensor."""
    def fn(lib: Any, *tensors: Any, **kwargs: Any) -> Any:
        kwargs[key] = lib.tensor(kwargs[key])
        return call(lib, *tensors, **kwargs)
    return fn


def _reduced(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](loss)


def _cross_entropy_ref(z: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    logp = np.log(_softmax(z, 1))
    if target.dtype.kind == "f":
        loss = -(target * logp).sum(axis=1)
    else:
        loss = -np.take_along_axis(logp, target[:, None], axis=1)[:, 0]
    return _reduced(loss, reduction)


_REDUCTIONS = ("mean", "sum", "none")
_CLASSES = np.array([1, 0, 3])
_PROBS = np.eye(3)[[0, 2]]

NN = [
    _functional_row("linear", fixed(case((2, 3), (4, 3), (4,)), case((2, 3), (4, 3)), case((2, 2, 3), (4, 3), (4,))),
                    lambda x, w, b=None: x @ w.T + (0 if b is None else b)),
    OpInfo("nn.functional.linear", lambda lib, x, w, b: lib.nn.functional.linear(x, w, b) ** 2,
           fixed(case((2, 3), (4, 3), (4,))), ref=lambda x, w, b: (x @ w.T + b) ** 2, variant="squared"),
    *[_functional_row("mse_loss", fixed(case((2, 3), (2, 3), reduction=r)),
                      lambda x, y, reduction: _reduced((x - y) ** 2, reduction), variant=r) for r in _REDUCTIONS],
    *[_functional_row("l1_loss", fixed(case((2, 3), (2, 3), reduction=r)),
                      lambda x, y, reduction: _reduced(np.abs(x - y), reduction), variant=r) for r in ("mean", "none")],
    *[OpInfo("nn.functional.cross_entropy", _targets(nn_functional("cross_entropy")),
             fixed(case((3, 4), target=_CLASSES, reduction=r)), ref=_cross_entropy_ref, variant=r)
      for r in _REDUCTIONS],
    OpInfo("nn.functional.cross_entropy", _targets(nn_functional("cross_entropy")),
           fixed(case((2, 3), target=_PROBS), case((2, 3), target=_PROBS, reduction="sum")), ref=_cross_entropy_ref,
           variant="probabilities"),
    OpInfo("nn.functional.nll_loss", lambda lib, x, target: lib.nn.functional.nll_loss(x.log_softmax(1),
                                                                                        lib.tensor(target)),
           fixed(case((3, 4), target=_CLASSES)), ref=lambda z, target: _cross_entropy_ref(z, target)),
    *[_functional_row("binary_cross_entropy", fixed(case((4,), (4,), make=(uniform(0.2, 0.8), uniform(0, 1)),
                                                         reduction=r)),
                      lambda x, y, reduction: _reduced(-(y * np.log(x) + (1 - y) * np.log(1 - x)), reduction),
                      variant=r) for r in _REDUCTIONS],
    *[_functional_row("binary_cross_entropy_with_logits", fixed(case((4,), (4,), make=(normal, uniform(0, 1)),
                                                                     reduction=r)),
                      lambda x, y, reduction: _reduced(np.log1p(np.exp(x)) - y * x, reduction), variant=r)
      for r in _REDUCTIONS],
    _functional_row("softplus", fixed(case((2, 3)), case((2, 3), beta=2.0)), _softplus),
    _functional_row("logsigmoid", fixed(case((2, 3))), lambda a: np.log(_sigmoid(a))),
    _functional_row("gelu", fixed(case((2, 3))), lambda a: a * (1 + _erf(a / np.sqrt(2))) / 2),
    _functional_row("leaky_relu", each_shape(away(0.0), [(2, 3)], negative_slope=0.1),
                    lambda a, negative_slope: np.where(a > 0, a, a * negative_slope)),
    _functional_row("elu", each_shape(away(0.0), [(2, 3)]), lambda a: np.where(a > 0, a, np.exp(a) - 1)),
    _functional_row("silu", each_shape(shapes=[(2, 3)]), lambda a: a * _sigmoid(a)),
    _functional_row("hardtanh", each_shape(away(-1.0, 1.0), [(2, 3)]), lambda a: np.clip(a, -1, 1)),
    _functional_row("softsign", each_shape(shapes=[(2, 3)]), lambda a: a / (1 + np.abs(a))),
    _functional_row("conv2d", fixed(case((1, 2, 5, 5), (3, 2, 3, 3), (3,)),
                                    case((2, 2, 5, 5), (3, 2, 3, 3), (3,), stride=2, padding=1),
                                    case((1, 2, 5, 5), (2, 2, 2, 2), dilation=2)), _conv2d),
    OpInfo("nn.Conv2d", _conv2d_module, fixed(case((1, 2, 5, 5), (3, 2, 3, 3), (3,)),
                                              case((2, 2, 5, 5), (3, 2, 3, 3), (3,), stride=2, padding=1),
                                              case((1, 2, 5, 5), (2, 2, 2, 2), (2,), dilation=2)), ref=_conv2d),
    _functional_row("conv_transpose2d", fixed(case((1, 2, 3, 3), (2, 3, 2, 2), (3,)),
                                              case((1, 2, 3, 3), (2, 2, 3, 3), stride=2, padding=1)),
                    _conv_transpose2d),
    _functional_row("max_pool2d", fixed(case((1, 2, 4, 4), make=distinct, kernel_size=2),
                                        case((1, 2, 4, 4), make=distinct, kernel_size=3, stride=1, padding=1)),
                    _max_pool2d),
    _functional_row("avg_pool2d", fixed(case((1, 2, 4, 4), kernel_size=2)),
                    lambda a, kernel_size: a.reshape(1, 2, 2, 2, 2, 2).mean(axis=(3, 5))),
    *[_functional_row("pad", fixed(case((1, 2, 5), pad=(1, 2), mode=mode)),
                      lambda a, pad, mode, _m=np_mode: np.pad(a, ((0, 0), (0, 0), pad), mode=_m), variant=mode)
      for mode, np_mode in (("reflect", "reflect"), ("replicate", "edge"))],
    _functional_row("pad", fixed(case((2, 3), pad=(1, 0, 2, 1), value=0.5)),
                    lambda a, pad, value: np.pad(a, ((pad[2], pad[3]), (pad[0], pad[1])), constant_values=value),
                    variant="constant"),
    OpInfo("nn.functional.embedding", lambda lib, w, indices: lib.nn.functional.embedding(lib.tensor(indices), w),
           fixed(case((5, 3), indices=np.array([[0, 2, 4], [1, 1, 3]]))), ref=lambda w, indices: w[indices]),
    OpInfo("nn.functional.layer_norm", lambda lib, x, w, b, shape: lib.nn.functional.layer_norm(x, shape, w, b),
           fixed(case((2, 3, 4), (4,), (4,), shape=(4,)), case((2, 3, 4), (3, 4), (3, 4), shape=(3, 4))),
           ref=lambda x, w, b, shape: _layer_norm(x, w, b, shape)),
    OpInfo("nn.functional.batch_norm", lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b,
                                                                                          training=True),
           fixed(case((4, 3), (3,), (3,)), case((2, 3, 4), (3,), (3,))), ref=_batch_norm),
    OpInfo("nn.LSTMCell", _lstm_cell, fixed(case((2, 3), (2, 2), (2, 2), (8, 3), (8, 2), (8,), (8,))), ref=_lstm_ref),
    OpInfo("nn.GRUCell", _gru_cell, fixed(case((2, 3), (2, 2), (6, 3), (6, 2), (6,), (6,))), ref=_gru_ref),
]


def _net_ref(w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, x: np.ndarray) -> np.ndarray:
    return _sigmoid(_sigmoid(x @ w1.T + b1) @ w2.T + b2)


# expressions mixing many ops (from the old parity suite): checked by gradcheck here and against PyTorch
_EXPRESSIONS = {
    "arith": lambda m, a, b: (a * b + a / (b.abs() + 1) - b ** 2).sum(),
    "unary": lambda m, a, b: (a.exp() + a.sin() * a.cos() + a.tanh() + a.sigmoid() + a.relu()).mean(),
    "log_sqrt": lambda m, a, b: ((a.abs() + 0.1).log() + (b.abs() + 0.1).sqrt()).sum(),
    "clamp_max_min": lambda m, a, b: (a.clamp(-0.3, 0.4) + m.maximum(a, b) - m.minimum(a, b)).sum(),
    "reductions": lambda m, a, b: a.sum(0).pow(2).sum() + a.mean(1).sum() + a.var(0).sum() + a.std(1).sum()
    + a.amax(1).sum() + a.logsumexp(1).sum(),
    "max_dim": lambda m, a, b: a.max(1).values.sum() + a.min(0).values.sum() + a.max(),
    "softmax": lambda m, a, b: (a.softmax(1) * b).sum() + (a.log_softmax(0) * b).sum(),
    "matmul": lambda m, a, b: (a @ b.T).tanh().sum() + (a[0] @ b.T).sum(),
    "shape": lambda m, a, b: (a.reshape(4, 3).T @ b.reshape(3, 4).T).sum() + a.unsqueeze(0).expand(2, 3, 4).sum()
    + (a.permute(1, 0).flatten() * b.transpose(0, 1).flatten()).sum(),
    "indexing": lambda m, a, b: a[[0, 0, 2], 1:].sum() + (a[:, m.tensor([3, 3, 0])] * b[:, :3]).sum(),
    "cat_stack_where": lambda m, a, b: (m.cat([a, b], 1) ** 2).sum() + m.stack([a, b], 2).sum(1).pow(2).sum()
    + m.where(a > 0, a, b * 2).sum(),
}
COMPOSITES = [
    *[OpInfo("composite", fn, fixed(case((3, 4), (3, 4), make=away(0.0, 0.4, -0.3, gap=0.05))), variant=key)
      for key, fn in _EXPRESSIONS.items()],
    OpInfo("composite", lambda lib, w1, b1, w2, b2, x: ((lib.tensor(x) @ w1.T + b1).sigmoid() @ w2.T + b2).sigmoid(),
           lambda rng: [Sample(tuple(normal(rng, s) for s in ((4, 3), (4,), (1, 4), (1,))),
                               {"x": rng.standard_normal((5, 3))})], ref=_net_ref, variant="two_layer_net"),
]

OPS: list[OpInfo] = [*BINARY, *UNARY, *REDUCTIONS, *COMPARISONS, *SHAPE_OPS, *MATMUL, *INPLACE, *CASTS, *NN,
                     *COMPOSITES]

# rows kept in their own files, one per area of the tensor API, added here
from op_table_math import ROWS as _MATH_ROWS  # noqa: E402
from op_table_misc import ROWS as _MISC_ROWS  # noqa: E402
from op_table_shape import ROWS as _SHAPE_ROWS  # noqa: E402

OPS += [*_MATH_ROWS, *_SHAPE_ROWS, *_MISC_ROWS]
