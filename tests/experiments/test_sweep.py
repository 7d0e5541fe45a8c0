"""Sweeps: TOML grids, joblib processes, resume, recorded failures, a Dask LocalCluster on loopback."""

import csv
from importlib import resources

import pytest

from flambeau.experiments import sweep, sweep_tasks
from flambeau.experiments.sweep import Grid, expand, load_grid, read_results, run_sweep
from tests.helpers import assert_strict_json_files, assert_umask_permissions

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
    assert grid.trajectory == "epochs" and len(sweep._groups(configs, grid.trajectory)) == 24
    assert len(expand(grid.scaled("epochs", 0.1))) == 84


def test_shipped_report_recipe_grid_has_the_same_84_configurations_with_the_reports_recipe():
    folder = resources.files("flambeau.experiments") / "grids"
    with resources.as_file(folder / "autoencoder_mnist_84_report.toml") as file:
        grid = load_grid(file)
    with resources.as_file(folder / "autoencoder_mnist_84.toml") as file:
        ours = load_grid(file)
    configs = expand(grid)
    assert len(configs) == 84 and len(sweep._groups(configs, grid.trajectory)) == 24
    assert {(c["loss"], c["lr"]) for c in configs} == {("mse", 0.01), ("bce", 0.1)}  # section 4.1
    assert all((c["activation"], c["init"], c["rule"], c["reduction"]) == ("tanh", "normal", "sgd", "sum")
               for c in configs)
    axes = ("loss", "epochs", "batch_size", "latent", "steps")
    assert sorted(tuple(c[k] for k in axes) for c in configs) == sorted(
        tuple(c[k] for k in axes) for c in expand(ours))


def test_the_rates_swapped_grid_pairs_with_the_reports_84_on_every_configuration():
    folder = resources.files("flambeau.experiments") / "grids"
    with resources.as_file(folder / "autoencoder_mnist_84_report_lr.toml") as file:
        swapped = expand(load_grid(file))
    with resources.as_file(folder / "autoencoder_mnist_84_report.toml") as file:
        report = expand(load_grid(file))
    rate = {"mse": 0.01, "bce": 0.1}  # the report's, section 4.1
    assert len(swapped) == 28 and all(c["lr"] != rate[c["loss"]] and c["steps"] == 2 for c in swapped)
    key = ("loss", "epochs", "batch_size", "latent", "steps", "activation", "init", "rule", "reduction")
    assert {tuple(c[k] for k in key) for c in swapped} <= {tuple(c[k] for k in key) for c in report}


def test_the_pixel_mean_grid_is_the_reports_84_with_each_images_loss_averaged_over_its_pixels():
    folder = resources.files("flambeau.experiments") / "grids"
    with resources.as_file(folder / "autoencoder_mnist_84_report_pixel_mean.toml") as file:
        averaged = expand(load_grid(file))
    with resources.as_file(folder / "autoencoder_mnist_84_report.toml") as file:
        report = expand(load_grid(file))
    with resources.as_file(folder / "autoencoder_mnist_84_report_pixel_mean_lr.toml") as file:
        swapped = expand(load_grid(file))
    with resources.as_file(folder / "autoencoder_mnist_84_report_lr.toml") as file:
        swapped_summed = expand(load_grid(file))
    for pixel_mean, summed in ((averaged, report), (swapped, swapped_summed)):
        assert all(c.pop("features") == "mean" for c in pixel_mean)
        assert sorted(_without_id(c) for c in pixel_mean) == sorted(_without_id(c) for c in summed)


def _without_id(config: dict) -> str:
    return str(sorted((k, v) for k, v in config.items() if k != "config_id"))


def test_features_mean_trains_on_each_images_loss_averaged_over_its_pixels():
    params = dict(AE_GRID.base, epochs=1, batch_size=32, lr=0.5, rule="sgd", reduction="sum")
    summed = sweep_tasks.autoencoder_task(**{**params, "lr": params["lr"] / 256})
    averaged = sweep_tasks.autoencoder_task(**params, features="mean")  # USPS images: 256 pixels
    assert averaged["test_mse"] == pytest.approx(summed["test_mse"], rel=1e-4)
    with pytest.raises(ValueError, match="features must be one of"):
        sweep_tasks.autoencoder_task(**params, features="max")


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
    assert assert_strict_json_files(tmp_path) == 2  # grid.json, summary.json
    assert assert_umask_permissions(tmp_path) == 4


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


