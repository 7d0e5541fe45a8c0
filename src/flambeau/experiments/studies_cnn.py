"""Convolutional networks: the course's Conv1D network on USPS, the 2-D CNN on full MNIST (report 003
could only train its loop-based Conv2D on 2,000 images)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..datasets import normalize, shift_augment
from ..losses import CrossEntropyLoss
from ..models import course_conv1d_net, mnist_cnn
from ..rules import GradientDescent, Momentum
from ..schedules import CosineLR
from ..training import predict
from .common import classification_metrics, timed_sgd
from .data import load
from .plots import confusion_matrix_figure, curves
from .spec import Reference, Study

__all__ = ["STUDIES", "conv1d_inputs"]

REPORT_003 = "report 003 (Elguindy & Martin), section 3.2.5"


@dataclass(frozen=True)
class CnnConfig:
    conv1d_epochs: int = 10
    conv1d_train: int | None = None
    conv1d_lr: float = 0.01
    conv1d_standardize: bool = True
    conv1d_shift_augment: bool = True
    conv1d_cosine: bool = True
    cnn2d_epochs: int = 5
    cnn2d_train: int | None = None
    cnn2d_test: int | None = None
    subset_train: int | None = 2000
    subset_epochs: int = 10
    lr: float = 0.05
    momentum: float = 0.9
    batch_size: int = 64
    download: bool = False


def _fit(net, X, y, Xt, yt, epochs, cfg, ctx, key, momentum=0.0, lr=None, cosine=False):
    rule = Momentum(beta=momentum) if momentum else GradientDescent()
    history, seconds = timed_sgd(net, CrossEntropyLoss(), X, y, batch_size=cfg.batch_size, epochs=epochs,
                                 lr=cfg.lr if lr is None else lr, seed=ctx.seed_for(key), X_val=Xt,
                                 Y_val=yt, rule=rule, schedule=CosineLR(epochs) if cosine else None,
                                 progress=ctx.progress)
    metrics = classification_metrics(yt, predict(net, Xt), 10)
    return history, {**metrics, "train_time_s": seconds, "epoch_time_s": seconds / max(1, epochs),
                     "n_train": len(X), "n_test": len(Xt), "epochs": epochs,
                     "val_accuracy_per_epoch": history["val_accuracy"]}


def conv1d_inputs(X, y, Xt, standardize: bool = True, shift_copies: bool = True):
    """USPS ``(n, 256)`` images as the course Conv1D net's ``(n, 256, 1)`` sequences: pixels
    standardized with the training mean/std, training images plus 4 one-pixel shifted copies.

    Returns:
        ``(X, y, Xt)``; the test labels are unchanged.
    """
    if standardize:
        X, stats = normalize(X, "standard", per_feature=False)
        Xt, _ = normalize(Xt, stats=stats)
    if shift_copies:
        X, y = shift_augment(np.asarray(X).reshape(-1, 16, 16), y)
    return np.asarray(X).reshape(-1, 256, 1), y, np.asarray(Xt).reshape(-1, 256, 1)


def run_cnn(cfg: CnnConfig, ctx) -> dict:
    X, y, Xt, yt = load("usps")
    n = cfg.conv1d_train or len(X)
    X, y, Xt = conv1d_inputs(X[:n], y[:n], Xt, cfg.conv1d_standardize, cfg.conv1d_shift_augment)
    history1, conv1d = _fit(course_conv1d_net(rng=ctx.rng(1)), X, y, Xt, yt, cfg.conv1d_epochs, cfg, ctx, 2,
                            cfg.momentum, cfg.conv1d_lr, cfg.conv1d_cosine)
    ctx.log("Conv1D on USPS: accuracy %.4f", conv1d["accuracy"])
    ctx.figure(confusion_matrix_figure(conv1d["confusion_matrix"], title="Conv1D net, USPS"),
               "confusion_conv1d")

    M, m, Mt, mt = load("mnist", download=cfg.download)
    images, test_images = M.reshape(-1, 28, 28, 1), Mt.reshape(-1, 28, 28, 1)[:cfg.cnn2d_test]
    mt = mt[:cfg.cnn2d_test]
    n2 = cfg.cnn2d_train or len(images)
    history2, cnn2d = _fit(mnist_cnn(rng=ctx.rng(3)), images[:n2], m[:n2], test_images, mt, cfg.cnn2d_epochs,
                           cfg, ctx, 4, cfg.momentum)
    ctx.log("2-D CNN on MNIST (%d images): accuracy %.4f", n2, cnn2d["accuracy"])
    ctx.figure(confusion_matrix_figure(cnn2d["confusion_matrix"], title="2-D CNN, MNIST"), "confusion_cnn2d")
    result = {"conv1d_usps": conv1d, "cnn2d_mnist": cnn2d}
    series = {"Conv1D USPS": history1["val_accuracy"], f"CNN MNIST ({n2} images)": history2["val_accuracy"]}
    if cfg.subset_train:
        history3, subset = _fit(mnist_cnn(rng=ctx.rng(5)), images[:cfg.subset_train], m[:cfg.subset_train],
                                test_images, mt, cfg.subset_epochs, cfg, ctx, 6, cfg.momentum)
        result["cnn2d_mnist_subset"] = subset
        series[f"CNN MNIST ({cfg.subset_train} images, the report's subset)"] = history3["val_accuracy"]
    ctx.figure(curves(series, ylabel="test accuracy", title="convolutional networks"), "accuracy_curves")
    recipe = ", ".join(name for name, on in (("standardized pixels", cfg.conv1d_standardize),
                                              ("4 one-pixel shifted copies of each training image",
                                               cfg.conv1d_shift_augment),
                                              ("cosine learning-rate decay", cfg.conv1d_cosine)) if on)
    ctx.note(f"Conv1D net: SGD batch {cfg.batch_size}, lr {cfg.conv1d_lr}, momentum {cfg.momentum}"
             f"{', ' + recipe if recipe else ''} (on the plain data the same net over-fits at about 94.5 %). "
             f"2-D CNN: SGD batch {cfg.batch_size}, lr {cfg.lr}, momentum {cfg.momentum}. "
             "Architectures: flambeau.models.course_conv1d_net and mnist_cnn. The report trained its CNN on "
             "2,000 MNIST images only (no accuracy published); we train on all and on the same 2,000.")
    return result


CNN = Study(
    name="cnn",
    title="Convolutional networks: the course Conv1D net on USPS, the 2-D CNN on full MNIST",
    summary="Conv1D(3,1,32)-MaxPool-Linear on USPS; Conv2D-ReLU-MaxPool x2 on all 60,000 MNIST images",
    run=run_cnn,
    configs={"tiny": CnnConfig(conv1d_epochs=1, conv1d_train=500, cnn2d_epochs=1, cnn2d_train=300,
                               cnn2d_test=200, subset_train=None),
             "quick": CnnConfig(conv1d_epochs=2, cnn2d_epochs=1, cnn2d_train=5000, cnn2d_test=2000,
                                subset_epochs=2),
             "full": CnnConfig()},
    references=(Reference("conv1d_usps.accuracy", "Conv1D net, USPS test accuracy", ">= 0.95 (course target)",
                          "course / issue 3"),
                Reference("cnn2d_mnist.accuracy", "2-D CNN, MNIST test accuracy (all training images)",
                          "trend only (2,000 images)", REPORT_003),
                Reference("cnn2d_mnist_subset.accuracy", "2-D CNN on the report's 2,000 images",
                          "'loss decreases, accuracy increases'", REPORT_003)),
    source=REPORT_003,
)

STUDIES = (CNN,)
