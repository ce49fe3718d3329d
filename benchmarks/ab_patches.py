"""Paired A/B timing of candidate speed-ups, applied as monkeypatches to the installed tinygrad_bp.

    python benchmarks/ab_patches.py PATCH[,PATCH...] WORKLOAD [--rounds 80]
    python benchmarks/ab_patches.py --list

Each patch is a small, self-contained change an owner could make in the real module (the code here
is the proposal). Rounds alternate original / patched in ONE process (order flipping each round);
the report is the median of the per-round ratios patched/original, which cancels the slow drift
of a busy machine, plus the best (minimum) time of each side. WORKLOAD is W1-W5 (shortened: W1 100
steps, W2 10, W3 3, W4 4 chains of 200 ops; W5 is the full 100,000-op chain, so use --rounds 16). Written against
tinygrad_bp at commit 9d01e0d; a patch whose target has changed since may need adjusting.
TB_ROOT=DIR runs against another checkout (e.g. a `git archive` of an older commit).
"""

import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.environ.get("TB_ROOT") or os.path.dirname(HERE)]

import gc  # noqa: E402

import numpy as np  # noqa: E402

import tinygrad_bp as tb  # noqa: E402
from tinygrad_bp.autograd import anomaly_mode, grad_mode, saved_values  # noqa: E402
from tinygrad_bp.autograd import engine as E  # noqa: E402
from tinygrad_bp.autograd import function as F  # noqa: E402
from tinygrad_bp.autograd.function import Op  # noqa: E402
from tinygrad_bp.nn import functional as NF  # noqa: E402
from tinygrad_bp.nn import module as _M  # noqa: E402
from tinygrad_bp.ops import elementwise as _El  # noqa: E402
from tinygrad_bp.ops import loss as _L  # noqa: E402
from tinygrad_bp.tensor import Tensor  # noqa: E402

PATCHES = {}
DESCRIPTIONS = {
    "gcbw": "engine.backward: pause the cyclic GC while the backward pass runs",
    "noargs": "Op.apply keeps the input arrays (ctx.arg_arrays) instead of ctx.args (Tensors, GC-tracked); "
              "as_tensors, _describe and viz's _saved_arrays map saved arrays through node.inputs",
    "bias": "Addmm.backward: return the bias gradient summed over the batch (skips the engine's unbroadcast)",
    "call": "Module.__call__: no per-call module_calls bookkeeping (viz would record it only while tracing)",
    "ce": "F.cross_entropy: fused fast path for int64 class targets (no dense one-hot coefficient array)",
    "ones": "engine._initial_grad: np.array(1, dtype) for a scalar output instead of np.ones",
    "bwimport": "Tensor.backward: call the engine through a module reference, no import statement per call",
    "binary": "Tensor.__mul__/__add__/tanh: same-dtype float Tensors go straight to Op.apply",
    "tanhbw": "Tanh.backward: one temporary (in-place 1 - out*out, *= g)",
    "lazyneeds": "Op.apply: no needs_input_grad tuple per node; Op.needs_input_grad is a property over inputs",
    "leafinline": "engine.run_backward: leaf gradients checked and accumulated inline (no _fit/_accumulate calls)",
    "sgd": "SGD._update_group: plain SGD (no momentum/decay/maximize) updates p.data -= lr*grad inline",
}
_NO_GRAPH = F._NO_GRAPH


def set_patches(names, on=True):
    for n in names:
        PATCHES[n](on)


# 1. GC: pause the cyclic collector during backward (the engine makes no cycles)
_orig_engine_backward = E.backward


def gc_paused_backward(*a, **k):
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _orig_engine_backward(*a, **k)
    finally:
        if enabled:
            gc.enable()


PATCHES["gcbw"] = lambda on: setattr(E, "backward", gc_paused_backward if on else _orig_engine_backward)

# 2. GC: no ctx.args (a GC-tracked tuple of Tensors per node); keep the input arrays instead.
#    (Together with patch 11 in one apply: see _patched_apply below.)
_orig_apply = Op.__dict__["apply"]


# 3. Addmm backward returns the bias gradient already summed over the batch (no engine unbroadcast)
_orig_addmm_bwd = _L.Addmm.__dict__["backward"]


