"""Tests generated from the op table (tests/op_table.py): forward against NumPy, gradcheck and gradgradcheck
(float64, central differences, whole Jacobian), PyTorch's result dtypes, and coverage: an Op class that no
row's graph contains, or a public math name of Tensor / tinygrad_bp with no row, fails a test."""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from op_table import OPS, OpInfo, Sample, cast_input

import tinygrad_bp as tb
import tinygrad_bp.nn  # noqa: F401 - registers the Op classes only nn reaches
import tinygrad_bp.ops
from tinygrad_bp.autograd import gradcheck, gradgradcheck
from tinygrad_bp.autograd.function import Op


def _params(kind: str, keep: Callable[[OpInfo], bool]) -> list:
    """One pytest.param per (row, sample), id 'exp-sample3', xfail(strict=True) where the row says so."""
    params = []
    for row in OPS:
        if not keep(row):
            continue
        for i, sample in enumerate(row.sample_inputs()):
            reason = row.xfail_reason(kind, i)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(row, sample, id=f"{row.id}-sample{i}", marks=marks))
    return params


def _leaves(sample: Sample) -> list[tb.Tensor]:
    return [tb.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in sample.inputs]


def _call(row: OpInfo, sample: Sample) -> Callable[..., Any]:
    return lambda *tensors: row.fn(tb, *tensors, **sample.kwargs)


@pytest.mark.parametrize("row,sample", _params("forward", lambda row: row.ref is not None))
def test_forward_matches_numpy(row: OpInfo, sample: Sample) -> None:
    out = row.fn(tb, *_leaves(sample), **sample.kwargs)
    expected = np.asarray(row.ref(*sample.inputs, **sample.kwargs))
    assert isinstance(out, tb.Tensor), f"{row.id} returned {type(out).__name__}"
    assert tuple(out.shape) == expected.shape, f"{row.id}: shape {tuple(out.shape)}, NumPy {expected.shape}"
    assert out.dtype == expected.dtype, f"{row.id}: dtype {out.dtype}, NumPy {expected.dtype}"
    values = out.detach().numpy()
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_array_equal(values, expected)
    # differentiable ops keep requires_grad; the others (comparisons, argmax, integer casts) never require grad
    assert out.requires_grad == row.supports_grad, f"{row.id}: requires_grad is {out.requires_grad}"


@pytest.mark.parametrize("row,sample", _params("gradcheck", lambda row: row.supports_grad))
def test_gradcheck(row: OpInfo, sample: Sample) -> None:
    assert gradcheck(_call(row, sample), _leaves(sample), **row.gradcheck_kwargs)


@pytest.mark.parametrize("row,sample", _params("gradgradcheck", lambda row: row.supports_gradgrad))
def test_gradgradcheck(row: OpInfo, sample: Sample) -> None:
    assert gradgradcheck(_call(row, sample), _leaves(sample), **row.gradcheck_kwargs)


def _dtype_params() -> list:
    params = []
    for row in OPS:
        for dtype in row.dtypes:
            reason = row.xfail_reason("dtype") or row.xfail_reason(f"dtype_{dtype}")
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(row, dtype, id=f"{row.id}-{dtype}", marks=marks))
    return params


@pytest.mark.parametrize("row,dtype", _dtype_params())
def test_integer_and_bool_inputs_give_pytorchs_dtype(row: OpInfo, dtype: str) -> None:
    sample = row.sample_inputs()[0]
    arrays = [cast_input(a, dtype) for a in sample.inputs]
    out = row.fn(tb, *[tb.tensor(a) for a in arrays], **sample.kwargs)
    assert str(out.dtype) == row.result_dtype(dtype), f"{row.id} on {dtype}: got {out.dtype}"
    if row.ref is not None:  # and the values: NumPy's on the same numbers (NumPy's dtype rules differ)
        floating = row.result_dtype(dtype).startswith("float")
        ref_inputs = [a.astype(np.float64) for a in arrays] if floating else arrays
        np.testing.assert_allclose(out.numpy().astype(np.float64),
                                   np.asarray(row.ref(*ref_inputs, **sample.kwargs)).astype(np.float64), rtol=1e-6)


