"""The registry: explicit module list, unique names, every study declared as data."""

import dataclasses

import pytest

from flambeau.experiments import SIZES, all_studies, get_study
from flambeau.experiments.registry import STUDY_MODULES

EXPECTED = {"signatures", "quickstart", "linear", "nonlinear", "minibatch", "multiclass-usps",
            "multiclass-datasets", "mnist-mlp", "gradcheck", "overfit", "regression", "moons", "cnn",
            "autoencoder-usps", "autoencoder-fashion", "autoencoder-denoise", "autoencoder-grid"}


def test_every_study_of_the_issue_is_registered():
    assert set(all_studies()) == EXPECTED
    assert all(name.startswith("flambeau.experiments.studies_") for name in STUDY_MODULES)


def test_studies_are_data_with_three_sizes_and_references():
    for name, study in all_studies().items():
        assert study.name == name and study.summary and study.title
        for size in SIZES:
            config = study.config(size)
            assert dataclasses.is_dataclass(config) and config.__dataclass_params__.frozen
        assert study.references, f"{name} has no published number to compare with"


def test_unknown_study_lists_the_known_ones():
    with pytest.raises(KeyError, match="unknown study 'nope'; known studies: quickstart, linear"):
        get_study("nope")
