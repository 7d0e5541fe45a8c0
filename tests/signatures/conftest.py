"""Optional frameworks for the recorder tests (skipped without them, a failure in CI)."""

from __future__ import annotations

import pytest

from tests.signatures import cnn


@pytest.fixture(scope="session")
def torch():
    return pytest.importorskip("torch", reason="pip install 'flambeau[torch]' (test extra)")


@pytest.fixture(scope="session")
def onnxruntime():
    pytest.importorskip("onnx", reason="pip install 'flambeau[onnx]' (test extra)")
    pytest.importorskip("onnxscript", reason="torch.onnx.export needs onnxscript (test extra)")
    return pytest.importorskip("onnxruntime", reason="pip install 'flambeau[onnx]' (test extra)")


@pytest.fixture
def keras(monkeypatch):
    """Keras 3 on its PyTorch backend; the variable is set for this test only."""
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="pip install 'flambeau[keras]' (test extra)")
    assert keras.backend.backend() == "torch", "keras was imported earlier with another backend"
    return keras


@pytest.fixture(scope="session")
def torch_cnn(torch):
    return cnn.torch_cnn(torch)


@pytest.fixture(scope="session")
def cnn_onnx(torch, onnxruntime, torch_cnn, tmp_path_factory):
    """The torch CNN exported to ONNX (batch axis free)."""
    path = tmp_path_factory.mktemp("onnx") / "cnn.onnx"
    cnn.export_onnx(torch, torch_cnn, path)
    return path
