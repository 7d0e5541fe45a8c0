"""``flambeau signatures``: an activation-signature study (train, cluster, paths, run folder).

Its configuration options are the fields of ``SignatureConfig``, built from the dataclass: name,
type, number of values, choices (``signatures.config.CHOICES``) and help (the field's entry in the
class docstring), so that a new field is a new option without an edit here. They are added when
this command's arguments are parsed, not when the command line starts: importing
``flambeau.signatures`` loads scikit-learn (seconds), which the other commands do not need.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import types
import typing

ALIASES = {"eps": "lr"}

"""Keyword that ``SignatureConfig`` accepts besides its fields -> the field it stands for; each is
an option too (``--eps``, the course's name for the learning rate; giving both is an error)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "signatures", help="activation signatures of a network (clusters and paths per layer)",
        description="Train a dense network on a few digits, feed it known and unseen digits, "
                    "cluster each hidden layer (k by silhouette), trace each image's path, and "
                    "write runs/signature_<classes>_<n>/ for `flambeau serve`. With --onnx, study "
                    "a network trained elsewhere (PyTorch, Keras...) and exported to ONNX instead.")
    parser.add_argument("--model", default=None, help="saved model (.npz) to study instead of training")
    parser.add_argument("--import", dest="import_files", action="append", default=[], metavar="FILE.py",
                        help="with --model: a Python file defining the model's own layer classes, "
                             "imported first (repeatable)")
    parser.add_argument("--onnx", default=None, metavar="MODEL.onnx",
                        help="ONNX model to study instead of training (needs flambeau[onnx]); it maps "
                             "the images (flat, or shaped as its input says: 1x28x28) to one logit per class")
    parser.add_argument("--layers", nargs="+", default=None, metavar="NODE",
                        help="with --onnx: node names to record (default: every activation node)")
    parser.add_argument("--runs", default="runs", help="parent folder of the run folders")
    parser.add_argument("--preset", default=None, metavar="NAME",
                        help="run a whole experiment instead of one study: report004 writes report 004's "
                             "seven partitions and the anomaly studies (1-vs-7 with 4s and 3s, leave one "
                             "digit out) under RUNS/report004/ (MNIST, 10 seeds; about 45 min on 2 cores)")
    parser.add_argument("--quick", action="store_true",
                        help="with --preset: reduced sizes (USPS, 10 images per class, 2 seeds, PCA maps)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(func=run)
    parser.parse_known_args = _AddingConfigOptions(parser)


def _count_or_all(text: str) -> int | None:
    """``--n-per-class``: a whole number, or ``all`` (None: every image)."""
    if text == "all":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'all', got {text!r}") from None


OPTION_TYPES = {"n_per_class": _count_or_all}
"""Field -> the parser of its option's value, where the field's type does not say it all."""


def run(args) -> int:
    import sys

    from flambeau.files import read_json
    from flambeau.signatures import OnnxModel, run_signatures
    from flambeau.user_code import import_file

    if args.preset or args.quick:
        return _run_preset(args)
    try:
        if args.import_files and not args.model:
            raise ValueError("--import names the files defining the classes of a --model file")
        for path in args.import_files:
            import_file(path)
        if args.onnx and args.model:
            raise ValueError("give --model (a flambeau .npz) or --onnx, not both")
        if args.layers and not args.onnx:
            raise ValueError("--layers names the nodes of an --onnx model")
        config = config_from_args(args)
        model = OnnxModel(args.onnx, args.layers, config.spatial) if args.onnx else args.model
        folder = run_signatures(config, args.runs, model=model, show_progress=not args.no_progress)
    except (ValueError, FileNotFoundError, ImportError) as error:
        print(f"flambeau signatures: {error}", file=sys.stderr)
        return 2
    summary = read_json(folder / "study.json")
    scores = summary["scores"]
    print(f"{summary['name']}: test accuracy {summary['accuracy']:.4f} on {summary['n_known']} images "
          f"(+ {summary['n_anomalies']} anomalies), {summary['seconds']:.1f} s")
    timings = summary.get("timings", {})
    if timings:
        print("  seconds per stage: " + ", ".join(f"{stage} {seconds:.1f}"
                                                  for stage, seconds in timings.items()))
    for layer in summary["layers"]:
        s = scores["layers"][layer["name"]]
        print(f"  {layer['name']:>14}: k = {layer['k']:2d}  NMI {s['nmi']:.3f}  ARI {s['ari']:.3f}  "
              f"purity {s['purity']:.3f}")
    sep = scores["separation"]
    print(f"  classes separate first at: {sep['first_layer']} ({sep['criterion']}, threshold "
          f"{sep['threshold']})")
    for c, v in scores["majority_paths"].items():
        print(f"  class {c}: {100 * v['share']:.1f} % follow its majority path {tuple(v['path'])}")
    for a, info in scores["anomalies"].items():
        last = list(info["routing"].values())[-1]
        shares = ", ".join(f"{k}: {100 * v:.0f} %" for k, v in last.items())
        print(f"  anomaly {a}: last hidden layer routes to {shares}; path entropy "
              f"{info['path_entropy_bits']:.2f} bits over {info['distinct_paths']} paths")
    print(f"run folder: {folder}   (view it: flambeau serve --runs {args.runs})")
    return 0


def _run_preset(args) -> int:
    import sys

    from flambeau.files import read_json
    from flambeau.signatures.presets import run_preset

    try:
        if not args.preset:
            raise ValueError("--quick reduces a --preset; name one: --preset report004")
        given = sorted([name for name in _config_names() if hasattr(args, name)]  # only options given
                       + [name for name in ("model", "onnx", "layers") if getattr(args, name) is not None])
        if given:
            raise ValueError(f"--preset {args.preset} sets every study's configuration itself; drop "
                             + ", ".join("--" + name.replace("_", "-") for name in given))
        folder = run_preset(args.preset, args.runs, quick=args.quick, show_progress=not args.no_progress)
    except (ValueError, FileNotFoundError, ImportError) as error:
        print(f"flambeau signatures: {error}", file=sys.stderr)
        return 2
    summary = read_json(folder / "preset.json")
    print(f"preset {summary['name']}: {len(summary['studies'])} studies in {folder}")
    for study in summary["studies"]:
        print(f"  {study['path']}: accuracy {study['accuracy']:.3f}; {study['separation']}")
    print("  anomaly detection (AUROC / FPR at 95 % TPR, mean over seeds):")
    for row in summary["anomaly_table"]:
        cells = "  ".join(f"{d} {row[d]['auroc']['mean']:.3f}/{row[d]['fpr95']['mean']:.3f}"
                          for d in ("path", "msp", "mahalanobis", "glosh"))
        print(f"    {row['study']} anomaly {row['anomaly']}: {cells}  (path score {row['outcome']})")
    for entry in summary.get("comparison", []):
        print(f"  report 004: {entry['figure']}: {entry['report']}; measured: {entry['measured']}")
    print(f"view them: flambeau serve --runs {args.runs}")
    return 0


def _config_names() -> list[str]:
    from flambeau.signatures.config import SignatureConfig

    return [*(f.name for f in dataclasses.fields(SignatureConfig)), *ALIASES]


# -- the options, from SignatureConfig's fields ----------------------------------------------------
def field_help(cls) -> dict[str, str]:
    """``{field: text}`` from the ``Attributes:`` section of ``cls``'s Google-style docstring
    (one entry per field, continuation lines indented further), reST literals unquoted."""
    section = (cls.__doc__ or "").partition("Attributes:")[2]
    entries, name = {}, None
    for line in section.splitlines():
        entry = re.match(r"^ {8}(\w+): (.*)$", line)
        if entry:
            name = entry[1]
            entries[name] = entry[2]
        elif name and re.match(r"^ {12}\S", line):
            entries[name] += " " + line.strip()
        elif line.strip():
            name = None
    return {k: v.replace("``", "").replace("%", "%%") for k, v in entries.items()}


def _option(name: str, hint, default, help_text: str, choices) -> dict:
    """``add_argument`` keywords for the config field ``name`` of type ``hint``: ``tuple[int, ...]``
    takes one or more values (any number when its default is empty), ``tuple[int, int]`` two,
    ``X | None`` is ``X``, a ``bool`` is ``--name`` / ``--no-name``."""
    args, origin = typing.get_args(hint), typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):  # X | None
        hint = next(a for a in args if a is not type(None))
        args, origin = typing.get_args(hint), typing.get_origin(hint)
    shown = f" (default: {' '.join(map(str, default)) if isinstance(default, tuple) else default})"
    keywords = {"dest": name, "default": argparse.SUPPRESS,
                "help": help_text.rstrip(".") + ("" if default is None or default == () else shown)}
    if hint is bool:
        return {**keywords, "action": argparse.BooleanOptionalAction}
    if name in OPTION_TYPES:
        return {**keywords, "type": OPTION_TYPES[name]}
    if origin is tuple:
        keywords["type"] = args[0]
        keywords["nargs"] = len(args) if Ellipsis not in args else ("*" if default == () else "+")
    else:
        keywords["type"] = hint
    if choices:
        keywords["choices"] = list(choices)
    return keywords


