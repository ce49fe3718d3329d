"""nn.init.trunc_normal_ / orthogonal_ and Module pre-hooks / get_submodule / get_parameter against live
torch: the same distributions (two-sample Kolmogorov-Smirnov), the same orthogonality, the same hook
results and error messages."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb

pytestmark = pytest.mark.parity


def ks_distance(a, b):
    """The two-sample Kolmogorov-Smirnov statistic sup |F_a − F_b|."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                         - np.searchsorted(b, grid, side="right") / b.size))


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, -1.0, 2.0), (0.0, 1.0, 2.0, 3.0),
                                             (0.0, 0.02, -0.04, 0.04)])
def test_trunc_normal_has_torchs_distribution(mean, std, a, b):
    torch = pytest.importorskip("torch")
    n = 50_000
    torch.manual_seed(0)
    theirs = torch.nn.init.trunc_normal_(torch.empty(n, dtype=torch.float64), mean, std, a, b).numpy()
    ours = tb.nn.init.trunc_normal_(tb.empty(n, dtype=tb.float64), mean, std, a, b,
                                    generator=tb.Generator().manual_seed(0)).numpy()
    assert ours.min() >= a and ours.max() <= b and theirs.min() >= a and theirs.max() <= b
    # 1% critical value of the two-sample KS statistic: 1.63·√(2/n)
    assert ks_distance(ours, theirs) < 1.63 * math.sqrt(2 / n)


@pytest.mark.parametrize("shape", [(6, 6), (3, 8), (8, 3), (4, 2, 3, 3)])
def test_orthogonal_like_torch(shape):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.init.orthogonal_(torch.empty(*shape, dtype=torch.float64), gain=0.5).numpy()
    ours = tb.nn.init.orthogonal_(tb.empty(*shape, dtype=tb.float64), gain=0.5).numpy()
    for w in (ours, theirs):
        m = w.reshape(shape[0], -1)
        gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(gram, 0.25 * np.eye(min(m.shape)), atol=1e-12)
    assert str(_error(lambda: tb.nn.init.orthogonal_(tb.empty(3)))) == \
        str(_error(lambda: torch.nn.init.orthogonal_(torch.empty(3))))


def test_orthogonal_entry_distribution_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    g = tb.Generator().manual_seed(1)
    draws = 3000
    theirs = np.array([torch.nn.init.orthogonal_(torch.empty(3, 3, dtype=torch.float64))[0, 0].item()
                       for _ in range(draws)])
    ours = np.array([tb.nn.init.orthogonal_(tb.empty(3, 3, dtype=tb.float64), generator=g).numpy()[0, 0]
                     for _ in range(draws)])
    assert ks_distance(ours, theirs) < 1.63 * math.sqrt(2 / draws)


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared across libraries
        return e
    return None


def _net(lib):
    nn = lib.nn
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 1)))
    with lib.no_grad():
        for p in net.parameters():
            p.copy_(lib.ones(p.shape) * 0.1)
    return net


def test_pre_hooks_and_forward_hooks_match_torch():
    torch = pytest.importorskip("torch")
    outs = []
    for lib in (tb, torch):
        net = _net(lib)
        log = []
        net[0].register_forward_pre_hook(lambda m, args: args[0] * 2)
        net[1].register_forward_pre_hook(lambda m, args, log=log: log.append("second"))
        net[1].register_forward_pre_hook(lambda m, args, log=log: log.append("first"), prepend=True)
        net.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True)
        net.register_forward_hook(lambda m, args, kwargs, out: out * 3, with_kwargs=True)
        out = net(lib.tensor([[1.0, -2.0]]))
        outs.append((out.detach().numpy(), log))
        bad = net[0].register_forward_pre_hook(lambda m, args, kwargs: 5, with_kwargs=True)
        outs.append(type(_error(lambda: net(lib.tensor([[1.0, -2.0]])))).__name__)  # noqa: B023
        bad.remove()
    np.testing.assert_allclose(outs[0][0], outs[2][0], rtol=1e-6)
    assert outs[0][1] == outs[2][1] == ["first", "second"]
    assert outs[1] == outs[3] == "RuntimeError"


@pytest.mark.parametrize("call", [
    lambda n: n.get_submodule("1.1"), lambda n: n.get_submodule(""), lambda n: n.get_parameter("1.1.bias"),
    lambda n: n.get_submodule("2"), lambda n: n.get_submodule("1.0.weight"), lambda n: n.get_submodule("0.weight"),
    lambda n: n.get_parameter("0.nope"), lambda n: n.get_parameter("1.training"), lambda n: n.get_parameter("5.w"),
])
def test_get_submodule_and_get_parameter_match_torch(call):
    torch = pytest.importorskip("torch")
    ours_net, theirs_net = _net(tb), _net(torch)
    ours, theirs = _error(lambda: call(ours_net)), _error(lambda: call(theirs_net))
    if theirs is None:
        a, b = call(ours_net), call(theirs_net)
        assert type(a).__name__ == type(b).__name__
        names = {id(v): k for k, v in ours_net.named_modules()} | {id(v): k for k, v in ours_net.named_parameters()}
        names_t = {id(v): k for k, v in theirs_net.named_modules()} | \
            {id(v): k for k, v in theirs_net.named_parameters()}
        assert names[id(a)] == names_t[id(b)]
    else:
        assert type(ours) is type(theirs) and str(ours) == str(theirs)
