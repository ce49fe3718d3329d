"""Fused recurrent cell updates: the elementwise part of one LSTM or GRU step as one node each.

The matrix products of a step stay separate ``Addmm`` nodes (nn.rnn); what is fused here is the gate
arithmetic that would otherwise be about a dozen small nodes per step (slices, sigmoids, tanh,
products). Back-propagation through time is still the ordinary engine walking the unrolled steps.
The backward formulas use only operators, slices and the helpers below, so ``create_graph`` works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp


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
    from ..tensor import _as_tensor
    from ..tensor_shape import cat
    return cat([_as_tensor(p) for p in parts], -1)


def _lstm_gates(g: Any, n: int) -> tuple:
    """(i, f, g, o) activations: σ of blocks 0, 1, 3 and tanh of block 2 (σ computed on all blocks at once)."""
    s = _sigmoid(g)
    return s[:, :n], s[:, n:2 * n], _tanh(g[:, 2 * n:3 * n]), s[:, 3 * n:]


class LSTMCell(Op):
    """[h', c'] from the gate pre-activations g = gi + gh (gi = W_ih x + b_ih, gh = W_hh h + b_hh) and c,
    PyTorch's order i, f, g, o:  c' = σ(f)·c + σ(i)·tanh(g),  h' = σ(o)·tanh(c');  backward by the chain
    rule through each gate (σ' = σ(1 - σ), tanh' = 1 - tanh²); the output is h' and c' side by side, (N, 2H)"""

    @staticmethod
    def forward(ctx: Any, gi: np.ndarray, gh: np.ndarray, c: np.ndarray) -> np.ndarray:
        n = c.shape[-1]
        g = gi + gh
        i, f, z, o = gates = _lstm_gates(g, n)
        out = np.empty(c.shape[:-1] + (2 * n,), dtype=c.dtype)
        c2 = out[:, n:]
        np.multiply(f, c, out=c2)
        c2 += i * z
        tc = np.tanh(c2)
        np.multiply(o, tc, out=out[:, :n])
        ctx.save_for_backward(gi, gh, c)
        ctx.cache = gates + (tc,)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        gi, gh_, c = ctx.saved_tensors
        n = c.shape[-1]
        if _xp._is_array(gi) and _xp._is_array(gh_) and _xp._is_array(c):
            i, f, z, o, tc = ctx.cache
        else:  # create_graph: the gates as differentiable functions of the inputs
            i, f, z, o = _lstm_gates(gi + gh_, n)
            tc = _tanh(f * c + i * z)
        gh, gc = grad[:, :n], grad[:, n:]
        dc2 = gc + gh * o * (1 - tc * tc)
        dg = _cat([dc2 * z * i * (1 - i), dc2 * c * f * (1 - f), dc2 * i * (1 - z * z), gh * tc * o * (1 - o)])
        need_gi, need_gh, need_c = ctx.needs_input_grad
        return (dg if need_gi else None), (dg if need_gh else None), (dc2 * f if need_c else None)


class GRUCell(Op):
    """h' = (1 - z)·n + z·h with r = σ(a_r + b_r), z = σ(a_z + b_z), n = tanh(a_n + r·b_n), where a = W_ih x + b_ih
    and b = W_hh h + b_hh (gate order r, z, n);  backward by the chain rule through each gate"""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, h: np.ndarray) -> np.ndarray:
        k = h.shape[-1]
        r = _sigmoid(a[:, :k] + b[:, :k])
        z = _sigmoid(a[:, k:2 * k] + b[:, k:2 * k])
        cand = np.tanh(a[:, 2 * k:] + r * b[:, 2 * k:])
        ctx.save_for_backward(a, b, h)
        return (1 - z) * cand + z * h

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        a, b, h = ctx.saved_tensors
        k = h.shape[-1]
        r = _sigmoid(a[:, :k] + b[:, :k])
        z = _sigmoid(a[:, k:2 * k] + b[:, k:2 * k])
        bn = b[:, 2 * k:]
        cand = _tanh(a[:, 2 * k:] + r * bn)
        dn = grad * (1 - z) * (1 - cand * cand)  # through tanh: d/d(a_n + r·b_n)
        dr = dn * bn * r * (1 - r)
        dz = grad * (h - cand) * z * (1 - z)
        need_a, need_b, need_h = ctx.needs_input_grad
        da = _cat([dr, dz, dn]) if need_a else None
        db = _cat([dr, dz, dn * r]) if need_b else None
        return da, db, (grad * z if need_h else None)
