"""``flambeau signatures``: an activation-signature study (train, cluster, paths, run folder)."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "signatures", help="activation signatures of a network (clusters and paths per layer)",
        description="Train a dense network on a few digits, feed it known and unseen digits, "
                    "cluster each hidden layer (k by silhouette), trace each image's path, and "
                    "write runs/signature_<classes>_<n>/ for `flambeau serve`. With --onnx, study "
                    "a network trained elsewhere (PyTorch, Keras...) and exported to ONNX instead.")
    parser.add_argument("--dataset", default="usps", choices=["usps", "mnist"],
                        help="usps is embedded (offline); mnist is read from FLAMBEAU_DATA or downloaded")
    parser.add_argument("--classes", type=int, nargs="+", default=[1, 7], help="digits to learn")
    parser.add_argument("--n-per-class", type=int, default=100, help="training images per class")
    parser.add_argument("--hidden", type=int, nargs="+", default=[32, 64], help="hidden layer widths")
    parser.add_argument("--anomalies", type=int, nargs="*", default=[], help="unseen digits fed afterwards")
    parser.add_argument("--n-anomalies", type=int, default=None, help="images per anomaly class")
    parser.add_argument("--activation", default="relu", choices=["relu", "sigmoid", "tanh"])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--eps", type=float, default=0.05, help="learning rate")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--k-range", type=int, nargs=2, default=[2, 10], metavar=("LOW", "HIGH"))
    parser.add_argument("--method", default="kmeans", choices=["kmeans", "hdbscan"])
    parser.add_argument("--projection", default="umap", choices=["umap", "pca"])
    parser.add_argument("--model", default=None, help="saved model (.npz) to study instead of training")
    parser.add_argument("--import", dest="import_files", action="append", default=[], metavar="FILE.py",
                        help="with --model: a Python file defining the model's own layer classes, "
                             "imported first (repeatable)")
    parser.add_argument("--onnx", default=None, metavar="MODEL.onnx",
                        help="ONNX model to study instead of training (needs flambeau[onnx]); it maps "
                             "the images (flat, or shaped as its input says: 1x28x28) to one logit per class")
    parser.add_argument("--layers", nargs="+", default=None, metavar="NODE",
                        help="with --onnx: node names to record (default: every activation node)")
    parser.add_argument("--spatial", default="mean", choices=["mean", "max", "flatten"],
                        help="how a convolutional feature map becomes features (per-channel mean by default)")
    parser.add_argument("--runs", default="runs", help="parent folder of the run folders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=1,
                        help="training seeds for the intervals: with 2 or more, the network is retrained "
                             "with each and the layer scores, linear probe and anomaly metrics get bootstrap "
                             "intervals (report004 uses 10)")
    parser.add_argument("--preset", default=None, metavar="NAME",
                        help="run a whole experiment instead of one study: report004 writes report 004's "
                             "seven partitions and the anomaly studies (1-vs-7 with 4s and 3s, leave one "
                             "digit out) under RUNS/report004/ (MNIST; about 40 min on 2 cores)")
    parser.add_argument("--quick", action="store_true",
                        help="with --preset: reduced sizes (USPS, 10 images per class, 2 seeds, PCA maps)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    from flambeau.files import read_json
    from flambeau.signatures import OnnxModel, SignatureConfig, run_signatures
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
        config = SignatureConfig(
            dataset=args.dataset, classes=tuple(args.classes), n_per_class=args.n_per_class,
            hidden=tuple(args.hidden), anomalies=tuple(args.anomalies), n_anomalies=args.n_anomalies,
            activation=args.activation, epochs=args.epochs, eps=args.eps, batch_size=args.batch_size,
            k_range=tuple(args.k_range), method=args.method, projection=args.projection,
            spatial=args.spatial, seed=args.seed, seeds=args.seeds)
        model = OnnxModel(args.onnx, args.layers, args.spatial) if args.onnx else args.model
        folder = run_signatures(config, args.runs, model=model, show_progress=not args.no_progress)
    except (ValueError, FileNotFoundError, ImportError) as error:
        print(f"flambeau signatures: {error}", file=sys.stderr)
        return 2
    summary = read_json(folder / "study.json")
    scores = summary["scores"]
    print(f"{summary['name']}: test accuracy {summary['accuracy']:.4f} on {summary['n_known']} images "
          f"(+ {summary['n_anomalies']} anomalies), {summary['seconds']:.1f} s")
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
