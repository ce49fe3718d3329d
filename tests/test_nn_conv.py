"""Convolution and pooling: gradcheck (float64, small sizes) with stride, padding, dilation, groups,
overlapping windows and ties; second derivatives; default init; shapes; bad input."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn
from tinygrad_bp.autograd import gradcheck, gradgradcheck


def _t(*shape, seed=0, grad=True):
    return tb.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


CONV2D = [
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(stride=(2, 1), padding=(1, 2)),
    dict(dilation=2, padding=1),
    dict(groups=2),
    dict(padding="same"),
    dict(padding="same", dilation=(2, 1)),
    dict(padding="valid", stride=2, dilation=(1, 2), groups=2),
]


@pytest.mark.parametrize("kwargs", CONV2D, ids=[str(k) for k in CONV2D])
def test_conv2d_gradcheck(kwargs):
    groups = kwargs.get("groups", 1)
    x, w, b = _t(2, 4, 5, 6), _t(4, 4 // groups, 3, 2, seed=1), _t(4, seed=2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=2), dict(dilation=2, groups=3),
                                    dict(padding="same")])
def test_conv1d_gradcheck(kwargs):
    groups = kwargs.get("groups", 1)
    x, w, b = _t(2, 3, 8), _t(3, 3 // groups, 3, seed=1), _t(3, seed=2)
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, **kwargs), (x, w, b))


def test_conv2d_second_derivatives():
    x, w = _t(1, 2, 4, 4), _t(2, 2, 2, 2, seed=1)
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=1), (x, w))


MODULE_CONVS = [
    (2, dict()), (2, dict(stride=2, padding=1)), (2, dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    (2, dict(groups=2, bias=False)), (2, dict(padding="same", dilation=2)),
    (2, dict(padding=1, padding_mode="circular")),
    (1, dict()), (1, dict(stride=2, padding=2, groups=2)), (1, dict(padding="same", dilation=2)),
]


@pytest.mark.parametrize("nd,kwargs", MODULE_CONVS, ids=[f"{nd}d-{k}" for nd, k in MODULE_CONVS])
@pytest.mark.parametrize("batched", [True, False])
def test_conv_modules_fused_node_equals_functional_form_values_and_gradients(nd, kwargs, batched):
    # nn.Conv1d/2d run one fused node (ops.conv.Conv, batch-last columns); F.conv1d/2d (gradchecked above) the
    # Unfold + MatMul graph: the two must agree, forward and backward.
    cls, fn = (nn.Conv2d, F.conv2d) if nd == 2 else (nn.Conv1d, F.conv1d)
    conv = cls(4, 6, 3, **kwargs).double()
    spatial = (7, 6) if nd == 2 else (9,)
    x = _t(*(((3,) if batched else ()) + (4,) + spatial))
    y = conv(x)
    node = y.grad_fn if batched else y.grad_fn.next_functions[0][0]  # unbatched: squeeze(0) of the batch of one
    assert node.name() == "ConvolutionBackward0"  # PyTorch's name
    padded = x if conv.padding_mode == "zeros" else F.pad(x, conv._reversed_padding_repeated_twice,
                                                           mode=conv.padding_mode)
    ref = fn(padded, conv.weight, conv.bias, conv.stride, conv.padding if conv.padding_mode == "zeros" else 0,
             conv.dilation, conv.groups)
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    r = tb.tensor(np.random.default_rng(5).standard_normal(y.shape))
    params = [x, conv.weight] + ([conv.bias] if conv.bias is not None else [])
    ours = tb.autograd.grad((y * r).sum(), params)
    theirs = tb.autograd.grad((ref * r).sum(), params)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


def test_conv_module_gradcheck_and_second_derivatives():
    conv = nn.Conv2d(2, 3, 2, stride=2, padding=1).double()
    w, b = conv.weight, conv.bias
    assert gradcheck(lambda x: conv(x), (_t(2, 2, 4, 5),))
    assert gradgradcheck(lambda x: conv(x), (_t(1, 2, 4, 4),))
    x = _t(1, 2, 4, 4)
    gw, = tb.autograd.grad(conv(x).pow(2).sum(), [w], create_graph=True)
    gxw = tb.autograd.grad(gw.sum(), [x, w, b], allow_unused=True)  # through the fused node's graph backward
    ref_gw, = tb.autograd.grad(F.conv2d(x, w, b, 2, 1).pow(2).sum(), [w], create_graph=True)
    ref = tb.autograd.grad(ref_gw.sum(), [x, w, b], allow_unused=True)
    for a, b_ in zip(gxw, ref):
        np.testing.assert_allclose(a.detach().numpy(), b_.detach().numpy(), rtol=1e-12, atol=1e-12)
    conv1 = nn.Conv1d(2, 4, 3, groups=2).double()
    assert gradcheck(lambda x: conv1(x), (_t(2, 2, 6),))


def test_conv_module_float32_stays_float32():
    conv = nn.Conv2d(1, 2, 3)
    x = tb.randn(2, 1, 5, 5, requires_grad=True)
    y = conv(x)
    y.sum().backward()
    assert y.dtype == tb.float32 and x.grad.dtype == tb.float32 and conv.weight.grad.dtype == tb.float32
    assert y.detach().numpy().flags["C_CONTIGUOUS"] and x.grad.numpy().flags["C_CONTIGUOUS"]


def test_conv2d_output_shapes_and_unbatched_input():
    conv = nn.Conv2d(3, 5, 3, stride=2, padding=1)
    assert conv(tb.randn(4, 3, 9, 8)).shape == (4, 5, 5, 4)
    assert conv(tb.randn(3, 9, 8)).shape == (5, 5, 4)
    assert nn.Conv2d(2, 2, (4, 3), padding="same")(tb.randn(1, 2, 6, 5)).shape == (1, 2, 6, 5)
    assert nn.Conv1d(2, 6, 3, dilation=2)(tb.randn(3, 2, 10)).shape == (3, 6, 6)


def test_conv2d_is_one_matmul_per_group_not_a_loop_over_pixels():
    x, w = tb.randn(1, 2, 30, 30, requires_grad=True), tb.randn(3, 2, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    names = set()  # the op classes in the graph (grad_fn names follow PyTorch's, e.g. MmBackward0)
    stack = [y.grad_fn]
    while stack:
        node = stack.pop()
        names.add(type(node).__name__)
        stack.extend(p for p in node.inputs if p is not None and not isinstance(p, tb.Tensor))
    assert "Unfold" in names and "MatMul" in names
    assert len(names) < 10


@pytest.mark.parametrize("shape,kwargs", [((3, 6, 3, 3), dict()), ((8, 2, 5, 5), dict(groups=2)),
                                          ((4, 3, 7), dict())])
def test_conv_default_init_bounds_and_spread(shape, kwargs):
    tb.manual_seed(0)
    out_ch, cin_g, *k = shape
    groups = kwargs.get("groups", 1)
    cls = nn.Conv2d if len(k) == 2 else nn.Conv1d
    conv = cls(cin_g * groups, out_ch, tuple(k), **kwargs)
    fan_in = cin_g * math.prod(k)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=√5): gain √(2/6), bound gain·√(3/fan_in) = 1/√fan_in
    draws = np.concatenate([cls(cin_g * groups, out_ch, tuple(k), **kwargs).weight._array.ravel() for _ in range(200)])
    assert np.abs(draws).max() <= bound
    assert draws.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)  # U(-b, b) has std b/√3
    assert np.abs(conv.bias._array).max() <= bound
    assert conv.weight.dtype == tb.float32 and conv.weight.shape == shape


def test_conv_state_dict_keys_and_repr():
    assert list(nn.Conv2d(1, 6, 5).state_dict()) == ["weight", "bias"]
    assert list(nn.Conv2d(1, 6, 5, bias=False).state_dict()) == ["weight"]
    assert repr(nn.Conv2d(1, 6, 5)) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(nn.Conv2d(4, 8, 3, 2, 1, groups=2, bias=False)) == \
        "Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False)"
    assert repr(nn.Conv1d(2, 3, 3, padding="same")) == "Conv1d(2, 3, kernel_size=(3,), stride=(1,), padding=same)"


@pytest.mark.parametrize("make,shape,words", [
    (lambda: nn.Conv2d(3, 4, 3), (2, 3), ["Conv2d", "4D", "[2, 3]"]),
    (lambda: nn.Conv2d(3, 4, 3), (2, 2, 5, 5), ["Conv2d", "3 channels", "2 channels"]),
    (lambda: nn.Conv2d(3, 4, 5), (1, 3, 3, 3), ["conv2d", "(3 x 3)", "(5 x 5)"]),
    (lambda: nn.Conv2d(3, 4, 5, padding=1), (1, 3, 2, 2), ["conv2d", "(4 x 4)"]),
    (lambda: nn.Conv1d(2, 4, 3), (2, 2, 5, 5), ["Conv1d", "[2, 2, 5, 5]"]),
])
def test_conv_bad_input_raises_runtime_error_naming_module_and_shapes(make, shape, words):
    with pytest.raises(RuntimeError) as e:
        make()(tb.zeros(*shape))
    for word in words:
        assert word in str(e.value)


def test_conv_bad_constructor_arguments():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding string"):
        nn.Conv2d(3, 4, 3, padding="full")


# ----------------------------------------------------------------------------- pooling
MAXPOOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),  # overlapping windows
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    dict(kernel_size=2, stride=2, ceil_mode=True),
]


@pytest.mark.parametrize("kwargs", MAXPOOL, ids=[str(k) for k in MAXPOOL])
def test_max_pool2d_gradcheck(kwargs):
    # distinct values spaced well beyond eps: the numerical derivative does not cross a tie
    x = tb.tensor(np.random.default_rng(0).permutation(2 * 2 * 5 * 7).reshape(2, 2, 5, 7) * 0.1, requires_grad=True)
    assert gradcheck(lambda x: F.max_pool2d(x, **kwargs), (x,))


def test_max_pool2d_ties_go_to_the_first_maximum_and_overlaps_accumulate():
    x = tb.zeros(1, 1, 3, 3, requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()  # four overlapping windows, all ties: first element of each
    np.testing.assert_allclose(x.grad._array[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    y = tb.tensor([[[[1.0, 3.0, 3.0], [0.0, 3.0, 2.0], [1.0, 1.0, 1.0]]]], requires_grad=True)
    F.max_pool2d(y, 2, stride=1).sum().backward()
    np.testing.assert_allclose(y.grad._array[0, 0], [[0, 2, 0], [0, 2, 0], [0, 0, 0]])


def test_max_pool2d_return_indices():
    x = tb.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    values, idx = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(values._array[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(idx._array[0, 0], [[5, 7], [13, 15]])
    assert idx.dtype == tb.int64


AVGPOOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    dict(kernel_size=2, divisor_override=3),
]


@pytest.mark.parametrize("kwargs", AVGPOOL, ids=[str(k) for k in AVGPOOL])
def test_avg_pool2d_gradcheck(kwargs):
    assert gradcheck(lambda x: F.avg_pool2d(x, **kwargs), (_t(2, 2, 5, 6),))


def test_avg_pool2d_divisor_rules():
    x = tb.ones(1, 1, 3, 3)
    np.testing.assert_allclose(F.avg_pool2d(x, 3, 2, 1)._array[0, 0], [[4 / 9, 4 / 9], [4 / 9, 4 / 9]])
    np.testing.assert_allclose(F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)._array[0, 0], np.ones((2, 2)))


@pytest.mark.parametrize("size", [1, (2, 3), (5, None), (3, 4)])
def test_adaptive_avg_pool2d_gradcheck_and_bins(size):
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, size), (_t(1, 2, 5, 4),))
    x = tb.tensor(np.arange(5.0).reshape(1, 1, 5, 1))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (3, 1))._array.ravel(), [0.5, 2.0, 3.5])  # overlapping bins


def test_pooling_second_derivatives():
    x = _t(1, 1, 4, 4)
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 2, 1), (x,))
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2, 1) ** 2, (x,))


def test_pooling_modules_and_shapes():
    x = tb.randn(2, 3, 7, 7)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 3, 3)
    assert nn.MaxPool2d(2, ceil_mode=True)(x).shape == (2, 3, 4, 4)
    assert nn.AvgPool2d(3, 2, 1)(x).shape == (2, 3, 4, 4)
    assert nn.AdaptiveAvgPool2d((1, 1))(x).shape == (2, 3, 1, 1)
    assert nn.MaxPool2d(2)(tb.randn(3, 6, 6)).shape == (3, 3, 3)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, 1, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=1)"


@pytest.mark.parametrize("call,words", [
    (lambda x: F.max_pool2d(x, 3), ["max_pool2d", "too small"]),
    (lambda x: F.max_pool2d(x, 2, padding=2), ["max_pool2d", "pad"]),
    (lambda x: F.avg_pool2d(x, 2, padding=2), ["avg_pool2d", "pad"]),
    (lambda x: F.max_pool2d(x[0, 0], 2), ["max_pool2d", "[2, 2]"]),
])
def test_pooling_bad_input(call, words):
    with pytest.raises(RuntimeError) as e:
        call(tb.zeros(1, 1, 2, 2))
    for word in words:
        assert word in str(e.value)


def test_dropout2d_zeroes_whole_channels_and_keeps_the_mean():
    tb.manual_seed(0)
    x = tb.ones(200, 8, 3, 3)
    layer = nn.Dropout2d(0.25)
    y = layer(x)._array
    per_channel = y.reshape(200, 8, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all()
    assert (per_channel == 0).all(-1).mean() == pytest.approx(0.25, abs=0.03)
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError):
        nn.Dropout2d(1.5)


# ----------------------------------------------------------------------------- padding
@pytest.mark.parametrize("pad,mode", [((1, 2), "constant"), ((-1, 2, 1, 0), "constant"), ((2, 1, 1, 2), "reflect"),
                                      ((2, 3, 1, 0), "replicate"), ((1, 2, 3, 0), "circular")])
def test_pad_gradcheck(pad, mode):
    assert gradcheck(lambda x: F.pad(x, pad, mode=mode), (_t(1, 2, 4, 3),))


def test_pad_values():
    x = tb.tensor([[[1.0, 2.0, 3.0]]])
    np.testing.assert_array_equal(F.pad(x, (2, 1), mode="reflect")._array[0, 0], [3, 2, 1, 2, 3, 2])
    np.testing.assert_array_equal(F.pad(x, (2, 1), mode="replicate")._array[0, 0], [1, 1, 1, 2, 3, 3])
    np.testing.assert_array_equal(F.pad(x, (2, 1), mode="circular")._array[0, 0], [2, 3, 1, 2, 3, 1])
    np.testing.assert_array_equal(F.pad(x, (1, -1), value=9.0)._array[0, 0], [9, 1, 2])
    with pytest.raises(RuntimeError, match="less than the corresponding input dimension"):
        F.pad(x, (3, 0), mode="reflect")


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_modes_gradcheck(mode):
    conv = nn.Conv2d(2, 2, 3, padding=1, padding_mode=mode).double()
    assert conv(tb.randn(1, 2, 4, 4, dtype=tb.float64)).shape == (1, 2, 4, 4)
    assert repr(conv).endswith(f"padding_mode={mode})")
    assert gradcheck(lambda x: conv(x), (_t(1, 2, 4, 3),))


def test_unfold_fold_gradcheck_and_adjointness():
    x = _t(1, 2, 4, 5)
    assert gradcheck(lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), (x,))
    cols = _t(1, 2 * 4, 6, seed=1)
    assert gradcheck(lambda c: F.fold(c, (3, 4), 2), (cols,))
    u = F.unfold(x, 2, padding=1, stride=(1, 2))
    v = tb.tensor(np.random.default_rng(2).standard_normal(u.shape))
    lhs = (u * v).sum().item()  # <unfold(x), v> = <x, fold(v)>
    rhs = (x * F.fold(v, (4, 5), 2, padding=1, stride=(1, 2))).sum().item()
    assert lhs == pytest.approx(rhs, rel=1e-12)
    assert nn.BatchNorm3d(2)(tb.randn(2, 2, 2, 2, 2)).shape == (2, 2, 2, 2, 2)


def test_1d_pooling_gradcheck_and_shapes():
    x = tb.tensor(np.random.default_rng(0).permutation(2 * 2 * 7).reshape(2, 2, 7) * 0.1, requires_grad=True)
    assert gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1), (x,))
    assert gradcheck(lambda x: F.avg_pool1d(x, 3, 1, 1, count_include_pad=False), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool1d(x, 3), (x,))
    assert nn.MaxPool1d(2)(tb.randn(4, 3, 9)).shape == (4, 3, 4)
    assert nn.AvgPool1d(3, 1, 1)(tb.randn(3, 9)).shape == (3, 9)
    assert nn.AdaptiveAvgPool1d(1)(tb.randn(4, 3, 9)).shape == (4, 3, 1)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1, output_padding=1), dict(groups=2, dilation=2)])
def test_conv_transpose_gradcheck_and_adjointness(kwargs):
    x, w, b = _t(1, 4, 3, 3), _t(4, 2, 3, 2, seed=1), _t(2 * kwargs.get("groups", 1), seed=2)
    assert gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs), (x, w, b))
    y = F.conv_transpose2d(x, w, **kwargs)  # <conv_transpose(x), v> = <x, conv(v)> with the same weight
    v = tb.tensor(np.random.default_rng(3).standard_normal(y.shape))
    conv_kwargs = {k: val for k, val in kwargs.items() if k != "output_padding"}
    lhs = (y * v).sum().item()
    rhs = (x * F.conv2d(v, w, **conv_kwargs)).sum().item()
    assert lhs == pytest.approx(rhs, rel=1e-10)


def test_conv_transpose_module_shapes_init_and_errors():
    tb.manual_seed(0)
    m = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
    assert m.weight.shape == (4, 6, 3, 3) and m.bias.shape == (6,)
    assert m(tb.randn(2, 4, 5, 5)).shape == (2, 6, 10, 10)
    assert np.abs(m.weight._array).max() <= 1 / math.sqrt(6 * 9)
    assert nn.ConvTranspose1d(2, 3, 4, stride=2)(tb.randn(2, 7)).shape == (3, 16)
    with pytest.raises(RuntimeError, match="ConvTranspose2d"):
        m(tb.randn(2, 3, 5, 5))
    with pytest.raises(RuntimeError, match="output padding"):
        F.conv_transpose2d(tb.randn(1, 4, 3, 3), tb.randn(4, 2, 3, 3), output_padding=1)


def test_max_pool2d_nan_is_the_maximum_and_its_last_occurrence_gets_the_gradient():
    x = tb.tensor([[[[1.0, float("nan")], [float("nan"), 0.5]]]], dtype=tb.float64, requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(y.item()) and idx.item() == 2  # PyTorch's rule
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array[0, 0], [[0, 0], [1, 0]])
