"""``tb.functional``, mirroring ``torch.functional``: einsum, split, broadcast_tensors / broadcast_shapes,
meshgrid, cdist, tensordot, atleast_1d/2d/3d, block_diag, cartesian_prod, chain_matmul (and norm / unique
when the tensor API has them). All are composites of differentiable ops (no backward of their own); the
package puts them at the top level too (``tb.einsum``, ``tb.meshgrid``, ...), as PyTorch does.
"""

from __future__ import annotations

import builtins
import functools
import string
import warnings
from typing import Any

import numpy as np

from . import dtypes, tensor_math
from .functions import write_out
from .tensor import Tensor, _as_tensor, _dim
from .tensor_shape import cat, stack

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes", "broadcast_tensors",
           "cartesian_prod", "cdist", "chain_matmul", "einsum", "meshgrid", "split", "tensordot"]


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces of ``split_size_or_sections`` entries along dim (the last may be smaller), or of the given
    sizes (a list that must sum to the dim's size); views of ``tensor``."""
    return _as_tensor(tensor).split(split_size_or_sections, dim)


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape that tensors of the given shapes broadcast to (RuntimeError when they do not)."""
    sizes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    try:
        out = np.broadcast_shapes(*sizes)
    except ValueError as e:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: {sizes}") from e
    return type(Tensor._make(np.zeros(0)).shape)(out)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """The tensors expanded to their common broadcast shape (views)."""
    ts = [_as_tensor(t) for t in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
                                  else tensors)]
    shape = tuple(broadcast_shapes(*(t.shape for t in ts)))
    return tuple(t.expand(shape) for t in ts)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` output k varies along dim k; with ``'xy'``
    the first two dims are swapped (NumPy's default). PyTorch's default is 'ij' and it warns when indexing
    is not given."""
    ts = list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else list(tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    ts = [_as_tensor(t) for t in ts]
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.ndim}D")
    ts = [t.reshape(-1) for t in ts]
    swap = indexing == "xy" and len(ts) >= 2
    order = [1, 0, *range(2, len(ts))] if swap else list(range(len(ts)))
    sizes = tuple(ts[k].shape[0] for k in order)
    out = []
    for k, t in enumerate(ts):
        where = order.index(k)
        out.append(t.reshape(tuple(-1 if i == where else 1 for i in range(len(ts)))).expand(sizes))
    return tuple(out)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one entry of each 1-D tensor, as rows of a (N, k) tensor (1-D for one tensor)."""
    if len(tensors) == 1:
        return _as_tensor(tensors[0])
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def _atleast(tensors: tuple, fix: Any) -> Any:
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = tuple(fix(_as_tensor(t)) for t in ts)
    return out[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else out


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,)); one tensor in, one out."""
    return _atleast(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dims: () -> (1, 1), (n,) -> (1, n)."""
    return _atleast(tensors, lambda t: t.reshape(1, 1) if t.ndim == 0 else t.unsqueeze(0) if t.ndim == 1 else t)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    def fix(t: Tensor) -> Tensor:
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.unsqueeze(0).unsqueeze(-1)
        return t.unsqueeze(-1) if t.ndim == 2 else t
    return _atleast(tensors, fix)


def block_diag(*tensors: Tensor) -> Tensor:
    """The block-diagonal matrix of the given 0-, 1- or 2-D tensors (0-d: 1x1, 1-D: one row)."""
    blocks = []
    for k, t in enumerate(tensors):
        t = _as_tensor(t)
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {k} has "
                               f"{t.ndim} dimensions")
        blocks.append(t.reshape((1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t)
    if not blocks:
        return Tensor._make(np.zeros((1, 0)))
    dt = dtypes.result_type(*[(b._array.dtype, 2) for b in blocks])
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        b = b.to(dt)
        r, c = b.shape
        pad_l = Tensor._make(np.zeros((r, left), dt))
        pad_r = Tensor._make(np.zeros((r, width - left - c), dt))
        rows.append(cat([pad_l, b, pad_r], 1))
        left += c
    return cat(rows, 0)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of x1 (…, P, M) and each row of x2 (…, R, M): shape (…, P, R)."""
    a, b = _as_tensor(x1), _as_tensor(x2)
    if a.ndim < 2 or b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    diff = (a.unsqueeze(-2) - b.unsqueeze(-3)).abs()
    if p == 0:
        return (diff != 0).to(a.dtype).sum(-1)
    if p == float("inf"):
        return diff.max(-1).values
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return (diff * diff).sum(-1).sqrt()
    return (diff ** p).sum(-1) ** (1.0 / p)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Σ over the last ``dims`` dims of a and the first ``dims`` of b (or over the dims listed as
    ``([a dims], [b dims])``)."""
    x, y = _as_tensor(a), _as_tensor(b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(x.ndim - dims, x.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [_dim(d, x.ndim, "tensordot") for d in da]
    db = [_dim(d, y.ndim, "tensordot") for d in db]
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length, got {len(da)} and {len(db)}")
    for i, j in zip(da, db):
        if x.shape[i] != y.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {x.shape[i]} in dim {i} "
                               f"and second has size {y.shape[j]} in dim {j}")
    free_a = [d for d in range(x.ndim) if d not in da]
    free_b = [d for d in range(y.ndim) if d not in db]
    k = int(np.prod([x.shape[d] for d in da]))
    left = x.permute(free_a + da).reshape(-1, k)
    right = y.permute(db + free_b).reshape(k, -1)
    result = tensor_math.matmul(left, right).reshape([x.shape[d] for d in free_a] + [y.shape[d] for d in free_b])
    if out is None:
        return result
    return write_out(out, result, "tensordot")


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of the matrices, left to right (deprecated in PyTorch: use ``torch.linalg.multi_dot``)."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                  "multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for k, m in enumerate(matrices):
        if _as_tensor(m).ndim != 2:
            raise RuntimeError(f"Tensor dimension is {_as_tensor(m).ndim}, expected 2 instead (matrix {k})")
    return functools.reduce(tensor_math.matmul, [_as_tensor(m) for m in matrices])


# ----------------------------------------------------------------------------- einsum
_ELLIPSIS = "..."


def einsum(*args: Any) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (operands also as one list). Each letter names a dim;
    a letter repeated within an operand takes its diagonal; letters missing from the output are summed;
    ``...`` stands for the remaining (broadcast) dims; without ``->`` the output is the letters that appear
    once, in alphabetical order, after the ``...`` dims. Built from diagonal, sum, permute, reshape and
    matmul (contracting the operands left to right), so it is differentiable to any order."""
    if len(args) < 2:
        raise RuntimeError("einsum(): must specify the equation string and at least one operand")
    equation, *operands = args
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not {type(equation).__name__}")
    ts = [_as_tensor(t) for t in operands]
    terms, output = _parse_equation(equation.replace(" ", ""), ts)
    return _contract(ts, terms, output)


def _parse_term(term: str, offset: int) -> list:
    """The labels of one term: letters, and ``...`` as one entry."""
    labels, i = [], 0
    while i < len(term):
        if term.startswith(_ELLIPSIS, i):
            if _ELLIPSIS in labels:
                raise RuntimeError("einsum(): found '.' for operand that is not part of any ellipsis")
            labels.append(_ELLIPSIS)
            i += 3
            continue
        if term[i] not in string.ascii_letters:
            if term[i] == ".":
                raise RuntimeError("einsum(): found '.' for operand that is not part of any ellipsis")
            raise RuntimeError(f"einsum(): invalid subscript given at index {offset + i} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
        labels.append(term[i])
        i += 1
    return labels


def _parse_equation(eq: str, ts: list) -> tuple:
    """Per operand its list of labels (``...`` expanded into one label per broadcast dim), and the output's."""
    lhs, arrow, rhs = eq.partition("->")
    raw, offset = [], 0
    for term in lhs.split(","):
        raw.append(_parse_term(term, offset))
        offset += len(term) + 1
    if len(raw) > len(ts):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(raw) < len(ts):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    ell = 0
    for k, (labels, t) in enumerate(zip(raw, ts)):
        named = len(labels) - (_ELLIPSIS in labels)
        if _ELLIPSIS not in labels and named != t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does not match the "
                               f"number of dimensions ({t.ndim}) for operand {k} and no ellipsis was given")
        if named > t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) is more than the "
                               f"number of dimensions ({t.ndim}) for operand {k}")
        ell = builtins.max(ell, t.ndim - named)
    ell_labels = [(_ELLIPSIS, j) for j in range(ell)]  # right-aligned: an operand with fewer takes the last ones

    def expand(labels: list, ndim: int) -> list:
        if _ELLIPSIS not in labels:
            return labels
        i = labels.index(_ELLIPSIS)
        n = ndim - (len(labels) - 1)
        return labels[:i] + ell_labels[ell - n:] + labels[i + 1:]

    terms = [expand(labels, t.ndim) for labels, t in zip(raw, ts)]
    seen = [label for labels in terms for label in labels]
    if arrow:
        out = _parse_term(rhs, len(lhs) + 2)
        for label in out:
            if label != _ELLIPSIS and label not in seen:
                raise RuntimeError(f"einsum(): output subscript {label} does not appear in the equation for any "
                                   "input operand")
            if out.count(label) > 1:
                raise RuntimeError(f"einsum(): output subscript {label} appears more than once in the output")
        output = expand(out, len(out) - 1 + ell) if _ELLIPSIS in out else out
    else:
        output = ell_labels + sorted(c for c in set(seen) if isinstance(c, str) and seen.count(c) == 1)
    return terms, output


