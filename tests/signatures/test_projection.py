import numpy as np
import pytest

from flambeau.signatures import project, project_layers


def test_pca_map_keeps_the_two_main_directions(rng):
    A = np.zeros((50, 4))
    A[:, 0] = rng.normal(size=50) * 10
    A[:, 1] = rng.normal(size=50)
    coords = project(A, "pca")
    assert coords.shape == (50, 2) and coords.dtype == np.float32
    assert np.corrcoef(coords[:, 0], A[:, 0])[0, 1] ** 2 > 0.999
    assert project_layers({"a": A, "b": A[:, :1]}, "pca").shape == (2, 50, 2)


def test_umap_map_separates_separated_blobs(rng):
    # the only test paying numba's compilation of UMAP (about 10-20 s once)
    A = np.concatenate([rng.normal(size=(30, 5)), rng.normal(size=(30, 5)) + 20])
    coords = project(A, "umap", seed=0)
    assert coords.shape == (60, 2)
    gap = np.linalg.norm(coords[:30].mean(0) - coords[30:].mean(0))
    spread = max(coords[:30].std(0).max(), coords[30:].std(0).max())
    assert gap > 3 * spread


def test_unknown_projection_is_refused():
    with pytest.raises(ValueError, match=r"project: method must be one of \['pca', 'umap'\], got 'tsne'"):
        project(np.ones((3, 2)), "tsne")
