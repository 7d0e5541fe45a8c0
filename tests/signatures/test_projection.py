import sys

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


def test_umap_compiled_code_is_cached_on_disk_after_the_first_map(rng):
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    project(rng.normal(size=(20, 3)), "umap", seed=0)
    import umap.layouts

    dispatchers = [value for name, module in list(sys.modules.items())
                   if name.split(".")[0] in ("umap", "pynndescent") for value in vars(module).values()
                   if isinstance(value, Dispatcher)]
    assert umap.layouts._nb_optimize_layout_euclidean_single_epoch in dispatchers  # uncached by umap
    assert dispatchers and not [d for d in dispatchers if isinstance(d._cache, NullCache)]


def test_unknown_projection_is_refused():
    with pytest.raises(ValueError, match=r"project: method must be one of \['pca', 'umap'\], got 'tsne'"):
        project(np.ones((3, 2)), "tsne")


def test_umap_maps_are_cached_by_the_activations_hash(rng, tmp_path, monkeypatch):
    from flambeau.signatures import projection

    A = rng.normal(size=(40, 3)).astype(np.float32)
    calls = []
    monkeypatch.setitem(projection.PROJECTIONS, "umap",
                        lambda X, seed, strata: calls.append(len(X)) or X[:, :2] * (seed + 1))
    first = project(A, "umap", seed=0, cache_dir=tmp_path)
    again = project(A.copy(), "umap", seed=0, cache_dir=tmp_path)
    assert calls == [40] and np.array_equal(first, again)  # the second came from the cache
    project(A, "umap", seed=1, cache_dir=tmp_path)
    changed = A.copy()
    changed[0, 0] += 1e-3
    project(changed, "umap", seed=0, cache_dir=tmp_path)
    assert calls == [40, 40, 40] and len(list(tmp_path.glob("umap-*.npz"))) == 3
    (tmp_path / f"umap-{projection.map_key(A, 'umap', 0)}.npz").write_bytes(b"damaged")
    again = project(A, "umap", seed=0, cache_dir=tmp_path)  # a damaged entry is recomputed, not trusted
    assert len(calls) == 4 and np.array_equal(first, again)


def test_umap_of_many_samples_is_fitted_on_a_stratified_sample_and_places_the_others(rng, monkeypatch):
    from flambeau.signatures import projection

    monkeypatch.setattr(projection, "MAP_SAMPLES", 60)
    y = np.repeat([0, 1], 60)
    A = np.concatenate([rng.normal(size=(60, 5)), rng.normal(size=(60, 5)) + 20]).astype(np.float32)
    coords = project(A, "umap", seed=0, strata=y)
    assert coords.shape == (120, 2) and np.isfinite(coords).all()
    gap = np.linalg.norm(coords[:60].mean(0) - coords[60:].mean(0))
    assert gap > 3 * max(coords[:60].std(0).max(), coords[60:].std(0).max())
