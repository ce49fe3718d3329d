"""Profile one workload of one contender (default tinygrad_bp) with cProfile or pyinstrument.

    python benchmarks/profile_workload.py W1 [--contender tinygrad_bp] [--tool cprofile|pyinstrument]
                                          [--sort tottime] [--limit 30] [--quick] [--out prof.txt]

cProfile (always available) gives exact call counts and per-function own time ("tottime"), but
its per-call overhead inflates tiny functions; pyinstrument (sampling, `pip install pyinstrument`)
gives a truer picture of where wall time goes. Use both: counts from one, proportions from the other.
The same thread settings as run.py are applied (1 BLAS thread).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"                    # before NumPy is imported

import argparse  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.environ.get("TB_ROOT") or ROOT]  # TB_ROOT: another checkout


def workload_callable(contender: str, workload: str, quick: bool):
    """A no-argument function that runs the workload once and returns its result dict."""
    name = workload.lower()
    if contender == "numpy":
        import workloads_numpy as impl

        return lambda: getattr(impl, name)(quick=quick)
    lib = importlib.import_module(contender)
    if contender == "torch":
        lib.set_num_threads(1)
    import workloads_torchlike as impl

    return lambda: getattr(impl, name)(lib, quick=quick)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", help="W1..W5")
    ap.add_argument("--contender", default="tinygrad_bp", choices=("tinygrad_bp", "torch", "numpy"))
    ap.add_argument("--tool", default="cprofile", choices=("cprofile", "pyinstrument"))
    ap.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative, ncalls)")
    ap.add_argument("--limit", type=int, default=30, help="rows of the cProfile table")
    ap.add_argument("--quick", action="store_true", help="step counts / 4")
    ap.add_argument("--out", default=None, help="also write the report to this file")
    args = ap.parse_args(argv)
    run = workload_callable(args.contender, args.workload.upper(), args.quick)
    run()                                      # warm-up: first-call imports and caches
    if args.tool == "cprofile":
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        result = run()
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)
        text = buf.getvalue()
    else:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.0002)
        prof.start()
        result = run()
        prof.stop()
        text = prof.output_text(unicode=True, color=False, show_all=False)
    header = (f"{args.contender} {args.workload.upper()} under {args.tool}: timed region "
              f"{result['seconds'] * 1e3:.1f} ms (profiler overhead included), check={result.get('check')}\n")
    print(header + text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(header + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
