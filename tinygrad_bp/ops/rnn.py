"""Fused recurrent cell updates: one LSTM or GRU step (both matrix products and the gate arithmetic) as one node.

Without fusing, a step is two ``Addmm`` nodes, the gate arithmetic (about a dozen small nodes, or one
fused node) and the slices that split the state: five or more nodes per step, whose fixed cost is most
of the time for the small matrices of a typical recurrent layer. Here a step is one node that takes
the input, the previous state and the four parameters and returns the new state; back-propagation
through time is still the ordinary engine walking the unrolled steps (it sums each parameter's
gradient over the steps). The backward formulas use only operators, slices and the helpers below,
so ``create_graph`` works.

The LSTM state is h and c side by side, hc = [h, c] of shape (N, P + H) (P = H, or proj_size with
projections), so a step reads and writes a single tensor and needs no slice nodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp
from .shape import Cat


def _sigmoid(x: Any) -> Any:
    """1/(1 + e⁻ˣ) = (1 + tanh(x/2))/2: one ufunc, no overflow (absolute error below 1e-16)."""
    if not _xp._is_array(x):
        return x.sigmoid()
    out = np.tanh(x * 0.5)
    out *= 0.5
    out += 0.5
    return out


def _tanh(x: Any) -> Any:
    return np.tanh(x) if _xp._is_array(x) else x.tanh()


def _cat(parts: list) -> Any:
    if all(_xp._is_array(p) for p in parts):
        return np.concatenate(parts, axis=-1)
    return Cat.apply(*parts, axis=max(p.ndim for p in parts) - 1)


def _lstm_gates(g: Any, n: int) -> tuple:
    """(i, f, g, o) activations: σ of blocks 0, 1, 3 and tanh of block 2 (σ computed on all blocks at once)."""
    s = _sigmoid(g)
    return s[:, :n], s[:, n:2 * n], _tanh(g[:, 2 * n:3 * n]), s[:, 3 * n:]


def _affine(x: Any, w: Any, b: Any) -> Any:
    """x @ wᵀ + b (b optional), as nn.Linear's Addmm computes it."""
    out = x @ w.T
    if b is None:
        return out
    if _xp._is_array(out) and _xp._is_array(b):
        out += b
        return out
    return out + b


def _param_grads(dg: Any, inp: Any, needs: tuple) -> tuple:
    """(dL/dW, dL/db) of a product W·inp + b whose output gradient is dg: dgᵀ·inp and dg summed over the batch."""
    return (dg.T @ inp if needs[0] else None), (dg.sum(axis=0) if needs[1] else None)


def _lstm_gate_grads(cache: tuple, c: np.ndarray, gh: np.ndarray, gc: np.ndarray, n: int) -> tuple:
    """(dL/dg, dL/dc', σ(f)) of an LSTM step on arrays: the same formulas as the create_graph branch of
    LSTMCell.backward, with the four gate blocks written into one array and multiplied by their
    derivatives (σ(1 - σ), and 1 - tanh² for the g block) in one pass."""
    s, z, tc = cache
    i, f, o = s[:, :n], s[:, n:2 * n], s[:, 3 * n:]
    dc2 = gh * o
    dc2 *= 1 - tc * tc
    dc2 += gc
    dg = np.empty_like(s)
    np.multiply(dc2, z, out=dg[:, :n])
    np.multiply(dc2, c, out=dg[:, n:2 * n])
    np.multiply(dc2, i, out=dg[:, 2 * n:3 * n])
    np.multiply(gh, tc, out=dg[:, 3 * n:])
    deriv = 1 - s
    deriv *= s
    np.multiply(z, z, out=deriv[:, 2 * n:3 * n])
    np.subtract(1, deriv[:, 2 * n:3 * n], out=deriv[:, 2 * n:3 * n])
    dg *= deriv
    return dg, dc2, f


