"""Run studies: ``run_study`` writes ``runs/NAME/{config.json, metrics.json, *.png, report.html}``."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .. import __version__
from ..files import dumps_exact, loads_exact, read_json, write_json, write_text
from .context import RunContext
from .registry import all_studies, get_study
from .repeats import merge_runs
from .report import comparison_rows, write_index, write_report
from .spec import Study, StudySkipped

__all__ = ["RunOutcome", "run_all", "run_from_config", "run_study"]

logger = logging.getLogger("flambeau.experiments")


@dataclass
class RunOutcome:
    """What ``run_study`` produced: the folder, the metrics and the run record (config.json)."""

    study: Study
    folder: Path
    metrics: dict
    record: dict

    @property
    def status(self) -> str:
        return self.metrics.get("status", "ok")


def _use_agg_backend() -> None:
    import matplotlib

    matplotlib.use("Agg")


def _command(study: Study, size: str, seed: int, out: Path, config) -> str:
    """The command that reruns this run: the size's config with ``--set`` for the fields that
    differ, or ``--config`` with the run's file where a differing value has no short TOML form."""
    changed = _set_options(study.config(size), config)
    if changed is None:
        return f"flambeau run --config {out / study.name / 'config.json'}"
    return " ".join([f"flambeau run {study.name} --size {size} --seed {seed} --out {out}", *changed])


def _set_options(default, config) -> list[str] | None:
    """``--set FIELD=VALUE`` (shell-quoted TOML) for each field of ``config`` that differs from
    ``default``; None if a value is not a boolean, a finite number or a plain string."""
    options = []
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if value == getattr(default, field.name):
            continue
        if isinstance(value, bool):
            options.append(f"--set {field.name}={str(value).lower()}")
        elif isinstance(value, (int, float)) and math.isfinite(value):
            options.append(f"--set {field.name}={value!r}")
        elif isinstance(value, str) and not set(value) & set("'\"$`\\\n"):
            options.append(f"--set \"{field.name}='{value}'\"")
        else:
            return None
    return options


def run_study(study, size: str = "full", out="runs", seed: int = 0, progress: bool = True,
              config=None, raise_errors: bool = False) -> RunOutcome:
    """Run one study and write its folder ``out/NAME``.

    The report's recipe runs first (``config``), then flambeau's recipe if the study has one
    (its figures in ``out/NAME/flambeau_recipe/``, its metrics under ``"flambeau_recipe"``).
    A config with ``repeats = k`` runs each recipe with seeds ``seed .. seed + k - 1``
    (later seeds' files in ``repeats/seed_N/``) and merges the metrics (``repeats.merge_runs``);
    run again after an interruption, it takes the later seeds already finished from their
    ``repeats/seed_N/seed.json`` (same config, size and version) instead of running them again.

    Args:
        study: a ``Study`` or its name.
        size: ``"tiny"``, ``"quick"`` or ``"full"`` (selects the config unless ``config`` is given).
        out: parent folder of the run folder.
        seed: master seed; the run is reproducible from ``config.json``.
        progress: show progress bars.
        config: a config dataclass overriding the size's one (e.g. rebuilt from config.json).
        raise_errors: re-raise a failing study's exception instead of recording it.

    Returns:
        ``RunOutcome``; ``metrics["status"]`` is ``"ok"``, ``"skipped"`` (with ``reason``) or
        ``"failed"`` (with ``error``).
    """
    if isinstance(study, str):
        study = get_study(study)
    config = study.config(size) if config is None else config
    ours = study.flambeau_config(size, config)
    out = Path(out)
    folder = out / study.name
    folder.mkdir(parents=True, exist_ok=True)
    _use_agg_backend()
    record = {"study": study.name, "size": size, "seed": int(seed),
              "config": dataclasses.asdict(config), "flambeau_version": __version__,
              "command": _command(study, size, seed, out, config),
              "started": datetime.now(UTC).isoformat(timespec="seconds")}
    if ours is not None:
        record["flambeau_config"] = dataclasses.asdict(ours)
    write_json(folder / "config.json", record)
    logger.info("running %s (%s, seed %d) -> %s", study.name, size, seed, folder)
    start = time.perf_counter()
    metrics, ctx = _run_recipe(study, config, folder, int(seed), size, progress, raise_errors)
    figures, tables, notes = ctx.figures, ctx.tables, ctx.notes
    metrics["report_recipe_elapsed_s"] = round(time.perf_counter() - start, 3)
    extra = None
    if ours is not None and metrics.get("status") == "ok":
        logger.info("%s: flambeau's recipe", study.name)
        middle = time.perf_counter()
        theirs, extra = _run_recipe(study, ours, folder / "flambeau_recipe", int(seed), size, progress,
                                    raise_errors)
        theirs["elapsed_s"] = round(time.perf_counter() - middle, 3)
        theirs["figures"] = _figure_list(extra, folder)
        metrics["flambeau_recipe"] = theirs
    record["elapsed_s"] = round(time.perf_counter() - start, 3)
    metrics["elapsed_s"] = record["elapsed_s"]
    metrics["recipe"] = [dataclasses.asdict(row) for row in study.recipe]
    metrics["figures"] = _figure_list(ctx, folder)
    metrics["comparison"] = comparison_rows(study, metrics)
    for row in metrics["comparison"]:  # top-level published quantities, by name (report_recipe_<key>)
        if "." not in row["key"] and row["ours_value"] is not None:
            metrics[f"report_recipe_{row['key']}"] = row["ours_value"]
    write_json(folder / "config.json", record)
    write_json(folder / "metrics.json", metrics)
    write_report(folder / "report.html", study, record, metrics, figures, tables, notes,
                 flambeau=None if extra is None else (extra.figures, extra.tables, extra.notes))
    return RunOutcome(study, folder, metrics, record)


