"""The tutorial's worked example (examples/forward_backward_by_hand.py) as a picture of the chain rule.

z1 = W1·x + b1,  a1 = σ(z1),  z2 = W2·a1 + b2,  y = σ(z2),  L = ½(y - t)²
with the tutorial's numbers, run forward and backward under ``capture()`` so every node shows its
value, its gradient dL/d(out) and its local derivative (``python -m tinygrad_bp graph --example``).
"""

from __future__ import annotations

from typing import Any

from ..creation import tensor
from .capture import capture
from .draw import draw_graph


def worked_example() -> dict:
    """Run the example: a dict of its tensors (x, target, W1, b1, W2, b2, z1, a1, z2, y, loss) after a
    captured backward pass."""
    x = tensor([[0.05], [0.10]])  # one sample, two inputs (a column vector)
    target = tensor([[0.99]])
    W1 = tensor([[0.15, 0.20], [0.25, 0.30]], requires_grad=True)
    b1 = tensor([[0.35], [0.35]], requires_grad=True)
    W2 = tensor([[0.40, 0.45]], requires_grad=True)
    b2 = tensor([[0.60]], requires_grad=True)
    with capture():
        z1 = W1 @ x + b1
        a1 = z1.sigmoid()
        z2 = W2 @ a1 + b2
        y = z2.sigmoid()
        loss = 0.5 * ((y - target) ** 2).sum()
        loss.backward()
    return {"x": x, "target": target, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
            "z1": z1, "a1": a1, "z2": z2, "y": y, "loss": loss}


def draw_worked_example(**draw_kwargs: Any) -> Any:
    """The example's graph with values, every gradient, each edge's contribution and the formulas."""
    t = worked_example()
    options = {"show_values": True, "show_grads": True, "show_formulas": True, "show_edge_grads": True}
    options.update(draw_kwargs)
    return draw_graph(t["loss"], params={k: t[k] for k in ("W1", "b1", "W2", "b2")},
                      inputs={"x": t["x"], "target": t["target"]}, **options)
