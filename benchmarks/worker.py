"""Run ONE contender x workload in this (fresh) process and print one JSON line with the result.

    python benchmarks/worker.py CONTENDER WORKLOAD [--quick]

CONTENDER is numpy, torch or tinygrad_bp; WORKLOAD is W1..W10. `run.py` starts one of these per
measurement, with OMP/OPENBLAS/MKL_NUM_THREADS=1 already in the environment. The first thing this
process does is the timed `import` of the contender (W6), so nothing else is loaded before it.
With TB_ROOT=DIR in the environment, tinygrad_bp is imported from DIR/tinygrad_bp (run.py --baseline).
"""

import importlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODULES = {"numpy": "numpy", "torch": "torch", "tinygrad_bp": "tinygrad_bp"}
REPEATS_IN_PROCESS = 3


def _status_kb(field: str) -> int:
    """A field of /proc/self/status in KiB (VmRSS, VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss() -> tuple[int, str]:
    """Reset the kernel's peak-RSS counter (VmHWM) and return (current RSS in KiB, method)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                      # 5 = reset the peak resident set size
        return _status_kb("VmRSS"), "VmHWM"
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"


def peak_rss_kb(method: str) -> int:
    if method == "VmHWM":
        return _status_kb("VmHWM")
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def thread_info(lib, contender: str) -> dict:
    """The BLAS/OpenMP thread counts actually in effect (threadpoolctl), plus torch's own."""
    info = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    try:
        import threadpoolctl

        info["pools"] = [f"{p['internal_api']}:{p['num_threads']}" for p in threadpoolctl.threadpool_info()]
    except ImportError:
        info["pools"] = ["threadpoolctl not installed"]
    if contender == "torch":
        info["torch.get_num_threads"] = lib.get_num_threads()
    return info


def main() -> None:
    contender, workload = sys.argv[1], sys.argv[2].upper()
    quick = "--quick" in sys.argv[3:]
    # tinygrad_bp from this checkout (even if not installed), or from TB_ROOT (run.py --baseline)
    sys.path.insert(1, os.environ.get("TB_ROOT") or ROOT)
    c0, t0 = time.process_time(), time.perf_counter()
    lib = importlib.import_module(MODULES[contender])
    import_s, import_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    result = {"contender": contender, "workload": workload, "import_s": import_s}
    if workload == "W6":
        result["seconds"], result["cpu_seconds"] = import_s, import_cpu_s
    else:
        if contender == "torch":
            lib.set_num_threads(1)
        # Load what every contender's workload uses (the data generators in numpy.random, the workload
        # module) before the memory baseline, so lazily imported modules are not counted as training memory.
        importlib.import_module("numpy.random")
        impl = importlib.import_module("workloads_numpy" if contender == "numpy" else "workloads_torchlike")
        run = getattr(impl, workload.lower())
        base_kb, method = reset_peak_rss()
        # Best of REPEATS_IN_PROCESS timed runs (W7 once): a spike of a shared machine hits one run, not all.
        runs = []
        for _ in range(1 if workload == "W7" or quick else REPEATS_IN_PROCESS):
            runs.append(run(quick=quick) if contender == "numpy" else run(lib, quick=quick))
        out = min(runs, key=lambda r: r["cpu_seconds"])
        out["all_cpu_seconds"] = [r["cpu_seconds"] for r in runs]
        result.update(out)
        result["peak_mb"] = (peak_rss_kb(method) - base_kb) / 1024
        result["mem_method"] = method
    result["threads"] = thread_info(lib, contender)
    result["module_file"] = getattr(lib, "__file__", None)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
