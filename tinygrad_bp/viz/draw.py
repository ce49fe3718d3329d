"""draw_graph: the recorded computation graph as a ``graphviz.Digraph``.

Edges follow the forward data flow (leaves at the top, the output at the bottom); backward() sends
gradients along the same edges in the other direction (``direction="backward"`` draws them that
way). Colours (see the legend under the picture): leaves that require grad (parameters) light blue,
inputs that need no grad (data, targets) white, values saved for backward orange (dashed edges into
the op that saved them), the output green, operations grey. With ``show_grads`` a thick border
marks each gradient's norm: blue when it has vanished, green when healthy, red when it explodes.
After a backward pass run under ``viz.capture()`` every node shows its gradient dL/d(out) and every
edge can show the contribution it carried (``show_edge_grads``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import rendering, summary
from .graph import Call, Snapshot, collect

MAX_NODES = 400  # a larger graph is cut (with a note): dot's layout time grows quickly with size
DIRECTIONS = ("forward", "backward")
FORMULA_WIDTH = 44  # characters per line of a formula written on its node
LEGEND_WIDTH = 56  # characters per line of the legend

COLOURS = {"leaf": "lightblue", "input": "white", "saved": "orange", "output": "darkolivegreen1",
           "op": "lightgrey", "module": "#e8e8f4", "note": "#fff3b0"}
GRAD_EDGE = "#b03a2e"  # edges of the backward direction, and the contributions written on edges
CLUSTER_FILLS = ("#f7f7fb", "#eef3fa", "#f3f8ee", "#fbf3ec")


def draw_graph(root: Any, params: Any = None, inputs: Any = None, show_values: bool = False,
               show_grads: bool = False, show_formulas: bool = False, show_edge_grads: bool = False,
               direction: str = "forward", collapse_modules: bool | int = False, max_nodes: int = MAX_NODES,
               legend: bool = True, vanishing: float = summary.VANISHING, exploding: float = summary.EXPLODING,
               rankdir: str = "TB") -> Any:
    """The graph that produced ``root`` (a Tensor or a list of Tensors), as a ``graphviz.Digraph``.

    ``params`` (a Module, or a dict name -> Tensor) names the leaves (``fc1.weight``) and the
    module clusters (``fc1 (Linear)``); ``inputs`` (a dict name -> Tensor) names the data and the
    targets, drawn as input nodes although they need no grad (an op run under ``viz.capture()``
    remembers them; otherwise an input is found when an op saved its array).
    ``show_values`` prints small tensors (rounded) and summarises larger ones (min / mean / max),
    op nodes included when their value is known (computed under ``capture()``, or saved).
    ``show_grads`` adds each gradient with its norm ‖g‖ and colours it (‖g‖ < ``vanishing`` blue,
    > ``exploding`` red): every node's dL/d(out) after a backward run under ``capture()``, otherwise
    the leaves' ``.grad``. ``show_edge_grads`` writes on each edge the contribution it carried
    (captured). ``show_formulas`` writes each op's forward and local derivative on its node.
    ``direction="backward"`` draws the edges from the loss to the leaves, as the gradients flow.
    ``collapse_modules=True`` draws each module just below the outermost one as one box (an int
    picks the nesting depth). At most about ``max_nodes`` nodes are drawn, nearest the output first;
    the picture notes what was cut.
    """
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes!r}")
    check_direction(direction)
    roots = _roots(root)
    input_names = _input_names(inputs)
    snap = collect(roots, max_nodes, list(input_names.values()))
    return draw_snapshot(snap, params=params, inputs=inputs, show_values=show_values, show_grads=show_grads,
                         show_formulas=show_formulas, show_edge_grads=show_edge_grads, direction=direction,
                         collapse_modules=collapse_modules, legend=legend, vanishing=vanishing,
                         exploding=exploding, rankdir=rankdir)


def check_direction(direction: Any) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"draw_graph: direction must be 'forward' or 'backward', got {direction!r}")


def _roots(root: Any) -> list:
    items = list(root) if isinstance(root, (list, tuple)) else [root]
    if not items or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(f"draw_graph expects a Tensor or a list of Tensors, got {type(root).__name__}")
    return items


def draw_snapshot(snap: Snapshot, params: Any = None, inputs: Any = None, show_values: bool = False,
                  show_grads: bool = False, show_formulas: bool = False, show_edge_grads: bool = False,
                  direction: str = "forward", collapse_modules: bool | int = False, legend: bool = True,
                  vanishing: float = summary.VANISHING, exploding: float = summary.EXPLODING,
                  rankdir: str = "TB") -> Any:
    """Build the Digraph from a walked graph (``trace`` walks at forward time, draws after backward)."""
    graph = _new_digraph(rankdir)
    names, module_names = _names(params)
    names.update({id(t): name for name, t in _input_names(inputs).items()})
    passes = {getattr(node, "viz_pass", None) for _, node in snap.ops} - {None}
    look = _Look(names, show_values, show_grads, vanishing, exploding, passes)

    home = _homes(snap)  # item -> innermost Call (or None)
    collapsed = _collapsed_calls(snap.calls, collapse_modules)
    rep = {}  # item -> the node that stands for it (itself, or its collapsed module's box)
    for item, call in home.items():
        box = _collapsed_ancestor(call, collapsed)
        rep[item] = box.id[len("cluster_"):] if box is not None else item

    bodies: dict = {None: graph}  # Call -> the Digraph its nodes go into
    for call in snap.calls:
        if _collapsed_ancestor(call, collapsed) is None:
            bodies[call] = _new_cluster(call, _call_label(call, snap.calls, module_names))

    def place(item: str, label: str, attrs: dict) -> None:
        if rep.get(item, item) == item:
            bodies[home.get(item)].node(item, label, **attrs)

    saved_values = dict(snap.saved)
    own_value = {producer: saved_values[item] for item, (kind, producer) in snap.origin.items()
                 if kind == "output" and producer is not None and item in saved_values}
    for item, node in snap.ops:
        place(item, *look.op(node, own_value.get(item), show_formulas))
    for item, t in snap.leaves:
        place(item, *look.tensor(t, names.get(id(t)), "leaf"))
    for item, t in snap.inputs:
        place(item, *look.tensor(t, names.get(id(t)), "input"))
    op_names = {item: node.name() for item, node in snap.ops}
    for item, a in snap.saved:
        kind, producer = snap.origin.get(item, (None, None))
        came_from = {"output": f"output of {op_names.get(producer, 'an op')}", "input": "needs no grad"}.get(kind)
        label, attrs = look.array(a, came_from)
        place(item, label, attrs)
    for item, t in snap.outputs:
        label, attrs = look.tensor(t, names.get(id(t)), "output")
        graph.node(item, label, **attrs)
        if t.grad_fn is None and not t.requires_grad:
            graph.node("note_nograph", "no graph was recorded for this tensor:\\nit does not require grad "
                       "(or was computed under no_grad)", shape="note", style="filled",
                       fillcolor=COLOURS["note"])
    for call in snap.calls:
        if call in collapsed:
            body = bodies[call.parent] if call.parent is not None else graph
            label = _call_label(call, snap.calls, module_names)
            label, attrs = look.module_box(call, snap, label)
            body.node(call.id[len("cluster_"):], label, **attrs)
    _nest_clusters(graph, snap.calls, bodies)
    _edges(graph, snap, rep, show_edge_grads, direction)
    if snap.cut_into or snap.saved_cut:
        _cut_note(graph, snap, rep)
    if legend:
        _legend(graph, look, bool(snap.freed), direction, show_edge_grads)
    return graph


def _input_names(inputs: Any) -> dict:
    """name -> Tensor from draw_graph's ``inputs`` dict, checked."""
    if inputs is None:
        return {}
    if not isinstance(inputs, dict):
        raise TypeError(f"draw_graph: inputs must be a dict of name -> Tensor, got {type(inputs).__name__}")
    for n, t in inputs.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph: inputs['{n}'] is a {type(t).__name__}, expected a Tensor")
    return {str(n): t for n, t in inputs.items()}


