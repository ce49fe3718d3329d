"""Stateless versions of the layers and losses (``from tinygrad_bp.nn import functional as F``).

Activations are composites of Tensor ops; ``linear`` and the losses call the fused primitives of
`tinygrad_bp.ops.loss` after checking shapes and dtypes with PyTorch's error types and messages.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..ops import loss as _fused
from ..ops import matmul as _matmul
from ..random import _rng
from ..tensor import Tensor, _make
from ..tensor_math import _float_only, where
from .functional_layers import _reduction


# ----------------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """max(x, 0). ``inplace`` is accepted for compatibility; the result is always a new tensor."""
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """σ(x) = 1 / (1 + e⁻ˣ)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh x."""
    return input.tanh()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, negative_slope·x elsewhere."""
    return where(input > 0, input, input * negative_slope)


def _softmax_dim(ndim: int) -> int:
    warnings.warn("Implicit dimension choice for softmax has been deprecated. "
                  "Change the call to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """eˣ / Σ eˣ along ``dim`` (computed stably)."""
    if dim is None:
        dim = _softmax_dim(input.ndim)
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """x - log Σ eˣ along ``dim`` (computed stably)."""
    if dim is None:
        dim = _softmax_dim(input.ndim)
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


# ----------------------------------------------------------------------------- layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x @ Wᵀ + b, with W of shape (out_features, in_features); one fused node (Addmm)."""
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        bad, name = (input, "input") if not isinstance(input, Tensor) else (weight, "weight")
        raise TypeError(f"linear(): argument '{name}' must be Tensor, not {type(bad).__name__} "
                        "(wrap NumPy data with tb.tensor(...))")
    x, w = input._array, weight._array
    if x.ndim == 0 or w.ndim != 2 or x.shape[-1] != w.shape[1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 0} "
                           f"and {'x'.join(str(n) for n in w.shape[::-1])}): input {tuple(x.shape)}, "
                           f"weight {tuple(w.shape)} (weight is (out_features, in_features))")
    if x.dtype != w.dtype:
        raise RuntimeError(f"linear: expected input and weight to have the same dtype, but got: {x.dtype} != "
                           f"{w.dtype}. Convert the input with .float() (or the model with .double()).")
    if bias is not None and bias._array.shape != (w.shape[0],):
        raise RuntimeError(f"linear: bias has shape {tuple(bias._array.shape)}, expected ({w.shape[0]},)")
    return _matmul.Addmm.apply(input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (in training only), using
    the global generator (``tb.manual_seed``)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * _make(np.zeros((), input.dtype))
    keep = _rng(None).random(input.shape) >= p
    return input * _make((keep / (1.0 - p)).astype(input.dtype))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64) -> one-hot int64 tensor with a new last dimension of size ``num_classes``."""
    t = tensor._array
    if t.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type int64 (got {t.dtype}).")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if t.size and t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _make((t[..., None] == np.arange(num_classes)).astype(np.int64))


# ----------------------------------------------------------------------------- losses
def _check_input(input: Any, op: str) -> None:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")


def _as_tensor(x: Any, name: str, op: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _float_target(input: Any, target: Any, op: str) -> Tensor:  # noqa: A002
    """Check that ``input`` is a Tensor and return ``target`` as one; an int/bool target takes the input's
    float dtype (PyTorch's promotion)."""
    if not isinstance(input, Tensor):
        _check_input(input, op)
    if not isinstance(target, Tensor):
        target = _as_tensor(target, "target", op)
    if target._array.dtype.kind != "f":
        return _make(target._array.astype(input._array.dtype))
    return target


def _const(t: Any, input: Tensor) -> np.ndarray | None:  # noqa: A002
    """A weight tensor as a constant array in the input's dtype."""
    if t is None:
        return None
    return (t._array if isinstance(t, Tensor) else np.asarray(t)).astype(input._array.dtype, copy=False)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """reduce((x - y)²). A target whose shape differs from the input's is broadcast, with PyTorch's
    warning (a (N,) target against an (N, 1) output is a classic bug)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _float_target(input, target, "mse_loss")
    if target._array.shape != input._array.shape:
        _warn_shape(input, target, stacklevel=3)
    return _fused.MseLoss.apply(input, target, reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean") -> Tensor:
    """reduce(|x - y|);  d/dx = sign(x - y)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _float_target(input, target, "l1_loss")
    if target._array.shape != input._array.shape:
        _warn_shape(input, target, stacklevel=3)
    loss = (input - target).abs()
    return loss if reduction == "none" else (loss.mean() if reduction == "mean" else loss.sum())


def _warn_shape(input: Tensor, target: Tensor, stacklevel: int) -> None:  # noqa: A002
    """PyTorch's warning for a target whose shape differs from the input's (the caller compared them)."""
    warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                  f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
                  "Please ensure they have the same size.", UserWarning, stacklevel=stacklevel + 1)


