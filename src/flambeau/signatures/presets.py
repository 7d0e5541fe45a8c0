"""Whole experiments as data: ``flambeau signatures --preset report004`` writes every study of
report 004 and the measured anomaly studies, then a ``preset.json`` that the app shows.

Report 004 (chapter 4 and section 4.4.3): a dense network with two hidden layers of 32 and 64
units on flattened MNIST images scaled to [0, 1], one-hot labels of the kept digits in sorted
order, 100 images per digit (``cut_data``), k-means on each hidden layer with k chosen by the
mean silhouette for k = 2..10, UMAP maps and Sankey diagrams; its home page lists the
partitions 01, 137, 14, 28, 56, 69 and all digits; chapter 5 trains on 1 and 7 and feeds 4s and
3s. Where it is silent we chose: ReLU activations, softmax cross-entropy, flambeau's mini-batch
SGD (learning rate 0.05, batches of 16, 30 epochs), weights and order from seed 0, and the
analysed images drawn from the MNIST test split (100 per digit, the anomalies included), not
the training images; 10 training seeds for the intervals. The leave-one-digit-out studies
(train on nine digits, feed the tenth) use the same network and sizes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .. import files
from .config import SignatureConfig
from .run import run_signatures

__all__ = ["PRESETS", "PresetStudy", "compare_report004", "preset_studies", "run_preset"]

log = logging.getLogger(__name__)
DIGITS = tuple(range(10))
PARTITIONS = ((0, 1), (1, 3, 7), (1, 4), (2, 8), (5, 6), (6, 9), DIGITS)


@dataclass(frozen=True)
class PresetStudy:
    """One study of a preset: its group on the home page, a title and its configuration."""

    group: str
    title: str
    config: SignatureConfig


def _report004(quick: bool) -> list[PresetStudy]:
    base = SignatureConfig(dataset="mnist", classes=(1, 7), n_per_class=100, hidden=(32, 64),
                           activation="relu", epochs=30, lr=0.05, batch_size=16, k_range=(2, 10),
                           method="kmeans", projection="umap", seed=0, seeds=10)
    if quick:  # a smoke test of the whole preset: embedded USPS, tiny sizes, PCA maps
        base = replace(base, dataset="usps", n_per_class=10, epochs=3, k_range=(2, 4), projection="pca",
                       seeds=2)
    studies = []
    for classes in PARTITIONS:
        label = "all" if classes == DIGITS else "".join(map(str, classes))
        title = f"signature_{label}_{base.n_per_class}: digits {' '.join(map(str, classes))}"
        studies.append(PresetStudy("partitions (report 004's home page)", title,
                                   replace(base, classes=classes)))
    studies.append(PresetStudy("anomalies: train on 1 and 7, feed 4s and 3s (report 004, chapter 5)",
                               "1 and 7, anomalies 4 and 3", replace(base, classes=(1, 7), anomalies=(4, 3))))
    for digit in DIGITS:
        nine = tuple(d for d in DIGITS if d != digit)
        studies.append(PresetStudy("anomalies: train on nine digits, feed the tenth",
                                   f"all digits but {digit}, anomaly {digit}",
                                   replace(base, classes=nine, anomalies=(digit,))))
    return studies


PRESETS: dict[str, Callable[[bool], list[PresetStudy]]] = {"report004": _report004}
"""Preset name -> ``studies(quick) -> [PresetStudy, ...]``."""


def preset_studies(name: str, quick: bool = False) -> list[PresetStudy]:
    """The studies of the preset ``name`` (``quick``: reduced sizes, for a smoke test)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; the presets are {sorted(PRESETS)}")
    return PRESETS[name](quick)


def run_preset(name: str, runs_dir="runs", quick: bool = False, show_progress: bool = True,
               figures: bool = True, run=None) -> Path:
    """Run every study of the preset into ``runs_dir/name/<study>/`` and write
    ``runs_dir/name/preset.json`` (the studies, the anomaly table, the separation layers and, for
    report004, the comparison with the report's figures).

    Args:
        run: the study runner (``run_signatures`` by default; a test may pass a stub).

    Returns:
        the preset's folder.
    """
    studies = preset_studies(name, quick)
    run = run or run_signatures
    folder = Path(runs_dir) / name
    rows = []
    bar = tqdm(studies, desc=f"preset {name}", unit="study", disable=not show_progress)
    for i, study in enumerate(bar, 1):
        log.info("preset %s: study %d/%d, %s", name, i, len(studies), study.title)
        bar.set_postfix_str(study.title)
        path = run(study.config, folder, show_progress=show_progress, figures=figures and not quick)
        rows.append((study, path))
    summary = preset_summary(name, rows, quick)
    files.write_json(folder / "preset.json", summary)
    return folder


def _mean(entry) -> float:
    return entry["mean"] if isinstance(entry, dict) else entry


