"""explore: a step-through page of the chain rule on the user's own graph.

``tb.viz.explore(loss, params=None, inputs=None, exercise=False)`` runs a backward pass of ``loss``
under ``viz.capture()`` (through ``autograd.grad`` on the retained graph, so no ``.grad`` the user
can see changes and the graph is not freed), or reuses one that was captured before the graph was
freed, and returns an ``Explorer``. ``Explorer.save(path)`` writes one self-contained HTML file: the
graph's SVG, the script and the styles inline, no network access of any kind; ``_repr_html_()`` shows
the same page in a notebook (inside an ``<iframe srcdoc>``, so several pages never clash).

The steps: first the forward pass, one step per operation in creation order (its inputs and its
value), then the backward pass, a seed step (dL/dL = 1) followed by one step per operation in the
engine's own order (highest creation number first). A backward step shows the upstream gradient
dL/d(out), the op's formula and, when the output and the input have at most 16 elements, the local
derivative as numbers (elementwise, or the Jacobian ∂out/∂input), and for each input
"upstream × local = contribution"; the running sum of a value used several times; and the axes a
broadcast summed over.

The page's contract (what tests and tools may rely on):

* ``window.tbExplorer.steps``: an array; each step ``{index, phase: "forward" | "backward", node,
  label, upstream, local, contributions: [{to, value}], accumulated}``. ``node`` is the id of the
  node's ``<g>`` element in the SVG (``op0``, ``leaf1``, ``out0``; a collapsed module's box; ``null``
  when not drawn). Numbers are nested arrays (tensors of more than 16 elements: a summary string).
  Forward steps have ``inputs: [{from, value}]`` and ``value``; ``upstream`` / ``local`` are ``null``.
  ``local`` is ``[{to, kind: "elementwise" | "jacobian" | null, value}]``, one per input;
  ``accumulated`` is ``[{to, slot, value, received, of}]`` for the inputs that receive several
  contributions (``slot``: the index in ``contributions`` that brought the sum this far).
* ``window.tbExplorer.index`` (the current step), ``next()``, ``prev()``, ``go(i)``.
* ``window.tbExplorer.exercise``: ``{enabled, targets, setEnabled(flag), check(name, text) -> bool,
  reveal(name)}``; ``targets`` are the hidden gradients' names (leaves of at most 64 elements).
* The panel is the element with id ``tb-step-panel``; the node shown has the CSS class ``tb-current``,
  finished nodes ``tb-done``, the edges just used ``tb-edge-active``.
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

import numpy as np

from ..autograd import engine, grad_mode
from ..creation import tensor
from ..tensor import Tensor
from . import summary
from .capture import capture
from .draw import _collapsed_ancestor, _collapsed_calls, _homes, _input_names, _names, draw_snapshot, formula_lines
from .explore_page import page
from .graph import _saved_arrays, collect
from .rendering import to_bytes

MAX_NODES = 400  # above this many drawn items the page collapses modules (and cuts, as draw_graph does)
SMALL = summary.SMALL  # tensors of at most this many elements are shown as numbers
RTOL = 1e-3  # the exercise's relative tolerance
EXERCISE_MAX = 64  # a gradient with more elements is too long to type: it is never hidden


class Explorer:
    """The step-through page of one backward pass: ``save(path)`` or display it in a notebook."""

    def __init__(self, data: dict, svg: str) -> None:
        self.data = data
        self.svg = svg

    @property
    def steps(self) -> list:
        """The steps, as the page's ``tbExplorer.steps``."""
        return self.data["steps"]

    def html(self) -> str:
        """The whole page, one self-contained HTML document."""
        return page(self.data, self.svg)

    def save(self, path: Any) -> Any:
        """Write the page to exactly ``path`` (one HTML file that needs no network); returns ``path``."""
        text = self.html()
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def _repr_html_(self) -> str:
        doc = html.escape(self.html(), quote=True)
        return (f'<iframe class="tb-explorer" srcdoc="{doc}" style="width:100%;height:720px;border:1px solid #ccc" '
                'sandbox="allow-scripts"></iframe>')

    def __repr__(self) -> str:
        d = self.data
        return f"Explorer({len(d['steps'])} steps, {d['total_ops']} operations)"