def _contract(ts: list, terms: list, output: list) -> Tensor:
    sizes: dict = {}
    for k, (labels, t) in enumerate(zip(terms, ts)):
        for label, n in zip(labels, t.shape):
            if sizes.get(label, 1) not in (1, n) and n != 1:
                shapes = " ".join(str(list(x.shape)) for x in ts)
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes [original->remapped]: "
                                   f"{shapes} (subscript {label[0]} has sizes {sizes[label]} and {n}, operand {k})")
            sizes[label] = builtins.max(sizes.get(label, 1), n)
    ops = [_diagonals(t, list(labels), k) for k, (t, labels) in enumerate(zip(ts, terms))]
    for k, (t, labels) in enumerate(ops):  # a label only this operand has (and the output lacks) is summed now
        others = set(output).union(*(set(lab) for j, (_, lab) in enumerate(ops) if j != k))
        gone = [i for i, label in enumerate(labels) if label not in others]
        if gone:
            ops[k] = (t.sum(dim=tuple(gone)), [label for label in labels if label in others])
    x, la = ops[0]
    for k in range(1, len(ops)):
        y, lb = ops[k]
        needed = set(output).union(*(set(lab) for _, lab in ops[k + 1:]))
        x, la = _pair(x, la, y, lb, needed, sizes)
    if la != output:
        x = x.permute(tuple(la.index(label) for label in output))
    return x


