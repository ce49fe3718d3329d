"""The docs hold together: every figure and link they reference exists, their doctests pass, every guide
page has a figure that `make figures` produces, and every public name has a docstring."""

import doctest
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDE = DOCS / "guide"

# The tutorial's sections, in its order: one guide page each.
GUIDE_PAGES = [
    "01_forward_propagation.md",
    "02_chain_rule_and_backward.md",
    "03_gradient_descent.md",
    "04_batch_stochastic_minibatch.md",
    "05_problems_of_gradient_descent.md",
    "06_exponentially_weighted_averages.md",
    "07_momentum.md",
    "08_adagrad.md",
    "09_rmsprop.md",
    "10_adam.md",
]
ZH = DOCS / "zh"
PAGES = [ROOT / "README.md", DOCS / "README.md", DOCS / "internals.md", GUIDE / "README.md"]
PAGES += [GUIDE / p for p in GUIDE_PAGES]
ZH_PAGES = [ZH / "README.md", ZH / "glossary.md"] + [ZH / p for p in GUIDE_PAGES]
PAGES += ZH_PAGES

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _links(page, anchors=False):
    """Relative targets of the page's Markdown links and images (no URLs); with ``anchors``, the
    (file, anchor) pairs of links that point at a heading, "#x" meaning this page's."""
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        if anchors:
            if anchor:
                yield (page.parent / path).resolve() if path else page, anchor
        elif path:
            yield path


