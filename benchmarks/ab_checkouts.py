"""Paired A/B timing of two checkouts of tinygrad_bp (a change that cannot be a monkeypatch).

    python benchmarks/ab_checkouts.py BASE_DIR [NEW_DIR] WORKLOAD [--rounds 20] [--reps 5]

BASE_DIR is another checkout (e.g. ``git archive HEAD | tar -x -C /tmp/base``); NEW_DIR defaults
to this one. Each round starts one fresh process per side (order flipping each round), runs the
shortened workload of ab_patches.py (W1-W5) or of workloads_torchlike.py (W8-W10: 10, 50 and 4
steps, timed by the workload's own CPU clock) ``--reps`` times and keeps its best time; the report is the
median of the per-round ratios new/base, plus the best time of each side. Workers import their
checkout through TB_ROOT, so both sides time the same benchmark code.
"""

import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CHILD = """
import sys, time
sys.argv = ["ab"]
import ab_patches
run, per, unit = ab_patches._workload({workload!r})
run()
best = float("inf")
for _ in range({reps}):
    t0 = time.perf_counter(); run(); best = min(best, time.perf_counter() - t0)
print(best / per * 1e6, unit)
"""

# W8-W10 (issue 13): the workload functions of workloads_torchlike.py with fewer steps; their own CPU clock
# (process_time of the timed loop only, without building the model; robust on a busy machine) is what counts.
SHORT_STEPS = {"W8": 10, "W9": 50, "W10": 4}
CHILD_TORCHLIKE = """
import os, sys
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
sys.path[:0] = [os.environ["PYTHONPATH"], os.environ["TB_ROOT"]]
import tinygrad_bp as tb
import workloads_torchlike as WT
run = getattr(WT, {workload!r}.lower())
run(tb, steps={steps})
best = min(run(tb, steps={steps})["cpu_seconds"] for _ in range({reps}))
print(best / {steps} * 1e6, {unit!r})
"""


def time_side(root: str, workload: str, reps: int) -> tuple:
    env = dict(os.environ, TB_ROOT=os.path.abspath(root), PYTHONPATH=HERE)
    if workload in SHORT_STEPS:
        code = CHILD_TORCHLIKE.format(workload=workload, steps=SHORT_STEPS[workload], reps=reps,
                                      unit="iter" if workload == "W10" else "step")
    else:
        code = CHILD.format(workload=workload, reps=reps)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), out[1]


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="BASE_DIR [NEW_DIR] WORKLOAD")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    *dirs, workload = args.dirs
    base, new = (dirs + [os.path.dirname(HERE)])[:2]
    ratios, best = [], {"base": float("inf"), "new": float("inf")}
    for r in range(args.rounds):
        pair = {}
        for side in ("base", "new") if r % 2 == 0 else ("new", "base"):
            pair[side], unit = time_side(base if side == "base" else new, workload.upper(), args.reps)
            best[side] = min(best[side], pair[side])
        ratios.append(pair["new"] / pair["base"])
    q = statistics.quantiles(ratios, n=4)
    print(f"{workload.upper()}: best base {best['base']:.2f} µs/{unit}, new {best['new']:.2f} µs/{unit}; "
          f"paired ratio new/base: median {statistics.median(ratios):.3f} (quartiles {q[0]:.3f}-{q[2]:.3f}, "
          f"{args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
