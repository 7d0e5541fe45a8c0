"""The runner: run folders, statuses (ok / skipped / failed), reruns from config.json, run_all."""

import json
from dataclasses import dataclass

import numpy as np
import pytest

from flambeau.experiments import Reference, Study, StudySkipped, registry, run_from_config, run_study
from flambeau.experiments.runner import run_all


@dataclass(frozen=True)
class Config:
    n: int = 50
    mode: str = "ok"


def _run(cfg, ctx):
    import matplotlib.pyplot as plt

    if cfg.mode == "skip":
        raise StudySkipped("data not here: put it in FLAMBEAU_DATA")
    if cfg.mode == "fail":
        raise RuntimeError("boom")
    values = ctx.rng(0).normal(size=cfg.n)
    fig, ax = plt.subplots()
    ax.plot(values)
    ctx.figure(fig, "values", "some values")
    ctx.table("t", ["k", "v"], [["mean", f"{values.mean():.3f}"]])
    return {"mean": float(values.mean()), "array": np.arange(3), "nan": float("nan")}


STUDY = Study("toy", "Toy", "a toy", _run,
              {"tiny": Config(10), "quick": Config(20), "full": Config(50)},
              references=(Reference("mean", "mean", 0.0, "theory"),))


def test_run_writes_metrics_config_figures_and_report(tmp_path):
    outcome = run_study(STUDY, "quick", tmp_path, seed=5, progress=False)
    folder = tmp_path / "toy"
    assert outcome.status == "ok" and outcome.folder == folder
    metrics = json.loads((folder / "metrics.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    assert metrics["status"] == "ok" and metrics["array"] == [0, 1, 2] and metrics["nan"] is None
    assert metrics["comparison"][0]["reported"] == "0"
    assert config["seed"] == 5 and config["size"] == "quick" and config["config"] == {"n": 20, "mode": "ok"}
    assert config["command"] == f"flambeau run toy --size quick --seed 5 --out {tmp_path}"
    assert (folder / "values.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (folder / "report.html").read_text()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_same_seed_same_numbers_and_rerun_from_config(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_cache", {"toy": STUDY})
    first = run_study("toy", "tiny", tmp_path / "a", seed=1, progress=False).metrics["mean"]
    again = run_from_config(tmp_path / "a" / "toy" / "config.json", out=tmp_path / "b", progress=False)
    other = run_study("toy", "tiny", tmp_path / "c", seed=2, progress=False).metrics["mean"]
    assert again.metrics["mean"] == first and other != first


def test_skipped_study_says_why_in_metrics_and_report(tmp_path):
    study = Study("toy", "Toy", "a toy", _run, {s: Config(mode="skip") for s in ("tiny", "quick", "full")})
    outcome = run_study(study, "tiny", tmp_path, progress=False)
    metrics = json.loads((tmp_path / "toy" / "metrics.json").read_text())
    assert outcome.status == "skipped" and metrics["reason"] == "data not here: put it in FLAMBEAU_DATA"
    assert "SKIPPED: data not here" in (tmp_path / "toy" / "report.html").read_text()


def test_failing_study_is_recorded_not_raised(tmp_path):
    study = Study("toy", "Toy", "a toy", _run, {s: Config(mode="fail") for s in ("tiny", "quick", "full")})
    outcome = run_study(study, "tiny", tmp_path, progress=False)
    assert outcome.status == "failed" and outcome.metrics["error"] == "RuntimeError: boom"
    assert "Traceback" in outcome.metrics["traceback"]


def test_run_all_writes_an_index(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_cache", {"toy": STUDY})
    outcomes = run_all("tiny", tmp_path, progress=False)
    assert [o.study.name for o in outcomes] == ["toy"]
    assert "href='toy/report.html'" in (tmp_path / "index.html").read_text()
    assert json.loads((tmp_path / "index.json").read_text())[0]["status"] == "ok"


@dataclass(frozen=True)
class RepeatedConfig:
    n: int = 50
    mode: str = "ok"
    repeats: int = 3


def test_repeats_run_one_seed_each_and_merge_what_varies_into_spreads(tmp_path):
    seen = []

    def run(cfg, ctx):
        seen.append((ctx.seed, ctx.out.relative_to(tmp_path).as_posix()))
        return {**_run(cfg, ctx), "n": cfg.n, "curve": [ctx.seed, 1]}

    study = Study("toy", "Toy", "a toy", run, {s: RepeatedConfig() for s in ("tiny", "quick", "full")},
                  references=(Reference("mean", "mean", 0.0, "theory"),))
    metrics = run_study(study, "full", tmp_path, seed=4, progress=False).metrics
    assert seen == [(4, "toy"), (5, "toy/repeats/seed_5"), (6, "toy/repeats/seed_6")]
    singles = [run_study(STUDY, "full", tmp_path / str(s), seed=s, progress=False).metrics["mean"]
               for s in (4, 5, 6)]
    assert metrics["mean"]["values"] == singles and metrics["mean"]["median"] == sorted(singles)[1]
    assert metrics["n"] == 50 and metrics["curve"] == [4, 1]  # equal numbers stay, lists are the first seed's
    assert metrics["repeats"] == {"n": 3, "seeds": [4, 5, 6]}
    row = metrics["comparison"][0]
    assert row["seeds"] == 3 and row["within"] == (min(singles) <= 0.0 <= max(singles))
    assert metrics["report_recipe_mean"]["values"] == singles


def test_an_interrupted_study_of_several_seeds_resumes_from_the_seeds_it_finished(tmp_path):
    seen, fail_at = [], [6]

    def run(cfg, ctx):
        seen.append(ctx.seed)
        if ctx.seed in fail_at:
            raise KeyboardInterrupt  # the machine stopped during the third seed
        return {**_run(cfg, ctx), "n": cfg.n, "nan": float("nan"), "seed_value": np.float32(ctx.seed)}

    study = Study("toy", "Toy", "a toy", run, {s: RepeatedConfig() for s in ("tiny", "quick", "full")})
    with pytest.raises(KeyboardInterrupt):
        run_study(study, "full", tmp_path, seed=4, progress=False)
    assert seen == [4, 5, 6] and (tmp_path / "toy/repeats/seed_5/seed.json").is_file()
    fail_at.clear()
    metrics = run_study(study, "full", tmp_path, seed=4, progress=False).metrics
    assert seen == [4, 5, 6, 4, 6]  # the first seed reruns (its figures make the report), seed 5 is kept
    fresh = run_study(study, "full", tmp_path / "fresh", seed=4, progress=False).metrics
    assert metrics["mean"] == fresh["mean"] and metrics["seed_value"]["values"] == [4.0, 5.0, 6.0]
    assert len(metrics["nan"]["values"]) == 3 and all(v != v for v in metrics["nan"]["values"])  # NaN kept
    seen.clear()  # another config (or size) runs every seed again
    run_study(study, "full", tmp_path, seed=4, progress=False, config=RepeatedConfig(n=51))
    run_study(study, "quick", tmp_path, seed=4, progress=False)
    assert seen == [4, 5, 6, 4, 5, 6]
    (tmp_path / "toy/repeats/seed_5/seed.json").write_text("{damaged")
    seen.clear()
    run_study(study, "quick", tmp_path, seed=4, progress=False)
    assert seen == [4, 5]  # a damaged record is run again, never trusted


def test_flambeaus_recipe_runs_after_the_reports_with_the_same_overrides_and_is_labelled(tmp_path):
    from flambeau.experiments import Setting

    configs = {s: RepeatedConfig(n=10, repeats=2) for s in ("tiny", "quick", "full")}
    ours = {s: RepeatedConfig(n=30, repeats=2) for s in ("tiny", "quick", "full")}
    study = Study("toy", "Toy", "a toy", _run, configs,
                  references=(Reference("mean", "mean", 0.0, "theory"),),
                  recipe=(Setting("n", "10 (section 1)", "10", "30", "more samples, a steadier mean"),),
                  flambeau_configs=ours, flambeau_reason="more samples give a steadier mean")
    outcome = run_study(study, "full", tmp_path, progress=False, config=RepeatedConfig(n=10, repeats=1))
    metrics, record = outcome.metrics, outcome.record
    assert record["flambeau_config"] == {"n": 30, "mode": "ok", "repeats": 1}  # --set repeats=1 reaches both
    assert isinstance(metrics["mean"], float) and isinstance(metrics["flambeau_recipe"]["mean"], float)
    assert metrics["flambeau_recipe"]["mean"] != metrics["mean"]
    assert metrics["comparison"][0]["flambeau_value"] == metrics["flambeau_recipe"]["mean"]
    assert metrics["recipe"][0] == {"name": "n", "report": "10 (section 1)", "ours": "10", "flambeau": "30",
                                    "why": "more samples, a steadier mean"}
    assert (tmp_path / "toy" / "flambeau_recipe" / "values.png").exists()
    html = (tmp_path / "toy" / "report.html").read_text()
    assert "Flambeau&#x27;s recipe" in html or "Flambeau's recipe" in html


def test_a_figure_needs_a_caption_in_words(tmp_path):
    import matplotlib.pyplot as plt

    from flambeau.experiments.context import RunContext

    ctx = RunContext(tmp_path)
    for caption in ("", "loss_curves", "curves"):
        with pytest.raises(ValueError, match="needs a caption of a few words"):
            ctx.figure(plt.figure(), "loss_curves", caption)
    ctx.figure(plt.figure(), "loss_curves", "training loss against epochs")
    assert ctx.figures[0].caption == "training loss against epochs"


def test_the_rerun_command_names_changed_fields_with_set_or_falls_back_to_the_config_file():
    from dataclasses import replace
    from pathlib import Path

    from flambeau.experiments.runner import _command

    study = registry.get_study("autoencoder-grid")
    tiny = study.config("tiny")
    base = "flambeau run autoencoder-grid --size tiny --seed 3 --out runs"
    assert _command(study, "tiny", 3, Path("runs"), tiny) == base
    changed = replace(tiny, sweep_root="/data/sweeps", n_jobs=2, epoch_scale=0.5)
    assert _command(study, "tiny", 3, Path("runs"), changed) == (
        base + " --set epoch_scale=0.5 --set n_jobs=2 --set \"sweep_root='/data/sweeps'\"")
    for odd in (replace(tiny, overrides=(("lr", 0.1),)), replace(tiny, sweep_root="it's")):
        assert _command(study, "tiny", 3, Path("runs"), odd) == (
            "flambeau run --config runs/autoencoder-grid/config.json")
