"""Live comparison with PyTorch (make test-parity) for the layers of issue 13: convolution, pooling,
normalisation, embedding, recurrent layers, the new activations and losses. Values and gradients in
float64, state_dict keys, reprs, error types. Without torch every test skips."""

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn

pytestmark = pytest.mark.parity
REDUCTIONS = ["mean", "sum", "none"]


def _torch():
    return pytest.importorskip("torch")


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _pair(arrays, grad=True):
    torch = _torch()
    ours = [tb.tensor(a, requires_grad=grad) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=grad) for a in arrays]
    return ours, theirs


def _compare(fn_ours, fn_theirs, arrays, grad_idx=None, rtol=1e-9, atol=1e-11):
    """Run both on float64 copies of ``arrays``; compare the output and, through a random upstream
    gradient, the gradient of every input (or those in grad_idx)."""
    torch = _torch()
    grad_idx = range(len(arrays)) if grad_idx is None else grad_idx
    ours = [tb.tensor(a, requires_grad=i in grad_idx) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i in grad_idx) for i, a in enumerate(arrays)]
    out_o, out_t = fn_ours(*ours), fn_theirs(*theirs)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(99).standard_normal(out_t.shape)
    out_o.backward(tb.tensor(g))
    out_t.backward(torch.tensor(g))
    for i in grad_idx:
        np.testing.assert_allclose(ours[i].grad.data, theirs[i].grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")


# ----------------------------------------------------------------------------- convolution
CONV2D = [
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(padding=(2, 1), stride=(2, 1)),
    dict(dilation=2, padding=2),
    dict(groups=2),
    dict(groups=4, padding="same"),
    dict(padding="same", dilation=(1, 2)),
    dict(padding="valid", stride=3),
]


@pytest.mark.parametrize("kwargs", CONV2D, ids=[str(k) for k in CONV2D])
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches(kwargs, bias):
    torch = _torch()
    groups = kwargs.get("groups", 1)
    arrays = [_rand(2, 4, 7, 6), _rand(6 if groups != 4 else 8, 4 // groups, 3, 2, seed=1)]
    if bias:
        arrays.append(_rand(arrays[1].shape[0], seed=2))
    _compare(lambda *a: F.conv2d(*a, **kwargs), lambda *a: torch.nn.functional.conv2d(*a, **kwargs), arrays)


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(dilation=2, groups=2),
                                    dict(padding="same")])
def test_conv1d_matches(kwargs):
    torch = _torch()
    groups = kwargs.get("groups", 1)
    arrays = [_rand(3, 4, 9), _rand(6, 4 // groups, 3, seed=1), _rand(6, seed=2)]
    _compare(lambda *a: F.conv1d(*a, **kwargs), lambda *a: torch.nn.functional.conv1d(*a, **kwargs), arrays)


def test_conv2d_unbatched_matches():
    torch = _torch()
    arrays = [_rand(3, 5, 5), _rand(2, 3, 3, 3, seed=1)]
    _compare(lambda *a: F.conv2d(*a, padding=1), lambda *a: torch.nn.functional.conv2d(*a, padding=1), arrays)


@pytest.mark.parametrize("cls,args", [("Conv2d", (3, 6, 3)), ("Conv2d", (4, 8, (3, 2), 2, 1, 1, 2, False)),
                                      ("Conv1d", (3, 5, 4)), ("Conv2d", (3, 6, 3, 1, "same"))])
def test_conv_module_state_dict_repr_and_outputs_match(cls, args):
    torch = _torch()
    theirs = getattr(torch.nn, cls)(*args).double()
    ours = getattr(nn, cls)(*args).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    shape = (2, args[0], 8, 7) if cls == "Conv2d" else (2, args[0], 9)
    x = _rand(*shape)
    np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-12)


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.Conv2d(3, 4, 3), (2, 3)),                   # wrong rank
    (lambda m: m.Conv2d(3, 4, 3), (2, 2, 5, 5)),             # wrong channel count
    (lambda m: m.Conv2d(3, 4, 5), (1, 3, 3, 3)),             # kernel larger than the input
    (lambda m: m.Conv2d(3, 4, 5, padding=1), (1, 3, 2, 2)),  # ... than the padded input
    (lambda m: m.Conv1d(2, 4, 3), (2, 2, 5, 5)),
])
def test_conv_bad_input_raises_torchs_exception_type(make, shape):
    torch = _torch()
    x = np.zeros(shape)
    with pytest.raises(Exception) as theirs:
        make(torch.nn).double()(torch.tensor(x))
    with pytest.raises(type(theirs.value)):
        make(nn).double()(tb.tensor(x))


