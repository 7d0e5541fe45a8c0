"""One results page (Markdown) from run folders: every study, the published numbers, ours with the
report's recipe and with flambeau's, the command, the wall time; report 002's claims on its grid.

The comparison rows are computed again from each run's metrics with the study's current
references (labels, sources and keys as declared now; a quantity the run did not measure reads
n/a); the recipe table is the one the run recorded (what was run).

``results_page(root)`` reads, under ``root`` (one level down, symbolic links followed):

- study folders (``metrics.json`` + ``config.json``, written by ``flambeau run``);
- sweep folders (``results.csv`` + ``grid.json``, written by ``flambeau sweep``).

Every study of ``PAGE_STUDIES`` gets a section, "not run yet" when its folder is missing or was
not run at full size. With ``figures_dir`` the page's figures (the grid's depth curves, one figure
per study) and the grids' CSV tables are copied or drawn there, and linked relative to the page.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..files import read_json, save_figure, write_bytes
from .registry import all_studies
from .report import comparison_rows, format_value

__all__ = ["PAGE_STUDIES", "StudyRun", "SweepRun", "find_runs", "results_page"]

log = logging.getLogger(__name__)

PAGE_STUDIES = ("linear", "nonlinear", "minibatch", "multiclass-usps", "multiclass-datasets", "mnist-mlp",
                "regression", "moons", "cnn", "autoencoder-usps", "autoencoder-fashion",
                "autoencoder-denoise", "autoencoder-grid", "signatures")
"""The studies that reproduce published numbers, in the page's order."""

_KMNIST = ("Kuzushiji-MNIST is not on this machine (no network): `multiclass-datasets` skips its model with "
           "\"data not found\" and says where it looked; put the four IDX files in `$FLAMBEAU_DATA/kmnist` "
           "(or run with `--set download=true` where the network is reachable) to include it.")


@dataclass
class StudyRun:
    """A study's run folder as read back: its record (config.json) and metrics (metrics.json)."""

    folder: Path
    record: dict
    metrics: dict

    @property
    def name(self) -> str:
        return self.record["study"]


@dataclass
class SweepRun:
    """A sweep folder as read back: its grid (grid.json) and rows (results.csv)."""

    folder: Path
    grid: dict
    rows: list = field(default_factory=list)


def find_runs(root) -> tuple[dict[str, StudyRun], list[SweepRun]]:
    """Study runs by name and sweep runs found in ``root``'s sub-folders (one level, links followed)."""
    from .sweep import read_results

    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"results_page: {root} is not a folder of runs")
    studies, sweeps, seen = {}, [], set()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        real = folder.resolve()
        if real in seen:
            continue
        seen.add(real)
        if (folder / "metrics.json").exists() and (folder / "config.json").exists():
            run = StudyRun(folder, read_json(folder / "config.json"), read_json(folder / "metrics.json"))
            studies[run.name] = run
        elif (folder / "results.csv").exists() and (folder / "grid.json").exists():
            grid = read_json(folder / "grid.json")
            sweeps.append(SweepRun(folder, grid, read_results(folder / "results.csv")))
    return studies, sweeps


def _command(record: dict) -> str:
    """The rerun command without its machine-specific folders (``--out``, and ``sweep_root``: a
    study run on sweeps trained apart trains them itself when rerun without it)."""
    command = re.sub(r" --out \S+", "", record.get("command", ""))
    return re.sub(r" --set \"sweep_root='[^']*'\"", "", command).strip()


def _wall_time(metrics: dict, key: str) -> str:
    """A recipe's wall time; for a study of sweeps, their training time (one worker) and the analysis."""
    if "sweep_training_s" not in metrics:
        return _minutes(metrics.get(key))
    return (f"{_minutes(metrics['sweep_training_s'])} of training (its grids' runs one after the other) "
            f"and {_minutes(metrics.get(key))} of analysis")


def _seeds_text(metrics: dict) -> str:
    """How many seeds a recipe ran: its ``repeats``, else the most runs behind one of its published
    quantities (studies that loop over seeds themselves)."""
    repeats = metrics.get("repeats")
    if repeats:
        seeds = repeats["seeds"]
        return f"{repeats['n']} seeds ({seeds[0]}-{seeds[-1]})"
    counts = [row.get("seeds", 1) for row in metrics.get("comparison", [])]
    n = max(counts, default=1)
    return f"{n} seeds" if n > 1 else "1 seed"


