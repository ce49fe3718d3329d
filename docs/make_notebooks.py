"""Write notebooks/ from the guide pages (`make notebooks`), so a notebook cannot drift from its page.

    python docs/make_notebooks.py [--check]

One notebook per page: docs/guide/NN_name.md becomes notebooks/NN_name.ipynb and docs/zh/NN_name.md
becomes notebooks/zh/NN_name.ipynb. The prose becomes Markdown cells (links rewritten to point from
notebooks/ to the same files, and from page to page to the other notebooks); every ```python block
written as a `>>>` session, the blocks the doctests run, becomes code cells, one per example that
prints something, so each printed value shows under its own cell. Lines marked
``# doctest: +SKIP`` run only in the notebook (a graph drawn inline, say). Other ```python blocks
are fragments of a loop and stay listings. Notebooks are written without outputs; with --check
nothing is written and the exit status says whether notebooks/ is up to date.
"""

from __future__ import annotations

import argparse
import doctest
import json
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
NOTEBOOKS = ROOT / "notebooks"
# page directory -> notebook directory
LANGUAGES = {DOCS / "guide": NOTEBOOKS, DOCS / "zh": NOTEBOOKS / "zh"}
PAGE = re.compile(r"^\d\d_\w+\.md$")
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")
SKIP = re.compile(r"\s*#\s*doctest:\s*\+SKIP\s*$")
SETUP = "import tinygrad_bp as tb\n\ntb.manual_seed(0)  # the seed the page's doctests run with"


def pages() -> list[tuple[Path, Path]]:
    """(page, notebook) for every numbered page of every language, in order."""
    out = []
    for page_dir, nb_dir in LANGUAGES.items():
        for page in sorted(page_dir.glob("*.md")):
            if PAGE.match(page.name):
                out.append((page, nb_dir / (page.stem + ".ipynb")))
    return out


def _relink(text: str, page: Path, notebook: Path) -> str:
    """Rewrite the relative links of ``page`` so they work from ``notebook``'s directory."""
    notebook_of = {p.resolve(): nb for p, nb in pages()}

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if target.startswith(("http://", "https://", "mailto:", "#")):
            return match.group(0)
        path, hash_, anchor = target.partition("#")
        resolved = (page.parent / path).resolve()
        resolved = notebook_of.get(resolved, resolved)
        new = os.path.relpath(resolved, notebook.parent).replace(os.sep, "/")
        return match.group(1) + new + hash_ + anchor + match.group(3)

    return LINK.sub(fix, text)


def _session_cells(block: str) -> list[tuple[str, str]]:
    """A `>>>` block as (source, expected output) cells: a new cell after each example with output."""
    examples = doctest.DocTestParser().get_examples(block)
    cells, source = [], []
    for ex in examples:
        lines = [SKIP.sub("", line) for line in ex.source.rstrip("\n").splitlines()]
        source.extend(lines)
        if ex.want:
            cells.append(("\n".join(source), ex.want))
            source = []
    if source:
        cells.append(("\n".join(source), ""))
    return cells


def cells(page: Path, notebook: Path) -> list[dict]:
    """The page as notebook cells: {"cell_type", "source", "expected" (code cells)}."""
    out: list[dict] = [{"cell_type": "code", "source": SETUP, "expected": ""}]
    text: list[str] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0

    def flush() -> None:
        md = "\n".join(text).strip("\n")
        if md.strip():
            out.append({"cell_type": "markdown", "source": _relink(md, page, notebook)})
        text.clear()

    while i < len(lines):
        line = lines[i]
        if line.strip() == "```python":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            block = "\n".join(lines[i + 1:end]) + "\n"
            if any(b.lstrip().startswith(">>>") for b in lines[i + 1:end]):
                flush()
                out.extend({"cell_type": "code", "source": s, "expected": w} for s, w in _session_cells(block))
            else:
                text.extend(lines[i:end + 1])
            i = end + 1
            continue
        text.append(line)
        i += 1
    flush()
    return out


def notebook_json(page: Path, notebook: Path) -> str:
    """The notebook for ``page`` as the exact text written to disk (nbformat 4, no outputs)."""
    nb_cells = []
    for n, cell in enumerate(cells(page, notebook)):
        entry = {"cell_type": cell["cell_type"], "id": f"cell-{n:02d}", "metadata": {},
                 "source": cell["source"].splitlines(keepends=True)}
        if cell["cell_type"] == "code":
            entry.update(execution_count=None, outputs=[])
        nb_cells.append(entry)
    nb = {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "tinygrad_bp": {"generated_from": os.path.relpath(page, ROOT).replace(os.sep, "/"),
                            "by": "docs/make_notebooks.py (edit the page, then run `make notebooks`)"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def stale() -> list[str]:
    """Notebooks that are missing, differ from their page, or have no page any more."""
    expected = {nb: notebook_json(page, nb) for page, nb in pages()}
    bad = [os.path.relpath(nb, ROOT) for nb, text in expected.items()
           if not nb.exists() or nb.read_text(encoding="utf-8") != text]
    on_disk = {p for d in LANGUAGES.values() if d.exists() for p in d.glob("*.ipynb")}
    bad += [os.path.relpath(p, ROOT) + " (no page)" for p in sorted(on_disk - set(expected))]
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that notebooks/ is up to date")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        for name in bad:
            print("out of date:", name)
        return 1 if bad else 0
    written = 0
    for page, nb in pages():
        nb.parent.mkdir(parents=True, exist_ok=True)
        text = notebook_json(page, nb)
        if not nb.exists() or nb.read_text(encoding="utf-8") != text:
            nb.write_text(text, encoding="utf-8")
            written += 1
    for name in stale():  # a notebook whose page was removed
        (ROOT / name.removesuffix(" (no page)")).unlink()
    print(f"{len(pages())} notebooks in {NOTEBOOKS.relative_to(ROOT)}/ ({written} rewritten)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
