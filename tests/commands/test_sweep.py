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


def test_a_shipped_grid_runs_by_name_from_any_folder(tmp_path, monkeypatch, capsys):
    import flambeau.experiments.sweep as sweep

    seen = {}

    def fake_run_sweep(grid, out, **options):
        seen.update(name=grid.name, out=out)
        return []

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sweep, "run_sweep", fake_run_sweep)
    assert main(["sweep", "autoencoder_mnist_84", "--no-progress"]) == 0
    assert seen == {"name": "autoencoder-mnist-84", "out": "runs/sweep-autoencoder-mnist-84"}
    assert main(["sweep", "autoencoder_mnist_84.toml", "--no-progress"]) == 0


def test_an_unknown_grid_lists_the_shipped_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "autoencoder_mnist"]) == 2
    assert capsys.readouterr().out == ("flambeau sweep: 'autoencoder_mnist' is neither a grid file nor a "
                                       "shipped grid (shipped: autoencoder_mnist_84, "
                                       "autoencoder_mnist_84_report, autoencoder_mnist_84_report_lr, "
                                       "autoencoder_mnist_84_report_pixel_mean, "
                                       "autoencoder_mnist_84_report_pixel_mean_lr)\n")


def test_a_local_file_wins_over_a_shipped_name(tmp_path, monkeypatch):
    from flambeau.experiments.sweep import find_grid, shipped_grids

    monkeypatch.chdir(tmp_path)
    assert find_grid("autoencoder_mnist_84") == shipped_grids()["autoencoder_mnist_84"]
    (tmp_path / "autoencoder_mnist_84").write_text(GRID)
    assert find_grid("autoencoder_mnist_84").resolve() == (tmp_path / "autoencoder_mnist_84").resolve()
