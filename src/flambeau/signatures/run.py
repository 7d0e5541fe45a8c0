"""A whole signature study: train (or load) a network on a few digits, feed it known and
unseen digits, cluster every hidden layer, trace the paths, score them, and write a run folder
``runs/<name>/`` that the web app reads without recomputing anything.

Run folder (written atomically, as a whole):
    ``study.json``   configuration, accuracy, date, per-layer k / silhouette / inertia, scores,
                     most frequent signatures;
    ``arrays.npz``   images (uint8), true and predicted classes, anomaly mask, clusters
                     ``(n, L)``, 2-D maps ``(L, n, 2)``, layer names;
    ``silhouette.png``, ``projections.png``   static figures;
    ``model.npz``    the trained network (``flambeau.serialization``).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .. import files, serialization
from ..containers import Sequential
from ..layers import Linear, ReLU, Sigmoid, TanH
from ..losses import CrossEntropyLoss
from ..metrics import predict_classes
from ..module import Module
from ..random import make_rng
from ..training import SGD, predict
from ._optional import check_available
from .clustering import cluster_layers
from .config import SignatureConfig
from .figures import plot_projections, plot_silhouette
from .measures import measure_study
from .paths import paths
from .projection import project_layers
from .record import record
from .scores import score_paths
from .stages import Stages

__all__ = ["FORMAT_VERSION", "analyse", "build_network", "load_digits", "run_signatures",
           "signatures_from_activations"]

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
TOP_SIGNATURES = 20
MAP_CACHE = ".cache/maps"  # in the runs folder: cached 2-D maps (hidden from the app's list)
_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": TanH}

Progress = Callable[[float, str], None]


def load_digits(dataset: str):
    """``(X_train, y_train, X_test, y_test, image_shape)`` with flat float32 images in [0, 1]."""
    if dataset == "usps":
        from ..datasets import load_usps

        return (*load_usps(), (16, 16))
    if dataset == "mnist":
        from ..datasets import load_mnist

        return (*load_mnist(progress=False), (28, 28))
    if dataset == "fashion-mnist":
        from ..datasets import load_fashion_mnist

        return (*load_fashion_mnist(progress=False), (28, 28))
    raise ValueError(f"load_digits: unknown dataset {dataset!r} (usps, mnist or fashion-mnist)")


def build_network(n_inputs: int, hidden, n_classes: int, activation: str = "relu", seed=0,
                  init: str = "uniform") -> Sequential:
    """``Linear -> act -> ... -> Linear(n_classes)`` (logits for ``CrossEntropyLoss``); ``init``
    names the weights' initialiser (``flambeau.init``)."""
    rng = make_rng(seed)
    widths = [n_inputs, *hidden]
    modules: list[Module] = []
    for d_in, d_out in zip(widths[:-1], widths[1:], strict=True):
        modules += [Linear(d_in, d_out, init=init, rng=rng), _ACTIVATIONS[activation]()]
    modules.append(Linear(widths[-1], n_classes, init=init, rng=rng))
    return Sequential(modules)


def _draw(y: np.ndarray, classes, n: int | None, rng, split: str, strict: bool) -> np.ndarray:
    """Indices of ``n`` random samples per class (fewer if ``strict`` is False and lacking; all
    of them when ``n`` is None)."""
    chosen = []
    for c in classes:
        pool = np.flatnonzero(y == c)
        if n is None:
            chosen.append(pool)
        elif strict and len(pool) < n:
            raise ValueError(f"run_signatures: the {split} split holds {len(pool)} images of class {c}, "
                             f"fewer than n_per_class={n}")
        else:
            chosen.append(np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False)))
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