def _ours(row: dict, key: str = "ours") -> str:
    """A comparison row's number, formatted here from its raw value (runs of any date read alike);
    the stored text where there is no raw value (a skipped part)."""
    value = row.get(f"{key}_value")
    return row.get(key, "n/a") if value is None else format_value(value)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _within(row: dict) -> str:
    return {True: "yes", False: "no", None: "n/a"}[row.get("within")]


def _minutes(seconds) -> str:
    if not isinstance(seconds, (int, float)):
        return "n/a"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _summary_rows(studies: dict[str, StudyRun], sizes) -> list[list]:
    rows = []
    for name in PAGE_STUDIES:
        run = studies.get(name)
        if run is None or run.record.get("size") not in sizes:
            continue
        label = name if run.record.get("size") == "full" else f"{name} ({run.record.get('size')} run)"
        study = all_studies().get(name)
        for row in comparison_rows(study, run.metrics) if study else run.metrics.get("comparison", []):
            rows.append([label, row["label"], row["reported"], _ours(row), row.get("seeds", 1),
                         _within(row), _ours(row, "flambeau") if "flambeau" in row else ""])
    return rows


def _study_section(name: str, run: StudyRun | None, figures_dir: Path | None, link: str,
                   sizes=("full",)) -> list[str]:
    studies = all_studies()
    study = studies.get(name)
    title = study.title if study else name
    lines = [f"### `{name}`: {title}", ""]
    if study is not None and study.source:
        lines += [f"Reproduces {study.source}.", ""]
    if run is None or run.record.get("size") not in sizes:
        size = "" if run is None else f" (only a {run.record.get('size')} run is there)"
        lines += [f"**Not run yet at full size{size}.** Run: `flambeau run {name}`.", ""]
        return lines
    m, record = run.metrics, run.record
    status = m.get("status", "ok")
    if record.get("size") != "full":
        lines += [f"**A {record.get('size')} run (reduced sizes): not comparable with the published "
                  "numbers.**", ""]
    lines += [f"- Command: `{_command(record)}`",
              f"- Status: {status}" + (f" ({m.get('reason') or m.get('error')})" if status != "ok" else ""),
              f"- Report's recipe: {_seeds_text(m)}; wall time {_wall_time(m, 'report_recipe_elapsed_s')}",
              f"- Wall time in all: {_minutes(m.get('elapsed_s'))} on 2 cores (shared machine, one run)"
              + (" to analyse the sweeps, trained before (`flambeau sweep GRID`, one worker; the command "
                 "above trains them too)" if "sweep_training_s" in m else "")]
    ours = m.get("flambeau_recipe")
    if isinstance(ours, dict):
        lines.append(f"- Flambeau's recipe: {_seeds_text(ours)}; wall time "
                     f"{_wall_time(ours, 'elapsed_s')}. "
                     f"Why: {study.flambeau_reason if study else ''}")
    lines.append("")
    recipe = m.get("recipe") or ([dataclasses.asdict(r) for r in study.recipe] if study is not None else [])
    if recipe:
        has_ours = isinstance(ours, dict)
        header = ["setting", "the report says", "report's recipe (run)"] + (["flambeau's recipe"] if has_ours
                                                                          else []) + ["why (where we chose)"]
        lines += ["Recipe:", ""] + _table(header, [[r["name"], r["report"], r["ours"],
                                                   *([r["flambeau"] or "same"] if has_ours else []), r["why"]]
                                                  for r in recipe])
    comparison = comparison_rows(study, m) if study is not None else m.get("comparison") or []
    if comparison:
        has_ours = isinstance(ours, dict)
        header = ["quantity", "published", "ours, report's recipe", "within our seeds' range"] + \
            (["ours, flambeau's recipe"] if has_ours else []) + ["source"]
        lines += ["Numbers:", ""] + _table(header, [[r["label"], r["reported"], _ours(r), _within(r),
                                                    *([_ours(r, "flambeau")] if has_ours else []),
                                                    r["source"]] for r in comparison])
    lines += _copy_figure(name, run, figures_dir, link)
    return lines


