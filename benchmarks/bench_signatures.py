"""Time of each stage of a signature study: 10,000 samples x 3 layers and 70,000 x 8.

    .venv/bin/python benchmarks/bench_signatures.py [--case small|large|both] [--repeat 3]
        [--reference SRC] [--threads 1] [--kmeans]

Cases:
    small   the command ``flambeau signatures --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9
            --n-per-class 1000 --hidden 128 64 32``: trains on 10,000 images (30 epochs of 16),
            analyses the 9,815 test images of 3 hidden layers, UMAP maps, figures.
    large   all of MNIST: an 8-hidden-layer network (256 128 128 64 64 32 32 16, He init, 2
            epochs of 64) trained on the 60,000 training images, all 70,000 images analysed
            (``--n-per-class all --analysed all``), UMAP maps, figures; end to end.

Every run is a fresh Python process (imports and numba's compilation included, as for a user)
writing into an empty runs folder (no cached map), with BLAS and OpenMP limited to ``--threads``
threads. The stages are timed from the study's progress reports (``flambeau.signatures.stages``).

``--reference SRC`` names the ``src`` folder of another version of flambeau (e.g. ``git archive
<commit> src | tar -x -C /tmp/ref``): the runs then alternate between it and this version,
``--repeat`` times each, and the medians per stage of both and their ratio are printed with the
load average seen before each run (the machine may be shared). That version cannot express the
large study (at most 6 hidden layers, test images only): for both versions the large case then
also times ``signatures_from_activations`` on the same recorded activations (clustering, paths,
scores, maps, figures, writing), saved once from this version's trained network.

``--kmeans`` measures, on the large case's activations, the agreement (adjusted Rand index) with
k-means on all rows (``n_init=4``) of: the same with another seed (the yardstick), MiniBatchKMeans,
and the sample-then-refine k-means of ``flambeau.signatures.clustering``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"dataset": "mnist", "classes": tuple(range(10)), "n_per_class": 1000, "hidden": (128, 64, 32)}
LARGE = {"dataset": "mnist", "classes": tuple(range(10)), "n_per_class": None, "analysed": "all",
         "hidden": (256, 128, 128, 64, 64, 32, 32, 16), "init": "he", "epochs": 2, "batch_size": 64,
         "eps": 0.05}


# -- worker side: one study in this process, its stage times printed as one JSON line ----------
class _Clock:
    """Progress callback: the seconds between consecutive reports, keyed by each message's first
    word (the stage), starting with ``first`` until the first report."""

    def __init__(self, first: str):
        self.current, self.since, self.seconds = first, time.perf_counter(), {}

    def __call__(self, fraction, message):
        now = time.perf_counter()
        self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.since
        self.current, self.since = message.split(" ", 1)[0].rstrip(":"), now


def _worker(case: str, runs: str, acts_file: str | None) -> dict:
    os.environ.setdefault("FLAMBEAU_DATA", "/work/shared/data")
    start = time.perf_counter()
    clock = _Clock("importing")
    from flambeau.signatures import SignatureConfig, run_signatures, signatures_from_activations

    if case in ("small", "large"):
        clock(0.0, "starting")
        config = SignatureConfig(**(SMALL if case == "small" else LARGE))
        folder = run_signatures(config, runs, progress=clock, show_progress=False)
    elif case == "large-acts":
        import numpy as np

        with np.load(acts_file) as npz:
            data = {k: npz[k] for k in npz.files}
        acts = {k[len("act_"):]: data[k] for k in sorted(data) if k.startswith("act_")}
        clock(0.0, "analysing")
        folder = signatures_from_activations(acts, data["y"], data["y_pred"], runs, "bench_large",
                                             images=data["images"], image_shape=(28, 28),
                                             projection="umap", progress=clock)
    else:
        raise ValueError(f"bench_signatures: unknown case {case!r}")
    clock(1.0, "end")
    summary = json.loads((folder / "study.json").read_text())
    return {"stages": clock.seconds, "total": time.perf_counter() - start, "n": summary["n_samples"],
            "layers": len(summary["layers"]), "k": [layer["k"] for layer in summary["layers"]],
            "accuracy": summary.get("accuracy"), "folder": str(folder)}


def _save_activations(folder: str, path: str) -> None:
    """The activations of the large study's network on its 70,000 images (for ``large-acts``)."""
    os.environ.setdefault("FLAMBEAU_DATA", "/work/shared/data")
    import numpy as np

    from flambeau import serialization
    from flambeau.metrics import predict_classes
    from flambeau.signatures import SignatureConfig, record
    from flambeau.signatures.run import _analysed_images, load_digits
    from flambeau.training import predict

    net = serialization.load(Path(folder) / "model.npz")
    X, y, _ = _analysed_images(SignatureConfig(**LARGE), *load_digits("mnist")[:4])
    acts = record(net, X)
    np.savez(path, y=y, y_pred=predict_classes(predict(net, X)), images=X,
             **{f"act_{i}_{name}": A for i, (name, A) in enumerate(acts.items())})


# -- orchestrator side --------------------------------------------------------------------------
def _run(case: str, src: Path, threads: int, acts_file: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": str(threads),
           "OPENBLAS_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
           "NUMBA_NUM_THREADS": str(threads)}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_sig_") as runs:
        command = [sys.executable, __file__, "--worker", case, "--runs", runs]
        if acts_file:
            command += ["--acts", acts_file]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"bench_signatures: {case} with {src} failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if case == "large" and acts_file and not Path(acts_file).exists():
            save = [sys.executable, __file__, "--save-acts", result["folder"], "--acts", acts_file]
            subprocess.run(save, env=env, check=True)
    result["load"] = load
    print(f"  {case:>10} {src}: {result['total']:.1f} s (load {load:.1f}); "
          + ", ".join(f"{k} {v:.1f}" for k, v in result["stages"].items()), flush=True)
    return result


