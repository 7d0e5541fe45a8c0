"""Study page pieces: the header, the thumbnails of frequent signatures, the home page groups."""

import numpy as np

from flambeau.app.pages import _header, studies_table, thumbnail_members
from flambeau.app.store import SignatureRun


def _study(y, is_anomaly, clusters, summary=None):
    n = len(y)
    arrays = {"images": np.zeros((n, 4), np.uint8), "y_true": y, "y_pred": y, "is_anomaly": is_anomaly,
              "clusters": clusters, "coords": np.zeros((clusters.shape[1], n, 2)),
              "layer_names": np.array([f"l{j}" for j in range(clusters.shape[1])])}
    summary = summary or {"config": {"classes": [1, 7], "n_per_class": 10}, "image_shape": [2, 2]}
    return SignatureRun.from_arrays("s", summary, arrays)


def test_thumbnails_show_members_of_the_row_in_proportion_with_anomalies_first():
    # row (0, 0): 40 known 1s and 7s first by index, then 12 anomalies 4; row (1, 1): other samples
    y = np.array([1] * 20 + [7] * 20 + [4] * 12 + [7] * 30)
    is_anomaly = y == 4
    clusters = np.array([[0, 0]] * 52 + [[1, 1]] * 30)
    study = _study(y, is_anomaly, clusters)
    shown = thumbnail_members(study, (0, 0), per_row=8)
    assert len(shown) == 8 and len(set(shown)) == 8
    assert np.all(np.all(study.clusters[shown] == (0, 0), axis=1))  # only members of the row
    assert study.is_anomaly[shown[0]] and study.is_anomaly[shown].sum() == 2  # 12 of 52 -> 2 of 8
    assert sorted(study.y_true[shown][2:].tolist()) == [1, 1, 1, 7, 7, 7]
    many = _study(np.arange(20), np.zeros(20, bool), np.zeros((20, 1), np.int64))
    assert len(thumbnail_members(many, (0,), per_row=8)) == 8  # more classes than thumbnails
    few = thumbnail_members(study, (1, 1), per_row=40)
    assert sorted(few) == list(range(52, 82))


def test_a_study_of_outside_activations_does_not_claim_none_images_per_class():
    y = np.array([0, 1, 0, 1])
    outside = {"config": {"classes": [0, 1], "n_per_class": None}, "image_shape": [2, 2]}
    text = str(_header(_study(y, np.zeros(4, bool), np.zeros((4, 1), np.int64), outside)))
    assert "None training" not in text and "activations recorded outside flambeau" in text
    with_train = {**outside, "n_train": 80}
    assert "80 training images" in str(_header(_study(y, np.zeros(4, bool), np.zeros((4, 1), np.int64),
                                                      with_train)))


def test_the_home_page_groups_nested_studies_in_the_order_of_their_preset():
    names = (("top", ""), ("report004/b", "report004"), ("report004/a", "report004"), ("q/x", "q"))
    rows = [{"name": n, "group": g, "dataset": "mnist", "classes": [1, 7], "anomalies": [],
             "n_per_class": 100, "accuracy": 0.9, "created": ""} for n, g in names]
    preset = {"command": "flambeau signatures --preset report004",
              "studies": [{"path": "report004/b"}, {"path": "report004/a"}], "anomaly_table": [],
              "comparison": [{"figure": "4s routed with the 7s", "report": "most", "measured": "80 %"}]}
    text = str(studies_table(rows, {"report004": preset}))
    assert text.index("'top'") < text.index("report004: flambeau signatures --preset report004")
    assert text.index("children='b'") < text.index("children='a'")  # the preset's order
    assert "4s routed with the 7s" in text and "q/" in text
