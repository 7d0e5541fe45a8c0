"""Sanity studies of report 003: gradient checks, over-fitting 5 samples, sine regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..losses import MSELoss
from ..optim import Optim
from .common import mlp
from .gradcheck_table import gradcheck_rows
from .plots import curves
from .spec import Reference, Setting, Study

__all__ = ["STUDIES"]

REPORT_003 = "report 003 (Elguindy & Martin), section 3.2"


# -- gradcheck ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GradcheckConfig:
    tolerance: float = 1e-6


def run_gradcheck(cfg: GradcheckConfig, ctx) -> dict:
    rows = gradcheck_rows(cfg.tolerance, ctx.seed)
    ctx.table("Finite differences against back-propagation (float64, central differences)",
              ["class", "kind", "status", "worst relative error", "per tensor", "example"],
              [[r["name"], r["kind"], r["status"], f"{r.get('max_relative_error', float('nan')):.2e}",
                ", ".join(f"{k}: {v:.1e}" for k, v in r.get("errors", {}).items()) or r.get("detail", ""),
                r.get("config", "")] for r in rows])
    checked = [r for r in rows if "max_relative_error" in r]
    ctx.figure(_error_bars(_worst_per_class(checked), cfg.tolerance), "gradcheck_errors",
               "worst relative error per class (over its cases)")
    return {"modules": {r["name"]: r for r in rows}, "n_classes": len({r["class"] for r in rows}),
            "n_cases": len(rows), "n_checked": len(checked),
            "n_passed": sum(r["status"] == "pass" for r in rows),
            "worst_relative_error": max((r["max_relative_error"] for r in checked), default=None),
            "all_passed": all(r["status"] == "pass" for r in rows)}


def _worst_per_class(rows):
    worst = {}
    for row in rows:
        if row["class"] not in worst or row["max_relative_error"] > worst[row["class"]]["max_relative_error"]:
            worst[row["class"]] = {"name": row["class"], "max_relative_error": row["max_relative_error"]}
    return sorted(worst.values(), key=lambda row: row["name"])


def _error_bars(rows, tolerance):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.25 * len(rows) + 1))
    ax.barh([r["name"] for r in rows], [max(r["max_relative_error"], 1e-16) for r in rows])
    ax.axvline(tolerance, color="red", label=f"tolerance {tolerance:g}")
    ax.set(xscale="log", xlabel="worst relative error (finite differences vs backward)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


GRADCHECK = Study(
    name="gradcheck",
    title="Gradient check of every module and loss",
    summary="finite differences vs back-propagation for every case of the module database, as a table",
    run=run_gradcheck,
    configs={"tiny": GradcheckConfig(), "quick": GradcheckConfig(), "full": GradcheckConfig()},
    references=(Reference("worst_relative_error", "worst relative error over all modules",
                          "1e-6 to 1e-12", REPORT_003 + ".1"),),
    source=REPORT_003 + ".1",
)


# -- overfit --------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverfitConfig:
    n_samples: int = 5
    n_features: int = 4
    hidden: int = 32
    lr: float = 0.1
    target_loss: float = 1e-4
    max_steps: int = 20000


def run_overfit(cfg: OverfitConfig, ctx) -> dict:
    rng = ctx.rng(0)
    X = rng.normal(size=(cfg.n_samples, cfg.n_features)).astype(np.float32)
    y = rng.normal(size=(cfg.n_samples, 1)).astype(np.float32)
    net = mlp([cfg.n_features, cfg.hidden, 1], "tanh", rng=ctx.rng(1))
    optim = Optim(net, MSELoss(), cfg.lr)
    losses = []
    for _ in range(cfg.max_steps):
        losses.append(optim.step(X, y))
        if losses[-1] < cfg.target_loss:
            break
    reached = losses[-1] < cfg.target_loss
    ctx.figure(curves({"training loss (5 samples)": losses}, xlabel="step", ylabel="MSE", logy=True,
                      title=f"Over-fitting {cfg.n_samples} samples"), "overfit_loss",
               f"training MSE on {cfg.n_samples} random samples against optimisation steps (log scale)")
    return {"final_loss": losses[-1], "reached_target": reached,
            "steps_to_target": len(losses) if reached else None, "target_loss": cfg.target_loss}


OVERFIT = Study(
    name="overfit",
    title="Over-fitting five samples",
    summary="a small TanH MLP memorises 5 random samples to MSE < 1e-4",
    run=run_overfit,
    configs={"tiny": OverfitConfig(max_steps=3000), "quick": OverfitConfig(), "full": OverfitConfig()},
    references=(Reference("final_loss", "final training loss on 5 samples", "< 1e-4",
                          REPORT_003 + ".2"),),
    source=REPORT_003 + ".2",
)



# -- regression -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RegressionConfig:
    """Report 003, section 3.2.3: Linear(2, h) - TanH - Linear(h, 1) on ``y = sin(pi x1) + x2^2``,
    MSE, SGD at 0.1 / 0.01 / 0.001 for 2,000 epochs, on the course's summed gradient.

    Not stated in the report, chosen here: 16 hidden units (its "for example"), 1,000 training
    and 500 test points with x uniform in [-1, 1]^2 and noise 0.1, batches of 32 (the course's
    SGD is mini-batch). A learning rate that diverges is recorded as such (its epoch), not hidden.
    """

    n_train: int = 1000
    n_test: int = 500
    noise: float = 0.1
    hidden: int = 16
    epochs: int = 2000
    learning_rates: tuple = (0.1, 0.01, 0.001)
    batch_size: int | None = 32
    reduction: str = "sum"
    init: str = "normal"
    repeats: int = 10


def run_regression(cfg: RegressionConfig, ctx) -> dict:
    from ..datasets import make_sine_regression
    from ..training import SGD, DivergenceError, evaluate

    X, y = make_sine_regression(cfg.n_train + cfg.n_test, cfg.noise, seed=ctx.seed_for(0))
    X, y, Xt, yt = X[:cfg.n_train], y[:cfg.n_train], X[cfg.n_train:], y[cfg.n_train:]
    runs, series = {}, {}
    for i, lr in enumerate(cfg.learning_rates):
        net = mlp([2, cfg.hidden, 1], "tanh", rng=ctx.rng(1, i), init=cfg.init)
        initial = evaluate(net, MSELoss(), X, y)["loss"]
        try:
            history = SGD(net, MSELoss(), X, y, batch_size=cfg.batch_size or len(X), epochs=cfg.epochs, lr=lr,
                          seed=ctx.seed_for(2, i), X_val=Xt, Y_val=yt, progress=ctx.progress,
                          reduction=cfg.reduction)
        except DivergenceError as error:
            runs[f"lr_{lr}"] = {"initial_train_mse": initial, "diverged": 1.0, "error": str(error)}
            ctx.log("regression lr %g: diverged (%s)", lr, error)
            continue
        runs[f"lr_{lr}"] = {"initial_train_mse": initial, "final_train_mse": history["train_loss"][-1],
                            "test_mse": history["val_loss"][-1], "diverged": 0.0}
        series[f"lr {lr} (train)"] = history["train_loss"]
        ctx.log("regression lr %g: MSE %.3f -> %.3f", lr, initial, history["train_loss"][-1])
    if series:
        ctx.figure(curves(series, ylabel="MSE per sample", logy=True, title="sin(pi x1) + x2^2"),
                   "loss_curves",
                   "training MSE per sample against epochs (log scale), one line per learning rate (first "
                   "seed; a diverged rate has no line)")
    ctx.note(f"Hidden size {cfg.hidden}, batch {cfg.batch_size or 'full'}, {cfg.n_train} training points and "
             f"noise {cfg.noise} are our choices (the report names 'for example Linear(2, hidden_size)' and "
             "gives no data size). 'diverged' is the share of seeds whose loss became infinite.")
    return {"runs": runs}


REGRESSION = Study(
    name="regression",
    title="Non-linear regression of sin(pi x1) + x2^2: learning rates",
    summary="2-16-1 TanH regression of sin(pi x1) + x2^2, learning rates 0.1 / 0.01 / 0.001, 2000 epochs",
    run=run_regression,
    configs={"tiny": RegressionConfig(n_train=200, n_test=100, epochs=50, repeats=1),
             "quick": RegressionConfig(epochs=500, repeats=3),
             "full": RegressionConfig()},
    references=(Reference("runs.lr_0.01.initial_train_mse", "MSE before training, lr 0.01", 0.7,
                          REPORT_003 + ".3"),
                Reference("runs.lr_0.01.final_train_mse", "MSE after training, lr 0.01", 0.28,
                          REPORT_003 + ".3"),
                Reference("runs.lr_0.1.diverged", "share of seeds diverging at lr 0.1",
                          "'critical impact on stability' (figure 2)", REPORT_003 + ".3"),
                Reference("runs.lr_0.001.final_train_mse", "MSE after training, lr 0.001",
                          "slower (figure 2)", REPORT_003 + ".3")),
    source=REPORT_003 + ".3",
    recipe=(Setting("model", "Linear(2, hidden_size) - TanH - Linear(hidden_size, 1), MSE (section 3.1)",
                    "16 hidden units", why="the report's size is 'for example'"),
            Setting("data", "y = sin(pi x1) + x2^2 on random (x1, x2)", "1,000 + 500 points, x uniform in "
                    "[-1, 1]^2, noise 0.1", why="not stated"),
            Setting("training", "SGD, learning rates 0.1, 0.01, 0.001, 2,000 epochs (section 3.2.3)", "same"),
            Setting("batch", "not stated", "32", why="the course's SGD is mini-batch"),
            Setting("gradient", "the course's Optim (sum of per-sample gradients)", "reduction='sum'"),
            Setting("initialisation", "W ~ randn * 0.1 (section 2.2)", "randn * 0.1"),
            Setting("draws", "one", "10 seeds")),
)

STUDIES = (GRADCHECK, OVERFIT, REGRESSION)
