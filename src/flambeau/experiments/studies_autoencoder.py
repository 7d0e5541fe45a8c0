"""Autoencoder studies of reports 000, 001 and 002, built on ``flambeau.analysis`` and a sweep.

- ``autoencoder-usps``: 256-h-10 TanH/Sigmoid autoencoders on USPS (report 000, section 6):
  reconstructions, k-means on the codes, t-SNE of the codes at several perplexities.
- ``autoencoder-fashion``: the four Fashion-MNIST models of report 001 (tied weights, LeakyReLU,
  BCE, decaying learning rate), test BCE per pixel, t-SNE 2-D/3-D with KL, k-means, and
  classification on the codes versus raw pixels.
- ``autoencoder-denoise``: report 002's deep MNIST autoencoders (8 encoder layers, bottleneck
  16 or 32, MSE) denoising +-0.4 / +-0.6 uniform noise and inpainting a hidden patch.
- ``autoencoder-grid``: report 002's 84 configurations as a sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from ..autoencoder import AutoEncoder
from ..layers import LeakyReLU
from ..losses import BCELoss, MSELoss
from ..rules import GradientDescent
from .data import load
from .plots import curves
from .spec import Reference, Study

__all__ = ["STUDIES"]

REPORT_000 = "report 000 (Pigeon & Sadykova), section 6"
REPORT_001 = "report 001 (Chettab & Delsaer), experiments 2-4, tables 3-5"
REPORT_002 = "report 002 (Dautriche & Wu), sections 4.1-4.3"


def _analysis():
    import flambeau.analysis as analysis

    return analysis


def _train(model, X, cfg_loss, epochs, batch_size, lr, lr_decay, rule, seed, X_val, progress, corrupt=None):
    analysis = _analysis()
    loss = {"bce": BCELoss, "mse": MSELoss}[cfg_loss]()
    return analysis.train_autoencoder(model, X, loss, epochs=epochs, batch_size=batch_size, lr=lr,
                                     rule=GradientDescent() if rule == "sgd" else None, X_val=X_val,
                                     lr_decay=lr_decay, seed=seed, progress=progress, corrupt=corrupt)


# -- autoencoder-usps -----------------------------------------------------------------------
@dataclass(frozen=True)
class UspsAEConfig:
    hidden: tuple = (10, 100, 500)
    latent: int = 10
    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-3
    perplexities: tuple = (5, 30, 50)
    tsne_samples: int = 1000
    tsne_iter: int = 1000


def run_autoencoder_usps(cfg: UspsAEConfig, ctx) -> dict:
    analysis = _analysis()
    X, y, Xt, yt = load("usps")
    results, series = {}, {}
    for i, hidden in enumerate(cfg.hidden):
        ae = AutoEncoder.symmetric(256, cfg.latent, hidden=[hidden], rng=ctx.rng(1, i))
        history = _train(ae, X, "bce", cfg.epochs, cfg.batch_size, cfg.lr, 1.0, "adam", ctx.seed_for(2, i),
                         Xt, ctx.progress)
        name = f"h{hidden}"
        series[f"256-{hidden}-{cfg.latent} test"] = history["val_loss_per_feature"]
        recon = analysis.reconstruction_study(ae, Xt, ctx.out, image_shape=(16, 16), seed=ctx.seed,
                                             name=f"reconstruction_{name}")
        ctx.attach(recon.pop("figure"), f"256-{hidden}-{cfg.latent}: originals over reconstructions")
        clustering = analysis.latent_clustering_study(ae, Xt, yt, seed=ctx.seed)
        results[name] = {"reconstruction": recon, "clustering": clustering,
                         "final_test_bce_per_pixel": history["val_loss_per_feature"][-1]}
        ctx.log("USPS AE 256-%d-%d: test BCE/pixel %.4f", hidden, cfg.latent, recon["bce_per_pixel"])
    ctx.figure(curves(series, ylabel="BCE per pixel", title="USPS autoencoders"), "loss_curves")
    best = f"h{max(cfg.hidden)}"
    codes = analysis.encode(ae, Xt[:cfg.tsne_samples])
    tsne = {}
    for perplexity in cfg.perplexities:
        out = analysis.tsne_map(codes, yt[:cfg.tsne_samples], ctx.out, perplexity=perplexity,
                               max_iter=cfg.tsne_iter, seed=ctx.seed, name=f"tsne_p{perplexity}")
        ctx.attach(out.pop("figure"), f"t-SNE of the {best} codes, perplexity {perplexity}")
        tsne[f"perplexity_{perplexity}"] = {k: v for k, v in out.items() if k != "embedding"}
    ctx.table("Reconstruction and latent clustering (test set)",
              ["model", "BCE per pixel", "MSE per pixel", "k-means NMI codes", "k-means NMI raw"],
              [[f"256-{k[1:]}-{cfg.latent}", f"{r['reconstruction']['bce_per_pixel']:.4f}",
                f"{r['reconstruction']['mse_per_pixel']:.4f}", f"{r['clustering']['latent']['nmi']:.3f}",
                f"{r['clustering']['raw']['nmi']:.3f}"] for k, r in results.items()])
    ctx.note("The report shows reconstructions as images only (no number); ours are measured. Trained with "
             f"Adam (lr {cfg.lr}) rather than the report's plain steps of 1e-4.")
    return {"models": results, "tsne": tsne}


AUTOENCODER_USPS = Study(
    name="autoencoder-usps",
    title="USPS autoencoders: hidden width, reconstructions, k-means and t-SNE of the codes",
    summary="256-h-10 TanH/Sigmoid autoencoders (h = 10/100/500) on USPS with BCE; k-means, t-SNE",
    run=run_autoencoder_usps,
    configs={"tiny": UspsAEConfig(hidden=(20,), epochs=1, perplexities=(5,), tsne_samples=200, tsne_iter=300),
             "quick": UspsAEConfig(epochs=4, tsne_samples=500, perplexities=(30,), tsne_iter=500),
             "full": UspsAEConfig()},
    references=(Reference("models.h100.reconstruction.bce_per_pixel",
                          "256-100-10 test BCE per pixel", "images only", REPORT_000 + ", figures 23-26"),),
    source=REPORT_000,
)


# -- autoencoder-fashion --------------------------------------------------------------------
@dataclass(frozen=True)
class FashionAEConfig:
    """Report 001's models; ``models`` maps a name to (hidden sizes, latent, LeakyReLU slope, epochs,
    per-epoch learning-rate decay). Batch 128, tied weights, sigmoid output, BCE."""

    models: tuple = (
        {"name": "model1", "hidden": (256,), "latent": 64, "alpha": 0.1, "epochs": 100, "decay": 0.97},
        {"name": "model2", "hidden": (264, 88), "latent": 30, "alpha": 0.01, "epochs": 50, "decay": 0.95},
        {"name": "model3", "hidden": (424, 128), "latent": 32, "alpha": 0.01, "epochs": 70, "decay": 0.97},
        {"name": "model4", "hidden": (264,), "latent": 3, "alpha": 0.01, "epochs": 50, "decay": 0.97},
    )
    epoch_scale: float = 1.0
    batch_size: int = 128
    lr: float = 1e-3
    rule: str = "adam"
    n_train: int | None = None
    n_test: int | None = None
    map_models: tuple = ("model2", "model4")
    map_samples: int = 2000
    tsne_iter: int = 3000
    classifier_epochs: int = 10
    download: bool = False


def _fashion_model(spec, rng):
    return AutoEncoder.symmetric(784, spec["latent"], hidden=list(spec["hidden"]),
                                 activation=LeakyReLU(spec["alpha"]), tied=True, rng=rng)


def run_autoencoder_fashion(cfg: FashionAEConfig, ctx) -> dict:
    analysis = _analysis()
    X, y, Xt, yt = load("fashion-mnist", download=cfg.download)
    X, y, Xt, yt = X[:cfg.n_train], y[:cfg.n_train], Xt[:cfg.n_test], yt[:cfg.n_test]
    results, series = {}, {}
    for i, spec in enumerate(cfg.models):
        name = spec["name"]
        ae = _fashion_model(spec, ctx.rng(1, i))
        epochs = max(1, round(spec["epochs"] * cfg.epoch_scale))
        history = _train(ae, X, "bce", epochs, cfg.batch_size, cfg.lr, spec["decay"], cfg.rule,
                         ctx.seed_for(2, i), Xt, ctx.progress)
        series[f"{name} train"] = history["train_loss_per_feature"]
        series[f"{name} test"] = history["val_loss_per_feature"]
        recon = analysis.reconstruction_study(ae, Xt, ctx.out, image_shape=(28, 28), seed=ctx.seed,
                                             name=f"reconstruction_{name}")
        ctx.attach(recon.pop("figure"), f"{name} (bottleneck {spec['latent']}): reconstructions")
        result = {"train_bce_per_pixel": history["train_loss_per_feature"][-1],
                  "test_bce_per_pixel": recon["bce_per_pixel"], "epochs": epochs,
                  "sizes": ae.sizes, "n_parameters": ae.num_parameters(),
                  "clustering": analysis.latent_clustering_study(ae, Xt, yt, seed=ctx.seed),
                  "classification": analysis.latent_classification_study(
                      ae, X, y, Xt, yt, epochs=cfg.classifier_epochs, seed=ctx.seed)}
        if name in cfg.map_models:
            maps = analysis.latent_maps_study(ae, Xt, yt, ctx.out / name, max_samples=cfg.map_samples,
                                             tsne_iter=cfg.tsne_iter, umap=False, seed=ctx.seed)
            for key in ("tsne_2d", "tsne_3d"):
                ctx.attach(maps[key].pop("figure", None) or "", f"{name}: {key}")
            result["maps"] = maps
        results[name] = result
        ctx.log("Fashion AE %s: test BCE/pixel %.4f, latent accuracy %.3f", name, recon["bce_per_pixel"],
                result["classification"]["latent"]["accuracy"])
    ctx.figure(curves(series, ylabel="BCE per pixel", title="Fashion-MNIST autoencoders"), "loss_curves")
    ctx.table("Fashion-MNIST autoencoders (test set)",
              ["model", "sizes", "epochs", "test BCE/pixel", "published", "accuracy on codes", "published",
               "accuracy raw"],
              [[n, "-".join(map(str, r["sizes"])), r["epochs"], f"{r['test_bce_per_pixel']:.4f}",
                _FASHION_BCE[n], f"{r['classification']['latent']['accuracy']:.3f}",
                _FASHION_LATENT_ACC.get(n, "n/a"), f"{r['classification']['raw']['accuracy']:.3f}"]
               for n, r in results.items()])
    ctx.note(f"Training: {cfg.rule} with learning rate {cfg.lr} decayed by the report's per-epoch factor "
             "(model 1's stepwise 'heuristic' decay is replaced by 0.97^t); batch 128, tied weights, "
             f"sigmoid output, BCE. Epochs x {cfg.epoch_scale} of the report's. Classification: the same "
             f"TanH classifier ({cfg.classifier_epochs} epochs, Adam) on the codes and on the raw pixels.")
    return {"models": results}


_FASHION_BCE = {"model1": 0.40, "model2": 0.277, "model3": 0.27, "model4": 0.313}
_FASHION_LATENT_ACC = {"model2": 0.69, "model3": 0.70, "model4": 0.34}

AUTOENCODER_FASHION = Study(
    name="autoencoder-fashion",
    title="Fashion-MNIST autoencoders (models 1-4): reconstruction, t-SNE, k-means, codes as features",
    summary="report 001's four tied LeakyReLU autoencoders: test BCE, t-SNE 2-D/3-D KL, latent classifiers",
    run=run_autoencoder_fashion,
    configs={"tiny": FashionAEConfig(models=FashionAEConfig.models[3:], epoch_scale=0.01, n_train=300,
                                     n_test=100, map_models=(), classifier_epochs=1),
             "quick": FashionAEConfig(epoch_scale=0.04, n_train=5000, n_test=1000, map_samples=500,
                                      tsne_iter=400, classifier_epochs=2),
             "full": FashionAEConfig()},
    references=tuple(Reference(f"models.{n}.test_bce_per_pixel", f"{n}: test BCE per pixel", v,
                               REPORT_001 + " (table 3)") for n, v in _FASHION_BCE.items())
    + tuple(Reference(f"models.{n}.classification.latent.accuracy", f"{n}: accuracy of a classifier on codes",
                      v, REPORT_001 + " (table 5)") for n, v in _FASHION_LATENT_ACC.items())
    + (Reference("models.model2.classification.raw.accuracy", "accuracy on raw pixels", 0.81,
                 REPORT_001 + " (table 5)"),
       Reference("models.model2.maps.tsne_2d.kl_divergence", "model 2: t-SNE 2-D KL", 1.201,
                 REPORT_001 + " (table 4)"),
       Reference("models.model2.maps.tsne_3d.kl_divergence", "model 2: t-SNE 3-D KL", 2.016,
                 REPORT_001 + " (table 4)"),
       Reference("models.model4.maps.tsne_2d.kl_divergence", "model 4: t-SNE 2-D KL", 1.341,
                 REPORT_001 + " (table 4)"),
       Reference("models.model4.maps.tsne_3d.kl_divergence", "model 4: t-SNE 3-D KL", 1.210,
                 REPORT_001 + " (table 4)")),
    source=REPORT_001,
)


# -- autoencoder-denoise --------------------------------------------------------------------
@dataclass(frozen=True)
class DenoiseConfig:
    latents: tuple = (16, 32)
    steps: int = 8
    activation: str = "leaky_relu"
    init: str = "he"
    epochs: int = 20
    batch_size: int = 32
    lr: float = 1e-3
    levels: tuple = (0.4, 0.6)
    train_noise: float = 0.6
    n_train: int | None = None
    n_test: int | None = 2000
    download: bool = False


def _uniform_noise_up_to(top: float):
    """``corrupt(batch, rng)`` adding uniform noise of an amplitude drawn in ``[0, top]`` per batch
    (clipped to [0, 1]): one network then cleans every level up to ``top``, and clean images."""
    from ..datasets import add_noise

    def corrupt(batch, rng):
        noisy, _ = add_noise(batch, float(rng.uniform(0.0, top)), rng=rng, distribution="uniform")
        return noisy

    return corrupt


def run_autoencoder_denoise(cfg: DenoiseConfig, ctx) -> dict:
    analysis = _analysis()
    X, _, Xt, _ = load("mnist", download=cfg.download)
    X, Xt = X[:cfg.n_train], Xt[:cfg.n_test]
    models, training = {}, {}
    for i, latent in enumerate(cfg.latents):
        ae = AutoEncoder.symmetric(784, latent, steps=cfg.steps, activation=cfg.activation, init=cfg.init,
                                   rng=ctx.rng(1, i))
        history = _train(ae, X, "mse", cfg.epochs, cfg.batch_size, cfg.lr, 1.0, "adam", ctx.seed_for(2, i),
                         Xt, ctx.progress, _uniform_noise_up_to(cfg.train_noise) if cfg.train_noise else None)
        models[f"latent {latent}"] = ae
        training[f"latent_{latent}"] = {"test_mse_per_pixel": history["val_loss_per_feature"][-1]}
    denoise = analysis.denoising_study(models, Xt, ctx.out, levels=cfg.levels, noise="uniform",
                                      image_shape=(28, 28), seed=ctx.seed)
    ctx.attach(denoise.pop("figure", None) or "", "denoising: clean, noisy, and each model's output")
    inpaint = analysis.inpainting_study(models, Xt, ctx.out, image_shape=(28, 28), seed=ctx.seed)
    ctx.attach(inpaint.pop("figure", None) or "", "inpainting: clean, masked, and each model's output")
    at = {f"latent_{m.split()[-1]}": {f"noise_{lv}": denoise[m]["mse"][j] for j, lv in enumerate(cfg.levels)}
          for m in models}
    trained_on = (f"images with uniform noise of an amplitude drawn in [0, {cfg.train_noise}] per batch "
                  "(clean targets)" if cfg.train_noise else "clean images")
    ctx.note(f"Autoencoders 784-...-latent with {cfg.steps} Linear layers in the encoder "
             f"({2 * cfg.steps} in all), {cfg.activation} hidden units ({cfg.init} init), sigmoid output, "
             f"MSE, Adam (lr {cfg.lr}), trained on {trained_on}. With TanH and the default init these "
             "16-layer networks only learn the mean image (test MSE 0.064, that of the mean image; measured "
             "on 10,000 images), and trained on clean images only they do not denoise (full run: MSE 0.063 "
             "at +-0.6, the noisy input's 0.062). Noise: uniform in [-level, level] added to each pixel, "
             "clipped to [0, 1]. The report's numbers are the mean of its ten per-digit losses at +-0.6.")
    return {"training": training, "denoising": denoise, "inpainting": inpaint, "mse_at_level": at}


AUTOENCODER_DENOISE = Study(
    name="autoencoder-denoise",
    title="MNIST autoencoders: denoising (+-0.4, +-0.6) and inpainting",
    summary="report 002's deep MSE autoencoders (bottleneck 16/32) denoising and filling masked patches",
    run=run_autoencoder_denoise,
    configs={"tiny": DenoiseConfig(steps=2, epochs=1, n_train=500, n_test=100),
             "quick": DenoiseConfig(epochs=2, n_train=10000, n_test=500),
             "full": DenoiseConfig()},
    references=(Reference("mse_at_level.latent_16.noise_0.6", "bottleneck 16: MSE per pixel at +-0.6", 0.0263,
                          REPORT_002 + " (mean of its 10 per-digit values)"),
                Reference("mse_at_level.latent_32.noise_0.6", "bottleneck 32: MSE per pixel at +-0.6", 0.0237,
                          REPORT_002 + " (mean of its 10 per-digit values)")),
    source=REPORT_002,
)


# -- autoencoder-grid -----------------------------------------------------------------------
@dataclass(frozen=True)
class GridConfig:
    grid: str = "autoencoder_mnist_84.toml"
    overrides: tuple = ()
    epoch_scale: float = 1.0
    max_configs: int | None = None
    n_jobs: int = 2


def run_autoencoder_grid(cfg: GridConfig, ctx) -> dict:
    from .sweep import load_grid, run_sweep

    with resources.as_file(resources.files("flambeau.experiments") / "grids" / cfg.grid) as path:
        grid = load_grid(path)
    grid = grid.with_base(**dict(cfg.overrides)).scaled("epochs", cfg.epoch_scale)
    rows = run_sweep(grid, ctx.out / "sweep", n_jobs=cfg.n_jobs, progress=ctx.progress, limit=cfg.max_configs)
    ctx.attach(ctx.out / "sweep" / "summary.png", "test MSE per pixel by parameter")
    ok = [r for r in rows if r.get("status") == "ok"]
    means = {}
    for key in ("loss", "latent", "steps", "batch_size", "epochs"):
        values = sorted({r[key] for r in ok}, key=str)
        means[key] = {str(v): _mean([r["test_mse"] for r in ok if r[key] == v]) for v in values}
    ctx.table("Mean test MSE per pixel by parameter", ["parameter", "value", "mean test MSE"],
              [[k, v, f"{m:.4f}"] for k, d in means.items() for v, m in d.items()])
    by_depth = _mean_by_loss_depth_epochs(ok)
    if by_depth:
        ctx.figure(_depth_figure(by_depth), "depth_by_epochs",
                   "mean test MSE per pixel (over batch sizes and bottlenecks) against training epochs, "
                   "one line per encoder depth, one panel per training loss")
        ctx.table("Mean test MSE per pixel by training loss, depth and epochs (over batch and bottleneck)",
                  ["loss", "encoder layers"] + [f"{e} epochs" for e in _all_epochs(by_depth)],
                  [[loss, steps] + [f"{curve[e]:.4f}" if e in curve else "" for e in _all_epochs(by_depth)]
                   for loss, depths in by_depth.items() for steps, curve in depths.items()])
    ctx.note(f"Grid {cfg.grid} with base overrides {dict(cfg.overrides) or 'none'}; the table of every "
             f"configuration is {ctx.out / 'sweep' / 'results.csv'}. The report's axes with LeakyReLU, "
             "He init and Adam at 1e-3 (the report: plain SGD at 0.01 MSE / 0.1 BCE): with its TanH units "
             "and plain SGD the 8-layer networks only learn the mean image (see the grid file's header). "
             "Configurations that differ only in their epoch count share one training run, measured "
             "after each count (column seconds: training time up to that measurement).")
    return {"n_configs": len(rows), "n_ok": len(ok), "n_failed": len(rows) - len(ok),
            "mean_test_mse_by": means, "best": min(ok, key=lambda r: r["test_mse"]) if ok else None,
            "mean_test_mse_by_loss_steps_epochs": {
                loss: {str(steps): {str(e): m for e, m in curve.items()} for steps, curve in depths.items()}
                for loss, depths in by_depth.items()}}


def _mean_by_loss_depth_epochs(rows) -> dict:
    """``{loss: {steps: {epochs: mean test MSE}}}`` over the other parameters."""
    table = {}
    for loss in sorted({r["loss"] for r in rows}):
        for steps in sorted({r["steps"] for r in rows}):
            chosen = [r for r in rows if r["loss"] == loss and r["steps"] == steps]
            curve = {e: _mean([r["test_mse"] for r in chosen if r["epochs"] == e])
                     for e in sorted({r["epochs"] for r in chosen})}
            if curve:
                table.setdefault(loss, {})[steps] = curve
    return table


def _all_epochs(by_depth) -> list[int]:
    return sorted({e for depths in by_depth.values() for curve in depths.values() for e in curve})


def _depth_figure(by_depth):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(by_depth), figsize=(4.2 * len(by_depth), 3.4), squeeze=False, sharey=True)
    for ax, (loss, depths) in zip(axes[0], by_depth.items(), strict=True):
        for steps, curve in depths.items():
            ax.plot(list(curve), list(curve.values()), marker="o", label=f"{steps} encoder layers")
        ax.set(title=f"trained with {loss.upper()}", xlabel="epochs", ylabel="mean test MSE per pixel")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _mean(values):
    return sum(values) / len(values) if values else None


AUTOENCODER_GRID = Study(
    name="autoencoder-grid",
    title="The 84 MNIST autoencoders of report 002, as a sweep",
    summary="loss MSE/BCE x lr x epochs x batch 32/64 x bottleneck 16/32 x 2/4/8 encoder layers (84 configs)",
    run=run_autoencoder_grid,
    configs={"tiny": GridConfig(overrides=(("dataset", "usps"), ("n_train", 100), ("n_test", 50)),
                                epoch_scale=0.1, max_configs=3, n_jobs=1),
             "quick": GridConfig(overrides=(("n_train", 500), ("n_test", 500)), epoch_scale=0.1),
             "full": GridConfig()},
    references=(Reference("mean_test_mse_by.steps", "effect of depth (2/4/8 encoder layers)",
                          "more layers, much lower loss", REPORT_002),
                Reference("mean_test_mse_by.latent", "effect of the bottleneck (16/32)",
                          "32 slightly lower loss", REPORT_002),
                Reference("mean_test_mse_by.batch_size", "effect of the batch size (32/64)",
                          "insignificant", REPORT_002),
                Reference("mean_test_mse_by.loss", "MSE vs BCE training", "similar; BCE needs more epochs",
                          REPORT_002)),
    source=REPORT_002,
)

STUDIES = (AUTOENCODER_USPS, AUTOENCODER_FASHION, AUTOENCODER_DENOISE, AUTOENCODER_GRID)
