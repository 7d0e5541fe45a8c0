"""Sweeps: a grid of configurations (TOML) run in parallel, one CSV row per configuration.

A grid file::

    name = "my-grid"
    task = "autoencoder"          # a name of flambeau.experiments.sweep_tasks.TASKS
    metric = "test_mse"           # the number plotted in the summary
    seeds = [0]

    [base]                        # parameters shared by every configuration
    dataset = "mnist"

    [[grid]]                      # one cartesian product; several [[grid]] blocks are unioned
    loss = ["mse"]
    epochs = [10, 20]

With ``trajectory = "epochs"`` (a top-level key), configurations that differ only in ``epochs``
are one job: trained once to the largest value and measured at each value on the way (the task
must be listed in ``sweep_tasks.TRAJECTORIES``); each still gets its own row.

``run_sweep`` runs every configuration not yet finished (resume: rows already ``ok`` in the CSV
are skipped; a trajectory run interrupted halfway resumes from its checkpoint in
``out/checkpoints/``, written after every epoch), with joblib processes on this machine or on a
Dask cluster (``dask="tcp://..."``).
A configuration that raises is recorded with ``status = failed`` and its error; the sweep goes on.
The CSV is rewritten atomically after each finished configuration.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import logging
import time
import tomllib
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm.auto import tqdm

from ..files import save_figure, write_json, write_text

__all__ = ["Grid", "config_id", "expand", "find_grid", "load_grid", "read_results", "run_one", "run_sweep",
           "shipped_grids"]

logger = logging.getLogger("flambeau.experiments.sweep")

_FIRST_COLUMNS = ["config_id", "status", "seconds"]
_TEXT_COLUMNS = {"config_id", "status", "error"}  # never numbers: "5e3065990223" would read as a float


@dataclass(frozen=True)
class Grid:
    """A sweep declared as data (see the module docstring for the TOML form)."""

    name: str
    task: str
    base: dict = field(default_factory=dict)
    grids: tuple = ()
    seeds: tuple = (0,)
    metric: str = ""
    trajectory: str = ""

    def with_base(self, **overrides) -> Grid:
        """The same grid with some base parameters replaced (e.g. a smaller ``n_train``)."""
        return replace(self, base={**self.base, **overrides})

    def scaled(self, key: str, factor: float) -> Grid:
        """The same grid with the numeric values of ``key`` multiplied by ``factor`` (rounded, at
        least 1), e.g. fewer epochs for a quick look; configurations that coincide are merged."""
        def scale(values):
            return sorted({max(1, round(v * factor)) for v in values})
        blocks = tuple({k: scale(v) if k == key else v for k, v in block.items()} for block in self.grids)
        base = {**self.base, key: max(1, round(self.base[key] * factor))} if key in self.base else self.base
        return replace(self, grids=blocks, base=base)


#: The grids shipped with the package (``flambeau sweep NAME`` runs one from any folder).
GRIDS_DIR = Path(__file__).parent / "grids"


def shipped_grids() -> dict[str, Path]:
    """``{name: path}`` of the grids shipped in ``flambeau/experiments/grids/``, sorted by name."""
    return {path.stem: path for path in sorted(GRIDS_DIR.glob("*.toml"))}


def find_grid(spec) -> Path:
    """The grid file that ``spec`` designates: an existing file, else the shipped grid of that name
    (``"autoencoder_mnist_84"``, with or without ``.toml``).

    Raises:
        FileNotFoundError: neither; the message lists the shipped grids.
    """
    path = Path(spec)
    if path.is_file():
        return path
    shipped = shipped_grids()
    name = path.name[:-len(".toml")] if path.name.endswith(".toml") else path.name
    if path.parent == Path(".") and name in shipped:
        return shipped[name]
    listed = ", ".join(shipped) or "none"
    raise FileNotFoundError(f"find_grid: {str(spec)!r} is neither a grid file nor a shipped grid "
                            f"(shipped: {listed})")


def load_grid(path) -> Grid:
    """Read a grid TOML file, or a shipped grid by name (``find_grid``); errors name the file and the
    missing or bad key."""
    path = find_grid(path)
    with open(path, "rb") as f:
        data = tomllib.load(f)
    for key in ("name", "task", "grid"):
        if key not in data:
            raise ValueError(f"load_grid: {path} has no '{key}' entry")
    grids = data["grid"] if isinstance(data["grid"], list) else [data["grid"]]
    for block in grids:
        for key, values in block.items():
            if not isinstance(values, list) or not values:
                raise ValueError(f"load_grid: {path}: grid entry '{key}' must be a non-empty list, "
                                 f"got {values!r}")
    return Grid(name=data["name"], task=data["task"], base=dict(data.get("base", {})),
                grids=tuple(grids), seeds=tuple(data.get("seeds", [0])), metric=data.get("metric", ""),
                trajectory=data.get("trajectory", ""))


def config_id(params: dict) -> str:
    """A stable 12-hex-digit id of a configuration (its parameters as sorted JSON)."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def expand(grid: Grid) -> list[dict]:
    """Every configuration of the grid: ``base`` + one combination + ``seed``, deduplicated."""
    configs, seen = [], set()
    for block in grid.grids or ({},):
        keys = sorted(block)
        for values in itertools.product(*(block[k] for k in keys)):
            for seed in grid.seeds:
                params = {**grid.base, **dict(zip(keys, values, strict=True)), "seed": seed}
                cid = config_id(params)
                if cid not in seen:
                    seen.add(cid)
                    configs.append({"config_id": cid, **params})
    return configs


