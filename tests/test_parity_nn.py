"""Live comparison with PyTorch (make test-parity): layers, losses, init bounds and statistics,
state_dict keys, reprs and error types. Every test starts with importorskip, so without torch they skip."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb
import tinygrad_bp.nn.functional as F
from tinygrad_bp import nn

pytestmark = pytest.mark.parity
REDUCTIONS = ["mean", "sum", "none"]


def _torch():
    return pytest.importorskip("torch")


def _copy_weights(ours, theirs):
    """Load a torch module's weights into ours through state_dict (NumPy arrays)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_two_layer_net_forward_backward_and_sgd_step_match(dtype):
    torch = pytest.importorskip("torch")
    tdt = getattr(torch, dtype)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 2),
                                 torch.nn.Sigmoid()).to(tdt)
    ours = nn.TwoLayerNet(4, 5, 2).to(np.dtype(dtype))
    ours.load_state_dict({k.replace("0.", "fc1.").replace("2.", "fc2."): v.detach().numpy()
                          for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(dtype)
    y = np.random.default_rng(1).uniform(size=(8, 2)).astype(dtype)
    loss_t = torch.nn.MSELoss()(theirs(torch.tensor(x)), torch.tensor(y))
    loss_t.backward()
    loss_o = nn.MSELoss()(ours(tb.tensor(x)), tb.tensor(y))
    loss_o.backward()
    tol = 1e-6 if dtype == "float32" else 1e-13
    assert loss_o.item() == pytest.approx(loss_t.item(), rel=tol)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad._array, q.grad.numpy(), rtol=tol * 10, atol=tol)


@pytest.mark.parametrize("shape", [(7, 3), (3,), (2, 5, 3)])
def test_linear_matches(shape):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(3, 4)
    ours = nn.Linear(3, 4)
    _copy_weights(ours, theirs)
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xo = tb.tensor(x, requires_grad=True)
    out_t, out_o = theirs(xt), ours(xo)
    np.testing.assert_allclose(out_o._array, out_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(3).standard_normal(out_t.shape).astype(np.float32)
    out_t.backward(torch.tensor(g))
    out_o.backward(tb.tensor(g))
    np.testing.assert_allclose(xo.grad._array, xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.weight.grad._array, theirs.weight.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.bias.grad._array, theirs.bias.grad.numpy(), rtol=1e-5, atol=1e-5)


LOSS_CASES = [
    ("mse_loss", {}, "float"), ("l1_loss", {}, "float"),
    ("cross_entropy", {}, "class"), ("cross_entropy", {"label_smoothing": 0.25}, "class_ignored"),
    ("cross_entropy", {"weight": "w", "ignore_index": 1}, "class"),
    ("cross_entropy", {"weight": "w", "label_smoothing": 0.1}, "class_ignored"),
    ("cross_entropy", {"weight": "w", "label_smoothing": 0.1}, "prob"),
    ("nll_loss", {"weight": "w"}, "class_ignored"),
    ("binary_cross_entropy", {"weight": "w"}, "unit"),
    ("binary_cross_entropy_with_logits", {"weight": "w", "pos_weight": "w"}, "unit"),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn,opts,target_kind", LOSS_CASES, ids=[f"{c[0]}-{c[2]}-{len(c[1])}" for c in LOSS_CASES])
def test_losses_match(fn, opts, target_kind, reduction, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(fn) + len(opts))
    n, c = 9, 4
    x = rng.standard_normal((n, c)).astype(dtype) * 3
    if fn == "binary_cross_entropy":
        x = 1 / (1 + np.exp(-x))
    if target_kind.startswith("class"):
        y = rng.integers(0, c, n)
        if target_kind == "class_ignored":
            y[[2, 5]] = -100
    elif target_kind == "prob":
        y = rng.dirichlet(np.ones(c), n).astype(dtype)
    else:
        y = rng.uniform(size=(n, c)) if target_kind == "unit" else rng.standard_normal((n, c))
        y = y.astype(dtype)
    w = rng.uniform(0.5, 2.0, c).astype(dtype)
    kw_t = {k: (torch.tensor(w) if v == "w" else v) for k, v in opts.items()}
    kw_o = {k: (tb.tensor(w) if v == "w" else v) for k, v in opts.items()}
    xt, xo = torch.tensor(x, requires_grad=True), tb.tensor(x, requires_grad=True)
    out_t = getattr(torch.nn.functional, fn)(xt, torch.tensor(y), reduction=reduction, **kw_t)
    out_o = getattr(F, fn)(xo, tb.tensor(y), reduction=reduction, **kw_o)
    assert out_o.dtype == np.dtype(dtype) and out_o.shape == tuple(out_t.shape)
    tol = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(out_o._array, out_t.detach().numpy(), rtol=tol, atol=tol)
    g = rng.uniform(0.5, 1.5, tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.tensor(g))
    out_o.backward(tb.tensor(g))
    np.testing.assert_allclose(xo.grad._array, xt.grad.numpy(), rtol=tol * 5, atol=tol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_gradient_is_pytorchs_formula_bit_for_bit(reduction):
    """PyTorch's MSE backward is c·(x - y)·g (c = 2/n for the mean, else 2), in that order. Each element is
    a subtraction and two multiplications, each correctly rounded in IEEE float32 on every machine (no
    multiply-add that a compiler could fuse), so the same order gives the same bits; (x - y)·(2·(g/n)) did not."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    for shape in [(7, 3), (1, 1), (5,), (2, 3, 4)]:
        x, y = (rng.standard_normal(shape).astype(np.float32) for _ in range(2))
        g_shape = shape if reduction == "none" else ()
        g = rng.uniform(0.1, 3.0, g_shape).astype(np.float32)
        xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        xo, yo = tb.tensor(x, requires_grad=True), tb.tensor(y, requires_grad=True)
        torch.nn.functional.mse_loss(xt, yt, reduction=reduction).backward(torch.tensor(g))
        F.mse_loss(xo, yo, reduction=reduction).backward(tb.tensor(g))
        np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())
        np.testing.assert_array_equal(yo.grad.numpy(), yt.grad.numpy())


def test_cross_entropy_huge_logits_match():
    torch = pytest.importorskip("torch")
    z = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32) * 5e3
    t = np.array([0, 1, 2, 1, 0])
    zt, zo = torch.tensor(z, requires_grad=True), tb.tensor(z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.tensor(t))
    lo = F.cross_entropy(zo, tb.tensor(t))
    lt.backward()
    lo.backward()
    assert lo.item() == pytest.approx(lt.item(), rel=1e-6)
    np.testing.assert_allclose(zo.grad._array, zt.grad.numpy(), atol=1e-7)


@pytest.mark.parametrize("fn", ["relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax"])
def test_activations_match(fn):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((3, 4)) * 4
    kwargs = {"dim": 1} if "softmax" in fn else {}
    xt, xo = torch.tensor(x, requires_grad=True), tb.tensor(x, requires_grad=True)
    out_t = getattr(torch.nn.functional, fn)(xt, **kwargs)
    out_o = getattr(F, fn)(xo, **kwargs)
    np.testing.assert_allclose(out_o._array, out_t.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = np.random.default_rng(5).standard_normal((3, 4))
    out_t.backward(torch.tensor(g))
    out_o.backward(tb.tensor(g))
    np.testing.assert_allclose(xo.grad._array, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- init
@pytest.mark.parametrize("fan_in,fan_out", [(10, 1), (784, 256), (3, 500)])
def test_linear_default_init_bounds_and_statistics_match(fan_in, fan_out):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tb.manual_seed(0)
    theirs, ours = torch.nn.Linear(fan_in, fan_out), nn.Linear(fan_in, fan_out)
    assert ours.weight.dtype == tb.float32 and theirs.weight.dtype == torch.float32
    for name in ("weight", "bias"):
        t, o = getattr(theirs, name).detach().numpy(), getattr(ours, name)._array
        assert o.shape == t.shape
        bound = 1 / math.sqrt(fan_in)
        assert np.abs(o).max() <= bound and np.abs(t).max() <= bound
        if o.size >= 1000:  # statistics need samples
            assert o.std() == pytest.approx(t.std(), rel=0.05)
            assert np.abs(o).max() == pytest.approx(np.abs(t).max(), rel=0.01)


@pytest.mark.parametrize("fn,kwargs", [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 3.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": 0.3, "mode": "fan_out"}),
    ("kaiming_normal_", {"nonlinearity": "relu"}), ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
    ("uniform_", {"a": -2.0, "b": 1.0}), ("normal_", {"mean": 0.5, "std": 2.0}),
])
@pytest.mark.parametrize("shape", [(300, 200), (32, 16, 3, 3)])
def test_init_functions_statistics_match(fn, kwargs, shape):
    torch = pytest.importorskip("torch")
    t = getattr(torch.nn.init, fn)(torch.empty(shape), **kwargs).numpy()
    o = getattr(nn.init, fn)(tb.empty(*shape), **kwargs)._array
    assert o.std() == pytest.approx(t.std(), rel=0.03)
    assert float(o.mean()) == pytest.approx(float(t.mean()), abs=6 * float(t.std()) / math.sqrt(t.size))  # 6 sigma
    if "uniform" in fn:
        assert o.min() == pytest.approx(t.min(), rel=0.01) and o.max() == pytest.approx(t.max(), rel=0.01)


@pytest.mark.parametrize("name,param", [("linear", None), ("conv1d", None), ("sigmoid", None), ("tanh", None),
                                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.3), ("selu", None)])
def test_calculate_gain_matches(name, param):
    torch = pytest.importorskip("torch")
    assert nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


# ----------------------------------------------------------------------------- structure
def _build(lib):
    n = lib.nn

    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("counter", lib.zeros(3))
            self.proj = n.Linear(6, 4)
            self.gate = n.Parameter(lib.ones(4))
            self.layers = n.ModuleList([n.Linear(4, 4), n.Tanh(), n.Linear(4, 4, bias=False)])
            self.head = n.Sequential(n.Flatten(), n.Dropout(0.2), n.Linear(4, 2), n.LogSoftmax(dim=1))
            self.register_buffer("scratch", lib.zeros(1), persistent=False)
            self.loss = n.CrossEntropyLoss(weight=lib.ones(2))

    return n.Sequential(Block(), n.Identity())


def test_state_dict_keys_parameters_modules_and_repr_match():
    torch = pytest.importorskip("torch")
    ours, theirs = _build(tb), _build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    shapes = [tuple(v.shape) for v in theirs.state_dict().values()]
    assert [tuple(v.shape) for v in ours.state_dict().values()] == shapes
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours[0].named_children()] == [n for n, _ in theirs[0].named_children()]
    assert repr(ours) == repr(theirs)


def test_torch_state_dict_loads_and_gives_the_same_outputs():
    torch = pytest.importorskip("torch")
    ours, theirs = _build(tb), _build(torch)
    _copy_weights(ours, theirs)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)

    def run(model, lib):
        block = model[0]
        h = block.proj(lib.tensor(x)) * block.gate
        for layer in block.layers:
            h = layer(h)
        return block.head(h)

    np.testing.assert_allclose(run(ours, tb)._array, run(theirs, torch).detach().numpy(), rtol=1e-5, atol=1e-6)
    result_t = theirs.load_state_dict({"0.proj.weight": torch.zeros(4, 6)}, strict=False)
    result_o = ours.load_state_dict({"0.proj.weight": np.zeros((4, 6), np.float32)}, strict=False)
    assert result_o.missing_keys == result_t.missing_keys and result_o.unexpected_keys == result_t.unexpected_keys


def test_load_errors_are_runtime_errors_in_both():
    torch = pytest.importorskip("torch")
    for lib, convert in ((torch, torch.tensor), (tb, np.asarray)):
        model = lib.nn.Linear(2, 3)
        for bad in ({"weight": convert(np.zeros((3, 2), np.float32))},
                    {"weight": convert(np.zeros((2, 3), np.float32)), "bias": convert(np.zeros(3, np.float32))}):
            with pytest.raises(RuntimeError):
                model.load_state_dict(bad)


@pytest.mark.parametrize("case", ["float_class", "int32", "batch", "bounds", "smoothing", "weight", "reduction",
                                  "bce_range", "bce_shape", "logits_shape"])
def test_error_types_match(case):
    torch = pytest.importorskip("torch")

    def call(lib, fmod):
        z = lib.zeros(3, 5)
        if case == "float_class":
            return fmod.cross_entropy(z, lib.tensor([1.0, 2.0, 3.0]))
        if case == "int32":
            return fmod.cross_entropy(z, lib.tensor([1, 2, 3], dtype=lib.int32))
        if case == "batch":
            return fmod.cross_entropy(z, lib.tensor([1, 2]))
        if case == "bounds":
            return fmod.cross_entropy(z, lib.tensor([1, 2, 5]))
        if case == "smoothing":
            return fmod.cross_entropy(z, lib.tensor([1, 2, 3]), label_smoothing=2.0)
        if case == "weight":
            return fmod.cross_entropy(z, lib.tensor([1, 2, 3]), weight=lib.ones(2))
        if case == "reduction":
            return fmod.mse_loss(z, z, reduction="avg")
        if case == "bce_range":
            return fmod.binary_cross_entropy(lib.tensor([2.0]), lib.tensor([1.0]))
        if case == "bce_shape":
            return fmod.binary_cross_entropy(lib.zeros(3), lib.zeros(3, 1))
        return fmod.binary_cross_entropy_with_logits(lib.zeros(3), lib.zeros(3, 1))

    with pytest.raises(Exception) as theirs:
        call(torch, torch.nn.functional)
    with pytest.raises(Exception) as ours:
        call(tb, F)
    assert type(ours.value) is type(theirs.value)


def test_dropout_semantics_match():
    torch = pytest.importorskip("torch")
    for lib in (torch, tb):
        drop = lib.nn.Dropout(0.4)
        out = drop(lib.ones(100_000)).numpy()
        assert (out == 0).mean() == pytest.approx(0.4, abs=0.01)
        assert np.allclose(out[out != 0], 1 / 0.6)
        drop.eval()
        assert (drop(lib.ones(10)).numpy() == 1).all()


def test_clip_grad_norm_matches():
    torch = pytest.importorskip("torch")
    grads = [np.random.default_rng(i).standard_normal(s).astype(np.float32) for i, s in enumerate([(3, 4), (4,)])]
    for norm_type in (2.0, 1.0, math.inf):
        pt = [torch.zeros(g.shape, requires_grad=True) for g in grads]
        po = [nn.Parameter(tb.zeros(*g.shape)) for g in grads]
        for p, q, g in zip(pt, po, grads):
            p.grad, q.grad = torch.tensor(g), tb.tensor(g)
        total_t = torch.nn.utils.clip_grad_norm_(pt, 1.5, norm_type=norm_type)
        total_o = nn.utils.clip_grad_norm_(po, 1.5, norm_type=norm_type)
        assert total_o.item() == pytest.approx(total_t.item(), rel=1e-6)
        for p, q in zip(pt, po):
            np.testing.assert_allclose(q.grad._array, p.grad.numpy(), rtol=1e-5)
