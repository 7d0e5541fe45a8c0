"""One full ``--quick`` run of ``linear`` against a stored expectation (seed 0, with tolerance)."""

import json
from pathlib import Path

from flambeau.experiments import run_study

EXPECTED = json.loads((Path(__file__).parent / "expected_linear_quick.json").read_text())


def test_linear_quick_matches_the_stored_expectation(tmp_path):
    metrics = run_study("linear", "quick", tmp_path, seed=0, progress=False, raise_errors=True).metrics
    tol = EXPECTED["tolerance"]
    for key in ("accuracy_mean", "final_train_mse_mean"):
        field = key.removesuffix("_mean")
        for run, expected in EXPECTED[key].items():
            ours = metrics["runs"][run][field]["mean"]
            assert abs(ours - expected) <= tol, f"{run} {field}: {ours:.4f}, expected {expected} ± {tol}"
    assert len(metrics["runs"]["iter_50"]["accuracy"]["values"]) == 5