@staticmethod
def addmm_backward(ctx, g):
    x, w = ctx.saved_tensors
    need_x, need_w, need_b = ctx.needs_input_grad
    gx = g @ w if need_x else None
    g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
    gw = g2.T @ (x if x.ndim == 2 else x.reshape(-1, x.shape[-1])) if need_w else None
    gb = g2.sum(axis=0) if need_b else None  # .sum works on arrays and (create_graph) Tensors alike
    return gx, gw, gb


PATCHES["bias"] = lambda on: setattr(_L.Addmm, "backward", addmm_backward if on else _orig_addmm_bwd)

# 4. Module.__call__ without the per-call viz bookkeeping (module_calls list + tuple genexpr)
_orig_call = _M.Module.__call__


def lean_call(self, *args, **kwargs):
    out = self.forward(*args, **kwargs)
    if self._forward_hooks:
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
    return out


PATCHES["call"] = lambda on: setattr(_M.Module, "__call__", lean_call if on else _orig_call)


# 5. cross_entropy fast path for plain int64 class targets
class SoftmaxCrossEntropy(Op):  # same name as the general op: grad_fn reads SoftmaxCrossEntropyBackward0
    """loss = mean_i(-log softmax(z_i)[t_i]);  dloss/dz = (softmax(z) - onehot(t)) / n"""

    @staticmethod
    def forward(ctx, z, t):
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(z.shape[0])
        ctx.save_for_backward(z, logp)
        ctx.rows, ctx.t = rows, t
        return np.asarray(-logp[rows, t].sum() / z.dtype.type(z.shape[0]), dtype=z.dtype)

    @staticmethod
    def backward(ctx, g):
        z, logp = ctx.saved_tensors
        n = z.shape[0]
        if type(z) is not np.ndarray:  # create_graph: the same formula on Tensors, log softmax recomputed from z
            onehot = np.zeros(z.shape, z.dtype)
            onehot[ctx.rows, ctx.t] = 1
            return (z.log_softmax(1).exp() - Tensor._make(onehot)) * (g / n), None
        p = np.exp(logp)
        p[ctx.rows, ctx.t] -= 1
        p *= g / logp.dtype.type(n)
        return p, None


_orig_ce = NF.cross_entropy


def fast_cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                       reduction="mean", label_smoothing=0.0):
    t = getattr(target, "data", None)
    if (weight is None and size_average is None and reduce is None and reduction == "mean"
            and label_smoothing == 0.0 and type(t) is np.ndarray and t.dtype == np.int64 and input.ndim == 2
            and t.shape == (input.shape[0],) and t.size and t.min() >= 0 and t.max() < input.shape[1]
            and not (t == ignore_index).any()):
        return SoftmaxCrossEntropy.apply(input, t)
    return _orig_ce(input, target, weight, size_average, ignore_index, reduce, reduction, label_smoothing)


PATCHES["ce"] = lambda on: setattr(NF, "cross_entropy", fast_cross_entropy if on else _orig_ce)

# 6. d(out)/d(out) for a scalar: np.array(1, dtype) (0.3 µs) instead of np.ones (1.2 µs)
_orig_initial = E._initial_grad


def fast_initial_grad(tensor, gradient, as_tensor=False):
    if gradient is None and not as_tensor and tensor.data.ndim == 0:
        return np.array(1, tensor.data.dtype)
    return _orig_initial(tensor, gradient, as_tensor)


PATCHES["ones"] = lambda on: setattr(E, "_initial_grad", fast_initial_grad if on else _orig_initial)

# 7. Tensor.backward without the function-level import statement
_orig_tbackward = Tensor.backward


def hoisted_backward(self, gradient=None, retain_graph=None, create_graph=False):
    """Accumulate the gradient of this tensor into ``.grad`` of every leaf that requires grad."""
    E.backward(self, gradient, create_graph if retain_graph is None else retain_graph, create_graph)


PATCHES["bwimport"] = lambda on: setattr(Tensor, "backward", hoisted_backward if on else _orig_tbackward)


# 8. Tensor.__mul__/__add__/tanh: two float Tensors of one dtype go straight to Op.apply
_orig_mul, _orig_add, _orig_tanh = Tensor.__mul__, Tensor.__add__, Tensor.tanh


def _fast(op, orig):
    def method(self, other):
        if type(other) is Tensor and self.data.dtype is other.data.dtype and self.data.dtype.kind == "f":
            try:
                return op.apply(self, other)
            except ValueError:
                pass  # the full path raises PyTorch's RuntimeError
        return orig(self, other)
    return method