# ---------------------------------------------------------------- labels and colours
class _Look:
    """Labels and attributes of the nodes (name or shape, values, gradient, formula)."""

    def __init__(self, names: dict, show_values: bool, show_grads: bool, vanishing: float,
                 exploding: float, passes: set) -> None:
        self.names = names
        self.show_values = show_values
        self.show_grads = show_grads
        self.vanishing = vanishing
        self.exploding = exploding
        self.passes = passes  # the captured backward passes the drawn nodes took part in
        self.statuses: set = set()  # gradient statuses drawn (for the legend)

    def captured_grad(self, t: Tensor) -> Any:
        """dL/dt from a captured pass through this graph, or None."""
        if t.grad_fn is not None:
            return getattr(t.grad_fn, "viz_grad", None)
        if getattr(t, "viz_pass", None) in self.passes:
            return getattr(t, "viz_grad", None)
        return None

    def _grad_lines(self, g: Any, lines: list, attrs: dict) -> None:
        text, status = summary.grads(g, self.vanishing, self.exploding)
        lines.append(text)
        attrs.update(color=summary.GRAD_COLOURS[status], penwidth="3")
        self.statuses.add(status)

    def tensor(self, t: Tensor, name: str | None, kind: str) -> tuple:
        shape = summary.shape_text(t._array.shape)
        if name is not None:
            lines = [name, shape]
        elif kind == "output":
            lines = ["output", f"{shape} {t._array.dtype}"]
        elif kind == "input":
            lines = ["input", f"{shape} {t._array.dtype}"]
        else:
            lines = [f"{shape} {t._array.dtype}"]
        if self.show_values:
            lines.append(summary.values(t._array))
        attrs = {"fillcolor": COLOURS[kind], "style": "filled"}
        if self.show_grads and kind != "input":
            g = self.captured_grad(t)
            if g is None and t.grad_fn is None:
                g = None if t.grad is None else t.grad._array
            if g is not None:
                self._grad_lines(g, lines, attrs)
            elif kind == "leaf":
                lines.append("grad None")
        return "\\n".join(line for line in lines if line), attrs

    def op(self, node: Any, saved_output: Any, show_formulas: bool) -> tuple:
        lines = [node.name(), summary.shape_text(node.shape)]
        value = getattr(node, "viz_value", saved_output)
        if self.show_values and value is not None:
            lines.append(summary.values(value))
        attrs = {"fillcolor": COLOURS["op"], "style": "filled,rounded", "tooltip": _tooltip(node)}
        g = getattr(node, "viz_grad", None)
        if self.show_grads and g is not None:
            self._grad_lines(g, lines, attrs)
        if show_formulas:
            formula = formula_lines(node)
            if formula:
                lines.append("\\l".join(formula) + "\\l")  # left-justified lines
        return "\\n".join(lines), attrs

    def array(self, a: Any, came_from: str | None) -> tuple:
        head = f"saved: {came_from}" if came_from else "saved"
        lines = [head, f"{summary.shape_text(a.shape)} {a.dtype}"]
        if self.show_values:
            lines.append(summary.values(a))
        return "\\n".join(lines), {"fillcolor": COLOURS["saved"], "style": "filled"}

    def module_box(self, call: Call, snap: Snapshot, title: str) -> tuple:
        lines = [title, summary.shape_text(call.output.shape)]
        worst = None
        leaves = dict(snap.leaves)
        for item in sorted(_subtree_items(call, snap.calls), key=_item_order):
            if item not in leaves:
                continue
            t = leaves[item]
            name = self.names.get(id(t))
            line = f"{name or 'leaf'} {summary.shape_text(t._array.shape)}"
            if self.show_grads and t.grad is not None:
                norm = summary.grad_norm(t.grad._array)
                status = summary.grad_status(norm, self.vanishing, self.exploding)
                line += f" ‖g‖={summary.fmt(norm)}"
                if worst is None or _SEVERITY[status] > _SEVERITY[worst]:
                    worst = status
            lines.append(line)
        attrs = {"fillcolor": COLOURS["module"], "style": "filled,rounded", "shape": "box"}
        if worst is not None:
            attrs.update(color=summary.GRAD_COLOURS[worst], penwidth="3")
        return "\\n".join(lines), attrs


