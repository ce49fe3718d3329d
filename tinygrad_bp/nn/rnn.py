"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with PyTorch's gate order, weight names,
initialisation and return values. Back-propagation through time is the ordinary engine running
backwards over the unrolled steps; the gate arithmetic of one LSTM or GRU step is one fused node
(`tinygrad_bp.ops.rnn`).

Per step (gate blocks stacked in PyTorch's order):

* RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)   (or relu; two Addmm nodes and the activation)
* LSTM: i, f, g, o = σ, σ, tanh, σ of the four blocks;  c' = f·c + i·g;  h' = o·tanh(c')   (one node: the
  state is h and c side by side, hc = [h, c], so a step needs no slice nodes)
* GRU:  r, z = σ of the first two blocks;  n = tanh(W_in x + b_in + r·(W_hn h + b_hn));  h' = (1 - z)·n + z·h
  (one node)
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from .. import creation
from ..device import resolve
from ..ops import rnn as _cells
from ..tensor import Tensor
from ..tensor_shape import cat, stack
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _step(mode: str, x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
          b_hh: Tensor | None, w_hr: Tensor | None = None) -> Tensor:
    """One time step of the given cell type: the new state. For the LSTM the state is hc = [h, c]
    (N, P + H) and with projections h' = W_hr·(o·tanh(c'))."""
    if mode == "LSTM":
        hc = _cells.LSTMCell.apply(x, h, w_ih, w_hh, b_ih, b_hh)  # [o·tanh(c'), c'] side by side
        if w_hr is None:
            return hc
        n = w_hh.shape[0] // 4
        return cat([F.linear(hc[:, :n], w_hr), hc[:, n:]], -1)
    if mode == "GRU":
        return _cells.GRUCell.apply(x, h, w_ih, w_hh, b_ih, b_hh)
    pre = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    return pre.tanh() if mode == "RNN_TANH" else pre.relu()


def _initial_state(n: int, width: int, dtype: Any, h: Tensor | None, c: Tensor | None = None,
                   c_width: int = 0) -> Tensor:
    """The first state of a direction: h (RNN, GRU) or hc = [h, c] (LSTM, c_width > 0), zeros where omitted."""
    if not c_width:
        return creation.zeros(n, width, dtype=dtype) if h is None else h
    if h is None and c is None:
        return creation.zeros(n, width + c_width, dtype=dtype)
    h = creation.zeros(n, width, dtype=dtype) if h is None else h
    c = creation.zeros(n, c_width, dtype=dtype) if c is None else c
    return cat([h, c], -1)


