"""Build the API reference from the docstrings into docs/api/ (HTML, with pdoc), and report coverage.

    python docs/build_api.py [--out DIR]      # `make docs`

Every module of the package is documented except private ones (a leading underscore). The pages
show each signature, its docstring (which gives the formula or the behaviour) and the source. The
script prints how many public names it found and lists any without a docstring;
tests/test_docs.py holds the package to having none.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "api"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # document this checkout even when it is not installed

# The modules whose names make up the public API (what `import tinygrad_bp as tb` offers).
PUBLIC_MODULES = [
    "tinygrad_bp",
    "tinygrad_bp.autograd",
    "tinygrad_bp.nn",
    "tinygrad_bp.nn.functional",
    "tinygrad_bp.nn.init",
    "tinygrad_bp.nn.utils",
    "tinygrad_bp.optim",
    "tinygrad_bp.optim.lr_scheduler",
    "tinygrad_bp.utils.data",
    "tinygrad_bp.viz",
]


def public_api() -> Iterator[tuple[str, object]]:
    """Yield (qualified name, object) for every public function, class and class member of the API.

    A module's public names are its ``__all__``, else its names without a leading underscore; only
    functions and classes defined inside tinygrad_bp count (not re-exported modules or dtype objects).
    A class contributes its own public methods and properties (not dunders, not inherited ones);
    each class is visited once, under the first name it is found by.
    """
    seen: set[int] = set()
    for modname in PUBLIC_MODULES:
        module = importlib.import_module(modname)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("tinygrad_bp") or id(obj) in seen:
                continue
            seen.add(id(obj))
            qualname = f"{modname}.{name}"
            yield qualname, obj
            if inspect.isclass(obj):
                for member, raw in vars(obj).items():
                    if member.startswith("_"):
                        continue
                    if inspect.isfunction(raw) or isinstance(raw, (property, staticmethod, classmethod)):
                        yield f"{qualname}.{member}", getattr(obj, member)


def missing_docstrings() -> list[str]:
    """Public names without a docstring of their own.

    Classes and functions need their own; a method may inherit the docstring of the method it
    overrides (``Linear.forward`` from ``Module.forward``), as ``help()`` shows it.
    """
    missing = []
    for name, obj in public_api():
        own = obj.__doc__ if inspect.isclass(obj) else inspect.getdoc(obj)
        if not (own and own.strip()):
            missing.append(name)
    return missing


def build(out_dir: Path = DEFAULT_OUT) -> Path:
    """Render the HTML reference into ``out_dir`` and return the path of its index page."""
    import pdoc
    import pdoc.render

    pdoc.render.configure(
        docformat="markdown",
        show_source=True,
        search=True,
        footer_text="tinygrad_bp — built from the docstrings by docs/build_api.py",
    )
    with warnings.catch_warnings():
        # pdoc evaluates annotations such as `int | None` inside class Tensor, where `int` is the
        # Tensor.int method, not the builtin; the signature is still shown as written.
        warnings.filterwarnings("ignore", message="Error parsing type annotation", category=UserWarning)
        pdoc.pdoc("tinygrad_bp", "!tinygrad_bp\\.ops\\._xp", output_directory=out_dir)
    return out_dir / "index.html"


def main(argv: list[str] | None = None) -> int:
    """Build the reference; print the output path and the docstring coverage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: docs/api)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = build(args.out)
    names = [name for name, _ in public_api()]
    missing = missing_docstrings()
    pages = len(list(args.out.rglob("*.html")))
    print(f"API reference: {pages} pages in {args.out} ({time.perf_counter() - start:.1f} s); open {index}")
    print(f"docstrings: {len(names) - len(missing)} of {len(names)} public names")
    for name in missing:
        print(f"  no docstring: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
