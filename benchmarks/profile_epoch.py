"""Where a flambeau training epoch spends its time: ``cProfile`` of one epoch, one BLAS thread.

Times are CPU times of this process (``time.process_time``): on a machine shared with other jobs
they measure the work done, not the waits for a core.

Prints the functions with the largest own time (``tottime``: time inside the function itself,
NumPy calls being listed on their own) for one epoch of a network of ``make bench``: ``mlp``
(784-128-10 TanH + cross-entropy through ``flambeau.SGD``), ``conv1d`` (the course's Conv1D net on
USPS) or ``cnn2d`` (the 2-D MNIST CNN), at ``--batch``. The profiler itself adds a cost per Python
call, so the shares of the small functions are overstated: read it for where the time goes, and
time changes with ``benchmarks/bench.py``.

    FLAMBEAU_DATA=/work/shared/data python benchmarks/profile_epoch.py mlp [--batch 64] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))


def epoch(net_name: str, batch: int, fraction: float):
    """A function running one epoch of ``net_name`` (a fresh network each call)."""
    from bench import mnist, usps

    import flambeau as fb
    from flambeau.models import course_conv1d_net, mnist_cnn

    if net_name == "mlp":
        X, y = mnist(fraction)

        def build():
            return fb.Sequential(fb.Linear(784, 128, rng=0), fb.TanH(), fb.Linear(128, 10, rng=1))
        lr = 0.01
    else:
        X, y = usps(fraction) if net_name == "conv1d" else mnist(fraction, images=True)
        build, lr = ((lambda: course_conv1d_net(rng=0)) if net_name == "conv1d" else
                     (lambda: mnist_cnn(rng=0))), 0.05
    return lambda: fb.SGD(build(), fb.CrossEntropyLoss(), X, y, batch_size=batch, epochs=1, lr=lr, seed=0,
                          progress=False)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("net", choices=["mlp", "conv1d", "cnn2d"])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the training data")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    run = epoch(args.net, args.batch, args.fraction)
    with threadpool_limits(1, user_api="blas"):
        run()  # warm-up: imports, first allocations
        start = time.process_time()
        loss = run()["train_loss"][-1]
        plain = time.process_time() - start
        profile = cProfile.Profile(time.process_time)  # CPU time: robust to a loaded machine
        profile.enable()
        run()
        profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    print(f"{args.net}, batch {args.batch}: epoch {plain:.3f} s of CPU time without the "
          f"profiler ({stats.total_tt:.3f} s with it), loss {loss:.4f}")
    stats.sort_stats("tottime").print_stats(args.top)
    print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


if __name__ == "__main__":
    main()
