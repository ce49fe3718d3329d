"""Benchmark harness: tinygrad_bp against hand-written NumPy (the floor) and PyTorch (when installed).

    python benchmarks/run.py [--repeat 5] [--workloads W1,W3] [--contenders numpy,torch,tinygrad_bp]
                             [--quick] [--output benchmarks/RESULTS.md | --no-write] [--baseline REF]

Every measurement is one fresh `python benchmarks/worker.py CONTENDER WORKLOAD` process. The runs are
interleaved (repeat -> workload -> contender, the contender order rotating) so that a slow spell of the
machine hits every contender alike. Every process gets OMP/OPENBLAS/MKL_NUM_THREADS=1 (and PyTorch
torch.set_num_threads(1)); the thread pools actually in effect are recorded. The table shows medians
and the ratios tinygrad_bp / NumPy and tinygrad_bp / PyTorch. A full run (not --quick) writes
benchmarks/RESULTS.md with the machine and versions. Benchmarks are never pass/fail tests: the
"target" column only reports whether the issue's goals are met.

A/B a change: `--baseline REF` adds a contender "baseline", tinygrad_bp from a git ref (exported with
`git archive` into a temporary directory) or from a directory holding a tinygrad_bp/ package, run
interleaved with the working tree's, e.g. `run.py --baseline HEAD --contenders tinygrad_bp --workloads W4`.
"""

import argparse
import atexit
import datetime
import functools
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import common as C  # noqa: E402

CONTENDERS = ("tinygrad_bp", "numpy", "torch", "baseline")
LABELS = {"tinygrad_bp": "tinygrad_bp", "numpy": "NumPy (by hand)", "torch": "PyTorch", "baseline": "baseline"}
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

DESCRIPTIONS = {
    "W1": f"Linear(10,1), MSELoss, SGD(lr=0.01), DataLoader(batch_size=1), {C.W1_STEPS} steps",
    "W2": f"same, DataLoader(batch_size={C.W2_BATCH}, shuffle=True), {C.W2_STEPS} steps",
    "W3": f"MLP 784-256-10 ReLU, CrossEntropyLoss, Adam(lr=1e-3), batch 128, float32, {C.W3_STEPS} steps",
    "W4": f"{C.W4_OPS}-op chain (y*w, y+c, tanh) on {C.W4_SIZE} elements, fwd+bwd",
    "W5": f"{C.W5_OPS:,}-op chain on one element, fwd+bwd",
    "W6": "`import` in a fresh process",
    "W3mem": "W3 peak RSS above the import",
    "W7": f"memory growth: RSS after {C.W7_LONG} minus after {C.W7_SHORT} steps of W2's loop",
    "W8": f"LeNet step: Conv 1→6 5×5, max-pool 2, Conv 6→16 5×5, max-pool 2, Linear 256-120-84-10 ReLU, "
          f"batch {C.W8_BATCH} of 1×28×28, CrossEntropyLoss, SGD, {C.W8_STEPS} steps",
    "W9": f"makemore MLP step: Embedding {C.W9_VOCAB}×{C.W9_EMBED}, context {C.W9_CONTEXT}, Linear 30→200, "
          f"BatchNorm1d, tanh, Linear 200→27, cross-entropy, batch {C.W9_BATCH}, SGD, {C.W9_STEPS} steps",
    "W10": f"LSTM(input {C.W10_INPUT}, hidden {C.W10_HIDDEN}) over {C.W10_SEQ} steps, batch {C.W10_BATCH}, "
           f"fwd + bwd, {C.W10_ITERS} iterations",
}
# row -> (unit, how to get the number from a worker result and the clock key: seconds or cpu_seconds)
UNITS = {
    "W1": ("ms", lambda r, k: r[k] * 1e3),
    "W2": ("ms", lambda r, k: r[k] * 1e3),
    "W3": ("ms", lambda r, k: r[k] * 1e3),
    "W4": ("µs/op", lambda r, k: r[k] / r["ops"] * 1e6),
    "W5": ("s", lambda r, k: r[k]),
    "W6": ("ms", lambda r, k: r[k] * 1e3),
    "W3mem": ("MB", lambda r, k: r["peak_mb"]),
    "W7": ("KB", lambda r, k: r["growth_kb"]),
    "W8": ("ms/step", lambda r, k: r[k] / r["steps"] * 1e3),
    "W9": ("ms/step", lambda r, k: r[k] / r["steps"] * 1e3),
    "W10": ("ms/iter", lambda r, k: r[k] / r["steps"] * 1e3),
}
CLOCKS = {"cpu": ("cpu_seconds", "CPU time of the process (process_time)"),
          "wall": ("seconds", "wall-clock time (perf_counter)")}
