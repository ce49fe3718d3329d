"""Module.register_forward_pre_hook (and the prepend / with_kwargs options of both hook kinds),
get_submodule, get_parameter, get_buffer: PyTorch's calling conventions, order, return rules and errors."""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(tb.tensor([2.0]))
        self.register_buffer("count", tb.zeros(1))
        self.plain = 3

    def forward(self, x, bias=0.0):
        return x * self.w + bias


def test_pre_hook_sees_the_module_and_the_positional_args_before_forward():
    m = Scale()
    seen = []
    m.register_forward_pre_hook(lambda mod, args: seen.append((mod, args)))
    x = tb.tensor([1.0, 2.0])
    out = m(x)
    assert seen[0][0] is m and seen[0][1][0] is x and len(seen[0][1]) == 1
    np.testing.assert_array_equal(out.detach().numpy(), [2.0, 4.0])


def test_pre_hook_return_value_replaces_the_inputs_a_single_value_becomes_a_tuple():
    m = Scale()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1)            # not a tuple: wrapped
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 10,))        # sees the first hook's result
    np.testing.assert_array_equal(m(tb.tensor([1.0])).detach().numpy(), [40.0])     # ((1 + 1) · 10) · 2


def test_pre_hooks_run_in_order_and_prepend_puts_one_first_and_remove_works():
    m = Scale()
    order = []
    h1 = m.register_forward_pre_hook(lambda mod, args: order.append("a"))
    m.register_forward_pre_hook(lambda mod, args: order.append("b"))
    m.register_forward_pre_hook(lambda mod, args: order.append("first"), prepend=True)
    m(tb.tensor([1.0]))
    assert order == ["first", "a", "b"]
    h1.remove()
    order.clear()
    m(tb.tensor([1.0]))
    assert order == ["first", "b"]
    with m.register_forward_pre_hook(lambda mod, args: order.append("ctx")):
        pass
    order.clear()
    m(tb.tensor([1.0]))
    assert order == ["first", "b"]


def test_pre_hook_with_kwargs_gets_and_replaces_args_and_kwargs():
    m = Scale()
    calls = []

    def hook(mod, args, kwargs):
        calls.append(dict(kwargs))
        return (args[0] * 0,), {"bias": kwargs["bias"] + 1}

    handle = m.register_forward_pre_hook(hook, with_kwargs=True)
    np.testing.assert_array_equal(m(tb.tensor([5.0]), bias=2.0).detach().numpy(), [3.0])
    assert calls == [{"bias": 2.0}]
    handle.remove()
    assert handle.id not in m._forward_pre_hooks_with_kwargs
    m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"forward pre-hook must return None or a tuple of \(new_args, new_kwargs\)"):
        m(tb.tensor([1.0]), bias=1.0)


def test_pre_hook_runs_before_and_forward_hook_after_with_the_replaced_inputs():
    m = Scale()
    log = []
    m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,))
    m.register_forward_hook(lambda mod, args, out: log.append((args[0].tolist(), out.tolist())))
    m.register_forward_hook(lambda mod, args, kwargs, out: log.append(kwargs), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append("first"), prepend=True)
    m(tb.tensor([1.0]), bias=0.5)
    assert log == ["first", ([2.0], [4.5]), {"bias": 0.5}]


def test_pre_hook_gradients_flow_through_the_replaced_input():
    m = Scale()
    m.register_forward_pre_hook(lambda mod, args: args[0] ** 2)
    x = tb.tensor([3.0], requires_grad=True)
    m(x).sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [2 * 3.0 * 2.0])  # d(2·x²)/dx


def test_hooks_on_submodules_of_a_sequential():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    shapes = []
    for layer in net:
        layer.register_forward_pre_hook(lambda mod, args: shapes.append((type(mod).__name__, args[0].shape)))
    net(tb.randn(5, 3))
    assert shapes == [("Linear", (5, 3)), ("ReLU", (5, 4)), ("Linear", (5, 4))]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(2, 3), Scale())
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.enc(x))


def test_get_submodule_and_get_parameter_follow_dotted_paths():
    net = Net()
    assert net.get_submodule("") is net
    assert net.get_submodule("enc") is net.enc
    assert net.get_submodule("enc.1") is net.enc[1]
    assert net.get_parameter("head.weight") is net.head.weight
    assert net.get_parameter("enc.1.w") is net.enc[1].w
    assert net.get_parameter("enc.0.bias") is net.enc[0].bias
    assert net.get_buffer("enc.1.count") is net.enc[1].count
    names = dict(net.named_parameters())
    assert all(net.get_parameter(name) is p for name, p in names.items())


@pytest.mark.parametrize("call, message", [
    (lambda n: n.get_submodule("dec"), "Net has no attribute `dec`"),
    (lambda n: n.get_submodule("enc.5"), "Sequential has no attribute `5`"),
    (lambda n: n.get_submodule("head.weight"), "`weight` is not an nn.Module"),
    (lambda n: n.get_submodule("enc.1.plain"), "`plain` is not an nn.Module"),
    (lambda n: n.get_parameter("head.nope"), "Linear has no attribute `nope`"),
    (lambda n: n.get_parameter("enc.1.count"), "`count` is not an nn.Parameter"),
    (lambda n: n.get_parameter("enc.1.plain"), "`plain` is not an nn.Parameter"),
    (lambda n: n.get_parameter("missing.weight"), "Net has no attribute `missing`"),
    (lambda n: n.get_buffer("enc.1.w"), "`w` is not a buffer"),
])
def test_get_submodule_and_get_parameter_errors_are_pytorchs(call, message):
    with pytest.raises(AttributeError) as err:
        call(Net())
    assert str(err.value) == message