def test_every_row_is_well_formed() -> None:
    for row in OPS:
        samples = row.sample_inputs()
        assert samples, f"{row.id} has no samples"
        for sample in samples:
            assert all(np.asarray(a).dtype == np.float64 for a in sample.inputs), f"{row.id}: inputs must be float64"
        assert not row.supports_gradgrad or row.supports_grad, f"{row.id}: gradgrad without grad"
        assert bool(row.dtypes) == (row.result_dtype is not None), f"{row.id}: dtypes and result_dtype go together"


# ----------------------------------------------------------------------------- coverage
# Op classes that cannot appear in a forward graph (reason per entry). Empty: every Op is reachable.
OP_EXCEPTIONS: dict[str, str] = {}

# public callables of Tensor that are not math: sizes and flags, conversion out of the graph, graph
# bookkeeping, devices, creation and random fills (tested in test_core_tensor / test_autograd_*)
TENSOR_NON_MATH = {
    "size", "dim", "numel", "nelement", "element_size", "is_contiguous", "is_floating_point",  # sizes, flags
    "numpy", "item", "tolist",  # out of the graph
    "detach", "requires_grad_", "retain_grad", "register_hook", "backward",  # graph bookkeeping
    "cpu", "cuda",  # devices
    "new_empty", "new_full", "new_ones", "new_tensor", "new_zeros",  # creation
    "multinomial", "uniform_", "normal_", "bernoulli",  # random
}
# the operator protocol: the special methods of Tensor that are math (a + b, x[i], ~m, ...)
OPERATOR_DUNDERS = {f"__{name}__" for name in (
    "add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv rfloordiv ifloordiv mod rmod "
    "imod pow rpow ipow matmul rmatmul imatmul neg pos abs invert and rand iand or ror ior xor rxor ixor lshift "
    "rshift eq ne lt le gt ge getitem setitem").split()}
# public functions of the tinygrad_bp namespace that are not math (classes and modules are not counted)
TB_NON_MATH = {
    "arange", "empty", "eye", "from_numpy", "full", "full_like", "linspace", "ones", "ones_like", "tensor",  # creation
    "zeros", "zeros_like", "rand", "rand_like", "randint", "randn", "randn_like", "randperm", "multinomial",  # random
    "empty_like", "randint_like", "normal", "bernoulli",  # creation and sampling (tested in test_shape_api)
    "broadcast_shapes",  # shapes in, a shape out
    "manual_seed", "seed", "initial_seed",  # random state
    "get_default_dtype", "set_default_dtype", "get_default_device", "set_default_device",  # defaults
    "is_grad_enabled", "set_grad_enabled", "enable_grad", "no_grad",  # grad mode
    "is_tensor", "numel", "save", "load",  # predicates, sizes, files
    "set_printoptions",  # printing options
}


def _op_classes() -> set[type]:
    for module in pkgutil.iter_modules(tinygrad_bp.ops.__path__):
        importlib.import_module(f"tinygrad_bp.ops.{module.name}")
    found: set[type] = set()
    stack = [Op]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return {c for c in found if c.__module__.startswith("tinygrad_bp.")}  # not the custom Ops of other tests


def graph_op_classes(out: Any) -> set[type]:
    """The classes of every node in the graph of ``out`` (iterative: node.inputs holds parent nodes,
    leaf Tensors or None)."""
    found: set[type] = set()
    seen: set[int] = set()
    stack = [out.grad_fn] if isinstance(out, tb.Tensor) and out.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.add(type(node))
        stack.extend(p for p in getattr(node, "inputs", ()) if p is not None and not isinstance(p, tb.Tensor))
    return found


def _tensor_math_names() -> set[str]:
    """Public methods of Tensor (its own or from the classes it is built from) and its operator methods."""
    names = set()
    for name in dir(tb.Tensor):
        if not inspect.isfunction(inspect.getattr_static(tb.Tensor, name)):
            continue  # properties (shape, T, grad), attributes, and what object provides
        if name in OPERATOR_DUNDERS or not (name.startswith("_") or name in TENSOR_NON_MATH):
            names.add(name)
    return names


def _namespace_math_names() -> set[str]:
    return {name for name in dir(tb) if not name.startswith("_") and name not in TB_NON_MATH
            and callable(value := getattr(tb, name)) and not inspect.isclass(value) and not inspect.ismodule(value)}