def _copy_figure(name: str, run: StudyRun, figures_dir: Path | None, link: str) -> list[str]:
    """Copy the report's-recipe first figure (if small) next to the page and link it."""
    if figures_dir is None:
        return []
    for fig in run.metrics.get("figures", []):
        source = run.folder / fig["file"] if fig.get("file") else None
        if source is not None and source.exists() and source.stat().st_size <= 250_000:
            target = figures_dir / f"{name}-{Path(fig['file']).name}"
            write_bytes(target, source.read_bytes())
            return [f"![{fig['caption']}]({link}{target.name})", "", f"*{fig['caption']}.*", ""]
    return []


def _mean_image_mse(grid: dict, studies: dict[str, StudyRun]) -> float | None:
    """The grid dataset's mean-image test MSE per pixel: from the autoencoder-grid study's metrics,
    else from the data; None (with a warning) if neither is there."""
    run = studies.get("autoencoder-grid")
    if run is not None and isinstance(run.metrics.get("mean_image_mse_per_pixel"), float):
        return run.metrics["mean_image_mse_per_pixel"]
    from .data import load
    from .spec import StudySkipped

    dataset = grid.get("base", {}).get("dataset", "mnist")
    try:
        X, _, Xt, _ = load(dataset)
    except StudySkipped as missing:  # the page then leaves out the mean-image comparison
        log.warning("results: grid %s: no mean-image baseline (%s); set FLAMBEAU_DATA to a folder "
                    "holding %s", grid.get("name"), missing, dataset)
        return None
    return float(((Xt - X.mean(axis=0, keepdims=True)) ** 2).mean())


def _grid_roles() -> dict[str, str]:
    """The autoencoder-grid study's grids by name, in the page's order, with what each one is."""
    from .studies_autoencoder import AUTOENCODER_GRID

    report, ours = AUTOENCODER_GRID.config("full"), AUTOENCODER_GRID.flambeau_config("full")
    roles = {report.grid: "the report's recipe, as the autoencoder-grid study reads it",
             report.summed_pixels_grid: "the report's recipe read with each image's loss summed over its "
                                        "pixels (the course's losses)",
             ours.grid: "flambeau's recipe"}
    return {Path(file).stem.replace("_", "-"): role for file, role in roles.items() if file}


