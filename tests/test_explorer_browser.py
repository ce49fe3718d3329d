"""The explorer page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
Playwright for Python (``make test-browser``; excluded from ``make test``).

Playwright's own browser download is never used: the system Chromium is passed as
``executable_path``. Without it (or without playwright) these tests skip, saying how to install.
Each page is opened from disk with every request routed: anything but the page's own file fails
the test, and so does any console error.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.viz.explore import worked_example

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path():
    for path in (os.environ.get("TB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if path and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (make test-browser does)")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium: apt-get install -y chromium (make test-browser does), or set TB_CHROMIUM")
    with sync_api.sync_playwright() as p:
        profile = tempfile.mkdtemp(prefix="tb-chromium-")
        context = p.chromium.launch_persistent_context(profile, executable_path=path, headless=True,
                                                       args=CHROMIUM_ARGS)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


class Opened:
    """A page opened from disk, with its console errors and every request it attempted."""

    def __init__(self, context, path):
        self.url = Path(path).resolve().as_uri()
        self.errors = []
        self.requests = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route("**/*", self._route)
        start = time.perf_counter()
        self.page.goto(self.url)
        self.page.wait_for_function("window.tbExplorer !== undefined")
        self.load_seconds = time.perf_counter() - start

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def check_clean(self):
        assert self.errors == []
        assert self.requests == [self.url], f"the page attempted network requests: {self.requests[1:]}"

    def js(self, expression):
        return self.page.evaluate(expression)


@pytest.fixture
def example(browser, tmp_path):
    e = worked_example()
    opened = Opened(browser, e.save(tmp_path / "backward.html"))
    yield e, opened
    opened.check_clean()
    opened.page.close()


def sig4(x):
    return float(f"{float(x):.4g}")


def panel_numbers(page, selector):
    """The numbers shown (as text) in the panel's elements matching ``selector``."""
    return [float(t) for t in page.locator(f"#tb-step-panel {selector} td").all_inner_texts()]


def flat(v):
    return np.asarray(v, dtype=np.float64).reshape(-1).tolist()


def test_opens_cleanly_with_the_contract(example):
    e, o = example
    assert o.js("tbExplorer.steps.length") == len(e.steps)
    assert o.js("tbExplorer.index") == 0
    assert o.js("typeof tbExplorer.next + typeof tbExplorer.prev + typeof tbExplorer.go") == "functionfunctionfunction"
    first = o.js("tbExplorer.steps[0]")
    assert {"index", "phase", "node", "label", "upstream", "local", "contributions", "accumulated"} <= set(first)
    assert o.page.locator("#tb-step-panel").is_visible()
    assert o.page.locator(f"g#{e.steps[0]['node']}.tb-current").count() == 1


def test_arrow_keys_reach_each_step_and_the_panel_shows_the_engines_numbers(example):
    e, o = example
    from examples.forward_backward_by_hand import main as by_hand

    engine_dW2 = by_hand()["dW2"]
    o.page.locator("body").click(position={"x": 5, "y": 5})
    checked = 0
    for n in range(1, len(e.steps)):
        o.page.keyboard.press("ArrowRight")
        assert o.js("tbExplorer.index") == n
        s = e.steps[n]
        if s["node"]:
            assert o.page.locator(f"g#{s['node']}").get_attribute("class").split().count("tb-current") == 1
        if s["phase"] != "backward":
            continue
        assert panel_numbers(o.page, "[data-role=upstream-row] [data-role=upstream]") == [sig4(v) for v in
                                                                                          flat(s["upstream"])]
        for c, loc in zip(s["contributions"], s["local"]):
            box = f".tb-contrib[data-to={c['to']}]"
            shown = panel_numbers(o.page, f"{box} [data-role=contribution]")
            assert shown == [sig4(v) for v in flat(c["value"])]
            if loc["value"] is not None:
                assert panel_numbers(o.page, f"{box} [data-role=local]") == [sig4(v) for v in flat(loc["value"])]
            if c["name"] == "W2":  # the engine's own dL/dW2, to 4 significant digits
                assert shown == [sig4(v) for v in engine_dW2.reshape(-1)]
            checked += 1
    assert checked == 13
    o.page.keyboard.press("ArrowRight")  # past the end: stays on the last step
    assert o.js("tbExplorer.index") == len(e.steps) - 1


def test_back_slider_and_node_click(example):
    e, o = example
    o.page.click("#tb-next")
    o.page.click("#tb-next")
    o.page.click("#tb-prev")
    assert o.js("tbExplorer.index") == 1
    o.page.locator("#tb-slider").fill("15")
    assert o.js("tbExplorer.index") == 15
    assert "step 16 of" in o.page.inner_text("#tb-counter")
    o.page.keyboard.press("ArrowLeft")  # the slider has focus: it moves itself, and the page follows
    assert o.js("tbExplorer.index") == 14
    o.js("tbExplorer.go(0)")
    target = next(s for s in e.steps if s["phase"] == "forward" and "Sigmoid" in s["label"])
    o.page.locator(f"g#{target['node']}").click()
    assert o.js("tbExplorer.index") == target["index"]
    assert "tb-current" in o.page.locator(f"g#{target['node']}").get_attribute("class")
    o.js(f"tbExplorer.go({len(e.steps) - 1})")  # in the backward phase a click shows the node's backward step
    o.page.locator(f"g#{target['node']}").click()
    back = next(s for s in e.steps if s["phase"] == "backward" and s["node"] == target["node"])
    assert o.js("tbExplorer.index") == back["index"]
    done = o.page.locator("g.tb-done").count()
    assert done > 0 and o.page.locator("g.tb-edge-active").count() >= 1


