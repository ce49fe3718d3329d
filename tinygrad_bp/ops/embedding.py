"""Embedding lookup: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Op
from . import _xp
from .shape import scatter_into_zeros


class Embedding(Op):
    """z = W[idx] (rows of W, any index shape);  dL/dW adds each g row into the row it was read from
    (repeated indices accumulate); the row ``padding_idx`` gets no gradient"""

    @staticmethod
    def forward(ctx: Any, w: np.ndarray, indices: np.ndarray | None = None,
                padding_idx: int | None = None) -> np.ndarray:
        ctx.indices, ctx.w_shape, ctx.padding_idx = indices, w.shape, padding_idx
        return w[indices]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        idx = ctx.indices.reshape(-1)
        g2 = g.reshape((-1, ctx.w_shape[1]))
        if ctx.padding_idx is not None:
            keep = (idx != ctx.padding_idx)[:, None].astype(g2.dtype)
            g2 = g2 * keep
        if _xp._is_array(g2):
            gw = np.zeros(ctx.w_shape, g2.dtype)
            np.add.at(gw, idx, g2)
            return gw
        return scatter_into_zeros(ctx.w_shape, idx, g2)
