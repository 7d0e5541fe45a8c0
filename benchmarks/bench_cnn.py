"""One training epoch (batch 64) of the two reference CNNs: flambeau vs the same PyTorch CPU network.

The course's 1-D CNN on USPS and the 2-D MNIST CNN (``flambeau.models``) are trained for one epoch
with plain SGD and the cross-entropy loss, by flambeau and by the same network in PyTorch (CPU,
``torch.set_num_threads(2)``), in alternating runs within this process; the script prints the
median epoch time of each and their ratio (flambeau / PyTorch, lower is better).

Usage:
    python benchmarks/bench_cnn.py            # full epochs, 3 alternating runs each
    python benchmarks/bench_cnn.py --quick    # a tenth of an epoch, 5 runs each
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
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


def epoch_flambeau(net, X, y, n_batches: int, order) -> float:
    optim = Optim(net, CrossEntropyLoss(), LR)
    start = time.perf_counter()
    for b in range(n_batches):
        idx = order[b * BATCH:(b + 1) * BATCH]
        optim.step(X[idx], y[idx])
    return time.perf_counter() - start


def epoch_torch(net, X, y, n_batches: int, order) -> float:
    optim = torch.optim.SGD(net.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for b in range(n_batches):
        idx = torch.from_numpy(order[b * BATCH:(b + 1) * BATCH])
        optim.zero_grad()
        loss = loss_fn(net(X[idx]), y[idx])
        loss.backward()
        optim.step()
    return time.perf_counter() - start


def compare(name: str, ours, theirs, X, y, X_torch, fraction: float, runs: int, seed: int) -> float:
    n_batches = max(1, int(np.ceil(len(X) / BATCH) * fraction))
    y_torch = torch.from_numpy(np.array(y))
    rng = np.random.default_rng(seed)
    times_ours, times_torch = [], []
    for _ in range(runs):
        order = rng.permutation(len(X))
        times_ours.append(epoch_flambeau(ours, X, y, n_batches, order))
        times_torch.append(epoch_torch(theirs, X_torch, y_torch, n_batches, order))
    t_ours, t_torch = statistics.median(times_ours), statistics.median(times_torch)
    ratio = t_ours / t_torch
    print(f"{name}: {n_batches} batches of {BATCH}; flambeau {t_ours:.2f} s, PyTorch {t_torch:.2f} s "
          f"(medians of {runs} alternating runs); ratio {ratio:.2f}x")
    return ratio


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time a tenth of an epoch, 5 runs")
    parser.add_argument("--runs", type=int, default=None, help="alternating runs per framework")
    parser.add_argument("--only", choices=["conv1d", "cnn2d"], default=None, help="one network only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    fraction = 0.1 if args.quick else 1.0
    runs = args.runs or (5 if args.quick else 3)
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    if args.only in (None, "conv1d"):
        X, y, _, _ = load_usps()
        X = X.reshape(-1, 256, 1)
        compare("Conv1D course net, USPS", course_conv1d_net(rng=args.seed), torch_conv1d_net(), X, y,
                torch.from_numpy(X.transpose(0, 2, 1).copy()), fraction, runs, args.seed)
    if args.only in (None, "cnn2d"):
        X, y, _, _ = load_mnist(flatten=False, download=False)
        X = X[..., None]
        compare("2-D CNN, MNIST", mnist_cnn(rng=args.seed), torch_mnist_cnn(), X, y,
                torch.from_numpy(X.transpose(0, 3, 1, 2).copy()), fraction, runs, args.seed)


if __name__ == "__main__":
    main()
