"""The results page, generated from tiny run folders: every study listed, published beside ours,
commands, seeds, both recipes, the grid's claims; figures and the grid table copied beside it."""

import pytest

from flambeau.cli import main
from flambeau.experiments import run_study
from flambeau.experiments.results import PAGE_STUDIES, find_runs, results_page
from flambeau.experiments.sweep import Grid, run_sweep

GRID = Grid(name="tiny-ae84", task="autoencoder", metric="test_mse", trajectory="epochs",
            base={"dataset": "usps", "n_train": 150, "n_test": 60, "activation": "tanh", "init": "normal",
                  "rule": "sgd", "reduction": "sum"},
            grids=({"loss": ["mse"], "lr": [0.001], "epochs": [1, 2], "batch_size": [32, 64], "latent": [8],
                    "steps": [2, 4]},))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    for name in ("linear", "moons", "autoencoder-usps"):
        run_study(name, "tiny", root, progress=False, raise_errors=True)
    run_sweep(GRID, root / "sweep-tiny-ae84", n_jobs=1, progress=False)
    return root


def test_full_runs_only_by_default_the_others_are_not_run_yet(runs):
    page = results_page(runs)
    assert "Studies run (full size): 0 of 14; not run yet: linear" in page
    assert page.count("**Not run yet at full size (only a tiny run is there).**") == 3
    for name in PAGE_STUDIES:
        assert f"### `{name}`" in page
    assert "Kuzushiji-MNIST is not on this machine" in page


def test_every_row_says_recipe_seeds_command_and_both_recipes(runs, tmp_path):
    page = results_page([runs], tmp_path / "results", link="results/", sizes=("full", "tiny"))
    assert "Studies run (full, tiny size): 3 of 14" in page
    assert "**A tiny run (reduced sizes): not comparable with the published numbers.**" in page
    assert "- Command: `flambeau run linear --size tiny --seed 0`" in page  # no machine-specific --out
    assert "| linear (tiny run) | accuracy, 1000 iterations | 0.95 | 1 ± 0 [1, 1] | 2 | no |" in page
    assert "| learning rate | not stated | 1e-4 on the summed gradient |" in page  # the recipe table
    assert "- Report's recipe: 2 seeds; wall time" in page  # linear loops over its seeds itself
    section = page[page.index("### `autoencoder-usps`"):]
    assert "- Flambeau's recipe: 1 seed; wall time" in section and "Why: Adam at 1e-3" in section
    assert "ours, flambeau's recipe" in section
    assert "### Grid `tiny-ae84`" in page and "8 ok, 0 failed, of 8" in page
    assert "| lr | BCE needs a larger learning rate (0.1) than MSE (0.01) | not testable |" in page
    assert "| epochs | more epochs always improve the reconstruction |" in page
    files = {p.name for p in (tmp_path / "results").iterdir()}
    assert {"tiny-ae84.csv", "tiny-ae84-depth.png", "linear-decision_boundaries.png"} <= files
    assert "](results/tiny-ae84-depth.png)" in page and "[tiny-ae84.csv](results/tiny-ae84.csv)" in page
    assert all((tmp_path / "results" / f).stat().st_size < 250_000 for f in files)


def test_find_runs_tells_studies_from_sweeps_and_follows_links(runs, tmp_path):
    (tmp_path / "link").symlink_to(runs / "linear")
    studies, sweeps = find_runs(tmp_path)
    assert list(studies) == ["linear"] and sweeps == []
    studies, sweeps = find_runs(runs)
    assert set(studies) == {"linear", "moons", "autoencoder-usps"} and [s.grid["name"] for s in sweeps] == [
        "tiny-ae84"]
    with pytest.raises(FileNotFoundError, match="is not a folder of runs"):
        find_runs(tmp_path / "missing")


def test_the_command_writes_the_page_and_its_figures(runs, tmp_path, capsys):
    out = tmp_path / "docs" / "results.md"
    assert main(["results", str(runs), "--any-size", "--figures", str(tmp_path / "docs" / "results"),
                 "--link", "results/", "-o", str(out)]) == 0
    assert out.read_text().startswith("# Results: the reports' numbers, reproduced")
    assert main(["results", str(runs)]) == 0
    assert "Studies run (full size): 0 of 14" in capsys.readouterr().out
    assert main(["results", str(tmp_path / "nothing")]) == 2
    assert "is not a folder of runs" in capsys.readouterr().err


def test_a_grid_without_its_data_says_why_the_mean_image_baseline_is_missing(monkeypatch, caplog):
    from flambeau.experiments import data, results
    from flambeau.experiments.spec import StudySkipped

    def missing(name, **_):
        raise StudySkipped(f"{name} data not found: searched nowhere")

    monkeypatch.setattr(data, "load", missing)
    with caplog.at_level("WARNING", logger="flambeau.experiments.results"):
        assert results._mean_image_mse({"name": "g", "base": {"dataset": "mnist"}}, {}) is None
    assert "grid g: no mean-image baseline (mnist data not found" in caplog.text
    assert "FLAMBEAU_DATA" in caplog.text


def test_the_grid_shows_the_denoising_figure_through_the_file_of_the_denoise_section(tmp_path):
    from flambeau.experiments.results import StudyRun, _copy_figure, _outputs_figure

    folder, figures = tmp_path / "autoencoder-denoise", tmp_path / "results"
    folder.mkdir()
    figures.mkdir()
    (folder / "denoising.png").write_bytes(b"\x89PNG small")
    recipe = {"activation": "tanh", "init": "normal", "rule": "sgd", "reduction": "sum"}
    run = StudyRun(folder, {"study": "autoencoder-denoise", "size": "full", "config": recipe},
                   {"figures": [{"file": "denoising.png", "caption": "denoising: clean, noisy, output"}]})
    section = _copy_figure(run.name, run, figures, "results/")
    grid = _outputs_figure(run, {"base": recipe}, figures, "results/")
    assert "](results/autoencoder-denoise-denoising.png)" in section[0]
    assert "](results/autoencoder-denoise-denoising.png)" in grid[0] and "two of these networks" in grid[0]
    assert [p.name for p in figures.iterdir()] == ["autoencoder-denoise-denoising.png"]  # one copy
    for other in ({**recipe, "features": "mean"}, {**recipe, "activation": "leaky_relu"}):
        assert _outputs_figure(run, {"base": other}, figures, "results/") == []  # not the same networks


def test_a_study_of_sweeps_trained_apart_shows_the_plain_command_and_their_training_time():
    from flambeau.experiments.results import _command, _wall_time

    record = {"command": "flambeau run autoencoder-grid --size full --seed 0 --out /tmp/x "
                         "--set \"sweep_root='/work/sweeps'\" --set n_jobs=2"}
    assert _command(record) == "flambeau run autoencoder-grid --size full --seed 0 --set n_jobs=2"
    assert _wall_time({"elapsed_s": 2.0, "sweep_training_s": 7200.0}, "elapsed_s") == (
        "120.0 min of training (its grids' runs one after the other) and 2 s of analysis")
    assert _wall_time({"elapsed_s": 90.0}, "elapsed_s") == "1.5 min"
