import dataclasses
import json
import subprocess
import sys

import pytest

from flambeau.cli import build_parser, main
from flambeau.commands.signatures import config_from_args, field_help
from flambeau.signatures import SignatureConfig


def test_signatures_command_writes_a_run_and_prints_the_scores(tmp_path, capsys):
    code = main(["signatures", "--classes", "1", "7", "--n-per-class", "20", "--hidden", "6",
                 "--anomalies", "4", "--n-anomalies", "5", "--epochs", "10", "--eps", "0.1",
                 "--k-range", "2", "3", "--projection", "pca", "--runs", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    summary = json.loads((tmp_path / "signature_17_20_a4" / "study.json").read_text())
    assert summary["config"]["k_range"] == [2, 3] and summary["n_anomalies"] == 5
    assert out.startswith(f"signature_17_20_a4: test accuracy {summary['accuracy']:.4f} on 40 images")
    assert "classes separate first at:" in out and "anomaly 4: last hidden layer routes to" in out


def test_impossible_values_exit_2_with_a_message(tmp_path, capsys):
    code = main(["signatures", "--classes", "1", "--runs", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == ("flambeau signatures: SignatureConfig: classes must hold at least 2 "
                                       "digits, got [1]\n")


def test_every_config_field_is_an_option_with_its_docstring_help(capsys):
    helps = field_help(SignatureConfig)
    with pytest.raises(SystemExit):
        main(["signatures", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for field in dataclasses.fields(SignatureConfig):
        assert helps.get(field.name), f"SignatureConfig's docstring has no entry for {field.name}"
        flag = "--" + field.name.replace("_", "-")
        assert f"{flag} " in out and " ".join(helps[field.name].rstrip(".").split()) in out, flag
    assert "--dataset {mnist,usps,fashion-mnist}" in out and "--k-range K_RANGE K_RANGE" in out
    assert "--analysed {test,all}" in out and "--n-per-class N_PER_CLASS" in out
    assert "(default: 1 7)" in out and "--eps EPS the course's name for --lr" in out


def test_options_given_reach_the_config_and_the_others_keep_its_defaults():
    def config(*options):
        return config_from_args(build_parser().parse_args(["signatures", *options]))

    assert config() == SignatureConfig()
    assert config("--classes", "8", "3", "--anomalies", "5", "--lr", "0.2", "--k-range", "2", "4",
                  "--n-anomalies", "7", "--method", "hdbscan") == SignatureConfig(
        classes=(3, 8), anomalies=(5,), lr=0.2, k_range=(2, 4), n_anomalies=7, method="hdbscan")
    assert config("--eps", "0.2") == SignatureConfig(lr=0.2)


def test_lr_and_eps_together_exit_2(tmp_path, capsys):
    assert main(["signatures", "--lr", "0.1", "--eps", "0.2", "--runs", str(tmp_path)]) == 2
    assert "give the learning rate as lr or as eps (the course's name), not both" in capsys.readouterr().err


def test_the_command_line_starts_without_importing_the_signature_study():
    """The configuration options are added when the command parses its arguments: building the
    parser of every command does not load scikit-learn."""
    code = ("import sys; from flambeau.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.startswith(('sklearn', 'flambeau.signatures'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_serve_binds_to_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.runs) == ("127.0.0.1", 8050, "runs")


def _usps_cnn_onnx(path):
    """An (untrained) CNN from (n, 1, 16, 16) USPS images to 2 logits, exported to ONNX."""
    torch = pytest.importorskip("torch", reason="pip install 'flambeau[torch]' (test extra)")
    pytest.importorskip("onnxruntime", reason="pip install 'flambeau[onnx]' (test extra)")
    pytest.importorskip("onnxscript", reason="torch.onnx.export needs onnxscript (test extra)")
    nn = torch.nn
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 7 * 7, 5),
                        nn.Tanh(), nn.Linear(5, 2))
    torch.onnx.export(net, (torch.zeros(2, 1, 16, 16),), str(path), input_names=["image"],
                      dynamic_axes={"image": {0: "batch"}}, dynamo=False)


def test_an_onnx_model_is_studied_instead_of_training(tmp_path, capsys):
    _usps_cnn_onnx(tmp_path / "cnn.onnx")
    code = main(["signatures", "--onnx", str(tmp_path / "cnn.onnx"), "--classes", "1", "7", "--n-per-class",
                 "15", "--anomalies", "4", "--n-anomalies", "5", "--k-range", "2", "3", "--spatial", "max",
                 "--projection", "pca", "--runs", str(tmp_path / "runs"), "--no-progress"])
    out = capsys.readouterr().out
    folder = tmp_path / "runs" / "signature_17_15_a4"
    summary = json.loads((folder / "study.json").read_text())
    assert code == 0 and out.startswith("signature_17_15_a4: test accuracy")
    assert summary["model"] == "cnn.onnx" and summary["config"]["spatial"] == "max"
    layers = [(layer["name"], layer["width"]) for layer in summary["layers"]]
    assert layers == [("/1/Relu", 3), ("/5/Tanh", 5)]
    assert not (folder / "model.npz").exists()  # only flambeau networks are saved


def test_onnx_layers_are_chosen_by_node_name(tmp_path, capsys):
    _usps_cnn_onnx(tmp_path / "cnn.onnx")
    code = main(["signatures", "--onnx", str(tmp_path / "cnn.onnx"), "--layers", "/2/MaxPool",
                 "--n-per-class", "10", "--k-range", "2", "3", "--projection", "pca", "--runs", str(tmp_path),
                 "--no-progress"])
    summary = json.loads((tmp_path / "signature_17_10" / "study.json").read_text())
    assert code == 0 and [layer["name"] for layer in summary["layers"]] == ["/2/MaxPool"]


@pytest.mark.parametrize("argv, message", [
    (["--layers", "relu"], "flambeau signatures: --layers names the nodes of an --onnx model\n"),
    (["--onnx", "a.onnx", "--model", "b.npz"],
     "flambeau signatures: give --model (a flambeau .npz) or --onnx, not both\n"),
])
def test_inconsistent_model_options_exit_2(tmp_path, capsys, argv, message):
    assert main(["signatures", *argv, "--runs", str(tmp_path)]) == 2
    assert capsys.readouterr().err == message


def test_a_model_file_that_is_not_onnx_exits_2_and_nothing_is_unpickled(tmp_path, capsys, monkeypatch):
    pytest.importorskip("onnxruntime", reason="pip install 'flambeau[onnx]' (test extra)")
    import pickle

    path = tmp_path / "model.onnx"
    path.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("a pickle was loaded"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("a pickle was loaded"))
    assert main(["signatures", "--onnx", str(path), "--runs", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(
        "flambeau signatures: record_onnx: model.onnx is not an ONNX model (")


def test_a_missing_onnx_extra_exits_2_with_the_install_hint(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert main(["signatures", "--onnx", str(tmp_path / "m.onnx"), "--runs", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("flambeau signatures: record_onnx needs onnxruntime: "
                                       "pip install 'flambeau[onnx]'\n")


def test_a_model_of_user_classes_is_studied_after_import(tmp_path, capsys):
    import textwrap

    from flambeau import Sequential, TanH
    from flambeau.registry import MODULES

    source = textwrap.dedent('''
        import numpy as np
        from flambeau import Module

        class Dense(Module):
            def __init__(self, input, output):
                super().__init__()
                self.input, self.output = input, output
                self._parameters = np.random.default_rng(input).normal(0, 0.1, (input, output))
                self._gradient = np.zeros((input, output))

            def get_config(self):
                return {"input": self.input, "output": self.output}

            def forward(self, X):
                return X @ self._parameters

            def backward_delta(self, input, delta):
                return delta @ self._parameters.T
    ''')
    (tmp_path / "my_layers.py").write_text(source)
    saved = dict(MODULES)
    try:
        namespace = {"__name__": "__main__"}
        exec(source, namespace)  # the script that trained and saved the model
        Dense = namespace["Dense"]
        Sequential(Dense(256, 6), TanH(), Dense(6, 2)).save(tmp_path / "net.npz")
        del MODULES["__main__.Dense"]  # the CLI runs in another process
        argv = ["signatures", "--model", str(tmp_path / "net.npz"), "--n-per-class", "10", "--k-range",
                "2", "3", "--projection", "pca", "--runs", str(tmp_path), "--no-progress"]
        assert main(argv) == 2
        assert capsys.readouterr().err.startswith(
            f"flambeau signatures: load: {tmp_path / 'net.npz'}: unknown module class '__main__.Dense'; "
            "define or import the class first, or pass it: flambeau.load(path, modules=[Dense])")
        assert main([*argv, "--import", str(tmp_path / "my_layers.py")]) == 0
        assert "test accuracy" in capsys.readouterr().out
    finally:
        MODULES.clear()
        MODULES.update(saved)


def test_import_without_a_model_exits_2(tmp_path, capsys):
    assert main(["signatures", "--import", "my_layers.py", "--runs", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("flambeau signatures: --import names the files defining the "
                                       "classes of a --model file\n")


def test_the_report004_preset_writes_its_nine_studies_and_a_summary(tmp_path, capsys):
    code = main(["signatures", "--preset", "report004", "--quick", "--runs", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    folder = tmp_path / "report004"
    studies = sorted(p.name for p in folder.iterdir() if (p / "study.json").is_file())
    assert len(studies) == 18 and "signature_17_10_a43" in studies and "signature_012345678_10_a9" in studies
    summary = json.loads((folder / "preset.json").read_text())
    assert [row["anomaly"] for row in summary["anomaly_table"]][:3] == ["3", "4", "all"]
    assert [row["anomaly"] for row in summary["anomaly_table"]][3:] == [str(d) for d in range(10)]
    assert all(row["path"]["auroc"]["ci"] is not None for row in summary["anomaly_table"])  # 2 seeds
    assert out.startswith(f"preset report004: 18 studies in {folder}")
    assert "report 004: 7s in the 1s' cluster from the first hidden layer: 4 (of about 100); measured:" in out
    from flambeau.app.store import list_runs

    listed = [row["name"] for row in list_runs(tmp_path)]
    assert sorted(listed) == sorted(f"report004/{name}" for name in studies)


@pytest.mark.parametrize("argv, message", [
    (["--preset", "report005"],
     "flambeau signatures: unknown preset 'report005'; the presets are ['report004']\n"),
    (["--quick"], "flambeau signatures: --quick reduces a --preset; name one: --preset report004\n"),
    (["--preset", "report004", "--seed", "0", "--n-per-class", "5", "--model", "m.npz"],
     "flambeau signatures: --preset report004 sets every study's configuration itself; drop --model, "
     "--n-per-class, --seed\n"),
])
def test_preset_errors_exit_2(tmp_path, capsys, argv, message):
    assert main(["signatures", *argv, "--runs", str(tmp_path)]) == 2
    assert capsys.readouterr().err == message


def test_n_per_class_all_is_every_image():
    import argparse

    from flambeau.commands.signatures import _count_or_all

    assert _count_or_all("all") is None and _count_or_all("30") == 30
    with pytest.raises(argparse.ArgumentTypeError, match="expected a whole number or 'all', got 'x'"):
        _count_or_all("x")
