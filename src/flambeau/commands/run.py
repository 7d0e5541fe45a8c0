"""``flambeau run NAME|all [--quick|--tiny] [--out runs] [--seed N]``: reproduce a study."""

from __future__ import annotations

import logging


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a study (or 'all') and write runs/NAME/ with metrics, figures and report.html")
    parser.add_argument("name", nargs="?", help="study name (see 'flambeau list'), or 'all'")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick",
                      help="reduced sizes and epochs (all studies in minutes)")
    size.add_argument("--tiny", dest="size", action="store_const", const="tiny",
                      help="smallest sizes (seconds; used by the test suite)")
    size.add_argument("--size", choices=("tiny", "quick", "full"), help="explicit size")
    parser.add_argument("--out", default="runs", help="parent folder of the run folders (default runs)")
    parser.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    parser.add_argument("--config", help="rerun from a config.json written by an earlier run")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a config field of the chosen size (TOML value, repeatable), "
                             "e.g. --set epochs=5")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run, size=None)


def run(args) -> int:
    from flambeau.experiments import get_study, run_all, run_from_config, run_study

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    progress = not args.no_progress
    if args.config:
        outcomes = [run_from_config(args.config, progress=progress)]
    elif not args.name:
        print("flambeau run: give a study name or 'all' (see 'flambeau list')")
        return 2
    elif args.name == "all":
        outcomes = run_all(args.size or "full", args.out, args.seed, progress)
        print(f"index: {args.out}/index.html")
    else:
        try:
            study = get_study(args.name)
        except KeyError as error:
            print(f"flambeau run: {error.args[0]}")
            return 2
        size = args.size or "full"
        try:
            config = _override(study.config(size), args.set)
        except ValueError as error:
            print(f"flambeau run: {error}")
            return 2
        outcomes = [run_study(study, size, args.out, args.seed, progress, config)]
    for outcome in outcomes:
        _print_outcome(outcome)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _override(config, items):
    """``config`` with ``FIELD=VALUE`` items applied (values parsed as TOML, lists become tuples)."""
    import dataclasses
    import tomllib

    fields = {f.name for f in dataclasses.fields(config)}
    changes = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in fields:
            raise ValueError(f"--set expects FIELD=VALUE with FIELD one of {sorted(fields)}, got {item!r}")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        changes[name] = tuple(value) if isinstance(value, list) else value
    return dataclasses.replace(config, **changes)


def _print_outcome(outcome) -> None:
    status = outcome.status
    detail = outcome.metrics.get("reason") or outcome.metrics.get("error") or ""
    print(f"{outcome.study.name}: {status}{' (' + detail + ')' if detail else ''} "
          f"in {outcome.record['elapsed_s']:.1f} s -> {outcome.folder / 'report.html'}")
    for row in outcome.metrics.get("comparison", []):
        ours = f" | flambeau's recipe {row['flambeau']}" if "flambeau" in row else ""
        print(f"    {row['label']}: report's recipe {row['ours']}{ours} | published {row['reported']}")