def analyse(acts: dict[str, np.ndarray], y_true, y_pred, is_anomaly=None, k_range=(2, 10),
            method: str = "kmeans", seed: int = 0, progress: bool = False, stage: Progress | None = None):
    """Cluster every layer, trace the paths and score them.

    Works on any activations ``{layer: (n, d)}`` (e.g. recorded in another framework). The
    silhouette and k-means samples are stratified by ``y_true``.

    Args:
        stage: optional ``callback(fraction, message)`` called as each step starts.

    Returns:
        ``(clusterings, paths, scores)``: see ``cluster_layers``, ``paths``, ``score_paths``.
    """
    stage = stage or (lambda fraction, message: None)
    acts = record(acts)
    stage(0.55, "clustering the hidden layers")
    clusterings = cluster_layers(acts, k_range, method, seed, progress, strata=y_true)
    stage(0.65, "counting the paths and scoring them")
    p = paths(clusterings, y_true, y_pred, is_anomaly)
    return clusterings, p, score_paths(p, y_true, is_anomaly)


def _top_signatures(p, y: np.ndarray, is_anomaly: np.ndarray) -> list[dict]:
    rows = []
    for signature, count in zip(p.unique_signatures[:TOP_SIGNATURES].tolist(),
                                p.signature_counts[:TOP_SIGNATURES].tolist(), strict=True):
        members = np.all(p.signatures == np.asarray(signature), axis=1)
        keys = [f"anomaly {c}" if a else str(c) for c, a in zip(y[members], is_anomaly[members], strict=True)]
        values, counts = np.unique(keys, return_counts=True)
        rows.append({"signature": list(signature), "count": count,
                     "by_class": {str(v): int(c) for v, c in zip(values, counts, strict=True)}})
    return rows


def _train(config: SignatureConfig, X, y, progress: bool) -> tuple[Sequential, float]:
    classes = np.asarray(config.classes)
    targets = np.searchsorted(classes, y)
    net = build_network(X.shape[1], config.hidden, len(classes), config.activation, config.seed, config.init)
    SGD(net, CrossEntropyLoss(), X, targets, batch_size=config.batch_size, epochs=config.epochs,
        lr=config.lr, seed=config.seed, progress=progress)
    train_acc = float(np.mean(predict_classes(predict(net, X)) == targets))
    if train_acc < 1.5 / len(classes):
        log.warning("run_signatures: training accuracy %.3f is close to chance (%d classes): the paths "
                    "of an untrained network say little; train longer, or with init='he' for a deep "
                    "ReLU network", train_acc, len(classes))
    return net, train_acc


def _check_model(net, n_inputs: int, n_classes: int):
    """A ``Sequential`` (or the path of a saved one), or a recorder such as ``OnnxModel``
    (``predict`` and ``record`` methods), mapping ``n_inputs`` features to ``n_classes`` logits."""
    if isinstance(net, (str, Path)):
        net = serialization.load(net)
    external = not isinstance(net, Sequential)
    if external and not (callable(getattr(net, "predict", None)) and callable(getattr(net, "record", None))):
        raise TypeError(f"run_signatures: model must be a Sequential, a saved one or a recorder (OnnxModel), "
                        f"got {type(net).__name__}")
    out = _predict(net, np.zeros((1, n_inputs), np.float32))
    if out.shape != (1, n_classes):
        raise ValueError(f"run_signatures: model must map (batch, {n_inputs}) to (batch, {n_classes}), "
                         f"gives {out.shape[1:]} per sample")
    return net


def _model_input(net, X: np.ndarray) -> np.ndarray:
    """Flat images reshaped to a recorder's fixed input shape (``(n, 1, 28, 28)``) when the sizes
    agree; ``X`` as it is for a ``Sequential`` or any other shape."""
    shape = getattr(net, "input_shape", None)
    if isinstance(net, Sequential) or not shape or any(d is None for d in shape[1:]):
        return X
    return X.reshape(len(X), *shape[1:]) if int(np.prod(shape[1:])) == X.shape[1] else X


def _predict(net, X: np.ndarray) -> np.ndarray:
    return predict(net, X) if isinstance(net, Sequential) else net.predict(_model_input(net, X))


def _record(net, X: np.ndarray, spatial: str) -> dict[str, np.ndarray]:
    if isinstance(net, Sequential):
        return record(net, X, spatial=spatial)
    return net.record(_model_input(net, X))


