"""to_torch: each supported layer, whole networks, training flags, dtypes and the errors."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import flambeau as fb
from flambeau.interop import UnsupportedModuleError, from_torch, to_torch
from flambeau.models import course_conv1d_net, mnist_cnn
from tests.helpers import assert_close
from tests.helpers import torch as import_torch

TOL = {"rtol": 1e-5, "atol": 1e-5}


def _randomize(net: fb.Module, seed: int = 1) -> fb.Module:
    """Non-trivial BatchNorm parameters and running statistics (the defaults are ones and zeros)."""
    rng = np.random.default_rng(seed)
    for module in net.modules():
        if isinstance(module, fb.BatchNorm1D):
            for store in (module._parameters, module._buffers):
                for name, array in store.items():
                    low = 0.5 if name in ("gamma", "running_var") else -1.0
                    array[...] = rng.uniform(low, 1.5, array.shape)
    return net


def _moved(X: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(X, -1, 1))


def _torch_output(model, X: np.ndarray) -> np.ndarray:
    torch = import_torch()
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


#: (id, layer, flambeau input shape, input channels-first in PyTorch, output channels-first)
LAYER_CASES = [
    ("Linear", lambda: fb.Linear(5, 3, rng=0), (4, 5), False, False),
    ("Linear-no-bias", lambda: fb.Linear(5, 3, bias=False, rng=0), (4, 5), False, False),
    ("Identity", fb.Identity, (4, 6), False, False),
    ("TanH", fb.TanH, (4, 6), False, False),
    ("Sigmoid", fb.Sigmoid, (4, 6), False, False),
    ("ReLU", fb.ReLU, (4, 6), False, False),
    ("LeakyReLU", lambda: fb.LeakyReLU(0.2), (4, 6), False, False),
    ("Softmax", fb.Softmax, (4, 6), False, False),
    ("LogSoftmax", fb.LogSoftmax, (4, 6), False, False),
    ("Dropout-eval", lambda: fb.Dropout(0.3).eval(), (4, 6), False, False),
    ("Conv1D", lambda: fb.Conv1D(3, 2, 4, stride=2, padding=1, rng=0), (4, 11, 2), True, True),
    ("Conv2D", lambda: fb.Conv2D((3, 2), 3, 5, stride=(2, 1), padding=(1, 0), rng=0), (4, 9, 8, 3),
     True, True),
    ("MaxPool1D", lambda: fb.MaxPool1D(3, stride=2), (4, 10, 3), True, True),
    ("MaxPool2D", lambda: fb.MaxPool2D(2), (4, 6, 7, 3), True, True),
    ("AvgPool1D", lambda: fb.AvgPool1D(2), (4, 9, 3), True, True),
    ("AvgPool2D", lambda: fb.AvgPool2D((2, 3), stride=1), (4, 6, 7, 3), True, True),
    ("BatchNorm1D-flat-eval", lambda: _randomize(fb.BatchNorm1D(6)).eval(), (8, 6), False, False),
    ("BatchNorm1D-sequence-eval", lambda: _randomize(fb.BatchNorm1D(3)).eval(), (8, 5, 3), True, True),
    ("Flatten", fb.Flatten, (4, 3, 5, 2), False, False),
    ("Reshape", lambda: fb.Reshape((4, 3)), (5, 12), False, False),
    ("Reshape-one-channel", lambda: fb.Reshape((6, 1)), (5, 6), False, True),
    ("Transpose2D", fb.Transpose2D, (4, 3, 5, 2), True, True),
]


@pytest.mark.parametrize("channels_first", [True, False], ids=["channels-first", "channels-last"])
@pytest.mark.parametrize("case", LAYER_CASES, ids=[case[0] for case in LAYER_CASES])
def test_each_layer_gives_the_same_output(case, channels_first):
    _, build, shape, moved_in, moved_out = case
    layer = build()
    model = to_torch(layer, channels_first=channels_first)
    X = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    expected = layer.forward(X)
    given = _moved(X) if moved_in and channels_first else X
    out = _torch_output(model, given)
    if moved_out and channels_first:
        out = np.moveaxis(out, 1, -1)
    assert_close(out, expected, f"to_torch({type(layer).__name__})", **TOL)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[case[0] for case in LAYER_CASES])
def test_each_layer_comes_back_with_the_same_weights(case):
    layer = case[1]()
    back = from_torch(to_torch(layer))
    ours = layer.parameters() | layer.buffers()
    theirs = back.parameters() | back.buffers()
    assert sorted(theirs) == sorted(f"0.{name}" for name in ours)
    for name, array in ours.items():
        assert theirs[f"0.{name}"].dtype == array.dtype
        np.testing.assert_array_equal(theirs[f"0.{name}"], array, err_msg=name)


def test_linear_weight_is_the_transpose():
    torch = import_torch()
    layer = fb.Linear(5, 3, rng=0)
    module = to_torch(layer)[0]
    assert isinstance(module, torch.nn.Linear)
    np.testing.assert_array_equal(module.weight.detach().numpy(), layer.parameters()["W"].T)


def test_the_mnist_cnn_gives_the_same_logits_on_channels_first_images():
    torch = import_torch()
    net = mnist_cnn(rng=0).eval()
    model = to_torch(net)
    names = [type(m).__name__ for m in model]
    assert names == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "ChannelsLast",
                     "Flatten", "Linear"]
    X = np.random.default_rng(0).random((6, 28, 28, 1), dtype=np.float32)
    assert_close(_torch_output(model, _moved(X)), net.forward(X), "mnist_cnn", **TOL)
    assert isinstance(model, torch.nn.Sequential)


def test_the_course_conv1d_net_gives_the_same_logits():
    net = course_conv1d_net(rng=0)
    model = to_torch(net)
    X = np.random.default_rng(0).random((6, 256, 1), dtype=np.float32)
    assert_close(_torch_output(model, _moved(X)), net.forward(X), "course_conv1d_net", **TOL)
    assert_close(_torch_output(to_torch(net, channels_first=False), X), net.forward(X),
                 "course_conv1d_net, channels last", **TOL)


def test_an_input_reshaped_to_one_channel_needs_no_move():
    net = fb.Sequential(fb.Reshape((256, 1)), fb.Conv1D(3, 1, 8, rng=0), fb.MaxPool1D(2), fb.Flatten(),
                        fb.Linear(8 * 127, 10, rng=0))
    model = to_torch(net)
    # Flatten first: the input may have any shape, as for flambeau's Reshape
    assert [type(m).__name__ for m in model][:3] == ["Flatten", "Unflatten", "Conv1d"]
    X = np.random.default_rng(0).random((5, 256), dtype=np.float32)
    assert_close(_torch_output(model, X), net.forward(X), "Reshape -> Conv1D", **TOL)


def test_a_reshape_to_several_channels_moves_them_first():
    net = fb.Sequential(fb.Reshape((4, 4, 3)), fb.Conv2D(3, 3, 2, padding=1, rng=0), fb.Flatten())
    X = np.random.default_rng(0).standard_normal((5, 48)).astype(np.float32)
    assert_close(_torch_output(to_torch(net), X), net.forward(X), "Reshape(4, 4, 3) -> Conv2D", **TOL)


def test_nested_sequentials_and_an_untied_autoencoder():
    torch = import_torch()
    ae = fb.AutoEncoder.symmetric(12, 3, hidden=[6], activation=fb.LeakyReLU(0.1), rng=0)
    net = fb.Sequential(fb.Sequential(fb.Linear(12, 12, rng=1), fb.TanH()), ae)
    model = to_torch(net)
    assert isinstance(model[1].encoder, torch.nn.Sequential)
    X = np.random.default_rng(0).random((7, 12), dtype=np.float32)
    assert_close(_torch_output(model, X), net.forward(X), "nested", **TOL)


def test_a_mlp_with_batchnorm_and_dropout_follows_train_and_eval():
    torch = import_torch()
    net = _randomize(fb.Sequential(fb.Linear(6, 8, rng=0), fb.BatchNorm1D(8), fb.ReLU(), fb.Dropout(0.5),
                                   fb.Linear(8, 2, rng=1)))
    net.eval()
    model = to_torch(net)
    assert not any(m.training for m in model.modules())
    X = np.random.default_rng(0).standard_normal((16, 6)).astype(np.float32)
    assert_close(_torch_output(model, X), net.forward(X), "eval", **TOL)

    net.train()
    model = to_torch(net)
    assert all(m.training for m in model.modules())
    bn, dropout = model[1], model[3]
    dropout.p = 0.0  # only the batch statistics differ from eval here
    net[3].p = 0.0
    out = model(torch.from_numpy(X)).detach().numpy()
    assert_close(out, net.forward(X), "train (batch statistics)", **TOL)
    assert_close(bn.running_mean.numpy(), net[1].buffers()["running_mean"], "running_mean", **TOL)
    assert_close(bn.running_var.numpy(), net[1].buffers()["running_var"], "running_var", **TOL)


def test_dropout_in_training_mode_zeroes_and_rescales_like_flambeau():
    torch = import_torch()
    model = to_torch(fb.Dropout(0.25))
    out = model(torch.ones(200, 50)).numpy()
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.03


def test_float64_networks_give_float64_models():
    torch = import_torch()
    with fb.default_dtype(np.float64):
        net = fb.Sequential(fb.Conv1D(3, 2, 4, rng=0), fb.Flatten(), fb.Linear(4 * 6, 3, rng=0))
    model = to_torch(net)
    assert {p.dtype for p in model.parameters()} == {torch.float64}
    X = np.random.default_rng(0).standard_normal((3, 8, 2))
    assert_close(_torch_output(model, _moved(X)), net.forward(X), "float64", rtol=1e-12, atol=1e-12)
    assert {p.dtype for p in from_torch(model).parameters().values()} == {np.dtype(np.float64)}


def test_a_converted_model_pickles_with_torch_save():
    torch = import_torch()
    model = to_torch(mnist_cnn(rng=0))
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    again = torch.load(buffer, weights_only=False)
    X = torch.zeros(2, 1, 28, 28)
    assert torch.equal(again(X), model(X))


def test_the_weights_are_copied_not_shared():
    layer = fb.Linear(3, 2, rng=0)
    model = to_torch(layer)
    before = layer.parameters()["W"].copy()
    with import_torch().no_grad():
        model[0].weight.add_(1.0)
    np.testing.assert_array_equal(layer.parameters()["W"], before)


@pytest.mark.parametrize("net, path, cls, reason", [
    (fb.Sequential(fb.Linear(4, 4), fb.Concat(fb.Linear(4, 2), fb.Linear(4, 2))), "1",
     "flambeau.containers.Concat", "parallel branches"),
    (fb.TiedLinear(fb.Linear(4, 3)), "the network", "flambeau.layers.tied.TiedLinear",
     "another layer's weight"),
], ids=["Concat", "TiedLinear"])
def test_a_layer_without_counterpart_is_named(net, path, cls, reason):
    with pytest.raises(UnsupportedModuleError, match=rf"^to_torch: cannot convert {path} \({cls}\): .*"
                                                      rf"{reason}.*Supported: AutoEncoder, AvgPool1D"):
        to_torch(net)


def test_a_tied_autoencoder_is_refused_with_the_reason():
    ae = fb.AutoEncoder.symmetric(8, 2, steps=1, tied=True, rng=0)
    with pytest.raises(UnsupportedModuleError, match=r"the network \(AutoEncoder\): its decoder uses the "
                                                      r"encoder's weights \(tied\).*tied=False"):
        to_torch(ae)


class StudentLinear(fb.Linear):
    def forward(self, X):
        return 2 * super().forward(X)


def test_a_subclass_of_a_supported_layer_is_refused():
    with pytest.raises(UnsupportedModuleError, match=r"cannot convert 0 \(.*StudentLinear\): it subclasses "
                                                      r"Linear, and a subclass may compute something else"):
        to_torch(fb.Sequential(StudentLinear(2, 2)))


def test_not_a_module():
    import_torch()
    with pytest.raises(TypeError, match=r"^to_torch: net must be a flambeau Module, got list$"):
        to_torch([fb.Linear(2, 2)])


def test_without_torch_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"^to_torch needs torch: pip install 'flambeau\[torch\]'$"):
        to_torch(fb.Linear(2, 2))
    with pytest.raises(ImportError, match=r"^from_torch needs torch: pip install 'flambeau\[torch\]'$"):
        from_torch(object())


def test_importing_the_interop_package_imports_no_torch():
    src = os.path.dirname(os.path.dirname(fb.__file__))
    code = "import sys, flambeau.interop; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": src})
