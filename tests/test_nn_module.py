"""nn.Module rules: registration and order, state_dict / load_state_dict, hooks, modes, casts, repr."""

import copy

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn


class Net(nn.Module):
    """Assignment order deliberately mixes parameters, buffers and children."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.register_buffer("running", tb.zeros(4))
        self.scale = nn.Parameter(tb.ones(1))
        self.body = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
        self.offset = nn.Parameter(tb.zeros(2))
        self.register_buffer("cache", tb.zeros(1), persistent=False)

    def forward(self, x):
        return self.body(self.fc1(x) * self.scale) + self.offset


# ----------------------------------------------------------------------------- registration
def test_own_parameters_then_buffers_then_children_in_assignment_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "offset", "fc1.weight", "fc1.bias", "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"]
    assert list(net.state_dict()) == [
        "scale", "offset", "running", "fc1.weight", "fc1.bias",
        "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"]
    assert [n for n, _ in net.named_buffers()] == ["running", "cache"]
    assert [n for n, _ in net.named_children()] == ["fc1", "body"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "body", "body.0", "body.1", "body.2"]
    assert list(net.parameters())[0] is net.scale
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Linear", "Sequential", "Linear", "ReLU", "Linear"]
    assert list(net.parameters(recurse=False)) == [net.scale, net.offset]


def test_parameters_are_tensors_that_require_grad_and_share_memory():
    t = tb.randn(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, tb.Tensor) and p.requires_grad and p.is_leaf
    assert np.shares_memory(p._array, t._array)
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert type(p * 2) is tb.Tensor
    assert not nn.Parameter(t, requires_grad=False).requires_grad


def test_plain_tensor_attribute_is_not_a_parameter_and_reassignment_moves_between_stores():
    m = nn.Module()
    m.t = tb.ones(2)
    assert list(m.parameters()) == [] and m.t.shape == (2,)
    m.x = nn.Linear(1, 1)
    m.x = nn.Parameter(tb.ones(1))  # a child replaced by a parameter
    assert [n for n, _ in m.named_parameters()] == ["x"] and list(m.children()) == []
    del m.x
    assert list(m.parameters()) == []
    with pytest.raises(AttributeError):
        _ = m.x


def test_assignment_errors_are_pytorchs():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        lin.weight = tb.ones(2, 2)
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tb.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", tb.ones(1))
    with pytest.raises(TypeError):
        m.register_buffer("b", np.ones(1))
    with pytest.raises(TypeError):
        m.register_parameter("p", tb.ones(1))
    m.register_buffer("b", tb.ones(1))
    with pytest.raises(TypeError):
        m.b = 3


def test_shared_parameters_are_listed_once_and_shared_modules_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as PyTorch


def test_module_without_forward():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(tb.ones(1))
    assert repr(nn.Module()) == "Module()"


# ----------------------------------------------------------------------------- state dict
def test_state_dict_is_detached_and_shares_memory():
    net = Net()
    sd = net.state_dict()
    assert not sd["fc1.weight"].requires_grad
    assert np.shares_memory(sd["fc1.weight"]._array, net.fc1.weight._array)
    assert net.state_dict(keep_vars=True)["fc1.weight"] is net.fc1.weight
    assert list(net.state_dict(prefix="model."))[0] == "model.scale"


def test_load_state_dict_copies_values_into_the_same_parameters():
    src, dst = Net(), Net()
    weight = dst.fc1.weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert dst.fc1.weight is weight
    for (name, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
        np.testing.assert_array_equal(a._array, b._array, err_msg=name)
    src.fc1.weight._array[...] = 5  # a copy, not shared
    assert not np.any(dst.fc1.weight._array == 5)


def _snapshot(model):
    return {k: v._array.copy() for k, v in model.state_dict().items()}


def test_failed_strict_load_names_every_problem_and_changes_nothing():
    net = Net()
    before = _snapshot(net)
    bad = {k: v._array + 1 for k, v in net.state_dict().items()}  # NumPy arrays are accepted too
    del bad["fc1.bias"]
    bad["extra.weight"] = np.zeros(3)
    bad["body.0.weight"] = np.zeros((2, 2))
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(bad)
    msg = str(info.value)
    assert 'Missing key(s) in state_dict: "fc1.bias"' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in msg
    assert "size mismatch for body.0.weight" in msg and "(2, 2)" in msg and "(4, 4)" in msg
    assert msg.startswith("Error(s) in loading state_dict for Net")
    after = _snapshot(net)
    for k in before:
        np.testing.assert_array_equal(before[k], after[k], err_msg=k)


def test_shape_mismatch_alone_leaves_the_model_unchanged():
    net = Net()
    before = _snapshot(net)
    sd = {k: v._array + 1 for k, v in net.state_dict().items()}
    sd["body.2.bias"] = np.zeros(3)  # the last key: every earlier key would already be copied by a naive load
    with pytest.raises(RuntimeError, match="size mismatch for body.2.bias"):
        net.load_state_dict(sd, strict=False)
    for k, v in _snapshot(net).items():
        np.testing.assert_array_equal(before[k], v, err_msg=k)


def test_non_strict_load_returns_named_tuple_and_loads_the_rest():
    net = Net()
    sd = {"fc1.weight": tb.ones(4, 3), "nope": tb.ones(1)}
    result = net.load_state_dict(sd, strict=False)
    assert result.unexpected_keys == ["nope"]
    assert result.missing_keys == [k for k in net.state_dict() if k != "fc1.weight"]
    missing, unexpected = result
    assert unexpected == ["nope"] and result._fields == ("missing_keys", "unexpected_keys")
    np.testing.assert_array_equal(net.fc1.weight._array, np.ones((4, 3)))


def test_load_with_assign_takes_the_checkpoint_arrays():
    lin = nn.Linear(2, 1)
    weight = np.array([[1.0, 2.0]])
    lin.load_state_dict({"weight": weight, "bias": tb.tensor([0.5])}, assign=True)
    assert lin.weight._array is weight and lin.weight.dtype == tb.float64 and lin.weight.requires_grad


def test_load_casts_dtype_and_refuses_non_arrays():
    lin = nn.Linear(2, 1)
    lin.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([3.0])})  # float64 into float32
    assert lin.weight.dtype == tb.float32 and lin.weight.tolist() == [[1.0, 2.0]]
    with pytest.raises(RuntimeError, match='parameter named "bias"'):
        lin.load_state_dict({"weight": np.ones((1, 2)), "bias": "three"})
    assert lin.bias.tolist() == [3.0]


# ----------------------------------------------------------------------------- hooks
def test_forward_hook_sees_the_very_inputs_can_replace_output_and_be_removed():
    lin = nn.Linear(2, 2)
    x = tb.ones(1, 2)
    seen = []

    def hook(module, inputs, output):
        seen.append((module, inputs, output))
        return output * 0

    handle = lin.register_forward_hook(hook)
    out = lin(x)
    module, inputs, output = seen[0]
    assert module is lin and type(inputs) is tuple and inputs[0] is x
    assert out.tolist() == [[0.0, 0.0]] and output is not out
    handle.remove()
    assert lin(x).tolist() != [[0.0, 0.0]] and len(seen) == 1
    handle.remove()  # removing twice is harmless


def test_hooks_run_in_registration_order_and_none_keeps_output():
    calls = []
    act = nn.ReLU()
    act.register_forward_hook(lambda m, i, o: calls.append("a"))
    act.register_forward_hook(lambda m, i, o: calls.append("b"))
    x = tb.tensor([-1.0, 2.0])
    assert act(x).tolist() == [0.0, 2.0] and calls == ["a", "b"]


# ----------------------------------------------------------------------------- modes and bulk ops
def test_train_eval_reach_every_submodule():
    net = Net()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("no")


def test_zero_grad_sets_to_none_or_zeros_in_place():
    net = Net()
    net(tb.randn(5, 3)).sum().backward()
    grad = net.fc1.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.fc1.weight.grad is grad and not grad._array.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_apply_visits_children_before_parent():
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Tanh()))
    order = []
    assert net.apply(lambda m: order.append(type(m).__name__)) is net
    assert order == ["Linear", "ReLU", "Tanh", "Sequential", "Sequential"]


def test_apply_with_init_reinitialises_linears():
    net = Net()

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    net.apply(init)
    assert all(not m.weight._array.any() for m in net.modules() if isinstance(m, nn.Linear))


def test_double_float_to_cast_in_place_keeping_parameter_objects():
    net = Net()
    params = list(net.parameters())
    assert net.double() is net
    assert all(p.dtype == tb.float64 for p in net.parameters()) and net.running.dtype == tb.float64
    assert all(a is b for a, b in zip(params, net.parameters()))
    out = net(tb.randn(2, 3, dtype=tb.float64))
    assert out.dtype == tb.float64
    net.float()
    assert all(p.dtype == tb.float32 for p in net.parameters())
    net.to(tb.float64)
    assert net.fc1.weight.dtype == tb.float64
    net.to("cpu").to(dtype=tb.float32)
    assert net.fc1.weight.dtype == tb.float32
    with pytest.raises(TypeError):
        net.to(tb.int64)


def test_buffers_are_not_parameters_and_follow_casts():
    m = nn.Module()
    m.register_buffer("steps", tb.tensor([3]))
    m.register_buffer("mean", tb.zeros(2))
    m.double()
    assert m.steps.dtype == tb.int64 and m.mean.dtype == tb.float64
    assert list(m.parameters()) == []


def test_requires_grad_and_deepcopy():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    clone = copy.deepcopy(net)
    assert list(clone.state_dict()) == list(net.state_dict())
    assert all(isinstance(p, nn.Parameter) for p in clone.parameters())
    clone.fc1.weight._array[...] = 7
    assert not np.any(net.fc1.weight._array == 7)


# ----------------------------------------------------------------------------- containers
def test_sequential_indexing_slicing_len_iteration_and_forward():
    a, b, c = nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    head = seq[:2]
    assert type(head) is nn.Sequential and list(head) == [a, b] and list(head.state_dict()) == ["0.weight", "0.bias"]
    tail = seq[1:]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]  # slicing keeps the names (PyTorch)
    x = tb.randn(4, 2)
    np.testing.assert_allclose(seq(x)._array, c(b(a(x)))._array)
    with pytest.raises(IndexError):
        seq[3]
    seq.append(nn.ReLU())
    assert len(seq) == 4
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"]


def test_sequential_from_ordered_dict_keeps_names():
    from collections import OrderedDict

    seq = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["hidden.weight", "hidden.bias"] and seq.hidden is seq[0]


def test_module_list_registers_and_supports_list_operations():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.Tanh())
    layers.insert(0, nn.ReLU())
    assert [type(m).__name__ for m in layers] == ["ReLU", "Linear", "Linear", "Linear", "Tanh"]
    assert list(layers.state_dict())[:2] == ["1.weight", "1.bias"]
    sub = layers[1:3]
    assert type(sub) is nn.ModuleList and list(sub.state_dict())[0] == "0.weight"
    layers += [nn.Identity()]
    del layers[0]
    assert len(layers) == 5 and type(layers[-1]) is nn.Identity
    with pytest.raises(NotImplementedError):
        layers(tb.ones(1))


def test_nested_repr():
    net = nn.Sequential(nn.Linear(10, 1), nn.Sequential(nn.ReLU(inplace=True), nn.Dropout(0.1)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=10, out_features=1, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU(inplace=True)\n"
        "    (1): Dropout(p=0.1, inplace=False)\n"
        "  )\n"
        ")")
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