# ----------------------------------------------------------------------------- pooling
MAXPOOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),                       # overlapping windows
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), dilation=(1, 2)),
    dict(kernel_size=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
]


@pytest.mark.parametrize("kwargs", MAXPOOL, ids=[str(k) for k in MAXPOOL])
def test_max_pool2d_matches(kwargs):
    torch = _torch()
    _compare(lambda x: F.max_pool2d(x, **kwargs), lambda x: torch.nn.functional.max_pool2d(x, **kwargs),
             [_rand(2, 3, 7, 5)])


def test_max_pool2d_ties_send_the_gradient_where_torch_does():
    torch = _torch()
    x = np.round(_rand(2, 2, 6, 6) * 1.5)  # many equal values, overlapping windows
    _compare(lambda x: F.max_pool2d(x, 3, 1), lambda x: torch.nn.functional.max_pool2d(x, 3, 1), [x])
    _compare(lambda x: F.max_pool2d(x, 2), lambda x: torch.nn.functional.max_pool2d(x, 2), [np.zeros((1, 1, 4, 4))])


def test_max_pool2d_return_indices_match():
    torch = _torch()
    x = _rand(2, 3, 7, 6)
    vo, io = F.max_pool2d(tb.tensor(x), 3, 2, 1, return_indices=True)
    vt, it = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_allclose(vo.data, vt.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(io.data, it.numpy())


AVGPOOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=(1, 2), divisor_override=4),
]


@pytest.mark.parametrize("kwargs", AVGPOOL, ids=[str(k) for k in AVGPOOL])
def test_avg_pool2d_matches(kwargs):
    torch = _torch()
    _compare(lambda x: F.avg_pool2d(x, **kwargs), lambda x: torch.nn.functional.avg_pool2d(x, **kwargs),
             [_rand(2, 3, 7, 6)])


@pytest.mark.parametrize("size", [1, 3, (2, 4), (5, None), (7, 6)])
def test_adaptive_avg_pool2d_matches(size):
    torch = _torch()
    _compare(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: torch.nn.functional.adaptive_avg_pool2d(x, size),
             [_rand(2, 3, 7, 6)])


@pytest.mark.parametrize("cls,args", [("MaxPool2d", (2,)), ("MaxPool2d", (3, 2, 1)), ("AvgPool2d", (2,)),
                                      ("AvgPool2d", (3, 1, 1)), ("AdaptiveAvgPool2d", ((2, 3),)),
                                      ("Dropout2d", ()), ("Dropout2d", (0.3,))])
def test_pooling_reprs_match(cls, args):
    torch = _torch()
    assert repr(getattr(nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))


@pytest.mark.parametrize("call", [
    lambda F, x: F.max_pool2d(x, 3),                    # window larger than the input
    lambda F, x: F.max_pool2d(x, 2, padding=2),         # padding more than half the kernel
    lambda F, x: F.max_pool2d(x, 3, padding=2, dilation=2),  # ... the kernel, not the dilated one
    lambda F, x: F.avg_pool2d(x, 2, padding=2),
    lambda F, x: F.max_pool2d(x[0, 0, 0], 2),           # wrong rank
])
def test_pooling_bad_input_raises_torchs_exception_type(call):
    torch = _torch()
    x = np.zeros((1, 1, 2, 2))
    with pytest.raises(Exception) as theirs:
        call(torch.nn.functional, torch.tensor(x))
    with pytest.raises(type(theirs.value)):
        call(F, tb.tensor(x))


