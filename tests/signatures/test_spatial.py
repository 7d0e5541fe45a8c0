import numpy as np
import pytest

from flambeau.signatures import SPATIAL, reduce_spatial

# one sample, 2x2 positions, 2 channels (channels-last): channel 0 holds 1..4, channel 1 holds 10, 0, 0, -2
MAP = np.array([[[[1, 10], [2, 0]], [[3, 0], [4, -2]]]], np.float32)


def test_mean_and_max_reduce_each_channel_over_its_positions():
    np.testing.assert_array_equal(reduce_spatial(MAP, "mean"), [[2.5, 2.0]])
    np.testing.assert_array_equal(reduce_spatial(MAP, "max"), [[4.0, 10.0]])


def test_flatten_keeps_every_value_in_channels_last_order_whatever_the_layout():
    first = np.moveaxis(MAP, -1, 1)  # (1, 2, 2, 2) channels-first
    np.testing.assert_array_equal(reduce_spatial(MAP, "flatten"), [[1, 10, 2, 0, 3, 0, 4, -2]])
    for spatial in SPATIAL:
        np.testing.assert_array_equal(reduce_spatial(first, spatial, channels_last=False),
                                      reduce_spatial(MAP, spatial))


def test_dense_outputs_pass_unchanged_and_one_dimensional_maps_reduce_too():
    dense = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(reduce_spatial(dense, "max"), dense)
    sequence = np.arange(12.0).reshape(1, 4, 3)  # (n, length, c)
    np.testing.assert_array_equal(reduce_spatial(sequence, "mean"), [[4.5, 5.5, 6.5]])


def test_an_unknown_reduction_is_refused():
    with pytest.raises(ValueError) as info:
        reduce_spatial(MAP, "median")
    assert str(info.value) == ("reduce_spatial: spatial must be one of ['mean', 'max', 'flatten'], "
                               "got 'median'")
