"""``flambeau results RUNS [RUNS ...] [--figures DIR] [--link PREFIX] [-o FILE]``: the results page."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "results", help="write the results page (Markdown) from run folders: published numbers beside ours")
    parser.add_argument("roots", nargs="+", metavar="RUNS",
                        help="folders holding study folders (flambeau run) and sweep folders "
                             "(flambeau sweep)")
    parser.add_argument("--figures", metavar="DIR",
                        help="copy the page's figures and grid tables there (e.g. docs/results)")
    parser.add_argument("--link", default="", metavar="PREFIX",
                        help="prefix of the figure links in the page (e.g. results/ for docs/results.md)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the page to FILE (default: stdout)")
    parser.add_argument("--any-size", action="store_true",
                        help="also show --quick and --tiny runs (labelled; by default only full runs count)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    from flambeau.experiments.results import results_page
    from flambeau.files import write_text

    try:
        sizes = ("full", "quick", "tiny") if args.any_size else ("full",)
        page = results_page(args.roots, args.figures, args.link, sizes)
    except FileNotFoundError as error:
        print(f"flambeau results: {error}", file=sys.stderr)
        return 2
    if args.output:
        write_text(args.output, page)
    else:
        sys.stdout.write(page)
    return 0
