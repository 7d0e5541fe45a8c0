"""Report 004's signature study: a dense 32-64 network trained on MNIST 1s and 7s, its hidden
layers clustered (k-means, k chosen by silhouette), the paths of known digits and of unseen 4s
and 3s (anomalies) through the clusters.

The report's three observations, measured on the run folder ``flambeau.signatures`` writes:

- "97 % on average" of the 1s (and of the 7s) sit in one cluster from the first hidden layer:
  ``own_cluster_share`` is, per layer and class, the share of the class in its most frequent
  cluster; ``own_cluster_mean`` the mean over the two classes;
- the 4s are routed with the 7s: ``anomaly_4_with_7`` is the share of 4s landing in clusters
  owned by 7s (the known class holding most of the cluster's known samples);
- the 3s spread "at random": ``anomaly_3_max_share`` is the largest share of 3s going to one
  known class's clusters (0.5 would be an even split), with the entropy of their paths.

Layers are keyed ``hidden1``, ``hidden2`` (their flambeau names in ``layer_names``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .spec import Reference, Setting, Study

__all__ = ["STUDIES", "own_cluster_shares"]

REPORT_004 = "report 004 (Montpellier), section 5"


@dataclass(frozen=True)
class SignatureStudyConfig:
    """Report 004's study as ``SignatureConfig`` fields (section 4.3), as ``flambeau signatures
    --preset report004`` reads it: MNIST, classes 1 and 7, 100 images per digit (the report's
    ``cut_data`` n), hidden layers of 32 and 64 units, k-means with k from 2 to 10 chosen by
    silhouette, anomalies 4 and 3 (100 test images each). Not stated in the report, chosen as the
    preset: ReLU units, 30 epochs of SGD at 0.05, batch 16; 2-D maps by PCA (the report's UMAP
    only draws the maps: no number depends on it)."""

    dataset: str = "mnist"
    classes: tuple = (1, 7)
    anomalies: tuple = (4, 3)
    hidden: tuple = (32, 64)
    n_per_class: int = 100
    activation: str = "relu"
    epochs: int = 30
    lr: float = 0.05
    batch_size: int = 16
    k_range: tuple = (2, 10)
    projection: str = "pca"
    repeats: int = 5


def own_cluster_shares(clusters: np.ndarray, y: np.ndarray, known: np.ndarray, layer_names) -> dict:
    """``{layer: {class: share of the class in its most frequent cluster}}`` over known samples.

    Args:
        clusters: ``(n, L)`` cluster of each sample at each layer.
        y: ``(n,)`` true classes; ``known``: ``(n,)`` mask of the trained classes' samples.
    """
    out = {}
    for j, name in enumerate(layer_names):
        shares = {}
        for c in np.unique(y[known]):
            _, counts = np.unique(clusters[known & (y == c), j], return_counts=True)
            shares[str(int(c))] = float(counts.max() / counts.sum())
        out[str(name)] = shares
    return out


def run_signature_study(cfg: SignatureStudyConfig, ctx) -> dict:
    import json

    from ..signatures import run_signatures

    folder = run_signatures(runs_dir=ctx.out, show_progress=ctx.progress, dataset=cfg.dataset,
                            classes=cfg.classes, n_per_class=cfg.n_per_class, hidden=cfg.hidden,
                            anomalies=cfg.anomalies, activation=cfg.activation, epochs=cfg.epochs,
                            lr=cfg.lr, batch_size=cfg.batch_size, k_range=cfg.k_range,
                            projection=cfg.projection, seed=ctx.seed)
    summary = json.loads((folder / "study.json").read_text())
    with np.load(folder / "arrays.npz") as arrays:
        clusters, y, anomaly = arrays["clusters"], arrays["y_true"], arrays["is_anomaly"]
        names = [str(n) for n in arrays["layer_names"]]
    shares = own_cluster_shares(clusters, y, ~anomaly, names)
    first = names[0]
    key = {name: f"hidden{j + 1}" for j, name in enumerate(names)}  # stable keys, whatever the activation
    shares = {key[layer]: v for layer, v in shares.items()}
    routing = summary["scores"]["anomalies"]
    a, b = (str(c) for c in cfg.classes)
    result = {"accuracy": summary["accuracy"], "own_cluster_share": shares,
              "own_cluster_mean": {layer: float(np.mean(list(s.values()))) for layer, s in shares.items()},
              "k": {key[layer["name"]]: layer.get("k") for layer in summary["layers"]},
              "layer_names": key, "folder": str(folder)}
    for anomaly_class, cluster_owner in (("4", b), ("3", a)):
        if anomaly_class in routing:
            per_layer = routing[anomaly_class]["routing"]
            result[f"anomaly_{anomaly_class}_with_{cluster_owner}"] = {
                key[layer]: per_layer[layer][cluster_owner] for layer in names}
            result[f"anomaly_{anomaly_class}_max_share"] = {
                key[layer]: max(v for k, v in per_layer[layer].items() if k != "none") for layer in names}
            result[f"anomaly_{anomaly_class}_path_entropy_bits"] = routing[anomaly_class]["path_entropy_bits"]
    if ctx.repeat == 0:
        for png, words in (("projections", "2-D maps (PCA) of each hidden layer's activations, known digits "
                                           "and anomalies coloured by class"),
                           ("silhouette", "silhouette score against the number of clusters k, per hidden "
                                          "layer (the k kept is the best)")):
            ctx.attach(folder / f"{png}.png", words)
    ctx.note(f"Signature run folder {folder} (open it with 'flambeau serve --runs {ctx.out}'). Clusters: "
             f"k-means, k in {list(cfg.k_range)} by silhouette; first hidden layer: {first}.")
    return result


_TINY = {"dataset": "usps", "n_per_class": 30, "epochs": 3, "repeats": 1}

SIGNATURES = Study(
    name="signatures",
    title="Activation signatures of a 1-vs-7 network, with 4s and 3s as anomalies (report 004)",
    summary="dense 32-64 on MNIST 1 and 7, k-means per hidden layer; own-cluster shares, 4s and 3s routed",
    run=run_signature_study,
    configs={"tiny": SignatureStudyConfig(**_TINY),
             "quick": SignatureStudyConfig(n_per_class=50, epochs=10, repeats=2),
             "full": SignatureStudyConfig()},
    references=(Reference("own_cluster_mean.hidden1", "1s and 7s in their own cluster, first hidden layer "
                          "(mean of the two classes)", 0.97, REPORT_004 + " ('97 % on average')"),
                Reference("anomaly_4_with_7.hidden1", "4s routed to the 7s' clusters, first hidden layer",
                          "'the majority'", REPORT_004 + " (figure 5.4)"),
                Reference("anomaly_3_max_share.hidden1", "3s: largest share going to one known class, first "
                          "hidden layer", "'at random'", REPORT_004 + " (figure 5.5)"),
                Reference("anomaly_3_with_1.hidden1", "3s routed to the 1s' clusters, first hidden layer",
                          "'at random'", REPORT_004 + " (figure 5.5)"),
                Reference("accuracy", "1-vs-7 test accuracy", "not published", REPORT_004)),
    source=REPORT_004,
    recipe=(Setting("network", "dense, hidden layers of 32 and 64 units (section 4.3)", "same, ReLU",
                    why="activation not stated: Keras' usual ReLU"),
            Setting("data", "MNIST 1s and 7s, 100 per digit (cut_data); 4s and 3s fed afterwards "
                    "(section 5)", "100 training images per digit; 100 test images per known and anomaly "
                    "digit", why="the analysed images: the test split, as the report004 preset"),
            Setting("training", "not stated (a Keras model)", "SGD lr 0.05, batch 16, 30 epochs, batch-mean "
                    "gradient", why="as the report004 preset; the report's library is Keras, not the "
                    "course's: no summed gradient"),
            Setting("clusters", "k-means, k by the best silhouette for k = 2..10 (section 4.3.1)", "same"),
            Setting("maps", "UMAP (section 4.4)", "PCA", why="a drawing only; no number depends on it"),
            Setting("draws", "one", "5 seeds (data draw, weights, order, clusters)")),
)

STUDIES = (SIGNATURES,)
