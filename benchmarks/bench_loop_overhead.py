"""Overhead of ``SGD``'s loop over a bare ``Optim.step`` loop on the same batches.

One epoch of Linear(784,128)-TanH-Linear(128,10) + cross-entropy at batch 64 on 60,000 random
float32 images (timings do not depend on pixel values), in this process, alternating, medians.
``SGD`` runs with no options, then with a validation split of 0 and a schedule (per-epoch
work only). BLAS is limited to one thread so that machine load disturbs the comparison less.

    python benchmarks/bench_loop_overhead.py [--repeats 5] [--samples 60000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import flambeau as fb


def network(seed):
    return fb.Sequential(fb.Linear(784, 128, rng=seed), fb.TanH(), fb.Linear(128, 10, rng=seed + 1))


def bare_loop(X, y, seed):
    optim = fb.Optim(network(seed), fb.CrossEntropyLoss(), eps=0.01)
    order = np.random.default_rng(seed).permutation(len(X))
    start = time.perf_counter()
    for i in range(0, len(X), 64):
        idx = order[i:i + 64]
        optim.step(X[idx], y[idx])
    return time.perf_counter() - start


def sgd_loop(X, y, seed, **options):
    net = network(seed)
    start = time.perf_counter()
    fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=64, epochs=1, lr=0.01, seed=seed,
           progress=False, **options)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=60000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples)
    times = {"bare Optim.step loop": [], "SGD": [], "SGD + schedule + callback": []}
    with threadpool_limits(1):
        for r in range(args.repeats):
            times["bare Optim.step loop"].append(bare_loop(X, y, r))
            times["SGD"].append(sgd_loop(X, y, r))
            times["SGD + schedule + callback"].append(
                sgd_loop(X, y, r, schedule=fb.ExponentialLR(0.95), callbacks=[lambda e, logs: None]))
    reference = statistics.median(times["bare Optim.step loop"])
    print(f"{args.samples} samples, batch 64, 1 BLAS thread, {args.repeats} alternating repeats")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28s} {median:.3f} s   ratio to bare loop {median / reference:.3f}")


if __name__ == "__main__":
    main()
