"""How a Tensor prints: PyTorch's rules (``torch/_tensor_str.py``), apart from the Tensor itself.

As in PyTorch, one formatter serves a whole tensor. Floats print whole (``1.``) when every finite
value is an integer, in scientific notation (``1.0000e+08``) when the largest nonzero finite
magnitude is over 1e8, the smallest under 1e-4 or their ratio over 1000, and with ``precision``
decimals otherwise; every value is padded to the width of the widest. Rows wrap at ``linewidth``;
tensors of more than ``threshold`` elements show ``edgeitems`` items at each end of each dimension.
The suffixes are PyTorch's: ``dtype=tinygrad_bp.float64`` (for a dtype other than the default float,
int64 and bool), ``grad_fn=<MulBackward0>`` or ``requires_grad=True``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import dtypes


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """PyTorch's ``set_printoptions``: digits, summarization threshold, edge items, line width, a profile
    (``"default"``, ``"short"``, ``"full"``) and ``sci_mode`` (True/False forces it; None, the default,
    lets the values decide). As in PyTorch, every call resets ``sci_mode`` to the value given."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions(): profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise TypeError(f"set_printoptions(): {name} must be a non-negative number, got {value!r}")
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options, as keywords for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


class _Formatter:
    """One format for every element of a tensor (PyTorch's ``_Formatter``)."""

    def __init__(self, a: np.ndarray) -> None:
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            self.max_width = max((len(str(v)) for v in a.ravel().tolist()), default=1)
            return
        flat = a.ravel()
        values = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if values.size == 0:
            return
        magnitudes = np.abs(values)
        low, high = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        sci = PRINT_OPTS.sci_mode
        self.sci_mode = bool(high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4) if sci is None else sci
        p = PRINT_OPTS.precision
        if self.sci_mode:
            self.max_width = max(self.max_width, *(len(f"{v:.{p}e}") for v in values.tolist()))
        elif self.int_mode:
            self.max_width = max(self.max_width, *(len(f"{v:.0f}") + 1 for v in values.tolist()))
        else:
            self.max_width = max(self.max_width, *(len(f"{v:.{p}f}") for v in values.tolist()))

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return (self.max_width - len(text)) * " " + text


def _summarized(a: np.ndarray) -> np.ndarray:
    """The values a summarized print shows: ``edgeitems`` at each end of every dimension."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate([a[:e], a[-e:]]) if a.shape[0] > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    rows = list(range(e)) + list(range(a.shape[0] - e, a.shape[0])) if a.shape[0] > 2 * e else range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt.format(v) for v in a[:e].tolist()] + [" ..."] + [fmt.format(v) for v in a[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."] + \
                [_body(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)]
    else:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def array_str(a: np.ndarray, indent: int) -> str:
    """The bracketed values of an array, as PyTorch prints them after a prefix of ``indent`` characters."""
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    return _body(a, indent, summarize, _Formatter(_summarized(a) if summarize else a))


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """PyTorch's ``_add_suffixes``: each suffix after ", ", or on a new line when the line would pass the width."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1  # PyTorch's count, off by two when there is no newline
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def dtype_name(dtype: np.dtype) -> str:
    """How a dtype prints in a tensor's repr: ``tinygrad_bp.float64``."""
    return f"tinygrad_bp.{np.dtype(dtype).name}"


def format_tensor(t: Any, prefix: str = "tensor(") -> str:
    """A tensor's ``repr``, laid out as PyTorch's."""
    a = t._array
    indent = len(prefix)
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={dtype_name(a.dtype)}")
        text = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dtype_name(a.dtype)}")
        text = array_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + text, suffixes, indent)