def explore(loss: Tensor, params: Any = None, inputs: Any = None, exercise: bool | list = False,
            gradient: Any = None, max_nodes: int = MAX_NODES) -> Explorer:
    """The step-through backward page of ``loss`` (an ``Explorer``; ``.save("backward.html")``).

    ``params`` (a Module or a dict name -> Tensor) and ``inputs`` (dict name -> Tensor) name the
    nodes, as in ``draw_graph``. ``exercise=True`` hides every named parameter's gradient for the
    learner to work out (a list of names picks them). The backward pass runs on the retained graph
    through ``autograd.grad``: no ``.grad`` changes and the graph stays usable. A graph whose saved
    values ``backward()`` already freed can be explored only if that pass ran under ``viz.capture()``.
    Run the forward pass under ``viz.capture()`` to see every node's value on the forward steps.
    Tensor hooks (``register_hook``) run during that pass as in any backward pass; ``retain_grad()``
    tensors get their ``.grad`` back as it was.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"explore expects a Tensor, got {type(loss).__name__}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"explore: max_nodes must be at least 1, got {max_nodes!r}")
    if not loss.requires_grad:
        raise RuntimeError("explore: element 0 of tensors does not require grad and does not have a grad_fn; "
                           "create the parameters with requires_grad=True (and not under no_grad) so the graph "
                           "is recorded")
    if loss.grad_fn is None:
        raise RuntimeError("explore: this tensor is a leaf: it has no graph to step through")
    if gradient is None and loss._array.size != 1:
        raise RuntimeError(f"explore: grad can be implicitly created only for scalar outputs; this output has shape "
                           f"{tuple(loss.shape)}: pass gradient= (a tensor of that shape)")
    if isinstance(exercise, str):
        exercise = [exercise]
    nodes = engine.toposort(loss.grad_fn)
    freed = any(isinstance(getattr(n, "saved", ()), str) for n in nodes)
    if freed:
        if not _captured(nodes):
            raise RuntimeError("explore: the graph's saved values were freed by backward(); call explore before "
                               "backward(), or run backward(retain_graph=True) (or run the pass under "
                               "tb.viz.capture())")
    else:
        _run_captured(loss, nodes, gradient)
    return _build(loss, nodes, params, inputs, exercise, max_nodes, jacobians=not freed)


def _captured(nodes: list) -> bool:
    passes = {getattr(n, "viz_pass", None) for n in nodes}
    return len(passes) == 1 and None not in passes and all(hasattr(n, "viz_input_grads") for n in nodes)


def _leaves(nodes: list) -> list:
    out, seen = [], set()
    for node in nodes:
        for p in node.inputs:
            if isinstance(p, Tensor) and p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
    return out


def _run_captured(loss: Tensor, nodes: list, gradient: Any) -> None:
    """One captured backward pass through ``autograd.grad``: ``.grad`` of leaves untouched, graph retained."""
    retained = []
    for node in nodes:
        ref = getattr(node, "retained", None)
        t = ref() if ref is not None else None
        if t is not None:
            retained.append((t, t.grad))
    try:
        with capture():
            engine.grad([loss], _leaves(nodes), None if gradient is None else [gradient], retain_graph=True,
                        allow_unused=True)
    finally:
        for t, g in retained:  # retain_grad() tensors get their gradient from every pass: put theirs back
            t.grad = g


# ---------------------------------------------------------------- the steps
def _array(a: Any) -> Any:
    """A tensor as the page shows it: nested lists when small, else a one-line summary."""
    a = np.asarray(a)
    if a.size <= SMALL:
        return _numbers(a)
    shape = summary.shape_text(a.shape)
    text = summary.values(a).replace("\\n", " ")
    if a.dtype.kind in "fc":
        text += f", ‖·‖={summary.fmt(summary.grad_norm(a))}"
    return f"{shape}: {text}"


def _numbers(a: np.ndarray) -> Any:
    """Nested lists of floats, to 8 significant digits (the page shows 4; the exercise checks to 1e-3), a
    float32 value as its shortest float32 text (0.15, not 0.15000000596): smaller pages."""
    if a.size == 0:
        return np.asarray(a, dtype=np.float64).tolist()
    text = str if a.dtype == np.float32 else "{:.8g}".format

    def number(v: Any) -> float | int:
        x = float(text(v))
        return int(x) if x.is_integer() and abs(x) < 1e15 else x  # 0 and 1, not 0.0 and 1.0: Jacobians are mostly 0

    return np.vectorize(number, otypes=[object])(a).tolist()


def _call_backward(node: Any, g: np.ndarray) -> tuple:
    with grad_mode.no_grad():
        grads = node.backward(node, g) if node.arrays else engine.call_backward(node, g, False)
    return grads if type(grads) is tuple else (grads,)


def _shape_of(parent: Any) -> tuple:
    return tuple(parent._array.shape if isinstance(parent, Tensor) else parent.shape)


def _jacobians(node: Any) -> list | None:
    """Per input, ∂out/∂input as an (out.size, in.size) array (None for inputs too big or needing no grad)."""
    shape = tuple(node.shape)
    n = int(np.prod(shape, dtype=np.int64))
    if n > SMALL or n == 0:
        return None
    sizes = [None if p is None else int(np.prod(_shape_of(p), dtype=np.int64)) for p in node.inputs]
    if all(s is None or s > SMALL for s in sizes):
        return None
    jac: list = [None if s is None or s > SMALL else np.zeros((n, s)) for s in sizes]
    try:
        for k in range(n):
            e = np.zeros(shape, dtype=node.dtype)
            e.flat[k] = 1
            for i, (p, gi) in enumerate(zip(node.inputs, _call_backward(node, e))):
                if jac[i] is None:
                    continue
                if gi is None:
                    jac[i] = None
                    continue
                gi = np.asarray(gi._array if isinstance(gi, Tensor) else gi)
                if gi.shape != _shape_of(p) and gi.ndim >= len(_shape_of(p)):
                    gi = engine.unbroadcast(gi, _shape_of(p))
                jac[i][k] = np.asarray(gi, dtype=np.float64).reshape(-1)
    except Exception:  # a backward that cannot run again (custom Function): show the formula only
        return None
    return jac


def _local(jac: np.ndarray | None, out_shape: tuple, in_shape: tuple) -> tuple:
    """(kind, value): the elementwise local derivative when the Jacobian is diagonal, else the Jacobian."""
    if jac is None:
        return None, None
    if out_shape == in_shape and np.count_nonzero(jac - np.diag(np.diag(jac))) == 0:
        return "elementwise", np.diag(jac).reshape(in_shape).tolist()
    return "jacobian", jac.tolist()


def _summed_axes(out_shape: tuple, in_shape: tuple) -> str | None:
    """'summed over axis 0: (4, 3) → (3,)' when the input was broadcast to the output's shape."""
    if out_shape == in_shape:
        return None
    try:
        if np.broadcast_shapes(in_shape, out_shape) != out_shape:
            return None
    except ValueError:
        return None
    extra = len(out_shape) - len(in_shape)
    axes = list(range(extra)) + [i + extra for i, s in enumerate(in_shape) if s == 1 and out_shape[i + extra] != 1]
    if not axes:
        return None
    word = "axis" if len(axes) == 1 else "axes"
    return (f"summed over {word} {', '.join(map(str, axes))}: {summary.shape_text(out_shape)} → "
            f"{summary.shape_text(in_shape)}")