_SEVERITY = {"healthy": 0, "vanishing": 1, "exploding": 2}


def formula_lines(node: Any) -> list:
    """The op's formula: the first paragraph of its docstring (the forward and the local derivative, in
    full, not only its first line), wrapped to FORMULA_WIDTH columns."""
    raw = type(node).__doc__ or ""
    if raw in _BASE_DOCS:
        return []
    doc = " ".join(raw.strip().split("\n\n")[0].replace("``", "").split())
    if not doc:
        return []
    out: list = []
    for part in doc.split(";  ") if ";  " in doc else doc.split("; "):
        line = ""
        for word in part.strip().split(" "):
            if line and len(line) + 1 + len(word) > FORMULA_WIDTH:
                out.append(line)
                line = "  " + word
            else:
                line = f"{line} {word}" if line else word
        if line:
            out.append(line)
    return [_escape(line) for line in out]


def _escape(text: str) -> str:
    """Text as it must appear inside a DOT string label (backslashes doubled)."""
    return text.replace("\\", "\\\\")


def _tooltip(node: Any) -> str:
    doc = " ".join((type(node).__doc__ or "").split())
    return _escape(f"{node.name()}: {doc}") if doc and type(node).__doc__ not in _BASE_DOCS else node.name()


def _base_docs() -> tuple:
    from ..autograd.function import Function, Op
    return (Function.__doc__, Op.__doc__)


