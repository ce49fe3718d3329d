"""Graph nodes: `Function` (PyTorch's custom-op API) and `Op` (the built-in primitives), recorded by one ``apply``.

Calling ``SomeFunction.apply(*inputs)`` runs ``forward``. When grad mode is on and an input requires grad,
the call also creates a *node*: an instance of the class that serves as ``ctx`` in forward and backward
and becomes the output's ``grad_fn``. A node knows:

* ``inputs``: one entry per positional input: the parent node, the leaf Tensor that requires grad,
  or ``None`` (a constant, or an input that needs no gradient);
* ``shape`` / ``dtype``: those of its output (the engine reduces gradients to them);
* ``seq``: its creation number; backward runs nodes from the highest number down (a consumer is
  always created after its inputs, so this is a topological order);
* ``saved`` / ``roles``: what ``save_for_backward`` stored and, recorded with it, what each value is
  (``roles[k]``: the index of the input it is, ``OUTPUT``, or ``None`` for a constant); ``clock`` for the
  in-place check (``saved_values.py``). Released after ``backward()`` unless ``retain_graph``;
* ``hooks`` / ``retained``: the hooks and ``retain_grad()`` of the output tensor (None if none).

The two kinds differ only in what forward and backward see: a `Function` gets Tensors (forward runs
with grad off), an `Op` gets NumPy arrays (the fast path every built-in op takes).
"""

from __future__ import annotations

import itertools
import weakref
from operator import is_not
from typing import Any

import numpy as np

from ..tensor import Tensor, _broadcast_message, _make, _new
from . import anomaly_mode, grad_mode, saved_values
from . import hooks as _hooks

_grad_state = grad_mode._state  # this thread's grad mode: read on every op

OUTPUT = -1  # the role of a saved value that is the node's own output
_OUT, _FIRST_TWO = (OUTPUT,), (0, 1)
_FREED = "freed"
_NONES = itertools.repeat(None)
_sequence = itertools.count()  # nodes are numbered in creation order: a consumer is always numbered later