def run_one(task: str, config: dict) -> dict:
    """Run one configuration; never raises: failures come back as ``status = failed`` rows."""
    from .sweep_tasks import TASKS

    params = {k: v for k, v in config.items() if k != "config_id"}
    start = time.perf_counter()
    row = {"config_id": config["config_id"], **params}
    try:
        if task not in TASKS:
            raise KeyError(f"unknown sweep task {task!r}; known tasks: {sorted(TASKS)}")
        metrics = TASKS[task](**params)
        row.update(metrics)
        row["status"] = "ok"
    except Exception as error:  # recorded, not fatal: the other configurations still run
        row["status"] = "failed"
        row["error"] = f"{type(error).__name__}: {error}"
        logger.debug("configuration %s failed:\n%s", config["config_id"], traceback.format_exc())
    row["seconds"] = round(time.perf_counter() - start, 3)
    return row


def run_group(task: str, configs: list[dict], trajectory: str = "", checkpoints=None) -> list[dict]:
    """Run configurations that differ only in ``trajectory`` as one training run (or, without
    ``trajectory``, the single configuration given); never raises. ``seconds`` of a row is the
    time the shared run took up to its measurement.

    With ``checkpoints`` (a folder), the shared run checkpoints itself there after every epoch
    (``<group id>.npz``) and an interrupted sweep resumes it from there. A value the run could
    not reach (``{"error": ...}``, e.g. training diverged) makes its row ``failed``; the values
    measured before stay ``ok``."""
    if not trajectory:
        return [run_one(task, config) for config in configs]
    from .sweep_tasks import TRAJECTORIES

    start = time.perf_counter()
    common = {k: v for k, v in configs[0].items() if k not in ("config_id", trajectory)}
    rows = [dict(config) for config in configs]
    try:
        key, follow = TRAJECTORIES[task]
        extra = {}
        if checkpoints is not None:
            Path(checkpoints).mkdir(parents=True, exist_ok=True)
            extra["checkpoint"] = Path(checkpoints) / f"{config_id(common)}.npz"
        results = follow(**{key: [c[trajectory] for c in configs]}, **common, **extra)
        for row in rows:
            metrics = dict(results[row[trajectory]])
            row["seconds"] = metrics.pop("seconds", round(time.perf_counter() - start, 3))
            if "error" in metrics:
                row.update(status="failed", error=metrics["error"])
            else:
                row.update(metrics, status="ok")
    except Exception as error:  # recorded, not fatal, as in run_one
        logger.debug("trajectory %s failed:\n%s", [c["config_id"] for c in configs], traceback.format_exc())
        for row in rows:
            row.update(status="failed", error=f"{type(error).__name__}: {error}",
                       seconds=round(time.perf_counter() - start, 3))
    return rows


