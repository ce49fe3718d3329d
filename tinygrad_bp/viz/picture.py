"""Picture: the ``graphviz.Digraph`` that ``draw_graph`` returns, rendered without the ``dot`` program.

graphviz's own ``render``, ``pipe``, ``view`` and Jupyter display call the system ``dot``; these do
the same jobs through ``rendering.to_bytes`` (``dot`` when it is on PATH, else in-process), so
torchviz-style code (``draw_graph(loss).render("graph", format="png")``) and notebooks work right
after ``pip install``. Importing this module imports graphviz.
"""

from __future__ import annotations

import os
from typing import Any

import graphviz

from . import rendering


class Picture(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose render / pipe / view / Jupyter display need no system Graphviz."""

    def pipe(self, format: str | None = None, renderer: str | None = None,  # noqa: A002
             formatter: str | None = None, neato_no_op: Any = None, quiet: bool = False, *,
             engine: str | None = None, encoding: str | None = None) -> Any:
        """The picture as bytes in ``format`` (default: the graph's ``format``), or as ``str`` with ``encoding``."""
        _only_dot_engine(engine, renderer, formatter)
        data = rendering.to_bytes(self.source, format or self.format)
        return data.decode(encoding) if encoding is not None else data

    def render(self, filename: Any = None, directory: Any = None, view: bool = False, cleanup: bool = False,
               format: str | None = None, renderer: str | None = None, formatter: str | None = None,  # noqa: A002
               neato_no_op: Any = None, quiet: bool = False, quiet_view: bool = False, *, outfile: Any = None,
               engine: str | None = None, raise_if_result_exists: bool = False,
               overwrite_source: bool = False) -> str:
        """As ``graphviz.Digraph.render``: save the DOT source to ``filename`` (default ``name.gv``), write
        the picture to ``filename.format`` (or to ``outfile``, format from its suffix) and return that path."""
        _only_dot_engine(engine, renderer, formatter)
        if outfile is not None:
            outfile = os.fspath(outfile)
            fmt = rendering.format_for(outfile, format, "render")
            if directory is None:
                outfile = os.path.join(self.directory, outfile)
            if filename is None:  # the source goes next to the picture, as graphviz does
                filename = self._get_filepath(outfile)
        else:
            fmt = rendering.check_format(format or self.format)
        data = rendering.to_bytes(self.source, fmt)  # before writing anything: a failure leaves no files
        filepath = self.save(filename, directory=directory, skip_existing=None)
        rendered = outfile if outfile is not None else f"{filepath}.{fmt}"
        if os.path.abspath(rendered) == os.path.abspath(filepath) and not overwrite_source:
            raise ValueError(f"render: outfile {rendered!r} is the DOT source file; pass overwrite_source=True")
        if raise_if_result_exists and os.path.exists(rendered):
            raise graphviz.FileExistsError(f"output file exists: {rendered!r}")
        os.makedirs(os.path.dirname(os.path.abspath(rendered)), exist_ok=True)
        with open(rendered, "wb") as f:
            f.write(data)
        if cleanup:
            os.remove(filepath)
        if quiet_view or view:
            self._view(rendered, format=fmt, quiet=quiet_view)
        return rendered

    def view(self, filename: Any = None, directory: Any = None, cleanup: bool = False, quiet: bool = False,
             quiet_view: bool = False) -> str:
        """Render (``format``, default svg) and open the file in the system's viewer."""
        return self.render(filename=filename, directory=directory, view=True, cleanup=cleanup, quiet=quiet,
                           quiet_view=quiet_view)

    def _repr_image_svg_xml(self) -> str:
        return rendering.to_bytes(self.source, "svg").decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return rendering.to_bytes(self.source, "png")


def _only_dot_engine(engine: str | None, renderer: str | None, formatter: str | None) -> None:
    if engine not in (None, "dot") or renderer is not None or formatter is not None:
        raise ValueError("render: tinygrad_bp pictures are laid out with Graphviz's dot engine; engine=, "
                         f"renderer= and formatter= are not supported (got engine={engine!r}, renderer={renderer!r}, "
                         f"formatter={formatter!r})")
