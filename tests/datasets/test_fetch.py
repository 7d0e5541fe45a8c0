"""Search order of dataset folders and the not-found message."""

import gzip

import pytest

from flambeau.datasets.fetch import fetch_dataset, find_dataset
from flambeau.datasets.locate import DatasetNotFoundError, cache_dir, search_locations
from tests.datasets.tiny_idx import tiny_spec, write_tiny


def test_search_order(isolated, monkeypatch):
    monkeypatch.setenv("FLAMBEAU_DATA", str(isolated / "shared"))
    locations = search_locations("mnist", data_dir=isolated / "mine")
    assert [loc.origin for loc in locations] == ["data_dir", "data_dir", "$FLAMBEAU_DATA",
                                                 "user cache", "system"]
    assert [loc.path for loc in locations] == [
        isolated / "mine", isolated / "mine" / "mnist", isolated / "shared" / "mnist",
        isolated / "cache" / "flambeau" / "mnist", isolated / "system" / "mnist"]


def test_cache_defaults_to_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir("kmnist") == tmp_path / ".cache" / "flambeau" / "kmnist"


@pytest.mark.parametrize("place", ["data_dir", "env", "cache", "system"])
def test_each_place_is_found(isolated, monkeypatch, place):
    spec = tiny_spec()
    folder = {"data_dir": isolated / "mine", "env": isolated / "shared" / spec.name,
              "cache": isolated / "cache" / "flambeau" / spec.name,
              "system": isolated / "system" / spec.name}[place]
    write_tiny(folder)
    monkeypatch.setenv("FLAMBEAU_DATA", str(isolated / "shared"))
    location, paths = find_dataset(spec, data_dir=isolated / "mine")
    assert location.path == folder
    assert [p.name for p in paths] == [f.name for f in spec.files]


def test_earlier_place_wins_and_incomplete_folders_are_skipped(isolated, monkeypatch):
    spec = tiny_spec()
    write_tiny(isolated / "system" / spec.name)
    write_tiny(isolated / "cache" / "flambeau" / spec.name)
    incomplete = write_tiny(isolated / "mine")
    (incomplete / spec.test_labels.name).unlink()
    location, _ = find_dataset(spec, data_dir=incomplete)
    assert location.origin == "user cache"


def test_uncompressed_files_are_accepted(isolated):
    spec = tiny_spec()
    folder = write_tiny(isolated / "mine")
    for file in spec.files:
        with gzip.open(folder / file.name) as f:
            (folder / file.name[:-3]).write_bytes(f.read())
        (folder / file.name).unlink()
    paths = fetch_dataset(spec, data_dir=folder, download=False)
    assert [p.name for p in paths] == [f.name[:-3] for f in spec.files]


def test_not_found_message_lists_places_and_how_to_fix(isolated):
    spec = tiny_spec()
    partial = write_tiny(isolated / "mine")
    (partial / spec.train_labels.name).unlink()
    with pytest.raises(DatasetNotFoundError) as info:
        fetch_dataset(spec, data_dir=partial, download=False, where="load_tiny")
    message = str(info.value)
    assert message.startswith("load_tiny: Tiny not found. Searched, in order:\n")
    assert f"  - {partial} (data_dir): missing train-labels-idx1-ubyte.gz\n" in message
    assert f"  - {isolated / 'system' / spec.name} (system): no such folder\n" in message
    assert "FLAMBEAU_DATA is not set" in message
    unset = "  - $FLAMBEAU_DATA/tiny-test: not searched, FLAMBEAU_DATA is not set\n"
    assert f"{unset}  - {isolated / 'cache'}" in message  # listed where it would be searched
    assert "Download: not attempted (download=False)" in message
    assert "set FLAMBEAU_DATA=/some/folder holding tiny-test/, or pass data_dir=" in message