AE_GRID = Grid(name="tiny-ae", task="autoencoder", metric="test_mse", trajectory="epochs",
               base={"dataset": "usps", "n_train": 300, "n_test": 100, "activation": "leaky_relu",
                     "init": "he", "rule": "adam", "lr": 0.001, "steps": 2, "latent": 8},
               grids=({"epochs": [1, 3], "batch_size": [32, 64]},))


def test_a_trajectory_trains_once_and_measures_as_separate_runs_would(tmp_path, monkeypatch):
    calls = []
    real = sweep_tasks.autoencoder_trajectory

    def counting(epochs, **params):
        calls.append(sorted(epochs))
        return real(epochs, **params)

    monkeypatch.setitem(sweep_tasks.TRAJECTORIES, "autoencoder", ("epochs", counting))
    rows = run_sweep(AE_GRID, tmp_path, n_jobs=1, progress=False)
    assert sorted(calls) == [[1, 3], [1, 3]]  # one run per batch size, measured at 1 and 3 epochs
    assert [r["status"] for r in rows] == ["ok"] * 4
    for row in rows:
        params = {k: row[k] for k in ("epochs", "batch_size")}
        alone = sweep_tasks.autoencoder_task(**AE_GRID.base, **params)
        assert row["test_mse"] == pytest.approx(alone["test_mse"], rel=1e-6), params
        assert row["train_loss"] == pytest.approx(alone["train_loss"], rel=1e-6), params
    by_epochs = {(r["batch_size"], r["epochs"]): r for r in rows}
    assert by_epochs[(32, 3)]["test_mse"] < by_epochs[(32, 1)]["test_mse"]
    assert by_epochs[(32, 3)]["seconds"] > by_epochs[(32, 1)]["seconds"]


def test_training_seconds_counts_a_shared_run_once_at_its_longest():
    configs = expand(AE_GRID)  # two batch sizes x epochs 1 and 3: two shared runs
    seconds = {(c["batch_size"], c["epochs"]): s for c, s in zip(configs, (1.0, 4.0, 2.0, 8.0), strict=True)}
    rows = [{**c, "seconds": seconds[(c["batch_size"], c["epochs"])]} for c in configs]
    longest = {b: max(s for (bb, _), s in seconds.items() if bb == b) for b in {b for b, _ in seconds}}
    assert sweep.training_seconds(AE_GRID, rows) == pytest.approx(sum(longest.values()))
    alone = Grid(**{**AE_GRID.__dict__, "trajectory": ""})
    assert sweep.training_seconds(alone, rows) == pytest.approx(15.0)  # separate runs: every row


def test_a_trajectory_resumes_with_only_the_missing_epochs_and_records_failures(tmp_path):
    first = run_sweep(AE_GRID, tmp_path, n_jobs=1, progress=False, limit=1)
    assert len(first) == 1 and first[0]["status"] == "ok"
    rows = run_sweep(AE_GRID, tmp_path, n_jobs=2, progress=False)
    assert [r["status"] for r in rows] == ["ok"] * 4 and rows[0] == first[0]
    bad = AE_GRID.with_base(steps=0)
    rows = run_sweep(bad, tmp_path / "bad", n_jobs=1, progress=False)
    assert [r["status"] for r in rows] == ["failed"] * 4
    assert all(r["error"].startswith("ValueError: AutoEncoder.symmetric: steps") for r in rows)


def test_a_trajectory_the_task_cannot_follow_is_refused(tmp_path):
    grid = Grid(name="tiny-mlp", task="mlp", trajectory="epochs", base=GRID.base, grids=GRID.grids)
    with pytest.raises(ValueError, match="asks for trajectory = 'epochs', but task 'mlp' cannot share runs"):
        run_sweep(grid, tmp_path, progress=False)
    grid = Grid(name="x", task="autoencoder", trajectory="lr", grids=({"lr": [0.1]},))
    with pytest.raises(ValueError, match="task 'autoencoder' can follow only 'epochs'"):
        run_sweep(grid, tmp_path, progress=False)


