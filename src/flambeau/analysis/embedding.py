"""2-D / 3-D maps of latent codes: t-SNE (with its KL divergence) and UMAP, coloured by class."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sklearn.manifold import TSNE

from ..files import save_figure
from .codes import encode, sklearn_seed, subsample
from .figures import new_figure

_EXAGGERATION_ITERATIONS = 250  # scikit-learn's TSNE runs these first; kl_divergence_ comes after

__all__ = ["latent_maps_study", "scatter_figure", "tsne_map", "umap_map"]


def tsne_map(codes, labels, out_dir=None, n_components: int = 2, perplexity: float = 30.0,
             max_iter: int = 1000, early_exaggeration: float = 12.0, seed=0,
             class_names=None, name: str | None = None) -> dict:
    """t-SNE of ``codes`` ``(n, k)``; the final KL divergence measures how faithful the map is.

    The reports used ``TSNE(2, perplexity=30, max_iter=3000)`` and ``TSNE(3, perplexity=25,
    max_iter=3000, early_exaggeration=20)``.

    Returns:
        ``kl_divergence`` (scikit-learn's ``kl_divergence_``), ``n_iter``, ``seconds``,
        ``embedding`` ``(n, n_components)`` array, ``figure`` (path or None).
    """
    if max_iter <= _EXAGGERATION_ITERATIONS:
        raise ValueError(f"tsne_map: max_iter must exceed {_EXAGGERATION_ITERATIONS} (the early "
                         f"exaggeration phase) to give a KL divergence, got {max_iter}")
    codes = np.asarray(codes, dtype=np.float64)
    perplexity = min(perplexity, max(1.0, (len(codes) - 1) / 3))  # sklearn needs perplexity < n
    start = time.perf_counter()
    tsne = TSNE(n_components=n_components, perplexity=perplexity, max_iter=max_iter,
                early_exaggeration=early_exaggeration, init="pca", random_state=sklearn_seed(seed))
    embedding = tsne.fit_transform(codes)
    result = {"method": "tsne", "n_components": n_components, "perplexity": perplexity,
              "kl_divergence": float(tsne.kl_divergence_), "n_iter": int(tsne.n_iter_),
              "seconds": time.perf_counter() - start, "embedding": embedding, "figure": None}
    if out_dir is not None:
        title = f"t-SNE {n_components}-D, perplexity {perplexity:g}, KL {result['kl_divergence']:.3f}"
        fig = scatter_figure(embedding, labels, title, class_names)
        result["figure"] = str(save_figure(fig, Path(out_dir) / f"{name or f'tsne_{n_components}d'}.png"))
    return result


def umap_map(codes, labels, out_dir=None, n_components: int = 2, n_neighbors: int = 15,
             min_dist: float = 0.1, seed=0, class_names=None, name: str | None = None) -> dict:
    """UMAP of ``codes`` ``(n, k)`` (needs ``umap-learn``: ``pip install flambeau[viz]``).

    Returns:
        ``seconds``, ``embedding`` ``(n, n_components)``, ``figure`` (path or None).
    """
    try:
        import umap
    except ImportError as error:  # optional dependency
        raise ImportError("umap_map needs umap-learn: pip install 'flambeau[viz]'") from error
    codes = np.asarray(codes, dtype=np.float64)
    start = time.perf_counter()
    reducer = umap.UMAP(n_components=n_components, n_neighbors=min(n_neighbors, len(codes) - 1),
                        min_dist=min_dist, random_state=sklearn_seed(seed), n_jobs=1)
    embedding = reducer.fit_transform(codes)
    result = {"method": "umap", "n_components": n_components, "seconds": time.perf_counter() - start,
              "embedding": embedding, "figure": None}
    if out_dir is not None:
        title = f"UMAP {n_components}-D, {n_neighbors} neighbours"
        fig = scatter_figure(embedding, labels, title, class_names)
        result["figure"] = str(save_figure(fig, Path(out_dir) / f"{name or f'umap_{n_components}d'}.png"))
    return result


def latent_maps_study(model, X, y, out_dir=None, max_samples: int | None = 2000, tsne_iter: int = 1000,
                      umap: bool = True, seed=0, class_names=None) -> dict:
    """t-SNE 2-D and 3-D (the reports' settings but ``tsne_iter`` iterations) and UMAP 2-D of the
    codes ``model.encode(X)`` of a seeded subset of ``max_samples`` samples.

    Returns:
        ``{"tsne_2d": {...}, "tsne_3d": {...}, "umap_2d": {...}, "n_samples": n}``, each with
        numbers only (``kl_divergence``, ``n_iter``, ``seconds``...) and its ``figure`` path.
    """
    X, y = subsample(X, y, max_samples, seed)
    codes = encode(model, X)
    runs = {"tsne_2d": tsne_map(codes, y, out_dir, 2, 30.0, tsne_iter, 12.0, seed, class_names),
            "tsne_3d": tsne_map(codes, y, out_dir, 3, 25.0, tsne_iter, 20.0, seed, class_names)}
    if umap:
        runs["umap_2d"] = umap_map(codes, y, out_dir, 2, seed=seed, class_names=class_names)
    result = {key: {k: v for k, v in run.items() if k != "embedding"} for key, run in runs.items()}
    return {**result, "n_samples": len(X), "latent_dim": int(codes.shape[1])}


def scatter_figure(points, labels, title: str, class_names=None):
    """Scatter of 2-D or 3-D ``points`` ``(n, 2|3)``, one colour per label, with a legend."""
    points, labels = np.asarray(points), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] not in (2, 3):
        raise ValueError(f"scatter_figure: points must have shape (n, 2) or (n, 3), got {points.shape}")
    fig = new_figure(6.5, 5.5)
    ax = fig.add_subplot(projection="3d" if points.shape[1] == 3 else None)
    classes = np.unique(labels)
    colours = _colours(len(classes))
    for colour, label in zip(colours, classes, strict=True):
        chosen = points[labels == label]
        name = class_names[label] if class_names is not None else str(label)
        ax.scatter(*chosen.T, s=3, color=colour, label=name, alpha=0.7)
    ax.set_title(title, fontsize=9)
    ax.legend(markerscale=4, fontsize=7, loc="best")
    return fig


def _colours(n: int):
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
