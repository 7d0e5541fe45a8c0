"""``quickstart``: the front door. Offline, on the embedded USPS, in under 3 minutes on 2 cores:
an MLP, the course's Conv1D network, an autoencoder and a small signature study, one report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..autoencoder import AutoEncoder
from ..losses import BCELoss, CrossEntropyLoss
from ..models import course_conv1d_net
from ..rules import Momentum
from ..schedules import CosineLR
from ..training import predict
from .common import classification_metrics, mlp, timed_sgd
from .data import load
from .plots import confusion_matrix_figure, curves, image_grid
from .spec import Reference, Study
from .studies_cnn import conv1d_inputs

__all__ = ["STUDIES"]


@dataclass(frozen=True)
class QuickstartConfig:
    mlp_hidden: int = 128
    mlp_epochs: int = 10
    cnn_epochs: int = 5
    cnn_momentum: float = 0.9
    cnn_lr: float = 0.01
    cnn_augment: bool = True
    cnn_train: int | None = None
    ae_latent: int = 16
    ae_hidden: int = 100
    ae_epochs: int = 10
    lr: float = 0.05
    batch_size: int = 32
    signature_n_per_class: int = 100
    signature_projection: str = "pca"
    n_train: int | None = None
    n_test: int | None = None


def _train_mlp(cfg, ctx, X, y, Xt, yt):
    net = mlp([256, cfg.mlp_hidden, 10], "tanh", rng=ctx.rng(1))
    history, seconds = timed_sgd(net, CrossEntropyLoss(), X, y, batch_size=cfg.batch_size,
                                 epochs=cfg.mlp_epochs, lr=cfg.lr, seed=ctx.seed_for(2), X_val=Xt,
                                 Y_val=yt, progress=ctx.progress)
    metrics = classification_metrics(yt, predict(net, Xt), 10)
    return net, history, {**metrics, "train_time_s": seconds}


def _train_cnn(cfg, ctx, X, y, Xt, yt):
    """The course Conv1D net with the ``cnn`` study's recipe (standardized, shift-augmented
    inputs, momentum, cosine decay) when ``cfg.cnn_augment``; plain inputs otherwise."""
    net = course_conv1d_net(rng=ctx.rng(3))
    n = cfg.cnn_train or len(X)
    X, y, Xt = conv1d_inputs(X[:n], y[:n], Xt, cfg.cnn_augment, cfg.cnn_augment)
    history, seconds = timed_sgd(net, CrossEntropyLoss(), X, y, batch_size=cfg.batch_size,
                                 epochs=cfg.cnn_epochs, lr=cfg.cnn_lr, seed=ctx.seed_for(4), X_val=Xt,
                                 Y_val=yt, rule=Momentum(beta=cfg.cnn_momentum),
                                 schedule=CosineLR(cfg.cnn_epochs) if cfg.cnn_augment else None,
                                 progress=ctx.progress)
    metrics = classification_metrics(yt, predict(net, Xt), 10)
    return history, {**metrics, "train_time_s": seconds, "architecture": repr(net).replace("\n", " ")}


def _train_autoencoder(cfg, ctx, X, Xt):
    ae = AutoEncoder.symmetric(256, cfg.ae_latent, hidden=[cfg.ae_hidden], rng=ctx.rng(5))
    history, seconds = timed_sgd(ae, BCELoss(), X, X, batch_size=cfg.batch_size, epochs=cfg.ae_epochs,
                                 lr=cfg.lr, seed=ctx.seed_for(6), X_val=Xt, Y_val=Xt,
                                 progress=ctx.progress)
    recon = predict(ae, Xt[:10])
    ctx.figure(image_grid(np.concatenate([Xt[:10], recon]), shape=(16, 16),
                          title=f"autoencoder 256-{cfg.ae_hidden}-{cfg.ae_latent}: originals (top), "
                                "reconstructions (bottom)"), "autoencoder_reconstructions",
               "ten test digits (top row) over the autoencoder's reconstructions (bottom row)")
    return history, {"test_bce_per_pixel": history["val_loss"][-1] / 256, "train_time_s": seconds}


def _signature_study(cfg, ctx) -> dict:
    from ..signatures import run_signatures

    folder = run_signatures(runs_dir=ctx.out, show_progress=ctx.progress, dataset="usps", classes=(1, 7),
                   n_per_class=cfg.signature_n_per_class, hidden=(32, 64), anomalies=(4, 3),
                   projection=cfg.signature_projection, seed=ctx.seed)
    for png, words in (("projections", "2-D maps of each hidden layer's activations, coloured by digit"),
                       ("silhouette", "silhouette score against the number of clusters k, per hidden layer")):
        ctx.attach(folder / f"{png}.png", f"signature study (1 vs 7, anomalies 4 and 3): {words}")
    import json

    summary = json.loads((folder / "study.json").read_text())
    ctx.note(f"Signature study written to {folder}; open it with 'flambeau serve --runs {ctx.out}'. Maps "
             f"use {cfg.signature_projection} here to stay fast; 'flambeau signatures' uses UMAP by default.")
    return {"folder": str(folder), "accuracy": summary["accuracy"],
            "layers": [{k: layer.get(k) for k in ("name", "width", "k")} for layer in summary["layers"]],
            "scores": summary.get("scores")}


def run_quickstart(cfg: QuickstartConfig, ctx) -> dict:
    X, y, Xt, yt = load("usps")
    if cfg.n_train:
        X, y = X[:cfg.n_train], y[:cfg.n_train]
    if cfg.n_test:
        Xt, yt = Xt[:cfg.n_test], yt[:cfg.n_test]
    ctx.log("quickstart: MLP 256-%d-10", cfg.mlp_hidden)
    _, mlp_history, mlp_metrics = _train_mlp(cfg, ctx, X, y, Xt, yt)
    ctx.figure(confusion_matrix_figure(mlp_metrics["confusion_matrix"], title="MLP on USPS"),
               "mlp_confusion_matrix", "confusion matrix of the MLP on the USPS test set: rows true digit, "
               "columns predicted")
    ctx.log("quickstart: the course's Conv1D network")
    cnn_history, cnn_metrics = _train_cnn(cfg, ctx, X, y, Xt, yt)
    ctx.log("quickstart: autoencoder")
    ae_history, ae_metrics = _train_autoencoder(cfg, ctx, X, Xt)
    ctx.figure(curves({"MLP (test)": mlp_history["val_loss"],
                       "Conv1D net (test)": cnn_history["val_loss"]},
                      ylabel="cross-entropy per sample", title="USPS test loss"), "classifier_curves",
               "test cross-entropy against epochs for the MLP and the Conv1D network")
    ctx.figure(curves({"autoencoder train": ae_history["train_loss"],
                       "autoencoder test": ae_history["val_loss"]},
                      ylabel="BCE per image", title="autoencoder loss"), "autoencoder_curves",
               "training and test BCE per image against epochs for the autoencoder")
    ctx.log("quickstart: signature study")
    signatures = _signature_study(cfg, ctx)
    return {"mlp": mlp_metrics, "cnn": cnn_metrics, "autoencoder": ae_metrics, "signatures": signatures}


QUICKSTART = Study(
    name="quickstart",
    title="Quickstart: an MLP, the course CNN, an autoencoder and a signature study on USPS",
    summary="the front door: offline on the embedded USPS, < 3 min on 2 cores, one report",
    run=run_quickstart,
    configs={"tiny": QuickstartConfig(mlp_epochs=1, cnn_epochs=1, cnn_train=500, ae_epochs=1, n_train=1000,
                                      n_test=300, signature_n_per_class=20, signature_projection="pca"),
             "quick": QuickstartConfig(mlp_epochs=5, cnn_epochs=1, ae_epochs=5, signature_n_per_class=50),
             "full": QuickstartConfig()},
    references=(Reference("cnn.accuracy", "course Conv1D network, USPS test accuracy",
                          ">= 0.95 (course target)", "course assignment, convolution part"),
                Reference("mlp.accuracy", "MLP 256-h-10 TanH, USPS test accuracy (100 hidden)", 0.852,
                          "report 000, figure 20")),
    source="course assignment (convolution part), report 000, report 004 (signatures)",
)

STUDIES = (QUICKSTART,)
