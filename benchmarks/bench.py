"""flambeau against PyTorch CPU on the course's workloads: the table of ``make bench``.

Every workload runs in this process, flambeau and PyTorch alternating (whole epochs, or blocks of
batches for the CNNs, the order flipped from one repeat to the next), both limited to the same
number of threads (``torch.set_num_threads`` and NumPy's BLAS through threadpoolctl); a ratio is
the median time of flambeau over the median time of PyTorch (lower is better), in wall-clock time
(the targets) and in CPU time of the process (the work done: on a machine shared with other jobs,
far steadier than wall-clock time, which also counts the waits for a core). Peak memory is
measured in child processes, one per library (the rise of the resident set during one training
epoch, read from ``/proc/self/status`` after resetting its high-water mark).

For the MLP at batch 64, the same alternation also times the epoch's matrix products alone
(every ``@`` of the forward and backward passes, on the same shapes, into preallocated arrays):
the share of the epoch spent in BLAS and how far the epoch is from that bound.

    FLAMBEAU_DATA=/work/shared/data python benchmarks/bench.py              # the full table
    FLAMBEAU_DATA=/work/shared/data python benchmarks/bench.py --quick      # a fifth of the data
    python benchmarks/bench.py --threads 1 2 --only mlp64 adam              # two thread counts, two rows

Writes ``benchmarks/results/latest.json`` (``--output``): the machine, its load, the BLAS of each
library, every timing and the table. On a machine shared with other jobs the absolute times
measure the load: only the ratios, measured side by side, mean something, and 1 thread each is
the most robust setting there.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# (key, label, target: the largest flambeau / PyTorch ratio accepted)
WORKLOADS = [
    ("mlp64", "MLP 784-128-10 TanH + CE, MNIST epoch, batch 64", 0.50),
    ("mlp256", "MLP 784-128-10 TanH + CE, MNIST epoch, batch 256", 0.60),
    ("conv1d", "course Conv1D net, USPS epoch, batch 64", 0.50),
    ("cnn2d", "2-D CNN (two 3x3 conv + pools), MNIST epoch, batch 64", 0.80),
    ("adam", "Adam step, 1.2M parameters", 0.50),
    ("infer", "2-D CNN inference, 10,000 MNIST images", 0.80),
    ("rss", "peak RSS rise of a 2-D CNN training epoch", 1.00),
]
GEMM_TARGET = 1.6  # the MLP epoch at batch 64 within 1.6x of its matrix products alone


# -- data ---------------------------------------------------------------------------------------
def mnist(fraction: float, train: bool = True, images: bool = False):
    """MNIST (``FLAMBEAU_DATA``) as float32 ``(n, 784)`` or ``(n, 28, 28, 1)``, int64 labels."""
    from flambeau.datasets import load_mnist

    X, y, X_test, y_test = load_mnist(flatten=not images, download=False, progress=False)
    X, y = (X, y) if train else (X_test, y_test)
    n = max(1, int(len(X) * fraction))
    X = np.ascontiguousarray(X[:n], dtype=np.float32)
    return (X[..., None] if images else X), np.asarray(y[:n], dtype=np.int64)


def usps(fraction: float):
    from flambeau.datasets import load_usps

    X, y, _, _ = load_usps()
    n = max(1, int(len(X) * fraction))
    return np.ascontiguousarray(X[:n].reshape(-1, 256, 1), dtype=np.float32), np.asarray(y[:n])


# -- alternation --------------------------------------------------------------------------------
def alternate(contenders: dict, repeats: int) -> tuple[dict, dict]:
    """Run each ``name -> function() -> seconds`` once per repeat, rotating the order (the callers
    warm each library up first: PyTorch's first epoch in a process takes several times longer).
    Returns ``(wall, cpu)``: per name, the seconds each function reported and the CPU time of this
    process during the call."""
    names = list(contenders)
    wall, cpu = {name: [] for name in names}, {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.process_time()
            wall[name].append(contenders[name]())
            cpu[name].append(time.process_time() - start)
    return wall, cpu


def row(key: str, times: tuple[dict, dict], unit: str = "s", **extra) -> dict:
    """The table row of ``key`` from ``(wall, cpu)`` times per library: medians and their ratios."""
    wall, cpu = times
    label, target = next((label, target) for k, label, target in WORKLOADS if k == key)
    medians = {name: statistics.median(values) for name, values in wall.items()}
    ratio = medians["flambeau"] / medians["pytorch"]
    cpu_ratio = statistics.median(cpu["flambeau"]) / statistics.median(cpu["pytorch"]) if cpu else None
    return {"key": key, "workload": label, "target": target, "ratio": ratio, "met": ratio <= target,
            "cpu_ratio": cpu_ratio, "unit": unit, "medians": medians, "times": wall, "cpu_times": cpu,
            **extra}


# -- workloads ----------------------------------------------------------------------------------
def mlp_epoch_times(batch: int, fraction: float, repeats: int, with_gemms: bool) -> tuple[dict, dict]:
    """The MLP epoch (``flambeau.SGD`` against the same PyTorch loop), the same epoch written by hand
    in NumPy, and (``with_gemms``) its GEMMs alone."""
    from bench_mlp import flambeau_epoch, gemm_epoch, numpy_epoch, torch_epoch

    X, y = mnist(fraction)
    flambeau_epoch(X[:2048], y[:2048], batch, 0), torch_epoch(X[:2048], y[:2048], batch, 0)  # warm-up
    seeds = iter(range(10 ** 6))
    contenders = {"flambeau": lambda: flambeau_epoch(X, y, batch, next(seeds))[0],
                  "pytorch": lambda: torch_epoch(X, y, batch, next(seeds))[0]}
    contenders["numpy by hand"] = lambda: numpy_epoch(X, y, batch, next(seeds))[0]
    if with_gemms:
        contenders["gemms alone"] = lambda: gemm_epoch(len(X), batch)
    return alternate(contenders, repeats)


def mlp(key: str, batch: int, fraction: float, repeats: int) -> dict:
    times = mlp_epoch_times(batch, fraction, repeats, with_gemms=batch == 64)
    by_hand = statistics.median(times[0]["numpy by hand"])
    extra = {"numpy_by_hand_s": by_hand,
             "numpy_by_hand_over_pytorch": by_hand / statistics.median(times[0]["pytorch"])}
    if "gemms alone" in times[0]:
        (epoch, gemms), (epoch_cpu, gemms_cpu) = ((statistics.median(t["flambeau"]),
                                                   statistics.median(t["gemms alone"])) for t in times)
        extra = {"gemms_alone_s": gemms, "epoch_over_gemms": epoch / gemms, "blas_share": gemms / epoch,
                 "epoch_over_gemms_cpu": epoch_cpu / gemms_cpu, "gemm_target": GEMM_TARGET,
                 "gemm_met": epoch / gemms <= GEMM_TARGET, **extra}
    return row(key, times, batch=batch, **extra)


def cnn(key: str, fraction: float, repeats: int, seed: int = 0, block: int = 10) -> dict:
    """One epoch of a course CNN at batch 64, flambeau and PyTorch interleaved by blocks."""
    import torch
    from bench_cnn import (
        BATCH,
        Conv1DByHand,
        FlambeauLoop,
        TorchLoop,
        mnist_cnn_gemm_epoch,
        timed_epoch,
        torch_conv1d_net,
        torch_mnist_cnn,
    )

    from flambeau.models import course_conv1d_net, mnist_cnn

    torch.manual_seed(seed)
    if key == "conv1d":
        X, y = usps(fraction)
        ours, theirs = course_conv1d_net(rng=seed), torch_conv1d_net()
        X_torch = torch.from_numpy(X.transpose(0, 2, 1).copy())
    else:
        X, y = mnist(fraction, images=True)
        ours, theirs = mnist_cnn(rng=seed), torch_mnist_cnn()
        X_torch = torch.from_numpy(X.transpose(0, 3, 1, 2).copy())
    ours, theirs = FlambeauLoop(ours, X, y), TorchLoop(theirs, X_torch, y)
    rng = np.random.default_rng(seed)
    warm_up = [rng.permutation(len(X))[:BATCH] for _ in range(3)]
    ours.run(warm_up), theirs.run(warm_up)
    wall, cpu = {"flambeau": [], "pytorch": []}, {"flambeau": [], "pytorch": []}
    gemms = []  # the 2-D CNN's matrix products alone, once per repeat between the epochs
    by_hand = Conv1DByHand(X, y, seed) if key == "conv1d" else None
    hand_times = []  # the Conv1D net written by hand in NumPy, once per repeat
    if by_hand is not None:
        by_hand.run(warm_up)
    for r in range(repeats):
        order = rng.permutation(len(X))
        batches = [order[i:i + BATCH] for i in range(0, len(X), BATCH)]
        cpu_before = ours.cpu, theirs.cpu
        t_ours, t_theirs = timed_epoch(ours, theirs, batches, block, flip=bool(r % 2))
        wall["flambeau"].append(t_ours)
        wall["pytorch"].append(t_theirs)
        cpu["flambeau"].append(ours.cpu - cpu_before[0])
        cpu["pytorch"].append(theirs.cpu - cpu_before[1])
        if key == "cnn2d":
            gemms.append(mnist_cnn_gemm_epoch(len(X)))
        if by_hand is not None:
            hand_times.append(by_hand.run(batches))
    extra = {}
    if hand_times:
        hand = statistics.median(hand_times)
        extra = {"numpy_by_hand_s": hand,
                 "numpy_by_hand_over_pytorch": hand / statistics.median(wall["pytorch"])}
    if gemms:
        epoch, alone = statistics.median(wall["flambeau"]), statistics.median(gemms)
        extra = {"cnn_gemms_alone_s": alone, "cnn_epoch_over_gemms": epoch / alone,
                 "cnn_gemms_over_pytorch": alone / statistics.median(wall["pytorch"])}
    return row(key, (wall, cpu), batch=BATCH, **extra)


def adam(repeats: int, steps: int) -> dict:
    from bench_adam import adam_times

    wall, cpu, drift, n = adam_times(steps, max(repeats, 5))
    floor = statistics.median(wall.pop("numpy by hand"))
    cpu.pop("numpy by hand")
    return row("adam", (wall, cpu), unit="ms", parameters=n, max_difference=drift, numpy_floor_ms=floor,
               numpy_floor_over_pytorch=floor / statistics.median(wall["pytorch"]))


def inference(fraction: float, repeats: int, seed: int = 0) -> dict:
    """``flambeau.predict`` of the 2-D CNN on the test images against PyTorch under ``no_grad``,
    by chunks of the same size (predict's default)."""
    import inspect

    import torch
    from bench_cnn import torch_mnist_cnn

    import flambeau as fb
    from flambeau.models import mnist_cnn

    X, _ = mnist(fraction, train=False, images=True)
    chunk = inspect.signature(fb.predict).parameters["batch_size"].default
    net, model = mnist_cnn(rng=seed), torch_mnist_cnn().eval()
    X_torch = torch.from_numpy(X.transpose(0, 3, 1, 2).copy())

    def ours():
        start = time.perf_counter()
        fb.predict(net, X)
        return time.perf_counter() - start

    def theirs():
        start = time.perf_counter()
        with torch.no_grad():
            torch.cat([model(X_torch[i:i + chunk]) for i in range(0, len(X_torch), chunk)])
        return time.perf_counter() - start

    ours(), theirs()  # warm-up
    return row("infer", alternate({"flambeau": ours, "pytorch": theirs}, repeats), images=len(X),
               chunk=chunk)


def peak_rss(fraction: float, threads: int) -> dict:
    """Each library's 2-D CNN epoch in a child process of its own; the rise of the resident set."""
    values = {}
    for library in ("flambeau", "pytorch"):
        out = subprocess.run([sys.executable, __file__, "--rss-child", library, "--fraction", str(fraction),
                              "--threads", str(threads)], capture_output=True, text=True, check=True)
        values[library] = json.loads(out.stdout.strip().splitlines()[-1])
    return row("rss", ({name: [v["rise_mib"]] for name, v in values.items()}, {}), unit="MiB",
               processes=values)


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_child(library: str, fraction: float, threads: int, seed: int = 0) -> None:
    """One 2-D CNN training epoch at batch 64; prints the resident-set figures as JSON (MiB)."""
    X, y = mnist(fraction, images=True)
    order = np.random.default_rng(seed).permutation(len(X))
    batches = [order[i:i + 64] for i in range(0, len(X), 64)]
    with threadpool_limits(threads, user_api="blas"):
        if library == "flambeau":
            from bench_cnn import FlambeauLoop

            from flambeau.models import mnist_cnn

            loop = FlambeauLoop(mnist_cnn(rng=seed), X, y)
        else:
            import torch
            from bench_cnn import TorchLoop, torch_mnist_cnn

            torch.set_num_threads(threads)
            X_torch = torch.from_numpy(X.transpose(0, 3, 1, 2).copy())
            del X
            loop = TorchLoop(torch_mnist_cnn(), X_torch, y)
        try:  # reset the high-water mark (Linux >= 4.0), so that it covers the epoch only
            Path("/proc/self/clear_refs").write_text("5")
            reset = True
        except OSError:
            reset = False
        before = _status_kib("VmRSS")
        loop.run(batches)
        peak = _status_kib("VmHWM")
    print(json.dumps({"before_mib": before / 1024, "peak_mib": peak / 1024,
                      "rise_mib": (peak - before) / 1024, "high_water_mark_reset": reset}))


# -- environment and output ---------------------------------------------------------------------
def environment(threads: int) -> dict:
    import torch

    with threadpool_limits(threads, user_api="blas"):
        numpy_blas = [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                                 "threading_layer")}
                      for info in threadpool_info() if info["user_api"] == "blas"]
    config = torch.__config__.show()
    torch_blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                       if part.startswith("BLAS_INFO=")), "unknown")
    mkl = next((line.strip(" -") for line in config.splitlines() if "Math Kernel Library" in line), "")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": platform.node(),
            "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "torch": torch.__version__, "threads": threads,
            "numpy_blas": numpy_blas, "torch_blas": f"{torch_blas} ({mkl})" if mkl else torch_blas,
            "torch_threads": torch.get_num_threads()}