# ----------------------------------------------------------------------------- normalisation
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)),
                                       ("BatchNorm2d", (4, 3, 3, 2))])
@pytest.mark.parametrize("momentum", [0.1, None, 0.5])
def test_batchnorm_train_steps_then_eval_match(cls, shape, momentum):
    torch = _torch()
    theirs = getattr(torch.nn, cls)(3, momentum=momentum).double()
    ours = getattr(nn, cls)(3, momentum=momentum).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(_rand(3, seed=5)))
        theirs.bias.copy_(torch.tensor(_rand(3, seed=6)))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for step in range(4):
        x = _rand(*shape, seed=step) * (step + 1) + step
        xo, xt = tb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out_o, out_t = ours(xo), theirs(xt)
        np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-11)
        g = _rand(*shape, seed=50 + step)
        out_o.backward(tb.tensor(g))
        out_t.backward(torch.tensor(g))
        np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].data, value.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-8, atol=1e-10)
    ours.eval()
    theirs.eval()
    x = _rand(*shape, seed=77)
    np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(affine=False), dict(track_running_stats=False),
                                    dict(affine=False, track_running_stats=False), dict(eps=1e-3)])
def test_batchnorm_options_match(kwargs):
    torch = _torch()
    theirs = torch.nn.BatchNorm2d(3, **kwargs).double()
    ours = nn.BatchNorm2d(3, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        x = _rand(4, 3, 2, 2)
        np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_batchnorm_state_dict_and_bad_input():
    torch = _torch()
    assert list(nn.BatchNorm1d(4).state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())
    assert repr(nn.BatchNorm1d(4, momentum=None)) == repr(torch.nn.BatchNorm1d(4, momentum=None))
    assert nn.BatchNorm1d(4).state_dict()["num_batches_tracked"].dtype == tb.int64
    for cls, shape in [("BatchNorm1d", (1, 4)), ("BatchNorm1d", (2, 4, 3, 3)), ("BatchNorm2d", (2, 4, 3)),
                       ("BatchNorm2d", (1, 4, 1, 1)), ("BatchNorm1d", (3, 5))]:
        x = np.zeros(shape, np.float32)
        with pytest.raises(Exception) as theirs:
            getattr(torch.nn, cls)(4)(torch.tensor(x))
        with pytest.raises(type(theirs.value)):
            getattr(nn, cls)(4)(tb.tensor(x))


@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4)), ((3, 6), [6])])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches(shape, normalized, affine):
    torch = _torch()
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine).double()
    ours = nn.LayerNorm(normalized, elementwise_affine=affine).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(_rand(*theirs.weight.shape, seed=3)))
            theirs.bias.copy_(torch.tensor(_rand(*theirs.bias.shape, seed=4)))
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = _rand(*shape)
    xo, xt = tb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-11)
    g = _rand(*shape, seed=9)
    out_o.backward(tb.tensor(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("groups,shape", [(2, (3, 4, 5)), (1, (2, 6, 2, 2)), (6, (2, 6, 3))])
def test_group_norm_matches(groups, shape):
    torch = _torch()
    c = shape[1]
    arrays = [_rand(*shape), _rand(c, seed=1), _rand(c, seed=2)]
    _compare(lambda x, w, b: F.group_norm(x, groups, w, b),
             lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b), arrays, rtol=1e-8, atol=1e-10)
    assert repr(nn.GroupNorm(groups, c)) == repr(torch.nn.GroupNorm(groups, c))
    assert list(nn.GroupNorm(groups, c).state_dict()) == list(torch.nn.GroupNorm(groups, c).state_dict())


# ----------------------------------------------------------------------------- embedding
@pytest.mark.parametrize("kwargs", [dict(), dict(padding_idx=1), dict(padding_idx=-1), dict(max_norm=1.0),
                                    dict(max_norm=0.5, norm_type=1.0)])
def test_embedding_matches(kwargs):
    torch = _torch()
    theirs = torch.nn.Embedding(6, 4, **kwargs).double()
    ours = nn.Embedding(6, 4, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    idx = np.array([[0, 1, 5], [1, 1, 3]])
    out_o, out_t = ours(tb.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-10)  # max_norm renorm
    g = _rand(2, 3, 4)
    out_o.backward(tb.tensor(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_embedding_bad_input_raises_torchs_exception_type():
    torch = _torch()
    for idx in (np.array([0, 6]), np.array([-1]), np.array([0.0, 1.0])):
        with pytest.raises(Exception) as theirs:
            torch.nn.Embedding(6, 2)(torch.tensor(idx))
        with pytest.raises(type(theirs.value)):
            nn.Embedding(6, 2)(tb.tensor(idx))


# ----------------------------------------------------------------------------- recurrent layers
RNN_CONFIGS = [
    ("RNN", dict()),
    ("RNN", dict(nonlinearity="relu", num_layers=2)),
    ("LSTM", dict()),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(batch_first=True, bias=False)),
    ("GRU", dict()),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("LSTM", dict(proj_size=2, num_layers=2, bidirectional=True)),
]


@pytest.mark.parametrize("cls,kwargs", RNN_CONFIGS, ids=[f"{c}-{k}" for c, k in RNN_CONFIGS])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layers_match(cls, kwargs, with_state):
    torch = _torch()
    theirs = getattr(torch.nn, cls)(3, 4, **kwargs).double()
    ours = getattr(nn, cls)(3, 4, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    x = _rand(2, 5, 3) if kwargs.get("batch_first") else _rand(5, 2, 3)
    xo, xt = tb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    args_o, args_t = [xo], [xt]
    if with_state:
        h = _rand(layers, 2, kwargs.get("proj_size", 4), seed=1)
        if cls == "LSTM":
            c = _rand(layers, 2, 4, seed=2)
            args_o.append((tb.tensor(h), tb.tensor(c)))
            args_t.append((torch.tensor(h), torch.tensor(c)))
        else:
            args_o.append(tb.tensor(h))
            args_t.append(torch.tensor(h))
    out_o, state_o = ours(*args_o)
    out_t, state_t = theirs(*args_t)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-11)
    states_o = state_o if cls == "LSTM" else (state_o,)
    states_t = state_t if cls == "LSTM" else (state_t,)
    for so, st in zip(states_o, states_t):
        np.testing.assert_allclose(so.data, st.detach().numpy(), rtol=1e-9, atol=1e-11)
    loss_o = (out_o * tb.tensor(_rand(*out_t.shape, seed=3))).sum() + sum((s * s).sum() for s in states_o)
    loss_t = (out_t * torch.tensor(_rand(*out_t.shape, seed=3))).sum() + sum((s * s).sum() for s in states_t)
    loss_o.backward()
    loss_t.backward()
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_unbatched_input_matches(cls):
    torch = _torch()
    theirs = getattr(torch.nn, cls)(3, 4).double()
    ours = getattr(nn, cls)(3, 4).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = _rand(5, 3)
    out_o, _ = ours(tb.tensor(x))
    out_t, _ = theirs(torch.tensor(x))
    assert out_o.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("cls,kwargs", [("RNNCell", dict()), ("RNNCell", dict(nonlinearity="relu")),
                                        ("LSTMCell", dict()), ("GRUCell", dict()), ("GRUCell", dict(bias=False))])
def test_cells_match(cls, kwargs):
    torch = _torch()
    theirs = getattr(torch.nn, cls)(3, 4, **kwargs).double()
    ours = getattr(nn, cls)(3, 4, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x, h = _rand(2, 3), _rand(2, 4, seed=1)
    if cls == "LSTMCell":
        c = _rand(2, 4, seed=2)
        ho, co = ours(tb.tensor(x), (tb.tensor(h), tb.tensor(c)))
        ht, ct = theirs(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
        np.testing.assert_allclose(co.data, ct.detach().numpy(), rtol=1e-10, atol=1e-12)
    else:
        ho, ht = ours(tb.tensor(x), tb.tensor(h)), theirs(torch.tensor(x), torch.tensor(h))
    np.testing.assert_allclose(ho.data, ht.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls,hidden", [("RNN", (1, 3, 4)), ("RNN", (2, 2, 4)), ("GRU", (1, 2, 5)), ("GRU", (2, 4)),
                                        ("LSTM", ((1, 2, 4), (1, 3, 4)))])
def test_recurrent_wrong_hidden_shape_raises_torchs_exception_type(cls, hidden):
    torch = _torch()
    x = np.zeros((5, 2, 3))

    def state(lib, shape):
        if isinstance(shape[0], tuple):
            return tuple(lib.tensor(np.zeros(s)) for s in shape)
        return lib.tensor(np.zeros(shape))

    with pytest.raises(Exception) as theirs:
        getattr(torch.nn, cls)(3, 4).double()(torch.tensor(x), state(torch, hidden))
    with pytest.raises(type(theirs.value)) as ours:
        getattr(nn, cls)(3, 4).double()(tb.tensor(x), state(tb, hidden))
    assert cls in str(ours.value)


# ----------------------------------------------------------------------------- activations
ACTIVATIONS = [
    ("gelu", dict()), ("gelu", dict(approximate="tanh")), ("silu", dict()), ("softplus", dict()),
    ("softplus", dict(beta=2.0, threshold=3.0)), ("elu", dict()), ("elu", dict(alpha=0.5)), ("hardtanh", dict()),
    ("hardtanh", dict(min_val=-0.5, max_val=2.0)), ("logsigmoid", dict()), ("softsign", dict()), ("mish", dict()),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=[f"{n}-{k}" for n, k in ACTIVATIONS])
def test_activations_match(name, kwargs):
    torch = _torch()
    x = np.concatenate([_rand(20) * 3, [-40.0, -3.0, 25.0, 40.0]])
    _compare(lambda t: getattr(F, name)(t, **kwargs), lambda t: getattr(torch.nn.functional, name)(t, **kwargs), [x])


@pytest.mark.parametrize("cls,args", [("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()), ("Softplus", (2, 10)),
                                      ("ELU", (0.5,)), ("Hardtanh", (-2.0, 2.0)), ("LogSigmoid", ()), ("Softsign", ()),
                                      ("Mish", ())])
def test_activation_modules_match(cls, args):
    torch = _torch()
    ours, theirs = getattr(nn, cls)(*args), getattr(torch.nn, cls)(*args)
    assert repr(ours) == repr(theirs)
    x = _rand(3, 4)
    np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [("smooth_l1_loss", dict()), ("smooth_l1_loss", dict(beta=0.5)),
                                         ("smooth_l1_loss", dict(beta=0.0)), ("huber_loss", dict()),
                                         ("huber_loss", dict(delta=0.3))])
def test_regression_losses_match(name, kwargs, reduction):
    torch = _torch()
    arrays = [_rand(4, 3), _rand(4, 3, seed=1)]
    _compare(lambda x, y: getattr(F, name)(x, y, reduction=reduction, **kwargs),
             lambda x, y: getattr(torch.nn.functional, name)(x, y, reduction=reduction, **kwargs), arrays)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches(reduction, log_target):
    torch = _torch()
    x = np.log(np.random.default_rng(0).dirichlet(np.ones(5), size=4))
    y = np.random.default_rng(1).dirichlet(np.ones(5), size=4)
    y[0, 1] = 0.0
    y = np.log(y + 1e-3) if log_target else y
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        _compare(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                 lambda a, b: torch.nn.functional.kl_div(a, b, reduction=reduction, log_target=log_target),
                 [x, y], grad_idx=[0] if not log_target else [0, 1])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [dict(), dict(p=2), dict(margin=0.5), dict(weight="w")])
def test_multi_margin_loss_matches(reduction, kwargs):
    torch = _torch()
    x = _rand(5, 4)
    t = np.array([0, 3, 1, 1, 2])
    w = np.abs(_rand(4, seed=4)) + 0.1
    ko = dict(kwargs, weight=tb.tensor(w)) if "weight" in kwargs else kwargs
    kt = dict(kwargs, weight=torch.tensor(w)) if "weight" in kwargs else kwargs
    _compare(lambda a: F.multi_margin_loss(a, tb.tensor(t), reduction=reduction, **ko),
             lambda a: torch.nn.functional.multi_margin_loss(a, torch.tensor(t), reduction=reduction, **kt), [x])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_and_margin_ranking_losses_match(reduction, margin):
    torch = _torch()
    y = np.array([1.0, -1.0, -1.0, 1.0, -1.0])
    _compare(lambda a, b, t: F.cosine_embedding_loss(a, b, t, margin=margin, reduction=reduction),
             lambda a, b, t: torch.nn.functional.cosine_embedding_loss(a, b, t, margin=margin, reduction=reduction),
             [_rand(5, 3), _rand(5, 3, seed=1), y], grad_idx=[0, 1])
    _compare(lambda a, b, t: F.margin_ranking_loss(a, b, t, margin=margin, reduction=reduction),
             lambda a, b, t: torch.nn.functional.margin_ranking_loss(a, b, t, margin=margin, reduction=reduction),
             [_rand(5), _rand(5, seed=1), y], grad_idx=[0, 1])


@pytest.mark.parametrize("cls,args", [("SmoothL1Loss", ()), ("HuberLoss", ("sum", 0.5)),
                                      ("KLDivLoss", (None, None, "batchmean")),
                                      ("MultiMarginLoss", ()), ("CosineEmbeddingLoss", (0.1,)),
                                      ("MarginRankingLoss", (0.2,))])
def test_loss_modules_repr_and_options_match(cls, args):
    torch = _torch()
    ours, theirs = getattr(nn, cls)(*args), getattr(torch.nn, cls)(*args)
    assert repr(ours) == repr(theirs)
    assert ours.reduction == theirs.reduction


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ----------------------------------------------------------------------------- padding
PADS = [((1, 2), "constant"), ((1, 0, 2, 1), "constant"), ((-1, 2, 0, 1), "constant"), ((2, 1, 1, 1), "reflect"),
        ((1, 2, 2, 0), "reflect"), ((2, 3, 1, 1), "replicate"), ((1, 2, 3, 0), "circular")]


@pytest.mark.parametrize("pad,mode", PADS, ids=[f"{p}-{m}" for p, m in PADS])
def test_pad_matches(pad, mode):
    torch = _torch()
    _compare(lambda x: F.pad(x, pad, mode=mode), lambda x: torch.nn.functional.pad(x, pad, mode=mode),
             [_rand(2, 3, 4, 5)])
    if mode == "constant":
        _compare(lambda x: F.pad(x, pad, value=1.5), lambda x: torch.nn.functional.pad(x, pad, value=1.5),
                 [_rand(2, 3, 4, 5)])


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv_padding_modes_match(mode, padding):
    torch = _torch()
    theirs = torch.nn.Conv2d(2, 3, (3, 4), padding=padding, padding_mode=mode).double()
    ours = nn.Conv2d(2, 3, (3, 4), padding=padding, padding_mode=mode).double()
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = _rand(2, 2, 5, 6)
    xo, xt = tb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    out_o.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    c1o, c1t = nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode).double(), torch.nn.Conv1d(2, 3, 3, padding=2,
                                                                                          padding_mode=mode).double()
    c1o.load_state_dict({k: v.detach().numpy() for k, v in c1t.state_dict().items()})
    x1 = _rand(2, 2, 6)
    np.testing.assert_allclose(c1o(tb.tensor(x1)).data, c1t(torch.tensor(x1)).detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=(3, 2), stride=2, padding=1),
                                    dict(kernel_size=2, dilation=2)])