def _figure_list(ctx: RunContext, folder: Path) -> list[dict]:
    """``[{"file": path relative to the run folder, "caption": ...}]`` of the figures a run kept."""
    found = []
    for fig in ctx.figures:
        path = Path(fig.path) if fig.path is not None else None
        inside = path is not None and path.resolve().is_relative_to(folder.resolve())
        found.append({"file": path.resolve().relative_to(folder.resolve()).as_posix() if inside else None,
                      "caption": fig.caption})
    return found


def _run_recipe(study: Study, config, folder: Path, seed: int, size: str, progress: bool,
                raise_errors: bool) -> tuple[dict, RunContext]:
    """Run ``config`` ``repeats`` times (seeds ``seed``, ``seed + 1``...); returns the merged
    metrics and the first run's context (its figures, tables and notes)."""
    repeats = int(getattr(config, "repeats", 1))
    if repeats < 1:
        raise ValueError(f"run_study: {study.name}: repeats must be >= 1, got {repeats}")
    runs, first = [], None
    for k in range(repeats):
        where = folder if k == 0 else folder / "repeats" / f"seed_{seed + k}"
        where.mkdir(parents=True, exist_ok=True)
        ctx = RunContext(where, seed + k, size, progress, repeat=k)
        first = first or ctx
        metrics = _finished_seed(where, config, seed + k, size) if k else None
        if metrics is not None:
            logger.info("%s: seed %d already done in %s (%d/%d)", study.name, seed + k, where, k + 1, repeats)
        else:
            metrics = _attempt(study, config, ctx, raise_errors)
            if k and metrics["status"] == "ok":
                _record_seed(where, config, seed + k, size, metrics)
        runs.append(metrics)
        if metrics["status"] != "ok":
            return metrics, first
        logger.info("%s: seed %d done (%d/%d)", study.name, seed + k, k + 1, repeats)
    merged = merge_runs(runs) if repeats > 1 else runs[0]
    if repeats > 1:
        merged["repeats"] = {"n": repeats, "seeds": list(range(seed, seed + repeats))}
    return merged, first


# A study of several seeds resumes: every seed after the first leaves its metrics in
# ``repeats/seed_N/seed.json`` beside the config it ran, and a rerun of the same config at the same
# size takes them from there (the first seed always runs: its figures and tables make the report).
SEED_RECORD = "seed.json"


def _seed_key(config, seed: int, size: str) -> dict:
    return _native({"config": dataclasses.asdict(config), "seed": int(seed), "size": size,
                    "flambeau_version": __version__})


def _record_seed(where: Path, config, seed: int, size: str, metrics: dict) -> None:
    write_text(where / SEED_RECORD, dumps_exact({**_seed_key(config, seed, size),
                                                 "metrics": _native(metrics)}) + "\n")


def _finished_seed(where: Path, config, seed: int, size: str) -> dict | None:
    """The metrics a previous run of this seed left (same config, seed, size, version), or None."""
    try:
        record = loads_exact((where / SEED_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    key = _seed_key(config, seed, size)
    if not isinstance(record, dict) or any(record.get(name) != value for name, value in key.items()):
        return None
    metrics = record.get("metrics")
    return metrics if isinstance(metrics, dict) and metrics.get("status") == "ok" else None


def _native(value):
    """NumPy scalars and arrays as Python numbers and lists, tuples as lists (NaN kept)."""
    if isinstance(value, dict):
        return {str(k): _native(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_native(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return _native(value.tolist())
    return str(value) if isinstance(value, Path) else value


def _attempt(study: Study, config, ctx: RunContext, raise_errors: bool) -> dict:
    """``study.run(config, ctx)`` with its status: ok, skipped (with reason), failed (with error)."""
    try:
        metrics = dict(study.run(config, ctx))
        metrics.setdefault("status", "ok")
    except StudySkipped as skip:
        logger.warning("%s skipped: %s", study.name, skip)
        metrics = {"status": "skipped", "reason": str(skip)}
    except Exception as error:  # a failing study is recorded, the others still run
        if raise_errors:
            raise
        logger.exception("%s failed", study.name)
        metrics = {"status": "failed", "error": f"{type(error).__name__}: {error}",
                   "traceback": traceback.format_exc()}
    return metrics


def run_from_config(path, out=None, progress: bool = True) -> RunOutcome:
    """Rerun a study from a ``config.json`` written by ``run_study`` (same config, same seed)."""
    record = read_json(path)
    study = get_study(record["study"])
    config = study.config_from_dict(record["config"])
    out = Path(path).resolve().parent.parent if out is None else out
    return run_study(study, record["size"], out, record["seed"], progress, config)


def run_all(size: str = "full", out="runs", seed: int = 0, progress: bool = True,
            names=None) -> list[RunOutcome]:
    """Run every registered study (or ``names``) and write ``out/index.html`` linking the reports."""
    names = list(all_studies()) if names is None else list(names)
    outcomes = []
    for name in tqdm(names, desc="studies", unit="study", disable=not progress):
        outcomes.append(run_study(name, size, out, seed, progress))
    entries = [{"name": o.study.name, "title": o.study.title, "status": o.status,
                "reason": o.metrics.get("reason") or o.metrics.get("error", ""),
                "elapsed_s": o.record.get("elapsed_s", 0.0), "size": size} for o in outcomes]
    write_index(Path(out) / "index.html", entries)
    write_json(Path(out) / "index.json", entries)
    return outcomes
