"""Pictures of the tutorial's two-layer network: its forward graph and the gradients backward() sent.

    python examples/graph_two_layer.py [output directory]      (default: graph_two_layer/)

Writes three SVG files:
  forward.svg    the graph one forward pass records: z1 = W1·x + b1, a1 = σ(z1), z2 = W2·a1 + b2,
                 y = σ(z2), L = mean((y - t)²); operations grey, parameters light blue, values saved
                 for backward orange, the output green; each module is a box (fc1 (Linear), ...)
  gradients.svg  the same graph after loss.backward(): every parameter with its gradient and ‖g‖,
                 outlined blue / green / red for vanishing / healthy / exploding gradients
  layers.svg     the gradient picture with each module collapsed into one box
Works without a system Graphviz (SVG is rendered in-process by WebAssembly Graphviz); with the
`dot` program installed, render() uses it instead. Prints which route rendered and how long it took.
"""

import sys
import time
from pathlib import Path

import tinygrad_bp as tb
from tinygrad_bp import nn
from tinygrad_bp.viz import draw_graph, render
from tinygrad_bp.viz.rendering import route


def main(out_dir: str = "graph_two_layer") -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tb.manual_seed(0)
    net = nn.TwoLayerNet(2, 3, 1)  # 2 inputs, 3 hidden units, 1 output, sigmoid activations
    x = tb.tensor([[0.05, 0.10], [0.60, 0.20], [0.90, 0.80], [0.30, 0.70]])
    target = tb.tensor([[0.01], [0.99], [0.50], [0.20]])

    y = net(x)
    loss = ((y - target) ** 2).mean()
    times = {}
    start = time.perf_counter()
    render(draw_graph(loss, params=net, show_values=True), out / "forward.svg")
    times["forward.svg"] = time.perf_counter() - start

    loss.backward(retain_graph=True)  # keep the saved values, so the gradient picture still shows them
    start = time.perf_counter()
    render(draw_graph(loss, params=net, show_grads=True), out / "gradients.svg")
    times["gradients.svg"] = time.perf_counter() - start
    render(draw_graph(loss, params=net, show_grads=True, collapse_modules=True), out / "layers.svg")

    print(f"loss = {loss.item():.6f}")
    norms = {name: p.grad.double().pow(2).sum().sqrt().item() for name, p in net.named_parameters()}
    for name, norm in norms.items():
        print(f"dL/d{name:10s} ‖g‖ = {norm:.6f}")
    print(f"rendered by: {route()} ({'the dot program' if route() == 'dot' else 'in-process WebAssembly Graphviz'})")
    for name, seconds in times.items():
        print(f"  {out / name}: {seconds * 1000:.0f} ms")
    return {"files": sorted(p.name for p in out.iterdir()), "loss": loss.item(), "route": route(),
            "grad_norms": norms}


if __name__ == "__main__":
    main(*sys.argv[1:2])
