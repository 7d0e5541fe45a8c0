import sys

import numpy as np
import pytest

from flambeau.signatures import record_torch
from tests.signatures import cnn


def _mlp(torch):
    nn = torch.nn
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Dropout(0.5), nn.Linear(5, 4), nn.GELU(),
                         nn.Linear(4, 2))


def test_default_layers_are_the_activation_modules_recorded_in_eval_mode(torch, rng):
    net, X = _mlp(torch), rng.normal(size=(7, 3)).astype(np.float32)
    net.train()
    acts = record_torch(net, X, batch_size=3)
    assert list(acts) == ["1", "4"] and net.training  # the training flag is restored
    with torch.no_grad():
        hidden = net[1](net[0](torch.from_numpy(X)))
        expected = net[4](net[3](hidden))  # no dropout: eval mode
    np.testing.assert_allclose(acts["1"], hidden.numpy(), rtol=1e-6)
    np.testing.assert_allclose(acts["4"], expected.numpy(), rtol=1e-6)
    assert acts["4"].dtype == np.float32 and acts["4"].shape == (7, 4)
    assert all(not p.requires_grad or p.grad is None for p in net.parameters())


def test_a_sequential_without_activations_records_every_child(torch, rng):
    nn = torch.nn
    net = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    acts = record_torch(net, torch.from_numpy(rng.normal(size=(5, 3)).astype(np.float32)))
    assert list(acts) == ["0", "1"] and acts["1"].shape == (5, 2)


def test_named_layers_come_in_model_order_and_feature_maps_are_reduced_per_channel(torch, torch_cnn):
    X, _ = cnn.images(4)
    X = X[:, None]
    acts = record_torch(torch_cnn, X, layers=["dense", "conv"])
    flat = record_torch(torch_cnn, X, layers=["conv"], spatial="flatten")["conv"]
    peak = record_torch(torch_cnn, X, layers=["conv"], spatial="max")["conv"]
    with torch.no_grad():
        maps = torch_cnn.conv(torch.from_numpy(X)).numpy()  # (n, 4, 6, 6) channels-first
    assert list(acts) == ["conv", "dense"] and acts["conv"].shape == (12, cnn.FILTERS)
    np.testing.assert_allclose(acts["conv"], maps.mean(axis=(2, 3)), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(peak, maps.max(axis=(2, 3)), rtol=1e-6)
    np.testing.assert_allclose(flat, maps.transpose(0, 2, 3, 1).reshape(12, -1), rtol=1e-6)


def test_batches_give_the_same_activations_as_one_pass(torch, torch_cnn):
    X = cnn.images(5)[0][:, None]
    one, batched = record_torch(torch_cnn, X, batch_size=len(X)), record_torch(torch_cnn, X, batch_size=4)
    for name in one:
        np.testing.assert_allclose(batched[name], one[name], rtol=1e-6, atol=1e-7)


def test_an_unknown_layer_name_lists_the_available_ones(torch, torch_cnn):
    with pytest.raises(ValueError) as info:
        record_torch(torch_cnn, np.zeros((2, 1, 8, 8), np.float32), layers=["relu1", "fc9"])
    assert str(info.value) == ("record_torch: unknown layer names ['fc9']; the model has ['conv', 'relu1', "
                               "'pool', 'flatten', 'dense', 'relu2', 'out']")


def test_data_that_does_not_fit_the_model_names_the_expected_input(torch, torch_cnn):
    with pytest.raises(ValueError) as info:
        record_torch(torch_cnn, np.zeros((2, 64), np.float32))
    assert str(info.value).startswith("record_torch: the model cannot take X of shape (2, 64): its first "
                                      "layer 'conv' (Conv2d) expects (batch, 1, H, W) (torch: ")
    with pytest.raises(ValueError, match=r"its first layer '1' \(Linear\) expects \(batch, 3\)"):
        record_torch(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3, 2)), np.zeros((2, 4)))


def test_a_module_run_twice_per_pass_and_other_bad_arguments_are_refused(torch):
    nn = torch.nn

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.act(x))

    with pytest.raises(ValueError, match="record_torch: layer 'act' ran 2 times in one forward pass"):
        record_torch(Twice(), np.ones((3, 2), np.float32))
    with pytest.raises(TypeError, match="record_torch: model must be a torch.nn.Module, got dict"):
        record_torch({}, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"record_torch: spatial must be one of \['mean', 'max', 'flat"):
        record_torch(Twice(), np.ones((3, 2)), spatial="sum")
    with pytest.raises(ValueError, match="record_torch: batch_size must be a positive int, got 0"):
        record_torch(Twice(), np.ones((3, 2)), batch_size=0)


def test_a_model_without_activation_modules_must_name_its_layers(torch):
    nn = torch.nn

    class Functional(nn.Module):  # activations as functions: nothing to hook by default
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(3, 4), nn.Linear(4, 2)

        def forward(self, x):
            return self.fc2(nn.functional.relu(self.fc1(x)))

    with pytest.raises(ValueError) as info:
        record_torch(Functional(), np.ones((2, 3)))
    assert str(info.value) == ("record_torch: the model has no activation layer to record by default; name "
                               "the layers with layers=[...] among ['fc1', 'fc2']")
    assert list(record_torch(Functional(), np.ones((2, 3)), layers=["fc1"])) == ["fc1"]


def test_without_torch_the_message_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ImportError) as info:
        record_torch(object(), np.ones((2, 2)))
    assert str(info.value) == "record_torch needs torch: pip install 'flambeau[torch]'"
