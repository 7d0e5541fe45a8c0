"""``flambeau sweep GRID.toml`` with base overrides, then a resumed rerun."""

import csv

from flambeau.cli import main

GRID = """
name = "cli-grid"
task = "mlp"
metric = "test_error"
[base]
dataset = "usps"
epochs = 5
[[grid]]
hidden = [4, 6]
"""


def test_sweep_command_runs_then_resumes(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    args = ["sweep", str(grid), "--out", str(tmp_path / "out"), "--jobs", "1", "--no-progress",
            "--set", "n_train=150", "--set", "n_test=50", "--set", "epochs=1"]
    assert main(args) == 0
    assert "2 configurations, 2 ok, 0 failed" in capsys.readouterr().out
    with open(tmp_path / "out" / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["hidden"], r["n_train"], r["epochs"]) for r in rows] == [("4", "150", "1"), ("6", "150", "1")]
    assert main(args) == 0
    assert "2 configurations, 2 ok" in capsys.readouterr().out