def table(rows: list[dict]) -> str:
    lines = [f"{'workload':56s} {'flambeau':>12s} {'pytorch':>12s} {'ratio':>6s} {'target':>7s}  met  "
             f"{'CPU ratio':>9s}", "-" * 115]
    for r in rows:
        m = r["medians"]
        ours, theirs = (f"{m[name]:.3f} {r['unit']}" if r["unit"] == "s" else f"{m[name]:.1f} {r['unit']}"
                        for name in ("flambeau", "pytorch"))
        lines.append(f"{r['workload']:56s} {ours:>12s} {theirs:>12s} {r['ratio']:6.2f} "
                     f"{'<= ' + format(r['target'], '.2f'):>7s}  {'yes' if r['met'] else 'NO ':3s}  "
                     + (f"{r['cpu_ratio']:9.2f}" if r["cpu_ratio"] is not None else f"{'-':>9s}"))
        if "gemms_alone_s" in r:
            lines.append(f"  its matrix products alone: {r['gemms_alone_s']:.3f} s; epoch / products "
                         f"{r['epoch_over_gemms']:.2f} (target <= {r['gemm_target']}: "
                         f"{'yes' if r['gemm_met'] else 'NO'}; in CPU time {r['epoch_over_gemms_cpu']:.2f}); "
                         f"share of the epoch in BLAS {100 * r['blas_share']:.0f} %")
        if "numpy_by_hand_s" in r:
            lines.append(f"  the same epoch written by hand in NumPy (no framework, the course's contract): "
                         f"{r['numpy_by_hand_s']:.3f} s, {r['numpy_by_hand_over_pytorch']:.2f} of PyTorch's")
        if "numpy_floor_ms" in r:
            lines.append(f"  Adam's 12 NumPy calls by hand on each parameter array, no framework: "
                         f"{r['numpy_floor_ms']:.1f} ms, {r['numpy_floor_over_pytorch']:.2f} of PyTorch's "
                         "step")
        if "cnn_gemms_alone_s" in r:
            lines.append(f"  its matrix products alone (im2col matrices prebuilt): "
                         f"{r['cnn_gemms_alone_s']:.3f} s; "
                         f"epoch / products {r['cnn_epoch_over_gemms']:.2f}; products / PyTorch's epoch "
                         f"{r['cnn_gemms_over_pytorch']:.2f}")
        if r["key"] == "rss":
            p = r["processes"]
            lines.append(f"  resident set before / peak (MiB): flambeau {p['flambeau']['before_mib']:.0f} / "
                         f"{p['flambeau']['peak_mib']:.0f}, pytorch {p['pytorch']['before_mib']:.0f} / "
                         f"{p['pytorch']['peak_mib']:.0f}")
    return "\n".join(lines)


