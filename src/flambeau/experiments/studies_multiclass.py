"""Multi-class studies: USPS hidden sizes (report 000), Iris/Fashion/KMNIST (001), MNIST MLP (003)."""

from __future__ import annotations

from dataclasses import dataclass

from ..losses import CrossEntropyLoss
from ..training import evaluate, predict
from .common import classification_metrics, mlp, timed_sgd
from .data import load
from .plots import confusion_matrix_figure, curves, image_grid
from .spec import Reference, Study

__all__ = ["STUDIES"]

REPORT_000 = "report 000 (Pigeon & Sadykova), section 5, figures 18-22"
REPORT_001 = "report 001 (Chettab & Delsaer), table 2"
REPORT_003 = "report 003 (Elguindy & Martin), section 3.2.5"


def _subset(X, y, n):
    return (X, y) if n is None else (X[:n], y[:n])


def _train_classifier(sizes, activation, X, y, X_test, y_test, epochs, batch_size, lr, rng, seed,
                      progress, output=None):
    """Train a TanH/ReLU MLP with cross-entropy on logits; returns (net, history, seconds, metrics)."""
    net = mlp(sizes, activation, output=output, rng=rng)
    loss = CrossEntropyLoss()
    history, seconds = timed_sgd(net, loss, X, y, batch_size=batch_size, epochs=epochs, eps=lr,
                                 seed=seed, X_val=X_test, Y_val=y_test, progress=progress)
    metrics = classification_metrics(y_test, predict(net, X_test), sizes[-1])
    metrics["train_loss"] = evaluate(net, loss, X, y)["loss"]
    metrics["test_loss"] = history["val_loss"][-1] if history.epochs else None
    metrics["train_time_s"] = seconds
    return net, history, seconds, metrics


# -- multiclass-usps ------------------------------------------------------------------------
@dataclass(frozen=True)
class UspsConfig:
    hidden: tuple[int, ...] = (10, 100, 200, 500)
    epochs: int = 30
    batch_size: int = 32
    lr: float = 0.05
    n_train: int | None = None
    n_test: int | None = None
    grid_digits: int = 40


def run_multiclass_usps(cfg: UspsConfig, ctx) -> dict:
    X, y, X_test, y_test = load("usps")
    X, y = _subset(X, y, cfg.n_train)
    X_test, y_test = _subset(X_test, y_test, cfg.n_test)
    runs, loss_curves, nets = {}, {}, {}
    for i, hidden in enumerate(cfg.hidden):
        net, history, _, metrics = _train_classifier(
            [256, hidden, 10], "tanh", X, y, X_test, y_test, cfg.epochs, cfg.batch_size, cfg.lr,
            ctx.rng(1, i), ctx.seed_for(2, i), ctx.progress)
        metrics["val_accuracy_per_epoch"] = history["val_accuracy"]
        runs[f"h{hidden}"], nets[hidden] = metrics, net
        loss_curves[f"{hidden} hidden (test)"] = history["val_loss"]
        ctx.log("USPS 256-%d-10: accuracy %.4f in %.1f s", hidden, metrics["accuracy"],
                metrics["train_time_s"])
    best = max(runs, key=lambda k: runs[k]["accuracy"])
    ctx.figure(curves(loss_curves, ylabel="cross-entropy", title="USPS, test loss per epoch"),
               "loss_curves")
    ctx.figure(confusion_matrix_figure(runs[best]["confusion_matrix"],
                                       title=f"USPS confusion matrix ({best})"), "confusion_matrix")
    pred = predict(nets[int(best[1:])], X_test[:cfg.grid_digits]).argmax(axis=1)
    truth = y_test[:cfg.grid_digits]
    ctx.figure(image_grid(X_test[:cfg.grid_digits], [f"{p} ({t})" for p, t in zip(pred, truth, strict=True)],
                          shape=(16, 16), colors=["black" if p == t else "red"
                                                  for p, t in zip(pred, truth, strict=True)],
                          title=f"test digits: predicted (true), {best}; errors in red"), "test_digits")
    ctx.table("Training time, ours beside the report's (their machine and settings unknown)",
              ["hidden units", "our accuracy", "our training time (s)", "published time (s)"],
              [[h, f"{runs[f'h{h}']['accuracy']:.4f}", f"{runs[f'h{h}']['train_time_s']:.1f}",
                {200: 71, 500: 120}.get(h, "n/a")] for h in cfg.hidden])
    ctx.note(f"Settings the report did not give, chosen here: SGD batch {cfg.batch_size}, learning rate "
             f"{cfg.lr}, {cfg.epochs} epochs, softmax fused into the cross-entropy (same model).")
    return {"runs": runs, "best": best, "n_train": len(X), "n_test": len(X_test)}


_USPS_PUBLISHED = {10: 0.8316, 100: 0.8520, 200: 0.8535, 500: 0.8421}

MULTICLASS_USPS = Study(
    name="multiclass-usps",
    title="USPS digits: hidden layer size of a TanH network",
    summary="256-h-10 TanH + softmax/cross-entropy on USPS, h = 10/100/200/500, times, confusion matrix",
    run=run_multiclass_usps,
    configs={"tiny": UspsConfig(hidden=(10, 50), epochs=2, n_train=600, n_test=300, grid_digits=10),
             "quick": UspsConfig(epochs=8),
             "full": UspsConfig()},
    references=tuple(Reference(f"runs.h{h}.accuracy", f"test accuracy, {h} hidden units", acc, REPORT_000)
                     for h, acc in _USPS_PUBLISHED.items())
    + (Reference("runs.h200.train_time_s", "training time (s), 200 hidden", 71, REPORT_000),
       Reference("runs.h500.train_time_s", "training time (s), 500 hidden", 120, REPORT_000)),
    source=REPORT_000,
)

STUDIES = (MULTICLASS_USPS,)