def test_config_ids_that_look_like_numbers_read_back_as_text(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("config_id,status,seconds,lr\n5e3065990223,ok,1.5,0.1\n000000000012,ok,2,0.2\n")
    rows = read_results(path)
    assert [r["config_id"] for r in rows] == ["5e3065990223", "000000000012"]
    assert rows[0]["seconds"] == 1.5 and rows[1]["lr"] == 0.2


SGD_SUM_GRID = Grid(name="tiny-ae-sum", task="autoencoder", metric="test_mse", trajectory="epochs",
                    base={"dataset": "usps", "n_train": 200, "n_test": 50, "activation": "tanh",
                          "init": "normal", "rule": "sgd", "reduction": "sum", "lr": 0.002, "steps": 2,
                          "latent": 8, "batch_size": 32, "loss": "mse"},
                    grids=({"epochs": [1, 3]},))


def test_a_plain_sgd_trajectory_at_the_summed_gradient_equals_separate_runs_exactly(tmp_path):
    rows = run_sweep(SGD_SUM_GRID, tmp_path, n_jobs=1, progress=False)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    for row in rows:
        alone = sweep_tasks.autoencoder_task(**{**SGD_SUM_GRID.base, "epochs": row["epochs"]})
        assert (row["test_mse"], row["train_loss"]) == (alone["test_mse"], alone["train_loss"]), row["epochs"]
    assert rows[1]["test_mse"] < rows[0]["test_mse"]
    mean = sweep_tasks.autoencoder_task(**{**SGD_SUM_GRID.base, "epochs": 1, "reduction": "mean"})
    assert mean["test_mse"] != rows[0]["test_mse"]  # the reduction reaches the optimiser
    assert not (tmp_path / "checkpoints").exists() or not any((tmp_path / "checkpoints").iterdir())


def test_an_interrupted_trajectory_resumes_from_its_checkpoint_to_the_same_numbers(tmp_path, monkeypatch):
    params = {k: v for k, v in SGD_SUM_GRID.base.items()}
    whole = sweep_tasks.autoencoder_trajectory([1, 3], **params)
    checkpoint = tmp_path / "run.npz"

    class Interrupt(Exception):
        pass

    def stop_after_two_epochs(epoch, logs):
        if epoch == 1:
            raise Interrupt

    real_sgd = sweep_tasks.SGD
    monkeypatch.setattr(sweep_tasks, "SGD", lambda *a, callbacks=(), **k: real_sgd(
        *a, callbacks=[*callbacks, stop_after_two_epochs], **k))
    with pytest.raises(Interrupt):
        sweep_tasks.autoencoder_trajectory([1, 3], **params, checkpoint=checkpoint)
    assert checkpoint.exists() and (tmp_path / "run.npz.json").exists()  # epoch 1 measured and saved
    monkeypatch.setattr(sweep_tasks, "SGD", real_sgd)
    resumed = sweep_tasks.autoencoder_trajectory([1, 3], **params, checkpoint=checkpoint)
    def numbers(results):
        return {e: {k: v for k, v in m.items() if k != "seconds"} for e, m in results.items()}

    assert numbers(resumed) == numbers(whole) and set(whole) == {1, 3}
    assert not checkpoint.exists() and not (tmp_path / "run.npz.json").exists()


def test_a_diverging_trajectory_keeps_the_epochs_measured_before_and_fails_the_rest(tmp_path, monkeypatch):
    real_sgd = sweep_tasks.SGD

    def diverge_in_epoch_two(epoch, logs):
        if epoch == 1:
            raise sweep_tasks.DivergenceError("SGD: the loss became nan at epoch 2, batch 1")

    monkeypatch.setattr(sweep_tasks, "SGD", lambda *a, callbacks=(), **k: real_sgd(
        *a, callbacks=[*callbacks, diverge_in_epoch_two], **k))
    rows = run_sweep(SGD_SUM_GRID, tmp_path, n_jobs=1, progress=False)
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert rows[0]["test_mse"] > 0
    assert rows[1]["error"] == "DivergenceError: SGD: the loss became nan at epoch 2, batch 1"
    with pytest.raises(sweep_tasks.DivergenceError, match="the loss became nan at epoch 2"):
        sweep_tasks.autoencoder_task(**{**SGD_SUM_GRID.base, "epochs": 3})
