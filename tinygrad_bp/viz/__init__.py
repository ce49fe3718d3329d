"""Pictures of the computation graph: ``draw_graph`` (a graphviz.Digraph), ``render`` (a file, with or
without a system Graphviz) and ``trace`` (a picture of every forward pass).

Importing this package does not import graphviz; it is loaded when a picture is first drawn.
"""

from .draw import draw_graph
from .rendering import render
from .tracing import trace

__all__ = ["draw_graph", "render", "trace"]
