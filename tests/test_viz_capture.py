"""viz.capture(): every node's gradient and each edge's contribution, and the pictures drawn from them."""

import re

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.autograd import engine
from tinygrad_bp.autograd.function import Function, Op
from tinygrad_bp.viz import capture, draw_graph
from tinygrad_bp.viz.worked_example import draw_worked_example, worked_example

pytest.importorskip("graphviz")

NODE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\]$')
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")


def labels(dot):
    """{node id: label lines} (DOT's \\n and \\l line ends)."""
    out = {}
    for line in dot.splitlines():
        m = NODE.match(line)
        if m:
            out[m.group(1)] = [s for s in re.split(r"\\[nl]", m.group(2)) if s]
    return out


def numbers(lines):
    """Every number written in the label lines."""
    return [float(v) for line in lines for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", line)]


def close_to(value, found, rel=1e-3):
    return any(abs(v - value) <= rel * abs(value) + 1e-12 for v in found)


# ---------------------------------------------------------------- what is captured
def hand_gradients():
    """The worked example's gradients written out with NumPy (the chain rule by hand)."""
    x = np.array([[0.05], [0.10]])
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
    b1 = np.array([[0.35], [0.35]])
    W2 = np.array([[0.40, 0.45]])
    b2 = np.array([[0.60]])
    t = 0.99
    z1 = W1 @ x + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ a1 + b2
    y = 1 / (1 + np.exp(-z2))
    dy = y - t                       # dL/dy for L = ½(y - t)²
    dz2 = dy * y * (1 - y)           # σ'(z2) = y(1 - y)
    da1 = W2.T @ dz2
    dz1 = da1 * a1 * (1 - a1)
    return {"y": dy, "z2": dz2, "a1": da1, "z1": dz1, "W2": dz2 @ a1.T, "b2": dz2, "W1": dz1 @ x.T, "b1": dz1}


def test_capture_keeps_every_intermediate_gradient():
    t = worked_example()
    for name, expected in hand_gradients().items():
        got = t[name].grad_fn.viz_grad if t[name].grad_fn is not None else t[name].viz_grad
        np.testing.assert_allclose(got, expected, rtol=1e-4, err_msg=name)
    # the leaves' .grad is filled as usual, and agrees
    np.testing.assert_allclose(t["W1"].grad.numpy(), hand_gradients()["W1"], rtol=1e-4)


def test_the_worked_example_picture_shows_each_hand_computed_gradient_and_the_target():
    dot = draw_worked_example().source
    found = labels(dot)
    every_number = [v for lines in found.values() for v in numbers(lines)]
    for name, expected in hand_gradients().items():
        for value in np.ravel(expected):
            assert f"{value:.4g}" in dot or close_to(value, every_number), f"dL/d{name} = {value:.4g} not drawn"
    target = [lines for lines in found.values() if lines[0] == "target"]
    assert target and target[0][1] == "(1, 1)" and target[0][2] == "[0.99]"
    x = [lines for lines in found.values() if lines[0] == "x"]
    assert x and x[0][2:] == ["[0.05]", "[0.1]"]
    # the target feeds SubBackward0 (y - t): the edge is drawn
    ids = {lines[0]: name for name, lines in found.items() if lines[0] in ("target", "SubBackward0")}
    assert (ids["target"], ids["SubBackward0"]) in [(m.group(1), m.group(2)) for m in map(EDGE.match, dot.splitlines())
                                                    if m]
    # every op node shows its gradient, and its formula in full
    ops = [lines for name, lines in found.items() if re.fullmatch(r"op\d+", name)]
    assert len(ops) == 10 and all(any(line.startswith("grad ‖g‖=") for line in lines) for lines in ops)
    sigmoid = next(lines for lines in ops if lines[0] == "SigmoidBackward0")
    assert "dz/dx = z(1 - z)" in sigmoid


def test_contributions_into_a_value_used_twice_sum_to_its_gradient():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    with capture() as cap:
        a = x * 3
        b = (a * a + a.exp()).sum()  # a feeds Mul twice and Exp once
        b.backward()
    node = a.grad_fn
    arriving = []
    for consumer in (b.grad_fn.inputs[0].inputs[0], b.grad_fn.inputs[0].inputs[1]):  # Mul(a, a), Exp(a)
        arriving += [g for p, g in zip(consumer.inputs, consumer.viz_input_grads) if p is node]
    assert len(arriving) == 3
    np.testing.assert_allclose(sum(arriving), node.viz_grad, rtol=1e-6)
    np.testing.assert_allclose(node.viz_grad, 2 * a.detach().numpy() + np.exp(a.detach().numpy()), rtol=1e-5)
    np.testing.assert_allclose(cap.grad(a), node.viz_grad)
    np.testing.assert_allclose(cap.grad(x), x.grad.numpy(), rtol=1e-6)
    # the picture: one labelled edge per input slot, and the edge labels into a sum to a's gradient
    dot = draw_graph(b, show_edge_grads=True).source
    found = labels(dot)
    a_id = next(n for n, lines in found.items() if lines[:2] == ["MulBackward0", "(2,)"] and
                any(e.group(1) == "leaf0" and e.group(2) == n for e in map(EDGE.match, dot.splitlines()) if e))
    into_a = [m.group(3) for m in map(EDGE.match, dot.splitlines()) if m and m.group(1) == a_id]
    assert len(into_a) == 3 and all("label=" in attrs for attrs in into_a)
    total = np.sum([numbers([re.search(r'label="([^"]*)"', attrs).group(1)]) for attrs in into_a], axis=0)
    np.testing.assert_allclose(total, node.viz_grad, rtol=2e-3)


def test_broadcast_is_undone_before_the_contribution_is_kept():
    b = tb.tensor([0.5, -1.0, 2.0], requires_grad=True)
    X = tb.ones(4, 3)
    with capture():
        out = (X * 2 + b).sum()
        out.backward()
    add = out.grad_fn.inputs[0]
    assert add.viz_grad.shape == (4, 3)
    assert add.viz_input_grads[1].shape == (3,)  # summed over the 4 rows, as b.grad
    np.testing.assert_allclose(add.viz_input_grads[1], [4.0, 4.0, 4.0])
    np.testing.assert_allclose(b.viz_grad, b.grad.numpy())


def test_nothing_is_kept_outside_capture_and_the_hooks_are_removed():
    apply_fn = Function.__dict__["apply"]  # the one recording path, for Op and custom Functions alike
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert not hasattr(y.grad_fn, "viz_grad") and not hasattr(x, "viz_grad")
    with pytest.raises(ZeroDivisionError), capture():
        assert engine._capture is not None and Function.__dict__["apply"] is not apply_fn
        with capture():  # nested: still on after the inner one closes
            pass
        assert engine._capture is not None
        raise ZeroDivisionError
    assert engine._capture is None
    assert Function.__dict__["apply"] is apply_fn and "apply" not in Op.__dict__
    z = (x * 2).sum()
    z.backward()
    assert not hasattr(z.grad_fn, "viz_grad") and not hasattr(z.grad_fn, "viz_value")


def test_autograd_grad_and_create_graph_are_captured_too():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    with capture():
        y = (x ** 3).sum()
        (g,) = tb.autograd.grad(y, x, create_graph=True)
        pow_node = y.grad_fn.inputs[0]
        np.testing.assert_allclose(pow_node.viz_grad, [1.0, 1.0])
        np.testing.assert_allclose(pow_node.viz_input_grads[0], 3 * x.detach().numpy() ** 2)
        s = g.sum()
        s.backward()
    np.testing.assert_allclose(x.viz_grad, 6 * x.detach().numpy(), rtol=1e-6)  # d/dx Σ 3x² from the second pass only
    assert x.grad is not None and x.grad.grad_fn is None


def test_a_leaf_shows_the_gradient_of_this_pass_not_the_accumulated_grad():
    w = tb.tensor([1.0, -1.0], requires_grad=True)
    (w * 5).sum().backward()  # .grad = [5, 5], before any capture
    with capture():
        out = (w * 2).sum()
        out.backward()
    assert w.grad.tolist() == [7.0, 7.0]
    dot = draw_graph(out, params={"w": w}, show_grads=True).source
    assert next(lines for lines in labels(dot).values() if lines[0] == "w")[2:4] == ["grad ‖g‖=2.828", "[2, 2]"]


def test_without_capture_only_the_leaves_show_a_gradient():
    w = tb.tensor([1.0, -1.0], requires_grad=True)
    out = (w * 2).exp().sum()
    out.backward()
    found = labels(draw_graph(out, params={"w": w}, show_grads=True).source)
    assert any(line.startswith("grad ‖g‖") for line in found["leaf0"])
    assert not any(line.startswith("grad") for name, lines in found.items() if name.startswith("op") for line in lines)


def test_named_inputs_without_capture_are_found_through_what_an_op_saved():
    tb.manual_seed(0)
    net = tb.nn.TwoLayerNet(3, 4, 2)
    x = tb.randn(5, 3)
    y = net(x)  # Addmm saves x
    found = labels(draw_graph(y, params=net, inputs={"x": x}).source)
    assert ["x", "(5, 3)"] in found.values()
    assert not any(lines[0] == "saved: needs no grad" for lines in found.values())


def test_direction_backward_draws_the_gradient_flow_from_the_loss():
    with capture():
        x = tb.tensor([1.0, 2.0], requires_grad=True)
        loss = (x.exp() * 2).sum()
        loss.backward()
    forward = [(m.group(1), m.group(2)) for m in map(EDGE.match, draw_graph(loss).source.splitlines()) if m]
    backward = [(m.group(1), m.group(2)) for m in
                map(EDGE.match, draw_graph(loss, direction="backward").source.splitlines()) if m]
    assert sorted(backward) == sorted((h, t) for t, h in forward)
    assert "red edges: gradient flow" in draw_graph(loss, direction="backward").source


def test_formulas_are_written_on_the_nodes_in_full():
    z = tb.randn(3, 4, requires_grad=True)
    loss = tb.nn.functional.cross_entropy(z, tb.tensor([0, 2, 1]))
    dot = draw_graph(loss, show_formulas=True).source
    text = " ".join(line.strip() for lines in labels(dot).values() for line in lines)
    assert "softmax(z) - y" in text  # the docstring's second line, which a tooltip cut at its first line lost
    assert "softmax(z) - y" not in " ".join(" ".join(v) for v in labels(draw_graph(loss).source).values())


def test_errors_name_the_argument():
    x = tb.ones(1, requires_grad=True) * 2
    with pytest.raises(ValueError, match="direction"):
        draw_graph(x, direction="sideways")
    with pytest.raises(TypeError, match="inputs must be a dict"):
        draw_graph(x, inputs=[x])
    with pytest.raises(TypeError, match=r"inputs\['x'\] is a list"):
        draw_graph(x, inputs={"x": [1.0]})
    with capture() as cap, pytest.raises(TypeError, match="Tensor"):
        cap.grad(np.ones(1))


def test_trace_with_grads_shows_every_nodes_gradient(tmp_path):
    tb.manual_seed(0)
    net = tb.nn.TwoLayerNet(2, 3, 1)
    with tb.viz.trace(net, tmp_path, show_grads=True, format="dot"):
        loss = ((net(tb.randn(4, 2)) - 1) ** 2).mean()
        loss.backward()
    assert engine._capture is None  # the capture ends with the trace
    found = labels((tmp_path / "forward_0001.dot").read_text())
    ops = [lines for name, lines in found.items() if re.fullmatch(r"op\d+", name)]
    assert ops and all(any(line.startswith("grad ‖g‖=") for line in lines) for lines in ops)


# ---------------------------------------------------------------- the command line
def test_graph_example_writes_the_worked_example_in_each_format(tmp_path, monkeypatch, capsys):
    from tinygrad_bp.__main__ import main

    monkeypatch.setenv("PATH", str(tmp_path / "no_programs_here"))
    for name in ("ex.svg", "ex.png", "ex.pdf", "ex.dot"):
        assert main(["graph", "--example", "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / "ex.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "ex.pdf").read_bytes()[:5] == b"%PDF-"
    dot = (tmp_path / "ex.dot").read_text()
    assert dot == draw_worked_example().source
    import xml.etree.ElementTree as ET

    texts = [t.text for t in ET.parse(tmp_path / "ex.svg").getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert {"target", "x", "SubBackward0", "dz/dx = z(1 - z)"} <= set(texts)
    assert sum(1 for t in texts if t and t.startswith("grad ‖g‖=")) == 10 + 4 + 1  # ops, parameters, output
    capsys.readouterr()
    assert main(["graph", "--example", "-o", str(tmp_path / "ex.bmpx")]) == 2
    assert "unknown picture suffix" in capsys.readouterr().err
    assert main(["graph", "--example", "-o", str(tmp_path / "ex.svg"), "--format", "png"]) == 2
    assert "contradicts" in capsys.readouterr().err
