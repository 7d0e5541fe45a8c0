import numpy as np
import pytest

from flambeau.datasets import add_noise, mask_patch, mask_random, salt_and_pepper


@pytest.fixture
def images():
    return np.random.default_rng(0).random((6, 64), dtype=np.float32)


def test_uniform_noise_amplitude_clip_and_mask(images):
    corrupted, mask = add_noise(images, 0.4, rng=0)
    assert corrupted.dtype == np.float32 and mask.all()
    assert corrupted.min() >= 0 and corrupted.max() <= 1
    unclipped, _ = add_noise(images, 0.4, rng=0, clip=None)
    assert np.abs(unclipped - images).max() <= 0.4 + 1e-6
    assert unclipped.min() < 0 or unclipped.max() > 1
    np.testing.assert_array_equal(corrupted, np.clip(unclipped, 0, 1))


def test_noise_on_a_fraction_and_gaussian(images):
    corrupted, mask = add_noise(images, 0.1, rng=1, fraction=0.25, clip=None)
    assert mask.sum(axis=1).tolist() == [16] * 6
    np.testing.assert_array_equal(corrupted[~mask], images[~mask])
    assert np.all(corrupted[mask] != images[mask])
    big = np.zeros((200, 100), dtype=np.float32)
    noisy, _ = add_noise(big, 0.3, rng=2, distribution="gaussian", clip=None)
    assert abs(float(noisy.std()) - 0.3) < 0.01


def test_noise_errors(images):
    with pytest.raises(ValueError, match=r"add_noise: distribution must be one of \['gaussian', 'uniform'\], "
                                         r"got 'poisson'"):
        add_noise(images, 0.1, distribution="poisson")
    with pytest.raises(ValueError, match=r"add_noise: fraction must lie in \[0, 1\], got 2"):
        add_noise(images, 0.1, fraction=2)
    with pytest.raises(ValueError, match=r"add_noise: amplitude must be a finite number >= 0, got -1"):
        add_noise(images, -1)


def test_salt_and_pepper(images):
    corrupted, mask = salt_and_pepper(images, 0.5, rng=3)
    assert mask.sum(axis=1).tolist() == [32] * 6
    assert set(np.unique(corrupted[mask]).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(corrupted[~mask], images[~mask])
    again, _ = salt_and_pepper(images, 0.5, rng=3)
    np.testing.assert_array_equal(corrupted, again)


def test_mask_random(images):
    corrupted, mask = mask_random(images, 0.1, rng=4, value=-1.0)
    assert mask.sum(axis=1).tolist() == [6] * 6  # round(0.1 * 64)
    assert np.all(corrupted[mask] == -1) and np.array_equal(corrupted[~mask], images[~mask])


def test_mask_patch_fixed_position_hand_worked():
    X = np.ones((1, 4, 5), dtype=np.float32)
    corrupted, mask = mask_patch(X, 2, position=(1, 2))
    expected = np.array([[0, 0, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(mask[0], expected)
    np.testing.assert_array_equal(corrupted[0], 1 - expected)


def test_mask_patch_random_positions_on_flat_images(images):
    corrupted, mask = mask_patch(images, 3, rng=5, image_shape=(8, 8))
    assert mask.shape == (6, 64) and mask.sum(axis=1).tolist() == [9] * 6
    squares = mask.reshape(6, 8, 8)
    rows, cols = np.nonzero(squares.any(axis=2)), np.nonzero(squares.any(axis=1))
    assert all(np.ptp(r[1][r[0] == i]) == 2 for r in (rows, cols) for i in range(6))
    assert len({tuple(np.argwhere(s)[0]) for s in squares}) > 1  # positions vary
    assert np.all(corrupted[mask] == 0) and np.array_equal(corrupted[~mask], images[~mask])


def test_mask_patch_errors(images):
    with pytest.raises(ValueError, match=r"mask_patch: size must lie in 1..8 for 8x8 images, got 9"):
        mask_patch(images, 9, image_shape=(8, 8))
    with pytest.raises(ValueError, match=r"mask_patch: a 3x3 square at \(6, 0\) does not fit in 8x8 images"):
        mask_patch(images, 3, image_shape=(8, 8), position=(6, 0))
    with pytest.raises(ValueError, match=r"mask_patch: X must have shape \(n, height, width\), or pass "
                                         r"image_shape for flat images, got \(6, 64\)"):
        mask_patch(images, 3)
    with pytest.raises(ValueError, match=r"mask_patch: X must have shape \(n, 49\) for image_shape "
                                         r"\(7, 7\), got \(6, 64\)"):
        mask_patch(images, 3, image_shape=(7, 7))
