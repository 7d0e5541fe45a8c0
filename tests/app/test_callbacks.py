import pytest

from flambeau.app.callbacks import FORM_FIELDS, parse_form
from flambeau.app.jobs import JobRunner
from flambeau.signatures import SignatureConfig

FORM = {"form-dataset": "usps", "form-classes": "1 7", "form-n": 50, "form-hidden": "16 8",
        "form-anomalies": "4, 3", "form-epochs": 10, "form-activation": "tanh", "form-projection": "pca",
        "form-method": "hdbscan"}


def test_the_form_becomes_a_config():
    config = parse_form(FORM)
    assert config == SignatureConfig(classes=(1, 7), n_per_class=50, hidden=(16, 8), anomalies=(4, 3),
                                 epochs=10, activation="tanh", projection="pca", method="hdbscan")
    assert parse_form({**FORM, "form-classes": "7 1", "form-n": 50.0, "form-anomalies": ""}).anomalies == ()


def test_every_form_field_is_a_config_field_and_omitted_fields_keep_their_defaults():
    assert set(FORM_FIELDS.values()) <= set(SignatureConfig.__dataclass_fields__)
    assert parse_form({"form-classes": "1 7", "form-anomalies": "4"}) == SignatureConfig(classes=(1, 7),
                                                                                      anomalies=(4,))
    with pytest.raises(ValueError, match=r"unknown form fields \['form-bogus'\]"):
        parse_form({"form-bogus": 1})


@pytest.mark.parametrize("key, value, message", [
    ("form-classes", "1 seven", "classes must be integers separated by spaces, got '1 seven'"),
    ("form-n", None, "samples / class must be a whole number, got None"),
    ("form-n", 2.5, "samples / class must be a whole number, got 2.5"),
    ("form-hidden", "", "SignatureConfig: hidden must give 1 to 10 layer widths, got []"),
    ("form-anomalies", "7", "SignatureConfig: anomalies must not be trained classes, got [7] in both"),
    ("form-n", -3, "SignatureConfig: n_per_class must be an integer >= 2, got -3"),
    ("form-n", [1], "samples / class must be a whole number, got [1]"),
    ("form-n", True, "samples / class must be a whole number, got True"),
    ("form-n", 10**400, f"samples / class must be a whole number, got {10**400!r}"),
    ("form-epochs", "1e999", "epochs must be a whole number, got '1e999'"),
    ("form-epochs", "nan", "epochs must be a whole number, got 'nan'"),
    ("form-epochs", "abc", "epochs must be a whole number, got 'abc'"),
    ("form-classes", ["1", "7"], "classes must be integers separated by spaces, got ['1', '7']"),
    ("form-hidden", "1" * 5000, f"hidden widths must be integers separated by spaces, got {'1' * 5000!r}"),
    ("form-dataset", ["usps"], "dataset must be a name, got ['usps']"),
    ("form-activation", None, "activation must be a name, got None"),
])
def test_impossible_form_values_give_messages(key, value, message):
    with pytest.raises(ValueError) as info:
        parse_form({**FORM, key: value})
    assert str(info.value) == message


def test_a_failing_study_is_reported_and_a_second_one_waits(tmp_path):
    jobs = JobRunner(tmp_path)
    assert jobs.state()["status"] == "idle"
    config = SignatureConfig(classes=(1, 5), n_per_class=1000, projection="pca")  # USPS has 556 fives
    assert jobs.start(config) == "started signature_15_1000"
    jobs.join(60)
    state = jobs.state()
    assert state["status"] == "failed"
    assert state["message"] == ("signature_15_1000 failed: ValueError: run_signatures: the training "
                                "split holds 556 images of class 5, fewer than n_per_class=1000")