def _measured(config: SignatureConfig, net, X_train, y_train, X, y, is_anomaly, acts, progress: bool) -> dict:
    """The anomaly-detection and uncertainty sections (``measures.measure_study``)."""
    def retrain(seed: int):
        network = _train(replace(config, seed=seed), X_train, y_train, False)[0]
        return (_record(network, X_train, config.spatial), _record(network, X, config.spatial),
                _predict(network, X))

    seeds = range(config.seed, config.seed + config.seeds)
    return measure_study(_record(net, X_train, config.spatial), y_train, acts, y, is_anomaly,
                         _predict(net, X), seeds, retrain, config.k_range, config.method, progress)


def _check_projection(projection: str) -> None:
    """A missing umap-learn is reported before training, not after."""
    if projection == "umap":
        check_available("umap", "viz", "run_signatures: projection 'umap'", " (or projection 'pca')")


def run_signatures(config: SignatureConfig | None = None, runs_dir="runs", model=None,
                   progress: Progress | None = None, show_progress: bool = True, figures: bool = True,
                   **fields) -> Path:
    """Run the signature analysis described by ``config`` and write ``runs_dir/config.name``.

    Without ``config``, the keyword ``fields`` build one: ``run_signatures(classes=(1, 7),
    n_per_class=100, hidden=(32, 64), anomalies=(4, 3))``.

    Args:
        config: what to train, record and cluster (a ``SignatureConfig``).
        runs_dir: parent folder of the run folders.
        model: optional trained ``Sequential`` (or path of a saved one) mapping the flat images
            to ``len(config.classes)`` logits (classes in sorted order); trained when None. Or a
            recorder with ``predict(X)`` and ``record(X)`` such as ``OnnxModel`` (its layers and
            ``spatial`` reduction are its own; flat images are reshaped to its fixed input
            shape, e.g. ``(n, 1, 28, 28)``, when the sizes agree).
        progress: optional ``callback(fraction, message)`` (the web app's progress bar).
        show_progress: tqdm bars for training and clustering.
        figures: also write the static PNG figures (matplotlib; the app does not need them).

    Returns:
        the run folder.
    """
    config = _config(config, fields)
    _check_projection(config.projection)
    if model is not None and config.seeds > 1:
        raise ValueError(f"run_signatures: seeds={config.seeds} retrains the network on each seed; a given "
                         f"model cannot be retrained (use seeds=1)")
    report = Stages(progress)
    report(0.0, f"loading {config.dataset}")
    X_train, y_train, X_test, y_test, image_shape = load_digits(config.dataset)
    X, y, train_rows = _analysed_images(config, X_train, y_train, X_test, y_test)
    X_train, y_train = X_train[train_rows], y_train[train_rows]
    if model is None:
        report(0.05, f"training {config.hidden} on {len(X_train)} images")
        net, train_acc = _train(config, X_train, y_train, show_progress)
    else:
        net = _check_model(model, X_train.shape[1], len(config.classes))
        train_acc = float(np.mean(np.asarray(config.classes)[predict_classes(_predict(net, X_train))]
                                  == y_train))
    is_anomaly = np.isin(y, config.anomalies)
    report(0.4, f"recording the hidden layers of {len(X)} images")
    y_pred = np.asarray(config.classes)[predict_classes(_predict(net, X))]
    acts = _record(net, X, config.spatial)
    summary = {"config": config.to_dict(), "train_accuracy": train_acc, "image_shape": list(image_shape),
               "n_train": int(len(X_train))}
    report(0.5, "measuring anomaly detection and seeds")
    summary.update(_measured(config, net, X_train, y_train, X, y, is_anomaly, acts, show_progress))
    if not isinstance(net, Sequential):
        summary["model"] = Path(getattr(net, "path", type(net).__name__)).name
    saved = net if isinstance(net, Sequential) else None
    return _analyse_and_write(acts, y, y_pred, is_anomaly, X, runs_dir, config.name, summary, saved,
                              report, show_progress, figures)


