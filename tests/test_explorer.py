"""tb.viz.explore and `python -m tinygrad_bp explain`: the page's content without a browser.

The steps' numbers are checked against the engine (a separate backward pass) and against float64
central finite differences; the page is checked to be self-contained; no `.grad` may change.
The same pages are driven in headless Chromium by tests/test_explorer_browser.py (make test-browser).
"""

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp.__main__ import main
from tinygrad_bp.viz.explore import worked_example

ROOT = Path(__file__).resolve().parents[1]


def small_net(dtype=tb.float64):
    """z1 = W1·x + b1 (b1 broadcast over a batch of 3), a1 = σ(z1), L = mean((w2·a1 - t)²)."""
    rng = np.random.default_rng(0)
    x = tb.tensor(rng.normal(size=(3, 2)), dtype=dtype)
    t = tb.tensor(rng.normal(size=(3, 1)), dtype=dtype)
    W1 = tb.tensor(rng.normal(size=(2, 4)), dtype=dtype, requires_grad=True)
    b1 = tb.tensor(rng.normal(size=(4,)), dtype=dtype, requires_grad=True)
    w2 = tb.tensor(rng.normal(size=(4, 1)), dtype=dtype, requires_grad=True)
    params = {"W1": W1, "b1": b1, "w2": w2}

    def f(W1, b1, w2):
        a1 = (x @ W1 + b1).sigmoid()
        return ((a1 @ w2 - t) ** 2).mean()

    return f, params, {"x": x, "target": t}


def finite_difference(f, params, name, eps=1e-6):
    p = params[name]
    base = p.detach().numpy().copy()
    g = np.zeros_like(base)
    for k in range(base.size):
        vals = []
        for sign in (1, -1):
            bumped = base.copy()
            bumped.flat[k] += sign * eps
            args = {n: (tb.tensor(bumped) if n == name else q.detach()) for n, q in params.items()}
            vals.append(f(**args).item())
        g.flat[k] = (vals[0] - vals[1]) / (2 * eps)
    return g


def flat(v):
    return np.asarray(v, dtype=np.float64).reshape(-1)


def test_page_is_self_contained(tmp_path):
    e = worked_example()
    path = e.save(tmp_path / "page.html")
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 1
    assert not re.search(r"https?://", text), "no URL of any kind (no CDN, no namespace links)"
    assert not re.search(r"<(script|img|iframe|link|source|audio|video)\b[^>]*\b(src|href)\s*=", text, re.I)
    assert "@import" not in text and "url(" not in text and "fetch(" not in text and "XMLHttpRequest" not in text
    assert "window.tbExplorer" in text and 'id="tb-step-panel"' in text
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # every step's node is a <g> of the SVG (or null)
    ids = set(re.findall(r'<g id="([^"]+)" class="node tb-node"', text))
    assert {s["node"] for s in e.steps} - {None} <= ids
    assert len(text) < 200_000


def test_worked_example_steps_match_the_engine_and_finite_differences():
    e = worked_example()
    steps = e.steps
    forward = [s for s in steps if s["phase"] == "forward"]
    backward = [s for s in steps if s["phase"] == "backward"]
    assert len(forward) == 10 and len(backward) == 11
    assert [s["index"] for s in steps] == list(range(len(steps)))
    assert backward[0]["upstream"] == 1.0 and backward[0]["node"] == "out0"
    # the forward pass: the loss's value, as examples/forward_backward_by_hand.py prints it
    assert forward[-1]["value"] == pytest.approx(0.0284733, rel=1e-5)
    # the engine's own gradients: the same example with a real backward()
    from examples.forward_backward_by_hand import main as by_hand

    engine = by_hand()
    answers = {t["name"]: t for t in e.data["targets"]}
    np.testing.assert_allclose(answers["W2"]["answer"], engine["dW2"], rtol=1e-6)
    # each backward step: contribution = upstream · Jacobian (or upstream ⊙ local) = what capture() recorded
    checked = 0
    for s in backward[1:]:
        for loc, c in zip(s["local"], s["contributions"]):
            assert loc["to"] == c["to"]
            up = flat(s["upstream"])
            if loc["kind"] == "elementwise":
                got = up * flat(loc["value"])
            else:
                got = up @ np.asarray(loc["value"])
            np.testing.assert_allclose(got, flat(c["value"]), rtol=1e-5, atol=1e-9)
            checked += 1
    assert checked == 13


