"""How a Tensor prints: PyTorch's layout (``torch/_tensor_str.py``), apart from the Tensor itself."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes


def format_tensor(t: Any) -> str:
    """PyTorch's layout: 4 decimals (or ``1.`` when every value is whole), padded to one width."""
    a = t._array
    if a.dtype.kind == "f":
        finite = a[np.isfinite(a)]
        integral = finite.size == 0 or np.all(finite == np.round(finite))
        big = finite.size and (np.abs(finite).max() >= 1e8 or (0 < np.abs(finite[finite != 0]).min(initial=1) < 1e-4))
        if integral and not big:
            def one(v: Any) -> str:
                return f"{v:.0f}." if np.isfinite(v) else str(v)
        elif big:
            def one(v: Any) -> str:
                return f"{v:.4e}"
        else:
            def one(v: Any) -> str:
                return f"{v:.4f}"
        width = max((len(one(v)) for v in a.flat), default=0) if a.size <= 1000 else 0
        fmt = {"float_kind": lambda v: one(v).rjust(width)}
        body = np.array2string(a, separator=", ", formatter=fmt, threshold=1000, edgeitems=3, prefix="tensor(")
    else:
        body = np.array2string(a, separator=", ", threshold=1000, edgeitems=3, prefix="tensor(")
    extras = []
    if a.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        extras.append(f"dtype=tinygrad_bp.{a.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
