"""``flambeau list``: the registered studies, one line each."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser("list", help="list the studies that 'flambeau run' knows")
    parser.set_defaults(func=run)


def run(args) -> int:
    from flambeau.experiments import all_studies

    studies = all_studies()
    width = max(len(name) for name in studies)
    for name, study in studies.items():
        print(f"{name:<{width}}  {study.summary}")
    return 0
