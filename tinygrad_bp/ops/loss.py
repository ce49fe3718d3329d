"""Fused nn primitives: a linear layer and the losses, each one node with its own backward.

Written as one op each because the fused backward is shorter, faster and numerically stabler than
the chain of elementwise ops it replaces (softmax + cross-entropy is the classic case: the gradient
softmax(z) - target never forms exp(1000)). Validation of targets and shapes happens in
`tinygrad_bp.nn.functional`; these ops assume valid, same-dtype inputs.

Reductions: ``'none'`` keeps the per-element loss, ``'sum'`` adds it up, ``'mean'`` divides the sum by
``denom`` (the element count, or for weighted cross-entropy the total weight of the targets).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp

_BCE_EPS = float(np.float32(1e-12))  # PyTorch's floor for x(1-x) in BCE's backward (a float32 constant)


def _reduce(loss: np.ndarray, reduction: str, denom: float) -> np.ndarray:
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, axis=None)  # what loss.sum() calls, without its Python-level wrapper
    if reduction == "mean":  # (no denominator: every target ignored; PyTorch gives nan)
        total = total / denom if denom else total * np.nan
    return np.asarray(total, dtype=loss.dtype)


def _grad_scale(g: Any, ctx: Any) -> Any:
    """The incoming gradient, divided by the mean's denominator when the loss was a mean."""
    return g / ctx.denom if ctx.reduction == "mean" else g


def _clamp_min(x: Any, low: float) -> Any:
    return np.maximum(x, low) if _xp._is_array(x) else x.clamp(min=low)


def _clamped_logs(x: Any) -> tuple:
    """(log x, log(1 - x)), each clamped at -100 as PyTorch's binary_cross_entropy does."""
    if _xp._is_array(x):
        with np.errstate(divide="ignore"):
            return np.maximum(np.log(x), -100.0), np.maximum(np.log1p(-x), -100.0)
    return x.log().clamp(min=-100.0), (1 - x).log().clamp(min=-100.0)


def _softplus(x: Any) -> Any:
    """log(1 + e^x), without overflow."""
    if _xp._is_array(x):
        return np.logaddexp(x.dtype.type(0), x)
    return x.relu() + (1 + (-x.abs()).exp()).log()


def _sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), without overflow."""
    if _xp._is_array(x):
        return np.exp(-np.logaddexp(x.dtype.type(0), -x))
    return x.sigmoid()


class MseLoss(Op):
    """loss = reduce((x - y)²);  dloss/dx = c·(x - y)·g,  dloss/dy = -c·(x - y)·g  with c = 2/n for the mean, else 2
    (PyTorch's order of operations, so float32 results agree with it bit for bit)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        d = x - y
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.denom = reduction, d.size
        return _reduce(d * d, reduction, d.size)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        gd = (x - y) * (2 / ctx.denom if ctx.reduction == "mean" else 2.0) * g
        need_x, need_y = ctx.needs_input_grad
        return (gd if need_x else None), (-gd if need_y else None)


class SoftmaxCrossEntropy(Op):
    """loss = -Σ_c a_c·log softmax(z)_c along ``dim`` (a: target probabilities, or class weights on the
    target class);  dloss/dz = softmax(z)·Σ_c a_c - a,  dloss/da = -log softmax(z).
    With one-hot targets the gradient is the famous softmax(z) - y.

    Fast path: ``a`` may instead be the int64 class indices t of an (N, C) ``z`` (valid, none ignored,
    unweighted); then loss_i = -log softmax(z_i)[t_i] and the gradient is softmax(z) with 1 taken off
    at each target, with no dense one-hot array."""

    @staticmethod
    def forward(ctx: Any, z: np.ndarray, a: np.ndarray, dim: int = 1, reduction: str = "mean",
                denom: float = 1.0, name: str | None = None) -> np.ndarray:
        if name is not None:  # with class indices PyTorch's graph ends in NllLossBackward0
            ctx.torch_name = name
        shifted = z - z.max(axis=dim, keepdims=True)  # log-sum-exp trick: exp never overflows
        logp = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(z, a, logp)
        ctx.dim, ctx.reduction, ctx.denom = dim, reduction, denom
        if a.ndim < z.ndim:  # class indices (a dense target has z's shape)
            return _reduce(-logp[np.arange(len(a)), a], reduction, denom)
        return _reduce(-(a * logp).sum(axis=dim), reduction, denom)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        z, a, logp = ctx.saved_tensors
        g = _grad_scale(g, ctx)
        if ctx.reduction == "none":  # g has the loss's shape: put back the class dim
            shape = list(z.shape)
            shape[ctx.dim] = 1
            g = g.reshape(tuple(shape))
        indices = a.ndim < z.ndim
        if indices and _xp._is_array(z):  # softmax(z) - onehot(t), in place
            gz = np.exp(logp)
            gz[np.arange(len(a)), a] -= 1
            gz *= g
            return gz, None
        if indices:  # create_graph: the general formula needs the dense one-hot target
            a = np.arange(z.shape[1]) == a[:, None]
            a = a.astype(z.dtype)
        if not _xp._is_array(z):  # create_graph: recompute log softmax as a differentiable function of z
            logp = z.log_softmax(ctx.dim)
        need_z, need_a = ctx.needs_input_grad
        gz = (_xp.exp(logp) * a.sum(axis=ctx.dim, keepdims=True) - a) * g if need_z else None
        return gz, (-logp * g if need_a else None)


class BinaryCrossEntropy(Op):
    """loss = -w·(y·log x + (1-y)·log(1-x)), logs clamped at -100 (PyTorch's rule, so x = 0 or 1 gives
    a finite loss);  dloss/dx = w·(x - y) / max(x(1-x), 1e-12),  dloss/dy = w·(log(1-x) - log x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
                reduction: str = "mean") -> np.ndarray:
        log_x, log_1mx = _clamped_logs(x)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.reduction, ctx.denom = weight, reduction, loss.size
        return _reduce(loss, reduction, loss.size)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        g = _grad_scale(g, ctx)
        if ctx.weight is not None:
            g = g * ctx.weight
        need_x, need_y = ctx.needs_input_grad
        gx = (x - y) / _clamp_min(x * (1 - x), _BCE_EPS) * g if need_x else None
        gy = None
        if need_y:
            log_x, log_1mx = _clamped_logs(x)
            gy = (log_1mx - log_x) * g
        return gx, gy


class BinaryCrossEntropyWithLogits(Op):
    """loss = w·[(1-y)·x + (1 + (p-1)·y)·softplus(-x)], i.e. BCE of sigmoid(x) computed stably
    (p: pos_weight, broadcast along the last dim);
    dloss/dx = w·[(1-y) - (1 + (p-1)·y)·σ(-x)],  dloss/dy = w·[(p-1)·softplus(-x) - x]"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
                pos_weight: np.ndarray | None = None, reduction: str = "mean") -> np.ndarray:
        sp = _softplus(-x)
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * x + log_weight * sp
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.pos_weight, ctx.reduction, ctx.denom = weight, pos_weight, reduction, loss.size
        return _reduce(loss, reduction, loss.size)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        g = _grad_scale(g, ctx)
        if ctx.weight is not None:
            g = g * ctx.weight
        pw = ctx.pos_weight
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            log_weight = 1 if pw is None else 1 + (pw - 1) * y
            gx = ((1 - y) - log_weight * _sigmoid(-x)) * g
        if need_y:
            gy = (-x if pw is None else (pw - 1) * _softplus(-x) - x) * g
        return gx, gy
