"""The README's framework examples run as written (in a temporary folder)."""

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _example(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- readme-example: {name} -->\n```python\n(.*?)```", text, re.S)
    assert match, f"README.md has no python block marked readme-example: {name}"
    return match.group(1)


def _run(code: str, folder: Path, monkeypatch) -> None:
    monkeypatch.chdir(folder)
    script = folder / "example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")


def test_the_pytorch_cnn_example_trains_records_and_opens_in_the_app(tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch", reason="pip install 'flambeau[torch]' (test extra)")
    pytest.importorskip("onnxscript", reason="torch.onnx.export needs onnxscript (test extra)")
    _run(_example("torch"), tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert re.search(r"\{'path': 0\.\d+, 'msp': 0\.\d+, 'mahalanobis': 0\.\d+, 'glosh': 0\.\d+", printed)
    assert (tmp_path / "usps_cnn.onnx").stat().st_size > 1000
    from flambeau.app.pages import run_page
    from flambeau.app.store import list_runs, load_run

    assert [row["name"] for row in list_runs(tmp_path / "runs")] == ["usps_torch_cnn"]
    study = load_run(tmp_path / "runs", "usps_torch_cnn")
    assert study.layer_names == ["1", "5"] and study.is_anomaly.sum() == (study.y_true == 9).sum() > 0
    assert "anomaly-table" in str(run_page(study))


def test_the_keras_example_records_named_layers(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="pip install 'flambeau[keras]' (test extra)")
    assert keras.backend.backend() == "torch", "keras was imported earlier with another backend"
    _run(_example("keras"), tmp_path, monkeypatch)
    from flambeau.app.store import load_run

    study = load_run(tmp_path / "runs", "usps_keras_mlp")
    assert study.layer_names == ["h1", "h2"] and study.n == 500 and study.image_shape == (16, 16)
