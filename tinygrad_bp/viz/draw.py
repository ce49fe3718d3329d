"""draw_graph: the recorded computation graph as a ``graphviz.Digraph``.

Edges follow the forward data flow (leaves at the top, the output at the bottom); backward() sends
gradients along the same edges in the other direction. Colours (see the legend in the picture):
leaves that require grad (parameters) light blue, values saved for backward orange (dashed edges
into the op that saved them), the output green, operations grey. With ``show_grads`` a thick
border marks each gradient's norm: blue when it has vanished, green when healthy, red when it
explodes.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import summary
from .graph import Call, Snapshot, collect

MAX_NODES = 400  # a larger graph is cut (with a note): dot's layout time grows quickly with size

COLOURS = {"leaf": "lightblue", "saved": "orange", "output": "darkolivegreen1", "op": "lightgrey",
           "module": "#e8e8f4", "note": "#fff3b0"}
CLUSTER_FILLS = ("#f7f7fb", "#eef3fa", "#f3f8ee", "#fbf3ec")


def draw_graph(root: Any, params: Any = None, show_values: bool = False, show_grads: bool = False,
               collapse_modules: bool | int = False, max_nodes: int = MAX_NODES, legend: bool = True,
               vanishing: float = summary.VANISHING, exploding: float = summary.EXPLODING,
               rankdir: str = "TB") -> Any:
    """The graph that produced ``root`` (a Tensor or a list of Tensors), as a ``graphviz.Digraph``.

    ``params`` (a Module, or a dict name -> Tensor) names the leaves (``fc1.weight``) and the
    module clusters (``fc1 (Linear)``). ``show_values`` prints small tensors (rounded) and summarises
    larger ones (min / mean / max); ``show_grads`` adds each leaf's ``.grad`` with its norm ‖g‖ and
    colours it: ‖g‖ < ``vanishing`` blue, ‖g‖ > ``exploding`` red. ``collapse_modules=True`` draws
    each module just below the outermost one as one box (an int picks the nesting depth). At most
    about ``max_nodes`` nodes are drawn, nearest the output first; the picture notes what was cut.
    """
    if max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    roots = _roots(root)
    snap = collect(roots, max_nodes)
    return draw_snapshot(snap, params=params, show_values=show_values, show_grads=show_grads,
                         collapse_modules=collapse_modules, legend=legend, vanishing=vanishing,
                         exploding=exploding, rankdir=rankdir)


def _roots(root: Any) -> list:
    items = list(root) if isinstance(root, (list, tuple)) else [root]
    if not items or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(f"draw_graph expects a Tensor or a list of Tensors, got {type(root).__name__}")
    return items


def draw_snapshot(snap: Snapshot, params: Any = None, show_values: bool = False, show_grads: bool = False,
                  collapse_modules: bool | int = False, legend: bool = True,
                  vanishing: float = summary.VANISHING, exploding: float = summary.EXPLODING,
                  rankdir: str = "TB") -> Any:
    """Build the Digraph from a walked graph (``trace`` walks at forward time, draws after backward)."""
    graph = _new_digraph(rankdir)
    names, module_names = _names(params)
    look = _Look(names, show_values, show_grads, vanishing, exploding)

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

    for item, node in snap.ops:
        place(item, _op_label(node, item in snap.freed),
              {"fillcolor": COLOURS["op"], "style": "filled,rounded", "tooltip": _tooltip(node)})
    for item, t in snap.leaves:
        place(item, *look.tensor(t, names.get(id(t)), "leaf"))
    op_names = {item: type(node).__name__ for item, node in snap.ops}
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
    _edges(graph, snap, rep)
    if snap.cut_into or snap.saved_cut:
        _cut_note(graph, snap, rep)
    if legend:
        _legend(graph, show_grads, vanishing, exploding)
    return graph


# ---------------------------------------------------------------- labels and colours
class _Look:
    """Labels and attributes of tensor nodes (name or shape, values, gradient)."""

    def __init__(self, names: dict, show_values: bool, show_grads: bool, vanishing: float,
                 exploding: float) -> None:
        self.names = names
        self.show_values = show_values
        self.show_grads = show_grads
        self.vanishing = vanishing
        self.exploding = exploding

    def tensor(self, t: Tensor, name: str | None, kind: str) -> tuple:
        shape = summary.shape_text(t.data.shape)
        if name is not None:
            lines = [name, shape]
        elif kind == "output":
            lines = ["output", f"{shape} {t.data.dtype}"]
        else:
            lines = [f"{shape} {t.data.dtype}"]
        if self.show_values:
            lines.append(summary.values(t.data))
        attrs = {"fillcolor": COLOURS[kind], "style": "filled"}
        if self.show_grads:
            g = t.grad
            if g is None:
                lines.append("grad None" if kind == "leaf" else "")
            else:
                text, status = summary.grads(g.data, self.vanishing, self.exploding)
                lines.append(text)
                attrs.update(color=summary.GRAD_COLOURS[status], penwidth="3")
        return "\\n".join(line for line in lines if line), attrs

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
            line = f"{name or 'leaf'} {summary.shape_text(t.data.shape)}"
            if self.show_grads and t.grad is not None:
                norm = summary.grad_norm(t.grad.data)
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


def _op_label(node: Any, freed: bool) -> str:
    label = f"{type(node).__name__}\\n{summary.shape_text(node.shape)}"
    return label + "\\n(saved values freed)" if freed else label


def _tooltip(node: Any) -> str:
    doc = (type(node).__doc__ or "").strip().split("\n")[0]
    return f"{node.name()}: {doc}".replace("\\", "\\\\") if doc else node.name()


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
    graph = _digraph_class()(name="graph", format="svg")
    graph.attr(rankdir=rankdir, fontname="Helvetica", fontsize="11", nodesep="0.25", ranksep="0.35")
    graph.attr("node", shape="box", fontname="Helvetica", fontsize="10", height="0.3", margin="0.08,0.04")
    graph.attr("edge", arrowsize="0.7")
    return graph


_DIGRAPH: list = []


def _digraph_class() -> type:
    """graphviz.Digraph that displays in Jupyter through render()'s routes (no system Graphviz needed)."""
    if not _DIGRAPH:
        import graphviz

        class GraphPicture(graphviz.Digraph):
            """A graphviz.Digraph whose inline Jupyter display also works without the dot program."""

            def _repr_image_svg_xml(self) -> str:
                from .rendering import to_bytes
                return to_bytes(self.source, "svg").decode("utf-8")

        _DIGRAPH.append(GraphPicture)
    return _DIGRAPH[0]


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