def _table(title: str, runs: dict[str, list[dict]]) -> None:
    print(f"\n{title}: median seconds per stage (runs alternated; load average before each run)")
    versions = list(runs)
    stages = list(dict.fromkeys(s for v in versions for r in runs[v] for s in r["stages"]))
    print(f"  {'stage':<14}" + "".join(f"{v:>14}" for v in versions))
    for stage in stages:
        cells = [statistics.median([r["stages"].get(stage, 0.0) for r in runs[v]]) for v in versions]
        print(f"  {stage:<14}" + "".join(f"{c:14.1f}" for c in cells))
    totals = {v: statistics.median([r["total"] for r in runs[v]]) for v in versions}
    after = {v: statistics.median([r["total"] - sum(r["stages"].get(s, 0.0) for s in ("importing", "starting",
                                                                                     "loading", "training"))
                                   for r in runs[v]]) for v in versions}
    print(f"  {'total':<14}" + "".join(f"{totals[v]:14.1f}" for v in versions))
    print(f"  {'after training':<14}" + "".join(f"{after[v]:14.1f}" for v in versions))
    for v in versions:
        r = runs[v][0]
        print(f"  {v}: {r['n']} samples x {r['layers']} layers, k = {r['k']}, accuracy {r['accuracy']}, "
              f"loads {[round(x['load'], 1) for x in runs[v]]}")
    if len(versions) == 2:
        old, new = versions
        print(f"  speed-up {old} / {new}: total {totals[old] / totals[new]:.2f}x, after training "
              f"{after[old] / after[new]:.2f}x")


def _compare(case: str, versions: dict[str, Path], repeat: int, threads: int, acts_file=None) -> dict:
    runs = {name: [] for name in versions}
    for _ in range(repeat):
        for name, src in versions.items():
            runs[name].append(_run(case, src, threads, acts_file))
    return runs


def _kmeans_agreement(acts_file: str, ks=(2, 5, 10)) -> None:
    import numpy as np
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.metrics import adjusted_rand_score

    from flambeau.signatures.clustering import FIT_SAMPLES, _nearest, _refine, fit_kmeans
    from flambeau.signatures.sampling import stratified_rows

    with np.load(acts_file) as npz:
        y = npz["y"]
        layers = {k: npz[k] for k in sorted(npz.files) if k.startswith("act_")}
    print(f"\nk-means on {len(y)} rows: ARI against k-means on all rows (n_init=4, seed 0); "
          f"inertia relative to it; seconds")
    rows = stratified_rows(len(y), FIT_SAMPLES, y, 1)
    for name, A in layers.items():
        A = np.ascontiguousarray(A, np.float32)
        for k in ks:
            t = time.perf_counter()
            full = KMeans(k, n_init=4, random_state=0).fit(A)
            t_full = time.perf_counter() - t
            other = KMeans(k, n_init=4, random_state=1).fit(A)
            t = time.perf_counter()
            mini = MiniBatchKMeans(k, n_init=3, batch_size=4096, random_state=0).fit(A)
            t_mini = time.perf_counter() - t
            t = time.perf_counter()
            centres, _ = fit_kmeans(A, k, 0, rows)
            refined = _refine(A, centres, 0)
            t_ours = time.perf_counter() - t
            inertia = float(_nearest(A, KMeans(k, init=centres, n_init=1).fit(A).cluster_centers_)[1].sum())

            ari = [adjusted_rand_score(full.labels_, labels)
                   for labels in (other.labels_, mini.labels_, refined)]
            print(f"  {name:>16} k={k:2d}: full {t_full:5.1f} s | other seed ARI {ari[0]:.3f} | "
                  f"MiniBatch ARI {ari[1]:.3f} inertia {mini.inertia_ / full.inertia_:.3f} "
                  f"{t_mini:4.1f} s | sample+refine ARI {ari[2]:.3f} inertia "
                  f"{inertia / full.inertia_:.3f} {t_ours:4.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="both", choices=["small", "large", "both"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", type=Path, default=None, help="src folder of the version to compare")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads of each run")
    parser.add_argument("--kmeans", action="store_true", help="k-means agreement on the large activations")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--runs", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--acts", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--save-acts", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, args.runs, args.acts)))
        return
    if args.save_acts:
        _save_activations(args.save_acts, args.acts)
        return
    versions = {"this": ROOT / "src"}
    if args.reference:
        versions = {"reference": args.reference.resolve(), **versions}
    print(f"bench_signatures: {os.cpu_count()} CPUs, {args.threads} thread(s) per run, load average "
          f"{os.getloadavg()}")
    if args.case in ("small", "both"):
        small = _compare("small", versions, args.repeat, args.threads)
        _table("10,000 samples x 3 layers (flambeau signatures --dataset mnist --classes 0..9 "
               "--n-per-class 1000 --hidden 128 64 32)", small)
    if args.case in ("large", "both") or args.kmeans:
        with tempfile.TemporaryDirectory(prefix="bench_sig_acts_") as tmp:
            acts_file = str(Path(tmp) / "acts.npz")
            needed = acts_file if args.reference or args.kmeans else None  # recorded only when used
            large = _compare("large", {"this": ROOT / "src"}, args.repeat, args.threads, needed)
            _table("70,000 samples x 8 layers, end to end (all of MNIST)", large)
            if args.reference:
                from_acts = _compare("large-acts", versions, args.repeat, args.threads, acts_file)
                _table("70,000 samples x 8 layers, from the recorded activations "
                       "(signatures_from_activations)", from_acts)
            if args.kmeans:
                _kmeans_agreement(acts_file)


if __name__ == "__main__":
    main()