# row -> (description, test on (tb, numpy, torch) medians; None when it cannot be judged)
TARGETS = {
    "W1": ("≤ 2.0x NumPy", lambda t, n, p: _le(t, n, 2.0)),
    "W2": ("≤ 2.5x NumPy", lambda t, n, p: _le(t, n, 2.5)),
    "W3": ("≤ 1.15x NumPy and < PyTorch", lambda t, n, p: _all(_le(t, n, 1.15), _le(t, p, 1.0))),
    "W3mem": ("≤ 2x NumPy", lambda t, n, p: _le(t, n, 2.0)),
    "W4": ("≤ 0.8x PyTorch", lambda t, n, p: _le(t, p, 0.8)),
    "W5": ("≤ 1.0x PyTorch", lambda t, n, p: _le(t, p, 1.0)),
    "W6": ("≤ 150 ms", lambda t, n, p: None if t is None else t <= 150.0),
    "W7": ("no growth (≤ 256 KB)", lambda t, n, p: None if t is None else t <= 256),
    "W8": ("≤ 2.5x PyTorch", lambda t, n, p: _le(t, p, 2.5)),
    "W9": ("≤ 1.0x PyTorch", lambda t, n, p: _le(t, p, 1.0)),
    "W10": ("reported", lambda t, n, p: None),
}


def implemented(contender: str, workload: str) -> bool:
    """Whether the contender has code for the workload: the NumPy contender lacks some (its hand-written
    version is optional for W8-W10; read from workloads_numpy.py's function names, without importing it)."""
    if contender != "numpy" or workload == "W6":
        return True
    import ast

    with open(os.path.join(HERE, "workloads_numpy.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return workload.lower() in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _all(*oks: bool | None) -> bool | None:
    """False if any goal is missed, None if nothing could be judged, else True (missing parts skipped)."""
    if any(ok is False for ok in oks):
        return False
    return None if all(ok is None for ok in oks) else True


def _le(a: float | None, b: float | None, factor: float) -> bool | None:
    if a is None or b is None:
        return None
    return a <= factor * b


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=None, help="fresh processes per contender x workload "
                    "(default 5, or 1 with --quick)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated subset of W1..W10")
    ap.add_argument("--contenders", default="tinygrad_bp,numpy,torch", help="comma-separated subset")
    ap.add_argument("--baseline", default=None, metavar="REF",
                    help="also run tinygrad_bp from this git ref or directory (contender 'baseline')")
    ap.add_argument("--quick", action="store_true",
                    help=f"1 repeat, step counts / {C.QUICK_DIVISOR}; "
                    "does not write RESULTS.md unless --output")
    ap.add_argument("--output", default=None, help="where to write the Markdown report "
                    "(default benchmarks/RESULTS.md for a full run of all workloads)")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    ap.add_argument("--clock", default="cpu", choices=tuple(CLOCKS),
                    help="which time the main table shows (both are recorded; default cpu: robust on a "
                    "shared machine, equal to wall time on an idle one for these single-threaded runs)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per worker process")
    args = ap.parse_args(argv)
    args.workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    for w in args.workloads:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    for c in args.contenders:
        if c not in CONTENDERS:
            ap.error(f"unknown contender {c!r}; choose from {', '.join(CONTENDERS)}")
    if args.baseline:
        if "baseline" not in args.contenders:
            args.contenders.append("baseline")
        args.baseline_root = baseline_root(args.baseline)
        LABELS["baseline"] = f"baseline ({args.baseline})"
    elif "baseline" in args.contenders:
        ap.error("the 'baseline' contender needs --baseline REF")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


def baseline_root(ref: str) -> str:
    """A directory holding tinygrad_bp/: `ref` itself, or `git archive ref` unpacked into a temp dir."""
    if os.path.isdir(os.path.join(ref, "tinygrad_bp")):
        return os.path.abspath(ref)
    import tarfile
    import tempfile

    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", ref + "^{commit}"],
                            capture_output=True, text=True)
    if commit.returncode != 0:
        sys.exit(f"--baseline {ref!r}: neither a directory with tinygrad_bp/ nor a git ref")
    root = tempfile.mkdtemp(prefix="tb_baseline_")
    atexit.register(shutil.rmtree, root, True)
    archive = subprocess.run(["git", "-C", ROOT, "archive", commit.stdout.strip(), "tinygrad_bp"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    return root


def worker_env(tb_root: str | None = None) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = "1"
    env.pop("TB_ROOT", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # import from cached bytecode, as after `pip install` (W6)
    if tb_root:
        env["TB_ROOT"] = tb_root
    return env


def run_one(contender: str, workload: str, quick: bool, timeout: float, tb_root: str | None = None) -> dict:
    """One fresh worker process; returns its JSON result or {'error': ...}."""
    module = "tinygrad_bp" if contender == "baseline" else contender
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), module, workload]
    if quick:
        cmd.append("--quick")
    env = worker_env(tb_root if contender == "baseline" else None)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit code {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warm_bytecode(args: argparse.Namespace) -> None:
    """Import tinygrad_bp once (per checkout) untimed, so its __pycache__ exists before any timed import."""
    for c in args.contenders:
        if c in ("tinygrad_bp", "baseline"):
            env = worker_env(getattr(args, "baseline_root", None) if c == "baseline" else None)
            root = env.get("TB_ROOT") or ROOT
            subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {root!r}); import tinygrad_bp"],
                           env=env, cwd=ROOT, capture_output=True, timeout=args.timeout)


