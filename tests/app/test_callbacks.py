import pytest

from flambeau.app.callbacks import parse_form
from flambeau.app.jobs import JobRunner
from flambeau.signatures import StudyConfig

FORM = ("usps", "1 7", 50, "16 8", "4, 3", 10, "tanh", "pca", "hdbscan")


def test_the_form_becomes_a_config():
    config = parse_form(*FORM)
    assert config == StudyConfig(classes=(1, 7), n_per_class=50, hidden=(16, 8), anomalies=(4, 3),
                                 epochs=10, activation="tanh", projection="pca", method="hdbscan")
    assert parse_form("usps", "7 1", 50.0, "16", "", 10, "relu", "umap").anomalies == ()


@pytest.mark.parametrize("index, value, message", [
    (1, "1 seven", "classes must be integers separated by spaces, got '1 seven'"),
    (2, None, "samples / class must be a whole number, got None"),
    (2, 2.5, "samples / class must be a whole number, got 2.5"),
    (3, "", "StudyConfig: hidden must give 1 to 6 layer widths, got []"),
    (4, "7", "StudyConfig: anomalies must not be trained classes, got [7] in both"),
    (2, -3, "StudyConfig: n_per_class must be an integer >= 2, got -3"),
])
def test_impossible_form_values_give_messages(index, value, message):
    values = list(FORM)
    values[index] = value
    with pytest.raises(ValueError) as info:
        parse_form(*values)
    assert str(info.value) == message


def test_a_failing_study_is_reported_and_a_second_one_waits(tmp_path):
    jobs = JobRunner(tmp_path)
    assert jobs.state()["status"] == "idle"
    config = StudyConfig(classes=(1, 5), n_per_class=1000, projection="pca")  # USPS has 556 fives
    assert jobs.start(config) == "started signature_15_1000"
    jobs.join(60)
    state = jobs.state()
    assert state["status"] == "failed"
    assert state["message"] == ("signature_15_1000 failed: ValueError: study: the training split holds "
                                "556 images of class 5, fewer than n_per_class=1000")
