"""Train a reference CNN of ``flambeau.models`` and report its test accuracy.

Networks:
    conv1d  the course's ``Conv1D(3,1,32) - MaxPool1D(2,2) - Flatten - Linear(4064,100) - ReLU -
            Linear(100,10)`` on USPS (16x16 digits flattened to ``(256, 1)``);
    hv      the course's horizontal + vertical 1-D convolutions (``Concat``) on USPS;
    cnn2d   ``Conv2D(1,16,3,pad 1) - ReLU - MaxPool2D(2) - Conv2D(16,32,3,pad 1) - ReLU -
            MaxPool2D(2) - Flatten - Linear(1568,10)`` on the full MNIST (60,000 images).

Mini-batch SGD (``flambeau.SGD``) on the cross-entropy loss; ``--momentum`` switches to the
``Momentum`` rule, ``--cosine`` anneals the learning rate to 0 over the epochs. ``--standardize``
centres and scales the pixels with the training mean and standard deviation; ``--shift-augment``
adds to the training set four copies of each image shifted by one pixel (up, down, left, right).
MNIST is read from ``$FLAMBEAU_DATA/mnist`` (see ``flambeau.datasets``). The test accuracy after
each epoch is printed (it is not used to choose anything: the number reported is the one after the
last epoch). ``--out`` writes the results as JSON.

Usage:
    python benchmarks/train_cnn.py conv1d --epochs 10 --lr 0.01 --momentum 0.9 --cosine \
        --standardize --shift-augment
    FLAMBEAU_DATA=/work/shared/data python benchmarks/train_cnn.py cnn2d --epochs 6 --lr 0.01 \
        --momentum 0.9
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from flambeau import SGD, CrossEntropyLoss, evaluate
from flambeau.datasets import load_mnist, load_usps
from flambeau.datasets import shift_augment as add_shifted_copies
from flambeau.models import course_conv1d_net, course_hv_conv1d_net, mnist_cnn
from flambeau.rules import GradientDescent, Momentum
from flambeau.schedules import CosineLR


def load(name: str, train_size: int | None, standardize: bool, shift_augment: bool):
    """``(X_train, y_train, X_test, y_test)`` for the network ``name``, inputs in its layout."""
    if name == "cnn2d":
        X_train, y_train, X_test, y_test = load_mnist(flatten=False, download=False)
    else:
        X_train, y_train, X_test, y_test = load_usps(flatten=False)
    if train_size is not None:
        X_train, y_train = X_train[:train_size], y_train[:train_size]
    if standardize:
        mean, std = X_train.mean(), X_train.std()
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    if shift_augment:
        X_train, y_train = add_shifted_copies(X_train, y_train)
    layout = {"cnn2d": (28, 28, 1), "conv1d": (256, 1), "hv": (256,)}[name]
    return X_train.reshape(-1, *layout), y_train, X_test.reshape(-1, *layout), y_test


BUILDERS = {"conv1d": course_conv1d_net, "hv": course_hv_conv1d_net, "cnn2d": mnist_cnn}


def write_json(path: Path, record: dict) -> None:
    """Write ``record`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(record, f, indent=2)
    os.replace(tmp, path)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("net", choices=sorted(BUILDERS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--momentum", type=float, default=0.0, help="0 for plain gradient descent")
    parser.add_argument("--weight-decay", type=float, default=0.0, help="L2 coefficient of the rule")
    parser.add_argument("--cosine", action="store_true", help="cosine learning-rate annealing")
    parser.add_argument("--standardize", action="store_true", help="standardize the pixels")
    parser.add_argument("--shift-augment", action="store_true", help="add 1-pixel shifted copies")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=None, help="use the first N training images")
    parser.add_argument("--out", type=Path, default=None, help="write the results to this JSON file")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load(args.net, args.train_size, args.standardize,
                                            args.shift_augment)
    net = BUILDERS[args.net](rng=args.seed)
    rule = (Momentum(beta=args.momentum, weight_decay=args.weight_decay) if args.momentum
            else GradientDescent(weight_decay=args.weight_decay))
    loss = CrossEntropyLoss()
    start = time.perf_counter()
    history = SGD(net, loss, X_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                  lr=args.lr, seed=args.seed, X_val=X_test, Y_val=y_test, rule=rule,
                  schedule=CosineLR(args.epochs) if args.cosine else None, progress=not args.no_progress)
    elapsed = time.perf_counter() - start
    for epoch, (train_loss, acc, seconds) in enumerate(zip(
            history["train_loss"], history["val_accuracy"], history["epoch_time"], strict=True), 1):
        print(f"epoch {epoch}: train loss {train_loss:.4f}, test accuracy {acc:.4f} ({seconds:.0f} s)")
    test = evaluate(net, loss, X_test, y_test)
    record = {"net": args.net, "train_images": len(X_train), "test_images": len(X_test),
              "epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size,
              "momentum": args.momentum, "weight_decay": args.weight_decay, "cosine": args.cosine,
              "standardize": args.standardize, "shift_augment": args.shift_augment, "seed": args.seed,
              "test_accuracy": test["accuracy"],
              "test_loss": test["loss"], "train_seconds": elapsed}
    print(f"{args.net}: test accuracy {test['accuracy']:.4f} after {args.epochs} epochs on "
          f"{len(X_train)} training images ({elapsed:.0f} s)")
    if args.out is not None:
        write_json(args.out, record)
    return record


if __name__ == "__main__":
    main()
