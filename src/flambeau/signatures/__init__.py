"""Activation signatures: which path does each input take through a trained network?

A sample's signature is ``S = (c_1, ..., c_L)``, its cluster in each hidden layer. ``record``
gets the activations of a flambeau network (``record_torch``, ``record_keras`` and
``record_onnx`` those of a PyTorch module, a Keras 3 model or an ONNX file: optional extras,
imported only when called), ``cluster_layers`` clusters each layer (k by silhouette), ``paths``
counts signatures and builds the Sankey flows, ``score_paths`` answers the report's questions
with numbers, and ``run_signatures`` does everything and write a run folder for the app.

Measured on top (``measure_study``): anomaly detection by the path-rarity score
(``fit_path_rarity``) against MSP, Mahalanobis and GLOSH (``GloshModel``), with AUROC and FPR at
95 % TPR (``anomaly_scores``, ``evaluate_detectors``), and the layer scores over training seeds
with bootstrap intervals and a linear probe (``SignatureConfig(seeds=10)``). ``run_preset``
runs a whole experiment (``"report004"``).
"""

from .anomaly import anomaly_scores, evaluate_detectors
from .clustering import CLUSTERERS, LayerClustering, cluster_layers
from .config import SignatureConfig
from .glosh import GloshModel
from .keras_record import record_keras
from .measures import measure_study
from .onnx_record import OnnxModel, record_onnx
from .path_rarity import PathRarity, fit_path_rarity
from .paths import Paths, paths
from .presets import PRESETS, run_preset
from .projection import project, project_layers
from .record import hidden_groups, record
from .run import analyse, build_network, run_signatures, signatures_from_activations
from .scores import (
    SEPARATION_THRESHOLD,
    anomaly_routing,
    layer_scores,
    majority_paths,
    path_entropy,
    score_paths,
    separation_layer,
)
from .spatial import SPATIAL, reduce_spatial
from .torch_record import record_torch

__all__ = [
    "CLUSTERERS",
    "GloshModel",
    "LayerClustering",
    "OnnxModel",
    "PRESETS",
    "PathRarity",
    "Paths",
    "SEPARATION_THRESHOLD",
    "SPATIAL",
    "SignatureConfig",
    "analyse",
    "anomaly_routing",
    "anomaly_scores",
    "build_network",
    "cluster_layers",
    "evaluate_detectors",
    "fit_path_rarity",
    "hidden_groups",
    "layer_scores",
    "majority_paths",
    "measure_study",
    "path_entropy",
    "paths",
    "project",
    "project_layers",
    "record",
    "record_keras",
    "record_onnx",
    "record_torch",
    "reduce_spatial",
    "run_preset",
    "run_signatures",
    "score_paths",
    "separation_layer",
    "signatures_from_activations",
]