def test_exercise_mode_accepts_the_right_answer_and_rejects_a_wrong_one(example):
    e, o = example
    o.page.click("#tb-exercise-toggle")
    assert o.js("tbExplorer.exercise.enabled") is True
    assert sorted(o.js("tbExplorer.exercise.targets")) == ["W1", "W2", "b1", "b2"]
    w2 = next(t for t in e.data["targets"] if t["name"] == "W2")
    step = max(d["step"] for d in w2["derivation"])
    o.js(f"tbExplorer.go({step})")
    assert o.page.locator(f"#tb-step-panel .tb-contrib[data-to={w2['item']}] [data-role=hidden]").count() == 1
    box = o.page.locator('.tb-target[data-name="W2"]')
    box.locator("textarea").fill(" ".join(f"{v:.5g}" for v in flat(w2["answer"])))
    box.locator(".tb-check").click()
    assert box.locator(".tb-result").inner_text() == "right"
    box.locator("textarea").fill("0.1 0.2")
    box.locator(".tb-check").click()
    assert box.locator(".tb-result").inner_text().startswith("wrong")
    assert o.js("tbExplorer.exercise.check('W2', '1 2')") is False
    box.locator(".tb-reveal").click()
    assert "answer" in box.locator(".tb-answer").inner_text()
    assert o.page.locator(f"#tb-step-panel .tb-contrib[data-to={w2['item']}] [data-role=hidden]").count() == 0


def test_exercise_page_starts_hidden(browser, tmp_path):
    e = worked_example(exercise=["b2"])
    o = Opened(browser, e.save(tmp_path / "ex.html"))
    assert o.js("tbExplorer.exercise.enabled") is True and o.js("tbExplorer.exercise.targets") == ["b2"]
    b2 = next(t for t in e.data["targets"] if t["name"] == "b2")
    assert o.js(f"tbExplorer.exercise.check('b2', '{b2['answer'][0][0] * (1 + 5e-4)!r}')") is True
    assert o.js(f"tbExplorer.exercise.check('b2', '{b2['answer'][0][0] * (1 + 5e-3)!r}')") is False
    o.check_clean()
    o.page.close()


def test_a_large_graph_loads(browser, tmp_path, capsys):
    """Benchmark, not a timed test: a 2,000-node graph (collapsed modules) loads and steps."""
    tb.manual_seed(0)
    model = tb.nn.Sequential(*[tb.nn.Sequential(tb.nn.Linear(4, 4), tb.nn.Tanh(), tb.nn.Linear(4, 4), tb.nn.Sigmoid())
                               for _ in range(500)])
    x = tb.randn(2, 4)
    with tb.viz.capture():
        loss = model(x).sum()
    start = time.perf_counter()
    e = tb.viz.explore(loss, params=model, inputs={"x": x})
    path = e.save(tmp_path / "big.html")
    build = time.perf_counter() - start
    assert e.data["total_ops"] >= 2000 and e.data["collapsed"]
    o = Opened(browser, path)
    start = time.perf_counter()
    o.js("(function () { for (var i = 0; i < 100; i++) tbExplorer.next(); return tbExplorer.index; })()")
    step_ms = (time.perf_counter() - start) * 10
    assert o.js("tbExplorer.index") == 100
    o.check_clean()
    with capsys.disabled():
        print(f"\nexplorer, {e.data['total_ops']} ops / {len(e.steps)} steps: build {build:.2f} s, "
              f"{Path(path).stat().st_size / 1e6:.2f} MB, load {o.load_seconds:.2f} s, {step_ms:.1f} ms per step")
    o.page.close()


def test_notebook_display_runs_inside_its_iframe(browser):
    """What a notebook shows (``_repr_html_``: the page in a sandboxed ``<iframe srcdoc>``) works as the page does."""
    page = browser.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.set_content("<!DOCTYPE html><html><body><h1>notebook</h1>" + worked_example()._repr_html_() + "</body></html>")
    frame = page.frame_locator("iframe.tb-explorer")
    frame.locator("#tb-next").click()
    frame.locator("#tb-next").click()
    assert "step 3 of 21" in frame.locator("#tb-counter").inner_text()
    inner = next(f for f in page.frames if f != page.main_frame)
    assert inner.evaluate("tbExplorer.index") == 2
    assert errors == [] and [u for u in requests if not u.startswith(("about:", "data:"))] == []
    page.close()


def save_screenshots(context, directory):
    """Three states of the worked example's page as PNGs (explorer_forward/backward/exercise.png) in ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    e = worked_example()
    html = directory / "explorer_page.tmp.html"
    e.save(html)
    o = Opened(context, html)
    o.page.set_viewport_size({"width": 1280, "height": 760})
    w2 = next(t for t in e.data["targets"] if t["name"] == "W2")
    paths = []
    for name, setup in [("forward", "tbExplorer.go(3)"),
                        ("backward", f"tbExplorer.go({max(d['step'] for d in w2['derivation'])})"),
                        ("exercise", "tbExplorer.exercise.setEnabled(true); tbExplorer.go(16)")]:
        o.js(setup)
        if name == "exercise":
            box = o.page.locator('.tb-target[data-name="W2"]')
            box.locator("textarea").fill(" ".join(f"{v:.4g}" for v in flat(w2["answer"])))
            box.locator(".tb-check").click()
        path = directory / f"explorer_{name}.png"
        o.page.screenshot(path=str(path))
        paths.append(path)
    o.check_clean()
    o.page.close()
    html.unlink()
    return paths


def test_screenshots(browser, tmp_path):
    for path in save_screenshots(browser, tmp_path):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