def _sweep_section(sweep: SweepRun, studies, figures_dir: Path | None, link: str,
                   lr_sweep: SweepRun | None = None, role: str | None = None) -> list[str]:
    from .grid_claims import claims, learnt_nothing
    from .studies_autoencoder import _depth_figure, _mean_by_loss_depth_epochs

    grid, rows = sweep.grid, sweep.rows
    ok = [r for r in rows if r.get("status") == "ok"]
    failed = [r for r in rows if r.get("status") == "failed"]
    base = grid.get("base", {})
    recipe = ", ".join(f"{k} {v}" for k, v in base.items())
    lines = [f"### Grid `{grid['name']}`" + (f": {role}" if role else ""), "",
             f"- Recipe: {recipe}; rates per loss: "
             + ", ".join(sorted({f"{r['loss']} at {r['lr']}" for r in rows if 'lr' in r})),
             f"- Configurations finished: {len(ok)} ok, {len(failed)} failed, of "
             f"{_grid_size(grid)}" + ("" if len(rows) >= _grid_size(grid) else " (still running, or stopped: "
                                      "rerun the same `flambeau sweep` command to resume)"),
             f"- Command: `flambeau sweep {_grid_file(grid['name'])} --jobs 1` (a shipped grid, by name)",
             f"- Training time of the finished configurations (one worker, shared machine): "
             f"{_minutes(_training_seconds(ok))}", ""]
    if failed:
        lines += [f"- Failed: {failed[0].get('error', '')} (and {len(failed) - 1} more)", ""]
    lr_rows = lr_sweep.rows if lr_sweep is not None else []
    if lr_sweep is not None:
        lr_ok = sum(r.get("status") == "ok" for r in lr_rows)
        name = lr_sweep.grid["name"]
        lines += [f"- The rates swapped (grid `{name}`, `{_grid_file(name)}`): {lr_ok} ok, "
                  f"{len(lr_rows) - lr_ok} failed, of {_grid_size(lr_sweep.grid)}", ""]
    baseline = _mean_image_mse(grid, studies)
    if baseline is not None and ok:
        nothing = learnt_nothing(ok, baseline)
        lines += [f"The mean training image scores {baseline:.4f} test MSE per pixel; {nothing} of the "
                  f"{len(ok)} "
                  "finished networks are at or above that level (no better than the mean image, whatever the "
                  "input).", ""]
    verdicts = claims(rows, baseline, lr_rows=lr_rows)
    lines += ["Report 002's claims (sections 4.1-4.2), on pairs of configurations differing in that axis "
              "only:", ""]
    lines += _table(["axis", "claim", "verdict", "evidence"],
                    [[v["axis"], v["claim"], v["verdict"], v["evidence"]] for v in verdicts])
    if figures_dir is not None:
        target = figures_dir / f"{grid['name']}.csv"
        write_bytes(target, (sweep.folder / "results.csv").read_bytes())
        lines += [f"Every configuration: [{target.name}]({link}{target.name}).", ""]
        if lr_sweep is not None:
            other = figures_dir / f"{lr_sweep.grid['name']}.csv"
            write_bytes(other, (lr_sweep.folder / "results.csv").read_bytes())
            lines += [f"The rates swapped: [{other.name}]({link}{other.name}).", ""]
        by_depth = _mean_by_loss_depth_epochs(ok)
        if by_depth:
            png = figures_dir / f"{grid['name']}-depth.png"
            save_figure(_depth_figure(by_depth, baseline), png, dpi=80, tight=True)
            caption = ("mean test MSE per pixel against epochs, one line per encoder depth, one panel per "
                       "training loss; dashed: the mean image")
            lines += [f"![{caption}]({link}{png.name})", "", f"*{grid['name']}: {caption}.*", ""]
        lines += _outputs_figure(studies.get("autoencoder-denoise"), grid, figures_dir, link)
    return lines


_SHARED_RECIPE = {"activation": None, "init": None, "rule": None, "reduction": None, "features": "sum"}
"""What a grid's networks and ``autoencoder-denoise``'s must share to be the same networks, with
the default of a key a run or grid leaves out (None: none)."""


def _outputs_figure(run: StudyRun | None, grid: dict, figures_dir: Path, link: str) -> list[str]:
    """What a grid's networks output: the denoising figure of ``autoencoder-denoise``, whose
    report's-recipe networks are two of the grid's (MSE, 8 encoder layers, 20 epochs, batch 32,
    bottleneck 16 and 32) when both ran the same recipe."""
    if run is None or run.record.get("size") != "full":
        return []
    config, base = run.record.get("config", {}), grid.get("base", {})
    if any(config.get(k, default) != base.get(k, default) for k, default in _SHARED_RECIPE.items()):
        return []
    for fig in run.metrics.get("figures", []):
        source = run.folder / fig["file"] if fig.get("file") else None
        if fig["caption"].startswith("denoising") and source is not None and source.exists():
            target = figures_dir / f"{run.name}-{source.name}"  # the file the study's own section links
            write_bytes(target, source.read_bytes())
            caption = ("what two of these networks output (MSE, 8 encoder layers, 20 epochs, batch 32, "
                       "bottleneck 16 and 32, trained by `autoencoder-denoise` with the same recipe): "
                       + fig["caption"])
            return [f"![{caption}]({link}{target.name})", "", f"*{caption}.*", ""]
    return []


def _grid_size(grid: dict) -> int:
    from .sweep import Grid, expand

    return len(expand(Grid(name=grid["name"], task=grid["task"], base=grid.get("base", {}),
                           grids=tuple(grid.get("grids", ())), seeds=tuple(grid.get("seeds", (0,))))))


def _grid_file(name: str) -> str:
    """The shipped grid's file stem (``flambeau sweep`` takes it as the grid's name)."""
    return name.replace("-", "_")


def _training_seconds(rows) -> float:
    """Sum over training runs (a trajectory's rows share one run: its longest row counts)."""
    longest = {}
    for r in rows:
        key = tuple(r.get(k) for k in ("loss", "batch_size", "latent", "steps", "seed"))
        longest[key] = max(longest.get(key, 0.0), r.get("seconds") or 0.0)
    return sum(longest.values())