def _uniform_reset(module: Module, hidden_size: int) -> None:
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrent layer shared by RNN, LSTM and GRU.

    Parameters per layer k and direction (suffix '_reverse' for the backward one), registered in this
    order: ``weight_ih_l{k}`` (gates·H, in), ``weight_hh_l{k}`` (gates·H, H), ``bias_ih_l{k}``,
    ``bias_hh_l{k}``; all ~ U(-1/√H, 1/√H). Input (L, N, in), or (N, L, in) with batch_first, or
    unbatched (L, in); initial states (num_layers·D, N, H), zeros when omitted.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        resolve(device, f"nn.{type(self).__name__}")
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        for arg, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                 ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{arg} should be of type {kind.__name__}, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list = []
        self._all_weights: list = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if direction == 1 else ""
                names = [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
                shapes = [(gate_size, layer_input), (gate_size, real_hidden)]
                if bias:
                    names += [f"bias_ih_l{layer}{suffix}", f"bias_hh_l{layer}{suffix}"]
                    shapes += [(gate_size,), (gate_size,)]
                if proj_size > 0:
                    names.append(f"weight_hr_l{layer}{suffix}")
                    shapes.append((proj_size, hidden_size))
                for n, shape in zip(names, shapes):
                    setattr(self, n, Parameter(creation.empty(*shape, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size)."""
        _uniform_reset(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch code (there the weights are packed into one buffer for cuDNN)."""

    @property
    def all_weights(self) -> list:
        """The parameters as a list per layer and direction: [[w_ih, w_hh, b_ih, b_hh], ...]."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _layer_weights(self, layer: int, direction: int) -> tuple:
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        ws = [self._parameters[n] for n in names]
        w_hr = ws.pop() if self.proj_size > 0 else None
        return (tuple(ws) if self.bias else (ws[0], ws[1], None, None)) + (w_hr,)

    def _check_input(self, input: Tensor) -> None:  # noqa: A002
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _check_hidden(self, hx: Tensor, batched: bool, expected: tuple, label: str) -> Tensor:
        name = type(self).__name__
        if not isinstance(hx, Tensor):
            raise TypeError(f"{name}: expected the initial state {label} to be a Tensor, got {type(hx).__name__}")
        want = 3 if batched else 2
        if hx.ndim != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(f"{name}: For {kind} input, {label} should also be {want}-D but got {hx.ndim}-D tensor")
        h = hx if batched else hx.unsqueeze(1)
        if tuple(h.shape) != expected:
            raise RuntimeError(f"{name}: Expected {label} size {expected}, got {list(h.shape)}")
        return h

    def forward(self, input: Tensor, hx: Any = None) -> tuple:  # noqa: A002 - PyTorch's argument name
        """(output, h_n) — for the LSTM (output, (h_n, c_n)): output (L, N, D·H) holds the last layer's h
        at every step (both directions concatenated), h_n / c_n (num_layers·D, N, H) the final states."""
        self._check_input(input)
        batched = input.ndim == 3
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        steps, n = x.shape[0], x.shape[1]
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, n, self.proj_size or self.hidden_size)
        lstm = self.mode == "LSTM"
        h0 = c0 = None
        if hx is not None:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
                h0 = self._check_hidden(hx[0], batched, expected, "hidden[0]")
                c0 = self._check_hidden(hx[1], batched, expected[:2] + (self.hidden_size,), "hidden[1]")
            else:
                h0 = self._check_hidden(hx, batched, expected, "hidden")
        width = self.proj_size or self.hidden_size  # of h
        c_width = self.hidden_size if lstm else 0
        seq = [x[t] for t in range(steps)]
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            last = layer == self.num_layers - 1
            for direction in range(directions):
                k = layer * directions + direction
                state = _initial_state(n, width, x.dtype, None if h0 is None else h0[k],
                                       None if c0 is None else c0[k], c_width)
                weights = self._layer_weights(layer, direction)
                states = [None] * steps
                for t in (reversed(range(steps)) if direction else range(steps)):
                    state = states[t] = _step(self.mode, seq[t], state, *weights)
                if lstm:  # hc = [h, c]: the h part is the output
                    h_n.append(state[:, :width])
                    c_n.append(state[:, width:])
                    if not (last and directions == 1):
                        states = [s[:, :width] for s in states]
                else:
                    h_n.append(state)
                outputs.append(states)
            if last:
                break
            seq = outputs[0] if directions == 1 else [cat([a, b], -1) for a, b in zip(*outputs)]
            if self.dropout and self.training:
                seq = [F.dropout(s, self.dropout, True) for s in seq]
        if directions == 1:
            output = stack(outputs[0], 0)
            if lstm:
                output = output[:, :, :width]  # one slice of the stacked [h, c] states
        else:
            output = cat([stack(outputs[0], 0), stack(outputs[1], 0)], -1)
        if batched and self.batch_first:
            output = output.transpose(0, 1)
        h_n = stack(h_n, 0)
        c_n = stack(c_n, 0) if lstm else None
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        return (output, (h_n, c_n)) if lstm else (output, h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (nonlinearity='relu': relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.__dict__["nonlinearity"] = args[3]
            args = args[:3] + args[4:]
        else:
            self.__dict__["nonlinearity"] = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: gates (input, forget, cell, output) = (σ, σ, tanh, σ) of the stacked blocks;
    c_t = f·c_(t-1) + i·g, h_t = o·tanh(c_t) (with proj_size > 0: h_t = W_hr·o·tanh(c_t), ``weight_hr_l{k}``
    of shape (proj_size, hidden_size)). Returns (output, (h_n, c_n))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: r, z = σ(...); n = tanh(W_in x + b_in + r·(W_hn h + b_hn)); h' = (1 - z)·n + z·h."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """One step: ``weight_ih`` (gates·H, in), ``weight_hh`` (gates·H, H), ``bias_ih``, ``bias_hh``,
    all ~ U(-1/√H, 1/√H). Input (N, in) or (in,); hidden state zeros when omitted."""

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        resolve(device, f"nn.{type(self).__name__}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(creation.empty(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(creation.empty(num_chunks * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size)."""
        _uniform_reset(self, self.hidden_size)

    def _prepare(self, input: Tensor, states: tuple) -> tuple:  # noqa: A002
        """Check shapes; return (batched?, input as (N, in), states as (N, H) with zeros for None)."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {x.shape[1]}, expected "
                               f"{self.input_size}")
        out = []
        for k, s in enumerate(states):
            label = "hidden" if len(states) == 1 else f"hx[{k}]"
            if s is None:
                out.append(creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype))
                continue
            if s.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {s.ndim}D instead")
            s2 = s if batched else s.unsqueeze(0)
            if s2.ndim != 2 or s2.shape[0] != x.shape[0]:
                raise RuntimeError(f"{name}: Input batch size {x.shape[0]} doesn't match hidden{k} batch size "
                                   f"{s2.shape[0] if s2.ndim == 2 else 1} (input {list(input.shape)}, {label} "
                                   f"{list(s.shape)})")
            if s2.shape[1] != self.hidden_size:
                raise RuntimeError(f"{name}: hidden{k} has inconsistent hidden_size: got {s2.shape[1]}, expected "
                                   f"{self.hidden_size}")
            out.append(s2)
        return batched, x, out

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (nonlinearity='relu': relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        """h'"""
        batched, x, (h,) = self._prepare(input, (hx,))
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        h = _step(mode, x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """(h', c') with gates i, f, g, o = σ, σ, tanh, σ;  c' = f·c + i·g;  h' = o·tanh(c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple:  # noqa: A002
        """(h', c')"""
        states = (None, None) if hx is None else tuple(hx)
        batched, x, (h, c) = self._prepare(input, states)
        hc = _initial_state(x.shape[0], self.hidden_size, x.dtype, None if hx is None else h,
                            None if hx is None else c, self.hidden_size)
        hc = _step("LSTM", x, hc, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        h, c = hc[:, :self.hidden_size], hc[:, self.hidden_size:]
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """h' = (1 - z)·n + z·h with r, z = σ(...), n = tanh(W_in x + b_in + r·(W_hn h + b_hn))."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        """h'"""
        batched, x, (h,) = self._prepare(input, (hx,))
        h = _step("GRU", x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
