"""TwoLayerNet: the tutorial's network, z1 = W1·x + b1, a1 = σ(z1), z2 = W2·a1 + b2, y = σ(z2)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .activation import Sigmoid
from .layers import Linear
from .module import Module


def _activation(spec: Any, name: str) -> Module | None:
    """A Module class is instantiated (a fresh one per network); an instance or None is used as is."""
    if spec is None or isinstance(spec, Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    raise TypeError(f"TwoLayerNet: {name} must be an nn.Module, a Module class or None, got {type(spec).__name__}")


class TwoLayerNet(Module):
    """Linear ``fc1`` -> ``activation`` -> Linear ``fc2`` -> ``output_activation``.

    Each activation is a module instance, a Module class (instantiated per network) or None (no
    activation). The defaults build a fresh ``nn.Sigmoid()`` for each network, never one shared
    instance, so a forward hook on one network's activation does not fire for another's.
    """

    def __init__(self, in_features: int, hidden_features: int, out_features: int,
                 activation: Any = Sigmoid, output_activation: Any = Sigmoid) -> None:
        super().__init__()
        self.fc1 = Linear(in_features, hidden_features)
        self.add_module("activation", _activation(activation, "activation"))
        self.fc2 = Linear(hidden_features, out_features)
        self.add_module("output_activation", _activation(output_activation, "output_activation"))

    def forward(self, x: Tensor) -> Tensor:
        """y = out_act(fc2(act(fc1(x))))"""
        modules = self._modules
        z1 = modules["fc1"](x)
        a1 = z1 if modules["activation"] is None else modules["activation"](z1)
        z2 = modules["fc2"](a1)
        return z2 if modules["output_activation"] is None else modules["output_activation"](z2)
