"""``flambeau check student.py``: check every Module and Loss class of a student's file."""

from __future__ import annotations

_EPILOG = """\
examples:
  flambeau check student.py --args "Linear=(3, 4), Conv1D=(3, 2, 4, 2), MaxPool1D=(2, 2)"
  flambeau check student.py --input-shape "TanH=(5, 6)" --failures
  flambeau check student.py --args "Linear=(3, 4)" --json results.json   # Gradescope's format

exit status: 0 when every check passes, 1 when a check fails (or the file does not import, or a
class cannot be built), 2 for a wrong command line."""


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "check", help="check a student's modules and losses against the course contract",
        description="Import FILE, build every class it defines that derives from Module or Loss, and "
                    "check each one: forward, backward_delta and backward_update_gradient against "
                    "finite differences (alone and behind a Linear), accumulation (+=), zero_grad, "
                    "update_parameters, no argument modified, and agreement with flambeau's class of "
                    "the same name on the same weights. One PASS/FAIL line per check, naming the "
                    "method at fault, the worst entry, the expected and the obtained value.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE.py", help="the student's Python file")
    parser.add_argument("--args", action="append", default=[], metavar="'NAME=(...)'",
                        help="constructor arguments per class, as Python literals: \"Linear=(3, 4)\" "
                             "(positional), \"Conv1D={'k_size': 3, 'chan_in': 1, 'chan_out': 4}\" "
                             "(keywords); several separated by commas, or repeat the option. "
                             "Classes not named are built with their defaults")
    parser.add_argument("--input-shape", action="append", default=[], metavar="'NAME=(batch, ...)'",
                        help="input shape of a class, batch axis first (for a loss: the predictions' "
                             "shape), e.g. \"TanH=(5, 6)\"; a bare \"(5, 6)\" applies to every class not "
                             "named. Default: inferred from the parameters and attributes")
    parser.add_argument("--seed", type=int, default=0, help="seeds the inputs, delta and the entries checked")
    parser.add_argument("--strict", action="store_true",
                        help="also check the library's own obligations: dtypes kept, backward passes "
                             "using the input they are given, save/load")
    parser.add_argument("--failures", action="store_true", help="print only the failed checks")
    parser.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                        help="write the result as an autograder's JSON (Gradescope's results.json: a "
                             "score per check and a total) to FILE, or to stdout without FILE")
    parser.set_defaults(func=run)


def _assignments(texts, option):
    from flambeau.check import parse_assignments

    values = {}
    for text in texts:
        for name, value in parse_assignments(text, option).items():
            if name in values:
                raise ValueError(f"{option}: {name} is given twice")
            values[name] = value
    return values


def _shapes(values):
    shapes = {}
    for name, value in values.items():
        shape = value if isinstance(value, (tuple, list)) else (value,)
        if not shape or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
            raise ValueError(f"--input-shape: {name if name != '*' else 'the shape'} must be a tuple of "
                             f"positive ints with the batch axis first, e.g. (5, 3), got {value!r}")
        shapes[name] = tuple(shape)
    return shapes


def _print(result, failures_only: bool) -> None:
    if not failures_only:
        print(result)
        return
    for checked in result.classes:
        if checked.passed:
            continue
        if checked.report is None:
            print(checked)
            continue
        print(str(checked).splitlines()[0])
        for line in str(checked.report).splitlines():
            if line.startswith("FAIL"):
                print(line)
    print(result.summary())


def run(args) -> int:
    import os
    import sys

    os.environ.setdefault("MPLBACKEND", "Agg")  # a student's file that plots must not open windows
    from flambeau.check import check_file
    from flambeau.files import dumps, write_text

    try:
        result = check_file(args.file, args=_assignments(args.args, "--args"),
                            input_shapes=_shapes(_assignments(args.input_shape, "--input-shape")),
                            seed=args.seed, strict=args.strict)
    except (ValueError, FileNotFoundError) as error:
        print(f"flambeau check: {error}", file=sys.stderr)
        return 2
    if args.json == "-":
        print(dumps(result.as_json()))
    else:
        _print(result, args.failures)
        if args.json is not None:
            write_text(args.json, dumps(result.as_json()) + "\n")
            print(f"autograder results: {args.json}")
    return 0 if result.passed else 1