def _groups(configs: list[dict], trajectory: str) -> list[list[dict]]:
    """Configurations grouped by everything but ``trajectory`` (singletons without it)."""
    if not trajectory:
        return [[c] for c in configs]
    groups: dict[str, list[dict]] = {}
    for config in configs:
        rest = {k: v for k, v in config.items() if k not in ("config_id", trajectory)}
        groups.setdefault(config_id(rest), []).append(config)
    return list(groups.values())


def training_seconds(grid: Grid, rows: list[dict]) -> float:
    """The training time of a sweep's rows, one worker: each run counted once, at its longest
    (configurations sharing a run carry the time up to their own measurement)."""
    group_of = {c["config_id"]: i for i, group in enumerate(_groups(expand(grid), grid.trajectory))
                for c in group}
    longest: dict = {}
    for row in rows:
        seconds = row.get("seconds")
        if isinstance(seconds, (int, float)):
            run = group_of.get(row.get("config_id"), row.get("config_id"))
            longest[run] = max(longest.get(run, 0.0), float(seconds))
    return sum(longest.values())


def _check_trajectory(grid: Grid) -> None:
    if not grid.trajectory:
        return
    from .sweep_tasks import TRAJECTORIES

    followed = TRAJECTORIES.get(grid.task, (None,))[0]
    if followed != grid.trajectory:
        can = f"can follow only {followed!r}" if followed else "cannot share runs"
        raise ValueError(f"run_sweep: grid {grid.name!r} asks for trajectory = {grid.trajectory!r}, "
                         f"but task {grid.task!r} {can}")


