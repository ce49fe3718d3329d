"""The differentiable primitives, grouped: elementwise, reduce, shape/indexing, matmul, fused losses,
sliding windows (conv / pooling), normalisation, activations, embedding, recurrent cells."""

from . import (  # noqa: F401
    activation,
    conv,
    elementwise,
    embedding,
    indexing,
    loss,
    matmul,
    normalization,
    pointwise,
    reduce,
    rnn,
    shape,
    sorting,
)