def add_config_options(parser) -> None:
    """One option per ``SignatureConfig`` field (``--n-per-class`` for ``n_per_class``), in a group
    of their own; an option not given leaves the field to the config's default."""
    from flambeau.signatures.config import CHOICES, SignatureConfig

    group = parser.add_argument_group("study configuration (the fields of SignatureConfig)")
    hints, helps = typing.get_type_hints(SignatureConfig), field_help(SignatureConfig)
    defaults = SignatureConfig()
    for field in dataclasses.fields(SignatureConfig):
        name = field.name
        group.add_argument("--" + name.replace("_", "-"), **_option(
            name, hints[name], getattr(defaults, name), helps.get(name, ""), CHOICES.get(name)))
    for alias, name in ALIASES.items():
        text = f"the course's name for --{name}"
        group.add_argument("--" + alias, **_option(alias, hints[name], None, text, None))


class _AddingConfigOptions:
    """``parser.parse_known_args`` that first adds the configuration options (once)."""

    def __init__(self, parser):
        self.parser, self.parse, self.added = parser, parser.parse_known_args, False

    def __call__(self, args=None, namespace=None):
        if not self.added:
            add_config_options(self.parser)
            self.added = True
        return self.parse(args, namespace)


def config_from_args(args):
    """The ``SignatureConfig`` of the options given (the others keep the config's defaults)."""
    from flambeau.signatures.config import SignatureConfig

    names = [*(f.name for f in dataclasses.fields(SignatureConfig)), *ALIASES]
    given = {name: getattr(args, name) for name in names if hasattr(args, name)}
    return SignatureConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in given.items()})