def test_steps_follow_the_engine_order_and_grads_match_finite_differences():
    f, params, inputs = small_net()
    with tb.viz.capture():
        loss = f(**params)
    e = tb.viz.explore(loss, params=params, inputs=inputs)
    nodes = tb.autograd.engine.toposort(loss.grad_fn)
    seqs = sorted((n.seq for n in nodes), reverse=True)
    backward = [s for s in e.steps if s["phase"] == "backward"][1:]
    assert len(backward) == len(nodes)
    item_seq = {}
    for s in e.steps:
        if s["phase"] == "forward":
            item_seq.setdefault(s["item"], len(item_seq))
    # forward in creation order, backward in the reverse (the engine pops the highest seq first)
    assert [s["item"] for s in backward] == [s["item"] for s in e.steps if s["phase"] == "forward"][::-1]
    assert len(seqs) == len(backward)
    for t in e.data["targets"]:
        fd = finite_difference(f, params, t["name"])
        np.testing.assert_allclose(flat(t["answer"]), fd.reshape(-1), rtol=1e-5, atol=1e-8)
        total = sum(flat(d["value"]) for d in t["derivation"])
        np.testing.assert_allclose(total, fd.reshape(-1), rtol=1e-5, atol=1e-8)


def test_broadcast_axes_and_running_sums():
    x = tb.tensor(np.arange(12.0, dtype=np.float32).reshape(4, 3))
    b = tb.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = tb.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x + b  # b broadcast over axis 0
    loss = (y * w * w).sum()  # w used twice
    e = tb.viz.explore(loss, params={"b": b, "w": w}, inputs={"x": x})
    summed = [c["summed"] for s in e.steps for c in s["contributions"] if c["name"] == "b"]
    assert "summed over axis 0: (4, 3) → (3,)" in summed
    acc = [a for s in e.steps for a in s["accumulated"] if a["name"] == "w"]
    assert [(a["received"], a["of"]) for a in acc] == [(1, 2), (2, 2)]
    w0 = tb.tensor(2.0, requires_grad=True)
    same_step = [s for s in tb.viz.explore(w0 * w0).steps if s["accumulated"]][0]
    assert [(a["slot"], a["value"]) for a in same_step["accumulated"]] == [(0, 2.0), (1, 4.0)]
    expected = 2 * w.detach().numpy() * (x.numpy() + b.detach().numpy()).sum(axis=0)
    np.testing.assert_allclose(acc[-1]["value"], expected)


def test_no_grad_changes_and_graph_stays_usable():
    f, params, inputs = small_net()
    params["W1"].grad = tb.ones(2, 4, dtype=tb.float64)
    before = params["W1"].grad
    a = (inputs["x"] @ params["W1"])
    a.retain_grad()
    loss = (a.sigmoid() @ params["w2"]).sum() + params["b1"].sum()
    e = tb.viz.explore(loss, params=params)
    assert params["W1"].grad is before and np.all(before.numpy() == 1)
    assert params["b1"].grad is None and params["w2"].grad is None and a.grad is None
    assert len(e.steps) > 0
    loss.backward()  # the graph was retained
    assert params["w2"].grad is not None and a.grad is not None
    np.testing.assert_allclose(params["b1"].grad.numpy(), np.ones(4))


def test_reuses_a_captured_pass_after_backward_freed_the_graph():
    f, params, inputs = small_net()
    with tb.viz.capture():
        loss = f(**params)
        loss.backward()
    grads = {n: p.grad.numpy().copy() for n, p in params.items()}
    e = tb.viz.explore(loss, params=params)
    assert e.data["jacobians"] is False
    for t in e.data["targets"]:
        np.testing.assert_allclose(flat(t["answer"]), grads[t["name"]].reshape(-1))
        assert np.array_equal(params[t["name"]].grad.numpy(), grads[t["name"]])


def test_bad_input():
    x = tb.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="requires_grad"):
        tb.viz.explore(x * 2)
    w = tb.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient="):
        tb.viz.explore(w * 2)
    e = tb.viz.explore(w * 2, gradient=tb.tensor([1.0, 1.0]))
    assert len(e.steps) == 3
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        tb.viz.explore(loss)
    with pytest.raises(RuntimeError, match="leaf"):
        tb.viz.explore(w)
    with pytest.raises(TypeError):
        tb.viz.explore(np.ones(2))
    with pytest.raises(ValueError, match="exercise"):
        tb.viz.explore((w * w).sum(), params={"w": w}, exercise=["nope"])