def _class_dim(input: Tensor, op: str) -> int:  # noqa: A002
    if input.ndim == 0:
        raise ValueError(f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-dim tensor")
    return 0 if input.ndim == 1 else 1


def _class_weight(weight: Any, n_classes: int, input: Tensor) -> np.ndarray | None:  # noqa: A002
    w = _const(weight, input)
    if w is not None and w.shape != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                           f"but got weight tensor of shape: {list(w.shape)}")
    return w


def _along(v: np.ndarray, ndim: int, dim: int) -> np.ndarray:
    """A per-class vector shaped to broadcast along ``dim`` of an ``ndim``-dim array."""
    shape = [1] * ndim
    shape[dim] = v.shape[0]
    return v.reshape(shape)


def _index_coefficients(input: Tensor, target: Tensor, weight: np.ndarray | None, ignore_index: int,  # noqa: A002
                        label_smoothing: float, op: str) -> tuple:
    """For class-index targets: the coefficient array A (input's shape) with loss = -Σ_c A·log p, and
    the mean's denominator Σ weight[target] over non-ignored targets (PyTorch's weighted mean)."""
    dim = _class_dim(input, op)
    t = target._array
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"{op}: expected target dtype to be int64 (class indices) or uint8, but got {t.dtype}"
                           + (f"; float targets must have the input's shape {tuple(input.shape)} "
                              "(class probabilities)" if t.dtype.kind == "f" and op == "cross_entropy" else ""))
    expected = input.shape[:dim] + input.shape[dim + 1:]
    if t.shape != expected:
        if t.ndim >= 1 and input.ndim >= 2 and t.shape[0] != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({t.shape[0]}).")
        raise RuntimeError(f"{op}: target of shape {tuple(t.shape)} does not match input of shape "
                           f"{tuple(input.shape)}; expected class indices of shape {expected}")
    n_classes = input.shape[dim]
    t = t.astype(np.int64, copy=False)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")
    safe = np.where(valid, t, 0)
    dtype = input._array.dtype
    w = np.ones(n_classes, dtype) if weight is None else weight
    w_target = np.where(valid, w[safe], 0).astype(dtype)  # weight of each sample's target class
    onehot = np.moveaxis(safe[..., None] == np.arange(n_classes), -1, dim)
    a = onehot * np.expand_dims(w_target, dim)
    if label_smoothing > 0:
        smooth = _along(w, input.ndim, dim) * np.expand_dims(valid, dim)
        a = (1 - label_smoothing) * a + (label_smoothing / n_classes) * smooth
    return a.astype(dtype, copy=False), float(w_target.sum())


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """-Σ_c a_c·log softmax(x)_c per sample, where a is the one-hot class target (int64 indices, with
    optional class ``weight``, ``ignore_index`` and ``label_smoothing``) or a float tensor of class
    probabilities of the input's shape. One fused op: its gradient is softmax(x) - a, and logits of any
    magnitude are safe. The weighted mean divides by Σ weight[target], as PyTorch does."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_input(input, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    target = _as_tensor(target, "target", "cross_entropy")
    dim = _class_dim(input, "cross_entropy")
    _float_only(input, "log_softmax")  # integer logits: NotImplementedError, as in PyTorch
    n_classes = input.shape[dim]
    w = _class_weight(weight, n_classes, input)
    t = target._array
    if (w is None and label_smoothing == 0 and input.ndim == 2 and t.dtype == np.int64 and t.size
            and t.shape == (input.shape[0],) and input._array.dtype.kind == "f" and not 0 <= ignore_index < n_classes
            and t.min() >= 0 and t.max() < n_classes):  # plain class indices: no dense one-hot array needed
        return _fused.SoftmaxCrossEntropy.apply(input, t, dim=1, reduction=reduction, denom=float(t.size),
                                                name="NllLossBackward0")
    if target._array.dtype.kind == "f" and target.shape == input.shape:  # class probabilities
        a = target  # a float64 target with float32 logits gives a float64 loss, as in PyTorch
        if label_smoothing > 0:
            a = a * (1 - label_smoothing) + label_smoothing / n_classes
        if w is not None:
            a = a * _make(_along(w, input.ndim, dim))
        denom = input._array.size / n_classes
    else:
        if target._array.dtype.kind != "f" and target.shape == input.shape:
            raise RuntimeError(f"cross_entropy: expected floating point type for target with class "
                               f"probabilities, got {target.dtype}")
        a, denom = _index_coefficients(input, target, w, ignore_index, label_smoothing, "cross_entropy")
    return _fused.SoftmaxCrossEntropy.apply(input, a, dim=dim, reduction=reduction, denom=denom)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-weight[t]·x[t] per sample, for log-probabilities x (e.g. from log_softmax) and int64 targets t;
    the mean divides by Σ weight[t] over non-ignored targets."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_input(input, "nll_loss")
    target = _as_tensor(target, "target", "nll_loss")
    dim = _class_dim(input, "nll_loss")
    w = _class_weight(weight, input.shape[dim], input)
    a, denom = _index_coefficients(input, target, w, ignore_index, 0.0, "nll_loss")
    loss = -(input * _make(a)).sum(dim)
    if reduction == "none":
        return loss
    return loss.sum() / denom if reduction == "mean" else loss.sum()


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:  # noqa: A002
    if target.shape != input.shape:
        raise ValueError(f"{op}: Using a target size ({tuple(target.shape)}) that is different to the input size "
                         f"({tuple(input.shape)}) is not supported. Please ensure they have the same size.")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-w·(y·log x + (1-y)·log(1-x)) for probabilities x in [0, 1]; each log is clamped at -100, so
    x = 0 or 1 gives a large finite loss instead of inf (PyTorch's rule)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _float_target(input, target, "binary_cross_entropy")
    _same_shape(input, target, "binary_cross_entropy")
    x = input._array
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                           "(apply sigmoid first, or use binary_cross_entropy_with_logits)")
    return _fused.BinaryCrossEntropy.apply(input, target, weight=_const(weight, input), reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE of σ(x), computed from the logits x without overflow; ``pos_weight`` multiplies the
    positive term (broadcast along the last dim, one value per class)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _float_target(input, target, "binary_cross_entropy_with_logits")
    if target.shape != input.shape:
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size ({tuple(input.shape)})")
    return _fused.BinaryCrossEntropyWithLogits.apply(input, target, weight=_const(weight, input),
                                                     pos_weight=_const(pos_weight, input), reduction=reduction)


# ----------------------------------------------------------------------------- conv, pooling, normalisation, ...
from .functional_layers import (  # noqa: E402, F401  (re-exported; they use this module's helpers)
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    cosine_embedding_loss,
    dropout2d,
    elu,
    embedding,
    embedding_bag,
    fold,
    gelu,
    group_norm,
    hardtanh,
    huber_loss,
    instance_norm,
    kl_div,
    layer_norm,
    logsigmoid,
    margin_ranking_loss,
    max_pool1d,
    max_pool2d,
    mish,
    multi_margin_loss,
    pad,
    silu,
    smooth_l1_loss,
    softplus,
    softsign,
    unfold,
)
