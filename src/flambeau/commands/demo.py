"""``flambeau demo``: train an MLP on the embedded USPS digits, offline, in seconds."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="train an MLP on the embedded USPS digits")
    parser.add_argument("--out", default="runs/demo", help="folder for the loss curve PNG")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(func=run)


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import flambeau as fb
    from flambeau.datasets import load_usps
    from flambeau.files import save_figure

    X_train, y_train, X_test, y_test = load_usps()
    net = fb.Sequential(fb.Linear(256, 128, rng=args.seed), fb.TanH(),
                        fb.Linear(128, 10, rng=args.seed + 1))
    history = fb.SGD(net, fb.CrossEntropyLoss(), X_train, y_train, batch_size=32,
                     epochs=args.epochs, lr=0.1, seed=args.seed, X_val=X_test, Y_val=y_test)
    out = Path(args.out)
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = range(1, history.epochs + 1)
    ax.plot(epochs, history["train_loss"], label="train")
    ax.plot(epochs, history["val_loss"], label="test")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title="MLP 256-128-10 on USPS")
    ax.legend()
    fig.tight_layout()
    save_figure(fig, out / "loss_curve.png")
    print(f"USPS test accuracy: {history['val_accuracy'][-1]:.4f} "
          f"({history.epochs} epochs, {sum(history['epoch_time']):.1f} s)")
    print(f"loss curve: {out / 'loss_curve.png'}")
    return 0
