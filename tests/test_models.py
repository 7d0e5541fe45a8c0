"""Reference CNN builders: layouts, parameter counts (same as the PyTorch networks), float32 steps."""

import numpy as np
import pytest

import flambeau as fb
from flambeau.models import course_conv1d_net, course_hv_conv1d_net, mnist_cnn
from tests.helpers import torch


@pytest.mark.parametrize("builder, input_shape", [
    (course_conv1d_net, (2, 256, 1)), (course_hv_conv1d_net, (2, 256)), (mnist_cnn, (2, 28, 28, 1))])
def test_builders_map_their_layout_to_ten_logits_in_float32(builder, input_shape, rng):
    net = builder(rng=0)
    X = rng.random(input_shape, dtype=np.float32)
    y = np.array([3, 7])
    optim = fb.Optim(net, fb.CrossEntropyLoss(), 0.01)
    before = {k: v.copy() for k, v in net.parameters().items()}
    optim.step(X, y)
    assert net.forward(X).shape == (2, 10) and net.forward(X).dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.gradients().values())
    assert all(p.dtype == np.float32 for p in net.parameters().values())
    assert all(not np.array_equal(before[k], v) for k, v in net.parameters().items())


def test_parameter_counts_match_pytorch():
    nn = torch().nn
    conv1d = nn.Sequential(nn.Conv1d(1, 32, 3), nn.Linear(4064, 100), nn.Linear(100, 10))
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3), nn.Conv2d(16, 32, 3), nn.Linear(1568, 10))
    assert course_conv1d_net().num_parameters() == sum(p.numel() for p in conv1d.parameters())
    assert mnist_cnn().num_parameters() == sum(p.numel() for p in cnn.parameters())


def test_same_seed_same_network():
    a, b = mnist_cnn(rng=5), mnist_cnn(rng=5)
    for name, value in a.parameters().items():
        np.testing.assert_array_equal(value, b.parameters()[name])
