"""The differentiable primitives, grouped: elementwise, reduce, shape/indexing, matmul, fused losses,
sliding windows (conv / pooling), normalisation, activations, embedding, recurrent cells."""

from . import activation, conv, elementwise, embedding, loss, matmul, normalization, reduce, rnn, shape  # noqa: F401
