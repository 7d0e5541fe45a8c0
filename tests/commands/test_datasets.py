"""``flambeau datasets list`` / ``info``."""

from flambeau.cli import main
from flambeau.datasets import locate
from tests.helpers import data_dir


def test_list_shows_every_dataset_and_where(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(locate, "SYSTEM_DATA_DIR", tmp_path / "system")
    monkeypatch.setenv("FLAMBEAU_DATA", str(data_dir("mnist").parent))
    assert main(["datasets", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "status", "size", "where"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert list(rows) == ["usps", "mnist", "fashion-mnist", "kmnist", "iris", "digits"]
    assert rows["usps"][1] == "embedded" and rows["usps"][2:4] == ["1.9", "MB"]
    assert rows["mnist"][1] == "found" and rows["mnist"][4:] == [str(data_dir("mnist")), "($FLAMBEAU_DATA)"]
    assert rows["kmnist"][1] == "missing" and rows["iris"][1] == "bundled"


def _counts(out: str) -> dict[int, list[int]]:
    """label -> [train, test] from the class-count table."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["label", "name"])
    return {int(line.split()[0]): [int(v) for v in line.split()[-2:]] for line in lines[start + 1:]}


def test_info_prints_sizes_and_class_counts(capsys):
    assert main(["datasets", "info", "usps"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usps: embedded")
    assert "  zip.train.gz" in out and "1.5 MB" in out
    assert "train: 7291 samples of shape (16, 16), float32, values in [0, 1]" in out
    assert "test:  2007 samples" in out
    counts = _counts(out)
    assert counts[0] == [1194, 359] and sum(c[0] for c in counts.values()) == 7291


def test_info_of_a_missing_idx_dataset_explains_and_fails(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("FLAMBEAU_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(locate, "SYSTEM_DATA_DIR", tmp_path / "system")
    assert main(["datasets", "info", "kmnist"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("kmnist: missing, not here; a load downloads it from https://codh.rois.ac.jp/")
    assert "Download: not attempted (download=False)" in out


def test_info_unknown_name(capsys):
    assert main(["datasets", "info", "cifar"]) == 2
    assert capsys.readouterr().out.strip() == ("unknown dataset 'cifar'; known: usps, mnist, fashion-mnist, "
                                               "kmnist, iris, digits")


def test_info_reads_a_data_dir(capsys, tmp_path):
    rows = "\n".join(" ".join([str(label)] + ["-1"] * 256) for label in (1, 2, 1))
    (tmp_path / "zip.train").write_text(rows)
    (tmp_path / "zip.test").write_text(rows)
    assert main(["datasets", "info", "usps", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"usps: found, {tmp_path} (data_dir)" in out and "train: 3 samples" in out
    assert _counts(out)[1] == [2, 2] and _counts(out)[2] == [1, 1] and _counts(out)[0] == [0, 0]
