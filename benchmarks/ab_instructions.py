"""A/B of two checkouts by instructions executed (valgrind's callgrind), for a machine that is busy.

    python benchmarks/ab_instructions.py BASE_DIR [NEW_DIR] WORKLOAD [--reps 3]

Wall-clock A/B (ab_checkouts.py) needs a quiet machine; instruction counts do not: callgrind counts the
instructions a process executes, the same for the same binary, inputs and environment whatever else
runs. For each side, the shortened workload of ab_patches.py (W1-W5) runs in two processes under
callgrind, once set up and warmed up only and once with ``--reps`` timed runs more; the difference,
divided by the work done, is instructions per op (or step). PYTHONHASHSEED is fixed so both processes
hash alike. Instructions are not seconds (a cache miss costs more than an add), so confirm a small
difference with ab_checkouts.py on a quiet machine.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

CHILD = """
import sys
sys.argv = ["ab"]
import ab_patches
run, per, unit = ab_patches._workload({workload!r})
run()
for _ in range({reps}):
    run()
print(per, unit)
"""


def instructions(root: str, workload: str, reps: int) -> tuple:
    """(instructions executed, work units per run, unit) of one callgrind process."""
    env = dict(os.environ, TB_ROOT=os.path.abspath(root), PYTHONPATH=HERE, PYTHONHASHSEED="0",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
                              sys.executable, "-c", CHILD.format(workload=workload, reps=reps)],
                             env=env, capture_output=True, text=True, check=True)
    total = int(re.search(r"Collected : (\d+)", out.stderr).group(1))
    per, unit = out.stdout.split()
    return total, int(per), unit


def per_unit(root: str, workload: str, reps: int) -> tuple:
    base, per, unit = instructions(root, workload, 0)
    more, _, _ = instructions(root, workload, reps)
    return (more - base) / (reps * per), unit


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="BASE_DIR [NEW_DIR] WORKLOAD")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    *dirs, workload = args.dirs
    base, new = (dirs + [os.path.dirname(HERE)])[:2]
    a, unit = per_unit(base, workload.upper(), args.reps)
    b, _ = per_unit(new, workload.upper(), args.reps)
    print(f"{workload.upper()}: base {a:,.0f} instructions/{unit}, new {b:,.0f}; new/base {b / a:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
