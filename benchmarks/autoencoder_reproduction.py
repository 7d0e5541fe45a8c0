"""Retrain the reports' autoencoders and run every study on them; write results.json + figures.

    python benchmarks/autoencoder_reproduction.py usps --out runs/ae_usps
    FLAMBEAU_DATA=../shared/data python benchmarks/autoencoder_reproduction.py fashion --out runs/ae_fashion

Prints the headline numbers beside the reports' (see ``flambeau.analysis.reproduction``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flambeau.analysis.reproduction import (
    REPORTED,
    denoising_comparison,
    fashion_autoencoder,
    usps_autoencoder,
)
from flambeau.datasets import load_usps
from flambeau.files import write_json


def usps_denoising(out, seed=0, quick=False, progress=True, epochs=15):
    """Clean-trained vs noise-trained (uniform +-0.4) 256-...-16 autoencoders on USPS."""
    X_train, _, X_test, _ = load_usps()
    if quick:
        X_train, epochs = X_train[:2000], min(epochs, 3)
    return denoising_comparison(X_train, X_test, out, epochs=epochs, seed=seed, progress=progress)


RECIPES = {"usps": usps_autoencoder, "fashion": fashion_autoencoder, "usps-denoising": usps_denoising}


def denoising_headline(result: dict) -> list[str]:
    den, inp = result["denoising"], result["inpainting"]
    lines = [f"denoising, MSE per pixel against the clean images (noise {result['noise']}):"]
    for i, level in enumerate(den["levels"]):
        lines.append(f"  level {level}: noisy input {den['noisy_mse'][i]:.4f}, clean-trained "
                     f"{den['clean-trained']['mse'][i]:.4f}, "
                     f"noise-trained {den['noise-trained']['mse'][i]:.4f}")
    lines.append(f"inpainting, MSE on hidden pixels: fill 0 {inp['baseline_mse']:.4f}, mean image "
                 f"{inp['mean_image_mse']:.4f}, clean-trained {inp['clean-trained']['mse']:.4f}, "
                 f"noise-trained {inp['noise-trained']['mse']:.4f}")
    return lines


def headline(name: str, result: dict) -> list[str]:
    if name == "usps-denoising":
        return denoising_headline(result)
    studies = result["studies"]
    lines = [f"{name}: sizes {result['sizes']} tied={result['tied']} "
             f"({result['num_parameters']} parameters), "
             f"{len(result['train']['train_loss'])} epochs in {result['train_seconds']:.0f} s",
             f"  test BCE per pixel: {result['test_bce_per_pixel']:.4f}"]
    if name == "fashion":
        lines[-1] += f"  (report 001, model 2: {REPORTED['fashion_test_bce_per_pixel']})"
    for key in ("clustering", "clustering_l2"):
        c = studies[key]
        lines.append(f"  k-means NMI ({c['normalize'] or 'no'} scaling): codes {c['latent']['nmi']:.4f} "
                     f"vs pixels {c['raw']['nmi']:.4f}; purity {c['latent']['purity']:.3f} vs "
                     f"{c['raw']['purity']:.3f}; ARI {c['latent']['ari']:.3f} vs {c['raw']['ari']:.3f}")
    maps = studies["maps"]
    lines.append(f"  t-SNE KL: 2-D {maps['tsne_2d']['kl_divergence']:.3f}, "
                 f"3-D {maps['tsne_3d']['kl_divergence']:.3f} ({maps['n_samples']} codes)")
    cls = studies["classification"]
    lines.append(f"  MLP accuracy: codes {cls['latent']['accuracy']:.4f} "
                 f"vs pixels {cls['raw']['accuracy']:.4f}")
    den = studies["denoising"]
    lines.append("  denoising MSE (noise level: noisy -> reconstructed): " + ", ".join(
        f"{lv}: {n:.4f} -> {m:.4f}" for lv, n, m in zip(den["levels"], den["noisy_mse"],
                                                         den["autoencoder"]["mse"], strict=True)))
    inp = studies["inpainting"]
    lines.append(f"  inpainting MSE on hidden pixels: {inp['autoencoder']['mse']:.4f} (fill 0: "
                 f"{inp['baseline_mse']:.4f}, mean image: {inp['mean_image_mse']:.4f})")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", choices=sorted(RECIPES))
    parser.add_argument("--out", type=Path, default=None, help="folder (default runs/ae_<recipe>)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="few epochs on a subset")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--activation", default=None, help="fashion: hidden activation (default leaky_relu)")
    parser.add_argument("--latent-activation", default=None, help="fashion: code activation (e.g. tanh)")
    parser.add_argument("--untied", action="store_true", help="fashion: a decoder with its own weights")
    parser.add_argument("--lr-decay", type=float, default=None, help="fashion: learning rate factor/epoch")
    args = parser.parse_args(argv)
    out = args.out or Path("runs") / f"ae_{args.recipe}"
    options = {"seed": args.seed, "quick": args.quick, "progress": not args.no_progress}
    if args.epochs is not None:
        options["epochs"] = args.epochs
    for name in ("activation", "latent_activation"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.lr_decay is not None:
        options["lr_decay"] = args.lr_decay
    if args.untied:
        options["tied"] = False
    result = RECIPES[args.recipe](out, **options)
    write_json(out / "results.json", {"recipe": args.recipe, "options": options, **result})
    print("\n".join(headline(args.recipe, result)))


if __name__ == "__main__":
    main()
