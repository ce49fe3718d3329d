"""The functional forms of the convolution, pooling, normalisation and embedding layers, the newer
activations and the margin / divergence losses. Re-exported by `tinygrad_bp.nn.functional` (``F.conv2d``...).

Convolution and pooling are built on the windows primitive `tinygrad_bp.ops.conv.Unfold`: a convolution
is ``Unfold`` then one matrix product with the weight, a pooling is ``Unfold`` then a max or a mean
over each window. Inputs are validated first, with PyTorch's exception types, and a message naming
the op and the shapes.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..autograd import grad_mode, saved_values
from ..ops import activation as _act
from ..ops import conv as _conv
from ..ops import embedding as _emb
from ..ops import normalization as _norm
from ..random import _rng
from ..tensor import Tensor, _make
from ..tensor_math import where
from ..tensor_shape import cat

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's legacy ``size_average``/``reduce`` flags mapped onto ``reduction``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", UserWarning, stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _tuple(value: Any, n: int, name: str, op: str) -> tuple:
    """An int or a sequence of n ints -> a tuple of n ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of {n} values to match "
                           f"the convolution dimensions, but got {name}={list(value)}")
    return value


def _size(shape: tuple) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_tensor(x: Any, name: str, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


# ----------------------------------------------------------------------------- convolution
def _conv_padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple, nd: int, op: str) -> tuple:
    """((lo, hi) per spatial dim) from an int, a tuple, 'valid' or 'same' (extra padding on the right,
    as PyTorch does when the total is odd)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
            totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise RuntimeError(f"{op}: Invalid padding string '{padding}', should be one of ['valid', 'same']")
    pads = _tuple(padding, nd, "padding", op)
    if any(p < 0 for p in pads):
        raise RuntimeError(f"{op}: negative padding is not supported, got padding={list(pads)}")
    return tuple((p, p) for p in pads)


def _convnd(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any, dilation: Any,  # noqa: A002
            groups: int, nd: int) -> Tensor:
    op = f"conv{nd}d"
    _check_tensor(input, "input", op)
    _check_tensor(weight, "weight", op)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got input "
                           f"of size: {_size(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected weight to be {nd + 2}-dimensional (out_channels, in_channels/groups, "
                           f"*kernel_size), but got weight of size {_size(weight.shape)}")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    stride = _tuple(stride, nd, "stride", op)
    dilation = _tuple(dilation, nd, "dilation", op)
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported, got stride={list(stride)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero, got dilation={list(dilation)}")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    out_ch, cg = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    if out_ch % groups:
        raise RuntimeError(f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {_size(weight.shape)} instead")
    if x.shape[1] != cg * groups:
        raise RuntimeError(f"{op}: Given groups={groups}, weight of size {_size(weight.shape)}, expected "
                           f"input{_size(x.shape)} to have {cg * groups} channels, but got {x.shape[1]} channels "
                           "instead")
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(f"{op}: Given weight of size {_size(weight.shape)}, expected bias to be 1-dimensional "
                           f"with {out_ch} elements, but got bias of size {_size(bias.shape)} instead")
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(f"{op}: Input type ({x.dtype}) and weight type ({weight.dtype}) should be the same"
                           + ("" if bias is None else f" (bias: {bias.dtype})"))
    pads = _conv_padding(padding, kernel, stride, dilation, nd, op)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    effective = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(e > p for e, p in zip(effective, padded)):
        raise RuntimeError(f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be greater than "
                           "actual input size")
    out = tuple((p - e) // s + 1 for p, e, s in zip(padded, effective, stride))
    n = x.shape[0]
    cols = _conv.Unfold.apply(x, kernel=kernel, stride=stride, dilation=dilation, padding=pads, out=out,
                              groups=groups)  # (G, Cg·k, N·L)
    if groups == 1:  # a plain 2-D product (O, C·k) @ (C·k, N·L): the matmul's fastest path, forward and backward
        y = weight.reshape(out_ch, -1) @ cols.reshape(cols.shape[1], -1)
    else:
        y = weight.reshape(groups, out_ch // groups, -1) @ cols  # (G, Og, N·L): one BLAS product per group
    y = y.reshape((groups, out_ch // groups, n) + out)
    y = y.permute((2, 0, 1) + tuple(range(3, nd + 3))).reshape((n, out_ch) + out)
    if bias is not None:
        y = y + bias.reshape((out_ch,) + (1,) * nd)
    return y.squeeze(0) if unbatched else y


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation: y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q]·x_pad[n, g·Cg + c, i·s + p·d, j·s + q·d]
    for input (N, C, H, W) or (C, H, W) and weight (O, C/groups, kH, kW); padding int, tuple, 'valid' or 'same'."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation: y[n, o, i] = b[o] + Σ_{c,p} w[o, c, p]·x_pad[n, g·Cg + c, i·s + p·d]
    for input (N, C, L) or (C, L) and weight (O, C/groups, k)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


_NP_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad the last len(pad)/2 dims: ``pad`` = (left, right) for the last dim, then (top, bottom) for the
    one before, ...; mode 'constant' (with ``value``, default 0; negative pads crop), 'reflect' (mirror
    without the edge), 'replicate' (repeat the edge) or 'circular' (wrap around)."""
    _check_tensor(input, "input", "pad")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"pad: Padding length must be divisible by 2 and at most twice the number of dims "
                           f"({input.ndim}), got pad={list(pad)}")
    k = len(pad) // 2
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]  # per dim, first padded dim first
    axes = list(range(input.ndim - k, input.ndim))
    if mode == "constant":
        y = input
        if any(lo < 0 or hi < 0 for lo, hi in pairs):  # negative padding crops
            crop = [slice(None)] * input.ndim
            for axis, (lo, hi) in zip(axes, pairs):
                crop[axis] = slice(max(-lo, 0), input.shape[axis] - max(-hi, 0))
            y = y[tuple(crop)]
            pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        if not any(lo or hi for lo, hi in pairs):
            return y
        fill = 0.0 if value is None else value
        maps = tuple((axis, np.arange(-lo, y.shape[axis] + hi)) for axis, (lo, hi) in zip(axes, pairs))
        valid = np.ones([1] * input.ndim, dtype=bool)
        for axis, idx in maps:
            shape = [1] * input.ndim
            shape[axis] = idx.size
            valid = valid & ((idx >= 0) & (idx < y.shape[axis])).reshape(shape)
        clipped = tuple((axis, np.clip(idx, 0, y.shape[axis] - 1)) for axis, idx in maps)
        gathered = _conv.PadIndex.apply(y, maps=clipped)
        return where(_make(valid), gathered, _make(np.asarray(fill, dtype=input.dtype)))
    if mode not in _NP_MODES:
        raise NotImplementedError(f"pad: unsupported padding mode '{mode}' (use constant, reflect, replicate or "
                                  "circular)")
    if input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"pad: Padding size {len(pad)} is not supported for {input.ndim}D input tensor "
                                  f"in mode '{mode}': pad k dims of a (k + 1)- or (k + 2)-dim input (k = 1, 2, 3)")
    maps = []
    for axis, (lo, hi) in zip(axes, pairs):
        n = input.shape[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"pad: Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {axis} of input {list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(f"pad: Padding value causes wrapping around more than once: padding ({lo}, {hi}) at "
                               f"dimension {axis} of input {list(input.shape)}")
        if min(lo, hi) < 0:
            raise RuntimeError(f"pad: negative padding is only supported in constant mode, got {list(pad)}")
        maps.append((axis, np.pad(np.arange(n), (lo, hi), mode=_NP_MODES[mode])))
    return _conv.PadIndex.apply(input, maps=tuple(maps))