def _slugs(page):
    """GitHub's heading anchors: lower case, punctuation dropped (letters of any script kept), spaces to '-'."""
    heads = re.findall(r"^#+\s+(.*)$", page.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def _doctest_source(page):
    """The page with everything outside ```python blocks that hold `>>>` blanked (line numbers kept)."""
    out, block, inside = [], [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if not inside and line.strip() == "```python":
            inside, block = True, []
            out.append("")
        elif inside and line.strip() == "```":
            inside = False
            keep = any(b.lstrip().startswith(">>>") for b in block)
            out.extend(block if keep else [""] * len(block))
            out.append("")
        elif inside:
            block.append(line)
        else:
            out.append("")
    return "\n".join(out)


def _figures(page):
    return [t for t in _links(page) if "figures/" in t]


def test_guide_has_one_page_per_tutorial_section_in_order():
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    positions = [index.find(f"({name})") for name in GUIDE_PAGES]
    assert all(p >= 0 for p in positions), [n for n, p in zip(GUIDE_PAGES, positions) if p < 0]
    assert positions == sorted(positions), "the guide index must list the pages in the tutorial's order"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_link_and_figure_exists(page):
    missing = [t for t in _links(page) if not (page.parent / t).resolve().exists()]
    assert not missing, f"{page.relative_to(ROOT)} references missing files: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_anchor_exists(page):
    bad = [f"{target.name}#{anchor}" for target, anchor in _links(page, anchors=True)
           if target.suffix == ".md" and target.exists() and anchor not in _slugs(target)]
    assert not bad, f"{page.relative_to(ROOT)} links to headings that do not exist: {bad}"


@pytest.mark.parametrize("name", GUIDE_PAGES)
def test_each_guide_page_has_a_generated_figure(name):
    page = GUIDE / name
    figures = _figures(page)
    assert figures, f"{name} shows no figure"
    made = _load("make_figures", DOCS / "make_figures.py").FIGURES
    for target in figures:
        fig = (page.parent / target).resolve()
        assert fig.parent == DOCS / "figures", f"{name}: {target} is not in docs/figures/"
        assert fig.name in made, f"{name}: {fig.name} is not produced by docs/make_figures.py"


def test_every_figure_file_comes_from_make_figures():
    made = _load("make_figures", DOCS / "make_figures.py").FIGURES
    on_disk = {p.name for p in (DOCS / "figures").iterdir() if p.suffix in {".svg", ".png"}}
    assert on_disk <= set(made), f"stale figures not made by make_figures.py: {sorted(on_disk - set(made))}"
    assert set(made) <= on_disk, f"run `make figures`: missing {sorted(set(made) - on_disk)}"


def test_svg_figures_are_svg():
    for fig in (DOCS / "figures").glob("*.svg"):
        head = fig.read_text(encoding="utf-8", errors="replace")[:400]
        assert "<svg" in head or "<?xml" in head, fig.name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_doctests_in_page(page):
    """Code blocks written as `>>>` sessions run, and print what the page says they print."""
    source = _doctest_source(page)
    if ">>>" not in source:
        pytest.skip("no doctest blocks")
    import tinygrad_bp as tb

    tb.manual_seed(0)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {page.name} (see captured output)"


def test_every_public_name_has_a_docstring():
    api = _load("build_api", DOCS / "build_api.py")
    names = [name for name, _ in api.public_api()]
    assert "tinygrad_bp.Tensor" in names and "tinygrad_bp.optim.Adam" in names and "tinygrad_bp.nn.Linear" in names
    assert "tinygrad_bp.Tensor.backward" in names  # class members are included
    missing = api.missing_docstrings()
    assert not missing, f"{len(missing)} public names have no docstring: {missing}"


# Numbers the pages quote from docs/figures/measurements.json (written by `make figures`): a page that
# was not updated after the measurements changed fails here. (page, producer, key, format)
QUOTED = [
    ("02_chain_rule_and_backward.md", "graphs", "loss", "{:.4f}"),
    ("02_chain_rule_and_backward.md", "layers", "grad_norms|fc1.weight", "weight\n{:.5f}"),
    ("02_chain_rule_and_backward.md", "layers", "grad_norms|fc1.bias", "bias {:.4f}"),
    ("02_chain_rule_and_backward.md", "layers", "grad_norms|fc2.weight", "weight {:.4f}"),
    ("02_chain_rule_and_backward.md", "layers", "grad_norms|fc2.bias", "bias {:.4f})"),
    ("03_gradient_descent.md", "learning_rate", "lambda_max", "{:.3f}"),
    ("03_gradient_descent.md", "learning_rate", "lr_limit", "{:.3f}"),
    ("03_gradient_descent.md", "learning_rate", "initial_loss", "{:.4f}"),
    ("03_gradient_descent.md", "learning_rate", "lowest_loss", "{:.4f}"),
    ("03_gradient_descent.md", "learning_rate", "lr_good", "{:.3f}"),
    ("03_gradient_descent.md", "learning_rate", "lr_oscillating", "{:.3f}"),
    ("03_gradient_descent.md", "learning_rate", "lr_too_large", "{:.2f}"),
    ("03_gradient_descent.md", "learning_rate", "final_loss_too_small", "{:.4f}"),
    ("03_gradient_descent.md", "learning_rate", "final_loss_good", "{:.4f}"),
    ("03_gradient_descent.md", "learning_rate", "final_loss_oscillating", "{:.4f}"),
    ("03_gradient_descent.md", "learning_rate", "final_loss_too_large", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "initial_loss", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "batch_updates", "| {} |"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "minibatch_updates", "| {} |"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "stochastic_updates", "| {} |"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "batch_loss_after_5_epochs", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "minibatch_loss_after_5_epochs", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "stochastic_loss_after_5_epochs", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "batch_final_loss", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "minibatch_final_loss", "{:.4f}"),
    ("04_batch_stochastic_minibatch.md", "batch_size", "stochastic_final_loss", "{:.4f}"),
    ("06_exponentially_weighted_averages.md", "ema", "noise_rms", "{:.4f}"),
    ("06_exponentially_weighted_averages.md", "ema", "rms_error_beta_0.5", "{:.4f}"),
    ("06_exponentially_weighted_averages.md", "ema", "rms_error_beta_0.9", "{:.4f}"),
    ("06_exponentially_weighted_averages.md", "ema", "rms_error_beta_0.98", "{:.4f}"),
    ("06_exponentially_weighted_averages.md", "ema", "lag_beta_0.9", "| {} |"),
    ("06_exponentially_weighted_averages.md", "ema", "lag_beta_0.98", "| {} |"),
    ("07_momentum.md", "momentum", "initial_loss", "{:.4f}"),
    ("07_momentum.md", "momentum", "final_loss_plain_sgd", "{:.4f}"),
    ("07_momentum.md", "momentum", "final_loss_momentum", "{:.4f}"),
    ("07_momentum.md", "momentum", "final_loss_sgd_momentum", "{:.4f}"),
    ("07_momentum.md", "momentum", "final_loss_momentum_scaled", "{:.4f}"),
    ("07_momentum.md", "momentum", "scaled_vs_sgd_max_rel_loss_gap_first_10", "{:.1%}"),
    ("07_momentum.md", "momentum", "scaled_vs_sgd_max_rel_loss_gap_after_30", "{:.2%}"),
    ("07_momentum.md", "momentum", "ema_from_zero_scaled_vs_sgd_max_param_diff", "{:.1e}"),
    ("07_momentum.md", "momentum", "momentum_vs_sgd_dampened_max_param_diff", "{:.1f}"),
    ("07_momentum.md", "momentum", "fixed_sequence_first_step_ratio", "{:.1f}"),
    ("07_momentum.md", "momentum", "fixed_sequence_steps_to_1pct", "step {}"),
    ("08_adagrad.md", "epsilon", "initial_loss", "{:.4f}"),
    ("08_adagrad.md", "epsilon", "adagrad_differs_1pct_below_grad", "{:.1e}"),
    ("08_adagrad.md", "epsilon", "adagrad_first_step_ratio_at_grad_1e-6", "{:.4f}"),
    ("08_adagrad.md", "epsilon", "adagrad_outside_normal_final_loss", "{:.4f}"),
    ("08_adagrad.md", "epsilon", "adagrad_inside_normal_final_loss", "{:.4f}"),
    ("08_adagrad.md", "epsilon", "adagrad_normal_max_param_diff", "difference: {:.1f}"),
    ("08_adagrad.md", "epsilon", "adagrad_outside_tiny_final_loss", "{:.4f}"),
    ("08_adagrad.md", "epsilon", "adagrad_inside_tiny_final_loss", "{:.4f}"),
    ("09_rmsprop.md", "epsilon", "initial_loss", "{:.4f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_differs_1pct_below_grad", "{:.1e}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_first_step_ratio_at_grad_1e-6", "{:.4f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_outside_normal_final_loss", "{:.4f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_inside_normal_final_loss", "{:.4f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_normal_max_param_diff", "{:.5f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_normal_max_loss_diff", "{:.5f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_outside_tiny_final_loss", "{:.4f}"),
    ("09_rmsprop.md", "epsilon", "rmsprop_inside_tiny_final_loss", "{:.4f}"),
    ("07_momentum.md", "surfaces", "ravine_zigzags|SGD", "floor\n  {} times"),
    ("07_momentum.md", "surfaces", "ravine_zigzags|Momentum", "crosses it {} times"),
    ("07_momentum.md", "surfaces", "ravine_zigzags|SGD(momentum=0.9)", "rate {} times"),
    ("07_momentum.md", "surfaces", "ravine_mean_abs_y|Momentum", "{:.3f} against"),
    ("07_momentum.md", "surfaces", "ravine_mean_abs_y|SGD", "SGD's {:.3f}"),
    ("07_momentum.md", "surfaces", "ravine_mean_abs_y|SGD(momentum=0.9)", "{:.3f}.)"),
    ("07_momentum.md", "surfaces", "plateau_final_x|SGD", "x = {:.3f}, on"),
    ("07_momentum.md", "surfaces", "plateau_final_x|Momentum", "x = {:.3f} —"),
    ("07_momentum.md", "surfaces", "saddle_escape_step|Momentum", "at step {}, SGD"),
    ("07_momentum.md", "surfaces", "saddle_escape_step|SGD", "SGD at step {})"),
    ("08_adagrad.md", "surfaces", "saddle_escape_step|AdaGrad", "at step {}, plain"),
    ("08_adagrad.md", "surfaces", "saddle_escape_step|SGD", "SGD at step {}."),
    ("08_adagrad.md", "surfaces", "adagrad_rate|first", "from {:.2e} after"),
    ("08_adagrad.md", "surfaces", "adagrad_rate|last", "to {:.2e}"),
    ("08_adagrad.md", "surfaces", "rosenbrock_distance|AdaGrad", "stalled {:.3f} away"),
    ("09_rmsprop.md", "surfaces", "rmsprop_rate|min", "dips to {:.2e}"),
    ("09_rmsprop.md", "surfaces", "rmsprop_rate|last", "to {:.2e} after"),
    ("09_rmsprop.md", "surfaces", "rosenbrock_distance|RMSprop", "ends {:.3f} from"),
    ("09_rmsprop.md", "surfaces", "rosenbrock_distance|AdaGrad", "stalls at {:.3f}"),
    ("09_rmsprop.md", "surfaces", "saddle_escape_step|RMSprop", "at step {}):"),
    ("10_adam.md", "surfaces", "ravine_zigzags|Adam", "floor {} times"),
    ("10_adam.md", "surfaces", "ravine_zigzags|SGD", "(SGD: {})"),
    ("10_adam.md", "surfaces", "saddle_escape_step|Adam", "saddle at step {} "),
    ("10_adam.md", "surfaces", "plateau_final_x|Adam", "x = {:.3f} (the"),
    ("10_adam.md", "surfaces", "plateau_final_x|SGD", "stops at {:.3f})"),
    ("10_adam.md", "surfaces", "rosenbrock_distance|Adam", "distance {:.2e} after"),
    ("03_gradient_descent.md", "schedules", "constant 0.05|final_excess", "ends {:.2e} above"),
    ("03_gradient_descent.md", "schedules", "constant 0.005|final_excess", "slow:\n{:.2e}"),
    ("03_gradient_descent.md", "schedules", "ExponentialLR(gamma)|final_excess", "ends {:.2e} above the"),
    ("03_gradient_descent.md", "schedules", "StepLR(step_size=epochs/4, gamma=0.3)|final_excess", "`StepLR` {:.2e}"),
    ("03_gradient_descent.md", "schedules", "CosineAnnealingLR(T_max=epochs)|final_excess", "` {:.2e}."),
    ("10_adam.md", "digits", "test_accuracy", "{:.1%} of the 360"),
    ("10_adam.md", "digits", "train_accuracy", "({:.1%} of the training"),
    ("10_adam.md", "adam", "mean_m_over_mu_step1", "{:.4f} μ"),
    ("10_adam.md", "adam", "mean_mhat_over_mu_step1", "{:.4f} μ"),
    ("10_adam.md", "adam", "mean_m_over_mu_step10", "{:.4f} μ"),
    ("10_adam.md", "adam", "mean_v_over_true_step10", "{:.4f} of"),
    ("10_adam.md", "adam", "mean_v_over_true_step60", "{:.4f}"),
    ("10_adam.md", "adam", "mean_vhat_over_true_step10", "{:.4f} at"),
    ("10_adam.md", "adam", "uncorrected_first_step_over_lr", "{:.2f} times"),
    ("10_adam.md", "adam", "uncorrected_step_factor_max", "{:.2f}"),
    ("10_adam.md", "adam", "uncorrected_step_factor_argmax", "t = {})"),
    ("10_adam.md", "adam", "uncorrected_step_factor_at_100", "{:.2f} at t = 100"),
    ("10_adam.md", "adam", "initial_loss", "{:.4f}"),
    ("10_adam.md", "adam", "loss_after_5_corrected", "{:.4f}"),
    ("10_adam.md", "adam", "loss_after_5_uncorrected", "{:.4f}"),
    ("10_adam.md", "adam", "final_loss_corrected", "{:.4f}"),
    ("10_adam.md", "adam", "final_loss_uncorrected", "{:.4f}"),
]


@pytest.mark.parametrize("page,producer,key,fmt", QUOTED, ids=lambda v: str(v))
def test_quoted_measurements_match_the_last_run(page, producer, key, fmt):
    import json

    numbers = json.loads((DOCS / "figures" / "measurements.json").read_text(encoding="utf-8"))
    value = numbers[producer]
    for part in key.split("|"):
        value = value[part]
    text = fmt.format(value)
    assert text in (GUIDE / page).read_text(encoding="utf-8"), f"{page} should quote {key} as {text!r}"


# ------------------------------------------------------------------ figures legible on a projector
def test_matplotlib_figures_have_text_of_11_pt_at_the_size_a_page_shows_them():
    make = _load("make_figures", DOCS / "make_figures.py")
    measured = {}
    for name in make.FIGURES:
        sizes = make.text_sizes(DOCS / "figures" / name)
        if sizes is not None:
            measured[name] = sizes
    # every plot is measured (PNGs carry their smallest text size, SVGs keep their text as text); the
    # explorer's browser screenshots are not plots
    screenshots = {f for name in make.OPTIONAL for f in make.PRODUCERS[name][1]}
    assert {n for n in make.FIGURES if n.endswith(".png")} - screenshots <= set(measured)
    assert {"momentum_forms.svg", "batch_sizes.svg", "ema.svg", "learning_rates.svg"} <= set(measured)
    small = {n: f"{s:g} pt at scale {k:.2f}" for n, (s, k) in measured.items() if s * k < make.MIN_TEXT_PT - 0.01}
    assert not small, f"text below {make.MIN_TEXT_PT:g} pt on the page: {small}"


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_text_size_measurement_sees_small_and_wide(tmp_path, suffix, monkeypatch):
    make = _load("make_figures", DOCS / "make_figures.py")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "savefig", Figure.savefig)  # undo the recording savefig afterwards
    make._record_text_sizes()

    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 12}):
        for figsize, fontsize, expect_ok in [((9, 3), 12, True), ((9, 3), 7, False), ((18, 3), 12, False)]:
            fig = Figure(figsize=figsize)
            ax = fig.subplots()
            ax.plot([1, 2], label="a line")
            ax.legend(fontsize=fontsize)
            path = tmp_path / f"f{figsize[0]}_{fontsize}{suffix}"
            fig.savefig(path, dpi=100)
            size, scale = make.text_sizes(path)
            assert (size * scale >= make.MIN_TEXT_PT - 0.01) == expect_ok, (figsize, fontsize, size, scale)