def _anomaly_rows(study_name: str, summary: dict) -> list[dict]:
    section = summary.get("anomaly_detection")
    if not section:
        return []
    over = section.get("over_seeds", {}).get("metrics")
    rows = []
    for split, by_detector in section["metrics"].items():
        n_seeds = len(summary.get("uncertainty", {}).get("seeds", [0]))
        row = {"study": study_name, "anomaly": split, "n_seeds": n_seeds}
        for detector in ("path", "msp", "mahalanobis", "glosh"):
            source = over[split][detector] if over else by_detector[detector]
            row[detector] = {m: ({"mean": source[m]["mean"], "ci": source[m]["ci"]} if over
                                 else {"mean": source[m], "ci": None}) for m in ("auroc", "fpr95")}
        verdict = next((v for v in section.get("verdicts", []) if v["split"] == split), None)
        row["outcome"] = verdict["outcome"] if verdict else None
        rows.append(row)
    return rows


def preset_summary(name: str, rows: list[tuple[PresetStudy, Path]], quick: bool) -> dict:
    """The preset's ``preset.json`` from its studies' run folders."""
    studies, anomaly_table = [], []
    for study, path in rows:
        summary = files.read_json(path / "study.json")
        separation = summary.get("uncertainty", {}).get("separation") or {}
        first = summary["scores"]["separation"]["first_layer"]
        studies.append({"name": path.name, "path": f"{name}/{path.name}", "group": study.group,
                        "title": study.title, "classes": list(study.config.classes),
                        "anomalies": list(study.config.anomalies), "accuracy": summary.get("accuracy"),
                        "separation": separation.get("text") or f"first layer with purity >= 0.95: {first}"})
        anomaly_table += _anomaly_rows(f"{name}/{path.name}", summary)
    result = {"name": name, "quick": quick, "created": datetime.now(UTC).isoformat(timespec="seconds"),
              "command": f"flambeau signatures --preset {name}" + (" --quick" if quick else ""),
              "studies": studies, "anomaly_table": anomaly_table}
    if name == "report004":
        anomaly_study = next(path for study, path in rows if study.config.anomalies == (4, 3))
        result["comparison"] = compare_report004(anomaly_study)
    return result


def _owners(clusters: np.ndarray, y: np.ndarray) -> dict[int, int]:
    """Majority class of each cluster."""
    owners = {}
    for c in np.unique(clusters):
        values, counts = np.unique(y[clusters == c], return_counts=True)
        owners[int(c)] = int(values[np.argmax(counts)])
    return owners


def compare_report004(folder) -> list[dict]:
    """Report 004's figures (chapter 5) against the study ``folder`` (1 and 7, anomalies 4, 3).

    Read on the first hidden layer (the report: "from the first hidden layer"), a cluster
    belonging to the known class holding most of its known images.

    Returns:
        ``[{"figure", "report", "measured"}, ...]``, the measured values as text.
    """
    folder = Path(folder)
    summary = files.read_json(folder / "study.json")
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        clusters, y, is_anomaly = npz["clusters"], npz["y_true"], npz["is_anomaly"].astype(bool)
    first = clusters[:, 0]
    known = ~is_anomaly
    owners = _owners(first[known], y[known])
    owner = np.array([owners.get(int(c), -1) for c in first])
    own_share = {c: float(np.mean(owner[known & (y == c)] == c)) for c in (1, 7)}
    sevens_with_ones = int(np.sum(known & (y == 7) & (owner == 1)))
    n_sevens = int(np.sum(known & (y == 7)))
    routing = summary["scores"]["anomalies"]
    layer_names = list(routing["4"]["routing"])
    first_name, last_name = layer_names[0], layer_names[-1]

    def shares(a: str, layer: str) -> str:
        r = routing[a]["routing"][layer]
        return ", ".join(f"{k}: {100 * r[k]:.0f} %" for k in ("1", "7", "none"))

    purity = summary.get("uncertainty", {}).get("layers", {}).get(first_name, {}).get("purity")
    purity_text = (f"; purity of {first_name} over {len(purity['values'])} seeds {purity['mean']:.3f} "
                   f"[{purity['ci'][0]:.3f}, {purity['ci'][1]:.3f}]") if purity else ""
    return [
        {"figure": "1s and 7s in their own cluster from the first hidden layer", "report": "97 % on average",
         "measured": f"1s {100 * own_share[1]:.0f} %, 7s {100 * own_share[7]:.0f} % "
                     f"(mean {50 * (own_share[1] + own_share[7]):.0f} %) in {first_name}{purity_text}"},
        {"figure": "7s in the 1s' cluster from the first hidden layer", "report": "4 (of about 100)",
         "measured": f"{sevens_with_ones} of {n_sevens}"},
        {"figure": "4s routed with the 7s", "report": "most 4s, from the first hidden layer",
         "measured": f"{first_name}: {shares('4', first_name)}; {last_name}: {shares('4', last_name)}; "
                     f"{routing['4']['distinct_paths']} distinct paths, entropy "
                     f"{routing['4']['path_entropy_bits']:.2f} bits"},
        {"figure": "3s spread", "report": "grouped haphazardly",
         "measured": f"{first_name}: {shares('3', first_name)}; {last_name}: {shares('3', last_name)}; "
                     f"{routing['3']['distinct_paths']} distinct paths, entropy "
                     f"{routing['3']['path_entropy_bits']:.2f} bits"},
    ]
