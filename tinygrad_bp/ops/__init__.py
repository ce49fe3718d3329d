"""The differentiable primitives, grouped: elementwise, reduce, shape/indexing, matmul, fused losses."""

from . import elementwise, loss, matmul, reduce, shape  # noqa: F401
