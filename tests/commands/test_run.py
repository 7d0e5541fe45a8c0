"""``flambeau run`` and ``flambeau list`` from the command line."""

import json
import shlex

from flambeau.cli import main
from flambeau.experiments import all_studies


def test_list_prints_one_line_per_study(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(all_studies())


def test_run_tiny_study_writes_its_folder_and_prints_the_comparison(tmp_path, capsys):
    assert main(["run", "gradcheck", "--tiny", "--out", str(tmp_path), "--seed", "3", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "gradcheck: ok in" in printed and "published 1e-6 to 1e-12" in printed
    config = json.loads((tmp_path / "gradcheck" / "config.json").read_text())
    assert config["seed"] == 3 and config["size"] == "tiny"
    assert main(["run", "--config", str(tmp_path / "gradcheck" / "config.json"), "--no-progress"]) == 0


def test_run_unknown_study_names_the_known_ones(capsys):
    assert main(["run", "nope"]) == 2
    assert "unknown study 'nope'; known studies: quickstart" in capsys.readouterr().out


def test_set_overrides_config_fields_and_names_bad_ones(tmp_path, capsys):
    args = ["run", "overfit", "--tiny", "--out", str(tmp_path), "--no-progress", "--set", "max_steps=7",
            "--set", "hidden=4"]
    assert main(args) == 0
    config = json.loads((tmp_path / "overfit" / "config.json").read_text())["config"]
    assert config["max_steps"] == 7 and config["hidden"] == 4
    assert main(["run", "overfit", "--set", "bogus=1"]) == 2
    assert "--set expects FIELD=VALUE with FIELD one of" in capsys.readouterr().out
    record = json.loads((tmp_path / "overfit" / "config.json").read_text())
    assert record["command"].startswith(f"flambeau run overfit --size tiny --seed 0 --out {tmp_path} --set ")
    assert "--set hidden=4" in record["command"] and "--set max_steps=7" in record["command"]
    again = tmp_path / "again"
    rerun = shlex.split(record["command"].replace(str(tmp_path), str(again)))[1:]
    assert main([*rerun, "--no-progress"]) == 0
    assert json.loads((again / "overfit" / "config.json").read_text())["config"] == record["config"]