def _values_known(nodes: list, loss: Tensor) -> dict:
    """node -> its output value, where known: recorded under capture(), saved by a consumer, or the loss."""
    known: dict = {loss.grad_fn: loss._array}
    for node in nodes:
        arrays = _saved_arrays(node) or []
        for value, origin in arrays:
            if origin is not None and origin[0] == "output" and origin[1] is not None:
                known.setdefault(origin[1], value)
    for node in nodes:
        if hasattr(node, "viz_value"):
            known[node] = node.viz_value
    return known


def _build(loss: Tensor, nodes: list, params: Any, inputs: Any, exercise: Any, max_nodes: int,
           jacobians: bool) -> Explorer:
    input_names = _input_names(inputs)
    snap = collect([loss], max_nodes, list(input_names.values()))
    collapse = len(snap.ops) + len(snap.leaves) + len(snap.inputs) >= max_nodes or snap.total_ops > len(snap.ops)
    graph = draw_snapshot(snap, params=params, inputs=inputs, collapse_modules=collapse and bool(snap.calls))
    svg = _svg(graph.source)
    names, module_names = _names(params)
    names.update({id(t): n for n, t in input_names.items()})
    # item ids: the snapshot's where drawn, our own otherwise; `shown` is what stands for the item in the SVG
    item: dict = {id(n): i for i, n in snap.ops}
    item.update({id(t): i for i, t in snap.leaves + snap.inputs})
    rep = _representatives(snap, collapse)
    for k, node in enumerate(sorted(nodes, key=lambda n: -n.seq)):
        item.setdefault(id(node), f"hidden_op{k}")
    leaves = _leaves(nodes)
    for k, t in enumerate(leaves):
        item.setdefault(id(t), f"hidden_leaf{k}")
    drawn = {i for i, _ in snap.ops + snap.leaves + snap.inputs}

    def shown(i: str) -> str | None:
        return rep.get(i, i) if i in drawn else None

    def label_of(x: Any) -> str:
        if x is None:
            return "constant"
        if isinstance(x, Tensor):
            return names.get(id(x)) or item.get(id(x), "?")
        calls = [module_names.get(id(m)) for m, _ in x.module_calls or ()]
        calls = [c for c in calls if c]
        return f"{x.name()} [{item[id(x)]}]" + (f" = output of {calls[-1]}" if calls else "")

    values = _values_known(nodes, loss)
    steps: list = []
    for node in sorted(nodes, key=lambda n: n.seq):
        ins = []
        for p in node.inputs:
            if p is None:
                continue
            v = p._array if isinstance(p, Tensor) else values.get(p)
            ins.append({"from": item.get(id(p)), "name": label_of(p), "value": None if v is None else _array(v)})
        for t in getattr(node, "viz_constants", {}).values():
            ins.append({"from": item.get(id(t)), "name": label_of(t), "value": _array(t._array)})
        v = values.get(node)
        steps.append({"index": len(steps), "phase": "forward", "node": shown(item[id(node)]), "item": item[id(node)],
                      "label": f"forward: {label_of(node)} = {node.name()}({', '.join(i['name'] for i in ins)})",
                      "formula": formula_lines(node), "shape": list(node.shape), "inputs": ins,
                      "value": None if v is None else _array(v), "upstream": None, "local": None,
                      "contributions": [], "accumulated": []})
    seed = loss.grad_fn.viz_grad
    steps.append({"index": len(steps), "phase": "backward", "node": "out0", "item": "out0", "seed": True,
                  "label": "backward starts at the output: dL/dL = 1" if loss._array.size == 1 else
                  "backward starts at the output with the given gradient", "formula": [], "shape": list(loss.shape),
                  "upstream": _array(seed), "local": [], "contributions": [], "accumulated": []})
    consumers: dict = {}
    for node in nodes:
        for p, g in zip(node.inputs, node.viz_input_grads):
            if p is not None and g is not None:
                consumers[id(p)] = consumers.get(id(p), 0) + 1
    received: dict = {}
    for node in sorted(nodes, key=lambda n: -n.seq):
        jac = _jacobians(node) if jacobians else None
        out_shape = tuple(node.shape)
        local, contributions, accumulated = [], [], []
        for i, (p, g) in enumerate(zip(node.inputs, node.viz_input_grads)):
            if p is None or g is None:
                continue
            to = item[id(p)]
            in_shape = _shape_of(p)
            kind, lv = _local(None if jac is None else jac[i], out_shape, in_shape)
            local.append({"to": to, "kind": kind, "value": lv})
            contributions.append({"to": to, "name": label_of(p), "value": _array(g), "shape": list(in_shape),
                                  "summed": _summed_axes(out_shape, in_shape)})
            total, count = received.get(id(p), (None, 0))
            total = np.array(g, dtype=np.float64) if total is None else total + g
            received[id(p)] = (total, count + 1)
            if consumers[id(p)] > 1:
                accumulated.append({"to": to, "slot": len(contributions) - 1, "name": label_of(p),
                                    "value": _array(total), "received": count + 1, "of": consumers[id(p)]})
        steps.append({"index": len(steps), "phase": "backward", "node": shown(item[id(node)]), "item": item[id(node)],
                      "label": f"backward: {label_of(node)}", "formula": formula_lines(node), "shape": list(out_shape),
                      "upstream": _array(node.viz_grad), "local": local, "contributions": contributions,
                      "accumulated": accumulated})
    data = {"steps": steps, "total_ops": len(nodes), "drawn_ops": len(snap.ops), "collapsed": bool(collapse),
            "modules": bool(snap.calls),
            "max_nodes": max_nodes, "targets": _targets(leaves, names, item, steps, exercise),
            "exercise": bool(exercise), "rtol": RTOL, "jacobians": jacobians}
    return Explorer(data, svg)