def read_results(path) -> list[dict]:
    """Rows of a results CSV (values parsed back to numbers where they are numbers)."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: v if k in _TEXT_COLUMNS else _parse(v) for k, v in row.items()}
                for row in csv.DictReader(f)]


def _parse(text):
    if text is None or text == "":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if text in ("True", "False"):
        return text == "True"
    return text


def _write_results(path: Path, rows: list[dict]) -> None:
    columns = list(_FIRST_COLUMNS)
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    if "error" in columns:  # the error text reads best last
        columns.remove("error")
        columns.append("error")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    write_text(path, buffer.getvalue())


def _iter_joblib(task, groups, trajectory, n_jobs, checkpoints=None):
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    yield from parallel(delayed(run_group)(task, group, trajectory, checkpoints) for group in groups)


def _iter_dask(task, groups, trajectory, address, checkpoints=None):
    from distributed import Client, as_completed

    client = Client(address, set_as_default=False)
    try:
        n = len(groups)
        futures = client.map(run_group, [task] * n, groups, [trajectory] * n, [checkpoints] * n, pure=False)
        for future in as_completed(futures, loop=client.loop):
            yield future.result()
    finally:
        client.close()


def run_sweep(grid: Grid | str | Path, out, n_jobs: int = 2, dask: str | None = None,
              progress: bool = True, retry_failed: bool = True, limit: int | None = None) -> list[dict]:
    """Run a grid and write ``out/results.csv``, ``out/summary.png`` and ``out/summary.json``.

    Args:
        grid: a ``Grid`` or the path of a grid TOML file.
        out: the sweep folder (created; an existing ``results.csv`` there is resumed).
        n_jobs: joblib worker processes (ignored with ``dask``).
        dask: address of a Dask scheduler (``"tcp://127.0.0.1:8786"``) to run on instead.
        progress: show a progress bar over configurations.
        retry_failed: rerun configurations recorded as failed (finished ``ok`` ones never rerun).
        limit: run only the first ``limit`` configurations of the grid (a smoke test).

    Returns:
        All rows of ``results.csv`` (previous and new), in the grid's order, as read back from it.
    """
    grid = load_grid(grid) if isinstance(grid, (str, Path)) else grid
    _check_trajectory(grid)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.csv"
    configs = expand(grid)[:limit]
    done = {row["config_id"]: row for row in read_results(results_path)}
    keep = {"ok"} if retry_failed else {"ok", "failed"}
    todo = [c for c in configs if done.get(c["config_id"], {}).get("status") not in keep]
    logger.info("sweep %s: %d configurations, %d already finished, %d to run%s", grid.name,
                len(configs), len(configs) - len(todo), len(todo), f" on {dask}" if dask else "")
    write_json(out / "grid.json", {"name": grid.name, "task": grid.task, "base": grid.base,
                                   "grids": list(grid.grids), "seeds": list(grid.seeds),
                                   "metric": grid.metric, "trajectory": grid.trajectory})
    rows = done
    if todo:
        groups = _groups(todo, grid.trajectory)
        checkpoints = out / "checkpoints" if grid.trajectory else None
        stream = (_iter_dask(grid.task, groups, grid.trajectory, dask, checkpoints) if dask
                  else _iter_joblib(grid.task, groups, grid.trajectory, n_jobs, checkpoints))
        with tqdm(total=len(todo), desc=f"sweep {grid.name}", unit="config", disable=not progress) as bar:
            for group_rows in stream:
                rows.update((row["config_id"], row) for row in group_rows)
                _write_results(results_path, _ordered(rows, configs))
                bar.update(len(group_rows))
    _write_results(results_path, _ordered(rows, configs))
    ordered = read_results(results_path)  # the table as written: same rows whether run now or before
    _summarise(grid, ordered, out)
    return ordered


def _ordered(rows: dict, configs: list[dict]) -> list[dict]:
    order = [c["config_id"] for c in configs]
    known = [rows[cid] for cid in order if cid in rows]
    return known + [row for cid, row in rows.items() if cid not in set(order)]


def _varied(rows: list[dict]) -> list[str]:
    """Parameters taking more than one value among the rows."""
    skip = set(_FIRST_COLUMNS) | {"error"}
    keys = [k for k in rows[0] if k not in skip] if rows else []
    return [k for k in keys if len({str(r.get(k)) for r in rows}) > 1]


def _summarise(grid: Grid, rows: list[dict], out: Path) -> None:
    ok = [r for r in rows if r.get("status") == "ok"]
    summary = {"name": grid.name, "n_configs": len(rows), "n_ok": len(ok),
               "n_failed": sum(r.get("status") == "failed" for r in rows), "metric": grid.metric}
    metric = grid.metric
    if metric and ok and all(isinstance(r.get(metric), (int, float)) for r in ok):
        best = min(ok, key=lambda r: r[metric])
        summary["best"] = best
        params = [k for k in _varied(ok) if k != metric and k in grid_keys(grid)]
        summary["mean_by_parameter"] = {
            k: {str(v): _mean([r[metric] for r in ok if r.get(k) == v])
                for v in sorted({r.get(k) for r in ok}, key=str)} for k in params}
        if params:
            save_figure(_summary_figure(ok, params, metric, grid.name), out / "summary.png", tight=True)
    write_json(out / "summary.json", summary)


def grid_keys(grid: Grid) -> set[str]:
    keys = {"seed"}
    for block in grid.grids:
        keys.update(block)
    return keys


def _mean(values):
    return sum(values) / len(values) if values else None


def _summary_figure(rows, params, metric, title):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(params), figsize=(3.2 * len(params), 3.2), squeeze=False)
    for ax, key in zip(axes[0], params, strict=True):
        values = sorted({r.get(key) for r in rows}, key=str)
        for i, value in enumerate(values):
            ys = [r[metric] for r in rows if r.get(key) == value]
            ax.scatter([i] * len(ys), ys, s=10, alpha=0.6)
            ax.plot([i - 0.3, i + 0.3], [_mean(ys)] * 2, color="black")
        ax.set_xticks(range(len(values)), [str(v) for v in values])
        ax.set(xlabel=key, ylabel=metric)
    fig.suptitle(f"{title}: {metric} by parameter (bars: means)", fontsize=9)
    fig.tight_layout()
    return fig
