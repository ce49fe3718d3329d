"""Rows of the op table (tests/op_table.py) for the math ops of the tensor API (issue 12); op_table.py adds them to OPS.

Import the helpers from op_table (OpInfo, Sample, method, function, with_function, each_shape, ...)."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from op_table import (
    BROADCAST_PAIRS,
    INT_BOOL,
    OpInfo,
    always,
    away,
    case,
    distinct,
    each_pair,
    each_shape,
    fixed,
    function,
    inplace,
    method,
    normal,
    operation,
    positive,
    same,
    sum_dtype,
    to_float,
    uniform,
    with_function,
)

_INTEGERS = tuple(float(k) for k in range(-4, 5))
_HALVES = tuple(k + 0.5 for k in range(-4, 4))
_erf = np.vectorize(math.erf, otypes=[np.float64])


def _fn_rows(name: str, make: Callable = normal, shapes: Any = ((2, 3),), **options: Any) -> OpInfo:
    """The row of ``tb.<name>(x)`` for a method that already has its own row."""
    return OpInfo(name, function(name), each_shape(make, shapes), variant="function", **options)


def _not_grad(**options: Any) -> dict:
    return dict(supports_grad=False, supports_gradgrad=False, **options)


def _with_zeros(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Normal values with about a third set to exactly 0 (prod / cumprod gradients at zeros)."""
    x = rng.standard_normal(shape)
    x[rng.random(shape) < 0.35] = 0.0
    return x


