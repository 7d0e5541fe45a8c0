"""``flambeau sweep GRID [--jobs N | --dask ADDRESS] [--out DIR] [--set KEY=VALUE]``.

``GRID`` is a TOML file or the name of a grid shipped with flambeau (``autoencoder_mnist_84``).
"""

from __future__ import annotations

import logging


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep", help="run a grid of configurations (TOML) in parallel; resumable, one CSV table")
    parser.add_argument("grid", help="grid TOML file, or the name of a shipped grid: "
                        + ", ".join(_shipped_names()))
    parser.add_argument("--out", help="sweep folder (default runs/sweep-<grid name>)")
    parser.add_argument("--jobs", type=int, default=2, help="joblib worker processes (default 2)")
    parser.add_argument("--dask", metavar="ADDRESS", help="run on a Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a base parameter for every configuration (repeatable)")
    parser.add_argument("--no-retry", action="store_true", help="do not rerun failed configurations")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def _shipped_names() -> list[str]:
    from flambeau.experiments.sweep import shipped_grids

    return list(shipped_grids())


def _parse_value(text: str):
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def run(args) -> int:
    from flambeau.experiments.sweep import find_grid, load_grid, run_sweep

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = find_grid(args.grid)
    except FileNotFoundError as error:
        print(f"flambeau sweep: {str(error).removeprefix('find_grid: ')}")
        return 2
    grid = load_grid(path)
    overrides = {}
    for item in args.set:
        if "=" not in item:
            print(f"flambeau sweep: --set expects KEY=VALUE, got {item!r}")
            return 2
        key, value = item.split("=", 1)
        overrides[key.strip()] = _parse_value(value.strip())
    if overrides:
        grid = grid.with_base(**overrides)
    out = args.out or f"runs/sweep-{grid.name}"
    rows = run_sweep(grid, out, n_jobs=args.jobs, dask=args.dask, progress=not args.no_progress,
                     retry_failed=not args.no_retry)
    failed = [r for r in rows if r.get("status") == "failed"]
    print(f"{len(rows)} configurations, {len(rows) - len(failed)} ok, {len(failed)} failed -> "
          f"{out}/results.csv, {out}/summary.png")
    for row in failed[:5]:
        print(f"  failed {row['config_id']}: {row.get('error')}")
    return 0
