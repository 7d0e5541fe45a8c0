import io

import matplotlib.image as mpimg
import numpy as np
import pytest

from flambeau.app.images import png_bytes, png_data_uri


def test_png_round_trip_through_matplotlib(rng):
    image = rng.integers(0, 256, size=(16, 12), dtype=np.uint8)
    decoded = mpimg.imread(io.BytesIO(png_bytes(image)), format="png")
    assert decoded.shape == (16, 12)
    np.testing.assert_allclose(decoded * 255, image, atol=1e-3)
    assert png_data_uri(image).startswith("data:image/png;base64,iVBORw0KGgo")


def test_png_needs_a_2d_image():
    with pytest.raises(ValueError,
                       match=r"png_bytes: image must have shape \(h, w\) or \(h, w, 3\), got \(4,\)"):
        png_bytes(np.zeros(4))