def measure(args: argparse.Namespace) -> dict:
    """results[(contender, workload)] = list of worker results, interleaved over repeats."""
    warm_bytecode(args)
    results = {(c, w): [] for c in args.contenders for w in args.workloads}
    n = len(args.contenders)
    total = args.repeat * len(args.workloads) * n
    done = 0
    for rep in range(args.repeat):
        for wi, w in enumerate(args.workloads):
            shift = (rep + wi) % n
            for c in args.contenders[shift:] + args.contenders[:shift]:
                done += 1
                if not implemented(c, w):
                    print(f"[{done}/{total}] rep {rep + 1} {w} {c}: no implementation, skipped", file=sys.stderr,
                          flush=True)
                    continue
                t0 = time.perf_counter()
                r = run_one(c, w, args.quick, args.timeout, getattr(args, "baseline_root", None))
                results[(c, w)].append(r)
                note = r["error"] if "error" in r else f"{time.perf_counter() - t0:.1f} s"
                print(f"[{done}/{total}] rep {rep + 1} {w} {c}: {note}", file=sys.stderr, flush=True)
    return results


def rows_for(workloads: list[str]) -> list[str]:
    rows = []
    for w in workloads:
        rows.append(w)
        if w == "W3":
            rows.append("W3mem")
    return rows


def summarize(results: dict, args: argparse.Namespace, clock: str, stat: str = "median") -> dict:
    """summary[row][contender] = {'median', 'values', 'checks', 'error'} for one clock (cpu or wall);
    with stat="min" the 'median' entry holds the best (smallest) run instead."""
    key = CLOCKS[clock][0]
    summary = {}
    for row in rows_for(args.workloads):
        w = "W3" if row == "W3mem" else row
        get = UNITS[row][1]
        summary[row] = {}
        for c in args.contenders:
            runs = results[(c, w)]
            good = [r for r in runs if "error" not in r]
            errors = [r["error"] for r in runs if "error" in r]
            values = [get(r, key) for r in good]
            summary[row][c] = {
                "median": (min(values) if stat == "min" else statistics.median(values)) if values else None,
                "values": values,
                "checks": [r.get("check") for r in good if r.get("check") is not None],
                "error": errors[0] if errors else None,
                "n_failed": len(errors),
                "skipped": not implemented(c, w),
            }
    return summary


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "n/a"
    if unit in ("ms/step", "ms/iter"):
        return f"{x:.3f}" if x < 10 else f"{x:.2f}"
    if unit == "s":
        return f"{x:.3f}"
    if unit == "µs/op":
        return f"{x:.2f}"
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def _skip_ratio(med: dict, skip: set, a: str, b: str) -> str:
    """med[a] / med[b], or "—" when either contender has no code for the workload."""
    return "—" if a in skip or b in skip else _ratio(med[a], med[b])


