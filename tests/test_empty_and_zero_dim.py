"""PyTorch's behaviour (values, dtypes and exception types) on empty and 0-d tensors, integer powers
and bad calls: one test per case that used to follow NumPy instead (issue: reliability, part 4)."""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn


def empty():
    return tb.zeros(0, 3, requires_grad=True)


@pytest.mark.parametrize("fn", [lambda t: t.softmax(0), lambda t: t.log_softmax(0), lambda t: t.softmax(1)])
def test_softmax_family_of_an_empty_tensor_is_empty(fn):
    out = fn(empty())
    assert out.shape == (0, 3) and out.dtype == tb.float32
    out.sum().backward()


def test_logsumexp_over_an_empty_dim_is_minus_infinity():
    out = empty().logsumexp(0)
    assert out.shape == (3,) and out.tolist() == [-np.inf] * 3
    assert empty().logsumexp(1).shape == (0,)


def test_max_min_over_a_nonempty_dim_of_an_empty_tensor_are_empty():
    for op in ("max", "min"):
        values, indices = getattr(empty(), op)(1)
        assert values.shape == (0,) and indices.shape == (0,) and indices.dtype == tb.int64


@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin", "amax", "amin"])
def test_reducing_an_empty_dim_is_an_index_error(op):
    with pytest.raises(IndexError, match=rf"{op}\(\): Expected reduction dim 0 to have non-zero size"):
        getattr(empty(), op)(0)
    with pytest.raises(IndexError if op.startswith("arg") else RuntimeError,
                       match="Expected reduction dim to be specified for input.numel\\(\\) == 0"):
        getattr(empty(), op)()


def test_flatten_with_a_size_zero_dim():
    assert tb.zeros(0, 3).flatten().shape == (0,)
    assert tb.zeros(2, 0, 3).flatten(1).shape == (2, 0)


def test_transpose_of_a_0d_tensor_is_itself_and_checks_the_dims():
    t = tb.tensor(1.5)
    assert t.transpose(0, 0).item() == 1.5 and t.transpose(-1, 0).shape == ()
    with pytest.raises(IndexError):
        t.transpose(0, 1)


@pytest.mark.filterwarnings("ignore::UserWarning")  # var of one element warns, as in PyTorch
@pytest.mark.parametrize("op", ["sum", "mean", "amax", "logsumexp", "var"])
def test_reduction_dim_out_of_range_on_a_0d_tensor(op):
    t = tb.tensor(2.0)
    assert getattr(t, op)(0).shape == () and getattr(t, op)(-1).shape == ()
    with pytest.raises(IndexError, match="Dimension out of range"):
        getattr(t, op)(1)


def test_cat_of_0d_tensors_and_of_nothing():
    with pytest.raises(RuntimeError, match=r"zero-dimensional tensor \(at position 0\) cannot be concatenated"):
        tb.cat([tb.tensor(1.0), tb.tensor(2.0)])
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        tb.cat([])
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        tb.stack([])


def test_integer_to_a_negative_python_integer_power_is_refused_even_when_empty():
    for t in (tb.tensor([2, 3]), tb.tensor([], dtype=tb.int64)):
        with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
            t ** -1
    assert (tb.tensor([2.0]) ** -1).tolist() == [0.5]  # floats are fine


def test_integer_powers_with_integer_tensor_exponents_follow_pytorch():
    out = tb.tensor([2, 3, 1, -1, -1]) ** tb.tensor([-2, 3, -5, -3, -2])
    assert out.dtype == tb.int64 and out.tolist() == [0, 27, 1, -1, 1]
    out = 3 ** tb.tensor([-2, 3])
    assert out.dtype == tb.int64 and out.tolist() == [0, 27]
    assert (tb.tensor([2, 3]) ** tb.tensor([2, 3])).tolist() == [4, 27]


@pytest.mark.parametrize("fn", [lambda t: t.softmax(0), lambda t: t.log_softmax(0)])
def test_softmax_of_integers_is_not_implemented(fn):
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        fn(tb.tensor([1, 2]))


@pytest.mark.parametrize("cond,name", [([1.0, 0.0], "Float"), ([1, 0], "Long")])
def test_where_needs_a_boolean_condition(cond, name):
    with pytest.raises(RuntimeError, match=f"where expected condition to be a boolean tensor.*{name}"):
        tb.where(tb.tensor(cond), tb.tensor([1.0, 2.0]), tb.tensor([3.0, 4.0]))
    assert tb.where(tb.tensor([True, False]), 1.0, 0.0).tolist() == [1.0, 0.0]


def test_view_of_a_non_contiguous_tensor_is_refused_where_reshape_copies():
    t = tb.arange(6).reshape(2, 3).T
    assert not t.is_contiguous()
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        t.view(-1)
    assert t.reshape(-1).tolist() == [0, 3, 1, 4, 2, 5]
    assert t.view(3, 2).shape == (3, 2)  # no copy needed: allowed, as in PyTorch
    assert t.contiguous().is_contiguous() and t.contiguous().view(-1).tolist() == [0, 3, 1, 4, 2, 5]
    x = tb.ones(2, 3, dtype=tb.float64, requires_grad=True)
    (x.T.contiguous() * tb.arange(6.0).view(3, 2)).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]


def test_permute_checks_the_number_of_dims_first_then_duplicates():
    with pytest.raises(RuntimeError, match="number of dimensions in the tensor input does not match"):
        tb.ones(2, 3).permute(0, 1, 2)
    with pytest.raises(RuntimeError, match="duplicate dims are not allowed"):
        tb.ones(2, 3).permute(0, 0)


@pytest.mark.parametrize("make", [lambda: tb.zeros(-1, 2), lambda: tb.ones(-1), lambda: tb.empty(2, -3),
                                  lambda: tb.randn(-1), lambda: tb.rand(-2), lambda: tb.full((-1,), 1.0),
                                  lambda: tb.randint(3, (-1,)), lambda: nn.Linear(-1, 3)])
def test_negative_sizes_are_a_runtime_error(make):
    with pytest.raises(RuntimeError, match="Trying to create tensor with negative dimension"):
        make()


def test_assigning_a_grad_of_another_dtype_or_shape_is_refused_and_changes_nothing():
    p = tb.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype 'long int'.*'Float'"):
        p.grad = tb.ones(2, dtype=tb.int64)
    with pytest.raises(RuntimeError, match=r"gradient of size '\[3\]' to a tensor of size '\[2\]'"):
        p.grad = tb.ones(3)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None"):
        p.grad = np.ones(2, np.float32)
    assert p.grad is None
    p.grad = tb.full((2,), 0.5)
    p.grad = None
    assert p.grad is None


def test_reading_grad_of_a_non_leaf_warns_once_per_tensor_as_in_pytorch():
    import warnings

    x = tb.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match=r"\.grad attribute of a Tensor that is not a leaf.*retain_grad\(\)"):
        assert y.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None  # once per tensor
        assert x.grad.tolist() == [2.0, 2.0]  # leaves never warn
        z = x * 3
        z.retain_grad()
        z.sum().backward()
        assert z.grad.tolist() == [1.0, 1.0]  # retained: no warning


def test_cross_entropy_of_integer_logits_is_not_implemented():
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        nn.functional.cross_entropy(tb.tensor([[1, 2]]), tb.tensor([0]))
    with pytest.raises(NotImplementedError):
        nn.CrossEntropyLoss()(tb.tensor([[1, 2]]), tb.tensor([0]))