def _analysed_images(config: SignatureConfig, X_train, y_train, X_test, y_test):
    """``(X, y, train_rows)``: the images analysed (known classes, then anomalies; with
    ``analysed="all"`` the training images before the test ones) and the rows of the training
    split the network is trained on."""
    rng = make_rng(config.seed)
    train_rows = _draw(y_train, config.classes, config.n_per_class, rng, "training", strict=True)
    known_rows = _draw(y_test, config.classes, config.n_per_class, rng, "test", strict=False)
    n_anomalies = config.n_anomalies or config.n_per_class
    anomaly_rows = _draw(y_test, config.anomalies, n_anomalies, rng, "test", strict=False)
    train, test = (X_train, y_train), (X_test, y_test)
    parts = [(test, known_rows), (test, anomaly_rows)]
    if config.analysed == "all":
        train_anomalies = _draw(y_train, config.anomalies, n_anomalies, rng, "training", strict=False)
        parts = [(train, train_rows), parts[0], (train, train_anomalies), parts[1]]
    X = np.concatenate([images[rows] for (images, _), rows in parts])
    y = np.concatenate([labels[rows] for (_, labels), rows in parts])
    return X, y, train_rows


def signatures_from_activations(acts: dict, y_true, y_pred, runs_dir="runs",
                                name: str = "signature_activations",
                           is_anomaly=None, images=None, image_shape=None, k_range=(2, 10),
                           method: str = "kmeans", projection: str = "umap", seed: int = 0,
                           progress: Progress | None = None, show_progress: bool = False,
                           figures: bool = True, logits=None, train_acts: dict | None = None,
                           y_train=None) -> Path:
    """A run folder for the app from activations recorded anywhere (Keras, PyTorch...).

    Args:
        acts: ``{layer_name: (n, d) array}`` in layer order.
        y_true, y_pred: ``(n,)`` true and predicted classes.
        runs_dir, name: the run folder is ``runs_dir/name``.
        is_anomaly: optional ``(n,)`` bool, samples of classes the network never learnt.
        images: optional inputs ``(n, h, w)`` or ``(n, h*w)`` in [0, 1] for the thumbnails
            (``image_shape`` ``(h, w)`` with flat images); blank thumbnails when None.
        k_range, method, projection, seed: as in ``SignatureConfig``.
        logits: optional ``(n, classes)`` outputs of the network on these samples.
        train_acts, y_train: optional activations ``{layer: (N, d)}`` (same layers) and classes
            ``(N,)`` of the network's training images. With ``logits`` and anomalies, the study
            measures anomaly detection (path score, MSP, Mahalanobis, GLOSH: ``measures``).

    Returns:
        the run folder.
    """
    acts = record(acts)
    y_true, y_pred = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    n = len(y_true)
    anomaly = np.zeros(n, bool) if is_anomaly is None else np.asarray(is_anomaly, bool)
    if images is None:
        images, image_shape = np.zeros((n, 1), np.float32), (1, 1)
    images = np.asarray(images, np.float32)
    if images.ndim == 3:
        image_shape = images.shape[1:]
    images = images.reshape(len(images), -1)
    if image_shape is None or len(images) != n or int(np.prod(image_shape)) != images.shape[1]:
        raise ValueError(f"signatures_from_activations: images must have shape ({n}, h, w), or ({n}, h*w) "
                         f"with image_shape=(h, w); got {images.shape} and image_shape={image_shape}")
    SignatureConfig(k_range=k_range, method=method, projection=projection)  # validates them
    _check_projection(projection)
    config = {"dataset": "activations", "classes": sorted({int(c) for c in y_true[~anomaly]}),
              "anomalies": sorted({int(c) for c in y_true[anomaly]}), "n_per_class": None,
              "hidden": [int(a.shape[1]) for a in acts.values()], "k_range": list(k_range),
              "method": method, "projection": projection, "seed": seed}
    summary = {"config": config, "image_shape": [int(s) for s in image_shape]}
    report = Stages(progress)
    if train_acts is not None:
        train_acts = record(train_acts)
        summary["n_train"] = int(len(next(iter(train_acts.values()))))
    report(0.1, "measuring anomaly detection")
    summary.update(measure_study(train_acts, y_train, acts, y_true, anomaly, logits, (seed,), None, k_range,
                                 method))
    return _analyse_and_write(acts, y_true, y_pred, anomaly, images, runs_dir, name, summary, None,
                              report, show_progress, figures)