def _representatives(snap: Any, collapse: bool) -> dict:
    """item -> the SVG node that stands for it (a collapsed module's box, or itself)."""
    if not collapse or not snap.calls:
        return {}
    collapsed = _collapsed_calls(snap.calls, True)
    rep = {}
    for i, call in _homes(snap).items():
        box = _collapsed_ancestor(call, collapsed)
        if box is not None:
            rep[i] = box.id[len("cluster_"):]
    return rep


def _targets(leaves: list, names: dict, item: dict, steps: list, exercise: Any) -> list:
    """The gradients an exercise can hide: every leaf that requires grad, with its answer and derivation."""
    chosen = None
    if isinstance(exercise, (list, tuple)):
        known = [names[id(t)] for t in leaves if id(t) in names]
        unknown = [n for n in exercise if n not in known]
        if unknown:
            raise ValueError(f"explore: exercise names {unknown} are not parameters of this graph; "
                             f"choose from {known}")
        chosen = set(exercise)
    out = []
    for t in leaves:
        i = item[id(t)]
        name = names.get(id(t), i)
        derivation = [{"step": s["index"], "from": s["item"], "value": c["value"]}
                      for s in steps if s["phase"] == "backward" for c in s["contributions"] if c["to"] == i]
        answer = getattr(t, "viz_grad", None)
        if answer is None or np.asarray(answer).size > EXERCISE_MAX:
            if chosen is not None and name in chosen:
                raise ValueError(f"explore: exercise: the gradient of {name!r} has {t.numel()} elements, more than "
                                 f"the {EXERCISE_MAX} a learner can type; choose a smaller tensor")
            continue
        out.append({"name": name, "item": i, "shape": list(t.shape), "answer": _numbers(np.asarray(answer)),
                    "derivation": derivation, "hidden": bool(exercise) and (chosen is None or name in chosen)})
    return out


