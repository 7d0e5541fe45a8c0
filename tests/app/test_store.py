import json
import shutil

import numpy as np
import pytest

from flambeau.app.store import RunError, list_presets, list_runs, load_run


def test_list_and_load_the_tiny_study(runs_dir):
    rows = list_runs(runs_dir)
    assert [r["name"] for r in rows] == ["signature_17_30_a4"]
    assert rows[0]["classes"] == [1, 7] and rows[0]["n_per_class"] == 30 and 0 <= rows[0]["accuracy"] <= 1
    study = load_run(runs_dir, "signature_17_30_a4")
    assert study.n == 75 and study.layer_names == ["layer1_ReLU", "layer2_ReLU"]
    assert study.paths.link_value.sum() == 75 * 3  # every sample crosses 3 column gaps
    assert load_run(runs_dir, "signature_17_30_a4") is study  # cached until the files change


@pytest.mark.parametrize("name, message", [
    ("nope", "unknown study 'nope': no nope/study.json in"),
    ("../etc", "unknown study '../etc': names hold letters, digits, '_', '.' and '-'"),
    ("a/../etc", "unknown study 'a/../etc': names hold letters, digits, '_', '.' and '-', in at most 3"),
    ("a//b", "unknown study 'a//b': names hold"),
    ("a/b/c/d", "unknown study 'a/b/c/d': names hold"),
    ("/etc", "unknown study '/etc': names hold"),
    ("quickstart/.hidden", "unknown study 'quickstart/.hidden': names hold"),
    ("quickstart/signature_17_30_a4", "unknown study 'quickstart/signature_17_30_a4': no "
                                      "quickstart/signature_17_30_a4/study.json in"),
])
def test_unknown_studies_give_a_message(runs_dir, name, message):
    with pytest.raises(RunError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_run(runs_dir, name)


def _copy(runs_dir, tmp_path, name="broken"):
    target = tmp_path / name
    shutil.copytree(runs_dir / "signature_17_30_a4", target)
    return target


def test_malformed_run_folders_give_a_message(runs_dir, tmp_path):
    folder = _copy(runs_dir, tmp_path, "badjson")
    (folder / "study.json").write_text("{not json")
    with pytest.raises(RunError, match="study 'badjson': study.json is unreadable"):
        load_run(tmp_path, "badjson")
    folder = _copy(runs_dir, tmp_path, "noarrays")
    (folder / "arrays.npz").unlink()
    with pytest.raises(RunError, match="study 'noarrays': arrays.npz is missing"):
        load_run(tmp_path, "noarrays")
    folder = _copy(runs_dir, tmp_path, "badshape")
    with np.load(folder / "arrays.npz") as npz:
        arrays = dict(npz)
    arrays["clusters"] = arrays["clusters"][:10]
    np.savez(folder / "arrays.npz", **arrays)
    with pytest.raises(RunError, match=r"study 'badshape': arrays.npz\['clusters'\] has shape \(10, 2\), "
                                         r"expected \(75, 2\)"):
        load_run(tmp_path, "badshape")
    folder = _copy(runs_dir, tmp_path, "garbage")
    (folder / "arrays.npz").write_bytes(b"garbage")
    with pytest.raises(RunError, match="study 'garbage': arrays.npz is unreadable"):
        load_run(tmp_path, "garbage")
    rows = {r["name"]: r for r in list_runs(tmp_path)}
    assert "study.json is unreadable" in rows["badjson"]["error"]
    assert rows["badshape"]["classes"] == [1, 7]


def test_listing_a_missing_folder_is_empty(tmp_path):
    assert list_runs(tmp_path / "none") == []
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "study.json").write_text(json.dumps({"no": "config"}))
    assert list_runs(tmp_path)[0]["error"] == "study 'x': study.json lacks its 'config' section"


def test_a_study_of_foreign_activations_opens_in_the_app(tmp_path, rng):
    from flambeau.app.pages import home_page, run_page
    from flambeau.signatures import signatures_from_activations

    y = np.repeat([0, 1], 15)
    acts = {"fc1": np.eye(2)[y] + 0.01 * rng.normal(size=(30, 2))}
    signatures_from_activations(acts, y, y, tmp_path, "torch_run", k_range=(2, 3), projection="pca",
                                figures=False)
    rows = list_runs(tmp_path)
    assert rows[0]["name"] == "torch_run" and rows[0]["n_per_class"] is None
    study = load_run(tmp_path, "torch_run")
    assert study.image_shape == (1, 1) and study.layer_names == ["fc1"]
    assert "torch_run" in str(home_page(rows)) and "fc1" in str(run_page(study))


def test_studies_nested_in_run_folders_are_listed_with_their_group(runs_dir, tmp_path):
    shutil.copytree(runs_dir / "signature_17_30_a4", tmp_path / "top")
    shutil.copytree(runs_dir / "signature_17_30_a4", tmp_path / "quickstart" / "signature_17_30_a4")
    shutil.copytree(runs_dir / "signature_17_30_a4", tmp_path / "a" / "b" / "deep")
    shutil.copytree(runs_dir / "signature_17_30_a4", tmp_path / "a" / "b" / "c" / "too_deep")
    shutil.copytree(runs_dir / "signature_17_30_a4", tmp_path / "quickstart" / ".tmp-being-written")
    rows = {r["name"]: r["group"] for r in list_runs(tmp_path)}
    assert rows == {"top": "", "quickstart/signature_17_30_a4": "quickstart", "a/b/deep": "a/b"}
    study = load_run(tmp_path, "quickstart/signature_17_30_a4")
    assert study.n == 75 and study.name == "quickstart/signature_17_30_a4"


def test_presets_are_read_from_their_folders(tmp_path):
    (tmp_path / "report004").mkdir()
    (tmp_path / "report004" / "preset.json").write_text(json.dumps({"name": "report004", "studies": []}))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "preset.json").write_text("{not json")
    assert list_presets(tmp_path) == {"report004": {"name": "report004", "studies": []}}
    assert list_presets(tmp_path / "none") == {}
