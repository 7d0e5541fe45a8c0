"""Reconstruction study: originals over reconstructions, with each image's loss."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import save_figure
from ..losses import BCELoss, MSELoss
from ..random import make_rng
from ..training import predict
from .figures import image_grid, square_shape

__all__ = ["reconstruction_study"]


def reconstruction_study(model, X, out_dir=None, n_images: int = 10, image_shape=None, seed=0,
                         name: str = "reconstruction") -> dict:
    """Reconstruct ``X`` and measure the loss per pixel; draw originals over reconstructions.

    Args:
        model: an autoencoder ``(n, d) -> (n, d)`` with outputs in [0, 1].
        X: images ``(n, d)`` in [0, 1] (test data).
        out_dir: folder for ``<name>.png``; None draws nothing.
        n_images: images drawn (picked at random with ``seed``).
        image_shape: ``(h, w)``; default square.
        name: file stem of the figure.

    Returns:
        ``bce_per_pixel`` and ``mse_per_pixel`` (means over all of ``X``), their standard
        deviations over images, ``bce_floor_per_pixel`` (the BCE of a perfect reconstruction:
        grey targets have non-zero entropy, so BCE never reaches 0), ``shown_indices``,
        ``shown_bce_per_pixel`` (the value written above each drawn image) and ``figure``.
    """
    X = np.asarray(X)
    Xhat = predict(model, X)
    n_features = X.shape[1]
    bce = BCELoss().forward(X, Xhat) / n_features
    mse = MSELoss().forward(X, Xhat) / n_features
    shown = np.sort(make_rng(seed).choice(len(X), min(n_images, len(X)), replace=False))
    floor = BCELoss().forward(X, X) / n_features  # entropy of grey targets: the least BCE possible
    result = {"n_images": len(X), "bce_per_pixel": float(bce.mean()), "bce_per_pixel_std": float(bce.std()),
              "bce_floor_per_pixel": float(floor.mean()),
              "mse_per_pixel": float(mse.mean()), "mse_per_pixel_std": float(mse.std()),
              "shown_indices": shown.tolist(), "shown_bce_per_pixel": bce[shown].tolist(), "figure": None}
    if out_dir is not None and len(shown):
        shape = image_shape or square_shape(n_features, "reconstruction_study")
        fig = image_grid([X[shown], Xhat[shown]], shape, ["original", "reconstruction"],
                         titles=[None, [f"BCE {v:.3f}" for v in bce[shown]]])
        fig.suptitle(f"mean BCE per pixel {result['bce_per_pixel']:.4f} over {len(X)} images", fontsize=9)
        result["figure"] = str(save_figure(fig, Path(out_dir) / f"{name}.png"))
    return result