def run(threads: int, keys: list[str], fraction: float, repeats: int) -> list[dict]:
    jobs = {"mlp64": lambda: mlp("mlp64", 64, fraction, repeats),
            "mlp256": lambda: mlp("mlp256", 256, fraction, repeats),
            "conv1d": lambda: cnn("conv1d", fraction, repeats),
            "cnn2d": lambda: cnn("cnn2d", fraction, repeats),
            "adam": lambda: adam(repeats, 50 if fraction == 1 else 20),
            "infer": lambda: inference(fraction, repeats),
            "rss": lambda: peak_rss(fraction, threads)}
    rows = []
    with threadpool_limits(threads, user_api="blas"):
        for key in keys:
            start = time.perf_counter()
            rows.append(jobs[key]())
            print(f"  {key}: ratio {rows[-1]['ratio']:.2f} ({time.perf_counter() - start:.0f} s)", flush=True)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1], help="thread counts, one table each")
    parser.add_argument("--quick", action="store_true", help="a fifth of the data, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per workload (default 5, quick 3)")
    parser.add_argument("--only", nargs="+", choices=[k for k, _, _ in WORKLOADS], default=None)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--rss-child", choices=["flambeau", "pytorch"], help=argparse.SUPPRESS)
    parser.add_argument("--fraction", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    fraction = args.fraction or (0.2 if args.quick else 1.0)
    if args.rss_child:
        return rss_child(args.rss_child, fraction, args.threads[0])
    repeats = args.repeats or (3 if args.quick else 5)
    keys = args.only or [k for k, _, _ in WORKLOADS]
    report = {"quick": args.quick, "fraction": fraction, "repeats": repeats, "runs": []}
    for threads in args.threads:
        import torch

        torch.set_num_threads(threads)
        env = environment(threads)
        load_before = os.getloadavg()
        print(f"{env['date']}  {env['cpu']}, {env['cores']} cores; {threads} thread(s) each "
              f"(torch {env['torch_threads']}); load average {load_before[0]:.1f}", flush=True)
        print(f"numpy {env['numpy']} BLAS: " + ", ".join(
            f"{b['internal_api']} {b['version']} ({b['architecture']}, {b['num_threads']} thread(s))"
            for b in env["numpy_blas"]) + f"; torch {env['torch']} BLAS: {env['torch_blas']}", flush=True)
        print(f"{'quick: a fifth of the data, ' if args.quick else ''}{repeats} alternating repeats, "
              "medians; ratio = flambeau / PyTorch (lower is better)", flush=True)
        rows = run(threads, keys, fraction, repeats)
        env["load_average"] = {"before": load_before, "after": os.getloadavg()}
        text = table(rows)
        print(text + f"\nload average during the run: {load_before[0]:.1f} -> {os.getloadavg()[0]:.1f}\n",
              flush=True)
        report["runs"].append({"environment": env, "rows": rows, "table": text})
    from flambeau.files import write_json

    write_json(args.output, report)
    print(f"written: {args.output}")


if __name__ == "__main__":
    main()