# ------------------------------------------------------------------ the chain rule worked in numbers
def _chain():
    import json

    return json.loads((DOCS / "figures" / "measurements.json").read_text(encoding="utf-8"))["chain_rule"]


def _worked_rows(page):
    """The rows of the worked table of the chain-rule page: a list of the cells of each numbered row."""
    text = page.read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in text.splitlines() if re.match(r"^\| \d+ \| ", line)]
    assert len(rows) == 10, f"{page.name}: the worked table should have 10 numbered rows, found {len(rows)}"
    return rows


def _fmt(values, fmt="{:.4f}"):
    if len(values) == 1:
        return fmt.format(values[0])
    return "(" + ", ".join(fmt.format(v) for v in values) + ")"


CHAIN_PAGES = [GUIDE / "02_chain_rule_and_backward.md", ZH / "02_chain_rule_and_backward.md"]


@pytest.mark.parametrize("page", CHAIN_PAGES, ids=lambda p: p.parent.name)
def test_worked_chain_rule_rows_follow_backwards_order_with_the_engines_numbers(page):
    if not page.exists():
        pytest.fail(f"{page.relative_to(ROOT)} is missing")
    c = _chain()
    rows = _worked_rows(page)
    grad = c["grad"]
    nonleaf = [n for n in c["order"] if n not in ("W1", "b1", "W2", "b2")]
    assert nonleaf == ["s", "q", "d", "y", "z2", "m2", "a1", "z1", "m1"], c["order"]
    # row k hands down the gradient of the k-th tensor backward() fills in, and of the leaf beside it
    for k, name in enumerate(nonleaf):
        handed = rows[k][-1]
        assert _fmt(grad[name]) in handed, f"row {k + 1} should hand down dL/d{name} = {_fmt(grad[name])}"
    for row, leaf in ((5, "b2"), (6, "W2"), (8, "b1")):
        assert _fmt(grad[leaf]) in rows[row][-1], f"row {row + 1} should give dL/d{leaf} = {_fmt(grad[leaf])}"
    w1 = grad["W1"]
    assert f"(({w1[0]:.6f}, {w1[1]:.6f}), ({w1[2]:.6f}, {w1[3]:.6f}))" in rows[9][-1]
    # the local derivatives, each in its row
    loc, val = c["local"], c["value"]
    assert f"{loc['dq_dd']:.4f}" in rows[2][2] and f"{val['d'][0]:.4f}" in rows[2][2]
    y = val["y"][0]
    assert f"{y:.4f} · {1 - y:.4f} = {loc['dy_dz2']:.4f}" in rows[4][2]
    assert _fmt(val["a1"]) in rows[6][2] and _fmt(loc["W2"]) in rows[6][2]
    assert _fmt(loc["da1_dz1"]) in rows[7][2]
    assert _fmt(val["x"]) in rows[9][2]
    # each arriving gradient is the one handed down by the row above
    for k in range(1, 10):
        above = _fmt(grad[nonleaf[k - 1]])
        assert above in rows[k][3], f"row {k + 1} should start from {above}"