class Function:
    """A differentiable operation with static ``forward(ctx, *inputs)`` and ``backward(ctx, grad)``.

    As in PyTorch: ``forward`` receives Tensors and runs with grad off; ``backward`` receives the
    gradient of the output and returns one gradient per input of ``forward`` (``None`` for inputs
    that need none). Use ``ctx.save_for_backward(*tensors)`` and ``ctx.saved_tensors``.
    """

    arrays = False  # forward/backward see Tensors (Op: NumPy arrays)
    _is_tensor = False  # how the engine tells a node (False) from a leaf Tensor (Tensor._is_tensor is True)
    view = False  # True for ops whose output may share its input's memory (reshape, permute, expand, index)
    torch_name: str | None = None  # PyTorch's grad_fn name, where it is not ClassName + "Backward0" (an op may
    # also set it on the node in forward, when the name depends on the call: sum() vs sum(dim))

    inputs: tuple
    shape: tuple
    dtype: np.dtype
    needs_input_grad: tuple
    saved: Any = ()
    roles: tuple = ()
    hooks: Any = None  # {id: fn} of register_hook on the output tensor (also set, maybe empty, by retain_grad)
    retained: Any = None  # weakref to the output tensor that called retain_grad()
    prehooks: Any = None  # {id: fn} of register_prehook on this node
    posthooks: Any = None  # {id: fn} of register_hook on this node
    module_calls: Any = None  # [(module, inputs)] of the nn.Module calls that returned this node's output (viz)

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        """Compute the output from the inputs (graph recording is off here); override it."""
        raise NotImplementedError("subclasses of Function must implement forward")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Any) -> Any:
        """dL/d(each input) from dL/d(output): one gradient (or None) per input of forward; override it."""
        raise NotImplementedError("subclasses of Function must implement backward")

    def save_for_backward(self, *values: Any) -> None:
        """Keep values for backward (released after backward unless retain_graph=True)."""
        self.saved = values

    @property
    def saved_tensors(self) -> tuple:
        """The values saved in forward, after checking they were neither freed nor modified in place since.

        During a ``create_graph`` pass the engine shows them as graph Tensors (``saved_values.as_graph``), so
        the same backward formula builds the graph of the gradient."""
        saved = self.saved
        if saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or directly access saved tensors "
                f"after they have already been freed): the values {self.name()} saved for backward were "
                "released by the first backward(). Specify retain_graph=True if you need to backward "
                "through the graph a second time or access saved tensors after calling backward.")
        if saved and self.clock != saved_values.clock:
            saved_values.check(self)
        return saved

    def name(self) -> str:
        """PyTorch's name for this node, e.g. 'MulBackward0' (custom Functions: 'MyFnBackward')."""
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        """One ``(node, 0)`` per input, as in PyTorch: the input's ``grad_fn``, an ``AccumulateGrad`` whose
        ``variable`` is the leaf, or ``(None, 0)`` for an input that needs no gradient."""
        return tuple((None if p is None else AccumulateGrad.of(p) if isinstance(p, Tensor) else p, 0)
                     for p in self.inputs)

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def register_hook(self, fn: Any) -> Any:
        """Call ``fn(grad_inputs, grad_outputs)`` after this node's backward (PyTorch's node hook); a returned
        tuple replaces grad_inputs. Returns a handle: ``handle.remove()``."""
        return _hooks.register_node_hook(self, fn, post=True)

    def register_prehook(self, fn: Any) -> Any:
        """Call ``fn(grad_outputs)`` before this node's backward; a returned tuple replaces grad_outputs."""
        return _hooks.register_node_hook(self, fn, post=False)

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward on the inputs; record a node when grad mode is on and an input requires grad."""
        enabled, record = _grad_state.enabled, False
        datas, parents = [], []  # what an Op's forward gets (arrays for Tensors), and node.inputs
        for a in args:
            if type(a) is Tensor or isinstance(a, Tensor):
                datas.append(a._array)
                if enabled and a.requires_grad:
                    record = True
                    parents.append(a.grad_fn or a)
                    continue
            else:
                datas.append(a)
            parents.append(None)
        if cls.arrays:
            ctx = _new(cls) if record else _NO_GRAPH
            try:
                result = out = (cls.forward(ctx, *datas, **kwargs) if kwargs else  # one or two inputs are
                                cls.forward(ctx, datas[0], datas[1]) if len(datas) == 2 else  # passed as they are:
                                cls.forward(ctx, datas[0]) if len(datas) == 1 else cls.forward(ctx, *datas))  # faster
            except ValueError as e:  # NumPy's broadcast failure becomes PyTorch's RuntimeError naming op and shapes
                raise _broadcast_error(cls.__name__, datas, e)  # noqa: B904 - it sets the cause itself
            if not record:
                return _make(out)
        else:
            ctx, result = _forward_on_tensors(cls, parents, args, kwargs)
            if not record:
                return result
            datas, out = args, result._array
        saved = ctx.saved
        if saved:  # each saved value's role, for create_graph and the in-place check (saved_values.py)
            first = saved[0]  # the two common cases first: (out,) and (x, y)
            if first is result and len(saved) == 1:
                ctx.roles = _OUT
            elif first is datas[0] and len(saved) == 2 and len(datas) > 1 and saved[1] is datas[1]:
                ctx.roles = _FIRST_TWO
            else:
                ctx.roles = _roles(saved, datas, result)
            ctx.clock = saved_values.clock
        if anomaly_mode._enabled:
            ctx.trace = anomaly_mode.forward_trace()
        ctx.inputs = tuple(parents)
        ctx.seq = next(_sequence)
        ctx.shape, ctx.dtype = out.shape, out.dtype
        t = _new(Tensor)  # Tensor._make(out, ctx), inlined: this is the hot path
        t._array = out if type(out) is np.ndarray else np.asarray(out)
        t._grad = None
        t.grad_fn = ctx
        t.requires_grad = True
        return t


class Op(Function):
    """A built-in primitive: forward and backward work on NumPy arrays (Tensors are unwrapped).

    ``backward`` returns one gradient per positional input; the engine sums each back to its
    input's shape (``unbroadcast``) and casts it to the input's dtype. Keyword arguments of
    ``apply`` are configuration passed to ``forward``.
    """

    arrays = True
    # attributes set on every recorded node live in slots: faster to set
    __slots__ = ("inputs", "seq", "shape", "dtype", "roles", "clock")

    @property
    def needs_input_grad(self) -> tuple:
        """One bool per positional input: does it want a gradient? (computed when backward asks)"""
        inputs = self.inputs
        n = len(inputs)
        if n == 2:  # the common cases (binary ops; linear), spelled out: several times faster than the general one
            return inputs[0] is not None, inputs[1] is not None
        if n == 3:
            return inputs[0] is not None, inputs[1] is not None, inputs[2] is not None
        return tuple(map(is_not, inputs, _NONES))

    def name(self) -> str:
        return self.torch_name or type(self).__name__ + "Backward0"


def _forward_on_tensors(cls: type, parents: list, args: tuple, kwargs: dict) -> tuple:
    """A custom Function's forward (ctx, output): it sees the Tensors, with grad mode off, and must return a Tensor."""
    ctx = cls()
    ctx.needs_input_grad = tuple(map(is_not, parents, _NONES))
    with grad_mode.no_grad():
        result = cls.forward(ctx, *args, **kwargs)
    if parents and any(p is not None for p in parents) and not isinstance(result, Tensor):
        raise TypeError(f"{cls.__name__}.forward must return a Tensor, got {type(result).__name__}")
    return ctx, result