_fmul, _fadd = _fast(_El.Mul, _orig_mul), _fast(_El.Add, _orig_add)


def fast_tanh(self):
    """tanh elementwise."""
    return _El.Tanh.apply(self if self.data.dtype.kind == "f" else self.to(tb.get_default_dtype()))


def _set_binary(on):
    Tensor.__mul__ = _fmul if on else _orig_mul
    Tensor.__add__ = _fadd if on else _orig_add
    Tensor.tanh = fast_tanh if on else _orig_tanh


PATCHES["binary"] = _set_binary

# 9. Tanh backward with one temporary: t = out*out; t = 1 - t (in place); t *= g
_orig_tanh_bwd = _El.Tanh.__dict__["backward"]


@staticmethod
def tanh_backward(ctx, g):
    (out,) = ctx.saved_tensors
    if type(out) is not np.ndarray or type(g) is not np.ndarray:
        return g * (1 - out * out)
    t = out * out
    np.subtract(1, t, out=t)
    t *= g
    return t


PATCHES["tanhbw"] = lambda on: setattr(_El.Tanh, "backward", tanh_backward if on else _orig_tanh_bwd)


# 10. plain SGD without the keyword-heavy sgd_update call per parameter
from tinygrad_bp.optim import sgd as _sgd  # noqa: E402

_orig_sgd_update_group = _sgd.SGD._update_group


def fast_sgd_update_group(self, group):
    if group["momentum"] == 0 and group["weight_decay"] == 0 and not group["maximize"]:
        lr = group["lr"]
        for p, grad in self._params_with_grad(group):
            p.data -= lr * grad
            _sgd._bump_version(p)
        return
    _orig_sgd_update_group(self, group)


PATCHES["sgd"] = lambda on: setattr(_sgd.SGD, "_update_group",
                                    fast_sgd_update_group if on else _orig_sgd_update_group)

# 11. needs_input_grad computed on demand (only backward reads it) instead of a tuple built per forward
_new = object.__new__
_sequence = F._sequence
_APPLY_FLAGS = {"noargs": False, "lazyneeds": False}


@classmethod
def _patched_apply(cls, *args, **kwargs):
    """HEAD's Op.apply with patch 2 (noargs) and/or patch 11 (lazyneeds) switched on by _APPLY_FLAGS."""
    enabled = grad_mode._enabled
    record = False
    datas = []
    parents = []
    for a in args:
        if type(a) is Tensor or isinstance(a, Tensor):
            datas.append(a.data)
            if enabled and a.requires_grad:
                record = True
                parents.append(a.grad_fn or a)
                continue
        else:
            datas.append(a)
        parents.append(None)
    if not record:
        return Tensor._make(cls.forward(_NO_GRAPH, *datas, **kwargs))
    ctx = _new(cls)
    out = cls.forward(ctx, *datas, **kwargs)
    saved = ctx.saved
    if saved:
        if _APPLY_FLAGS["noargs"]:
            ctx.arg_arrays = tuple(datas)  # arrays and scalars: not GC-tracked, unlike the Tensors in args
        else:
            ctx.args = args
        ctx.clock = saved_values.clock
        if saved[-1] is out:
            ctx.output_saved = True
    if anomaly_mode._enabled:
        ctx.trace = anomaly_mode.forward_trace()
    ctx.inputs = tuple(parents)
    ctx.seq = next(_sequence)
    if not _APPLY_FLAGS["lazyneeds"]:
        ctx.needs_input_grad = tuple([p is not None for p in parents])
    ctx.shape = out.shape
    ctx.dtype = out.dtype
    return Tensor._make(out, ctx)


def _needs(self):
    return tuple([p is not None for p in self.inputs])


def _set_apply_flag(name, on):
    _APPLY_FLAGS[name] = on
    if name == "lazyneeds":
        if on:
            Op.needs_input_grad = property(_needs)
        elif "needs_input_grad" in Op.__dict__:
            del Op.needs_input_grad
    Op.apply = _patched_apply if any(_APPLY_FLAGS.values()) else _orig_apply


def _arg_index(node, k, s):
    """Position of the Tensor argument whose array is the saved value ``s`` (prefer position k), or None."""
    arrays = node.arg_arrays
    if k < len(arrays) and arrays[k] is s:
        return k
    for i, a in enumerate(arrays):
        if a is s:
            return i
    return None


