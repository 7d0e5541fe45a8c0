"""``flambeau datasets list`` / ``flambeau datasets info NAME``: what data is here, and where."""

from __future__ import annotations

import numpy as np


def register(subparsers) -> None:
    parser = subparsers.add_parser("datasets", help="list the datasets available here, or describe one")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every dataset, where it is found, its size on disk")
    listing.add_argument("--data-dir", help="folder searched first (as data_dir= of the loaders)")
    listing.set_defaults(func=run_list)
    info = actions.add_parser("info", help="load one dataset and show its sizes and class counts")
    info.add_argument("name", help="dataset name, as shown by 'flambeau datasets list'")
    info.add_argument("--data-dir", help="folder searched first (as data_dir= of the loaders)")
    info.add_argument("--download", action="store_true",
                      help="download an IDX dataset that is not found (default: do not)")
    info.set_defaults(func=run_info)


def _megabytes(n_bytes: int) -> str:
    if not n_bytes:
        return "-"
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 1e5 else f"{n_bytes / 1e3:.1f} kB"


def run_list(args) -> int:
    from flambeau.datasets import LOADERS, locate_dataset

    rows = [locate_dataset(name, args.data_dir) for name in LOADERS]
    print(f"{'name':<14} {'status':<9} {'size':>8}  where")
    for row in rows:
        print(f"{row.name:<14} {row.status:<9} {_megabytes(row.size_bytes):>8}  {row.where}")
    return 0


def run_info(args) -> int:
    from flambeau.datasets import LOADERS, DatasetNotFoundError, load_dataset, locate_dataset
    from flambeau.datasets.catalog import CLASS_NAMES

    if args.name not in LOADERS:
        print(f"unknown dataset {args.name!r}; known: {', '.join(LOADERS)}")
        return 2
    place = locate_dataset(args.name, args.data_dir)
    print(f"{args.name}: {place.status}, {place.where}")
    for path in place.files:
        print(f"  {path.name:<30} {_megabytes(path.stat().st_size):>9}")
    kwargs = {"data_dir": args.data_dir} if args.name not in ("iris", "digits") else {}
    if args.name in ("mnist", "fashion-mnist", "kmnist"):
        kwargs.update(download=args.download)
    try:
        X_train, y_train, X_test, y_test = load_dataset(args.name, flatten=False, **kwargs)
    except DatasetNotFoundError as error:
        print(error)
        return 1
    print(f"train: {len(X_train)} samples of shape {tuple(X_train.shape[1:])}, {X_train.dtype}, "
          f"values in [{X_train.min():.3g}, {X_train.max():.3g}]")
    print(f"test:  {len(X_test)} samples")
    _print_class_counts(CLASS_NAMES[args.name], y_train, y_test)
    return 0


def _print_class_counts(names, y_train, y_test) -> None:
    train = np.bincount(y_train, minlength=len(names))
    test = np.bincount(y_test, minlength=len(names))
    print(f"{'label':>5}  {'name':<12} {'train':>7} {'test':>6}")
    for label, name in enumerate(names):
        print(f"{label:>5}  {name:<12} {train[label]:>7} {test[label]:>6}")
