"""One training epoch (batch 64) of the two reference CNNs: flambeau vs the same PyTorch CPU network.

The course's 1-D CNN on USPS and the 2-D MNIST CNN (``flambeau.models``) are trained for one epoch
with plain SGD and the cross-entropy loss, by flambeau and by the same network in PyTorch (CPU),
both limited to ``--threads`` threads (default 2: ``torch.set_num_threads(2)`` and NumPy's BLAS
through threadpoolctl). The two are interleaved block by block (``--block`` batches of one, then the
same batches of the other, the first alternating), so that both see the same load on a shared
machine; an epoch's time is the sum of its blocks. The script prints the median epoch time of each
over ``--runs`` epochs and the ratio of the medians (flambeau / PyTorch, lower is better).

On a machine whose cores are busy with other jobs, compare with ``--threads 1``: with more BLAS
threads than free cores, NumPy's OpenBLAS threads wait on each other and a step can take 10 to 50
times longer, so two-thread timings there measure the load, not the code.

Usage:
    FLAMBEAU_DATA=/work/shared/data python benchmarks/bench_cnn.py           # full epochs, 3 runs
    FLAMBEAU_DATA=/work/shared/data python benchmarks/bench_cnn.py --quick   # a tenth of an epoch
    FLAMBEAU_DATA=/work/shared/data python benchmarks/bench_cnn.py --threads 1
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from bench_mlp import cross_entropy_by_hand
from threadpoolctl import threadpool_limits
from torch import nn

from flambeau import CrossEntropyLoss, Optim
from flambeau.datasets import load_mnist, load_usps
from flambeau.models import course_conv1d_net, mnist_cnn

BATCH = 64
LR = 0.05


def torch_conv1d_net() -> nn.Module:
    return nn.Sequential(nn.Conv1d(1, 32, 3), nn.MaxPool1d(2, 2), nn.Flatten(), nn.Linear(4064, 100),
                         nn.ReLU(), nn.Linear(100, 10))


def torch_mnist_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(1568, 10))


class FlambeauLoop:
    """SGD steps of a flambeau network on given batch indices."""

    def __init__(self, net, X, y):
        self.optim, self.X, self.y = Optim(net, CrossEntropyLoss(), LR), X, y
        self.cpu = 0.0  # CPU seconds of this process in run(), summed

    def run(self, batches) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        for idx in batches:
            self.optim.step(self.X[idx], self.y[idx])
        self.cpu += time.process_time() - cpu
        return time.perf_counter() - start


class TorchLoop:
    """The same steps in PyTorch: zero_grad, forward, loss, backward, step."""

    def __init__(self, net, X, y):
        self.net, self.X, self.y = net, X, torch.from_numpy(np.array(y))
        self.optim = torch.optim.SGD(net.parameters(), lr=LR)
        self.loss = nn.CrossEntropyLoss()
        self.cpu = 0.0  # CPU seconds of this process in run(), summed

    def run(self, batches) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        for idx in batches:
            idx = torch.from_numpy(idx)
            self.optim.zero_grad()
            self.loss(self.net(self.X[idx]), self.y[idx]).backward()
            self.optim.step()
        self.cpu += time.process_time() - cpu
        return time.perf_counter() - start


def timed_epoch(ours, theirs, batches, block: int, flip: bool) -> tuple[float, float]:
    """Epoch times ``(ours, theirs)``, interleaved by blocks of ``block`` batches."""
    total_ours = total_theirs = 0.0
    for b, first in enumerate(range(0, len(batches), block)):
        chunk = batches[first:first + block]
        if (b % 2 == 0) != flip:
            total_ours += ours.run(chunk)
            total_theirs += theirs.run(chunk)
        else:
            total_theirs += theirs.run(chunk)
            total_ours += ours.run(chunk)
    return total_ours, total_theirs


class Conv1DByHand:
    """The course's Conv1D network (``course_conv1d_net``: Conv1D(3, 1, 32) - MaxPool1D(2, 2) -
    Flatten - Linear(4064, 100) - ReLU - Linear(100, 10)) trained by hand in NumPy, one function and
    no framework: im2col product for the convolution, the pool through its two taps, softmax
    cross-entropy on the batch mean, the course's contract (gradients zeroed, added into, applied
    as ``p -= LR * g``), float32, every element-wise step in place where it can be. ``run(batches)``
    as ``FlambeauLoop``: the floor of a NumPy library on this network."""

    def __init__(self, X, y, seed: int = 0):
        rng = np.random.default_rng(seed)

        def uniform(fan_in, *shape):
            return rng.uniform(-fan_in ** -0.5, fan_in ** -0.5, shape).astype(np.float32)

        self.X, self.y = X[:, :, 0], np.asarray(y)
        self.params = [uniform(3, 3, 32), uniform(3, 32), uniform(4064, 4064, 100), uniform(4064, 100),
                       uniform(100, 100, 10), uniform(100, 10)]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cpu = 0.0

    def run(self, batches) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        for idx in batches:
            self.step(self.X.take(idx, axis=0), self.y.take(idx))
        self.cpu += time.process_time() - cpu
        return time.perf_counter() - start

    def step(self, x, y) -> float:
        (Wc, bc, W1, b1, W2, b2), (gWc, gbc, gW1, gb1, gW2, gb2) = self.params, self.grads
        n = len(x)
        cols = np.lib.stride_tricks.sliding_window_view(x, 3, axis=1).reshape(-1, 3)  # (n * 254, 3)
        conv = cols @ Wc
        conv += bc
        taps = conv.reshape(n, 127, 2, 32)
        first = np.greater_equal(taps[:, :, 0], taps[:, :, 1])  # ties go to the first tap
        pooled = np.maximum(taps[:, :, 0], taps[:, :, 1]).reshape(n, 4064)
        hidden = pooled @ W1
        hidden += b1
        active = np.maximum(hidden, 0)
        z = active @ W2
        z += b2
        loss, d = cross_entropy_by_hand(z, y)
        for g in self.grads:
            g.fill(0)
        gW2 += active.T @ d
        gb2 += d.sum(axis=0)
        d_hidden = d @ W2.T
        d_hidden *= hidden > 0
        gW1 += pooled.T @ d_hidden
        gb1 += d_hidden.sum(axis=0)
        d_pooled = (d_hidden @ W1.T).reshape(n, 127, 32)
        d_conv = np.empty_like(taps)
        np.multiply(d_pooled, first, out=d_conv[:, :, 0])
        np.subtract(d_pooled, d_conv[:, :, 0], out=d_conv[:, :, 1])
        d_conv = d_conv.reshape(-1, 32)
        gWc += cols.T @ d_conv
        gbc += d_conv.sum(axis=0)
        for p, g in zip(self.params, self.grads, strict=True):
            g *= LR  # in place: the gradients are set to zero before the next batch
            p -= g
        return loss


def mnist_cnn_gemm_epoch(n: int, batch: int = BATCH, seed: int = 0) -> float:
    """Seconds taken by the matrix products of one 2-D MNIST CNN epoch alone (``mnist_cnn``: two
    3x3 convolutions 1->16 and 16->32 with padding 1, 2x2 pools, Linear(1568, 10)), on the shapes
    flambeau multiplies, from im2col matrices built beforehand, into preallocated arrays (no
    window copy, pooling, activation or update): per batch, each convolution's forward product and
    weight-gradient product, the second one's input gradient (a product of depth 9 x 32, see
    ``Conv._full_correlation``), and the three products of the linear layer."""
    rng = np.random.default_rng(seed)
    p1, p2 = batch * 28 * 28, batch * 14 * 14  # positions of the two convolutions' outputs

    def normal(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    cols1, cols2, delta_cols2 = normal(p1, 9), normal(p2, 9 * 16), normal(p2, 9 * 32)
    K1, K2, K2_flipped, W = normal(9, 16), normal(9 * 16, 32), normal(9 * 32, 16), normal(1568, 10)
    D1, D2, F, DL = normal(p1, 16), normal(p2, 32), normal(batch, 1568), normal(batch, 10)
    shapes = ((p1, 16), (p2, 32), (9, 16), (144, 32), (p2, 16))
    Y1, Y2, G1, G2, GX2 = (np.empty(shape, np.float32) for shape in shapes)
    Z, GW, GF = (np.empty(s, np.float32) for s in ((batch, 10), (1568, 10), (batch, 1568)))
    start = time.perf_counter()
    for _ in range(0, n, batch):
        np.matmul(cols1, K1, out=Y1)
        np.matmul(cols2, K2, out=Y2)
        np.matmul(F, W, out=Z)
        np.matmul(F.T, DL, out=GW)
        np.matmul(DL, W.T, out=GF)
        np.matmul(delta_cols2, K2_flipped, out=GX2)
        np.matmul(cols2.T, D2, out=G2)
        np.matmul(cols1.T, D1, out=G1)
    return time.perf_counter() - start


def compare(name: str, ours, theirs, n: int, fraction: float, runs: int, block: int, seed: int) -> float:
    n_batches = max(1, int(np.ceil(n / BATCH) * fraction))
    rng = np.random.default_rng(seed)
    times_ours, times_torch = [], []
    for run in range(runs):
        order = rng.permutation(n)
        batches = [order[b * BATCH:(b + 1) * BATCH] for b in range(n_batches)]
        t_ours, t_torch = timed_epoch(ours, theirs, batches, block, flip=bool(run % 2))
        times_ours.append(t_ours)
        times_torch.append(t_torch)
    t_ours, t_torch = statistics.median(times_ours), statistics.median(times_torch)
    ratio = t_ours / t_torch
    print(f"{name}: {n_batches} batches of {BATCH}; flambeau {t_ours:.2f} s, PyTorch {t_torch:.2f} s "
          f"(medians of {runs} interleaved epochs); ratio {ratio:.2f}x", flush=True)
    return ratio


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time a tenth of an epoch, 5 runs")
    parser.add_argument("--runs", type=int, default=None, help="epochs timed per framework")
    parser.add_argument("--threads", type=int, default=2, help="threads for both frameworks")
    parser.add_argument("--block", type=int, default=10, help="batches per interleaved block")
    parser.add_argument("--only", choices=["conv1d", "cnn2d"], default=None, help="one network only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    fraction = 0.1 if args.quick else 1.0
    runs = args.runs or (5 if args.quick else 3)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    print(f"{args.threads} thread(s) each; batch {BATCH}, plain SGD, lr {LR}", flush=True)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        if args.only in (None, "conv1d"):
            X, y, _, _ = load_usps()
            X = X.reshape(-1, 256, 1)
            X_torch = torch.from_numpy(X.transpose(0, 2, 1).copy())
            compare("Conv1D course net, USPS", FlambeauLoop(course_conv1d_net(rng=args.seed), X, y),
                    TorchLoop(torch_conv1d_net(), X_torch, y), len(X), fraction, runs, args.block,
                    args.seed)
        if args.only in (None, "cnn2d"):
            X, y, _, _ = load_mnist(flatten=False, download=False)
            X = X[..., None]
            X_torch = torch.from_numpy(X.transpose(0, 3, 1, 2).copy())
            compare("2-D CNN, MNIST", FlambeauLoop(mnist_cnn(rng=args.seed), X, y),
                    TorchLoop(torch_mnist_cnn(), X_torch, y), len(X), fraction, runs, args.block,
                    args.seed)


if __name__ == "__main__":
    main()