def _analyse_and_write(acts, y, y_pred, is_anomaly, X, runs_dir, name: str, summary: dict, net,
                       report: Stages, show_progress: bool, figures: bool) -> Path:
    config = summary["config"]
    k_range, method, seed = tuple(config["k_range"]), config["method"], config["seed"]
    clusterings, p, scores = analyse(acts, y, y_pred, is_anomaly, k_range, method, seed, show_progress,
                                     stage=report)
    report(0.7, f"computing the {config['projection']} maps")
    coords = project_layers(acts, config["projection"], seed, strata=y, cache_dir=Path(runs_dir) / MAP_CACHE,
                            progress=show_progress)
    report(0.9, "summarising the study")
    known = ~is_anomaly
    summary = {
        "format_version": FORMAT_VERSION, "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "accuracy": float(np.mean(y_pred[known] == y[known])) if known.any() else None,
        "n_samples": int(len(y)), "n_known": int(known.sum()), "n_anomalies": int(is_anomaly.sum()),
        **summary,
        "layers": [{"name": layer, "width": int(acts[layer].shape[1]), **c.summary()}
                   for layer, c in clusterings.items()],
        "scores": scores, "top_signatures": _top_signatures(p, y, is_anomaly),
        "seconds": report.elapsed(),
    }
    arrays = {"images": np.round(np.clip(X, 0, 1) * 255).astype(np.uint8), "y_true": y.astype(np.int64),
              "y_pred": y_pred.astype(np.int64), "is_anomaly": is_anomaly,
              "clusters": p.signatures, "coords": coords, "layer_names": np.asarray(p.layer_names)}
    folder = _write_run(Path(runs_dir), name, summary, arrays, net, clusterings if figures else None, report)
    report(1.0, f"done: {folder}")
    log.info("signature study written to %s in %.1f s", folder, summary["seconds"])
    return folder


def _write_run(runs_dir: Path, name: str, summary: dict, arrays: dict, net, clusterings,
               report: Stages) -> Path:
    tmp = files.temporary_folder(runs_dir, name)
    try:
        if clusterings is not None:
            report(0.92, "drawing the figures")
            _write_figures(tmp, arrays, clusterings)
        report(0.96, "writing the run folder")
        files.write_npz(tmp / "arrays.npz", arrays, compressed=True)
        if net is not None:
            serialization.save(net, tmp / "model.npz")
        summary = {**summary, "timings": report.timings(), "seconds": report.elapsed()}
        files.write_json(tmp / "study.json", summary)  # last: its presence marks a complete run
        return files.publish_folder(tmp, runs_dir / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_figures(folder: Path, arrays: dict, clusterings) -> None:
    projections = plot_projections(arrays["coords"], list(arrays["layer_names"]), arrays["y_true"],
                                   arrays["is_anomaly"])
    for filename, fig in (("silhouette.png", plot_silhouette(clusterings)), ("projections.png", projections)):
        files.save_figure(fig, folder / filename)


def _config(config: SignatureConfig | None, fields: dict) -> SignatureConfig:
    if config is None:
        return SignatureConfig(**fields)
    if fields:
        raise TypeError(f"run_signatures: give a config or its fields, not both (got config and "
                        f"{sorted(fields)})")
    if not isinstance(config, SignatureConfig):
        raise TypeError(f"run_signatures: config must be a SignatureConfig, got {type(config).__name__}")
    return config