def _small_ints(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.integers(-2, 3, shape).astype(np.float64)


def _counts(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.integers(0, 6, shape).astype(np.float64)


def _specials(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Normal values with NaN and ±inf among them."""
    x = rng.standard_normal(shape).reshape(-1)
    x[::3], x[1::4], x[2::5] = np.inf, np.nan, -np.inf
    return x.reshape(shape)


def _as_long(x: Any) -> Any:
    """A float sample as an integer tensor (truncated), outside the graph: for the integer-only ops."""
    return (x.detach() * 4).long()


def _np_long(a: np.ndarray) -> np.ndarray:
    return np.trunc(a * 4).astype(np.int64)


# ----------------------------------------------------------------------------- unary math
_UNARY = [
    # (name, NumPy reference, inputs)
    ("log10", np.log10, positive), ("log2", np.log2, positive), ("log1p", np.log1p, uniform(-0.5, 2.0)),
    ("expm1", np.expm1, normal), ("exp2", np.exp2, normal), ("asin", np.arcsin, uniform(-0.9, 0.9)),
    ("acos", np.arccos, uniform(-0.9, 0.9)), ("atan", np.arctan, normal), ("sinh", np.sinh, normal),
    ("cosh", np.cosh, normal), ("asinh", np.arcsinh, normal), ("acosh", np.arccosh, uniform(1.2, 3.0)),
    ("atanh", np.arctanh, uniform(-0.8, 0.8)), ("erf", _erf, normal), ("reciprocal", np.reciprocal, away(0.0, gap=0.3)),
    ("rsqrt", lambda a: 1 / np.sqrt(a), positive),
]
UNARY = [r for name, ref, make in _UNARY for r in with_function(
    OpInfo(name, method(name), each_shape(make), ref=ref, dtypes=INT_BOOL if make is normal else ("int64",),
           result_dtype=to_float))]

_away_from_integers = away(*_INTEGERS, gap=0.05)
ROUNDING = [
    *[r for name in ("ceil", "floor", "trunc") for r in with_function(OpInfo(
        name, method(name), each_shape(_away_from_integers), ref=getattr(np, name), dtypes=("int64",),
        result_dtype=same))],
    *with_function(OpInfo("round", method("round"), fixed(case((2, 3), make=away(*_HALVES, gap=0.05)),
                                                          case((2, 3), make=uniform(-2, 2), decimals=1),
                                                          case((3,), make=uniform(-200, 200), decimals=-1)),
                          ref=lambda a, decimals=0: np.round(a, decimals), dtypes=("int64",), result_dtype=same)),
    *with_function(OpInfo("frac", method("frac"), each_shape(_away_from_integers), ref=lambda a: a - np.trunc(a))),
    # PyTorch's sgn gradient is a ZeroTensor (which has no NumPy form): the times_x row compares with PyTorch
    *with_function(OpInfo("sgn", method("sgn"), each_shape(away(0.0)), ref=np.sign, dtypes=("int64",),
                          result_dtype=same, torch=False)),
    OpInfo("sgn", lambda lib, x: x.sgn() * x, each_shape(away(0.0), [(2, 3)]), ref=lambda a: np.sign(a) * a,
           variant="times_x"),
    OpInfo("floor", lambda lib, x: x.floor() * x, each_shape(_away_from_integers, [(2, 3)]),
           ref=lambda a: np.floor(a) * a, variant="times_x"),
    *with_function(OpInfo("neg", method("neg"), each_shape(), ref=np.negative, dtypes=("int64",), result_dtype=same)),
]

# ----------------------------------------------------------------------------- binary math
_DIVISOR_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((4,), ())]
BINARY = [
    *with_function(OpInfo("atan2", method("atan2"), each_pair(pairs=BROADCAST_PAIRS[:5]), ref=np.arctan2,
                          dtypes=INT_BOOL, result_dtype=to_float)),
    *with_function(OpInfo("hypot", method("hypot"), each_pair(pairs=BROADCAST_PAIRS[:5]), ref=np.hypot)),
    *[r for name, ref in (("fmod", np.fmod), ("remainder", np.remainder)) for r in with_function(OpInfo(
        name, method(name), each_pair(normal, away(0.0, gap=0.5), _DIVISOR_PAIRS), ref=ref, dtypes=("int64",),
        result_dtype=same))],
    *[OpInfo(name, lambda lib, x, _n=name, **kw: getattr(x, _n)(**kw),
             fixed(case((2, 3), make=uniform(-3, 3), other=1.3), case((3,), make=uniform(-3, 3), other=-0.7)),
             ref=lambda a, other, _r=ref: _r(a, other), variant="scalar")
      for name, ref in (("fmod", np.fmod), ("remainder", np.remainder))],
    # floor division has no derivative: PyTorch's result has a grad_fn that raises in backward, ours no graph
    # (torch=False: the values are compared with NumPy's here and with torch's in test_parity_math_api)
    OpInfo("__floordiv__", operation(operator.floordiv), each_pair(normal, away(0.0, gap=0.5), _DIVISOR_PAIRS),
           ref=np.floor_divide, dtypes=("int64",), result_dtype=same, torch=False, **_not_grad()),
    OpInfo("__rfloordiv__", lambda lib, x: 7.0 // x, each_shape(uniform(0.6, 0.95), [(2, 3)]),
           ref=lambda a: np.floor_divide(7.0, a), torch=False, **_not_grad()),
    *with_function(OpInfo("floor_divide", method("floor_divide"), each_pair(normal, away(0.0, gap=0.5),
                                                                            _DIVISOR_PAIRS[:2]),
                          ref=np.floor_divide, torch=False, **_not_grad())),
    OpInfo("__mod__", operation(operator.mod), each_pair(normal, away(0.0, gap=0.5), _DIVISOR_PAIRS[:2]),
           ref=np.remainder, dtypes=("int64",), result_dtype=same),
    OpInfo("__mod__", lambda lib, x: x % 1.5, each_shape(uniform(-3, 3), [(2, 3)]), ref=lambda a: np.remainder(a, 1.5),
           variant="scalar"),
    # 7 % x: PyTorch's remainder(Scalar, Tensor) has no derivative (backward raises); ours has dz/dx = -⌊7/x⌋
    OpInfo("__rmod__", lambda lib, x: 7.0 % x, each_shape(uniform(0.6, 0.95), [(2, 3)]),
           ref=lambda a: np.remainder(7.0, a), torch=False),
    OpInfo("__rmod__", lambda lib, x: 7.0 % x.detach(), each_shape(uniform(0.6, 0.95), [(2, 3)]),
           ref=lambda a: np.remainder(7.0, a), variant="values", **_not_grad()),
    *with_function(OpInfo("lerp", method("lerp"), fixed(case((2, 3), (2, 3), weight=0.3),
                                                        case((2, 3), (3,), weight=0.7), case((2, 3), (2, 3), (2, 3)),
                                                        case((2, 3), (3,), (2, 1)), case((3,), (3,), ())),
                          ref=lambda a, b, w=None, weight=None: a + (w if weight is None else weight) * (b - a))),
]

# ----------------------------------------------------------------------------- reductions


def _prod_ref(a: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return np.prod(a, axis=dim, keepdims=keepdim and dim is not None)


def _norm_ref(a: np.ndarray, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> np.ndarray:
    p = 2 if p == "fro" else p
    a_abs = np.abs(a)
    if p == np.inf:
        return a_abs.max(axis=dim, keepdims=keepdim)
    if p == -np.inf:
        return a_abs.min(axis=dim, keepdims=keepdim)
    if p == 0:
        return (a != 0).sum(axis=dim, keepdims=keepdim).astype(a.dtype)
    return (a_abs ** p).sum(axis=dim, keepdims=keepdim) ** (1 / p)


def _cumulative(np_fn: Callable) -> Callable:
    def ref(a: np.ndarray, dim: int) -> np.ndarray:
        return np_fn(a, axis=dim) if a.ndim else a.copy()
    return ref


_NORMS = [case((2, 3, 4), make=away(0.0)), case((2, 3, 4), make=away(0.0), p=1, dim=1),
          case((2, 3, 4), make=away(0.0), p=3, dim=(0, 2), keepdim=True), case((2, 3), make=distinct, p=math.inf),
          case((2, 3), make=distinct, p=-math.inf, dim=1), case((2, 3), make=away(0.0), p=0, dim=0),
          case((2, 3), make=away(0.0), p=0.5, dim=-1), case((2, 3), make=away(0.0), p="fro", dim=(0, 1)),
          case((4,), p=2, dim=0, keepdim=True), case((2, 3), make=away(0.0), p=-1.5)]
REDUCTIONS = [
    *with_function(OpInfo("prod", method("prod"), fixed(case((2, 3, 4)), case((2, 3), dim=0),
                                                        case((2, 3), dim=1, keepdim=True), case((2, 3, 4), dim=-1),
                                                        case((3,), dim=0, keepdim=False)),
                          ref=_prod_ref, dtypes=INT_BOOL, result_dtype=sum_dtype)),
    OpInfo("prod", method("prod"), fixed(case((2, 3, 4), make=_with_zeros), case((3, 4), make=_with_zeros, dim=1),
                                         case((2, 3), make=_with_zeros, dim=0, keepdim=True),
                                         case((5,), make=_with_zeros), case((), dim=0)),
           ref=_prod_ref, variant="with_zeros"),
    OpInfo("prod", method("prod"), fixed(case((4,), make=lambda rng, s: np.array([0.0, 1.5, 0.0, -2.0])),
                                         case((2, 3), make=lambda rng, s: np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0]]),
                                              dim=1)),
           ref=_prod_ref, variant="two_zeros"),
    *[r for name, np_fn in (("cumsum", np.cumsum), ("cumprod", np.cumprod)) for r in with_function(OpInfo(
        name, method(name), fixed(case((2, 3, 4), dim=0), case((2, 3, 4), dim=-1), case((5,), dim=0), case((), dim=0)),
        ref=_cumulative(np_fn), dtypes=INT_BOOL, result_dtype=sum_dtype))],
    OpInfo("cumprod", method("cumprod"), fixed(case((3, 4), make=_with_zeros, dim=1),
                                               case((6,), make=_with_zeros, dim=0),
                                               case((4,), make=lambda rng, s: np.array([1.5, 0.0, 0.0, -2.0]), dim=0)),
           ref=_cumulative(np.cumprod), variant="with_zeros"),
    *with_function(OpInfo("norm", method("norm"), fixed(*_NORMS), ref=_norm_ref), samples=3),
    *with_function(OpInfo("dist", method("dist"), fixed(case((2, 3), (2, 3)), case((2, 3), (3,), p=1),
                                                        case((3,), (2, 3), p=3.0), case((2, 3), (2, 3), p=math.inf,
                                                                                          make=distinct)),
                          ref=lambda a, b, p=2: _norm_ref(a - b, p))),
    *[OpInfo("aminmax", lambda lib, x, _k=k, **kw: getattr(x.aminmax(**kw), _k),
             fixed(case((2, 3, 4), make=distinct), case((3, 4), make=distinct, dim=1),
                   case((3, 4), make=distinct, dim=0, keepdim=True)),
             ref=lambda a, _f=np_fn, dim=None, keepdim=False: _f(a, axis=dim, keepdims=keepdim), variant=k,
             dtypes=("int64",), result_dtype=same) for k, np_fn in (("min", np.min), ("max", np.max))],
    OpInfo("aminmax", lambda lib, x, **kw: lib.aminmax(x, **kw).max, fixed(case((3, 4), make=distinct, dim=1)),
           ref=lambda a, dim: a.max(axis=dim), variant="function"),
    *with_function(OpInfo("median", method("median"), each_shape(distinct, [(5,), (2, 3), (2, 2)]),
                          ref=lambda a: np.sort(a, axis=None)[(a.size - 1) // 2], dtypes=("int64",),
                          result_dtype=same)),
    *[OpInfo("median", lambda lib, x, _k=k, **kw: getattr(x.median(**kw), _k),
             fixed(case((3, 4), make=distinct, dim=1), case((3, 4), make=distinct, dim=0, keepdim=True),
                   case((2, 5), make=distinct, dim=-1)),
             ref=lambda a, dim, keepdim=False, _k=k: _median_dim(a, dim, keepdim)[_k], variant=f"dim_{k}",
             **({} if k == "values" else _not_grad())) for k in ("values", "indices")],
    # logsumexp etc. already have rows of their own; these are the namespace functions
    *[OpInfo(name, function(name), fixed(case((2, 3)), case((2, 3), dim=1)), ref=ref, variant="function")
      for name, ref in (("amax", lambda a, dim=None: a.max(axis=dim)), ("amin", lambda a, dim=None: a.min(axis=dim)),
                        ("var", lambda a, dim=None: a.var(axis=dim, ddof=1)),
                        ("std", lambda a, dim=None: a.std(axis=dim, ddof=1)))],
    OpInfo("logsumexp", function("logsumexp"), fixed(case((2, 3), dim=1)),
           ref=lambda a, dim: np.log(np.exp(a).sum(axis=dim)), variant="function"),
    *[OpInfo(name, lambda lib, x, _n=name, **kw: getattr(lib, _n)(x > 0, **kw),
             fixed(case((2, 3)), case((2, 3), dim=1)),
             ref=lambda a, _n=name, dim=None: getattr(np, _n)(a > 0, axis=dim), variant="function", **_not_grad())
      for name in ("all", "any")],
]


def _median_dim(a: np.ndarray, dim: int, keepdim: bool) -> dict:
    order = np.argsort(a, axis=dim, kind="stable")
    idx = np.take(order, [(a.shape[dim] - 1) // 2], axis=dim)
    values = np.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        idx, values = np.squeeze(idx, dim), np.squeeze(values, dim)
    return {"values": values, "indices": idx}


# ----------------------------------------------------------------------------- sorting and counting
def _sort_ref(a: np.ndarray, dim: int = -1, descending: bool = False, stable: bool = False) -> dict:
    key = a.astype(np.float64)
    order = np.argsort(-key if descending else key, axis=dim, kind="stable")
    return {"values": np.take_along_axis(a, order, axis=dim), "indices": order}


def _topk_ref(a: np.ndarray, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> dict:  # noqa: A002
    order = np.take(np.argsort(-a if largest else a, axis=dim, kind="stable"), np.arange(k), axis=dim)
    return {"values": np.take_along_axis(a, order, axis=dim), "indices": order}


_SORTS = [case((2, 3, 4), make=distinct), case((3, 4), make=distinct, dim=0), case((3, 4), make=distinct, dim=1,
                                                                                     descending=True),
          case((5,), make=distinct, descending=True, stable=True)]
_TOPKS = [case((3, 4), make=distinct, k=2), case((3, 4), make=distinct, k=3, dim=0),
          case((2, 5), make=distinct, k=2, largest=False), case((6,), make=distinct, k=6, sorted=True),
          case((2, 3), make=distinct, k=0)]


def _histc_ref(a: np.ndarray, bins: int = 100, min: float = 0, max: float = 0) -> np.ndarray:  # noqa: A002
    lo, hi = (a.min(), a.max()) if min == max else (min, max)
    return np.histogram(a, bins=bins, range=(lo, hi))[0].astype(a.dtype)


def _histogram_ref(a: np.ndarray, bins: Any = 100, range: Any = None, density: bool = False,  # noqa: A002
                   weight: Any = None) -> dict:
    hist, edges = np.histogram(a, bins=bins, range=range, weights=weight, density=density)
    return {"hist": hist.astype(a.dtype), "bin_edges": edges}


def _detached_kwargs(call: Callable, *keys: str) -> Callable:
    """``call`` on the detached input, with the named kwargs (arrays) turned into lib tensors."""
    def fn(lib: Any, x: Any, **kwargs: Any) -> Any:
        for key in keys:
            if key in kwargs and isinstance(kwargs[key], np.ndarray):
                kwargs[key] = lib.tensor(kwargs[key])
        return call(lib, x.detach(), **kwargs)
    return fn


_HISTOGRAMS = [case((20,), bins=4), case((4, 5), bins=3, range=(-1.0, 1.0)),
               case((10,), bins=np.array([-2.0, -0.5, 0.0, 0.3, 2.5])),
               case((12,), bins=5, weight=np.linspace(0.5, 2.0, 12), density=True)]
SORTING = [
    *[r for k in ("values", "indices") for r in [
        OpInfo("sort", lambda lib, x, _k=k, **kw: getattr(x.sort(**kw), _k), fixed(*_SORTS),
               ref=lambda a, _k=k, **kw: _sort_ref(a, **kw)[_k], variant=k,
               **({} if k == "values" else _not_grad(dtypes=INT_BOOL, result_dtype=always("int64")))),
        OpInfo("sort", lambda lib, x, _k=k, **kw: getattr(lib.sort(x, **kw), _k), fixed(*_SORTS[1:3]),
               ref=lambda a, _k=k, **kw: _sort_ref(a, **kw)[_k], variant=f"function_{k}",
               **({} if k == "values" else _not_grad()))]],
    OpInfo("sort", lambda lib, x: (x * x).sort(dim=0).values, fixed(case((4, 2), make=positive)),
           ref=lambda a: np.sort(a * a, axis=0), variant="of_square"),
    *with_function(OpInfo("argsort", method("argsort"), fixed(*_SORTS),
                          ref=lambda a, **kw: _sort_ref(a, **kw)["indices"],
                          **_not_grad(dtypes=INT_BOOL, result_dtype=always("int64")))),
    *[r for k in ("values", "indices") for r in [
        OpInfo("topk", lambda lib, x, _k=k, **kw: getattr(x.topk(**kw), _k), fixed(*_TOPKS),
               ref=lambda a, _k=k, **kw: _topk_ref(a, **kw)[_k], variant=k,
               **({} if k == "values" else _not_grad())),
        OpInfo("topk", lambda lib, x, _k=k, **kw: getattr(lib.topk(x, **kw), _k), fixed(*_TOPKS[:2]),
               ref=lambda a, _k=k, **kw: _topk_ref(a, **kw)[_k], variant=f"function_{k}",
               **({} if k == "values" else _not_grad()))]],
    *[OpInfo("unique", lambda lib, x, _i=i, **kw: (lambda out: out[_i] if isinstance(out, tuple) else out)(
        x.detach().unique(**kw)), fixed(case((3, 4), make=_small_ints, **kw)),
        ref=lambda a, _i=i, **kw: (lambda out: out[_i] if isinstance(out, tuple) else out)(
            np.unique(a, return_inverse=kw.get("return_inverse", False), return_counts=kw.get("return_counts", False),
                      axis=kw.get("dim"))),
        variant=variant, **_not_grad())
      for variant, i, kw in (("values", 0, {}), ("inverse", 1, {"return_inverse": True}),
                             ("counts", 1, {"return_counts": True, "sorted": True}),
                             ("dim", 0, {"dim": 1}),
                             ("dim_counts", 2, {"dim": 0, "return_inverse": True, "return_counts": True}))],
    OpInfo("unique", lambda lib, x: lib.unique(x.detach().round(), return_counts=True)[1],
           fixed(case((8,), make=_small_ints)), ref=lambda a: np.unique(a, return_counts=True)[1], variant="function",
           **_not_grad()),
    OpInfo("bincount", lambda lib, x, **kw: (x.detach() + 0.5).long().bincount(**kw),
           fixed(case((10,), make=_counts), case((6,), make=_counts, minlength=9)),
           ref=lambda a, minlength=0: np.bincount((a + 0.5).astype(np.int64), minlength=minlength), **_not_grad()),
    OpInfo("bincount", lambda lib, x, w: lib.bincount((x.detach() + 0.5).long(), weights=w.detach()),
           fixed(case((10,), (10,), make=(_counts, normal))),
           ref=lambda a, w: np.bincount((a + 0.5).astype(np.int64), weights=w), variant="weights", **_not_grad()),
    OpInfo("histc", _detached_kwargs(lambda lib, x, **kw: x.histc(**kw)),
           fixed(case((30,), bins=5), case((4, 5), bins=4, min=-1.0, max=1.5), case((10,))), ref=_histc_ref,
           **_not_grad()),
    OpInfo("histc", lambda lib, x, **kw: lib.histc(x.detach(), **kw), fixed(case((30,), bins=5)), ref=_histc_ref,
           variant="function", **_not_grad()),
    *[OpInfo("histogram", _detached_kwargs(lambda lib, x, _k=k, **kw: getattr(x.histogram(**kw), _k), "bins", "weight"),
             fixed(*_HISTOGRAMS), ref=lambda a, _k=k, **kw: _histogram_ref(a, **kw)[_k], variant=k, **_not_grad())
      for k in ("hist", "bin_edges")],
    OpInfo("histogram", _detached_kwargs(lambda lib, x, **kw: lib.histogram(x, **kw).hist),
           fixed(case((20,), bins=4)), ref=lambda a, **kw: _histogram_ref(a, **kw)["hist"], variant="function",
           **_not_grad()),
]

# ----------------------------------------------------------------------------- comparison and logic
_BIT_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3))]
_NP_BITWISE = {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}
_OPERATORS = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}


def _masks(call: Callable) -> Callable:
    """``call(lib, x > 0, y > 0)``: the op on bool tensors."""
    def fn(lib: Any, *tensors: Any, **kwargs: Any) -> Any:
        return call(lib, *(t > 0 for t in tensors), **kwargs)
    return fn


def _longs(call: Callable) -> Callable:
    """``call(lib, long(4x), long(4y))``: the op on integer tensors."""
    def fn(lib: Any, *tensors: Any, **kwargs: Any) -> Any:
        return call(lib, *(_as_long(t) for t in tensors), **kwargs)
    return fn


def _of(transform: Callable, ref: Callable) -> Callable:
    def fn(*arrays: Any, **kwargs: Any) -> Any:
        return ref(*(transform(a) for a in arrays), **kwargs)
    return fn


def _positive_mask(a: np.ndarray) -> np.ndarray:
    return a > 0


LOGIC = [
    *[r for name, np_fn in _NP_BITWISE.items() for r in [
        OpInfo(f"bitwise_{name}", _masks(method(f"bitwise_{name}")), each_pair(pairs=_BIT_PAIRS),
               ref=_of(_positive_mask, np_fn), **_not_grad()),
        OpInfo(f"bitwise_{name}", _masks(function(f"bitwise_{name}")), each_pair(pairs=_BIT_PAIRS[:1]),
               ref=_of(_positive_mask, np_fn), variant="function", **_not_grad()),
        OpInfo(f"bitwise_{name}", _longs(method(f"bitwise_{name}")), each_pair(pairs=_BIT_PAIRS[:2]),
               ref=_of(_np_long, np_fn), variant="int", **_not_grad()),
        OpInfo(f"__{name}__", _longs(operation(_OPERATORS[name])), each_pair(pairs=_BIT_PAIRS[:2]),
               ref=_of(_np_long, np_fn), variant="int", **_not_grad()),
        OpInfo(f"__r{name}__", lambda lib, x, _n=name: _OPERATORS[_n](5, _as_long(x)),
               each_shape(shapes=[(2, 3)]), ref=lambda a, _f=np_fn: _f(5, _np_long(a)), **_not_grad()),
        OpInfo(f"__r{name}__", lambda lib, x, _n=name: _OPERATORS[_n](True, x > 0),
               each_shape(shapes=[(2, 3)]), ref=lambda a, _f=np_fn: _f(True, a > 0), variant="bool", **_not_grad())]],
    OpInfo("__xor__", _masks(operation(operator.xor)), each_pair(pairs=_BIT_PAIRS),
           ref=_of(_positive_mask, np.logical_xor), **_not_grad()),
    OpInfo("__and__", lambda lib, x: (x > 0) & 3, each_shape(shapes=[(2, 3)]), ref=lambda a: (a > 0) & 3,
           variant="bool_and_int", **_not_grad()),
    *[OpInfo("bitwise_not", _masks(call), each_shape(shapes=[(2, 3)]), ref=lambda a: ~(a > 0), variant=variant,
             **_not_grad()) for variant, call in (("", method("bitwise_not")), ("function", function("bitwise_not")))],
    OpInfo("bitwise_not", _longs(method("bitwise_not")), each_shape(shapes=[(2, 3)]), ref=lambda a: ~_np_long(a),
           variant="int", **_not_grad()),
    OpInfo("__invert__", _longs(operation(operator.invert)), each_shape(shapes=[(2, 3)]), ref=lambda a: ~_np_long(a),
           variant="int", **_not_grad()),
    OpInfo("isclose", lambda lib, x, y, **kw: x.isclose(x + y * 1e-6, **kw),
           fixed(case((2, 3), (2, 3)), case((2, 3), (3,), rtol=1e-7, atol=1e-7), case((4,), (4,), rtol=0.0, atol=2e-6)),
           ref=lambda a, b, rtol=1e-05, atol=1e-08: np.isclose(a, a + b * 1e-6, rtol=rtol, atol=atol), **_not_grad()),
    OpInfo("isclose", lambda lib, x, **kw: lib.isclose(x.detach(), x.detach() * 1, **kw),
           fixed(case((6,), make=_specials, equal_nan=True), case((6,), make=_specials, equal_nan=False)),
           ref=lambda a, **kw: np.isclose(a, a, **kw), variant="function_nan", **_not_grad()),
    *[OpInfo(name, lambda lib, x, y, _n=name, _s=scale, **kw: lib.tensor(getattr(x, _n)(x + y * _s, **kw)),
             fixed(case((2, 3), (2, 3)), case((2, 3), (2, 3), atol=1e-3)), variant=f"{label}",
             ref=lambda a, b, _n=name, _s=scale, **kw: np.asarray(np.allclose(a, a + b * _s, **kw)), **_not_grad())
      for name, scale, label in (("allclose", 1e-9, "close"), ("allclose", 1e-2, "far"))],
    OpInfo("allclose", lambda lib, x: lib.tensor(lib.allclose(x, x * (1 + 1e-7))), fixed(case((3,))),
           ref=lambda a: np.asarray(True), variant="function", **_not_grad()),
    *[OpInfo("equal", lambda lib, x, y, _f=f: lib.tensor(x.equal(_f(x, y))), fixed(case((2, 3), (2, 3))),
             ref=lambda a, b, _r=r: np.asarray(_r), variant=label, **_not_grad())
      for label, f, r in (("same", lambda x, y: x * 1, True), ("different", lambda x, y: x + y, False),
                          ("shapes", lambda x, y: x.reshape(3, 2), False))],
    OpInfo("equal", lambda lib, x: lib.tensor(lib.equal(x, x.double())), fixed(case((3,))),
           ref=lambda a: np.asarray(True), variant="function", **_not_grad()),
]

# ----------------------------------------------------------------------------- the existing methods as functions
FUNCTIONS = [
    OpInfo("add", function("add"), fixed(case((2, 3), (3,)), case((2, 3), (2, 3), alpha=2.0)),
           ref=lambda a, b, alpha=1: a + alpha * b, variant="function"),
    OpInfo("sub", function("sub"), fixed(case((2, 3), (3,), alpha=0.5)), ref=lambda a, b, alpha=1: a - alpha * b,
           variant="function"),
    OpInfo("mul", function("mul"), fixed(case((2, 3), (3,))), ref=np.multiply, variant="function"),
    OpInfo("div", function("div"), fixed(case((2, 3), (2, 1), make=(normal, positive))), ref=np.divide,
           variant="function"),
    _fn_rows("sign", away(0.0), ref=np.sign),
    _fn_rows("square", ref=np.square),
]

# ----------------------------------------------------------------------------- in place
_INPLACE_UNARY = [
    # (name, NumPy reference, inputs)
    ("neg", np.negative, normal), ("abs", np.abs, away(0.0)), ("sign", np.sign, away(0.0)), ("sgn", np.sign, away(0.0)),
    ("exp", np.exp, normal), ("exp2", np.exp2, normal), ("expm1", np.expm1, normal), ("log", np.log, positive),
    ("log2", np.log2, positive), ("log10", np.log10, positive), ("log1p", np.log1p, positive),
    ("sqrt", np.sqrt, positive), ("rsqrt", lambda a: 1 / np.sqrt(a), positive),
    ("reciprocal", np.reciprocal, positive), ("square", np.square, normal), ("sin", np.sin, normal),
    ("cos", np.cos, normal), ("tanh", np.tanh, normal), ("sigmoid", lambda a: 1 / (1 + np.exp(-a)), normal),
    ("relu", lambda a: np.maximum(a, 0), away(0.0)), ("asin", np.arcsin, uniform(-0.9, 0.9)),
    ("acos", np.arccos, uniform(-0.9, 0.9)), ("atan", np.arctan, normal), ("sinh", np.sinh, normal),
    ("cosh", np.cosh, normal), ("asinh", np.arcsinh, normal), ("acosh", np.arccosh, uniform(1.2, 3.0)),
    ("atanh", np.arctanh, uniform(-0.8, 0.8)), ("erf", _erf, normal), ("ceil", np.ceil, _away_from_integers),
    ("floor", np.floor, _away_from_integers), ("round", np.round, away(*_HALVES, gap=0.05)),
    ("trunc", np.trunc, _away_from_integers), ("frac", lambda a: a - np.trunc(a), _away_from_integers),
]
# PyTorch has no derivative for these in-place forms (backward raises; sgn_'s gradient is a ZeroTensor)
_NO_TORCH_DERIVATIVE = {"asinh", "acosh", "atanh", "sgn"}
INPLACE = [
    *[OpInfo(f"{name}_", inplace(f"{name}_"), each_shape(make, [(2, 3)]), ref=ref,
             torch=name not in _NO_TORCH_DERIVATIVE) for name, ref, make in _INPLACE_UNARY],
    OpInfo("pow_", inplace("pow_"), fixed(case((2, 3), make=positive, exponent=2.5), case((2, 3), (3,),
                                                                                        make=(positive, normal))),
           ref=lambda a, b=None, exponent=None: a ** (b if exponent is None else exponent)),
    OpInfo("atan2_", inplace("atan2_"), fixed(case((2, 3), (3,))), ref=np.arctan2),
    OpInfo("hypot_", inplace("hypot_"), fixed(case((2, 3), (2, 3))), ref=np.hypot),
    OpInfo("fmod_", inplace("fmod_"), fixed(case((2, 3), (3,), make=(normal, away(0.0, gap=0.5)))), ref=np.fmod),
    OpInfo("remainder_", inplace("remainder_"), fixed(case((2, 3), make=uniform(-3, 3), other=1.3)),
           ref=lambda a, other: np.remainder(a, other)),
    OpInfo("lerp_", inplace("lerp_"), fixed(case((2, 3), (3,), weight=0.25), case((2, 3), (2, 3), (2, 3))),
           ref=lambda a, b, w=None, weight=None: a + (w if weight is None else weight) * (b - a)),
    *[OpInfo(f"bitwise_{name}_", _longs(inplace(f"bitwise_{name}_")), each_pair(pairs=_BIT_PAIRS[:2]),
             ref=_of(_np_long, np_fn), **_not_grad()) for name, np_fn in _NP_BITWISE.items()],
    OpInfo("bitwise_not_", _longs(inplace("bitwise_not_")), each_shape(shapes=[(2, 3)]), ref=lambda a: ~_np_long(a),
           **_not_grad()),
]

ROWS: list[OpInfo] = [*UNARY, *ROUNDING, *BINARY, *REDUCTIONS, *SORTING, *LOGIC, *FUNCTIONS, *INPLACE]