def noargs_as_tensors(node, saved):
    """saved_values.as_tensors from arg_arrays + inputs: a parent node n gives Tensor._make(s, n)."""
    out = []
    last = len(saved) - 1
    for k, s in enumerate(saved):
        v = s
        i = _arg_index(node, k, s)
        if i is not None:
            parent = node.inputs[i]
            if parent is not None:
                v = parent if isinstance(parent, Tensor) else Tensor._make(s, parent)
        elif k == last and vars(node).get("output_saved"):
            v = Tensor._make(s, node)
        out.append(v)
    return tuple(out)


def noargs_describe(node, k, s):
    """saved_values._describe from arg_arrays."""
    name = node.name()
    if node._raw:
        if k == len(node.saved) - 1 and vars(node).get("output_saved"):
            return f"which is output 0 of {name} and was saved by it for backward"
        i = _arg_index(node, k, s) if hasattr(node, "arg_arrays") else None
        if i is not None:
            return f"which is input {i} of {name} and was saved by it for backward"
    return f"which {name} saved for backward (saved tensor {k})"


def noargs_saved_arrays(node):
    """viz.graph._saved_arrays from arg_arrays + inputs."""
    saved = getattr(node, "saved", ())
    if isinstance(saved, str):
        return None
    values = saved if isinstance(saved, (tuple, list)) else (saved,)
    out = []
    for k, value in enumerate(values):
        if isinstance(value, Tensor):
            value = value.data
        if not isinstance(value, np.ndarray):
            continue
        origin = None
        if k == len(values) - 1 and getattr(node, "output_saved", False):
            origin = ("output", node)
        elif hasattr(node, "arg_arrays"):
            i = _arg_index(node, k, value)
            if i is not None:
                parent = node.inputs[i]
                is_node = parent is not None and not isinstance(parent, Tensor)
                origin = ("output", parent) if is_node else ("input", None)
        out.append((value, origin))
    return out


_orig_as_tensors, _orig_describe = saved_values.as_tensors, saved_values._describe


def _set_noargs(on):
    from tinygrad_bp.viz import graph as _vg

    global _orig_saved_arrays
    if "_orig_saved_arrays" not in globals():
        _orig_saved_arrays = _vg._saved_arrays
    saved_values.as_tensors = noargs_as_tensors if on else _orig_as_tensors
    saved_values._describe = noargs_describe if on else _orig_describe
    _vg._saved_arrays = noargs_saved_arrays if on else _orig_saved_arrays
    _set_apply_flag("noargs", on)


PATCHES["noargs"] = _set_noargs
PATCHES["lazyneeds"] = lambda on: _set_apply_flag("lazyneeds", on)


# 12. run_backward with the common leaf case inline (HEAD's loop otherwise unchanged)
from heapq import heappop, heappush  # noqa: E402

_orig_run_backward = E.run_backward
_ndarray = np.ndarray


def leafinline_run_backward(roots, retain_graph, capture=None):
    if capture is not None:
        return _orig_run_backward(roots, retain_graph, capture)
    pending, ready, allowed, stop = E._schedule(roots, capture)
    anomaly = anomaly_mode._enabled
    hooked_leaves = {}
    fit = E._fit
    while ready:
        node = heappop(ready)[1]
        g = pending.pop(node)
        if node.hooks is not None:
            g = E._node_hooks(node, g, False)
        if node._raw:
            grads = node.backward(node, g)
        else:
            with grad_mode.no_grad():
                grads = E._unwrap(node.backward(node, Tensor._make(g)))
        inputs = node.inputs
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(inputs):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {len(inputs)}, got {len(grads)})")
        if anomaly:
            anomaly_mode.check_grads(node, grads)
        for parent, gi in zip(inputs, grads):
            if parent is None or gi is None:
                continue
            if type(parent) is Tensor or isinstance(parent, Tensor):
                pdata = parent.data
                if type(gi) is not _ndarray or gi.shape != pdata.shape or gi.dtype != pdata.dtype:
                    gi = fit(gi, pdata.shape, pdata.dtype, node)
                if parent._backward_hooks is None:
                    lg = parent.grad
                    if lg is None:
                        parent.grad = Tensor._make(gi.copy())
                    else:
                        lg.data += gi
                else:
                    prev = hooked_leaves.get(parent)
                    hooked_leaves[parent] = gi if prev is None else prev + gi
            else:
                if type(gi) is not _ndarray or gi.shape != parent.shape or gi.dtype != parent.dtype:
                    gi = fit(gi, parent.shape, parent.dtype, node)
                prev = pending.get(parent)
                if prev is not None:
                    pending[parent] = prev + gi
                else:
                    pending[parent] = gi
                    heappush(ready, (-parent.seq, parent))
        if not retain_graph and node.saved:
            node.release()
    for leaf, g in hooked_leaves.items():
        E._leaf_grad(leaf, g, False)


