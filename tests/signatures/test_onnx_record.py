import sys

import numpy as np
import pytest

from flambeau.signatures import OnnxModel, record_onnx, record_torch
from tests.signatures import cnn


def test_default_nodes_are_the_activations_and_match_the_torch_module(cnn_onnx, torch_cnn):
    X = cnn.images(4)[0][:, None]
    acts, reference = record_onnx(cnn_onnx, X, batch_size=5), record_torch(torch_cnn, X)
    assert list(acts) == ["/relu1/Relu", "/relu2/Relu"]
    for ours, theirs in zip(acts.values(), reference.values(), strict=True):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_nodes_are_named_by_node_or_output_name_and_the_model_output_comes_too(cnn_onnx, torch, torch_cnn):
    model = OnnxModel(cnn_onnx, layers=["/dense/Gemm_output_0", "/pool/MaxPool"], spatial="max")
    X = cnn.images(2)[0][:, None]
    logits, acts = model.run(X)
    with torch.no_grad():
        expected = torch_cnn(torch.from_numpy(X)).numpy()
    assert model.layers == ["/pool/MaxPool", "/dense/Gemm"] and model.input_shape == (None, 1, 8, 8)
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-6)
    assert acts["/pool/MaxPool"].shape == (6, cnn.FILTERS) and acts["/dense/Gemm"].shape == (6, cnn.HIDDEN)


def test_a_fixed_batch_axis_runs_that_many_samples_padding_the_last_batch(torch, onnxruntime, torch_cnn,
                                                                          tmp_path):
    path = tmp_path / "fixed.onnx"
    torch.onnx.export(torch_cnn, (torch.zeros(4, 1, 8, 8),), str(path), dynamo=False)
    X = cnn.images(3)[0][:, None]  # 9 samples: batches of 4, 4 and 1 (+ 3 of padding)
    fixed, free = record_onnx(path, X), record_torch(torch_cnn, X)
    for ours, theirs in zip(fixed.values(), free.values(), strict=True):
        assert ours.shape[0] == 9
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_an_unknown_node_name_lists_the_available_ones(cnn_onnx):
    with pytest.raises(ValueError) as info:
        record_onnx(cnn_onnx, np.zeros((2, 1, 8, 8), np.float32), layers=["relu9"])
    assert str(info.value) == ("record_onnx: unknown layer names ['relu9']; the model has ['/conv/Conv', "
                               "'/relu1/Relu', '/pool/MaxPool', '/flatten/Flatten', '/dense/Gemm', "
                               "'/relu2/Relu', '/out/Gemm']")


def test_data_that_does_not_fit_the_model_names_the_expected_input(cnn_onnx):
    with pytest.raises(ValueError) as info:
        record_onnx(cnn_onnx, np.zeros((2, 64), np.float32))
    assert str(info.value) == ("record_onnx: cnn.onnx expects input 'image' of shape (batch, 1, 8, 8), got X "
                               "of shape (2, 64)")


@pytest.mark.parametrize("content", [b"\x80\x04K\x01.", b"not a model at all", b""])
def test_a_file_that_is_not_onnx_is_refused(onnxruntime, tmp_path, content):
    path = tmp_path / "model.pkl"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"^record_onnx: model.pkl is not an ONNX model \("):
        record_onnx(path, np.zeros((1, 2)))


def test_a_missing_file_is_refused(onnxruntime, tmp_path):
    with pytest.raises(FileNotFoundError, match="record_onnx: no model file '.*nothing.onnx'"):
        OnnxModel(tmp_path / "nothing.onnx")


def test_without_onnxruntime_the_message_gives_the_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError) as info:
        record_onnx(tmp_path / "m.onnx", np.ones((2, 2)))
    assert str(info.value) == "record_onnx needs onnxruntime: pip install 'flambeau[onnx]'"