def _roles(saved: tuple, args: Any, out: Any) -> tuple:
    """The role of each saved value: the index of the positional input it is (position k tried first, as
    ``x * x.detach()`` passes one array twice), ``OUTPUT`` for forward's result, None for anything else."""
    roles = []
    n = len(args)
    for k, s in enumerate(saved):
        if k < n and args[k] is s:
            roles.append(k)
        elif s is out:
            roles.append(OUTPUT)
        else:
            roles.append(next((i for i, a in enumerate(args) if a is s), None))
    return tuple(roles)


class AccumulateGrad:
    """The node that adds a leaf's gradient into ``.grad`` (what ``next_functions`` shows for a leaf)."""

    next_functions: tuple = ()

    def __init__(self, leaf: Tensor) -> None:
        self._leaf = weakref.ref(leaf)  # weak: the leaf keeps this node, not the other way round

    @classmethod
    def of(cls, leaf: Tensor) -> AccumulateGrad:
        """The leaf's one AccumulateGrad node (made on first use)."""
        node = leaf.__dict__.get("_accumulate_grad")
        if node is None:
            node = leaf.__dict__["_accumulate_grad"] = cls(leaf)
        return node

    @property
    def variable(self) -> Tensor:
        """The leaf tensor."""
        return self._leaf()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's name, C++ namespace and all

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class _NoGraph:
    """The ctx an Op's forward gets when no graph is recorded: saving and attributes are no-ops."""

    __slots__ = ()
    needs_input_grad = ()

    def save_for_backward(self, *values: Any) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass


_NO_GRAPH = _NoGraph()


def _broadcast_error(op: str, datas: list, error: ValueError) -> Exception:
    """The exception to raise for a ValueError from an op's forward: NumPy's broadcast failure becomes PyTorch's
    RuntimeError naming the op and the shapes; anything else is raised as it is."""
    if "broadcast" not in str(error):
        return error
    shapes = [np.shape(d) for d in datas if isinstance(d, np.ndarray)]
    if len(shapes) == 2:
        message = _broadcast_message(op.lower(), *shapes)
    else:
        message = f"{op.lower()}: shapes {', '.join(map(str, shapes))} cannot be broadcast together"
    converted = RuntimeError(message)
    converted.__cause__ = error
    return converted
