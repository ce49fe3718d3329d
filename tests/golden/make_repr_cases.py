"""Record how PyTorch prints a table of tensors: tests/golden/repr_cases.json (run with torch installed).

    .venv/bin/python tests/golden/make_repr_cases.py

Each case is the data (nested lists; NaN, infinities and -0.0 survive Python's JSON), the dtype, optional
print options and an optional ``op`` ("mul2": print ``t * 2``, which has a grad_fn), with torch's ``repr``.
tests/test_printing.py builds the same tensor in tinygrad_bp and compares after "torch." -> "tinygrad_bp.".
"""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).with_name("repr_cases.json")


def cases() -> list:
    rng = np.random.default_rng(0)
    nan, inf = math.nan, math.inf
    c = [
        ("floats", [1.0, 2.5, -3.25], "float32"),
        ("whole floats", [1.0, 2.0, -3.0], "float32"),
        ("zero-dim", 3.5, "float32"),
        ("zero-dim whole", 2.0, "float32"),
        ("zero-dim int", 7, "int64"),
        ("ints", [1, -20, 300], "int64"),
        ("int32", [1, 2], "int32"),
        ("int16", [1, 2], "int16"),
        ("int8", [-1, 2], "int8"),
        ("uint8", [0, 255], "uint8"),
        ("bool", [True, False, True], "bool"),
        ("float64", [1.5, 2.0], "float64"),
        ("float16", [0.1, 2.0, 65504.0], "float16"),
        ("big ratio", [1.0, 1001.0], "float32"),
        ("ratio exactly 1000", [1.0, 1000.0], "float32"),
        ("over 1e8", [1.0e9, 2.0], "float32"),
        ("under 1e-4", [5.0e-5, 0.5], "float32"),
        ("tiny whole ratio", [1.0, 100000.0], "float32"),
        ("nan inf", [nan, inf, -inf, 1.5], "float32"),
        ("nan whole", [nan, 1.0, 2.0], "float32"),
        ("only nan", [nan, inf], "float32"),
        ("zeros", [0.0, 0.0], "float32"),
        ("negative zero", [-0.0, 1.0], "float32"),
        ("negative zero fraction", [-0.0, 1.5], "float32"),
        ("zeros with sci", [0.0, 1e-8, 1.0], "float32"),
        ("matrix", [[1.0, 2.5], [-3.0, 4.125]], "float32"),
        ("3-d", rng.standard_normal((2, 2, 3)).round(3).tolist(), "float32"),
        ("long row wraps", rng.standard_normal(30).tolist(), "float32"),
        ("long int row wraps", list(range(0, 100000, 2500)), "int64"),
        ("summarized vector", np.arange(2000, dtype=np.float32).tolist(), "float32"),
        ("summarized matrix", rng.standard_normal((40, 50)).tolist(), "float32"),
        ("summarized 3-d", np.arange(1200).reshape(10, 10, 12).tolist(), "int64"),
        ("summarized sci", (rng.standard_normal(1500) * 1e6).tolist(), "float64"),
        ("empty", [], "float32"),
        ("empty int", [], "int64"),
        ("empty 2-d", np.zeros((0, 3)).tolist(), "float32"),
        ("precision from big numbers", [123456.789, 0.5], "float32"),
        ("negative sci", [-1e-5, 3.0], "float32"),
        ("huge", [1e30, -1e-30], "float64"),
    ]
    rows = [{"name": n, "data": d, "dtype": t} for n, d, t in c]
    rows += [
        {"name": "requires grad", "data": [1.0, 2.0], "dtype": "float32", "requires_grad": True},
        {"name": "grad_fn", "data": [1.0, 2.5], "dtype": "float32", "requires_grad": True, "op": "mul2"},
        {"name": "grad_fn float64", "data": [1.0, 2.5], "dtype": "float64", "requires_grad": True, "op": "mul2"},
        {"name": "suffix wraps", "data": rng.standard_normal(7).tolist(), "dtype": "float64", "requires_grad": True,
         "op": "mul2"},
        {"name": "precision 2", "data": [1.23456, 2.0], "dtype": "float32", "opts": {"precision": 2}},
        {"name": "sci forced", "data": [1.5, 2.0], "dtype": "float32", "opts": {"sci_mode": True}},
        {"name": "sci off", "data": [1e-6, 2.0], "dtype": "float32", "opts": {"sci_mode": False}},
        {"name": "threshold 5", "data": list(range(10)), "dtype": "int64", "opts": {"threshold": 5}},
        {"name": "edgeitems 1", "data": np.arange(20.0).reshape(4, 5).tolist(), "dtype": "float32",
         "opts": {"threshold": 5, "edgeitems": 1}},
        {"name": "linewidth 40", "data": rng.standard_normal(12).tolist(), "dtype": "float32",
         "opts": {"linewidth": 40}},
        {"name": "profile short", "data": [1.23456, 2.0], "dtype": "float32", "opts": {"profile": "short"}},
    ]
    return rows


def build(lib: object, case: dict) -> object:
    """The case's tensor in ``lib`` (torch or tinygrad_bp), with ``op`` applied."""
    dtype = getattr(lib, case["dtype"])
    t = lib.tensor(case["data"], dtype=dtype, requires_grad=case.get("requires_grad", False))
    return t * 2 if case.get("op") == "mul2" else t


def main() -> None:
    import torch

    rows = cases()
    for case in rows:
        torch.set_printoptions(profile="default", sci_mode=None)
        torch.set_printoptions(**case.get("opts", {}))
        case["torch"] = repr(build(torch, case))
    torch.set_printoptions(profile="default", sci_mode=None)
    OUT.write_text(json.dumps({"torch_version": torch.__version__, "cases": rows}, indent=1) + "\n")
    print(f"wrote {len(rows)} cases to {OUT}")


if __name__ == "__main__":
    main()
