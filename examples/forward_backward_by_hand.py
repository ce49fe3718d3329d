"""The tutorial's two-layer network, forward and backward, written with Tensors by hand.

z1 = W1·x + b1,  a1 = σ(z1),  z2 = W2·a1 + b2,  y = σ(z2),  L = ½(y - t)²
Prints every intermediate value and every gradient that backward() fills in, and checks dL/dW2
against the chain rule written out: dL/dW2 = (y - t)·y(1 - y)·a1ᵀ.
"""

import numpy as np

import tinygrad_bp as tb


def main() -> dict:
    tb.manual_seed(0)
    x = tb.tensor([[0.05], [0.10]])  # one sample, two inputs (a column vector)
    target = tb.tensor([[0.99]])
    W1 = tb.tensor([[0.15, 0.20], [0.25, 0.30]], requires_grad=True)
    b1 = tb.tensor([[0.35], [0.35]], requires_grad=True)
    W2 = tb.tensor([[0.40, 0.45]], requires_grad=True)
    b2 = tb.tensor([[0.60]], requires_grad=True)

    z1 = W1 @ x + b1
    a1 = z1.sigmoid()
    z2 = W2 @ a1 + b2
    y = z2.sigmoid()
    loss = 0.5 * ((y - target) ** 2).sum()
    loss.backward()

    for name, t in [("z1", z1), ("a1", a1), ("z2", z2), ("y", y), ("loss", loss)]:
        print(f"{name:5s} = {t.detach().numpy().ravel().round(6)}")
    for name, p in [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)]:
        print(f"dL/d{name:3s} = {p.grad.numpy().ravel().round(6)}")

    yv, a1v = y.detach().numpy(), a1.detach().numpy()
    by_hand = (yv - 0.99) * yv * (1 - yv) @ a1v.T
    assert np.allclose(W2.grad.numpy(), by_hand, rtol=1e-5)
    print("dL/dW2 agrees with the chain rule written out: (y - t)·y(1 - y)·a1ᵀ")
    return {"loss": loss.item(), "dW2": W2.grad.numpy().copy()}


if __name__ == "__main__":
    main()