def main_table(summary: dict, args: argparse.Namespace) -> str:
    cs = args.contenders
    head = ["workload", "unit"] + [LABELS[c] for c in cs]
    has_tb = "tinygrad_bp" in cs
    if has_tb and "numpy" in cs:
        head.append("tinygrad_bp / NumPy")
    if has_tb and "torch" in cs:
        head.append("tinygrad_bp / PyTorch")
    if "torch" in cs and "numpy" in cs:
        head.append("PyTorch / NumPy")
    if has_tb and "baseline" in cs:
        head.append("tinygrad_bp / baseline")
    if has_tb:
        head += ["target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row, per in summary.items():
        unit = UNITS[row][0]
        med = {c: per[c]["median"] for c in cs}
        skip = {c for c in cs if per[c]["skipped"]}  # no code for this workload: "—", not "n/a" (a failure)
        ratio = functools.partial(_skip_ratio, med, skip)
        cells = [f"{row} {DESCRIPTIONS[row]}", unit] + ["—" if c in skip else _fmt(med[c], unit) for c in cs]
        if has_tb and "numpy" in cs:
            cells.append(ratio("tinygrad_bp", "numpy"))
        if has_tb and "torch" in cs:
            cells.append(ratio("tinygrad_bp", "torch"))
        if "torch" in cs and "numpy" in cs:
            cells.append(ratio("torch", "numpy"))
        if has_tb and "baseline" in cs:
            cells.append(ratio("tinygrad_bp", "baseline"))
        if has_tb:
            text, test = TARGETS[row]
            ok = test(med["tinygrad_bp"], med.get("numpy"), med.get("torch"))
            cells += [text, "n/a" if ok is None else ("yes" if ok else "**no**")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def detail_table(summary: dict, args: argparse.Namespace) -> str:
    lines = ["| workload | contender | every run (interleaved order) | check values (must agree) |",
             "|---|---|---|---|"]
    for row, per in summary.items():
        unit = UNITS[row][0]
        for c in args.contenders:
            s = per[c]
            runs = ", ".join(_fmt(v, unit) for v in s["values"]) or "—"
            if s["skipped"]:
                runs = "no implementation (optional)"
            if s["error"]:
                runs += f" ({s['n_failed']} failed: `{s['error'][:120]}`)"
            checks = sorted({f"{x:.6g}" for x in s["checks"]}) if row != "W3mem" else []
            lines.append(f"| {row} | {LABELS[c]} | {runs} {unit} | {', '.join(checks) or '—'} |")
    return "\n".join(lines)


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info(results: dict) -> list[tuple[str, str]]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "tinygrad_bp"],
                               capture_output=True, text=True).stdout.strip()
        commit += " (tinygrad_bp/ has uncommitted changes)" if dirty else ""
    except OSError:
        commit = "unknown"
    threads = {}
    for (c, _w), runs in results.items():
        for r in runs:
            if "threads" in r:
                t = r["threads"]
                desc = ", ".join(t.get("pools", []))
                if "torch.get_num_threads" in t:
                    desc += f", torch.get_num_threads()={t['torch.get_num_threads']}"
                threads[c] = desc
    env = ", ".join(f"{v}=1" for v in THREAD_VARS)
    info = [
        ("date (UTC)", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")),
        ("CPU", cpu),
        ("cores (os.cpu_count)", str(os.cpu_count())),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("NumPy", _version("numpy")),
        ("PyTorch", _version("torch")),
        ("tinygrad_bp commit", commit),
        ("threads", env + "; torch.set_num_threads(1)"),
    ]
    info += [(f"thread pools seen ({LABELS[c]})", d) for c, d in sorted(threads.items())]
    return info


def report(results: dict, args: argparse.Namespace, elapsed: float) -> str:
    cmd = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    other = "wall" if args.clock == "cpu" else "cpu"
    summary = summarize(results, args, args.clock)
    out = [
        "# Benchmarks: tinygrad_bp vs hand-written NumPy vs PyTorch",
        "",
        f"Generated by `{cmd.strip()}` (make bench) in {elapsed:.0f} s. Medians of {args.repeat} fresh "
        "processes per contender and workload, interleaved. Ratios below 1 mean tinygrad_bp is faster. "
        "Benchmarks are not pass/fail tests; the `met` column reports the goals of issue 9 (W1-W7) and "
        "issue 13 (W8-W10).",
        "",
        f"## Main table: {CLOCKS[args.clock][1]}",
        "",
        main_table(summary, args),
        "",
        f"## The same runs, best of {args.repeat} (minimum), {CLOCKS[args.clock][1]}",
        "",
        "On a shared machine the minimum is the run least disturbed by other processes (timeit's rule); "
        "when medians and minima disagree about a target, the machine was noisy.",
        "",
        main_table(summarize(results, args, args.clock, "min"), args),
        "",
        f"## The same runs in {CLOCKS[other][1]} (medians)",
        "",
        main_table(summarize(results, args, other), args),
        "",
        f"{_load_note()}",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in machine_info(results)]
    out += [
        "",
        "## How each number is measured",
        "",
        "- Every number comes from its own fresh `python benchmarks/worker.py CONTENDER WORKLOAD` process. Inside "
        "it, W1-W5 run their timed region 3 times (new data, model and optimizer each time) and the fastest "
        "counts, so one spike of a shared machine does not decide a process's number; the medians and minima "
        "below are then taken over the fresh processes.",
        "- W1-W3: the timed region is the training loop as a user writes it: iterating the DataLoader (or, "
        "for NumPy, slicing the arrays), forward, loss, backward, optimizer step and `loss.item()`. Data, "
        "model, optimizer and loader are built before the clock starts; initial weights are copied from "
        "the same NumPy arrays, so the final losses (check column) agree across contenders (W2 differs "
        "only by each library's shuffle order).",
        "- W4: 20 warm-up chains, then 300 chains of 200 ops timed together; reported per op (forward + "
        "backward + freeing the graph). W5: one chain of 100,000 ops after a 300-op warm-up, same ops.",
        "- W6: `time.perf_counter()` around the first `import` in the worker (nothing else imported "
        "before); for NumPy this is `import numpy` itself. Bytecode caching is on (the harness removes "
        "PYTHONDONTWRITEBYTECODE from the workers' environment and imports tinygrad_bp once, untimed, "
        "before measuring), as after `pip install`, which compiles NumPy's and PyTorch's bytecode too. "
        "Without a bytecode cache, compiling tinygrad_bp's ~45 modules adds about 60 ms to every import.",
        "- Memory (W3mem): peak resident set size during the W3 run minus the RSS right after the import. "
        "The kernel's peak counter is reset after the import (`/proc/self/clear_refs` = 5) and read as "
        "`VmHWM` from `/proc/self/status`; this sees NumPy's and PyTorch's allocators alike (tracemalloc "
        "would miss PyTorch's). It includes the 4.3 MB W3 data set, identical for all contenders; `numpy.random` "
        "and the workload module are imported before the baseline. "
        f"Method used in this run: {_mem_methods(results)}.",
        f"- W7: W2's training loop for {C.W7_LONG} steps; the number is VmRSS after step {C.W7_LONG} minus VmRSS "
        f"after step {C.W7_SHORT}. The allocator still warms up in that window (up to ~200 KB, the same in later "
        "windows is 0: checked over 10,000 → 20,000 steps); a W2 graph kept alive per step would add about "
        "5 KB per step, 4.5 MB in all, hence the 256 KB line.",
        "- W8-W10 (issue 13) are reported per step (W10: per forward + backward of the whole sequence); the "
        "timed region is the loop of W3's kind (batches sliced from a small cycled data set, forward, loss, "
        "backward, SGD step, `loss.item()`; W10 without an optimizer). A hand-written NumPy version is "
        "optional for them: \"—\" means the contender has none.",
        "- The PyTorch and tinygrad_bp contenders run the same code (`workloads_torchlike.py`), with only "
        "the module passed in changed. NumPy's code is `workloads_numpy.py`.",
        "",
        f"## Every run ({CLOCKS[args.clock][1]})",
        "",
        detail_table(summary, args),
        "",
    ]
    return "\n".join(out)


def _load_note() -> str:
    try:
        load = os.getloadavg()
    except OSError:
        return ""
    return (f"Load average when the run ended: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min) on "
            f"{os.cpu_count()} cores. Above about 1, other processes competed for the CPU and wall times are "
            "inflated; the CPU-time table is the one to read.")


def _mem_methods(results: dict) -> str:
    methods = {r["mem_method"] for runs in results.values() for r in runs if "mem_method" in r}
    return ", ".join(sorted(methods)) or "none"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if "torch" in args.contenders and importlib.util.find_spec("torch") is None:
        print("PyTorch is not importable here: skipping the PyTorch contender "
              "(pip install torch==2.13.0 to include it).", file=sys.stderr)
        args.contenders = [c for c in args.contenders if c != "torch"]
    t0 = time.perf_counter()
    results = measure(args)
    elapsed = time.perf_counter() - t0
    summary = summarize(results, args, args.clock)
    table = main_table(summary, args)
    print()
    print(f"{CLOCKS[args.clock][1]}; {_load_note()}")
    if args.quick:
        print(f"(--quick: step counts / {C.QUICK_DIVISOR}, {args.repeat} repeat(s): compare ratios, "
              "not absolute times)")
    print(table)
    full = not args.quick and set(args.workloads) == set(WORKLOADS)
    output = args.output or (os.path.join(HERE, "RESULTS.md") if full else None)
    if output and not args.no_write:
        with open(output, "w", encoding="utf-8") as f:
            f.write(report(results, args, elapsed))
        print(f"\nwrote {os.path.relpath(output, ROOT)}")
    elif not args.no_write:
        print("\n(not writing RESULTS.md: only a full run of all workloads does; pass --output to write)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
