"""Text summaries of values and gradients for node labels, and the gradient-norm colour scale."""

from __future__ import annotations

import numpy as np

SMALL = 16  # tensors with at most this many elements are printed in full (rounded)

# gradient-norm colour scale: below VANISHING the gradient has (almost) vanished, above EXPLODING it explodes
VANISHING = 1e-5
EXPLODING = 1e3
GRAD_COLOURS = {"vanishing": "#2166ac", "healthy": "#1a9850", "exploding": "#d7301f"}


def fmt(x: float) -> str:
    """A number with 4 significant digits: 0.1235, -12.35, 1.235e-06."""
    return f"{float(x) + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def values(a: np.ndarray) -> str:
    """Small arrays printed rounded (``[0.1235, -2]``, a matrix one row per line); larger ones as
    min / mean / max. Lines are separated by DOT's ``\\n``."""
    a = np.asarray(a)
    if a.size == 0:
        return f"empty {_shape(a.shape)}"
    if a.size <= SMALL:
        if a.ndim == 0:
            return fmt(a)
        if a.ndim == 1:
            return "[" + ", ".join(fmt(v) for v in a) + "]"
        if a.ndim == 2:  # a matrix: one line per row
            return "\\n".join("[" + ", ".join(fmt(v) for v in row) + "]" for row in a)
        return "[" + ", ".join(fmt(v) for v in a.reshape(-1)) + f"] as {_shape(a.shape)}"
    if a.dtype.kind == "b":
        return f"{int(a.sum())} of {a.size} True"
    f = a.astype(np.float64, copy=False)
    return f"min {fmt(f.min())} mean {fmt(f.mean())} max {fmt(f.max())}"


def grad_norm(g: np.ndarray) -> float:
    """‖g‖₂ over all elements."""
    return float(np.sqrt(np.sum(np.square(np.asarray(g, dtype=np.float64)))))


def grad_status(norm: float, vanishing: float = VANISHING, exploding: float = EXPLODING) -> str:
    """'vanishing' when ‖g‖ < vanishing, 'exploding' when ‖g‖ > exploding (or not finite), else 'healthy'."""
    if not np.isfinite(norm) or norm > exploding:
        return "exploding"
    if norm < vanishing:
        return "vanishing"
    return "healthy"


def grads(g: np.ndarray, vanishing: float = VANISHING, exploding: float = EXPLODING) -> tuple[str, str]:
    """(label lines, status) for a gradient: its norm, the status word when not healthy, its values."""
    norm = grad_norm(g)
    status = grad_status(norm, vanishing, exploding)
    head = f"grad ‖g‖={fmt(norm)}" + ("" if status == "healthy" else f" ({status})")
    return f"{head}\\n{values(g)}", status


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


shape_text = _shape
