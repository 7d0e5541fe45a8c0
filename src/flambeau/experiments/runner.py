"""Run studies: ``run_study`` writes ``runs/NAME/{config.json, metrics.json, *.png, report.html}``."""

from __future__ import annotations

import dataclasses
import logging
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tqdm.auto import tqdm

from .. import __version__
from ..files import read_json, write_json
from .context import RunContext
from .registry import all_studies, get_study
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
    """The command that reruns this run; a config that differs from the size's one needs the file."""
    if config != study.config(size):
        return f"flambeau run --config {out / study.name / 'config.json'}"
    return f"flambeau run {study.name} --size {size} --seed {seed} --out {out}"


def run_study(study, size: str = "full", out="runs", seed: int = 0, progress: bool = True,
              config=None, raise_errors: bool = False) -> RunOutcome:
    """Run one study and write its folder ``out/NAME``.

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
    out = Path(out)
    folder = out / study.name
    folder.mkdir(parents=True, exist_ok=True)
    _use_agg_backend()
    ctx = RunContext(folder, int(seed), size, progress)
    record = {"study": study.name, "size": size, "seed": int(seed),
              "config": dataclasses.asdict(config), "flambeau_version": __version__,
              "command": _command(study, size, seed, out, config),
              "started": datetime.now(UTC).isoformat(timespec="seconds")}
    write_json(folder / "config.json", record)
    logger.info("running %s (%s, seed %d) -> %s", study.name, size, seed, folder)
    start = time.perf_counter()
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
    record["elapsed_s"] = round(time.perf_counter() - start, 3)
    metrics["elapsed_s"] = record["elapsed_s"]
    metrics["comparison"] = comparison_rows(study, metrics)
    write_json(folder / "config.json", record)
    write_json(folder / "metrics.json", metrics)
    write_report(folder / "report.html", study, record, metrics, ctx.figures, ctx.tables, ctx.notes)
    return RunOutcome(study, folder, metrics, record)


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
