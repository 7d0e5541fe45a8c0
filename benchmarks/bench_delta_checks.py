"""Cost of the input and delta checks on a training epoch of the MLP of ``bench_mlp.py``
(Linear(784, 128)-TanH-Linear(128, 10) + cross-entropy, plain SGD, lr 0.01, float32).

Epochs are timed in CPU time of the process (``time.process_time``) with one BLAS thread
(``OMP_NUM_THREADS=1``, set by default): on a machine shared with other jobs the wall time
measures the load (measured here: 2.5 ms of wall time for 0.5 ms of CPU per step). Two
comparisons, each alternating its two sides (A B B A ...) so that machine noise and order hit
both alike:

- in this process, the same code with ``_checks.check_delta`` (the check every
  ``backward_delta`` / ``backward_update_gradient`` runs) replaced by a pass-through in every
  module that uses it: the cost of the delta checks alone;
- with ``--baseline SRC`` (the ``src`` folder of another checkout, e.g. of the commit before the
  checks), one epoch per subprocess, alternating between this checkout and that one: the cost of
  every change between them (delta checks, input conversion, argument checks).

    python benchmarks/bench_delta_checks.py [--batch 64 256] [--repeats 7] [--baseline DIR]

MNIST comes from ``flambeau.datasets.load_mnist`` (set FLAMBEAU_DATA); without it, random data of
the same shape (timings do not depend on pixel values), and the output says so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # one BLAS thread unless asked otherwise, before NumPy is imported
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"

_EPOCH = """
import json, sys, time
import numpy as np
import flambeau as fb
X, y = {data}
net = fb.Sequential(fb.Linear(784, 128, rng={seed}), fb.TanH(), fb.Linear(128, 10, rng={seed} + 1))
start = time.process_time()
fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size={batch}, epochs=1, lr=0.01, seed={seed}, progress=False)
print(json.dumps(time.process_time() - start))
"""

_MNIST = ("(lambda d: (d[0].astype(np.float32), d[1]))(__import__('flambeau.datasets', "
          "fromlist=['load_mnist']).load_mnist())")
_RANDOM = ("(np.random.default_rng(0).random((60000, 784), dtype=np.float32), "
           "np.random.default_rng(1).integers(0, 10, 60000))")


def load_data():
    try:
        from flambeau.datasets import load_mnist

        X, y, _, _ = load_mnist()
        return X.astype(np.float32), y, "MNIST", _MNIST
    except Exception as error:  # no data here: the timing does not depend on the values
        rng = np.random.default_rng(0)
        X = rng.random((60000, 784), dtype=np.float32)
        return X, np.random.default_rng(1).integers(0, 10, 60000), f"random data ({error})", _RANDOM


def epoch(X, y, batch, seed):
    import flambeau as fb

    net = fb.Sequential(fb.Linear(784, 128, rng=seed), fb.TanH(), fb.Linear(128, 10, rng=seed + 1))
    start = time.process_time()
    fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=batch, epochs=1, lr=0.01, seed=seed, progress=False)
    return time.process_time() - start


def _users_of_check_delta():
    """The flambeau modules that call ``check_delta``, and the function itself."""
    import flambeau  # noqa: F401 - imports every layer
    from flambeau import _checks

    users = [m for name, m in sys.modules.items()
             if name.startswith("flambeau") and getattr(m, "check_delta", None) is _checks.check_delta]
    return users, _checks.check_delta


def _set_check(users, function):
    for module in users:
        module.check_delta = function


def in_process(X, y, batch, repeats):
    """Median epoch times ``(with the delta checks, with a pass-through)``."""
    users, check = _users_of_check_delta()

    def passthrough(where, delta, expected, input_shape):
        return delta

    checked, unchecked = [], []
    try:
        for r in range(repeats):
            for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                _set_check(users, check if side == 0 else passthrough)
                (checked if side == 0 else unchecked).append(epoch(X, y, batch, r))
    finally:
        _set_check(users, check)
    return statistics.median(checked), statistics.median(unchecked), len(users)


def _subprocess_epoch(src: Path, data: str, batch: int, seed: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    code = _EPOCH.format(data=data, batch=batch, seed=seed)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def against(baseline: Path, data: str, batch: int, repeats: int):
    """Median epoch times ``(this checkout, the baseline)``, one subprocess per epoch."""
    ours, theirs = [], []
    for r in range(repeats):
        for side in ((0, 1) if r % 2 == 0 else (1, 0)):
            times = ours if side == 0 else theirs
            times.append(_subprocess_epoch(SRC if side == 0 else baseline, data, batch, r))
    return statistics.median(ours), statistics.median(theirs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--baseline", type=Path, help="src folder of the checkout to compare with")
    args = parser.parse_args(argv)
    X, y, source, data = load_data()
    print(f"data: {source}; threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    for batch in args.batch:
        checked, unchecked, users = in_process(X, y, batch, args.repeats)
        print(f"batch {batch}: epoch {checked:.3f} s CPU with the delta checks, {unchecked:.3f} s with a "
              f"pass-through in their {users} modules: ratio {checked / unchecked:.3f} "
              f"(medians of {args.repeats}, alternating)")
        if args.baseline is not None:
            ours, theirs = against(args.baseline, data, batch, args.repeats)
            print(f"batch {batch}: epoch {ours:.3f} s CPU here, {theirs:.3f} s with {args.baseline}: ratio "
                  f"{ours / theirs:.3f} (medians of {args.repeats}, one process per epoch, alternating)")


if __name__ == "__main__":
    main()
