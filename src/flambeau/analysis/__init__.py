"""Autoencoder and latent-space studies: functions returning numbers and writing PNG figures.

Each study takes a trained model and data (plus ``out_dir`` for figures, ``seed`` and size
limits) and returns a dict of plain numbers (and figure paths), ready for a JSON report.
"""

from .classification import classifier_scores, latent_classification_study
from .clustering import clustering_scores, kmeans_scores, latent_clustering_study
from .codes import encode, subsample
from .denoising import NOISES, corruption, denoising_study, inpainting_study
from .embedding import latent_maps_study, scatter_figure, tsne_map, umap_map
from .figures import image_grid
from .fitting import per_feature_loss, train_autoencoder
from .reconstruction import reconstruction_study

__all__ = [
    "NOISES",
    "classifier_scores",
    "clustering_scores",
    "corruption",
    "denoising_study",
    "encode",
    "image_grid",
    "inpainting_study",
    "kmeans_scores",
    "latent_classification_study",
    "latent_clustering_study",
    "latent_maps_study",
    "per_feature_loss",
    "reconstruction_study",
    "scatter_figure",
    "subsample",
    "train_autoencoder",
    "tsne_map",
    "umap_map",
]
