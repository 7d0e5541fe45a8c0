"""The explicit registry of studies: ``STUDY_MODULES`` lists the modules that declare them.

Each listed module exposes ``STUDIES``, a tuple of ``Study`` records. Nothing is discovered by
scanning: to add a study, declare it in a module and list the module here.
"""

from __future__ import annotations

import importlib

from .spec import Study

__all__ = ["STUDY_MODULES", "all_studies", "get_study", "study_names"]

STUDY_MODULES = (
    "flambeau.experiments.studies_quickstart",
    "flambeau.experiments.studies_linear",
    "flambeau.experiments.studies_multiclass",
    "flambeau.experiments.studies_checks",
    "flambeau.experiments.studies_moons",
    "flambeau.experiments.studies_cnn",
    "flambeau.experiments.studies_autoencoder",
    "flambeau.experiments.studies_signatures",
)

_cache: dict[str, Study] | None = None


def all_studies() -> dict[str, Study]:
    """Name -> ``Study``, in the order of ``STUDY_MODULES``."""
    global _cache
    if _cache is None:
        studies: dict[str, Study] = {}
        for module_name in STUDY_MODULES:
            for study in importlib.import_module(module_name).STUDIES:
                if study.name in studies:
                    raise ValueError(f"registry: study {study.name!r} declared twice "
                                     f"(again in {module_name})")
                studies[study.name] = study
        _cache = studies
    return _cache


def study_names() -> list[str]:
    return list(all_studies())


def get_study(name: str) -> Study:
    """The study called ``name``; the error lists the known names."""
    studies = all_studies()
    if name not in studies:
        raise KeyError(f"unknown study {name!r}; known studies: {', '.join(studies)}")
    return studies[name]
