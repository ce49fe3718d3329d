"""Convolution layers: Conv1d, Conv2d (cross-correlation, as in PyTorch), ConvTranspose1d/2d; Unfold / Fold."""

from __future__ import annotations

import math
from typing import Any

from .. import creation
from ..device import resolve
from ..ops import conv as _conv
from ..tensor import Tensor
from . import functional_layers as FL
from . import init
from .module import Module
from .parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value: Any, n: int) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    return value * n if len(value) == 1 else value


class _ConvNd(Module):
    """Shared constructor, init, repr and input check of Conv1d / Conv2d."""

    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        resolve(device, f"nn.{type(self).__name__}")
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        n = self._nd
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.dilation = _ntuple(dilation, n)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = _ntuple(padding, n)
        if isinstance(self.padding, str):  # what F.pad gets for a non-zeros padding_mode (last dim first)
            pairs = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) if self.padding == "same" else (0, 0)
                     for d, k in zip(self.dilation, self.kernel_size)]
        else:
            pairs = [(p, p) for p in self.padding]
        self._reversed_padding_repeated_twice = tuple(v for pair in reversed(pairs) for v in pair)
        self.output_padding = (0,) * n
        self.transposed = False
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(creation.empty(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight and bias ~ U(-1/√fan_in, 1/√fan_in), fan_in = in_channels/groups · prod(kernel_size)
        (kaiming_uniform_ with a = √5, PyTorch's default)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        n = self._nd
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (n + 1, n + 2):
            raise RuntimeError(f"{name}: Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to conv{n}d, "
                               f"but got input of size: {list(input.shape)}")
        channels = input.shape[-n - 1]
        if channels != self.in_channels:
            raise RuntimeError(f"{name}: expected input{list(input.shape)} to have {self.in_channels} channels, "
                               f"but got {channels} channels instead (weight of size {list(self.weight.shape)}, "
                               f"groups={self.groups})")

    def _conv_forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """The convolution as one fused node (`ops.conv.Conv`, batch-last columns); inputs that F.conv1d /
        F.conv2d would reject (dtype mismatch, kernel larger than the padded input) go there for its error."""
        n = self._nd
        p = self._parameters
        weight, bias = p["weight"], p["bias"]
        src, padding = input, self.padding
        if self.padding_mode != "zeros":
            src, padding = FL.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode), 0
        unbatched = src.ndim == n + 1
        x = src.unsqueeze(0) if unbatched else src
        pads = FL._conv_padding(padding, self.kernel_size, self.stride, self.dilation, n, f"conv{n}d")
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
        effective = tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))
        if (not isinstance(weight, Tensor) or x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype)
                or any(e > q for e, q in zip(effective, padded))):
            conv = FL.conv2d if n == 2 else FL.conv1d
            return conv(src, weight, bias, self.stride, padding, self.dilation, self.groups)
        out = tuple((q - e) // s + 1 for q, e, s in zip(padded, effective, self.stride))
        y = _conv.Conv.apply(x, weight, bias, stride=self.stride, dilation=self.dilation, padding=pads, out=out,
                             groups=self.groups)
        return y.squeeze(0) if unbatched else y

    def extra_repr(self) -> str:
        n = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) of (N, C_in, H, W) or (C_in, H, W) input with ``weight``
    (C_out, C_in/groups, kH, kW) and ``bias`` (C_out,); output size ⌊(H + 2p - d(k - 1) - 1)/s⌋ + 1 per dim.
    One im2col view and one matrix product per group (see `tinygrad_bp.ops.conv`)."""

    _nd = 2

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        """cross-correlation of the input with the weight, plus the bias"""
        self._check_input(input)
        return self._conv_forward(input)


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) of (N, C_in, L) or (C_in, L) input with ``weight``
    (C_out, C_in/groups, k) and ``bias`` (C_out,)."""

    _nd = 1

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """cross-correlation of the input with the weight, plus the bias"""
        self._check_input(input)
        return self._conv_forward(input)


class Unfold(Module):
    """im2col as a layer: (N, C, H, W) -> (N, C·kH·kW, L) sliding blocks (see ``F.unfold``)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """the sliding blocks as columns"""
        return FL.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """col2im as a layer: (N, C·kH·kW, L) -> (N, C, *output_size), overlapping entries summed (see ``F.fold``)."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """the columns summed back into images"""
        return FL.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class _ConvTransposeNd(_ConvNd):
    """ConvTranspose1d/2d: weight (C_in, C_out/groups, *kernel_size), PyTorch's init (fan_in from that shape)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got padding={padding!r}")
        super().__init__(out_channels, in_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)  # builds weight (in, out/groups, *k) with the roles swapped
        self.in_channels, self.out_channels = in_channels, out_channels
        self.output_padding = _ntuple(output_padding, self._nd)
        self.transposed = True
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        self.reset_parameters()

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        n = self._nd
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (n + 1, n + 2):
            raise RuntimeError(f"{name}: Expected {n + 1}D (unbatched) or {n + 2}D (batched) input, but got input of "
                               f"size: {list(input.shape)}")
        if input.shape[-n - 1] != self.in_channels:
            raise RuntimeError(f"{name}: expected input{list(input.shape)} to have {self.in_channels} channels, but "
                               f"got {input.shape[-n - 1]} channels instead")

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        """output_padding, or the one that gives ``output_size`` (PyTorch's forward(input, output_size))."""
        if output_size is None:
            return self.output_padding
        n = self._nd
        size = tuple(output_size)[-n:]
        spatial = tuple(input.shape[-n:])
        base = tuple((h - 1) * s - 2 * p + d * (k - 1) + 1 for h, s, p, d, k in zip(
            spatial, self.stride, self.padding, self.dilation, self.kernel_size))
        extra = tuple(o - b for o, b in zip(size, base))
        if any(e < 0 or e >= max(s, d) for e, s, d in zip(extra, self.stride, self.dilation)):
            raise ValueError(f"requested an output size of {list(size)}, but valid sizes range from {list(base)} to "
                             f"{[b + max(s, d) - 1 for b, s, d in zip(base, self.stride, self.dilation)]} "
                             f"(for an input of {list(spatial)})")
        return extra

    def extra_repr(self) -> str:
        n = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (the adjoint of Conv2d): weight (C_in, C_out/groups, kH, kW); output size
    (H - 1)·s - 2p + d·(k - 1) + output_padding + 1 per dim."""

    _nd = 2

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        """col2im of Wᵀ·x, plus the bias"""
        self._check_input(input)
        p = self._parameters
        return FL.conv_transpose2d(input, p["weight"], p["bias"], self.stride, self.padding,
                                   self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution (the adjoint of Conv1d): weight (C_in, C_out/groups, k)."""

    _nd = 1

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        """col2im of Wᵀ·x, plus the bias"""
        self._check_input(input)
        p = self._parameters
        return FL.conv_transpose1d(input, p["weight"], p["bias"], self.stride, self.padding,
                                   self._output_padding(input, output_size), self.groups, self.dilation)