class _Recorder:
    """Records which wrapped names a row calls itself (depth 0), not the ones they call in turn."""

    def __init__(self) -> None:
        self.depth = 0
        self.calls: set[str] = set()

    def wrap(self, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.depth == 0:
                self.calls.add(key)
            self.depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1
        return wrapper


@contextlib.contextmanager
def _recording(tensor_names: set[str], namespace_names: set[str]) -> Iterator[_Recorder]:
    recorder = _Recorder()
    originals: list[tuple[Any, str, Any]] = []  # (owner, name, its own value or None if inherited)
    try:
        for name in sorted(tensor_names):
            originals.append((tb.Tensor, name, vars(tb.Tensor).get(name)))
            setattr(tb.Tensor, name, recorder.wrap(f"Tensor.{name}", inspect.getattr_static(tb.Tensor, name)))
        for name in sorted(namespace_names):
            originals.append((tb, name, getattr(tb, name)))
            setattr(tb, name, recorder.wrap(f"tb.{name}", getattr(tb, name)))
        yield recorder
    finally:
        for owner, name, value in reversed(originals):
            if value is None:
                delattr(owner, name)  # back to the method Tensor inherits
            else:
                setattr(owner, name, value)


@functools.cache
def _run_every_row() -> tuple[dict[str, set[str]], dict[str, set[type]]]:
    """Per row id: the public names it calls itself, and the Op classes in its outputs' graphs."""
    calls: dict[str, set[str]] = {}
    classes: dict[str, set[type]] = {}
    with _recording(_tensor_math_names(), _namespace_math_names()) as recorder:
        for row in OPS:
            recorder.calls = set()
            classes[row.id] = set()
            for sample in row.sample_inputs():
                with contextlib.suppress(Exception):  # a row that raises fails its forward test instead
                    classes[row.id] |= graph_op_classes(row.fn(tb, *_leaves(sample), **sample.kwargs))
            calls[row.id] = recorder.calls
    return calls, classes


def _targets(row: OpInfo) -> set[str]:
    """The public names a row's name can stand for: {'Tensor.exp', 'tb.exp'}, {'tb.cat'}, or none
    ('nn.functional.conv2d', 'composite')."""
    return ({f"Tensor.{row.name}"} if row.name in _tensor_math_names() else set()) | (
        {f"tb.{row.name}"} if row.name in _namespace_math_names() else set())


def test_each_row_calls_the_name_it_stands_for() -> None:
    calls, _ = _run_every_row()
    wrong = [f"{row.id} (stands for one of {sorted(_targets(row))}, calls {sorted(calls[row.id])})" for row in OPS
             if _targets(row) and not _targets(row) & calls[row.id]]
    assert not wrong, "rows that do not call their own name: " + "; ".join(wrong)


def test_every_public_math_name_has_a_row() -> None:
    calls, _ = _run_every_row()
    covered = set().union(*(_targets(row) & calls[row.id] for row in OPS))
    wanted = {f"Tensor.{n}" for n in _tensor_math_names()} | {f"tb.{n}" for n in _namespace_math_names()}
    missing = sorted(wanted - covered)
    assert not missing, (
        f"no row in tests/op_table.py for: {', '.join(missing)}. Add an OpInfo per name to OPS, e.g. "
        "OpInfo('sign', method('sign'), each_shape(), ref=np.sign) for Tensor.sign, or "
        "OpInfo('exp', function('exp'), ..., variant='function') for tb.exp (with_function(row) makes both); "
        "a name that is not math goes in TENSOR_NON_MATH / TB_NON_MATH of tests/test_op_table.py with a reason.")


def test_every_op_class_appears_in_some_rows_graph() -> None:
    _, classes = _run_every_row()
    seen = set().union(*classes.values())
    missing = sorted(f"{c.__module__}.{c.__name__}" for c in _op_classes() - seen if c.__name__ not in OP_EXCEPTIONS)
    assert not missing, (
        f"Op classes that no row of tests/op_table.py exercises: {', '.join(missing)}. Add a row whose fn builds "
        "a graph through the op (its public Tensor method, tinygrad_bp function or nn.functional call), see the "
        "docstring of tests/op_table.py; only an op that cannot appear in a forward graph belongs in OP_EXCEPTIONS.")
    stale = sorted(name for name in OP_EXCEPTIONS if name in {c.__name__ for c in seen})
    assert not stale, f"OP_EXCEPTIONS lists ops that rows do reach: {stale}"