def test_worked_chain_rule_products_are_what_backward_computes():
    """The engine's gradients are the products the table multiplies (float32 rounding)."""
    import numpy as np

    c = _chain()
    g, loc, val = ({k: np.array(v) for k, v in c[part].items()} for part in ("grad", "local", "value"))
    close = {"rtol": 1e-5, "atol": 1e-9}
    np.testing.assert_allclose(g["d"], loc["dq_dd"] * g["q"], **close)
    np.testing.assert_allclose(g["z2"], loc["dy_dz2"] * g["y"], **close)
    np.testing.assert_allclose(g["a1"], loc["W2"] * g["m2"], **close)
    np.testing.assert_allclose(g["W2"], g["m2"] * val["a1"], **close)
    np.testing.assert_allclose(g["z1"], loc["da1_dz1"] * g["a1"], **close)
    np.testing.assert_allclose(g["W1"], np.outer(g["m1"], val["x"]).ravel(), **close)
    # and the path the page writes out: (dL/dy) · σ'(z2) · a1[0] = dL/dW2[0]
    np.testing.assert_allclose(g["y"][0] * loc["dy_dz2"] * val["a1"][0], g["W2"][0], **close)


# ------------------------------------------------------------------ the Chinese guide (docs/zh/)
def _python_blocks(page):
    return re.findall(r"^```python\n(.*?)^```$", page.read_text(encoding="utf-8"), re.S | re.M)