def _edges(graph: Any, snap: Snapshot, rep: dict) -> None:
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
            graph.edge(t, h)


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


def _legend(graph: Any, show_grads: bool, vanishing: float, exploding: float) -> None:
    import graphviz

    g = graphviz.Digraph(name="cluster_legend")
    g.attr(label="legend", style="rounded", color="grey70", fontname="Helvetica", fontsize="10")
    entries = [("legend_leaf", "leaf that requires grad", {"fillcolor": COLOURS["leaf"]}),
               ("legend_saved", "saved for backward (dashed edge)", {"fillcolor": COLOURS["saved"]}),
               ("legend_output", "output", {"fillcolor": COLOURS["output"]}),
               ("legend_op", "operation (hover: its backward)", {"fillcolor": COLOURS["op"]})]
    if show_grads:
        entries += [
            ("legend_vanishing", f"‖grad‖ < {summary.fmt(vanishing)}: vanishing",
             {"color": summary.GRAD_COLOURS["vanishing"], "fillcolor": "white", "penwidth": "3"}),
            ("legend_healthy", "healthy gradient", {"color": summary.GRAD_COLOURS["healthy"],
                                                    "fillcolor": "white", "penwidth": "3"}),
            ("legend_exploding", f"‖grad‖ > {summary.fmt(exploding)}: exploding",
             {"color": summary.GRAD_COLOURS["exploding"], "fillcolor": "white", "penwidth": "3"})]
    rows = [entries[:4], entries[4:]] if show_grads else [entries]
    for i, entries_in_row in enumerate(rows):  # rank=same takes effect in a plain (non-cluster) subgraph
        row = graphviz.Digraph(name=f"legend_row{i}")
        row.attr(rank="same")
        for name, label, attrs in entries_in_row:
            row.node(name, label, style="filled", fontsize="9", **attrs)
        for (a, _, _), (b, _, _) in zip(entries_in_row, entries_in_row[1:]):
            row.edge(a, b, style="invis")
        g.subgraph(row)
    if show_grads:
        g.edge(rows[0][0][0], rows[1][0][0], style="invis")
    graph.subgraph(g)
