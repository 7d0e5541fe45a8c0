"""Reports: dotted look-ups, skipped parts, self-contained HTML with our numbers beside theirs."""

import base64
from dataclasses import dataclass
from pathlib import Path

from flambeau.experiments import Reference, Study
from flambeau.experiments.context import Figure, Table
from flambeau.experiments.report import comparison_rows, format_value, lookup, render_index, render_report
from flambeau.experiments.spec import Setting

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
                       "awAAAABJRU5ErkJggg==")


@dataclass(frozen=True)
class Config:
    n: int = 1


STUDY = Study("demo", "A demo study", "summary", lambda c, x: {},
              {s: Config() for s in ("tiny", "quick", "full")},
              references=(Reference("runs.noise_0.5.accuracy", "accuracy at noise 0.5", 0.73, "report 000"),
                          Reference("parts.kmnist.accuracy", "KMNIST accuracy", 0.80, "report 001")),
              source="report 000")
METRICS = {"runs": {"noise_0.5": {"accuracy": {"mean": 0.9, "std": 0.01, "min": 0.88, "max": 0.91}}},
           "parts": {"kmnist": {"status": "skipped", "reason": "kmnist data not found\nsearched: ..."}}}


def test_lookup_follows_keys_that_contain_dots():
    assert lookup(METRICS, "runs.noise_0.5.accuracy")["mean"] == 0.9
    assert lookup(METRICS, "runs.noise_1.5.accuracy") is None
    assert lookup({"a": {"b": 2}}, "a.b") == 2


def test_format_value_shows_spread_and_plain_numbers():
    assert format_value({"mean": 0.9, "std": 0.01, "min": 0.88, "max": 0.91}) == "0.9 ± 0.01 [0.88, 0.91]"
    assert format_value(0.123456) == "0.1235"
    assert format_value(None) == "n/a"
    assert format_value({"16": 0.5, "32": 0.25}) == "16: 0.5, 32: 0.25"


def test_comparison_rows_state_skipped_parts_with_their_reason():
    rows = comparison_rows(STUDY, METRICS)
    assert [r["reported"] for r in rows] == ["0.73", "0.8"]
    assert rows[0]["ours"].startswith("0.9 ± 0.01")
    assert rows[1]["ours"] == "skipped: kmnist data not found"


def test_report_is_self_contained_and_labels_both_columns():
    record = {"size": "quick", "seed": 3, "elapsed_s": 1.5, "command": "flambeau run demo --size quick"}
    html = render_report(STUDY, record, METRICS, [Figure("curve", "a curve", PNG)],
                         [Table("extra", ["a", "b"], [[1, 2]])], ["a note"])
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in html
    assert "src='http" not in html and "<link" not in html and "<script" not in html
    assert "ours, report&#x27;s recipe (quick run)" in html and "published" in html
    assert "compare with the published numbers only after a full run" in html
    assert "accuracy at noise 0.5" in html and "skipped: kmnist data not found" in html
    assert "a note" in html and "extra" in html


def test_index_links_every_report():
    html = render_index([{"name": "linear", "title": "Linear", "status": "ok", "elapsed_s": 1.0,
                          "size": "quick"},
                         {"name": "cnn", "title": "CNN", "status": "skipped", "reason": "no data",
                          "elapsed_s": 0.1, "size": "quick"}])
    assert "href='linear/report.html'" in html and "href='cnn/report.html'" in html
    assert "skipped: no data" in html
    assert Path  # the index is plain HTML text, written atomically by write_index


RECIPE_STUDY = Study("demo2", "A demo study", "summary", lambda c, x: {},
                     {s: Config() for s in ("tiny", "quick", "full")},
                     references=(Reference("accuracy", "test accuracy", 0.95, "report 003, section 3.2.5"),),
                     recipe=(Setting("learning rate", "0.01 (section 3.2.5)", "0.01", "1e-3 with Adam",
                                     "Adam converges in fewer epochs"),),
                     flambeau_configs={s: Config(n=2) for s in ("tiny", "quick", "full")},
                     flambeau_reason="Adam reaches the same accuracy in a tenth of the epochs")


def test_a_report_opens_with_the_recipe_table_then_both_recipes_beside_the_published_number():
    metrics = {"accuracy": {"mean": 0.96, "std": 0.01, "median": 0.96, "min": 0.94, "max": 0.97,
                            "values": [0.94, 0.96, 0.97]}, "repeats": {"n": 3, "seeds": [0, 1, 2]},
               "flambeau_recipe": {"accuracy": 0.98},
               "recipe": [{"name": "learning rate", "report": "0.01 (section 3.2.5)", "ours": "0.01",
                           "flambeau": "1e-3 with Adam", "why": "Adam converges in fewer epochs"}]}
    rows = comparison_rows(RECIPE_STUDY, metrics)
    assert rows[0]["within"] is True and rows[0]["seeds"] == 3
    assert rows[0]["flambeau"] == "0.98" and rows[0]["flambeau_seeds"] == 1
    record = {"size": "full", "seed": 0, "elapsed_s": 2.0, "command": "flambeau run demo2"}
    html = render_report(RECIPE_STUDY, record, metrics, [Figure("curve", "accuracy against epochs", PNG)],
                         flambeau=([Figure("curve2", "flambeau accuracy against epochs", PNG)], [], []))
    order = [html.index(text) for text in ("Recipe: the report", "1e-3 with Adam", "Our numbers beside",
                                           "ours, flambeau", "The report's recipe</h2>",
                                           "accuracy against epochs", "Flambeau's recipe</h2>",
                                           "flambeau accuracy against epochs")]
    assert order == sorted(order)
    assert "<figcaption>curve</figcaption>" not in html
    metrics["accuracy"]["max"] = 0.949
    assert comparison_rows(RECIPE_STUDY, metrics)[0]["within"] is False


def test_several_published_draws_are_all_placed_in_our_range():
    configs = {s: Config() for s in ("tiny", "quick", "full")}
    study = Study("draws", "Draws", "summary", lambda c, x: {}, configs,
                  references=(Reference("acc", "accuracy, two draws", (0.97, 0.574), "report 000"),))
    spread = {"mean": 0.8, "std": 0.1, "median": 0.8, "min": 0.53, "max": 0.985, "values": [0.53, 0.985]}
    row = comparison_rows(study, {"acc": spread})[0]
    assert row["reported"] == "0.97 / 0.574" and row["within"] is True
    assert comparison_rows(study, {"acc": {**spread, "min": 0.6}})[0]["within"] is False


def test_flambeaus_recipe_may_name_its_models_differently_or_have_no_counterpart():
    configs = {s: Config() for s in ("tiny", "quick", "full")}
    refs = (Reference("models.e100.bce", "100 epochs (flambeau: 30)", "images only", "report 000",
                      "models.e30.bce"),
            Reference("models.e500.bce", "500 epochs", "images only", "report 000", None))
    study = Study("keys", "Keys", "summary", lambda c, x: {}, configs, references=refs)
    metrics = {"models": {"e100": {"bce": 0.165}, "e500": {"bce": 0.15}},
               "flambeau_recipe": {"models": {"e30": {"bce": 0.162}, "e500": {"bce": 0.1}}}}
    rows = comparison_rows(study, metrics)
    assert (rows[0]["flambeau_value"], rows[1]["flambeau_value"]) == (0.162, None)
    assert rows[1]["flambeau"] == "n/a"
