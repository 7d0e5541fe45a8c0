"""denoising_study and inpainting_study."""

from __future__ import annotations

import pytest

from flambeau.analysis import denoising_study, inpainting_study
from tests.analysis.pngs import png_files


def test_denoising_identity_model_keeps_the_noise(identity_ae, usps_small, tmp_path):
    X = usps_small[2]
    result = denoising_study({"identity": identity_ae}, X, tmp_path, levels=(0.2, 0.5), seed=0)
    assert result["levels"] == [0.2, 0.5]
    assert result["noisy_mse"][0] < result["noisy_mse"][1]
    assert result["identity"]["mse"] == pytest.approx(result["noisy_mse"])
    assert result["identity"]["gain"] == pytest.approx([1.0, 1.0])
    assert png_files(tmp_path) == ["denoising.png"]


def test_denoising_trained_model_and_noise_kinds(trained_ae, usps_small):
    X = usps_small[2]
    result = denoising_study(trained_ae, X, levels=(0.6,), noise="salt_and_pepper")
    assert set(result) == {"levels", "noisy_mse", "autoencoder", "figure"}
    # heavy salt-and-pepper: the autoencoder's output is closer to the clean images than the input
    assert result["autoencoder"]["gain"][0] > 1
    custom = denoising_study(trained_ae, X, levels=(0.0,), noise=lambda X, level, rng: X)
    assert custom["noisy_mse"] == [0.0]
    with pytest.raises(ValueError, match="denoising: unknown noise 'pink'"):
        denoising_study(trained_ae, X, noise="pink")


def test_inpainting_scores_hidden_pixels_only(identity_ae, trained_ae, usps_small, tmp_path):
    X = usps_small[2]
    result = inpainting_study({"identity": identity_ae, "trained": trained_ae}, X, tmp_path, patch=6, seed=0)
    assert result["patch"] == 6 and result["masked_fraction"] == pytest.approx(36 / 256)
    # the identity gives back the filled zeros: exactly the fill baseline, perfect elsewhere
    assert result["identity"]["mse"] == pytest.approx(result["baseline_mse"])
    assert result["identity"]["visible_mse"] == 0
    assert 0 < result["trained"]["mse"] < result["baseline_mse"]
    assert 0 < result["mean_image_mse"] < result["baseline_mse"]
    assert png_files(tmp_path) == ["inpainting.png"]
    assert inpainting_study(identity_ae, X)["patch"] == 4  # a quarter of the 16-pixel side
