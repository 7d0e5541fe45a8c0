"""Report 003, section 3.2.4: moons with three output heads (Sigmoid+BCE, Softmax+CE, LogSoftmax+NLL)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..datasets import make_moons
from ..losses import BCELoss, CrossEntropyLoss, NLLLoss
from ..training import SGD, predict
from .common import mlp
from .plots import curves, decision_boundaries
from .spec import Reference, Setting, Study, summed_gradient

__all__ = ["STUDIES"]

REPORT_003 = "report 003 (Elguindy & Martin), section 3.2.4"

#: head name -> (output units, output activation, loss, label encoding)
HEADS = {
    "sigmoid_bce": (1, "sigmoid", lambda: BCELoss(), "01"),
    "softmax_ce": (2, "softmax", lambda: CrossEntropyLoss(from_logits=False), "int"),
    "logsoftmax_nll": (2, "logsoftmax", lambda: NLLLoss(), "int"),
}


@dataclass(frozen=True)
class MoonsConfig:
    """Report 003, section 3.2.4: Linear(2, 16) - TanH - head, trained on 60% of the points,
    validated on 20%, tested on 20%, 500 epochs ("300-500"), learning rate 0.05 (the rate the
    report names), on the course's summed gradient. Not stated, chosen: 1,000 points, noise 0.2,
    batches of 32."""

    n: int = 1000
    noise: float = 0.2
    hidden: int = 16
    epochs: int = 500
    batch_size: int = 32
    lr: float = 0.05
    reduction: str = "sum"
    init: str = "normal"
    repeats: int = 10
    heads: tuple = ("sigmoid_bce", "softmax_ce", "logsoftmax_nll")


def _labels(y_int, encoding):
    return y_int.astype(np.float32).reshape(-1, 1) if encoding == "01" else y_int


def _classes(net, X):
    out = predict(net, X.astype(np.float32))
    return (out.reshape(-1) > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)


def run_moons(cfg: MoonsConfig, ctx) -> dict:
    X, y = make_moons(cfg.n, cfg.noise, seed=ctx.seed_for(0))
    n_train, n_val = int(0.6 * cfg.n), int(0.2 * cfg.n)
    splits = {"train": slice(0, n_train), "val": slice(n_train, n_train + n_val),
              "test": slice(n_train + n_val, None)}
    results, panels, loss_series, acc_series = {}, [], {}, {}
    for i, head in enumerate(cfg.heads):
        units, output, make_loss, encoding = HEADS[head]
        net = mlp([2, cfg.hidden, units], "tanh", output=output, rng=ctx.rng(1, i), init=cfg.init)
        tr, va = splits["train"], splits["val"]
        history = SGD(net, make_loss(), X[tr], _labels(y[tr], encoding), batch_size=cfg.batch_size,
                      epochs=cfg.epochs, lr=cfg.lr, seed=ctx.seed_for(2, i), X_val=X[va],
                      Y_val=_labels(y[va], encoding), progress=ctx.progress, reduction=cfg.reduction)
        te = splits["test"]
        results[head] = {"test_accuracy": float(np.mean(_classes(net, X[te]) == y[te])),
                         "val_accuracy": history["val_accuracy"][-1],
                         "final_train_loss": history["train_loss"][-1],
                         "epochs_to_90": _first_epoch_above(history["val_accuracy"], 0.9)}
        loss_series[f"{head} train"] = history["train_loss"]
        loss_series[f"{head} val"] = history["val_loss"]
        acc_series[head] = history["val_accuracy"]
        panels.append((f"{head}: test acc {results[head]['test_accuracy']:.3f}",
                       lambda pts, net=net: _classes(net, pts), X[te], y[te]))
        ctx.log("moons %s: test accuracy %.3f", head, results[head]["test_accuracy"])
    ctx.figure(curves(loss_series, ylabel="loss per sample", logy=True), "loss_curves",
               "training and validation loss per sample against epochs for each output head (first seed)")
    ctx.figure(curves(acc_series, ylabel="validation accuracy"), "accuracy_curves",
               "validation accuracy against epochs for each output head (first seed)")
    ctx.figure(decision_boundaries(panels), "decision_boundaries",
               "decision boundary of each head over the test points (first seed), coloured by class")
    return {"heads": results, "all_above_0.9": float(all(r["test_accuracy"] > 0.9 for r in results.values()))}


def _first_epoch_above(values, threshold):
    above = [i + 1 for i, v in enumerate(values) if v > threshold]
    return above[0] if above else None


MOONS = Study(
    name="moons",
    title="Moons: three output heads",
    summary="Linear(2,16)-TanH + Sigmoid/BCE, Softmax/CE, LogSoftmax/NLL on moons; curves and boundaries",
    run=run_moons,
    configs={"tiny": MoonsConfig(n=200, epochs=20, repeats=1),
             "quick": MoonsConfig(epochs=150, repeats=3),
             "full": MoonsConfig()},
    flambeau_configs={"tiny": MoonsConfig(n=200, epochs=20, repeats=1, reduction="mean",
                                          init="uniform"),
                      "quick": MoonsConfig(epochs=150, repeats=3, reduction="mean", init="uniform"),
                      "full": MoonsConfig(reduction="mean", init="uniform")},
    flambeau_reason="the same rate of 0.05 on the batch MEAN (PyTorch's convention) with PyTorch's default "
                    "init: on the summed gradient of 32 samples it is a step of 1.6 on the mean, and the "
                    "cross-entropy heads oscillate (the report noted it for Softmax/CE) and end below "
                    "90 % on most seeds.",
    references=tuple(Reference(f"heads.{h}.test_accuracy", f"test accuracy, {h}", "> 0.90", REPORT_003)
                     for h in HEADS)
    + (Reference("all_above_0.9", "share of seeds where all three heads exceed 0.90", "'repeatedly'",
                 REPORT_003),),
    source=REPORT_003,
    recipe=(Setting("model", "Linear(2, 16) - TanH - head: Sigmoid+BCE, Softmax+CE, LogSoftmax+NLL (3.1)",
                    "same"),
            Setting("data", "scikit-learn moons with noise, train / validation / test", "1,000 points, noise "
                    "0.2, 60 / 20 / 20 %", why="sizes not stated"),
            Setting("epochs", "300-500 (3.2.4)", "500"),
            Setting("learning rate", "0.05 named for Softmax/CE (3.2.4)", "0.05 for every head",
                    "0.05 on the batch mean", "the only rate the report names"),
            Setting("batch", "not stated", "32"),
            summed_gradient("mean"),
            Setting("initialisation", "W ~ randn * 0.1 (section 2.2)", "randn * 0.1",
                    "U(-1/sqrt(fan_in), 1/sqrt(fan_in))"),
            Setting("draws", "'repeatedly' above 90 %", "10 seeds", "10 seeds")),
)

STUDIES = (MOONS,)
