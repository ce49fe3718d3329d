"""Pictures of the computation graph: ``draw_graph`` (a graphviz.Digraph), ``capture`` (keep every
gradient of a backward pass for the pictures), ``render`` (a file in the format its name says, with or
without a system Graphviz), ``trace`` (a picture of every forward pass) and ``explore`` (a step-through
page of the backward pass).

Importing this package does not import graphviz; it is loaded when a picture is first drawn.
"""

from .capture import capture
from .draw import draw_graph, render
from .explore import Explorer, explore
from .tracing import trace

__all__ = ["Explorer", "capture", "draw_graph", "explore", "render", "trace"]
