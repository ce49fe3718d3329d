"""notebooks/ is generated from the guide pages and is up to date, and every notebook runs in a real
Jupyter kernel (the current interpreter's ipykernel) with no `dot` program on PATH, printing what its
page says it prints."""

import doctest
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _load("make_notebooks", DOCS / "make_notebooks.py")
PAIRS = make.pages()
EN = [(p, nb) for p, nb in PAIRS if p.parent == DOCS / "guide"]
ZH = [(p, nb) for p, nb in PAIRS if p.parent == DOCS / "zh"]


def test_every_guide_page_has_a_notebook_in_both_languages():
    en = {p.name for p in (DOCS / "guide").glob("[0-9][0-9]_*.md")}
    assert len(en) >= 10
    assert {p.name for p, _ in EN} == en
    assert {p.name for p, _ in ZH} == en, "every English page needs its Chinese page (and so its notebook)"
    for _, nb in PAIRS:
        assert nb.exists(), f"run `make notebooks`: {nb.relative_to(ROOT)} is missing"


def test_notebooks_are_up_to_date():
    bad = make.stale()
    assert not bad, f"notebooks/ differs from the pages; run `make notebooks`: {bad}"


def test_a_changed_page_makes_its_notebook_stale(tmp_path, monkeypatch):
    page = tmp_path / "guide" / "01_forward_propagation.md"
    page.parent.mkdir()
    page.write_text((DOCS / "guide" / page.name).read_text(encoding="utf-8"), encoding="utf-8")
    notebook = tmp_path / "nb" / "01_forward_propagation.ipynb"
    monkeypatch.setattr(make, "LANGUAGES", {page.parent: notebook.parent})
    name = os.path.relpath(notebook, make.ROOT)
    assert make.stale() == [name]  # missing
    notebook.parent.mkdir()
    notebook.write_text(make.notebook_json(page, notebook), encoding="utf-8")
    assert make.stale() == []
    with page.open("a", encoding="utf-8") as f:
        f.write("\nOne more line.\n")
    assert make.stale() == [name]


def test_links_in_notebooks_resolve():
    import re

    for _, nb in PAIRS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", "".join(cell["source"])):
                if target.startswith(("http", "#", "mailto:")):
                    continue
                assert (nb.parent / target.partition("#")[0]).exists(), f"{nb.name}: broken link {target}"


def test_chinese_notebooks_run_the_same_code():
    """The Chinese pages have the same runnable code as the English ones, cell for cell."""
    for (en_page, en_nb), (zh_page, zh_nb) in zip(EN, ZH):
        en_code = [c["source"] for c in make.cells(en_page, en_nb) if c["cell_type"] == "code"]
        zh_code = [c["source"] for c in make.cells(zh_page, zh_nb) if c["cell_type"] == "code"]
        assert en_code == zh_code, f"{zh_page.name}: code cells differ from the English page"


def _text_output(outputs):
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] in ("execute_result", "display_data") and "text/plain" in out.get("data", {}):
            parts.append(out["data"]["text/plain"] + "\n")
    return "".join(parts)


@pytest.fixture
def kernel_without_dot(tmp_path, monkeypatch):
    """A kernel spec for this interpreter, and a PATH without any directory that holds `dot`."""
    spec = tmp_path / "jupyter" / "kernels" / "tinygrad_bp_test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "test", "language": "python"}))
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "dot").exists()]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert shutil.which("dot") is None
    return "tinygrad_bp_test"


@pytest.mark.parametrize("page,notebook", [pytest.param(p, nb, id=os.path.relpath(nb, ROOT)) for p, nb in PAIRS])
def test_notebook_runs_and_prints_what_the_page_says(page, notebook, kernel_without_dot):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")

    nb = nbformat.reads(notebook.read_text(encoding="utf-8"), as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel_without_dot, timeout=60, startup_timeout=60,
                                     resources={"metadata": {"path": str(notebook.parent)}})
    client.execute()  # raises CellExecutionError on any error
    expected = [c["expected"] for c in make.cells(page, notebook) if c["cell_type"] == "code"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == len(expected)
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for cell, want in zip(code, expected):
        got = _text_output(cell.outputs)
        if want:
            assert checker.check_output(want, got, flags), \
                f"{notebook.name}: {cell.source!r}\nwant {want!r}\ngot {got!r}"
    graphs = [o for c in code for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    if "draw_graph" in "".join(c.source for c in code):
        assert graphs, f"{notebook.name} draws a graph but shows no inline SVG"


def test_the_kernel_is_this_interpreter_without_dot(kernel_without_dot):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import shutil, sys\nprint(sys.executable, shutil.which('dot'))")])
    nbclient.NotebookClient(nb, kernel_name=kernel_without_dot, timeout=60, startup_timeout=60).execute()
    assert _text_output(nb.cells[0].outputs).split() == [sys.executable, "None"]