class LSTMCell(Op):
    """hc' = [h', c'] from the input x, the state hc = [h, c] and the parameters, PyTorch's gate order i, f, g, o:
    g = W_ih x + b_ih + W_hh h + b_hh,  c' = σ(f)·c + σ(i)·tanh(g),  h' = σ(o)·tanh(c');  backward by the chain
    rule through each gate (σ' = σ(1 - σ), tanh' = 1 - tanh²), then through the two products (dx = dg·W_ih,
    dh = dg·W_hh, dW_ih = dgᵀ·x, dW_hh = dgᵀ·h, db = Σ dg). h' has H columns even when h has P (projections)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, hc: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray,
                b_ih: np.ndarray | None = None, b_hh: np.ndarray | None = None) -> np.ndarray:
        n, p = w_hh.shape[0] // 4, w_hh.shape[1]
        h, c = hc[:, :p], hc[:, p:]
        g = _affine(x, w_ih, b_ih)
        g += _affine(h, w_hh, b_hh)
        s = _sigmoid(g)  # σ of all four blocks (the g block's is unused), as _lstm_gates
        i, f, o = s[:, :n], s[:, n:2 * n], s[:, 3 * n:]
        z = np.tanh(g[:, 2 * n:3 * n])
        out = np.empty(c.shape[:-1] + (2 * n,), dtype=c.dtype)
        c2 = out[:, n:]
        np.multiply(f, c, out=c2)
        c2 += i * z
        tc = np.tanh(c2)
        np.multiply(o, tc, out=out[:, :n])
        ctx.save_for_backward(x, hc, w_ih, w_hh, b_ih, b_hh)
        ctx.cache = s, z, tc
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        x, hc, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        n, p = w_hh.shape[0] // 4, w_hh.shape[1]
        h, c = hc[:, :p], hc[:, p:]
        gh, gc = grad[:, :n], grad[:, n:]
        if all(_xp._is_array(v) for v in (x, hc, w_ih, w_hh, b_ih, b_hh, grad)):
            dg, dc2, f = _lstm_gate_grads(ctx.cache, c, gh, gc, n)
        else:  # create_graph: the gates as differentiable functions of the inputs
            i, f, z, o = _lstm_gates(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh), n)
            tc = _tanh(f * c + i * z)
            dc2 = gc + gh * o * (1 - tc * tc)
            dg = _cat([dc2 * z * i * (1 - i), dc2 * c * f * (1 - f), dc2 * i * (1 - z * z), gh * tc * o * (1 - o)])
        k_in = len(ctx.needs_input_grad)  # 4 when called without the biases
        need_x, need_hc, need_wih, need_whh, need_bih, need_bhh = tuple(ctx.needs_input_grad) + (False,) * (6 - k_in)
        gx = dg @ w_ih if need_x else None
        ghc = _cat([dg @ w_hh, dc2 * f]) if need_hc else None
        gw_ih, gb_ih = _param_grads(dg, x, (need_wih, need_bih))
        gw_hh, gb_hh = _param_grads(dg, h, (need_whh, need_bhh))
        return (gx, ghc, gw_ih, gw_hh, gb_ih, gb_hh)[:k_in]


class GRUCell(Op):
    """h' = (1 - z)·n + z·h with r = σ(a_r + b_r), z = σ(a_z + b_z), n = tanh(a_n + r·b_n), where a = W_ih x + b_ih
    and b = W_hh h + b_hh (gate order r, z, n);  backward by the chain rule through each gate, then through
    the two products (dx = da·W_ih, dh = db·W_hh + z·g, dW = daᵀ·x and dbᵀ·h, biases Σ da and Σ db)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, h: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray,
                b_ih: np.ndarray | None = None, b_hh: np.ndarray | None = None) -> np.ndarray:
        k = h.shape[-1]
        a, b = _affine(x, w_ih, b_ih), _affine(h, w_hh, b_hh)
        r = _sigmoid(a[:, :k] + b[:, :k])
        z = _sigmoid(a[:, k:2 * k] + b[:, k:2 * k])
        bn = b[:, 2 * k:]
        cand = np.tanh(a[:, 2 * k:] + r * bn)
        ctx.save_for_backward(x, h, w_ih, w_hh, b_ih, b_hh)
        ctx.cache = r, z, bn, cand
        return (1 - z) * cand + z * h

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        x, h, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        k = h.shape[-1]
        if all(_xp._is_array(v) for v in (x, h, w_ih, w_hh, b_ih, b_hh)):
            r, z, bn, cand = ctx.cache
        else:  # create_graph: the gates as differentiable functions of the inputs
            a, b = _affine(x, w_ih, b_ih), _affine(h, w_hh, b_hh)
            r = _sigmoid(a[:, :k] + b[:, :k])
            z = _sigmoid(a[:, k:2 * k] + b[:, k:2 * k])
            bn = b[:, 2 * k:]
            cand = _tanh(a[:, 2 * k:] + r * bn)
        dn = grad * (1 - z) * (1 - cand * cand)  # through tanh: d/d(a_n + r·b_n)
        dr = dn * bn * r * (1 - r)
        dz = grad * (h - cand) * z * (1 - z)
        k_in = len(ctx.needs_input_grad)  # 4 when called without the biases
        need_x, need_h, need_wih, need_whh, need_bih, need_bhh = tuple(ctx.needs_input_grad) + (False,) * (6 - k_in)
        da = _cat([dr, dz, dn])
        db = _cat([dr, dz, dn * r])
        gx = da @ w_ih if need_x else None
        gh = db @ w_hh + grad * z if need_h else None
        gw_ih, gb_ih = _param_grads(da, x, (need_wih, need_bih))
        gw_hh, gb_hh = _param_grads(db, h, (need_whh, need_bhh))
        return (gx, gh, gw_ih, gw_hh, gb_ih, gb_hh)[:k_in]
