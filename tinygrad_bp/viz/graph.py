"""Walk the recorded graph once, without recursion, into a plain snapshot that the drawing code reads.

The snapshot names every item by its position in a breadth-first walk from the output (``op0`` is
the node that made the output, ``leaf0`` the first leaf met, ...), never by ``id()``, so the same
graph always gives the same DOT text. It also keeps what ``save_for_backward`` stored, so a picture
drawn after ``backward()`` (which frees those values) can still show them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd.function import OUTPUT
from ..tensor import Tensor


@dataclass(eq=False)
class Call:
    """One call of an nn.Module, as recorded by ``Module.__call__`` on its output node."""

    module: Any
    output: Any  # the node that produced the call's output
    output_id: str  # its item id ("op3")
    order: int  # recording order: an inner call is recorded before the call that contains it
    members: set = field(default_factory=set)  # ids ("op3", "leaf1") of the items the call produced
    parent: Call | None = None
    depth: int = 0
    id: str = ""


@dataclass
class Snapshot:
    """What ``draw_graph`` needs: the drawn ops, leaves, saved values, edges, module calls and the cut."""

    outputs: list  # [(item id, Tensor)] the tensors the picture ends at
    ops: list = field(default_factory=list)  # [(item id, node)] in walk order
    leaves: list = field(default_factory=list)  # [(item id, Tensor)] leaves that require grad
    inputs: list = field(default_factory=list)  # [(item id, Tensor)] inputs that need no grad (data, targets)
    saved: list = field(default_factory=list)  # [(item id, ndarray)] saved values not owned by a leaf
    origin: dict = field(default_factory=dict)  # saved item -> ("output", op id / op name) or ("input", None)
    edges: list = field(default_factory=list)  # [(tail id, head id, kind)]; kind: "data" or "saved"
    freed: set = field(default_factory=set)  # op ids whose saved values were already freed
    calls: list = field(default_factory=list)  # [Call], outermost first
    total_ops: int = 0
    total_leaves: int = 0
    cut_into: list = field(default_factory=list)  # op ids with inputs that were not drawn
    saved_cut: int = 0  # saved values of drawn ops left out for lack of room
    max_nodes: int = 0


def collect(roots: list, max_nodes: int, named_inputs: Any = ()) -> Snapshot:
    """Breadth-first walk from the outputs' nodes through ``node.inputs`` (positional order).

    At most about ``max_nodes`` items (ops, leaves and saved values) are kept; the walk still
    counts the rest, so the picture can say what it left out. Inputs that need no grad are drawn
    when the node remembers them (``viz_constants``, recorded under ``viz.capture()``), and a
    Tensor of ``named_inputs`` whose array an op saved is drawn as an input rather than as a saved value.
    """
    snap = Snapshot(outputs=[(f"out{i}", t) for i, t in enumerate(roots)], max_nodes=max_nodes)
    op_ids: dict = {}  # node -> "opK" for drawn nodes, None for nodes that were counted only
    leaf_ids: dict = {}  # id(tensor) -> "leafK"
    data_owner: dict = {}  # id(leaf._array) -> leaf id, to link saved values to their leaf
    saved_ids: dict = {}  # id(array) -> "savedK"
    keep_alive: list = []  # arrays keyed by id() above stay alive while the walk runs
    budget = max_nodes
    queue: deque = deque()
    for i, t in enumerate(roots):
        if t.grad_fn is None:
            if t.requires_grad:  # the output is itself a leaf
                leaf_ids[id(t)] = f"out{i}"
            continue
        node = t.grad_fn
        if node not in op_ids:
            op_ids[node] = f"op{len(snap.ops)}"
            snap.ops.append((op_ids[node], node))
            budget -= 1
            queue.append(node)
        snap.edges.append((op_ids[node], f"out{i}", "data"))
    counted_leaves: set = set()
    while queue:
        node = queue.popleft()
        me = op_ids[node]
        if me is not None:
            budget -= _collect_saved(snap, me, node, saved_ids, keep_alive, budget)
        for parent in node.inputs:
            if parent is None:
                continue
            if isinstance(parent, Tensor):
                if id(parent) not in counted_leaves:
                    counted_leaves.add(id(parent))
                    keep_alive.append(parent)
                if me is None:
                    continue
                if id(parent) not in leaf_ids:
                    if budget <= 0:
                        _cut(snap, me)
                        continue
                    leaf_ids[id(parent)] = f"leaf{len(snap.leaves)}"
                    snap.leaves.append((leaf_ids[id(parent)], parent))
                    data_owner[id(parent._array)] = leaf_ids[id(parent)]
                    budget -= 1
                snap.edges.append((leaf_ids[id(parent)], me, "data"))
                continue
            if parent not in op_ids:
                if me is not None and budget > 0:
                    op_ids[parent] = f"op{len(snap.ops)}"
                    snap.ops.append((op_ids[parent], parent))
                    budget -= 1
                else:
                    op_ids[parent] = None
                queue.append(parent)
            if me is None:
                continue
            if op_ids[parent] is None:
                _cut(snap, me)
            else:
                snap.edges.append((op_ids[parent], me, "data"))
        if me is not None:
            for t in getattr(node, "viz_constants", {}).values():
                item = _input_item(snap, t, leaf_ids, data_owner, keep_alive)
                snap.edges.append((item, me, "data"))
    for t in named_inputs:  # an input no op remembered, but whose array an op saved (MatMul saves x)
        if id(t) not in leaf_ids and any(a is t._array for _, a in snap.saved):
            _input_item(snap, t, leaf_ids, data_owner, keep_alive)
    snap.total_ops = len(op_ids)
    for item, (kind, producer) in list(snap.origin.items()):
        producer_id = op_ids.get(producer) if producer is not None else None
        snap.origin[item] = (kind, producer_id)
        if producer_id is not None:
            snap.edges.append((producer_id, item, "value"))
    snap.total_leaves = len(counted_leaves)
    _merge_saved_into_tensors(snap, data_owner)
    _collect_calls(snap, op_ids, leaf_ids)
    return snap


def _input_item(snap: Snapshot, t: Tensor, leaf_ids: dict, data_owner: dict, keep_alive: list) -> str:
    """The item id ("inK") of an input that needs no grad, made on first sight."""
    if id(t) not in leaf_ids:
        leaf_ids[id(t)] = f"in{len(snap.inputs)}"
        snap.inputs.append((leaf_ids[id(t)], t))
        data_owner.setdefault(id(t._array), leaf_ids[id(t)])
        keep_alive.append(t)
    return leaf_ids[id(t)]


def _cut(snap: Snapshot, op: str) -> None:
    """Note that drawn op ``op`` has an input that is not drawn."""
    if not snap.cut_into or snap.cut_into[-1] != op:
        snap.cut_into.append(op)


def _saved_arrays(node: Any) -> Any:
    """[(array, where it came from)] for what ``node`` saved; None once backward() freed it.

    Where it came from, when the node still knows its inputs (``args``): ("output", producer node)
    for a value some op computed (the node's own output included), ("input", None) for a tensor
    that needs no gradient (such as the network's input), None when unknown.
    """
    saved = getattr(node, "saved", ())
    if isinstance(saved, str):  # "freed" after backward()
        return None
    values = saved if isinstance(saved, (tuple, list)) else (saved,)
    out = []
    for k, value in enumerate(values):
        if isinstance(value, Tensor):
            value = value._array
        if not isinstance(value, np.ndarray):
            continue
        origin = None
        role = node.roles[k] if k < len(node.roles) else None
        if role == OUTPUT:
            origin = ("output", node)
        elif role is not None:
            parent = node.inputs[role]
            is_node = parent is not None and not isinstance(parent, Tensor)
            origin = ("output", parent) if is_node else ("input", None)
        out.append((value, origin))
    return out


def _collect_saved(snap: Snapshot, me: str, node: Any, saved_ids: dict, keep_alive: list, budget: int) -> int:
    """Add the values ``node`` saved for backward (new ones while the budget lasts); returns how many
    new picture items that made."""
    arrays = _saved_arrays(node)
    if arrays is None:
        snap.freed.add(me)
        return 0
    new = 0
    seen_here: set = set()
    for a, origin in arrays:
        if id(a) in seen_here:
            continue
        seen_here.add(id(a))
        if id(a) in saved_ids:
            snap.edges.append((saved_ids[id(a)], me, "saved"))
            continue
        if new >= budget:
            snap.saved_cut += 1
            continue
        # a leaf's own array (e.g. Linear's weight) becomes an edge from the leaf at the end of the walk
        saved_ids[id(a)] = f"saved{len(snap.saved)}"
        snap.saved.append((saved_ids[id(a)], a))
        if origin is not None:
            snap.origin[saved_ids[id(a)]] = origin
        keep_alive.append(a)
        snap.edges.append((saved_ids[id(a)], me, "saved"))
        new += 1
    return new


def _merge_saved_into_tensors(snap: Snapshot, data_owner: dict) -> None:
    """A saved value that is a leaf's (or the output's) own array is drawn as that tensor's node.

    Done after the walk, because the leaf may be met only after the op that saved its array.
    """
    owner = dict(data_owner)
    for item, t in snap.outputs:
        owner.setdefault(id(t._array), item)
    rename = {}
    kept = []
    for item, a in snap.saved:
        if id(a) in owner:
            rename[item] = owner[id(a)]
        else:
            kept.append((item, a))
    if not rename:
        return
    # renumber the remaining saved items so ids stay dense and in walk order
    renumber = {item: f"saved{i}" for i, (item, _) in enumerate(kept)}
    snap.saved = [(renumber[item], a) for item, a in kept]
    snap.origin = {renumber[item]: o for item, o in snap.origin.items() if item in renumber}
    rename.update(renumber)
    edges = [(rename.get(tail, tail), rename.get(head, head), kind) for tail, head, kind in snap.edges]
    # a leaf's or the output's own value needs no "value" edge: that tensor's node already shows it
    snap.edges = [e for e in edges if e[2] != "value" or e[1].startswith("saved")]


def _collect_calls(snap: Snapshot, op_ids: dict, leaf_ids: dict) -> None:
    """Turn the ``module_calls`` recorded on drawn nodes into nested clusters.

    A call's members are the items between its output node and its input nodes; an item belongs to
    the innermost call containing it (the one with the fewest members; for equal sets, the call
    recorded first, which is the inner one).
    """
    calls: list = []
    for _, node in snap.ops:
        for module, inputs in node.module_calls or ():
            call = Call(module=module, output=node, output_id=op_ids[node], order=len(calls))
            _members(call, inputs, op_ids, leaf_ids)
            if call.members:
                calls.append(call)
    if not calls:
        return
    # order by nesting: the call with more members (or recorded later, for equal sets) is outer
    size = {c: len(c.members) for c in calls}

    def key(c: Call) -> tuple:
        return (size[c], c.order)

    containing: dict = {}  # item -> calls containing it
    for call in calls:
        for item in call.members:
            containing.setdefault(item, []).append(call)
    for call in calls:
        outer = [c for c in containing[call.output_id] if key(c) > key(call)]
        call.parent = min(outer, key=key) if outer else None
    for call in calls:
        depth = 0
        c = call.parent
        while c is not None:
            depth += 1
            c = c.parent
        call.depth = depth
    # each item is listed only by its innermost call
    for call in calls:
        call.members = set()
    for item, owners in containing.items():
        min(owners, key=key).members.add(item)
    calls.sort(key=lambda c: (c.depth, int(c.output_id[2:]), c.order))
    for i, call in enumerate(calls):
        call.id = f"cluster_call{i}"
    snap.calls = calls


def _members(call: Call, inputs: tuple, op_ids: dict, leaf_ids: dict) -> None:
    """Walk back from the call's output node, stopping at its inputs: those items are the call's."""
    stop = {id(x) for x in inputs}
    if id(call.output) in stop:  # the module returned its input unchanged (e.g. Identity)
        return
    own = _own_parameters(call.module)
    seen = {id(call.output)}
    stack = [call.output]
    while stack:
        node = stack.pop()
        item = op_ids.get(node)
        if item is None:  # not drawn (beyond max_nodes)
            continue
        call.members.add(item)
        for parent in node.inputs:
            if parent is None or id(parent) in stop or id(parent) in seen:
                continue
            seen.add(id(parent))
            if isinstance(parent, Tensor):
                if id(parent) in own and id(parent) in leaf_ids:
                    call.members.add(leaf_ids[id(parent)])
            else:
                stack.append(parent)


def _own_parameters(module: Any) -> set:
    params = getattr(module, "parameters", None)
    if params is None:
        return set()
    return {id(p) for p in params()}
