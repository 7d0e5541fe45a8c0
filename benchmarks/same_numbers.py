"""Same numbers before and after a change: the module database's outputs and gradients, a run's metrics.

    python benchmarks/same_numbers.py modules OUT.npz [--database SRC/flambeau]
    python benchmarks/same_numbers.py compare A.npz B.npz
    python benchmarks/same_numbers.py metrics A/metrics.json B/metrics.json

``modules`` runs every case of the module database (``flambeau.testing``, two seeds) and writes,
per case: the initial parameters, the forward output, the input gradient and the parameter
gradients for a fixed random ``delta``, and ``flambeau.gradcheck``'s relative errors; per loss
case: the losses and their gradient. ``compare`` tells, per quantity, how many arrays are
bit-identical and the largest difference of the others. ``metrics`` compares the numbers of two
``metrics.json`` of ``flambeau run`` (timings and paths left out).

To run an older checkout's code on this checkout's database (the database is newer than the code
it checks), put the older ``src`` first and name this one's package:
``PYTHONPATH=OLD/src python benchmarks/same_numbers.py modules old.npz --database src/flambeau``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys

import numpy as np

SEEDS = (0, 1)
LEFT_OUT = ("time", "seconds", "elapsed", "folder", "created")


def _database(package_dir: str | None):
    """``(MODULE_CASES, LOSS_CASES)``, from ``package_dir``'s ``testing`` when given."""
    import flambeau

    if package_dir:
        module, gradcheck = sys.modules["flambeau.module"], sys.modules["flambeau.gradcheck"]
        # names the database's own modules import that an older flambeau lacks: only their
        # presence matters, the numbers written come from forward, backward and gradcheck
        for owner, name, value in ((module, "own_arrays", None), (module, "SINGLE", "param"),
                                   (module, "LOSSES", {}), (gradcheck, "compare", None),
                                   (gradcheck, "pick_entries", None), (gradcheck, "numeric_gradient", None)):
            if not hasattr(owner, name):
                setattr(owner, name, value)
        flambeau.__path__.append(package_dir)  # found only where the code under test has no such module
    from flambeau.testing.cases import LOSS_CASES, MODULE_CASES

    return MODULE_CASES, LOSS_CASES


def module_numbers(package_dir: str | None = None) -> dict[str, np.ndarray]:
    """``{"<case>/s<seed>/<quantity>/<name>": array}`` for every case of the database."""
    import flambeau
    from flambeau.layers import Identity
    from flambeau.losses import MSELoss

    gradcheck = sys.modules["flambeau.gradcheck"].gradcheck
    module_cases, loss_cases = _database(package_dir)
    print(f"flambeau from {flambeau.__file__}; {len(module_cases)} module and {len(loss_cases)} loss cases")
    arrays = {}
    for case in module_cases:
        for seed in SEEDS:
            key, module, X = f"{case.id}/s{seed}", case.instantiate(seed), case.draw_input(seed)
            arrays.update({f"{key}/init/{n}": p.copy() for n, p in module.parameters().items()})
            fresh = copy.deepcopy(module)
            Y = np.asarray(module.forward(X))
            delta = np.random.default_rng([seed, 99]).normal(size=Y.shape)
            module.backward_update_gradient(X, delta)
            arrays[f"{key}/Y"], arrays[f"{key}/dX"] = Y, np.asarray(module.backward_delta(X, delta))
            arrays.update({f"{key}/grad/{n}": g.copy() for n, g in module.gradients().items()})
            y = np.random.default_rng([seed, 13]).normal(size=Y.shape)
            errors = gradcheck(fresh, MSELoss(), X, y, seed=seed)
            arrays.update({f"{key}/gradcheck/{n}": np.float64(e) for n, e in errors.items()})
    for case in loss_cases:
        for seed in SEEDS:
            key, loss, (y, yhat) = f"{case.id}/s{seed}", case.instantiate(seed), case.draw_data(seed)
            arrays[f"{key}/loss"], arrays[f"{key}/dyhat"] = loss.forward(y, yhat), loss.backward(y, yhat)
            errors = gradcheck(Identity(), loss, yhat, y, seed=seed)
            arrays.update({f"{key}/gradcheck/{n}": np.float64(e) for n, e in errors.items()})
    return arrays


def compare_arrays(path_a: str, path_b: str) -> bool:
    """Print, per quantity, the arrays that are bit-identical; True when all are."""
    a, b = np.load(path_a), np.load(path_b)
    if sorted(a.files) != sorted(b.files):
        print("different entries:", sorted(set(a.files) ^ set(b.files)))
        return False
    table: dict[str, list] = {}
    for name in a.files:
        x, y = a[name], b[name]
        same = x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)
        diff = 0.0 if same or x.shape != y.shape else float(np.abs(x.astype(float) - y.astype(float)).max())
        row = table.setdefault(name.split("/")[2], [0, 0, 0.0])
        row[0], row[1], row[2] = row[0] + 1, row[1] + same, max(row[2], diff)
    print(f"{'quantity':<10} {'arrays':>7} {'bit-identical':>14} {'max |diff|':>11}")
    for quantity, (n, identical, worst) in sorted(table.items()):
        print(f"{quantity:<10} {n:>7} {identical:>14} {worst:>11.3g}")
    return all(n == identical for n, identical, _ in table.values())


def _leaves(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list) and not all(isinstance(v, (int, float)) for v in value):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def compare_metrics(path_a: str, path_b: str) -> bool:
    """Print the values of two JSON files that differ (timings and paths left out)."""
    with open(path_a, encoding="utf-8") as fa, open(path_b, encoding="utf-8") as fb:
        a, b = dict(_leaves(json.load(fa))), dict(_leaves(json.load(fb)))
    kept = [k for k in a.keys() | b.keys() if not any(word in k for word in LEFT_OUT)]
    differ = sorted(k for k in kept if a.get(k, "(absent)") != b.get(k, "(absent)"))
    for key in differ:
        print(f"differs: {key}: {a.get(key, '(absent)')!r} | {b.get(key, '(absent)')!r}")
    print(f"{len(kept) - len(differ)} values identical, {len(differ)} differ "
          f"({len(a.keys() | b.keys()) - len(kept)} timings and paths left out)")
    return not differ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("modules", help="write the module database's numbers to OUT.npz")
    write.add_argument("out")
    write.add_argument("--database", help="the flambeau package folder whose testing/ holds the database")
    for name in ("compare", "metrics"):
        command = commands.add_parser(name, help=f"{name} two files")
        command.add_argument("a")
        command.add_argument("b")
    args = parser.parse_args()
    if args.command == "modules":
        arrays = module_numbers(args.database)
        np.savez(args.out, **arrays)
        print(f"{len(arrays)} arrays -> {args.out}")
        return 0
    same = compare_arrays(args.a, args.b) if args.command == "compare" else compare_metrics(args.a, args.b)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
