"""Denoising and inpainting studies: corrupt test images, reconstruct, compare with the clean ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..datasets.corruption import add_noise, mask_patch, salt_and_pepper
from ..files import save_figure
from ..random import make_rng
from ..training import predict
from .figures import image_grid, square_shape

__all__ = ["NOISES", "corruption", "denoising_study", "inpainting_study"]


NOISES: dict[str, Callable] = {
    "uniform": lambda X, level, rng: add_noise(X, level, rng)[0],
    "gaussian": lambda X, level, rng: add_noise(X, level, rng, distribution="gaussian")[0],
    "salt_and_pepper": lambda X, level, rng: salt_and_pepper(X, level, rng)[0],
}
"""Noise kinds by name: ``f(X, level, rng) -> noisy X`` (level: uniform amplitude, gaussian
standard deviation, or salt-and-pepper fraction); see ``flambeau.datasets.corruption``."""


def corruption(noise, level: float) -> Callable:
    """``f(X, rng) -> noisy X`` for ``train_autoencoder(corrupt=...)``: the named ``noise`` at ``level``."""
    apply = _noise_function(noise)
    return lambda X, rng: apply(X, level, rng)


def _noise_function(noise) -> Callable:
    if callable(noise):
        return noise
    if noise not in NOISES:
        raise ValueError(f"denoising: unknown noise {noise!r}; choose one of {sorted(NOISES)} or "
                         "pass a function f(X, level, rng)")
    return NOISES[noise]


def _mse(A, B, mask=None) -> float:
    """Mean squared error over all entries, or over the entries where ``mask`` is True."""
    sq = (np.asarray(A, dtype=np.float64) - B) ** 2
    return float(sq.mean() if mask is None else sq[mask].mean())


def denoising_study(models, X, out_dir=None, levels=(0.2, 0.4, 0.6),
                    noise="uniform", n_images: int = 8, image_shape=None,
                    seed=0, name: str = "denoising") -> dict:
    """Reconstruct noisy copies of ``X`` and measure the error against the CLEAN images.

    Args:
        models: one autoencoder, or ``{label: autoencoder}`` to compare (e.g. trained on clean
            vs on noisy data).
        X: clean images ``(n, d)`` in [0, 1].
        out_dir: folder for ``<name>.png`` (rows: clean, then per level noisy and each model's
            output); None draws nothing.
        levels: noise levels (uniform: amplitude, the reports' "+-0.4"; gaussian: standard
            deviation; salt_and_pepper: fraction of pixels).
        noise: a name of ``NOISES`` or a function ``f(X, level, rng) -> noisy X``.
        seed: seed of the noise (the same noisy images for every model) and the drawn images.

    Returns:
        ``{"levels": [...], "noisy_mse": [...], "<label>": {"mse": [...], "gain": [...]}}``:
        per level the MSE per pixel of the noisy input and of each model's reconstruction
        against the clean images, and ``gain = noisy_mse / mse`` (> 1: the model denoises);
        plus ``figure``.
    """
    models = models if isinstance(models, dict) else {"autoencoder": models}
    corrupt = _noise_function(noise)
    X = np.asarray(X)
    rng = make_rng(seed)
    noisy = [corrupt(X, level, rng) for level in levels]
    result = {"levels": list(levels), "noisy_mse": [_mse(Xn, X) for Xn in noisy]}
    outputs = {}
    for label, model in models.items():
        outputs[label] = [predict(model, Xn) for Xn in noisy]
        errors = [_mse(out, X) for out in outputs[label]]
        result[label] = {"mse": errors, "gain": [n / e for n, e in zip(result["noisy_mse"], errors,
                                                                        strict=True)]}
    result["figure"] = None
    if out_dir is not None:
        shown = np.sort(rng.choice(len(X), min(n_images, len(X)), replace=False))
        rows, labels = [X[shown]], ["clean"]
        for i, level in enumerate(levels):
            rows.append(noisy[i][shown])
            labels.append(f"noise {level:g}")
            for label in models:
                rows.append(outputs[label][i][shown])
                labels.append(label)
        fig = image_grid(rows, image_shape or square_shape(X.shape[1], "denoising_study"), labels)
        result["figure"] = str(save_figure(fig, Path(out_dir) / f"{name}.png"))
    return result


def inpainting_study(models, X, out_dir=None, patch: int | None = None, image_shape=None,
                     fill: float = 0.0, n_images: int = 8, seed=0, name: str = "inpainting") -> dict:
    """Hide a random square patch of each image, reconstruct, score the hidden pixels only.

    Args:
        models: one autoencoder or ``{label: autoencoder}``.
        X: clean images ``(n, h * w)`` in [0, 1].
        out_dir: folder for ``<name>.png`` (rows: clean, masked, each model); None draws nothing.
        patch: side of the square; default a quarter of the image side, rounded up.
        image_shape: ``(h, w)``; default square.
        fill: value written into the hidden pixels.
        seed: seed of the patch positions and the drawn images.

    Returns:
        ``masked_fraction``; two baselines on the hidden pixels: ``baseline_mse`` (the fill
        value) and ``mean_image_mse`` (each pixel's mean over the images where it is visible);
        per model ``{"mse": ..., "visible_mse": ...}``: MSE per pixel on hidden and on visible
        pixels; ``figure``.
    """
    models = models if isinstance(models, dict) else {"autoencoder": models}
    X = np.asarray(X)
    shape = image_shape or square_shape(X.shape[1], "inpainting_study")
    patch = patch or -(-min(shape) // 4)
    rng = make_rng(seed)
    masked, mask = mask_patch(X, patch, rng, image_shape=shape, value=fill)
    visible_mean = np.where(mask, 0, X).sum(0) / np.maximum((~mask).sum(0), 1)
    result = {"patch": patch, "masked_fraction": float(mask.mean()),
              "baseline_mse": _mse(masked, X, mask),
              "mean_image_mse": _mse(np.broadcast_to(visible_mean, X.shape), X, mask)}
    outputs = {}
    for label, model in models.items():
        outputs[label] = predict(model, masked)
        result[label] = {"mse": _mse(outputs[label], X, mask), "visible_mse": _mse(outputs[label], X, ~mask)}
    result["figure"] = None
    if out_dir is not None:
        shown = np.sort(rng.choice(len(X), min(n_images, len(X)), replace=False))
        rows = [X[shown], masked[shown], *(outputs[label][shown] for label in models)]
        fig = image_grid(rows, shape, ["clean", "masked", *models])
        result["figure"] = str(save_figure(fig, Path(out_dir) / f"{name}.png"))
    return result