_BASE_DOCS = _base_docs()


def _names(params: Any) -> tuple[dict, dict]:
    """id(tensor) -> parameter name and id(module) -> module name, from a Module or a name->Tensor dict."""
    if params is None:
        return {}, {}
    if hasattr(params, "named_parameters"):
        names = {id(p): n for n, p in params.named_parameters()}
        modules = {id(m): n for n, m in params.named_modules()} if hasattr(params, "named_modules") else {}
        return names, modules
    if isinstance(params, dict):
        for n, p in params.items():
            if not isinstance(p, Tensor):
                raise TypeError(f"draw_graph: params['{n}'] is a {type(p).__name__}, expected a Tensor")
        return {id(p): str(n) for n, p in params.items()}, {}
    raise TypeError(f"draw_graph: params must be a Module or a dict of name -> Tensor, got {type(params).__name__}")


def _call_label(call: Call, calls: list, module_names: dict) -> str:
    kind = type(call.module).__name__
    name = module_names.get(id(call.module))
    title = f"{name} ({kind})" if name else kind
    same = [c for c in calls if c.module is call.module]
    if len(same) > 1:  # number the calls in time order: a call farther from the output came earlier
        same.sort(key=lambda c: -int(c.output_id[2:]))
        title += f" · call {same.index(call) + 1}"
    return title


# ---------------------------------------------------------------- structure
def _new_digraph(rankdir: str) -> Any:
    from .picture import Picture

    graph = Picture(name="graph", format="svg")
    graph.attr(rankdir=rankdir, fontname="Helvetica", fontsize="11", nodesep="0.25", ranksep="0.35")
    graph.attr("node", shape="box", fontname="Helvetica", fontsize="10", height="0.3", margin="0.08,0.04")
    graph.attr("edge", arrowsize="0.7")
    return graph


