"""Sweeps: TOML grids, joblib processes, resume, recorded failures, a Dask LocalCluster on loopback."""

import csv
from importlib import resources

import pytest

from flambeau.experiments import sweep
from flambeau.experiments.sweep import Grid, expand, load_grid, read_results, run_sweep

GRID = Grid(name="tiny-mlp", task="mlp", metric="test_error",
            base={"dataset": "usps", "n_train": 200, "n_test": 100, "epochs": 1},
            grids=({"hidden": [4, 8, 0], "lr": [0.1]},))


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_shipped_autoencoder_grid_has_the_reports_84_configurations():
    path = resources.files("flambeau.experiments") / "grids" / "autoencoder_mnist_84.toml"
    with resources.as_file(path) as file:
        grid = load_grid(file)
    configs = expand(grid)
    assert len(configs) == 84 and len({c["config_id"] for c in configs}) == 84
    assert sum(c["loss"] == "mse" for c in configs) == 24
    assert {c["steps"] for c in configs} == {2, 4, 8} and {c["latent"] for c in configs} == {16, 32}
    assert {(c["loss"], c["lr"]) for c in configs} == {("mse", 0.001), ("bce", 0.001)}  # Adam: see the TOML
    assert all((c["activation"], c["init"], c["rule"]) == ("leaky_relu", "he", "adam") for c in configs)
    assert len(expand(grid.scaled("epochs", 0.1))) == 84


def test_load_grid_names_the_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ntask = "mlp"\n[[grid]]\nhidden = 4\n')
    with pytest.raises(ValueError, match="grid entry 'hidden' must be a non-empty list, got 4"):
        load_grid(bad)
    bad.write_text('name = "x"\n[[grid]]\nhidden = [4]\n')
    with pytest.raises(ValueError, match="has no 'task' entry"):
        load_grid(bad)


def test_joblib_sweep_records_failures_and_writes_table_and_plot(tmp_path):
    rows = run_sweep(GRID, tmp_path, n_jobs=2, progress=False)
    assert [r["hidden"] for r in rows] == [4, 8, 0]
    assert [r["status"] for r in rows] == ["ok", "ok", "failed"]
    assert rows[2]["error"] == "ValueError: Linear: output must be a positive int, got 0"
    table = _rows(tmp_path / "results.csv")
    assert [r["status"] for r in table] == ["ok", "ok", "failed"]
    assert 0 <= float(table[0]["test_error"]) <= 1 and table[2]["test_error"] == ""
    assert (tmp_path / "summary.png").read_bytes()[:4] == b"\x89PNG"


def test_rerun_skips_finished_configurations(tmp_path, monkeypatch):
    first = run_sweep(GRID, tmp_path, n_jobs=1, progress=False)
    calls = []

    def fake_run_one(task, config):
        calls.append(config["hidden"])
        return {"config_id": config["config_id"], **config, "status": "failed", "error": "again"}

    monkeypatch.setattr(sweep, "run_one", fake_run_one)
    again = run_sweep(GRID, tmp_path, n_jobs=1, progress=False, retry_failed=False)
    assert calls == [] and again == first
    run_sweep(GRID, tmp_path, n_jobs=1, progress=False)
    assert calls == [0]  # only the failed configuration is retried
    assert [r["status"] for r in read_results(tmp_path / "results.csv")] == ["ok", "ok", "failed"]


def test_dask_local_cluster_runs_the_same_grid(tmp_path):
    distributed = pytest.importorskip("distributed", reason="pip install 'flambeau[sweep]'")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, host="127.0.0.1",
                                  protocol="tcp", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        rows = run_sweep(GRID, tmp_path, dask=cluster.scheduler_address, progress=False)
    assert [r["status"] for r in rows] == ["ok", "ok", "failed"]
    joblib_rows = run_sweep(GRID, tmp_path / "joblib", n_jobs=1, progress=False)
    assert [r["test_error"] for r in rows[:2]] == [r["test_error"] for r in joblib_rows[:2]]


def test_autoencoder_task_takes_init_and_rule_and_names_bad_ones():
    from flambeau.experiments.sweep_tasks import autoencoder_task

    base = {"dataset": "usps", "n_train": 200, "n_test": 50, "epochs": 2, "latent": 8, "steps": 2}
    adam = autoencoder_task(**base, activation="leaky_relu", init="he", rule="adam", lr=1e-3)
    sgd = autoencoder_task(**base, lr=1e-3)
    assert set(adam) == {"test_mse", "test_bce", "train_loss", "n_parameters"}
    assert adam["test_mse"] != sgd["test_mse"]
    with pytest.raises(ValueError,
                       match=r"^autoencoder_task: rule must be one of \['adam', 'sgd'\], got 'rmsprop'$"):
        autoencoder_task(**base, rule="rmsprop")
