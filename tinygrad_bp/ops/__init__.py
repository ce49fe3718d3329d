"""The differentiable primitives, grouped: elementwise, reduce, shape/indexing, matmul, fused losses,
sliding windows (conv / pooling), normalisation, activations, embedding."""

from . import activation, conv, elementwise, embedding, loss, matmul, normalization, reduce, shape  # noqa: F401
