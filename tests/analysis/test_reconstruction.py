"""reconstruction_study and the figure helpers."""

from __future__ import annotations

import numpy as np
import pytest

from flambeau import BCELoss
from flambeau.analysis import reconstruction_study
from tests.analysis.pngs import png_files


def test_numbers_and_figure(trained_ae, usps_small, tmp_path):
    X = usps_small[2]
    result = reconstruction_study(trained_ae, X, tmp_path, n_images=6, seed=1)
    per_image = BCELoss().forward(X, trained_ae.forward(X)) / 256
    assert result["n_images"] == len(X)
    assert result["bce_per_pixel"] == pytest.approx(per_image.mean(), rel=1e-6)
    shown = per_image[result["shown_indices"]].tolist()
    assert result["shown_bce_per_pixel"] == pytest.approx(shown, rel=1e-6)
    assert len(result["shown_indices"]) == 6
    # trained: better than the constant 0.5 guess (log 2 per pixel), and a real MSE
    assert 0 < result["bce_floor_per_pixel"] < result["bce_per_pixel"] < np.log(2)
    assert 0 < result["mse_per_pixel"] < 0.25
    assert result["figure"] == str(tmp_path / "reconstruction.png")
    assert png_files(tmp_path) == ["reconstruction.png"]


def test_identity_model_is_perfect_in_mse(identity_ae, usps_small):
    result = reconstruction_study(identity_ae, usps_small[2], out_dir=None)
    assert result["mse_per_pixel"] == 0 and result["figure"] is None
    assert result["bce_per_pixel"] == pytest.approx(result["bce_floor_per_pixel"])


def test_non_square_needs_image_shape(identity_ae, tmp_path):
    X = np.random.default_rng(0).uniform(size=(5, 12)).astype(np.float32)
    with pytest.raises(ValueError, match="reconstruction_study: cannot draw 12 features as a square image"):
        reconstruction_study(identity_ae, X, tmp_path)
    result = reconstruction_study(identity_ae, X, tmp_path, image_shape=(3, 4), name="wide")
    assert png_files(tmp_path) == ["wide.png"] and result["figure"].endswith("wide.png")