def _diagonals(t: Tensor, labels: list, k: int) -> tuple:
    """A label repeated within one operand: its diagonal (moved to the last dim), until none repeats."""
    while True:
        repeated = next((label for label in labels if labels.count(label) > 1), None)
        if repeated is None:
            return t, labels
        i = labels.index(repeated)
        j = labels.index(repeated, i + 1)
        if t.shape[i] != t.shape[j]:
            raise RuntimeError(f"einsum(): subscript {repeated} is repeated for operand {k} but the sizes don't "
                               f"match, {t.shape[i]} != {t.shape[j]}")
        t = t.diagonal(0, i, j)
        labels = [label for n, label in enumerate(labels) if n not in (i, j)] + [repeated]


def _pair(x: Tensor, la: list, y: Tensor, lb: list, needed: set, sizes: dict) -> tuple:
    """x · y contracted over their shared labels that are not needed later, as one (batched) matmul."""
    x, y = _broadcast_shared(x, la, lb, sizes), _broadcast_shared(y, lb, la, sizes)
    batch = [label for label in la if label in lb and label in needed]
    summed = [label for label in la if label in lb and label not in needed]
    left = [label for label in la if label not in lb]
    right = [label for label in lb if label not in la]

    def size(labels: list) -> int:
        return int(np.prod([sizes[label] for label in labels]))

    a = x.permute(tuple(la.index(label) for label in batch + left + summed))
    b = y.permute(tuple(lb.index(label) for label in batch + summed + right))
    if batch:
        product = tensor_math.matmul(a.reshape(size(batch), size(left), size(summed)),
                                     b.reshape(size(batch), size(summed), size(right)))
    else:
        product = tensor_math.matmul(a.reshape(size(left), size(summed)), b.reshape(size(summed), size(right)))
    labels = batch + left + right
    return product.reshape(tuple(sizes[label] for label in labels)), labels


def _broadcast_shared(t: Tensor, labels: list, other: list, sizes: dict) -> Tensor:
    """t with its size-1 dims expanded where the other operand (or any operand) has that label larger."""
    target = tuple(sizes[label] if label in other else n for label, n in zip(labels, t.shape))
    return t if target == tuple(t.shape) else t.expand(target)


def _norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None,  # noqa: A002
          out: Any = None) -> Tensor:
    result = _as_tensor(input).norm(p, dim, keepdim, dtype=dtype)
    if out is None:
        return result
    return write_out(out, result, "norm")


def _unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
            return_counts: bool = False, dim: Any = None) -> Any:
    return _as_tensor(input).unique(sorted=sorted, return_inverse=return_inverse, return_counts=return_counts,
                                    dim=dim)


def __getattr__(name: str) -> Any:
    """``norm`` and ``unique``: there when the tensor API has them (they live with the reductions)."""
    if name in ("norm", "unique") and hasattr(Tensor, name):
        return {"norm": _norm, "unique": _unique}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

