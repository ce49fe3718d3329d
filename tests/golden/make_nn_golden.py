"""Record PyTorch's values and gradients for the nn layers and losses (tests/test_nn_golden.py).

Run by hand (needs torch==2.13.0) from the repository root:

    .venv/bin/python tests/golden/make_nn_golden.py

Writes tests/golden/nn_golden.npz: for every case in CASES and every reduction, the inputs (drawn
here from a seeded NumPy generator), the output, the upstream gradient used for backward and the
gradient of every differentiable input, all float64; and tests/golden/nn_golden.json: state_dict
keys and reprs of a few networks and calculate_gain values. CASES is imported by the tests, so the
tests need neither torch nor this script.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ARRAYS_FILE = HERE / "nn_golden.npz"
JSON_FILE = HERE / "nn_golden.json"

REDUCTIONS = ("mean", "sum", "none")

# name -> fn: torch.nn.functional name; args: (kind, shape) per positional input; grad: indices of the
# inputs that require grad; kwargs: scalar options; arrays: tensor options (kind, shape);
# reductions: whether the case runs once per reduction.
# kinds: randn, big (randn * 1000), unit (U(0.05, 0.95)), edge (unit with exact 0s and 1s), prob (rows
# of dim 1 sum to 1), binary (0/1 floats), pos (U(0.5, 2)), classes<C> (int64 in [0, C)), ignored<C>
# (classes with some entries -100).
CASES: dict[str, dict] = {}


def _case(name: str, fn: str, args: list, grad: tuple = (0,), reductions: bool = True, **options: object) -> None:
    CASES[name] = {"fn": fn, "args": args, "grad": grad, "reductions": reductions,
                   "kwargs": options.pop("kwargs", {}), "arrays": options.pop("arrays", {})}


_case("mse", "mse_loss", [("randn", (4, 3)), ("randn", (4, 3))], grad=(0, 1))
_case("mse_broadcast", "mse_loss", [("randn", (4, 1)), ("randn", (4, 3))], grad=(0, 1))
_case("l1", "l1_loss", [("randn", (4, 3)), ("randn", (4, 3))], grad=(0, 1))
_case("ce", "cross_entropy", [("randn", (6, 5)), ("classes5", (6,))])
_case("ce_weight", "cross_entropy", [("randn", (6, 5)), ("classes5", (6,))], arrays={"weight": ("pos", (5,))})
_case("ce_ignore", "cross_entropy", [("randn", (6, 5)), ("ignored5", (6,))])
_case("ce_ignore_index_2", "cross_entropy", [("randn", (6, 5)), ("classes5", (6,))], kwargs={"ignore_index": 2})
_case("ce_smooth", "cross_entropy", [("randn", (6, 5)), ("classes5", (6,))], kwargs={"label_smoothing": 0.2})
_case("ce_all_options", "cross_entropy", [("randn", (6, 5)), ("ignored5", (6,))],
      kwargs={"label_smoothing": 0.3}, arrays={"weight": ("pos", (5,))})
_case("ce_prob", "cross_entropy", [("randn", (6, 5)), ("prob", (6, 5))], grad=(0, 1))
_case("ce_prob_all_options", "cross_entropy", [("randn", (6, 5)), ("prob", (6, 5))], grad=(0, 1),
      kwargs={"label_smoothing": 0.1}, arrays={"weight": ("pos", (5,))})
_case("ce_kdim", "cross_entropy", [("randn", (2, 4, 3)), ("ignored4", (2, 3))], arrays={"weight": ("pos", (4,))})
_case("ce_unbatched", "cross_entropy", [("randn", (5,)), ("classes5", ())])
_case("ce_big_logits", "cross_entropy", [("big", (6, 5)), ("classes5", (6,))])
_case("ce_big_logits_prob", "cross_entropy", [("big", (6, 5)), ("prob", (6, 5))], grad=(0, 1),
      kwargs={"label_smoothing": 0.1})
_case("nll", "nll_loss", [("randn", (6, 5)), ("classes5", (6,))])
_case("nll_weight_ignore", "nll_loss", [("randn", (6, 5)), ("ignored5", (6,))], arrays={"weight": ("pos", (5,))})
_case("nll_kdim", "nll_loss", [("randn", (2, 4, 3)), ("classes4", (2, 3))])
_case("bce", "binary_cross_entropy", [("unit", (4, 3)), ("unit", (4, 3))], grad=(0, 1))
_case("bce_weight", "binary_cross_entropy", [("unit", (4, 3)), ("binary", (4, 3))], grad=(0, 1),
      arrays={"weight": ("pos", (3,))})
_case("bce_edge", "binary_cross_entropy", [("edge", (4, 3)), ("binary", (4, 3))])
_case("bce_logits", "binary_cross_entropy_with_logits", [("randn", (4, 3)), ("unit", (4, 3))], grad=(0, 1))
_case("bce_logits_weights", "binary_cross_entropy_with_logits", [("randn", (4, 3)), ("binary", (4, 3))],
      grad=(0, 1), arrays={"weight": ("pos", (4, 1)), "pos_weight": ("pos", (3,))})
_case("bce_logits_big", "binary_cross_entropy_with_logits", [("big", (4, 3)), ("binary", (4, 3))], grad=(0, 1),
      arrays={"pos_weight": ("pos", (3,))})
_case("linear", "linear", [("randn", (4, 3)), ("randn", (2, 3)), ("randn", (2,))], grad=(0, 1, 2), reductions=False)
_case("linear_3d", "linear", [("randn", (2, 4, 3)), ("randn", (2, 3)), ("randn", (2,))], grad=(0, 1, 2),
      reductions=False)
_case("linear_1d_nobias", "linear", [("randn", (3,)), ("randn", (2, 3))], grad=(0, 1), reductions=False)
_case("relu", "relu", [("randn", (4, 3))], reductions=False)
_case("sigmoid", "sigmoid", [("randn", (4, 3))], reductions=False)
_case("tanh", "tanh", [("randn", (4, 3))], reductions=False)
_case("leaky_relu", "leaky_relu", [("randn", (4, 3))], reductions=False, kwargs={"negative_slope": 0.2})
_case("softmax", "softmax", [("randn", (4, 3))], reductions=False, kwargs={"dim": 1})
_case("softmax_dim0", "softmax", [("big", (4, 3))], reductions=False, kwargs={"dim": 0})
_case("log_softmax", "log_softmax", [("big", (4, 3))], reductions=False, kwargs={"dim": -1})

GAINS = [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
         ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None), ("conv2d", None)]


def make_array(kind: str, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    if kind == "randn":
        return rng.standard_normal(shape)
    if kind == "big":
        return rng.standard_normal(shape) * 1000
    if kind == "unit":
        return rng.uniform(0.05, 0.95, shape)
    if kind == "edge":
        x = rng.uniform(0.05, 0.95, shape)
        x.flat[0], x.flat[1], x.flat[2], x.flat[3] = 0.0, 1.0, 0.0, 1.0
        return x
    if kind == "prob":
        e = np.exp(rng.standard_normal(shape))
        return e / e.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    if kind == "binary":
        return (rng.uniform(size=shape) < 0.5).astype(np.float64)
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if kind.startswith("classes"):
        return rng.integers(0, int(kind[7:]), shape).astype(np.int64)
    if kind.startswith("ignored"):
        t = rng.integers(0, int(kind[7:]), shape).astype(np.int64)
        t.flat[1] = -100
        t.flat[-1] = -100
        return t
    raise ValueError(kind)


def case_inputs(name: str) -> tuple:
    """The case's positional inputs and tensor options, from a generator seeded by the case's index."""
    spec = CASES[name]
    rng = np.random.default_rng(list(CASES).index(name))
    args = [make_array(kind, shape, rng) for kind, shape in spec["args"]]
    arrays = {key: make_array(kind, shape, rng) for key, (kind, shape) in spec["arrays"].items()}
    return args, arrays


def runs() -> list:
    """(case name, reduction or None) for every recorded run."""
    return [(name, red) for name, spec in CASES.items() for red in (REDUCTIONS if spec["reductions"] else (None,))]


def key(name: str, reduction: str | None) -> str:
    return name if reduction is None else f"{name}/{reduction}"


def _torch_structures(torch: object) -> dict:
    nn = torch.nn

    class TwoLayerNet(nn.Module):  # the tutorial's network, as tb.nn.TwoLayerNet defines it
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(2, 3)
            self.activation = nn.Sigmoid()
            self.fc2 = nn.Linear(3, 1)
            self.output_activation = nn.Sigmoid()

    class Nested(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("scale", torch.ones(2))
            self.head = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.25), nn.Linear(3, 2, bias=False))
            self.w = nn.Parameter(torch.zeros(2))
            self.blocks = nn.ModuleList([nn.Linear(2, 2), nn.Tanh(), nn.LeakyReLU(0.2)])
            self.register_buffer("tmp", torch.zeros(1), persistent=False)
            self.out = nn.Softmax(dim=1)
            self.flat = nn.Flatten()

    out = {}
    for label, model in [("two_layer", TwoLayerNet()), ("nested", Nested()),
                         ("sequential", nn.Sequential(nn.Linear(3, 4), nn.Identity(), nn.LogSoftmax(dim=1))),
                         ("repeated", nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Tanh(), nn.ReLU()]
                                                    + [nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))] * 2))]:
        out[label] = {"state_dict": list(model.state_dict()),
                      "named_parameters": [n for n, _ in model.named_parameters()],
                      "named_buffers": [n for n, _ in model.named_buffers()],
                      "named_modules": [n for n, _ in model.named_modules()], "repr": repr(model)}
    return out


def main() -> None:
    import torch
    import torch.nn.functional as F

    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    for name, reduction in runs():
        spec = CASES[name]
        args, opts = case_inputs(name)
        tensors = [torch.tensor(a, requires_grad=i in spec["grad"]) for i, a in enumerate(args)]
        kwargs = dict(spec["kwargs"], **{k: torch.tensor(v) for k, v in opts.items()})
        if reduction is not None:
            kwargs["reduction"] = reduction
        out = getattr(F, spec["fn"])(*tensors, **kwargs)
        upstream = np.random.default_rng(1000 + len(arrays)).uniform(0.5, 1.5, tuple(out.shape))
        out.backward(torch.tensor(upstream))
        k = key(name, reduction)
        for i, a in enumerate(args):
            arrays[f"{k}/in{i}"] = a
        for opt, a in opts.items():
            arrays[f"{k}/opt_{opt}"] = a
        arrays[f"{k}/out"] = out.detach().numpy()
        arrays[f"{k}/upstream"] = upstream
        for i in spec["grad"]:
            arrays[f"{k}/grad{i}"] = tensors[i].grad.numpy()
    np.savez_compressed(ARRAYS_FILE, **arrays)
    info = {"torch_version": torch.__version__, "structures": _torch_structures(torch),
            "gains": [[n, p, torch.nn.init.calculate_gain(n, p)] for n, p in GAINS]}
    JSON_FILE.write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {len(arrays)} arrays to {ARRAYS_FILE.name} and {JSON_FILE.name}")


if __name__ == "__main__":
    main()