PATCHES["leafinline"] = lambda on: setattr(E, "run_backward",
                                           leafinline_run_backward if on else _orig_run_backward)

# ------------------------------------------------------------------------------------------- runner
def _workload(name: str):
    import common as C
    import workloads_torchlike as WT

    from tinygrad_bp.utils import data

    if name == "W4":
        x, w, c = WT._leaves(tb, C.W4_SIZE)
        return (lambda: [WT._chain(x, w, c, C.W4_OPS) for _ in range(4)]), 4 * C.W4_OPS, "op"
    if name == "W5":
        x, w, c = WT._leaves(tb, 1)
        return (lambda: WT._chain(x, w, c, C.W5_OPS)), C.W5_OPS, "op"   # full size: GC cost grows with depth
    nn = tb.nn
    if name in ("W1", "W2"):
        X, y, _, _ = C.linear_data()
        bs, shuffle, n = (1, False, 100) if name == "W1" else (C.W2_BATCH, True, 10)
        loader = data.DataLoader(data.TensorDataset(tb.from_numpy(X), tb.from_numpy(y)), batch_size=bs,
                                 shuffle=shuffle)
        model, loss_fn = nn.Linear(C.N_FEATURES, 1), nn.MSELoss()
        opt = tb.optim.SGD(model.parameters(), lr=C.LR_SGD)
    else:
        X, labels, _ = C.mlp_data()
        B = C.W3_BATCH
        Xt, Lt = tb.from_numpy(X), tb.from_numpy(labels)
        loader = [(Xt[k * B:(k + 1) * B], Lt[k * B:(k + 1) * B]) for k in range(C.W3_BATCHES)]
        model = nn.Sequential(nn.Linear(C.W3_IN, C.W3_HIDDEN), nn.ReLU(), nn.Linear(C.W3_HIDDEN, C.W3_OUT))
        loss_fn, n = nn.CrossEntropyLoss(), 3
        opt = tb.optim.Adam(model.parameters(), lr=C.LR_ADAM)

    def run():
        k = 0
        while k < n:
            for xb, yb in loader:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                loss.item()
                k += 1
                if k == n:
                    break
    return run, n, "step"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("patches", nargs="?", default="", help="comma-separated patch names (see --list)")
    ap.add_argument("workload", nargs="?", default="W1", help="W1..W5")
    ap.add_argument("--rounds", type=int, default=80)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list or not args.patches:
        for name, text in DESCRIPTIONS.items():
            print(f"{name:9s} {text}")
        return 0
    names = [p for p in args.patches.split(",") if p]
    unknown = [p for p in names if p not in PATCHES]
    if unknown:
        ap.error(f"unknown patch(es) {unknown}; see --list")
    run, per, unit = _workload(args.workload.upper())
    best = {False: float("inf"), True: float("inf")}
    ratios = []
    for r in range(args.rounds):
        pair = {}
        for on in (False, True) if r % 2 == 0 else (True, False):
            set_patches(names, on)
            t0 = time.perf_counter()
            run()
            pair[on] = time.perf_counter() - t0
            best[on] = min(best[on], pair[on])
        set_patches(names, False)
        ratios.append(pair[True] / pair[False])
    ratios.sort()
    q = len(ratios) // 4
    us = {k: v / per * 1e6 for k, v in best.items()}
    print(f"{args.workload.upper()} {'+'.join(names)}: best original {us[False]:.2f} µs/{unit}, patched "
          f"{us[True]:.2f} µs/{unit}; paired ratio patched/original: median {ratios[len(ratios) // 2]:.3f} "
          f"(interquartile {ratios[q]:.3f}-{ratios[-q - 1]:.3f}, {args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
