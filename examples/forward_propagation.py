"""Forward propagation (tutorial section 1) written out with Tensors, checked against ``nn.TwoLayerNet``.

    z1 = W1·x + b1,   a1 = σ(z1),   z2 = W2·a1 + b2,   y_pred = a2 = σ(z2)

The tutorial writes one sample as a column vector x. For a batch, the samples are the rows of X, so
the same equations read Z1 = X·W1ᵀ + b1 (the layout ``nn.Linear`` uses: weight has shape (out, in)).
Both are computed here by hand from the network's own weights, and both must give the network's output.

Run: ``python examples/forward_propagation.py``.
"""

import numpy as np

import tinygrad_bp as tb
from tinygrad_bp import nn


def sigma(z):
    """σ(z) = 1 / (1 + e^(−z)), from exp and arithmetic only."""
    return 1 / (1 + (-z).exp())


def main(out_dir=None, small=False):
    tb.manual_seed(0)
    net = nn.TwoLayerNet(3, 4, 2)  # 3 inputs, 4 hidden units, 2 outputs; sigmoid on both layers
    W1, b1 = net.fc1.weight.detach(), net.fc1.bias.detach()
    W2, b2 = net.fc2.weight.detach(), net.fc2.bias.detach()

    # one sample, as the tutorial writes it: a column vector
    x = tb.tensor([[0.5], [-1.0], [2.0]])
    z1 = W1 @ x + b1.reshape(4, 1)
    a1 = sigma(z1)
    z2 = W2 @ a1 + b2.reshape(2, 1)
    y_column = sigma(z2)
    print("x      =", x.numpy().ravel())
    print("z1     =", z1.numpy().ravel().round(4), "  a1 = σ(z1) =", a1.numpy().ravel().round(4))
    print("z2     =", z2.numpy().ravel().round(4), "  y_pred = σ(z2) =", y_column.numpy().ravel().round(4))

    # a batch of 5 samples, one per row
    X = tb.randn(5, 3)
    Y_by_hand = sigma(sigma(X @ W1.T + b1) @ W2.T + b2)
    with tb.no_grad():
        Y_net = net(X)
        y_net = net(x.T)
    column_error = float(np.abs(y_column.numpy().T - y_net.numpy()).max())
    batch_error = float(np.abs(Y_by_hand.numpy() - Y_net.numpy()).max())
    print(f"largest difference from nn.TwoLayerNet: one sample {column_error:.1e}, batch of 5 {batch_error:.1e}")
    return {"y_pred": y_column.numpy().ravel(), "column_error": column_error, "batch_error": batch_error}


if __name__ == "__main__":
    main()