def _svg(source: str) -> str:
    """The SVG of the DOT source, with each node's ``<g>`` carrying its DOT name as id and edges their ends."""

    svg = to_bytes(source, "svg").decode("utf-8")
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG goes inline into HTML

    def node(m: re.Match) -> str:
        name = html.escape(html.unescape(m.group(3)))
        return f'<g id="{name}" class="node tb-node" data-item="{name}">{m.group(2)}'

    def edge(m: re.Match) -> str:
        tail, _, head = html.unescape(m.group(3)).partition("->")
        tail, head = html.escape(tail.split(":")[0]), html.escape(head.split(":")[0])
        return f'<g id="{m.group(1)}" class="edge tb-edge" data-tail="{tail}" data-head="{head}">{m.group(2)}'

    svg = re.sub(r'<g id="(node\d+)" class="node">(\s*<title>([^<]*)</title>)', node, svg)
    return re.sub(r'<g id="(edge\d+)" class="edge">(\s*<title>([^<]*)</title>)', edge, svg)


def worked_example(exercise: bool | list = False) -> Explorer:
    """The explorer of the tutorial's worked example (examples/forward_backward_by_hand.py):
    z1 = W1·x + b1, a1 = σ(z1), z2 = W2·a1 + b2, y = σ(z2), L = ½(y - t)²."""
    x = tensor([[0.05], [0.10]])
    target = tensor([[0.99]])
    W1 = tensor([[0.15, 0.20], [0.25, 0.30]], requires_grad=True)
    b1 = tensor([[0.35], [0.35]], requires_grad=True)
    W2 = tensor([[0.40, 0.45]], requires_grad=True)
    b2 = tensor([[0.60]], requires_grad=True)
    with capture():  # values of every node for the forward steps; explore runs the backward pass
        z1 = W1 @ x + b1
        a1 = z1.sigmoid()
        z2 = W2 @ a1 + b2
        y = z2.sigmoid()
        loss = 0.5 * ((y - target) ** 2).sum()
    return explore(loss, params={"W1": W1, "b1": b1, "W2": W2, "b2": b2}, inputs={"x": x, "target": target},
                   exercise=exercise)