def results_page(roots, figures_dir=None, link: str = "", sizes=("full",)) -> str:
    """The Markdown page for the runs under ``roots``.

    Args:
        roots: a folder (or a list of folders) holding study folders and sweep folders.
        figures_dir: where to copy figures and grid tables (created); None: no figures.
        link: prefix of figure links in the page (e.g. ``"results/"`` for ``docs/results.md``).
        sizes: run sizes shown (others count as "not run yet"); reduced sizes are labelled.
    """
    studies, sweeps = {}, []
    for root in [roots] if isinstance(roots, (str, Path)) else list(roots):
        found, more = find_runs(root)
        studies.update(found)
        sweeps += more
    figures_dir = None if figures_dir is None else Path(figures_dir)
    if figures_dir is not None:
        figures_dir.mkdir(parents=True, exist_ok=True)
    done = [n for n in PAGE_STUDIES if n in studies and studies[n].record.get("size") in sizes]
    lines = ["# Results: the reports' numbers, reproduced", "",
             "Generated by `flambeau results` from the run folders' `metrics.json` (do not edit by hand; "
             "rerun the command). Each study runs the **report's recipe** first (its architecture, units, "
             "learning rate, batch, epochs, and the course's summed gradient, `reduction=\"sum\"`, "
             "unless the "
             "report shows another convention: each recipe table says which), over "
             "several seeds where the report trusted one draw; then, where ours does better and labelled "
             "as such, **flambeau's recipe**, with the reason. Numbers over seeds read mean ± std "
             "[min, max]; "
             "'within' says whether the published number lies between our lowest and highest seed.", "",
             "Wall times are measured on 2 cores shared with other jobs (shared machine, one run): "
             "compare them with each other, not with another machine.", "",
             f"Studies run ({', '.join(sizes)} size): {len(done)} of {len(PAGE_STUDIES)}"
             + (f"; not run yet: {', '.join(n for n in PAGE_STUDIES if n not in done)}." if len(done) <
                len(PAGE_STUDIES) else "."), "", _KMNIST, "",
             "## Summary", ""]
    lines += _table(["study", "quantity", "published", "ours, report's recipe", "seeds", "within",
                     "ours, flambeau's recipe"], _summary_rows(studies, sizes))
    lines += ["## Report 002's 84 autoencoders: the claims, axis by axis", "",
              "Report 002 does not say whether an image's loss sums or averages its 784 pixels; its values "
              "are per pixel. The autoencoder-grid study reads them averaged (its report's recipe); summed "
              "(the course's losses), every step of its learning rates is 784 times larger. Both readings "
              "ran, each on the 84 configurations and on its rates swapped. A pair of configurations whose "
              "two networks both stay at the mean image's error says nothing about its axis: such pairs "
              "are left out of the verdicts, and counted.", ""]
    if not sweeps:
        lines += ["No sweep folder found: run "
                  "`flambeau sweep autoencoder_mnist_84_report_pixel_mean --jobs 1` (the report's recipe), "
                  "`flambeau sweep autoencoder_mnist_84_report_pixel_mean_lr --jobs 1` "
                  "(its rates swapped), `flambeau sweep autoencoder_mnist_84_report --jobs 1` (the report's "
                  "recipe with each image's loss summed over its pixels) and `flambeau sweep "
                  "autoencoder_mnist_84` (flambeau's).", ""]
    by_name, roles = {s.grid["name"]: s for s in sweeps}, _grid_roles()
    for sweep in sorted(sweeps, key=lambda s: (list(roles).index(s.grid["name"]) if s.grid["name"] in roles
                                               else len(roles), s.grid["name"])):
        if sweep.grid["name"].endswith("-lr") and sweep.grid["name"][:-3] in by_name:
            continue  # the rates swapped: read with its grid
        lines += _sweep_section(sweep, studies, figures_dir, link, by_name.get(f"{sweep.grid['name']}-lr"),
                                roles.get(sweep.grid["name"]))
    lines += ["## Every study", ""]
    for name in PAGE_STUDIES:
        lines += _study_section(name, studies.get(name), figures_dir, link, sizes)
    return "\n".join(lines).rstrip() + "\n"
