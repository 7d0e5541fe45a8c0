"""Report 003's MNIST MLP under both gradient conventions: ``reduction="sum"`` vs ``"mean"``.

The recipe and seeds of ``flambeau run mnist-mlp`` (784-128-10 TanH, cross-entropy on logits,
batch 64, lr 0.01, 100 epochs, default init, master seed 0); only ``reduction`` differs.

    FLAMBEAU_DATA=/path/to/data OMP_NUM_THREADS=1 python benchmarks/mnist_reduction.py sum
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from flambeau import SGD, CrossEntropyLoss, predict
from flambeau.experiments.common import mlp
from flambeau.experiments.context import RunContext
from flambeau.experiments.data import load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reduction", choices=("sum", "mean"))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="master seed (as flambeau run --seed)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    X, y, Xt, yt = load("mnist")
    ctx = RunContext(out=Path(tempfile.mkdtemp()), seed=args.seed)
    net = mlp([784, 128, 10], "tanh", rng=ctx.rng(1))  # as studies_multiclass.run_mnist_mlp
    start = time.perf_counter()
    history = SGD(net, CrossEntropyLoss(), X, y, batch_size=64, epochs=args.epochs, lr=0.01,
                  seed=ctx.seed_for(2), X_val=Xt, Y_val=yt, progress=not args.no_progress,
                  reduction=args.reduction)
    accuracy = float((predict(net, Xt).argmax(axis=1) == yt).mean())
    print(json.dumps({"reduction": args.reduction, "epochs": history.epochs, "test_accuracy": accuracy,
                      "best_val_accuracy": max(history["val_accuracy"]),
                      "final_train_loss_per_sample": history["train_loss"][-1],
                      "seconds": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
