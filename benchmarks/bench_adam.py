"""One Adam step on the parameters of the 8-layer MNIST autoencoder, flambeau vs PyTorch.

The parameters are those of ``AutoEncoder.symmetric(784, 16, steps=8)`` (784-483-298-...-16 and
back, 1.2 million float32 values): on such wide dense networks with batches of 32 the update rule
is a large share of a training step. Both frameworks update the same arrays with the same
gradients, one thread each (``torch.set_num_threads`` and threadpoolctl), alternating blocks of
``--steps`` steps (the order flipped each time); the medians are compared. PyTorch's Adam runs
with its default implementation (``foreach`` on CPU tensors in torch 2.x).

    python benchmarks/bench_adam.py [--steps 50] [--repeats 7]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np


def adam_by_hand(p, g, m, v, work, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """Adam's update written by hand in NumPy, no framework, over whole arrays: the fewest ufunc
    calls that compute it with PyTorch's state (m, v). No ufunc computes ``a x + y``, so
    ``m <- b1 m + (1 - b1) g`` takes 3 calls, ``v <- b2 v + (1 - b2) g^2`` 4 (``g^2`` first) and
    ``p <- p - s m / (sqrt(v) + e)`` 5 (sqrt, + e, divide, * s, subtract): 12 passes over the
    arrays (other orders of the same calls measured no faster; by chunks of 32768 values, the calls'
    own cost in Python outweighed what the cache saved)."""
    c = math.sqrt(1 - b2 ** t)  # a Python float: a NumPy float64 would make every pass a float64 one
    eps, scale = eps * c, lr * c / (1 - b1 ** t)
    np.subtract(g, m, out=work)
    work *= 1 - b1
    m += work
    np.multiply(g, g, out=work)
    work *= 1 - b2
    v *= b2
    v += work
    np.sqrt(v, out=work)
    work += eps
    np.divide(m, work, out=work)
    work *= scale
    p -= work


def parameter_shapes(latent: int = 16, steps: int = 8) -> list[tuple[int, ...]]:
    from flambeau.autoencoder import symmetric_sizes

    sizes = symmetric_sizes(784, latent, steps)
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    pairs += [(b, a) for a, b in reversed(pairs)]
    return [shape for a, b in pairs for shape in ((a, b), (b,))]


def adam_times(steps: int, repeats: int):
    """``(times, cpu, drift, n)``: milliseconds per step of each library over ``repeats``
    alternating blocks of ``steps`` steps (one thread each), in wall-clock and in CPU time, the
    largest difference between the two parameter sets afterwards, and the number of parameters.
    ``times["numpy by hand"]``: ``adam_by_hand`` on each parameter array, no framework."""
    import torch
    from threadpoolctl import threadpool_limits

    from flambeau.rules import Adam

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    shapes = parameter_shapes()
    params = {f"p{i}": rng.standard_normal(s, dtype=np.float32) for i, s in enumerate(shapes)}
    grads = {k: rng.standard_normal(v.shape, dtype=np.float32) for k, v in params.items()}
    torch_params = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in params.values()]
    for p, g in zip(torch_params, grads.values(), strict=True):
        p.grad = torch.from_numpy(g.copy())
    ours, theirs = Adam(), torch.optim.Adam(torch_params, lr=1e-3)

    def flambeau_block():
        for _ in range(steps):
            ours.step(params, grads, 1e-3)

    def torch_block():
        for _ in range(steps):
            theirs.step()

    by_hand = [(p.copy(), grads[k], np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()]
    scratch = np.empty(max(p.size for p in params.values()), np.float32)

    def by_hand_block():  # array by array, one scratch for all (as flambeau.rules.Adam)
        for t in range(1, steps + 1):
            for p, g, m, v in by_hand:
                adam_by_hand(p, g, m, v, scratch[:p.size].reshape(p.shape), t)

    names = ("flambeau", "pytorch", "numpy by hand")
    times, cpu = {name: [] for name in names}, {name: [] for name in names}
    with threadpool_limits(1):
        flambeau_block(), torch_block(), by_hand_block()  # warm-up: state arrays allocated
        for r in range(repeats):
            blocks = (("flambeau", flambeau_block), ("pytorch", torch_block),
                      ("numpy by hand", by_hand_block))
            for name, block in blocks[::-1] if r % 2 else blocks:
                start, cpu_start = time.perf_counter(), time.process_time()
                block()
                times[name].append((time.perf_counter() - start) / steps * 1e3)
                cpu[name].append((time.process_time() - cpu_start) / steps * 1e3)
    torch.set_num_threads(threads)
    drift = max(float(np.abs(p.detach().numpy() - q).max()) for p, q in zip(torch_params, params.values(),
                                                                            strict=True))
    return times, cpu, drift, sum(v.size for v in params.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="Adam steps per timed block")
    parser.add_argument("--repeats", type=int, default=7, help="timed blocks per framework")
    args = parser.parse_args()
    times, _, drift, n = adam_times(args.steps, args.repeats)
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"Adam step on {n:,} float32 parameters ({len(parameter_shapes())} arrays), 1 thread, "
          f"median of {args.repeats} blocks of {args.steps} steps:")
    for name, value in medians.items():
        print(f"  {name:9s} {value:7.2f} ms/step")
    print(f"  ratio flambeau / PyTorch: {medians['flambeau'] / medians['pytorch']:.2f}x")
    print(f"  largest difference between the two parameter sets after the same steps: {drift:.2e}")


if __name__ == "__main__":
    main()