def _fold_geometry(spatial: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any, op: str) -> tuple:
    kernel = _tuple(kernel_size, 2, "kernel_size", op)
    dil, pad, st = (_tuple(v, 2, name, op) for v, name in ((dilation, "dilation"), (padding, "padding"),
                                                             (stride, "stride")))
    out = tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, d, p, s in zip(spatial, kernel, dil, pad, st))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"{op}: Given input with spatial size {tuple(spatial)}, kernel_size={kernel}, "
                           f"dilation={dil}, padding={pad}, calculated shape of the array of sliding blocks as "
                           f"{out}, but its components must be at least one.")
    return kernel, dil, tuple((p, p) for p in pad), st, out


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:  # noqa: A002
    """im2col: the sliding blocks of (N, C, H, W) input as columns, (N, C·kH·kW, L) with L blocks."""
    _check_tensor(input, "input", "unfold")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"unfold: Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    x = input.unsqueeze(0) if input.ndim == 3 else input
    kernel, dil, pads, st, out = _fold_geometry(tuple(x.shape[2:]), kernel_size, dilation, padding, stride, "unfold")
    n, c = x.shape[:2]
    cols = _conv.Unfold.apply(x, kernel=kernel, stride=st, dilation=dil, padding=pads, out=out)  # (1, C·k, N·L)
    y = cols.reshape(c * kernel[0] * kernel[1], n, out[0] * out[1]).permute(1, 0, 2)
    return y.squeeze(0) if input.ndim == 3 else y


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Tensor:
    """col2im, the adjoint of unfold: (N, C·kH·kW, L) columns summed back into (N, C, *output_size)."""
    _check_tensor(input, "input", "fold")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"fold: Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {input.ndim}D)")
    cols = input.unsqueeze(0) if input.ndim == 2 else input
    size = _tuple(output_size, 2, "output_size", "fold")
    kernel, dil, pads, st, out = _fold_geometry(size, kernel_size, dilation, padding, stride, "fold")
    n, ck, blocks = cols.shape
    kk = kernel[0] * kernel[1]
    if ck % kk or blocks != out[0] * out[1]:
        raise RuntimeError(f"fold: expected input of shape (N, C·{kk}, {out[0] * out[1]}) for output_size={size}, "
                           f"kernel_size={kernel}, got {tuple(input.shape)}")
    flat = cols.permute(1, 0, 2).reshape(1, ck, n * blocks)
    y = _conv.Fold.apply(flat, shape=(n, ck // kk) + size, kernel=kernel, stride=st, dilation=dil, padding=pads,
                         out=out)
    return y.squeeze(0) if input.ndim == 2 else y


def _conv_transposend(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,  # noqa: A002
                      output_padding: Any, groups: int, dilation: Any, nd: int) -> Tensor:
    op = f"conv_transpose{nd}d"
    _check_tensor(input, "input", op)
    _check_tensor(weight, "weight", op)
    if input.ndim not in (nd + 1, nd + 2) or weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input and a {nd + 2}D weight, "
                           f"but got input of size: {_size(input.shape)}, weight of size: {_size(weight.shape)}")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    stride, pad, out_pad, dil = (_tuple(v, nd, name, op) for v, name in (
        (stride, "stride"), (padding, "padding"), (output_padding, "output_padding"), (dilation, "dilation")))
    cin, cout_g = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    if x.shape[1] != cin or cin % groups:
        raise RuntimeError(f"{op}: Given transposed=1, weight of size {_size(weight.shape)}, expected input"
                           f"{_size(x.shape)} to have {cin} channels, but got {x.shape[1]} channels instead")
    if any(o >= max(s, d) for o, s, d in zip(out_pad, stride, dil)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={list(out_pad)}, stride={list(stride)}, dilation={list(dil)}")
    if x.dtype != weight.dtype:
        raise RuntimeError(f"{op}: Input type ({x.dtype}) and weight type ({weight.dtype}) should be the same")
    n, spatial = x.shape[0], tuple(x.shape[2:])
    size = tuple((h - 1) * s - 2 * p + d * (k - 1) + o + 1
                 for h, s, p, d, k, o in zip(spatial, stride, pad, dil, kernel, out_pad))
    if any(v <= 0 for v in size):
        raise RuntimeError(f"{op}: the calculated output size {size} is too small (input {_size(x.shape)})")
    cout = cout_g * groups
    # the transpose of a convolution: W^T @ x gives the columns of the output image, col2im sums them
    xs = x.permute((1, 0) + tuple(range(2, nd + 2))).reshape(groups, cin // groups, -1)  # (G, Cin_g, N·L)
    w = weight.reshape(groups, cin // groups, -1).transpose(1, 2)  # (G, Cout_g·k, Cin_g)
    cols = w @ xs  # (G, Cout_g·k, N·L)
    y = _conv.Fold.apply(cols, shape=(n, cout) + size, kernel=kernel, stride=stride, dilation=dil,
                         padding=tuple((p, p) for p in pad), out=spatial, groups=groups)
    if bias is not None:
        y = y + bias.reshape((cout,) + (1,) * nd)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of conv2d ("deconvolution") for weight (C_in, C_out/groups, kH, kW): col2im of Wᵀ·x, output
    size (H - 1)·s - 2p + d·(k - 1) + output_padding + 1 per dim."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The adjoint of conv1d for weight (C_in, C_out/groups, k)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


# ----------------------------------------------------------------------------- pooling
def _pool_input(input: Tensor, op: str) -> tuple:  # noqa: A002
    _check_tensor(input, "input", op)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: Expected 3D or 4D (batch mode) tensor for input with optional 0 dim batch size, "
                           f"but got input of size: {_size(input.shape)}")
    return (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size; with ceil_mode the last window must start inside the input or left pad."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_geometry(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
                   op: str) -> tuple:
    kernel = _tuple(kernel_size, 2, "kernel_size", op)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(stride, 2, "stride", op)
    pad = _tuple(padding, 2, "padding", op)
    dil = _tuple(dilation, 2, "dilation", op)
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride) or any(d <= 0 for d in dil):
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be greater than zero, but got "
                           f"kernel_size={list(kernel)}, stride={list(stride)}, dilation={list(dil)}")
    if any(p < 0 or p > k // 2 for p, k in zip(pad, kernel)):
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={list(pad)}, "
                           f"kernel_size={list(kernel)} and dilation={list(dil)}")
    size = tuple(x.shape[2:])
    out = tuple(_pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(size, kernel, stride, pad, dil))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"{op}: Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated output size: "
                           f"({x.shape[1]}x{'x'.join(map(str, out))}). Output size is too small")
    # right padding so that every window lies in the padded input (ceil_mode may need more than `pad`)
    pads = tuple((p, max(0, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, k, s, p, d, o in zip(size, kernel, stride, pad, dil, out))
    return kernel, stride, pad, dil, out, pads


def _windows(x: Tensor, kernel: tuple, stride: tuple, dil: tuple, out: tuple, pads: tuple,
             pad_value: float) -> Tensor:
    """(kH·kW, N·C·L): the pooling windows of each channel (channels treated as a batch)."""
    n, c = x.shape[:2]
    flat = x.reshape((n * c, 1) + tuple(x.shape[2:]))
    cols = _conv.Unfold.apply(flat, kernel=kernel, stride=stride, dilation=dil, padding=pads, out=out,
                              pad_value=pad_value)  # (1, kH·kW, N·C·L)
    return cols.reshape(kernel[0] * kernel[1], n * c * out[0] * out[1])


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """y[n, c, i, j] = max over the window x_pad[n, c, i·s + p·d, j·s + q·d] (padding with -inf); the
    gradient goes to the first maximum of each window (ties: the first in row-major order), and
    overlapping windows add up. ``return_indices`` also gives the flat h·W + w index of each maximum."""
    x, unbatched = _pool_input(input, "max_pool2d")
    kernel, stride, pad, dil, out, pads = _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode,
                                                         "max_pool2d")
    n, c = x.shape[:2]
    y = _conv.MaxPool.apply(x, kernel=kernel, stride=stride, dilation=dil, padding=pads, out=out)
    if not return_indices:
        return y.squeeze(0) if unbatched else y
    padded = np.pad(x._array, ((0, 0), (0, 0)) + pads, constant_values=-np.inf)
    masks = _conv._first_max_masks(padded, y._array, _conv._offsets(kernel, stride, dil, out))
    a = np.stack(masks, -1).argmax(-1)  # the kernel offset that gets the gradient
    rows = np.arange(out[0]).reshape(-1, 1) * stride[0] - pad[0] + (a // kernel[1]) * dil[0]
    columns = np.arange(out[1]) * stride[1] - pad[1] + (a % kernel[1]) * dil[1]
    idx = _make((rows * x.shape[3] + columns).astype(np.int64))
    return (y.squeeze(0), idx.squeeze(0)) if unbatched else (y, idx)


def _avg_divisor(size: tuple, kernel: tuple, stride: tuple, pad: tuple, out: tuple, count_include_pad: bool,
                 dtype: np.dtype) -> np.ndarray:
    """PyTorch's divisor per output position: the window clipped to the padded input (count_include_pad)
    or to the input itself."""
    counts = []
    for n, k, s, p, o in zip(size, kernel, stride, pad, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            counts.append(end - start)
        else:
            counts.append(np.minimum(end, n) - np.maximum(start, 0))
    return (counts[0][:, None] * counts[1][None, :]).astype(dtype)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """y[n, c, i, j] = Σ window / divisor, the window zero-padded; the divisor is the window size clipped
    to the padded input (count_include_pad=True) or to the input, or ``divisor_override``."""
    x, unbatched = _pool_input(input, "avg_pool2d")
    kernel, stride, pad, dil, out, pads = _pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    n, c = x.shape[:2]
    sums = _windows(x, kernel, stride, dil, out, pads, 0.0).sum(0).reshape((n, c) + out)
    if divisor_override is not None:
        y = sums / divisor_override
    else:
        y = sums / _make(_avg_divisor(tuple(x.shape[2:]), kernel, stride, pad, out, count_include_pad, x.dtype))
    return y.squeeze(0) if unbatched else y


def _adaptive_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """(o, n) averaging matrix: row i averages input [floor(i·n/o), ceil((i+1)·n/o))."""
    m = np.zeros((o, n), dtype)
    for i in range(o):
        start, end = (i * n) // o, -(-((i + 1) * n) // o)
        m[i, start:end] = 1.0 / (end - start)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average over the bins [floor(i·H/oH), ceil((i+1)·H/oH)) × (the same for W): y = A_H · x · A_Wᵀ.
    ``output_size`` an int or (oH, oW), where None keeps the input's size."""
    x, unbatched = _pool_input(input, "adaptive_avg_pool2d")
    size = (output_size, output_size) if isinstance(output_size, (int, type(None))) else tuple(output_size)
    if len(size) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be 2, got {output_size}")
    h, w = x.shape[2:]
    oh, ow = (h if size[0] is None else size[0]), (w if size[1] is None else size[1])
    if oh < 0 or ow < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {[oh, ow]}")
    ah, aw = _adaptive_matrix(h, oh, x.dtype), _adaptive_matrix(w, ow, x.dtype)
    y = _make(ah) @ x @ _make(np.ascontiguousarray(aw.T))
    return y.squeeze(0) if unbatched else y


def _one(value: Any, name: str, op: str) -> int:
    """An int or a 1-sequence -> int (the 1-d pooling arguments)."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{op}: {name} must be an int or a tuple of one int, got {value}")
    return int(value[0])


def _as_2d(input: Tensor, op: str) -> Tensor:  # noqa: A002
    """(N, C, L) or (C, L) -> the same with a height-1 image dim, for the 2-d pooling code."""
    _check_tensor(input, "input", op)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{op}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
                           f"but got:{_size(input.shape)}")
    return input.unsqueeze(-2)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """max over each window of length k along the last dim of (N, C, L) or (C, L) input (see max_pool2d)."""
    k = _one(kernel_size, "kernel_size", "max_pool1d")
    default = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if default else _one(stride, "stride", "max_pool1d")
    out = max_pool2d(_as_2d(input, "max_pool1d"), (1, k), (1, s), (0, _one(padding, "padding", "max_pool1d")),
                     (1, _one(dilation, "dilation", "max_pool1d")), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """mean over each window of length k along the last dim of (N, C, L) or (C, L) input (see avg_pool2d)."""
    k = _one(kernel_size, "kernel_size", "avg_pool1d")
    default = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if default else _one(stride, "stride", "avg_pool1d")
    out = avg_pool2d(_as_2d(input, "avg_pool1d"), (1, k), (1, s), (0, _one(padding, "padding", "avg_pool1d")),
                     ceil_mode, count_include_pad)
    return out.squeeze(-2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """average over the bins [floor(i·L/o), ceil((i+1)·L/o)) of the last dim of (N, C, L) or (C, L) input."""
    return adaptive_avg_pool2d(_as_2d(input, "adaptive_avg_pool1d"),
                               (1, _one(output_size, "output_size", "adaptive_avg_pool1d"))).squeeze(-2)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels x[n, c] with probability p and scale the rest by 1/(1-p) (training only), for
    input (N, C, H, W); a 3-D input is taken as (N, C, L), with PyTorch's warning."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", UserWarning, stacklevel=2)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * _make(np.zeros((), input.dtype))
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    keep = _rng(None).random(shape) >= p
    return input * _make((keep / (1.0 - p)).astype(input.dtype))


# ----------------------------------------------------------------------------- normalisation
def _bump(t: Tensor, value: np.ndarray) -> None:
    """Write ``value`` into a running-stat buffer in place and count the write in its ``_version``. The
    global in-place clock is not ticked: no graph node saves a running-stat buffer's memory (eval mode
    uses a copy), and ticking it would make every node of the step run the slower in-place check."""
    t._array[...] = value
    t._version += 1


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5) -> Tensor:
    """y = (x - μ)/√(σ² + ε)·w + b per channel (dim 1). In training μ, σ² are the batch mean and biased
    variance, and the running stats (if given) move: r ← (1 - momentum)·r + momentum·batch, the
    running variance taking the unbiased batch variance; otherwise μ, σ² are the running stats."""
    _check_tensor(input, "input", "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dims (N, C, ...), got {input.ndim}D input")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"batch_norm: {name} should contain {c} elements not {t.numel()} "
                               f"(input of shape {tuple(input.shape)})")
    axes = (0,) + tuple(range(2, input.ndim))
    pshape = (1, c) + (1,) * (input.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be defined in evaluation mode")
        invstd = 1.0 / np.sqrt(running_var._array.astype(input.dtype) + eps)
        y = (input - _make(running_mean._array.astype(input.dtype).reshape(pshape))) * _make(invstd.reshape(pshape))
        if weight is not None:
            y = y * weight.reshape(pshape)
        if bias is not None:
            y = y + bias.reshape(pshape)
        return y
    count = input.numel() // c
    if count <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"torch.Size({list(input.shape)})")
    y = _norm.Normalize.apply(input, weight, bias, axes=axes, param_shape=pshape, eps=eps,
                              name="NativeBatchNormBackward0")
    if running_mean is not None or running_var is not None:
        x = input._array
        m = momentum if momentum is not None else 0.0
        mean = x.mean(axis=axes)
        if running_mean is not None:
            _bump(running_mean, (1 - m) * running_mean._array + m * mean)
        if running_var is not None:
            var = x.var(axis=axes) * (count / (count - 1))
            _bump(running_var, (1 - m) * running_var._array + m * var)
    return y


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,  # noqa: A002
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = (x - μ)/√(σ² + ε)·w + b with μ, σ² over the spatial dims of each sample and channel; with
    running stats given they move by the batch average of those statistics (variance unbiased);
    use_input_stats=False normalises by the running stats instead."""
    _check_tensor(input, "input", "instance_norm")
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of at least 3 dims (N, C, *), got {input.ndim}D input")
    c = input.shape[1]
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"instance_norm: {name} should contain {c} elements not {t.numel()}")
    axes = tuple(range(2, input.ndim))
    count = int(np.prod(input.shape[2:]))
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"torch.Size({list(input.shape)})")
    y = _norm.Normalize.apply(input, weight, bias, axes=axes, param_shape=(1, c) + (1,) * len(axes), eps=eps)
    x = input._array
    if running_mean is not None:
        _bump(running_mean, (1 - momentum) * running_mean._array + momentum * x.mean(axis=axes).mean(0))
    if running_var is not None:
        var = x.var(axis=axes, ddof=1).mean(0)
        _bump(running_var, (1 - momentum) * running_var._array + momentum * var)
    return y


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """y = (x - μ)/√(σ² + ε)·w + b, with μ, σ² (biased) over the last len(normalized_shape) dims."""
    _check_tensor(input, "input", "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"layer_norm: Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{_size(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {_size(t.shape)} and normalized_shape = {_size(shape)}")
    axes = tuple(range(input.ndim - k, input.ndim))
    pshape = (1,) * (input.ndim - k) + shape
    return _norm.Normalize.apply(input, weight, bias, axes=axes, param_shape=pshape, eps=eps,
                                 name="NativeLayerNormBackward0")


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,  # noqa: A002
               eps: float = 1e-5) -> Tensor:
    """Split the C channels into num_groups groups; y = (x - μ_g)/√(σ_g² + ε)·w_c + b_c with μ_g, σ_g²
    over each group's channels and positions of one sample."""
    _check_tensor(input, "input", "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {_size(input.shape)} and num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, -1)
    y = _norm.Normalize.apply(grouped, None, None, axes=(2,), param_shape=(1, 1, 1), eps=eps).reshape(input.shape)
    pshape = (c,) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(pshape)
    if bias is not None:
        y = y + bias.reshape(pshape)
    return y


# ----------------------------------------------------------------------------- embedding
def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """y = weight[input] (the rows picked by int indices, any index shape); the row ``padding_idx`` gets no
    gradient; with ``max_norm``, the picked rows whose ``norm_type``-norm exceeds it are first rescaled in
    place to norm max_norm (PyTorch's embedding_renorm_)."""
    _check_tensor(weight, "weight", "embedding")
    idx = input._array if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {idx.dtype} instead")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got weight of size {_size(weight.shape)}")
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx[(idx < 0) | (idx >= num)].flat[0]
        raise IndexError(f"embedding: index out of range in self: index {bad} with weight of size "
                         f"{_size(weight.shape)} (indices must be in [0, {num}))")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % num
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not supported")
    idx = idx.astype(np.int64, copy=False)
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return _emb.Embedding.apply(weight, indices=idx, padding_idx=padding_idx)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,  # noqa: A002
                  max_norm: float | None = None, norm_type: float = 2, scale_grad_by_freq: bool = False,
                  mode: str = "mean", sparse: bool = False, per_sample_weights: Tensor | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of the embedding rows of each bag: the rows of a 2-D ``input`` (offsets None), or the
    slices input[offsets[b]:offsets[b+1]] of a 1-D one. Entries equal to ``padding_idx`` are left out (also
    from a mean's count); an empty bag gives zeros; ``per_sample_weights`` (mode 'sum') scale each row.
    Sum and mean are one (bags × entries) matrix product with the looked-up rows."""
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode!r}")
    idx = input._array if isinstance(input, Tensor) else np.asarray(input)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets).__name__}")
        bags, length = idx.shape
        starts = np.arange(bags) * length
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = (offsets._array if isinstance(offsets, Tensor) else np.asarray(offsets)).astype(np.int64)
        if starts.ndim != 1:
            raise ValueError(f"offsets has to be a 1D Tensor, got {starts.ndim}D")
        if starts.size and starts[0] != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                               f"position 0. However, got {starts[0]}")
        if include_last_offset:
            starts = starts[:-1]
        bags = starts.size
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}')")
    rows = embedding(_make(idx), weight, None, max_norm, norm_type, scale_grad_by_freq, sparse)  # (n, D)
    n = idx.size
    bag = np.searchsorted(starts, np.arange(n), side="right") - 1  # bag of each entry
    keep = np.ones(n, dtype=bool) if padding_idx is None else idx != (padding_idx % weight.shape[0])
    dtype = weight.dtype
    if mode == "max":
        counts = np.bincount(bag[keep], minlength=bags)
        width = max(int(counts.max()) if bags else 0, 1)
        slot = np.zeros(n, dtype=np.int64)
        order = np.flatnonzero(keep)
        slot[order] = np.arange(order.size) - np.searchsorted(bag[order], bag[order])  # position inside its bag
        table = np.full((bags, width), n, dtype=np.int64)  # n: an extra row of -inf
        table[bag[keep], slot[keep]] = np.flatnonzero(keep)
        padded = cat([rows, _make(np.full((1, weight.shape[1]), -np.inf, dtype=dtype))], 0)
        best = padded[table].max(1).values
        return where(_make((counts > 0)[:, None]), best, _make(np.zeros((), dtype)))
    coef = keep.astype(dtype)
    if mode == "mean":
        counts = np.bincount(bag[keep], minlength=bags).astype(dtype)
        coef = coef / np.maximum(counts, 1)[bag]
    matrix = np.zeros((bags, n), dtype=dtype)
    matrix[bag, np.arange(n)] = coef
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    return _make(matrix) @ rows


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    rows = np.unique(idx)
    w = weight._array[rows]
    norms = np.sum(np.abs(w) ** norm_type, axis=1) ** (1.0 / norm_type)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    with grad_mode.no_grad():
        weight._array[rows] = w * scale[:, None]
    saved_values.bump(weight)


# ----------------------------------------------------------------------------- activations
def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """x·Φ(x) = x·(1 + erf(x/√2))/2; approximate='tanh': x·(1 + tanh(√(2/π)(x + 0.044715x³)))/2."""
    if approximate == "none":
        return input * (1 + _act.Erf.apply(input * (1 / math.sqrt(2)))) * 0.5
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * (1 + inner.tanh()) * 0.5
    raise RuntimeError(f"gelu: approximate argument must be either none or tanh, got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·σ(x)."""
    return input * input.sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """ln(1 + e^(βx))/β, and x where βx > threshold."""
    return _act.Softplus.apply(input, beta=beta, threshold=threshold)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0, α(eˣ - 1) otherwise."""
    return where(input > 0, input, (input.clamp(max=0.0).exp() - 1) * alpha)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """clamp(x, min_val, max_val); gradient 1 strictly inside (min_val, max_val), 0 outside and at the ends."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, input.detach().clamp(min_val, max_val))


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log σ(x) = -ln(1 + e⁻ˣ), computed without overflow."""
    return _act.LogSigmoid.apply(input)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·tanh(softplus(x))."""
    return input * softplus(input).tanh()


# ----------------------------------------------------------------------------- losses
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _pair(input: Any, target: Any, op: str) -> tuple:  # noqa: A002
    _check_tensor(input, "input", op)
    _check_tensor(target, "target", op)
    if target.dtype.kind != "f":
        target = target.to(input.dtype)
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                      f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=3)
    return input, target


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5·d²/β where d = |x - y| < β, d - 0.5·β elsewhere (β = 0: the L1 loss)."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _pair(input, target, "smooth_l1_loss")
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """0.5·d² where d = |x - y| < δ, δ·(d - 0.5·δ) elsewhere (= δ · smooth_l1 with β = δ)."""
    reduction = _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _pair(input, target, "huber_loss")
    d = (input - target).abs()
    return _reduce(where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta), reduction)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Pointwise KL divergence for log-probabilities x: y·(log y - x) (0 where y = 0), or with
    log_target eʸ·(y - x); reduction 'batchmean' divides the sum by the batch size (the true KL).
    Differs from PyTorch in one point: where y = 0 the gradient with respect to y is -x, not nan."""
    if reduction == "batchmean":
        if size_average is not None or reduce is not None:
            reduction = _reduction(size_average, reduce, "mean")
    else:
        reduction = _reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    _check_tensor(input, "input", "kl_div")
    _check_tensor(target, "target", "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, _make(np.ones((), target.dtype)))
        loss = where(positive, target * safe.log(), _make(np.zeros((), target.dtype))) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss per sample: Σ_{j≠y} w_y·max(0, margin - x_y + x_j)^p / C (p = 1 or 2)."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    _check_tensor(input, "input", "multi_margin_loss")
    x = input.unsqueeze(0) if input.ndim == 1 else input
    t = target._array if isinstance(target, Tensor) else np.asarray(target)
    scalar_target = t.ndim == 0
    t = t.reshape(-1)
    if x.ndim != 2 or t.shape[0] != x.shape[0]:
        raise RuntimeError(f"multi_margin_loss: inconsistent target size: {_size(t.shape)} for input of size: "
                           f"{_size(input.shape)}")
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError(f"multi_margin_loss: target out of range: targets must be in [0, {c}), got "
                           f"{t[(t < 0) | (t >= c)].flat[0]}")
    rows = np.arange(n)
    x_y = x[rows, t].reshape(n, 1)
    hinge = (x - x_y + margin).relu()  # gradient 0 at the hinge, as PyTorch (z > 0)
    if p == 2:
        hinge = hinge * hinge
    other = (np.arange(c) != t[:, None]).astype(x.dtype)
    if weight is not None:
        w = weight._array if isinstance(weight, Tensor) else np.asarray(weight)
        other = other * w.astype(x.dtype)[t][:, None]
    loss = (hinge * _make(other)).sum(1) / c
    if input.ndim == 1 and scalar_target and reduction == "none":
        loss = loss.squeeze(0)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (cos along dim 1,
    with 1e-12 added to each squared norm)."""
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        _check_tensor(t, name, "cosine_embedding_loss")
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise RuntimeError(f"cosine_embedding_loss: expected input1 and input2 of the same shape (N, D) or (D,), "
                           f"got {_size(input1.shape)} and {_size(input2.shape)}")
    dim = input1.ndim - 1
    if target.ndim != dim or (dim and target.shape[0] != input1.shape[0]):
        raise RuntimeError(f"cosine_embedding_loss: expected target of shape {_size(input1.shape[:dim])}, got "
                           f"{_size(target.shape)}")
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    denom = (((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)).sqrt()
    cos = prod / denom
    zero = _make(np.zeros((), cos.dtype))
    y = target._array
    loss = where(_make(y == 1), 1 - cos, zero) + where(_make(y == -1), (cos - margin).clamp(min=0.0), zero)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """max(0, -y·(x1 - x2) + margin) (inputs of one rank, broadcast together)."""
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        _check_tensor(t, name, "margin_ranking_loss")
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss: All input tensors should have same dimension but got sizes: "
                           f"input1: {_size(input1.shape)}, input2: {_size(input2.shape)}, target: "
                           f"{_size(target.shape)} ")
    try:
        np.broadcast_shapes(input1.shape, input2.shape, target.shape)
    except ValueError:
        raise RuntimeError(f"margin_ranking_loss: input1 {_size(input1.shape)}, input2 {_size(input2.shape)} and "
                           f"target {_size(target.shape)} cannot be broadcast together") from None
    y = target if target.dtype.kind == "f" else target.to(input1.dtype)
    return _reduce((-y * (input1 - input2) + margin).clamp(min=0.0), reduction)
