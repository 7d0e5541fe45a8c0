import dataclasses

import pytest

from flambeau.signatures import SignatureConfig


def test_defaults_follow_the_report_and_name_the_folder():
    config = SignatureConfig()
    assert (config.classes, config.n_per_class, config.hidden) == ((1, 7), 100, (32, 64))
    assert config.k_range == (2, 10)
    assert config.name == "signature_17_100"
    other = SignatureConfig(classes=(7, 3, 1), anomalies=(4,), dataset="mnist")
    assert other.name == "signature_137_100_a4_mnist"
    assert SignatureConfig(classes=[1, 7]).to_dict()["classes"] == [1, 7]


def test_a_study_of_a_whole_dataset_is_named_so():
    config = SignatureConfig(dataset="fashion-mnist", classes=range(10), n_per_class=None, analysed="all",
                             hidden=(256, 128, 128, 64, 64, 32, 32, 16), init="he")
    assert config.name == "signature_0123456789_all_fashion-mnist_analysed-all"
    assert config.to_dict()["n_per_class"] is None and len(config.hidden) == 8


@pytest.mark.parametrize("kwargs, message", [
    ({"classes": (1,)}, "SignatureConfig: classes must hold at least 2 digits, got [1]"),
    ({"classes": (1, 12)}, "SignatureConfig: classes must lie in [0, 9], got [12]"),
    ({"classes": (1, 1)}, "SignatureConfig: classes must be distinct, got [1, 1]"),
    ({"anomalies": (7, 4)}, "SignatureConfig: anomalies must not be trained classes, got [7] in both"),
    ({"hidden": ()}, "SignatureConfig: hidden must give 1 to 10 layer widths, got []"),
    ({"hidden": (0, 4)}, "SignatureConfig: hidden must lie in [1, 4096], got [0]"),
    ({"n_per_class": 1}, "SignatureConfig: n_per_class must be an integer >= 2, got 1"),
    ({"epochs": 2.5}, "SignatureConfig: epochs must be an integer >= 1, got 2.5"),
    ({"lr": -1}, "SignatureConfig: the learning rate (lr, or eps) must be a positive number, got -1"),
    ({"eps": 0}, "SignatureConfig: the learning rate (lr, or eps) must be a positive number, got 0"),
    ({"lr": 20}, "SignatureConfig: lr must be a learning rate in (0, 10], got 20"),
    ({"lr": 0.1, "eps": 0.2}, "SignatureConfig: give the learning rate as lr or as eps (the course's name), "
                              "not both; got eps=0.2 and lr=0.1"),
    ({"dataset": "cifar"},
     "SignatureConfig: dataset must be one of ['mnist', 'usps', 'fashion-mnist'], got 'cifar'"),
    ({"analysed": "train"}, "SignatureConfig: analysed must be one of ['test', 'all'], got 'train'"),
    ({"init": "orthogonal"}, "SignatureConfig: init must be one of ['glorot', 'glorot_normal', 'he', "
                             "'he_uniform', 'kaiming', 'kaiming_uniform', 'normal', 'uniform', 'xavier', "
                             "'xavier_normal', 'zeros'], got 'orthogonal'"),
    ({"n_per_class": 0}, "SignatureConfig: n_per_class must be an integer >= 2, got 0"),
    ({"projection": "tsne"}, "SignatureConfig: projection must be one of ['pca', 'umap'], got 'tsne'"),
    ({"k_range": (5, 3)}, "SignatureConfig: k_range must be (low, high) with 2 <= low <= high, got [5, 3]"),
    ({"classes": ("a", 1)}, "SignatureConfig: classes must be integers, got ('a', 1)"),
])
def test_impossible_values_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError) as info:
        SignatureConfig(**kwargs)
    assert str(info.value) == message


def test_spatial_is_a_known_reduction():
    assert SignatureConfig(spatial="max").spatial == "max"
    with pytest.raises(ValueError, match=r"SignatureConfig: spatial must be one of "
                                         r"\['mean', 'max', 'flatten'\], "
                                         "got 'sum'"):
        SignatureConfig(spatial="sum")


def test_the_learning_rate_is_lr_and_the_course_eps_is_accepted_for_it():
    assert SignatureConfig().lr == 0.05
    assert SignatureConfig(eps=0.2) == SignatureConfig(lr=0.2)
    assert SignatureConfig(eps=0.2).to_dict()["lr"] == 0.2 and "eps" not in SignatureConfig().to_dict()
    assert dataclasses.replace(SignatureConfig(lr=0.2), epochs=3).lr == 0.2