def test_exercise_targets():
    e = worked_example(exercise=["W1", "b2"])
    hidden = {t["name"]: t["hidden"] for t in e.data["targets"]}
    assert hidden == {"W1": True, "b1": False, "W2": False, "b2": True}
    assert all(t["hidden"] for t in worked_example(exercise=True).data["targets"])
    assert not any(t["hidden"] for t in worked_example().data["targets"])
    big = tb.nn.Linear(10, 10)
    loss = big(tb.randn(1, 10)).sum()
    assert [t["name"] for t in tb.viz.explore(loss, params=big, exercise=True).data["targets"]] == ["bias"]
    with pytest.raises(ValueError, match="more than"):
        tb.viz.explore(loss, params=big, exercise=["weight"])


def test_large_graph_collapses_modules():
    tb.manual_seed(0)
    model = tb.nn.Sequential(*[tb.nn.Sequential(tb.nn.Linear(3, 3), tb.nn.Tanh()) for _ in range(40)])
    x = tb.randn(2, 3)
    with tb.viz.capture():
        loss = model(x).sum()
    e = tb.viz.explore(loss, params=model, inputs={"x": x}, max_nodes=60)
    assert e.data["collapsed"] and e.data["total_ops"] == 40 * 2 + 1
    assert len([s for s in e.steps if s["phase"] == "backward"]) == e.data["total_ops"] + 1
    assert "collapses modules" in e.html()


def test_repr_html_is_an_iframe_of_the_page():
    text = worked_example()._repr_html_()
    assert text.startswith("<iframe") and "srcdoc=" in text and "tb-step-panel" in text
    assert "<script>" not in text  # escaped inside srcdoc


def test_data_is_a_safe_script_literal():
    from tinygrad_bp.viz.explore_page import page_json

    text = page_json({"a": "</script><b>", "n": float("nan")})
    assert "</script>" not in text and "NaN" in text
    assert json.loads(text.replace("NaN", "null"))["a"] == "</script><b>"


def test_cli_example_and_script(tmp_path, capsys):
    out = tmp_path / "backward.html"
    assert main(["explain", "--example", "-o", str(out)]) == 0
    assert "tbExplorer" in out.read_text(encoding="utf-8")
    script = tmp_path / "net.py"
    script.write_text("import tinygrad_bp as tb\ntb.manual_seed(0)\nmodel = tb.nn.TwoLayerNet(2, 3, 1)\n"
                      "x, t = tb.randn(4, 2), tb.rand(4, 1)\ninputs = {'x': x, 'target': t}\n"
                      "loss = tb.nn.MSELoss()(model(x), t)\n")
    out2 = tmp_path / "net.html"
    assert main(["explain", "--script", str(script), "-o", str(out2), "--exercise", "fc1.weight"]) == 0
    text = out2.read_text(encoding="utf-8")
    assert "fc1.weight" in text and '"exercise":true' in text
    done = tmp_path / "done.py"  # a script that already ran backward(): its captured pass is shown
    done.write_text("import tinygrad_bp as tb\nw = tb.tensor([1.0, 2.0], requires_grad=True)\nparams = {'w': w}\n"
                    "loss = (w * w).sum()\nloss.backward()\n")
    assert main(["explain", "--script", str(done), "-o", str(tmp_path / "done.html")]) == 0
    assert '"jacobians":false' in (tmp_path / "done.html").read_text(encoding="utf-8")
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\n")
    assert main(["explain", "--script", str(bad), "-o", str(tmp_path / "x.html")]) == 2
    assert "defines no variable named `loss`" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
    assert main(["explain", "--help"]) == 0
    assert "`loss`" in capsys.readouterr().out


def test_notebook_shows_the_page_as_html(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from tinygrad_bp.viz.explore import worked_example\nworked_example()")]
    client = nbclient.NotebookClient(nb, timeout=120, startup_timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    page = outputs[0].data["text/html"]
    assert page.startswith("<iframe") and "tb-step-panel" in page and "tbExplorer" in page
