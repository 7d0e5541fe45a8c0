"""One training epoch of Linear(784,128)-TanH-Linear(128,10) + cross-entropy, flambeau vs PyTorch.

Both run the same loop (shuffled mini-batches, plain SGD, lr 0.01) on the 60,000 MNIST training
images in float32, in this process, alternating, and the medians are compared. Both frameworks
get ``--threads`` threads (default 2: ``torch.set_num_threads(2)`` and NumPy's BLAS limited to 2
through threadpoolctl). On a machine whose cores are busy with other jobs, BLAS threads wait on
each other and the timings measure the load: compare with ``--threads 1`` there.

    python benchmarks/bench_mlp.py [--batch 64 256] [--repeats 5] [--threads 2]

MNIST comes from ``flambeau.datasets.load_mnist`` (set FLAMBEAU_DATA); without it, random
data of the same shape is used (timings do not depend on pixel values) and the output says so.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def load_data():
    try:
        from flambeau.datasets import load_mnist

        X, y, _, _ = load_mnist()
        return X.astype(np.float32), y.astype(np.int64), "MNIST"
    except Exception as error:  # no data here: the timing does not depend on the values
        rng = np.random.default_rng(0)
        X = rng.random((60000, 784), dtype=np.float32)
        return X, rng.integers(0, 10, 60000), f"random data ({type(error).__name__}: {error})"


def flambeau_epoch(X, y, batch, seed):
    import flambeau as fb

    net = fb.Sequential(fb.Linear(784, 128, rng=seed), fb.TanH(), fb.Linear(128, 10, rng=seed + 1))
    start = time.perf_counter()
    history = fb.SGD(net, fb.CrossEntropyLoss(), X, y, batch_size=batch, epochs=1, lr=0.01,
                     seed=seed, progress=False)
    return time.perf_counter() - start, history["train_loss"][-1]


def torch_epoch(X, y, batch, seed):
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.Tanh(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    criterion = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    start = time.perf_counter()
    total = 0.0
    for i in range(0, len(X), batch):
        idx = order[i:i + batch]
        optimizer.zero_grad()
        loss = criterion(model(Xt[idx]), yt[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return time.perf_counter() - start, total / len(X)


def numpy_epoch(X, y, batch, seed, lr=0.01):
    """The same epoch written by hand in NumPy, no framework: the same shuffled batches (gathered
    with ``take``) through ``mlp_step_by_hand``, in float32: the floor of a NumPy library that keeps
    the course's contract. Returns ``(seconds, mean loss of the last batch)``."""
    rng = np.random.default_rng(seed)
    params = [rng.uniform(-1 / 28, 1 / 28, (784, 128)).astype(np.float32), np.zeros(128, np.float32),
              rng.uniform(-128 ** -0.5, 128 ** -0.5, (128, 10)).astype(np.float32), np.zeros(10, np.float32)]
    grads = [np.zeros_like(p) for p in params]
    order = rng.permutation(len(X))
    start = time.perf_counter()
    for i in range(0, len(X), batch):
        idx = order[i:i + batch]
        loss = mlp_step_by_hand(params, grads, X.take(idx, axis=0), y.take(idx), lr)
    return time.perf_counter() - start, loss


def mlp_step_by_hand(params, grads, xb, yb, lr) -> float:
    """One step of Linear(784, 128)-TanH-Linear(128, 10) + softmax cross-entropy on the batch mean,
    keeping the course's contract (gradients set to zero, then ADDED into, then applied as
    ``p -= lr * g``), every element-wise step in place where it can be. ``params``: ``[W1, b1, W2,
    b2]``, ``grads`` the same shapes; returns the batch's mean loss before the update."""
    (W1, b1, W2, b2), (gW1, gb1, gW2, gb2) = params, grads
    a = xb @ W1
    a += b1
    np.tanh(a, out=a)
    z = a @ W2
    z += b2
    loss, d = cross_entropy_by_hand(z, yb)
    for g in grads:
        g.fill(0)
    gW2 += a.T @ d
    gb2 += d.sum(axis=0)
    da = d @ W2.T
    slope = np.multiply(a, a)
    np.subtract(1, slope, out=slope)
    da *= slope
    gW1 += xb.T @ da
    gb1 += da.sum(axis=0)
    for p, g in zip(params, grads, strict=True):
        g *= lr  # in place: the gradients are set to zero before the next batch
        p -= g
    return loss


def cross_entropy_by_hand(z, y) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy of logits ``z`` (overwritten) and labels ``y``: ``(mean loss,
    gradient of the mean loss with respect to z)``, as flambeau's ``CrossEntropyLoss`` with
    ``Optim``'s default reduction and PyTorch's."""
    rows = np.arange(len(z))
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    loss = np.log(total[:, 0]) - z[rows, y]
    d = e
    d /= total
    d[rows, y] -= 1
    d *= 1 / len(z)
    return float(loss.mean()), d


def gemm_epoch(n, batch, seed=0):
    """Seconds taken by the matrix products of one epoch alone, on the same shapes: per batch of
    ``b`` rows, ``X W1``, ``H W2`` (forward), ``H^T D2``, ``D2 W2^T``, ``X^T D1`` (backward), into
    preallocated arrays (no gather, no element-wise work): the BLAS bound of the epoch."""
    rng = np.random.default_rng(seed)
    X, W1, W2 = (rng.standard_normal(s, dtype=np.float32) for s in ((batch, 784), (784, 128), (128, 10)))
    D1, D2 = rng.standard_normal((batch, 128), dtype=np.float32), rng.standard_normal((batch, 10),
                                                                                      dtype=np.float32)
    H, Z, G1, G2 = (np.empty(s, np.float32) for s in ((batch, 128), (batch, 10), (784, 128), (128, 10)))
    sizes = [min(batch, n - i) for i in range(0, n, batch)]
    start = time.perf_counter()
    for b in sizes:
        np.matmul(X[:b], W1, out=H[:b])
        np.matmul(H[:b], W2, out=Z[:b])
        np.matmul(H[:b].T, D2[:b], out=G2)
        np.matmul(D2[:b], W2.T, out=H[:b])
        np.matmul(X[:b].T, D1[:b], out=G1)
    return time.perf_counter() - start


def compare(X, y, batch, repeats):
    ours, theirs = [], []
    for r in range(repeats):  # alternate so that machine noise hits both alike
        t, loss_ours = flambeau_epoch(X, y, batch, seed=r)
        ours.append(t)
        t, loss_theirs = torch_epoch(X, y, batch, seed=r)
        theirs.append(t)
    return statistics.median(ours), statistics.median(theirs), loss_ours, loss_theirs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="threads for both frameworks")
    args = parser.parse_args(argv)
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    X, y, source = load_data()
    print(f"data: {source}, X {X.shape} {X.dtype}; torch {torch.__version__}, "
          f"{args.threads} thread(s) each; {args.repeats} alternating repeats")
    for batch in args.batch:
        with threadpool_limits(limits=args.threads, user_api="blas"):
            ours, theirs, loss_ours, loss_theirs = compare(X, y, batch, args.repeats)
        print(f"batch {batch:4d}: flambeau {ours:.3f} s (loss {loss_ours:.4f}), "
              f"pytorch {theirs:.3f} s (loss {loss_theirs:.4f}), ratio flambeau/pytorch "
              f"{ours / theirs:.2f}")


if __name__ == "__main__":
    main()
