"""Activation signatures: which path does each input take through a trained network?

A sample's signature is ``S = (c_1, ..., c_L)``, its cluster in each hidden layer. ``record``
gets the activations, ``cluster_layers`` clusters each layer (k by silhouette), ``paths``
counts signatures and builds the Sankey flows, ``score_paths`` answers the report's questions
with numbers, and ``study`` / ``run_study`` do everything and write a run folder for the app.
"""

from .clustering import CLUSTERERS, LayerClustering, cluster_layers
from .config import StudyConfig
from .paths import Paths, paths
from .projection import project, project_layers
from .record import hidden_groups, record
from .scores import (
    SEPARATION_THRESHOLD,
    anomaly_routing,
    layer_scores,
    majority_paths,
    path_entropy,
    score_paths,
    separation_layer,
)
from .study import analyse, build_network, run_study, study, study_from_activations

__all__ = [
    "CLUSTERERS",
    "LayerClustering",
    "Paths",
    "SEPARATION_THRESHOLD",
    "StudyConfig",
    "analyse",
    "anomaly_routing",
    "build_network",
    "cluster_layers",
    "hidden_groups",
    "layer_scores",
    "majority_paths",
    "path_entropy",
    "paths",
    "project",
    "project_layers",
    "record",
    "run_study",
    "score_paths",
    "separation_layer",
    "study",
    "study_from_activations",
]