def test_every_english_page_has_its_chinese_page_and_the_readmes_link_both():
    english = sorted(p.name for p in GUIDE.glob("*.md"))
    chinese = sorted(p.name for p in ZH.glob("*.md") if p.name != "glossary.md")
    assert english == chinese, f"pages without a Chinese (or English) twin: {set(english) ^ set(chinese)}"
    index = (ZH / "README.md").read_text(encoding="utf-8")
    positions = [index.find(f"({name})") for name in GUIDE_PAGES]
    assert all(p >= 0 for p in positions), "docs/zh/README.md must list every page"
    assert positions == sorted(positions), "docs/zh/README.md must list the pages in order"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/guide/README.md)" in readme and "(docs/zh/README.md)" in readme
    assert "(glossary.md)" in index and "(../zh/glossary.md)" in (GUIDE / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["README.md"] + GUIDE_PAGES)
def test_language_link_at_the_top_of_both_pages(name):
    for page, link in ((GUIDE / name, f"](../zh/{name})"), (ZH / name, f"](../guide/{name})")):
        top = page.read_text(encoding="utf-8").splitlines()[:4]
        assert any(link in line for line in top), f"{page.relative_to(ROOT)} needs a language link {link} at the top"


@pytest.mark.parametrize("name", GUIDE_PAGES)
def test_chinese_page_has_the_same_code_and_figures(name):
    assert _python_blocks(ZH / name) == _python_blocks(GUIDE / name), f"docs/zh/{name}: code blocks differ"
    assert _figures(ZH / name) == _figures(GUIDE / name), f"docs/zh/{name}: figures differ"