def _new_cluster(call: Call, label: str) -> Any:
    import graphviz

    g = graphviz.Digraph(name=call.id)
    g.attr(label=label, style="rounded,filled", fillcolor=CLUSTER_FILLS[call.depth % len(CLUSTER_FILLS)],
           color="#8c8cb4", fontname="Helvetica", fontsize="11", labeljust="l")
    return g


def _nest_clusters(graph: Any, calls: list, bodies: dict) -> None:
    """Attach each cluster to its parent, deepest first (a subgraph's text is copied when attached)."""
    drawn = [c for c in calls if c in bodies]
    for depth in sorted({c.depth for c in drawn}, reverse=True):
        for call in drawn:
            if call.depth == depth:
                parent = bodies[call.parent] if call.parent is not None else graph
                parent.subgraph(bodies[call])


def _homes(snap: Snapshot) -> dict:
    """Item -> innermost module call containing it; saved values live with the first op that saved them."""
    home: dict = {}
    for call in snap.calls:
        for item in call.members:
            home[item] = call
    for item, (_, producer) in snap.origin.items():  # an op's output lives with the op
        if producer is not None and producer in home:
            home[item] = home[producer]
    for tail, head, kind in snap.edges:
        if kind == "saved" and tail.startswith("saved") and tail not in home:
            home[tail] = home.get(head)
    return home


def _collapsed_calls(calls: list, collapse: bool | int) -> set:
    if collapse is False or collapse is None or not calls:
        return set()
    if collapse is True:
        top = [c for c in calls if c.depth == 0]
        depth = 1 if len(top) == 1 and any(c.depth == 1 for c in calls) else 0
    else:
        depth = int(collapse)
    return {c for c in calls if c.depth == depth}


def _collapsed_ancestor(call: Call | None, collapsed: set) -> Call | None:
    while call is not None:
        if call in collapsed:
            return call
        call = call.parent
    return None


def _subtree_items(call: Call, calls: list) -> set:
    items = set(call.members)
    for c in calls:
        p = c.parent
        while p is not None and p is not call:
            p = p.parent
        if p is call:
            items |= c.members
    return items


def _item_order(item: str) -> tuple:
    head = item.rstrip("0123456789")
    return head, int(item[len(head):] or 0)


def _edges(graph: Any, snap: Snapshot, rep: dict, show_edge_grads: bool = False,
           direction: str = "forward") -> None:
    contributions = _contributions(snap) if show_edge_grads else {}
    backward = direction == "backward"
    seen = set()
    for tail, head, kind in snap.edges:
        t, h = rep.get(tail, tail), rep.get(head, head)
        if t == h or (t, h, kind) in seen:
            continue
        if kind != "data" and (t != tail or h != head):  # a collapsed module hides what it saved
            continue
        seen.add((t, h, kind))
        if kind == "saved":
            graph.edge(t, h, style="dashed", color="darkorange", arrowhead="odot", constraint="false")
        elif kind == "value":  # an op and its own output value, kept for backward
            graph.edge(t, h, style="dotted", color="darkorange", arrowhead="none")
        else:
            grads = contributions.get((tail, head), []) if (t, h) == (tail, head) else []
            attrs = {"color": GRAD_EDGE, "fontcolor": GRAD_EDGE} if backward or grads else {}
            for g in grads or [None]:  # one edge per input slot (x * x: two contributions)
                label = {} if g is None else {"label": _edge_label(g), "fontsize": "8"}
                if backward:
                    graph.edge(h, t, **attrs, **label)
                else:
                    graph.edge(t, h, **attrs, **label)


def _contributions(snap: Snapshot) -> dict:
    """(tail item, head item) -> the captured contributions the head op handed back along that edge."""
    item_of = {id(t): item for item, t in snap.leaves + snap.inputs}
    item_of.update({id(node): item for item, node in snap.ops})
    out: dict = {}
    for head, node in snap.ops:
        grads = getattr(node, "viz_input_grads", None)
        if grads is None:
            continue
        for parent, g in zip(node.inputs, grads):
            tail = item_of.get(id(parent)) if parent is not None else None
            if tail is not None and g is not None:
                out.setdefault((tail, head), []).append(g)
    return out


