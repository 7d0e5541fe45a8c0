# %% [markdown]
# # 5. Autoencoders: reconstruction, denoising, a latent map and k-means on the codes
#
# An autoencoder `X -> encoder -> Z -> decoder -> Xhat` learns to give back its input through a
# narrow code `Z`. Here the USPS digits (256 pixels) go through a 16-number code. We look at the
# reconstructions, train a second autoencoder on noisy inputs (denoising), draw a 2-D map of the
# codes with t-SNE, and ask whether k-means finds the ten digits better in the codes than in the
# pixels.

# %%
import matplotlib.pyplot as plt
import numpy as np

import flambeau
from flambeau import analysis
from flambeau.course import *
from flambeau.datasets import add_noise, load_usps

flambeau.manual_seed(0)
X_train, y_train, X_test, y_test = load_usps()
print(f"flambeau {flambeau.__version__}: {X_train.shape[0]} training images of {X_train.shape[1]} pixels")

# %% [markdown]
# ## The model: `AutoEncoder(encoder, decoder)`
#
# Pixels lie in `[0, 1]`, so the decoder ends with a `Sigmoide` and the loss is the binary
# cross-entropy `BCE`, computed against the input itself (`SGD(ae, loss, X, X, ...)`). Adam
# (`rule=flambeau.Adam()`) trains it much faster than plain gradient descent.

# %%
def make_autoencoder():
    encoder = Sequentiel(Linear(256, 128), TanH(), Linear(128, 16), TanH())
    decoder = Sequentiel(Linear(16, 128), TanH(), Linear(128, 256), Sigmoide())
    return AutoEncoder(encoder, decoder)


ae = make_autoencoder()
history = flambeau.SGD(ae, BCE(), X_train, X_train, batch_size=64, epochs=20, lr=2e-3,
                       rule=flambeau.Adam(), X_val=X_test, Y_val=X_test, seed=0, progress=False)
print(f"BCE per image: train {history['train_loss'][-1]:.2f}, test {history['val_loss'][-1]:.2f} "
      f"(per pixel: {history['val_loss'][-1] / 256:.4f})")

# %% [markdown]
# ## Denoising: train on corrupted inputs, keep the clean targets
#
# `transform=f(batch, rng)` changes each batch's inputs before its step; the targets stay the clean
# images. `add_noise(X, 0.6, rng)` adds a uniform noise in `[-0.6, 0.6]` to every pixel and clips
# to `[0, 1]`. The plain autoencoder, which never saw noise, reconstructs the noisy images worse
# than they are; the denoising one removes much of the noise.

# %%
denoiser = make_autoencoder()
flambeau.SGD(denoiser, BCE(), X_train, X_train, batch_size=64, epochs=20, lr=2e-3, rule=flambeau.Adam(),
             transform=lambda batch, rng: add_noise(batch, 0.6, rng)[0], seed=0, progress=False)

noisy_test = add_noise(X_test, 0.6, np.random.default_rng(1))[0]
for name, model in (("plain", ae), ("denoising", denoiser)):
    mse = np.mean((model.eval().forward(noisy_test) - X_test) ** 2)
    print(f"{name:9} autoencoder on noisy test images: MSE to the clean images {mse:.4f}")
print(f"the noisy images themselves: MSE {np.mean((noisy_test - X_test) ** 2):.4f}")

fig, axes = plt.subplots(4, 10, figsize=(12, 5))
rows = [("original", X_test), ("plain AE", ae.forward(X_test)), ("noisy", noisy_test),
        ("denoised", denoiser.forward(noisy_test))]
for (label, images), line in zip(rows, axes, strict=True):
    for i, ax in enumerate(line):
        ax.imshow(images[i].reshape(16, 16), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    line[0].set_ylabel(label)
plt.show()

# %% [markdown]
# ## The codes: a t-SNE map and k-means
#
# `analysis.encode` gives the 16-number codes; `analysis.tsne_map` a 2-D t-SNE of them (its KL
# divergence says how faithful the map is); `analysis.kmeans_scores` runs k-means with ten clusters
# and scores the clusters against the digits (purity: the share of images whose cluster's majority
# digit is their own; ARI and NMI).

# %%
codes = analysis.encode(ae, X_test)
tsne = analysis.tsne_map(codes, y_test, max_iter=500, seed=0)
on_codes = analysis.kmeans_scores(codes, y_test, seed=0)
on_pixels = analysis.kmeans_scores(X_test, y_test, seed=0)
print(f"k-means on the 16-number codes: purity {on_codes['purity']:.3f}, NMI {on_codes['nmi']:.3f}")
print(f"k-means on the 256 pixels:      purity {on_pixels['purity']:.3f}, NMI {on_pixels['nmi']:.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
points = tsne["embedding"]
for digit in range(10):
    chosen = y_test == digit
    left.scatter(points[chosen, 0], points[chosen, 1], s=5, label=str(digit))
left.legend(markerscale=3, ncol=2, fontsize=8)
left.set_title(f"t-SNE of the codes (KL {tsne['kl_divergence']:.2f})")
right.plot(history["train_loss"], label="train")
right.plot(history["val_loss"], label="test")
right.set(xlabel="epoch", ylabel="BCE per image", title="training the autoencoder")
right.legend()
plt.show()
print(f"k-means purity: codes {on_codes['purity']:.3f} vs pixels {on_pixels['purity']:.3f}")