def test_unfold_and_fold_match(kwargs):
    torch = _torch()
    _compare(lambda x: F.unfold(x, **kwargs), lambda x: torch.nn.functional.unfold(x, **kwargs), [_rand(2, 3, 5, 6)])
    cols = torch.nn.functional.unfold(torch.tensor(_rand(2, 3, 5, 6)), **kwargs).numpy()
    _compare(lambda c: F.fold(c, (5, 6), **kwargs), lambda c: torch.nn.functional.fold(c, (5, 6), **kwargs), [cols])
    assert repr(nn.Unfold(**kwargs)) == repr(torch.nn.Unfold(**kwargs))
    assert repr(nn.Fold((5, 6), **kwargs)) == repr(torch.nn.Fold((5, 6), **kwargs))


def test_batchnorm3d_matches():
    torch = _torch()
    theirs, ours = torch.nn.BatchNorm3d(2).double(), nn.BatchNorm3d(2).double()
    assert repr(ours) == repr(theirs)
    x = _rand(3, 2, 2, 3, 2)
    np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-10)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                    dict(kernel_size=3, stride=2, ceil_mode=True)])
def test_1d_pooling_matches(kwargs):
    torch = _torch()
    tf = torch.nn.functional
    for shape in [(2, 3, 9), (3, 8)]:
        _compare(lambda x: F.max_pool1d(x, **kwargs), lambda x: tf.max_pool1d(x, **kwargs), [_rand(*shape)])
        _compare(lambda x: F.avg_pool1d(x, **kwargs), lambda x: tf.avg_pool1d(x, **kwargs), [_rand(*shape)])
    _compare(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: tf.adaptive_avg_pool1d(x, 4), [_rand(2, 3, 9)])
    for cls in ("MaxPool1d", "AvgPool1d"):
        assert repr(getattr(nn, cls)(**kwargs)) == repr(getattr(torch.nn, cls)(**kwargs))
    assert repr(nn.AdaptiveAvgPool1d(4)) == repr(torch.nn.AdaptiveAvgPool1d(4))
    vo, io = F.max_pool1d(tb.tensor(_rand(2, 3, 9)), return_indices=True, **kwargs)
    vt, it = tf.max_pool1d(torch.tensor(_rand(2, 3, 9)), return_indices=True, **kwargs)
    np.testing.assert_array_equal(io.data, it.numpy())
    with pytest.raises(RuntimeError):
        F.max_pool1d(tb.zeros(2, 3, 4, 5), 2)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_matches(mode, padding_idx):
    torch = _torch()
    theirs = torch.nn.EmbeddingBag(6, 3, mode=mode, padding_idx=padding_idx).double()
    ours = nn.EmbeddingBag(6, 3, mode=mode, padding_idx=padding_idx).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    cases = [(np.array([[0, 2, 5], [1, 1, 3]]), None), (np.array([0, 2, 5, 1, 2, 3, 4]), np.array([0, 3, 3, 5])),
             (np.array([2, 2, 1]), np.array([0, 2]))]
    for idx, offsets in cases:
        ours.zero_grad()
        theirs.zero_grad()
        args_o = (tb.tensor(idx),) + (() if offsets is None else (tb.tensor(offsets),))
        args_t = (torch.tensor(idx),) + (() if offsets is None else (torch.tensor(offsets),))
        out_o, out_t = ours(*args_o), theirs(*args_t)
        np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-12, atol=1e-14)
        g = _rand(*out_t.shape)
        out_o.backward(tb.tensor(g))
        out_t.backward(torch.tensor(g))
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_embedding_bag_per_sample_weights_and_errors_match():
    torch = _torch()
    w = _rand(6, 3)
    idx, off, psw = np.array([0, 2, 5, 1]), np.array([0, 1]), _rand(4, seed=3)
    _compare(lambda w, p: F.embedding_bag(tb.tensor(idx), w, tb.tensor(off), mode="sum", per_sample_weights=p),
             lambda w, p: torch.nn.functional.embedding_bag(torch.tensor(idx), w, torch.tensor(off), mode="sum",
                                                            per_sample_weights=p), [w, psw])
    for call in (lambda lib: lib.nn.EmbeddingBag(6, 3)(lib.tensor([[1, 2]]), lib.tensor([0])),
                 lambda lib: lib.nn.EmbeddingBag(6, 3)(lib.tensor([1, 2])),
                 lambda lib: lib.nn.EmbeddingBag(6, 3)(lib.tensor([1, 2]), lib.tensor([1])),
                 lambda lib: lib.nn.EmbeddingBag(6, 3)(lib.tensor([1, 2]), lib.tensor([0]),
                                                       per_sample_weights=lib.ones(2))):
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(type(theirs.value)):
            call(tb)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (4, 3, 5)), ("InstanceNorm1d", (3, 5)),
                                       ("InstanceNorm2d", (2, 3, 3, 4)), ("InstanceNorm2d", (3, 3, 4))])