def _edge_label(g: np.ndarray) -> str:
    """A contribution on an edge: its values when small, else its norm."""
    if g.size <= summary.SMALL:
        return " " + summary.values(g) + " "
    return f" ‖g‖={summary.fmt(summary.grad_norm(g))} "


def _cut_note(graph: Any, snap: Snapshot, rep: dict) -> None:
    drawn = len(snap.ops)
    text = (f"graph cut: {_count(snap.total_ops, 'operation')} and {_count(snap.total_leaves, 'leaf tensor')} "
            f"in all;\\ndrawn: the {_count(drawn, 'operation')} nearest the output (max_nodes={snap.max_nodes:,});"
            f"\\nnot drawn: {_count(snap.total_ops - drawn, 'operation')} and "
            f"{_count(snap.total_leaves - len(snap.leaves), 'leaf tensor')}"
            + (f" and {_count(snap.saved_cut, 'saved value')}" if snap.saved_cut else ""))
    graph.node("cut", text, shape="note", style="filled", fillcolor=COLOURS["note"])
    seen = set()
    for item in snap.cut_into:
        target = rep.get(item, item)
        if target not in seen:
            seen.add(target)
            graph.edge("cut", target, style="dashed", color="grey50")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _legend(graph: Any, look: _Look, freed: bool, direction: str, edge_grads: bool) -> None:
    """A compact legend: a few short lines of small text under the picture (the graph's own label),
    wrapped narrow so that it widens the picture as little as it lengthens it."""
    items = ["legend: blue = requires grad (leaf)", "white = input", "orange = saved for backward", "green = output",
             "grey = op (hover: its backward)"]
    if look.statuses:
        items += ["grad = dL/d(this value)", f"border: blue ‖grad‖ < {summary.fmt(look.vanishing)}", "green healthy",
                  f"red ‖grad‖ > {summary.fmt(look.exploding)}"]
    if edge_grads or direction == "backward":
        items.append("red edges: gradient flow" + (", labelled with each contribution" if edge_grads else ""))
    if freed:
        items.append("saved values freed by backward()")
    lines: list = []
    for item in items:
        if lines and len(lines[-1]) + 3 + len(item) <= LEGEND_WIDTH:
            lines[-1] += " · " + item
        else:
            lines.append(item)
    graph.attr(label="\\l".join(lines) + "\\l", labelloc="b", labeljust="l", fontsize="8", fontcolor="grey25")


# ---------------------------------------------------------------- files
def render(root_or_digraph: Any, path: Any, format: str | None = None, **draw_kwargs: Any) -> Any:  # noqa: A002
    """Write the picture of ``root_or_digraph`` (a Tensor, a list of Tensors or a graphviz graph) to
    exactly ``path`` (str or pathlib.Path; no other files) and return ``path``.

    The format is ``format``, or else the suffix of ``path`` (``.svg .png .pdf .dot``); an unknown
    suffix, a missing one without ``format``, or a suffix that contradicts ``format`` is a
    ValueError raised before anything is drawn or written. svg, png, pdf and dot work on every
    machine; other formats (jpg, ps, ...) need the Graphviz ``dot`` program (RuntimeError without).
    A Tensor is drawn with ``draw_graph(root, **draw_kwargs)`` first.
    """
    fmt = rendering.format_for(path, format, "render")
    source = _source(root_or_digraph, draw_kwargs)
    data = rendering.to_bytes(source, fmt)
    with open(os.fspath(path), "wb") as f:
        f.write(data)
    return path


def _source(obj: Any, draw_kwargs: dict) -> str:
    source = getattr(obj, "source", None)
    if isinstance(source, str):
        if draw_kwargs:
            raise TypeError(f"render: options {sorted(draw_kwargs)} apply to a Tensor, not to a ready graph")
        return source
    return draw_graph(obj, **draw_kwargs).source
