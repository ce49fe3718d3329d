"""A custom differentiable operation with ``tb.autograd.Function``, exactly as in PyTorch.

``forward(ctx, x)`` computes the output (with graph recording off) and saves what backward needs;
``backward(ctx, grad_output)`` returns dL/dx = dL/dy · dy/dx. Here: the tutorial's activation
σ(x) = 1 / (1 + e^(−x)), whose derivative σ'(x) = σ(x)·(1 − σ(x)) needs only the output, so forward
saves y instead of x.

Checks: ``tb.autograd.gradcheck`` (backward against central finite differences, float64), and the
same two-layer network built with the custom σ and with the built-in one gives the same gradients.

Run: ``python examples/custom_function.py``.
"""

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn


class MySigmoid(tb.autograd.Function):
    """y = σ(x);  dL/dx = dL/dy · y·(1 − y)."""

    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + (-x).exp())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1 - y)


class MySigmoidModule(nn.Module):
    def forward(self, x):
        return MySigmoid.apply(x)


def main(out_dir=None, small=False):
    tb.manual_seed(0)
    x = tb.randn(4, 3, dtype=tb.float64, requires_grad=True)
    passed = tb.autograd.gradcheck(MySigmoid.apply, (x,))
    y = MySigmoid.apply(x)
    print("gradcheck(MySigmoid.apply) ->", passed, "  grad_fn:", y.grad_fn)

    # the tutorial's network twice: custom σ and built-in σ, same weights, same data
    X, target = tb.randn(8, 2), tb.rand(8, 1)
    grads = {}
    for name, activation in [("custom", MySigmoidModule), ("built-in", nn.Sigmoid)]:
        tb.manual_seed(0)
        net = nn.TwoLayerNet(2, 3, 1, activation=activation, output_activation=activation)
        loss = nn.MSELoss()(net(X), target)
        loss.backward()
        grads[name] = {k: p.grad.numpy().copy() for k, p in net.named_parameters()}
        print(f"{name:8s} σ: loss {loss.item():.6f}, dL/dfc1.weight[0] = {grads[name]['fc1.weight'][0].round(6)}")
    difference = max(float(np.abs(grads["custom"][k] - grads["built-in"][k]).max()) for k in grads["custom"])
    print(f"largest gradient difference: {difference:.1e}")
    return {"gradcheck": passed, "grad_difference": difference}


if __name__ == "__main__":
    main()