@pytest.mark.parametrize("page,producer,key,fmt", QUOTED, ids=lambda v: str(v))
def test_chinese_pages_quote_the_same_measurements(page, producer, key, fmt):
    """The number itself (the English page's context words are not on the Chinese page)."""
    import json

    numbers = json.loads((DOCS / "figures" / "measurements.json").read_text(encoding="utf-8"))
    value = numbers[producer]
    for part in key.split("|"):
        value = value[part]
    text = re.search(r"\{[^}]*\}", fmt).group(0).format(value)
    assert text in (ZH / page).read_text(encoding="utf-8"), f"docs/zh/{page} should quote {key} as {text!r}"


def test_glossary_is_bilingual():
    rows = [line for line in (ZH / "glossary.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and not line.startswith("| 中文") and not line.startswith("|---")]
    assert len(rows) >= 20
    terms = {r.split("|")[1].strip() for r in rows}
    for term in ("反向传播", "链式法则", "梯度下降", "动量", "偏差修正", "学习率", "指数加权平均"):
        assert any(term in t for t in terms), f"the glossary lacks {term}"
    for r in rows:
        zh, en = (c.strip() for c in r.split("|")[1:3])
        assert re.search(r"[\u4e00-\u9fff]", zh) and re.search(r"[A-Za-z]", en), r
