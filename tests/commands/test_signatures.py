import json

from flambeau.cli import build_parser, main


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
    assert capsys.readouterr().err == ("flambeau signatures: StudyConfig: classes must hold at least 2 "
                                       "digits, got [1]\n")


def test_serve_binds_to_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.runs) == ("127.0.0.1", 8050, "runs")
