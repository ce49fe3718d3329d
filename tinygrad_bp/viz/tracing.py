"""trace: a picture of every forward pass of a module, written while training runs."""

from __future__ import annotations

import os
from typing import Any

from ..tensor import Tensor
from .capture import capture
from .draw import MAX_NODES, check_direction, draw_snapshot
from .graph import collect
from .rendering import check_format, to_bytes


class trace:  # noqa: N801 - used like a function: `with tb.viz.trace(model, "frames"):`
    """Render the graph of each forward pass of ``module`` to ``directory/forward_0001.svg``, ...

    Use as a context manager; the forward hook is removed when the context exits. ``every=n``
    draws passes 1, 1+n, 1+2n, ... (files keep the pass number). With ``show_grads=True`` the context
    also runs ``capture()``, and each picture is written after the next ``backward()`` call, so it
    shows the gradients that flowed into every node
    (a pass with no backward before the next forward or the end of the context is drawn without
    gradients, as any ``.grad`` then belongs to an earlier pass).
    Other keyword arguments go to ``draw_graph`` (``params`` defaults to ``module``).
    ``format`` is svg (default), png, pdf or dot (others need the Graphviz dot program); an unknown
    one is a ValueError when ``trace`` is created. The paths written are listed in ``.files``.
    """

    def __init__(self, module: Any, directory: Any, every: int = 1, format: str = "svg",  # noqa: A002
                 show_grads: bool = False, **draw_kwargs: Any) -> None:
        if not hasattr(module, "register_forward_hook"):
            raise TypeError(f"trace expects an nn.Module, got {type(module).__name__}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"trace: every must be a positive int, got {every!r}")
        self.module = module
        self.directory = os.fspath(directory)
        self.every = every
        self.format = check_format(format, "trace")  # a bad format fails here, not at the first forward pass
        self.show_grads = show_grads
        self.max_nodes = draw_kwargs.pop("max_nodes", MAX_NODES)
        check_direction(draw_kwargs.get("direction", "forward"))
        draw_kwargs.setdefault("params", module)
        self.draw_kwargs = draw_kwargs
        self.files: list = []
        self.passes = 0
        self._pending: list = []  # (pass number, snapshot) waiting for backward()
        self._handle: Any = None
        self._saved_backward: Any = None
        self._capture: Any = None

    def __enter__(self) -> trace:
        os.makedirs(self.directory, exist_ok=True)
        self._handle = self.module.register_forward_hook(self._on_forward)
        if self.show_grads:
            self._saved_backward = Tensor.backward
            original = self._saved_backward
            tr = self

            def backward(tensor: Tensor, *args: Any, **kwargs: Any) -> None:
                original(tensor, *args, **kwargs)
                tr._flush(after_backward=True)

            backward.__doc__ = original.__doc__
            Tensor.backward = backward
            self._capture = capture()  # so each picture shows every node's gradient, not only the leaves'
            self._capture.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.remove()
        if self._saved_backward is not None:
            Tensor.backward = self._saved_backward
            self._saved_backward = None
        if self._capture is not None:
            self._capture.__exit__(None, None, None)
            self._capture = None
        self._flush()

    def _on_forward(self, module: Any, inputs: tuple, output: Any) -> None:
        self.passes += 1
        if (self.passes - 1) % self.every:
            return
        roots = _tensors(output)
        if not roots:
            return
        self._flush()  # a pass still waiting (no backward since) is drawn as it is
        snap = collect(roots, self.max_nodes)
        if self.show_grads:
            self._pending.append((self.passes, snap))
        else:
            self._write(self.passes, snap)

    def _flush(self, after_backward: bool = False) -> None:
        """Write the waiting pictures; gradients are shown only right after a backward()."""
        pending, self._pending = self._pending, []
        for number, snap in pending:
            self._write(number, snap, after_backward)

    def _write(self, number: int, snap: Any, grads: bool = False) -> None:
        graph = draw_snapshot(snap, show_grads=grads, **self.draw_kwargs)
        path = os.path.join(self.directory, f"forward_{number:04d}.{self.format}")
        data = to_bytes(graph.source, self.format)
        with open(path, "wb") as f:
            f.write(data)
        self.files.append(path)


def _tensors(output: Any) -> list:
    """The Tensors a forward returned: itself, or those in a tuple / list / dict."""
    if isinstance(output, Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        return [t for t in output if isinstance(t, Tensor)]
    return []
