"""Study records: sizes and frozen configs are enforced; configs round-trip through config.json."""

import dataclasses
from dataclasses import dataclass

import pytest

from flambeau.experiments import SIZES, Study


@dataclass(frozen=True)
class Config:
    epochs: int = 3
    sizes: tuple = (1, 2)
    variants: tuple = ({"name": "a", "lr": 0.1},)


@dataclass
class Mutable:
    epochs: int = 3


def _study(**configs):
    return Study("demo", "Demo", "a demo", lambda cfg, ctx: {}, configs)


def test_every_size_must_be_declared():
    with pytest.raises(ValueError, match=r"Study 'demo': configs must define sizes .*missing \['full'\]"):
        _study(tiny=Config(), quick=Config())


def test_configs_must_be_frozen_dataclasses():
    with pytest.raises(TypeError, match="config 'quick' must be a frozen dataclass, got Mutable"):
        _study(tiny=Config(), quick=Mutable(), full=Config())


def test_unknown_size_is_refused():
    study = _study(**{size: Config() for size in SIZES})
    with pytest.raises(ValueError, match="size must be one of"):
        study.config("huge")


def test_config_round_trips_through_json_values():
    study = _study(**{size: Config(epochs=i) for i, size in enumerate(SIZES)})
    as_json = {"epochs": 7, "sizes": [4, 5], "variants": [{"name": "b", "lr": 0.2}]}
    config = study.config_from_dict(as_json)
    assert config == Config(epochs=7, sizes=(4, 5), variants=({"name": "b", "lr": 0.2},))
    assert dataclasses.asdict(config)["sizes"] == (4, 5)


def test_config_from_dict_names_unknown_fields():
    study = _study(**{size: Config() for size in SIZES})
    with pytest.raises(ValueError, match=r"unknown config fields \['bogus'\]"):
        study.config_from_dict({"bogus": 1})
