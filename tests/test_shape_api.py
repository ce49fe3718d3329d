"""What the op table cannot express for the shape / indexing API of issue 12: bad input (PyTorch's exception
types, messages naming the call, nothing changed), in-place rules, out= and keyword forms, tb.functional,
and creation / sampling with generators. tests/test_parity_shape_api.py runs the same cases against torch."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_bp as tb


def _x(lib: Any, *shape: int, grad: bool = False) -> Any:
    data = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return lib.tensor(data, requires_grad=grad)


# (id, call on lib, exception type, words the message must contain) -- shared with the parity test
BAD_INPUT = [
    ("gather_index_out_of_range", lambda lib: _x(lib, 3, 4).gather(0, lib.tensor([[0, 5]])), RuntimeError,
     ["index 5", "out of bounds"]),
    ("gather_index_dtype", lambda lib: _x(lib, 3, 4).gather(0, lib.tensor([[0.0, 1.0]])), RuntimeError,
     ["gather", "int64"]),
    ("gather_index_ndim", lambda lib: _x(lib, 3, 4).gather(0, lib.tensor([0, 1])), RuntimeError,
     ["same number of dimensions"]),
    ("scatter_index_out_of_range", lambda lib: _x(lib, 3, 4).scatter(1, lib.tensor([[4]]), 1.0), RuntimeError,
     ["index 4", "out of bounds"]),
    ("scatter_src_dtype", lambda lib: _x(lib, 3, 4).scatter(0, lib.tensor([[0]]), lib.ones(1, 1)), RuntimeError,
     ["dtype"]),
    ("index_select_out_of_range", lambda lib: _x(lib, 3, 4).index_select(1, lib.tensor([0, 4])), RuntimeError,
     ["index_select", "out of"]),
    ("index_select_dtype", lambda lib: _x(lib, 3, 4).index_select(1, lib.tensor([0.0])), RuntimeError,
     ["index_select", "int"]),
    ("split_sizes_sum", lambda lib: _x(lib, 3, 4).split([1, 2], 1), RuntimeError, ["split_with_sizes", "sum"]),
    ("split_size_negative", lambda lib: _x(lib, 3, 4).split(-1), RuntimeError, ["split_size"]),
    ("chunk_zero", lambda lib: _x(lib, 3, 4).chunk(0), RuntimeError, ["chunk", "greater than 0"]),
    ("tensor_split_zero", lambda lib: _x(lib, 3, 4).tensor_split(0), RuntimeError, ["sections"]),
    ("narrow_past_end", lambda lib: _x(lib, 3, 4).narrow(1, 2, 3), RuntimeError, ["exceeds dimension size"]),
    ("narrow_start", lambda lib: _x(lib, 3, 4).narrow(1, 5, 0), IndexError, ["start out of range"]),
    ("narrow_dim", lambda lib: _x(lib, 3, 4).narrow(2, 0, 1), IndexError, ["Dimension out of range"]),
    ("flip_repeated_dim", lambda lib: _x(lib, 3, 4).flip(0, -2), RuntimeError, ["multiple times"]),
    ("roll_misaligned", lambda lib: _x(lib, 3, 4).roll((1, 2), 0), RuntimeError, ["align"]),
    ("repeat_too_few", lambda lib: _x(lib, 3, 4).repeat(2), RuntimeError, ["repeat dims"]),
    ("movedim_lengths", lambda lib: _x(lib, 2, 3, 4).movedim((0, 1), (2,)), RuntimeError, ["movedim"]),
    ("movedim_repeated", lambda lib: _x(lib, 2, 3, 4).movedim((0, 0), (1, 2)), RuntimeError, ["repeated dim"]),
    ("masked_fill_float_mask", lambda lib: _x(lib, 3).masked_fill(lib.ones(3), 0.0), RuntimeError,
     ["masked_fill", "bool"]),
    ("diag_3d", lambda lib: _x(lib, 2, 2, 2).diag(), RuntimeError, ["1D or 2D"]),
    ("tril_1d", lambda lib: _x(lib, 3).tril(), RuntimeError, ["2 dimensions"]),
    ("trace_3d", lambda lib: _x(lib, 2, 2, 2).trace(), RuntimeError, ["matrix"]),
    ("einsum_fewer_operands", lambda lib: lib.einsum("ij,jk->ik", _x(lib, 2, 3)), RuntimeError, ["fewer operands"]),
    ("einsum_more_operands", lambda lib: lib.einsum("ij->ji", _x(lib, 2, 3), _x(lib, 2, 3)), RuntimeError,
     ["more operands"]),
    ("einsum_ndim", lambda lib: lib.einsum("ijk->i", _x(lib, 2, 3)), RuntimeError,
     ["number of subscripts", "operand 0"]),
    ("einsum_output_unknown", lambda lib: lib.einsum("ij->ik", _x(lib, 2, 3)), RuntimeError,
     ["output subscript k", "does not appear"]),
    ("einsum_output_repeated", lambda lib: lib.einsum("ij->ii", _x(lib, 2, 3)), RuntimeError,
     ["output subscript i", "more than once"]),
    ("einsum_bad_subscript", lambda lib: lib.einsum("i1->i", _x(lib, 2, 3)), RuntimeError, ["invalid subscript"]),
    ("einsum_sizes", lambda lib: lib.einsum("ij,jk->ik", _x(lib, 2, 3), _x(lib, 4, 2)), RuntimeError,
     ["einsum()"]),
]


@pytest.mark.parametrize("call,error,words", [pytest.param(c, e, w, id=i) for i, c, e, w in BAD_INPUT])
def test_bad_input_raises_pytorchs_exception(call: Any, error: type, words: list) -> None:
    with pytest.raises(error) as info:
        call(tb)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"


# in-place ops that fail (bad index, bad mask, a leaf that requires grad) leave the tensor as it was
FAILING_INPLACE = [
    ("scatter_", lambda lib, t: t.scatter_(0, lib.tensor([[0, 9]]), 1.0)),
    ("scatter_add_", lambda lib, t: t.scatter_add_(1, lib.tensor([[0, 5]]), lib.ones(1, 2, dtype=lib.float64))),
    ("masked_fill_", lambda lib, t: t.masked_fill_(lib.ones(3, 4), 0.0)),
    ("masked_fill_broadcast", lambda lib, t: t.masked_fill_(lib.ones(2, 3, 4, dtype=lib.bool), 0.0)),
    ("unsqueeze_", lambda lib, t: t.unsqueeze_(5)),
    ("transpose_", lambda lib, t: t.transpose_(0, 2)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in FAILING_INPLACE])
def test_failed_inplace_changes_nothing(call: Any) -> None:
    t = _x(tb, 3, 4) * 1
    before = t.numpy().copy()
    with pytest.raises((RuntimeError, IndexError)):
        call(tb, t)
    assert t.shape == (3, 4)
    np.testing.assert_array_equal(t.numpy(), before)


INPLACE_ON_LEAF = [
    ("scatter_", lambda lib, t: t.scatter_(0, lib.tensor([[0, 1, 2, 0]]), 1.0)),
    ("scatter_add_", lambda lib, t: t.scatter_add_(0, lib.tensor([[0]]), lib.ones(1, 1, dtype=lib.float64))),
    ("masked_fill_", lambda lib, t: t.masked_fill_(t.detach() > 3, 0.0)),
    ("unsqueeze_", lambda lib, t: t.unsqueeze_(0)),
    ("squeeze_", lambda lib, t: t.squeeze_()),
    ("t_", lambda lib, t: t.t_()),
    ("transpose_", lambda lib, t: t.transpose_(0, 1)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in INPLACE_ON_LEAF])
def test_inplace_on_a_leaf_that_requires_grad_is_refused(call: Any) -> None:
    t = _x(tb, 3, 4, grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        call(tb, t)
    assert t.shape == (3, 4) and t.grad_fn is None
    with tb.no_grad():  # allowed outside the graph, as in PyTorch
        call(tb, t)


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in INPLACE_ON_LEAF])
def test_inplace_on_a_non_leaf_is_differentiable(call: Any) -> None:
    x = _x(tb, 3, 4, grad=True)
    y = x * 2
    call(tb, y)
    assert y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad is not None and x.grad.shape == (3, 4)


def test_shape_changing_inplace_bumps_the_version() -> None:
    """A node that saved the tensor notices the in-place shape change, as in PyTorch."""
    x = _x(tb, 3, grad=True)
    y = x * 1
    z = y * y
    y.unsqueeze_(0)
    assert y.shape == (1, 3)
    with pytest.raises(RuntimeError, match="inplace"):
        z.sum().backward()


def test_scatter_inplace_on_a_view_rebases_its_base() -> None:
    x = _x(tb, 3, 4, grad=True)
    y = x * 1
    row = y[1]
    row.scatter_(0, tb.tensor([0, 3]), 0.0)
    assert y.detach().numpy()[1, 0] == 0 and y.detach().numpy()[1, 3] == 0
    y.sum().backward()
    expected = np.ones((3, 4))
    expected[1, [0, 3]] = 0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_scatter_with_a_larger_src_gives_zero_gradient_outside_the_index() -> None:
    x = tb.zeros(3, 4, dtype=tb.float64, requires_grad=True)
    src = _x(tb, 3, 5, grad=True)
    x.scatter(1, tb.tensor([[0, 1], [2, 3]]), src).sum().backward()
    expected = np.zeros((3, 5))
    expected[:2, :2] = 1
    np.testing.assert_array_equal(src.grad.numpy(), expected)


def test_split_chunk_unbind_are_views_that_share_memory() -> None:
    x = _x(tb, 4, 6)
    for pieces in (x.split(2), x.chunk(3, 1), x.unbind(1), x.tensor_split(3), (x.narrow(1, 1, 2),)):
        for p in pieces:
            assert np.shares_memory(p.numpy(), x.numpy())
    assert [p.shape for p in x.chunk(4)] == [(1, 6)] * 4
    assert [p.shape for p in x.tensor_split([1, 5], 1)] == [(4, 1), (4, 4), (4, 1)]


def test_repeat_interleave_forms() -> None:
    np.testing.assert_array_equal(tb.repeat_interleave(tb.tensor([2, 0, 1])).numpy(), [0, 0, 2])
    np.testing.assert_array_equal(tb.tensor([1, 2]).repeat_interleave(tb.tensor([3])).numpy(), [1, 1, 1, 2, 2, 2])


# ----------------------------------------------------------------------------- out= and keyword forms
def test_out_writes_into_the_given_tensor() -> None:
    x = _x(tb, 3, 4)
    out = tb.empty(0, dtype=tb.float64)
    result = tb.gather(x, 1, tb.tensor([[0], [1], [3]]), out=out)
    assert result is out
    np.testing.assert_array_equal(out.numpy(), [[0.0], [5.0], [11.0]])
    with pytest.warns(UserWarning, match="resized"):  # it had elements: PyTorch warns
        tb.flip(x, [0], out=out)
    assert out.shape == (3, 4)


def test_out_refuses_inputs_that_require_grad() -> None:
    x = _x(tb, 3, 4, grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        tb.tril(x, out=tb.empty(3, 4, dtype=tb.float64))


def test_keyword_forms() -> None:
    a, b = _x(tb, 2, 3), _x(tb, 3, 2)
    np.testing.assert_array_equal(tb.matmul(input=a, other=b).numpy(), a.numpy() @ b.numpy())
    assert tb.cat(tensors=[a, a], dim=1).shape == (2, 6)
    np.testing.assert_array_equal(tb.sum(input=a, dim=1).numpy(), a.numpy().sum(1))
    i = tb.tensor([[1, 0, 1]])
    np.testing.assert_array_equal(tb.gather(input=a, dim=0, index=i).numpy(), [[3.0, 1.0, 5.0]])
    assert tb.flip(a, dims=[0, 1]).shape == (2, 3) and a.flip(dims=(1,)).shape == (2, 3)
    assert a.repeat(repeats=(2, 1)).shape == (4, 3) and a.tile(dims=(2,)).shape == (2, 6)
    assert tb.index_select(a, dim=1, index=tb.tensor([2])).shape == (2, 1)
    assert tb.masked_fill(a, mask=a > 2, value=-1.0).numpy().min() == -1.0


# ----------------------------------------------------------------------------- tb.functional
def test_functional_module_mirrors_torch_functional() -> None:
    assert tb.functional.einsum is tb.einsum and tb.functional.meshgrid is tb.meshgrid
    assert tb.functional.split is tb.split
    for name in ("broadcast_tensors", "broadcast_shapes", "cdist", "tensordot", "atleast_1d", "atleast_2d",
                 "atleast_3d", "block_diag", "cartesian_prod", "chain_matmul"):
        assert getattr(tb.functional, name) is getattr(tb, name)
    x = _x(tb, 2, 3)
    if hasattr(tb.Tensor, "norm"):
        np.testing.assert_allclose(tb.functional.norm(x).item(), np.linalg.norm(x.numpy()))
    with pytest.raises(AttributeError):
        tb.functional.no_such_function  # noqa: B018


def test_einsum_operands_as_a_list_and_spaces() -> None:
    a, b = _x(tb, 2, 3), _x(tb, 3, 4)
    np.testing.assert_allclose(tb.einsum("ij, jk -> ik", [a, b]).numpy(), a.numpy() @ b.numpy())
    np.testing.assert_allclose(tb.einsum("i,i->", a[0], a[1]).numpy(), a.numpy()[0] @ a.numpy()[1])
    np.testing.assert_allclose(tb.einsum("...,...->...", a, a[0]).numpy(), a.numpy() * a.numpy()[0])


def test_einsum_double_backward() -> None:
    a = tb.tensor(np.random.default_rng(0).standard_normal((3, 3)), requires_grad=True)
    assert tb.autograd.gradgradcheck(lambda m: tb.einsum("ij,jk,ki->", m, m, m), [a])


def test_broadcast_shapes_and_tensors() -> None:
    assert tuple(tb.broadcast_shapes((2, 1), (3,), 1)) == (2, 3)
    with pytest.raises(RuntimeError):
        tb.broadcast_shapes((2,), (3,))
    a, b = tb.broadcast_tensors(tb.zeros(2, 1), tb.zeros(3))
    assert a.shape == b.shape == (2, 3)


def test_meshgrid_warns_without_indexing() -> None:
    with pytest.warns(UserWarning, match="indexing"):
        grid = tb.meshgrid(tb.arange(3), tb.arange(2))
    assert [g.shape for g in grid] == [(3, 2), (3, 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tb.meshgrid(tb.arange(3), tb.arange(2), indexing="xy")[0].shape == (2, 3)


# ----------------------------------------------------------------------------- creation and sampling
def test_like_factories_keep_shape_and_dtype() -> None:
    x = tb.zeros(2, 3, dtype=tb.float64)
    for t in (tb.empty_like(x), tb.full_like(x, 7), tb.rand_like(x), tb.randn_like(x), tb.randint_like(x, 5)):
        assert t.shape == (2, 3) and t.dtype == tb.float64
    assert tb.empty_like(x, dtype=tb.int64).dtype == tb.int64
    assert tb.rand_like(x, requires_grad=True).requires_grad
    r = tb.randint_like(x, 3, 6)
    assert r.numpy().min() >= 3 and r.numpy().max() < 6
    with pytest.raises(RuntimeError):
        tb.randint_like(x, 3, 3)
    assert tb.full((2,), 1.5).dtype == tb.float32 and tb.full((2,), 2).dtype == tb.int64


def test_sampling_is_reproducible_from_a_generator() -> None:
    def draw(seed: int) -> list:
        g = tb.Generator().manual_seed(seed)
        return [tb.normal(0.0, 2.0, (4,), generator=g).numpy(), tb.normal(tb.zeros(3), 1.0, generator=g).numpy(),
                tb.normal(tb.arange(3.0), tb.ones(3), generator=g).numpy(),
                tb.bernoulli(tb.full((5,), 0.5), generator=g).numpy(), tb.randperm(6, generator=g).numpy(),
                tb.rand_like(tb.zeros(2), generator=g).numpy(), tb.randint_like(tb.zeros(3), 10, generator=g).numpy()]
    for a, b in zip(draw(3), draw(3)):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(draw(3), draw(4)))


def test_normal_and_bernoulli_shapes_dtypes_and_bad_input() -> None:
    assert tb.normal(1.0, 0.5, size=(2, 3)).shape == (2, 3)
    assert tb.normal(1.0, 0.5, (2,), dtype=tb.float64).dtype == tb.float64
    assert tb.normal(tb.zeros(2, 1, dtype=tb.float64), tb.ones(3)).shape == (2, 3)
    samples = tb.normal(tb.full((20000,), 3.0), 2.0).numpy()
    assert abs(samples.mean() - 3) < 0.1 and abs(samples.std() - 2) < 0.1
    b = tb.bernoulli(tb.tensor([0.0, 1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(b.numpy(), [0, 1, 0, 1])
    assert b.dtype == tb.float32
    assert set(tb.zeros(100).bernoulli(0.5).numpy().tolist()) <= {0.0, 1.0}
    with pytest.raises(RuntimeError):
        tb.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError):
        tb.bernoulli(tb.tensor([1.5]))
