# %% [markdown]
# # 7. Activation signatures: a flambeau network, a PyTorch model, and the app
#
# Which path does an input take through a trained network? Cluster the activations of each hidden
# layer; a sample's **signature** is its cluster in every layer, `(c_1, ..., c_L)`. Signatures show
# where the classes separate, how pure each layer's clusters are, and where inputs of a class the
# network never saw (**anomalies**) are routed.
#
# This tutorial trains a small flambeau network on the USPS digits 1 and 7, computes its
# signatures, does the same for a CNN trained in PyTorch, and ends with the command that opens both
# in the web app. (The PyTorch part needs the `[torch]` extra, the UMAP maps the `[viz]` one.)

# %%
import json
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import flambeau as fb
from flambeau.datasets import load_usps
from flambeau.signatures import record, record_torch, run_signatures, signatures_from_activations

fb.manual_seed(0)
torch.manual_seed(0)
print(f"flambeau {fb.__version__}, PyTorch {torch.__version__}")

# %% [markdown]
# ## A flambeau network trained on the digits 1 and 7
#
# `load_usps(classes=(1, 7))` keeps two digits and relabels them 0 and 1 (sorted order), so the
# network's two logits are "1" and "7".

# %%
X_train, y_train, _, _ = load_usps(classes=(1, 7), n_per_class=100, seed=0)
net = fb.Sequential(fb.Linear(256, 32), fb.ReLU(), fb.Linear(32, 64), fb.ReLU(), fb.Linear(64, 2))
history = fb.SGD(net, fb.CrossEntropyLoss(), X_train, y_train, batch_size=20, epochs=30, lr=0.05, seed=0,
                 progress=False)
print(f"training accuracy: {fb.accuracy(y_train, net.forward(X_train)):.3f}")

# %% [markdown]
# `record(net, X)` gives the output of every hidden activation, `{layer: (n, width)}`:

# %%
acts = record(net.eval(), X_train[:5])
print({name: a.shape for name, a in acts.items()})

# %% [markdown]
# ## Its signatures
#
# `run_signatures(model=net, ...)` takes test images of the two digits and of two digits the
# network never saw (4 and 3), records the hidden layers, clusters each one with k-means (k chosen
# by silhouette), counts the signatures, scores them and writes a run folder for the app
# (`runs/<name>/`: `study.json` with the numbers, `arrays.npz`, the model, two PNG figures).

# %%
flambeau_run = run_signatures(model=net, classes=(1, 7), n_per_class=100, anomalies=(4, 3),
                              runs_dir="runs", show_progress=False)
summary = json.loads((flambeau_run / "study.json").read_text())
print(f"run folder: {flambeau_run}; test accuracy on 1 and 7: {summary['accuracy']:.3f}")
for layer in summary["layers"]:
    scores = summary["scores"]["layers"][layer["name"]]
    print(f"  {layer['name']}: k = {layer['k']} clusters, "
          f"purity {scores['purity']:.3f}, NMI {scores['nmi']:.3f}")
for digit, routing in summary["scores"]["anomalies"].items():
    last = list(routing["routing"].values())[-1]
    print(f"  unseen {digit}s, last hidden layer: {last['1']:.0%} routed with the 1s, "
          f"{last['7']:.0%} with the 7s")
print("most frequent signatures:", [(s["signature"], s["by_class"]) for s in summary["top_signatures"][:3]])

# %% [markdown]
# ## A PyTorch model
#
# Any framework's activations give signatures: `record_torch(model, X)` records a PyTorch module
# with forward hooks (by default the output of every activation module; a convolution's feature map
# is averaged per channel), and `signatures_from_activations` does the rest. Here a small CNN is
# trained in PyTorch on the same two digits, images channels-first `(n, 1, 16, 16)`.

# %%
images_train, labels_train, images_test, labels_test = load_usps(flatten=False)
chosen = np.isin(labels_train, (1, 7))
x = torch.from_numpy(images_train[chosen][:, None])
y = torch.from_numpy((labels_train[chosen] == 7).astype(np.int64))   # 0: digit 1, 1: digit 7
cnn = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(8 * 7 * 7, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(cnn.parameters(), lr=1e-2)
for step in range(30):
    optimizer.zero_grad()
    nn.functional.cross_entropy(cnn(x), y).backward()
    optimizer.step()

rng = np.random.default_rng(0)
rows = np.concatenate([rng.choice(np.flatnonzero(labels_test == digit), 100, replace=False)
                       for digit in (1, 7, 4, 3)])   # 100 test images each of 1, 7 and the unseen 4, 3
X, y_true = images_test[rows], labels_test[rows]
torch_acts = record_torch(cnn, X[:, None])
with torch.no_grad():
    y_pred = np.array([1, 7])[cnn(torch.from_numpy(X[:, None])).argmax(1).numpy()]
print({name: a.shape for name, a in torch_acts.items()})
torch_run = signatures_from_activations(torch_acts, y_true, y_pred, runs_dir="runs",
                                        name="signature_torch_cnn_17", is_anomaly=np.isin(y_true, (4, 3)),
                                        images=X)
torch_summary = json.loads((torch_run / "study.json").read_text())
print(f"run folder: {torch_run}; test accuracy on 1 and 7: {torch_summary['accuracy']:.3f}")

# %% [markdown]
# ## Opening them in the app
#
# `flambeau serve --runs runs` starts the web app on http://127.0.0.1:8050 and lists every run
# folder of `runs/`: one UMAP map per hidden layer, linked to the Sankey diagram of the paths (select
# points and their flows light up, click a flow and its samples light up), the silhouette plots, the
# scores and the most frequent signatures with thumbnails. It serves until you stop it (Ctrl-C), so
# it is not started here; its options:

# %%
print(subprocess.run([sys.executable, "-m", "flambeau", "serve", "--help"], capture_output=True, text=True,
                     check=True).stdout)
print("runs ready for the app:", sorted(p.name for p in flambeau_run.parent.iterdir() if p.is_dir()))

# %% [markdown]
# ## The figure: the two networks' hidden layers, mapped
#
# Each run folder holds `projections.png`: every hidden layer's activations in 2-D (UMAP), the
# known digits in colour and the anomalies marked.

# %%
fig, axes = plt.subplots(2, 1, figsize=(12, 10))
for ax, folder, title in ((axes[0], flambeau_run, "flambeau MLP 256-32-64-2"),
                          (axes[1], torch_run, "PyTorch CNN")):
    ax.imshow(plt.imread(folder / "projections.png"))
    ax.set_title(title)
    ax.axis("off")
plt.show()
first = {name: s["scores"]["separation"]["first_layer"] for name, s in (("flambeau", summary),
                                                                      ("PyTorch", torch_summary))}
print(f"first hidden layer whose clusters are 95 % pure: {first}")
