"""The differentiable primitives, grouped: elementwise, reduce, shape/indexing, matmul."""