@pytest.mark.parametrize("kwargs", [dict(), dict(affine=True), dict(affine=True, track_running_stats=True)])
def test_instance_norm_matches(cls, shape, kwargs):
    torch = _torch()
    theirs, ours = getattr(torch.nn, cls)(3, **kwargs).double(), getattr(nn, cls)(3, **kwargs).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    if kwargs.get("affine"):
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(_rand(3, seed=5)))
            theirs.bias.copy_(torch.tensor(_rand(3, seed=6)))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for step in range(2):
        x = _rand(*shape, seed=step) * 2 + 1
        xo, xt = tb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out_o, out_t = ours(xo), theirs(xt)
        np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-9, atol=1e-11)
        g = _rand(*shape, seed=9)
        out_o.backward(tb.tensor(g))
        out_t.backward(torch.tensor(g))
        np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].data, v.numpy(), rtol=1e-10, err_msg=k)
    ours.eval()
    theirs.eval()
    x = _rand(*shape, seed=7)
    np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-9,
                               atol=1e-11)


CONVT = [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1), dict(dilation=2, padding=1),
         dict(groups=2, stride=(2, 1)), dict(stride=3, output_padding=(2, 0), bias=False)]


@pytest.mark.parametrize("kwargs", CONVT, ids=[str(k) for k in CONVT])
def test_conv_transpose_matches(kwargs):
    torch = _torch()
    theirs = torch.nn.ConvTranspose2d(4, 6, (3, 2), **kwargs).double()
    ours = nn.ConvTranspose2d(4, 6, (3, 2), **kwargs).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = _rand(2, 4, 4, 5)
    xo, xt = tb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = _rand(*out_t.shape, seed=4)
    out_o.backward(tb.tensor(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_transpose1d_and_output_size_match():
    torch = _torch()
    theirs, ours = torch.nn.ConvTranspose1d(3, 2, 3, stride=2).double(), nn.ConvTranspose1d(3, 2, 3, stride=2).double()
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = _rand(2, 3, 5)
    np.testing.assert_allclose(ours(tb.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    t2, o2 = torch.nn.ConvTranspose2d(2, 2, 3, stride=2).double(), nn.ConvTranspose2d(2, 2, 3, stride=2).double()
    o2.load_state_dict({k: v.detach().numpy() for k, v in t2.state_dict().items()})
    x = _rand(1, 2, 4, 4)
    out_t = t2(torch.tensor(x), output_size=[10, 10])
    out_o = o2(tb.tensor(x), output_size=(10, 10))
    assert out_o.shape == tuple(out_t.shape) == (1, 2, 10, 10)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10)
