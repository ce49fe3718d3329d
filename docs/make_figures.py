"""Regenerate every figure of the docs into docs/figures/ from real runs (`make figures`).

    python docs/make_figures.py [--out DIR] [--only NAME ...]

Graph pictures are drawn by ``tb.viz``; plots come from the example scripts' ``main(out_dir=...)``
functions and from ``docs/measurements.py`` (the runs behind the guide's notes on where tinygrad_bp,
following PyTorch, differs from the tutorial). The numbers the guide quotes are written to
``docs/figures/measurements.json``. Figures are SVG, written reproducibly (no timestamps), so
regenerating without a code change leaves git clean.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
EXAMPLES = ROOT / "examples"
DEFAULT_OUT = DOCS / "figures"
for _p in (str(ROOT), str(DOCS)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import tinygrad_bp as tb  # noqa: E402
from tinygrad_bp import nn  # noqa: E402


def _example(name: str) -> ModuleType:
    """Import examples/<name>.py as a module (the examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ legible text
# A page shows a figure at most PAGE_WIDTH_PX wide (GitHub's column and a notebook's output, about 9 in at
# 96 px/in) and scales a wider one down; its text must still be MIN_TEXT_PT or more on the screen.
PAGE_WIDTH_PX = 864
MIN_TEXT_PT = 11.0
PNG_TEXT_KEY = "tinygrad_bp:min_text_pt"


def _record_text_sizes() -> None:
    """Make every PNG matplotlib writes carry the size of its smallest text (PNG keeps no text
    otherwise); SVGs are written with svg.fonttype "none", so their text sizes are in the file."""
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    if getattr(Figure.savefig, "records_text_sizes", False):
        return
    savefig = Figure.savefig

    def savefig_recording(self: Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
        if str(fname).endswith(".png"):
            self.draw_without_rendering()  # creates the tick labels
            sizes = [t.get_fontsize() for t in self.findobj(Text) if t.get_visible() and t.get_text().strip()]
            kwargs["metadata"] = {**(kwargs.get("metadata") or {}), PNG_TEXT_KEY: f"{min(sizes):g}"}
        return savefig(self, fname, *args, **kwargs)

    savefig_recording.records_text_sizes = True
    Figure.savefig = savefig_recording


def text_sizes(path: Path) -> tuple[float, float] | None:
    """(smallest text size in pt, the scale a page shows the figure at) for a matplotlib figure, or None
    for a figure matplotlib did not write (the Graphviz pictures). The text appears min × scale pt."""
    import re

    if path.suffix == ".svg":
        text = path.read_text(encoding="utf-8")
        if "Matplotlib" not in text[:2000]:
            return None
        width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', text).group(1))
        # one size per label: its largest part (a tick label 10⁻² has its exponent at 70 %); 1 px = 1 pt here
        # (matplotlib < 3.10 writes the shorthand "font: 10px 'DejaVu Sans'", later ones "font-size: 10px")
        sizes = [max(float(v) for v in re.findall(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([\d.]+)px", label))
                 for label in re.findall(r"<text\b.*?</text>", text, re.S)]
        natural_px = width_pt / 72 * 96
        return min(sizes), min(1.0, PAGE_WIDTH_PX / natural_px)
    from PIL import Image

    with Image.open(path) as image:
        if PNG_TEXT_KEY not in image.text:
            return None
        dpi = round(image.info.get("dpi", (72, 72))[0])  # pHYs stores pixels per metre
        return float(image.text[PNG_TEXT_KEY]), min(image.width, PAGE_WIDTH_PX) / (image.width / dpi * 96)


# ------------------------------------------------------------------ graph pictures (tb.viz)
def classic_network() -> tuple[nn.TwoLayerNet, tb.Tensor, tb.Tensor]:
    """The guide's worked example: TwoLayerNet(2, 2, 1) with fixed weights, one sample and its target."""
    net = nn.TwoLayerNet(2, 2, 1)
    with tb.no_grad():
        net.fc1.weight.copy_(tb.tensor([[0.15, 0.20], [0.25, 0.30]]))
        net.fc1.bias.fill_(0.35)
        net.fc2.weight.copy_(tb.tensor([[0.40, 0.45]]))
        net.fc2.bias.fill_(0.60)
    return net, tb.tensor([[0.05, 0.10]]), tb.tensor([[0.99]])


def graph_figures(out: Path) -> dict:
    """The forward graph of the two-layer network (with values), the same graph after backward (with
    gradients), and the small graph that docs/internals.md walks through."""
    net, x, target = classic_network()
    inputs = {"x": x, "target": target}
    with tb.viz.capture():  # every node keeps its value and (after backward) its gradient for the pictures
        y = net(x)
        loss = 0.5 * ((y - target) ** 2).sum()
        tb.viz.render(loss, out / "forward_graph.svg", params=net, inputs=inputs, show_values=True)
        loss.backward()
    tb.viz.render(loss, out / "backward_graph.svg", params=net, inputs=inputs, show_grads=True, show_edge_grads=True)

    xs = tb.tensor([1.0, 2.0], requires_grad=True)
    w = tb.tensor([[0.5], [0.25]], requires_grad=True)
    b = tb.tensor(0.1, requires_grad=True)
    with tb.viz.capture():
        small = (xs @ w + b).sigmoid().sum()
        small.backward()
    tb.viz.render(small, out / "internals_graph.svg", params={"x": xs, "w": w, "b": b}, show_values=True,
                  show_grads=True)
    return {"forward_y": float(y.item()), "loss": float(loss.item()),
            "grad_fc2_weight": net.fc2.weight.grad.numpy().ravel().tolist()}


# ------------------------------------------------------------------ the example scripts
def _plain(value: Any) -> Any:
    """JSON-friendly copy of an example's returned numbers (arrays become lists, rounded)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float):
        return float(f"{value:.6g}")
    return value


def _from_example(name: str, out: Path, produced: str, target: str, **kwargs: Any) -> dict:
    """Run examples/<name>.py's main(out_dir=<tmp>, ...) and move the file it wrote to ``out/target``."""
    import contextlib
    import io
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        numbers = _example(name).main(out_dir=tmp, **kwargs)
        shutil.move(Path(tmp) / produced, out / target)
    return _plain(numbers)


def surface_figures(out: Path) -> dict:
    """Momentum, AdaGrad, RMSProp and Adam on a ravine, a saddle, a plateau and Rosenbrock's valley."""
    numbers = _from_example("optimizer_surfaces", out, "optimizer_surfaces.png", "optimizer_surfaces.png")
    for key in ("adagrad_rate", "rmsprop_rate"):  # keep the ends of the per-step rates, not all 2000
        rates = numbers[key]
        numbers[key] = {"first": rates[0], "min": min(rates), "last": rates[-1]}
    return numbers


def schedule_figures(out: Path) -> dict:
    """Learning-rate schedulers against two constant rates (examples/lr_schedules.py)."""
    numbers = _from_example("lr_schedules", out, "lr_schedules.png", "lr_schedules.png")
    return {name: {"lr_first": r["lrs"][0], "lr_last": r["lrs"][-1], "final_excess": r["final_excess"]}
            for name, r in numbers.items()}


def digits_figure(out: Path) -> dict:
    """TwoLayerNet(64, 64, 10) with Adam on scikit-learn's handwritten digits (examples/digits.py)."""
    return _from_example("digits", out, "digits.png", "digits.png")


def layers_figure(out: Path) -> dict:
    """examples/graph_two_layer.py's gradient picture with each module collapsed into one box."""
    numbers = _from_example("graph_two_layer", out, "layers.svg", "graph_layers.svg")
    return {k: v for k, v in numbers.items() if k in ("loss", "grad_norms")}  # not the route: it varies


# ------------------------------------------------------------------ measurements (docs/measurements.py)
def momentum_figures(out: Path) -> dict:
    import measurements

    return measurements.momentum_forms(out)


def epsilon_figures(out: Path) -> dict:
    import measurements

    return measurements.epsilon_placement(out)


def learning_rate_figures(out: Path) -> dict:
    import measurements

    return measurements.learning_rates(out)


def batch_size_figures(out: Path) -> dict:
    import measurements

    return measurements.batch_sizes(out)


def ema_figures(out: Path) -> dict:
    import measurements

    return measurements.ema_smoothing(out)


def adam_figures(out: Path) -> dict:
    import measurements

    return measurements.adam_bias(out)


def gd_problem_figures(out: Path) -> dict:
    import measurements

    return measurements.gd_problems(out)


def chain_rule_figure(out: Path) -> dict:
    """Every gradient of the worked example in backward()'s order (the page's table), and the picture
    of the same pass run under ``tb.viz.capture()``: each node's gradient and each edge's contribution."""
    import measurements

    numbers = measurements.chain_rule()
    x, target = tb.tensor([[0.05], [0.10]]), tb.tensor([[0.99]])  # examples/forward_backward_by_hand.py
    W1 = tb.tensor([[0.15, 0.20], [0.25, 0.30]], requires_grad=True)
    b1 = tb.tensor([[0.35], [0.35]], requires_grad=True)
    W2 = tb.tensor([[0.40, 0.45]], requires_grad=True)
    b2 = tb.tensor([[0.60]], requires_grad=True)
    with tb.viz.capture():
        y = (W2 @ (W1 @ x + b1).sigmoid() + b2).sigmoid()
        loss = 0.5 * ((y - target) ** 2).sum()
        loss.backward()
    graph = tb.viz.draw_graph(loss, params={"W1": W1, "b1": b1, "W2": W2, "b2": b2},
                              inputs={"x": x, "target": target}, show_values=True, show_grads=True,
                              show_formulas=True, show_edge_grads=True, direction="backward")
    tb.viz.render(graph, out / "chain_rule_captured.svg")
    numbers["captured_loss"] = float(loss.item())
    return numbers


def explorer_figures(out: Path) -> dict:
    """Three states of the explorer page (a forward step, a backward step, exercise mode with a checked
    answer) screenshotted in headless Chromium, when Chromium and Playwright are there (make test-browser
    installs both); otherwise the committed screenshots stay as they are."""
    import importlib.util
    import shutil
    import tempfile

    spec = importlib.util.spec_from_file_location("explorer_browser", ROOT / "tests" / "test_explorer_browser.py")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    browser = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(browser)
    path = browser.chromium_path()
    if path is None:
        return {"skipped": "no Chromium"}
    profile = tempfile.mkdtemp(prefix="tb-figures-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(profile, executable_path=path, headless=True,
                                                           args=browser.CHROMIUM_ARGS)
            try:
                written = browser.save_screenshots(context, out)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return {"screenshots": [f.name for f in written]}


# name -> (producer, the files it writes). The tests read FIGURES to know what `make figures` makes.
PRODUCERS: dict[str, tuple[Callable[[Path], dict], tuple[str, ...]]] = {  # slowest first (parallel runs)
    "surfaces": (surface_figures, ("optimizer_surfaces.png",)),
    "digits": (digits_figure, ("digits.png",)),
    "batch_size": (batch_size_figures, ("batch_sizes.svg",)),
    "gd_problems": (gd_problem_figures, ("gd_problems.svg",)),
    "schedules": (schedule_figures, ("lr_schedules.png",)),
    "epsilon": (epsilon_figures, ("epsilon_placement.svg",)),
    "momentum": (momentum_figures, ("momentum_forms.svg",)),
    "learning_rate": (learning_rate_figures, ("learning_rates.svg",)),
    "graphs": (graph_figures, ("forward_graph.svg", "backward_graph.svg", "internals_graph.svg")),
    "layers": (layers_figure, ("graph_layers.svg",)),
    "adam": (adam_figures, ("adam_bias_correction.svg",)),
    "ema": (ema_figures, ("ema.svg",)),
    "chain_rule": (chain_rule_figure, ("chain_rule_captured.svg",)),
    "explorer": (explorer_figures, ("explorer_forward.png", "explorer_backward.png", "explorer_exercise.png")),
}
OPTIONAL = {"explorer"}  # producers that need a program pip cannot install: skipped (files kept) without it
FIGURES = [name for _, files in PRODUCERS.values() for name in files]


def _run(name: str, out: Path) -> tuple[str, dict, float]:
    """Run one producer (in a worker process) and check it wrote its files."""
    start = time.perf_counter()
    _record_text_sizes()
    import matplotlib
    import measurements

    matplotlib.rcdefaults()  # a worker process runs several producers: start each from the same settings
    matplotlib.rcParams.update(measurements.TEXT_STYLE)
    producer, files = PRODUCERS[name]
    for f in files if name not in OPTIONAL else ():
        (out / f).unlink(missing_ok=True)
    numbers = producer(out)
    if "skipped" in numbers:
        print(f"make_figures: {name} skipped ({numbers['skipped']}); its committed files are kept")
        return name, numbers, time.perf_counter() - start
    missing = [f for f in files if not (out / f).exists()]
    if missing:
        raise RuntimeError(f"make_figures: producer {name!r} did not write {missing}")
    for f in files:
        sizes = text_sizes(out / f)
        if sizes and sizes[0] * sizes[1] < MIN_TEXT_PT - 0.01:
            raise RuntimeError(f"make_figures: {f} has {sizes[0]:g} pt text shown at {sizes[1]:.2f} scale, "
                               f"below {MIN_TEXT_PT:g} pt on the page: make it larger or the figure narrower")
    return name, numbers, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the producers (all, or those named with --only), check their files, save the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: docs/figures)")
    parser.add_argument("--only", nargs="+", choices=sorted(PRODUCERS), help="run only these producers")
    parser.add_argument("--jobs", type=int, default=2, help="producers run in this many processes (default 2)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    numbers_path = args.out / "measurements.json"
    numbers: dict[str, Any] = json.loads(numbers_path.read_text()) if numbers_path.exists() else {}
    start = time.perf_counter()
    names = args.only or list(PRODUCERS)
    if args.jobs > 1 and len(names) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            results = [pool.submit(_run, name, args.out) for name in names]
            results = [r.result() for r in results]
    else:
        results = [_run(name, args.out) for name in names]
    for name, result, seconds in results:
        numbers[name] = result
        print(f"{name:>13}: {', '.join(PRODUCERS[name][1])} ({seconds:.1f} s)")
    numbers_path.write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")
    print(f"{len(FIGURES)} figures and {numbers_path.name} in {args.out} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
