"""The teacher's checker (``flambeau.check``) measured: bugs caught, false positives, time.

- bugs: every module of ``tests/check/buggy_modules.py`` checked once; caught with the right
  method means that method is among the failures' methods, exactly means it is the only one;
- false positives: every case of ``flambeau.testing.MODULE_CASES`` / ``LOSS_CASES`` (the
  built-in modules and losses) over seeds 0-19, every check (``strict``) on even seeds and the
  course's selection on odd ones, as ``tests/check/test_false_positives.py`` runs them;
- time: CPU time (``time.process_time``) and wall time of one ``check_module`` / ``check_loss``
  call, the largest over the bugs and the built-in cases.

    OMP_NUM_THREADS=1 python benchmarks/check_suite.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.check, the suite of bugs


def _timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    report = run()
    return report, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    from flambeau.check import check_loss, check_module, draw_input
    from flambeau.testing import LOSS_CASES, MODULE_CASES
    from tests.check.buggy_modules import BUGS, draw_loss_data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    slowest = {"cpu": (0.0, ""), "wall": (0.0, "")}

    def note(name, cpu, wall):
        for key, value in (("cpu", cpu), ("wall", wall)):
            if value > slowest[key][0]:
                slowest[key] = (value, name)

    caught, exact, missed = 0, 0, []
    for bug in BUGS:
        if bug.data is not None:
            report, cpu, wall = _timed(lambda b=bug: check_loss(b.build(), *draw_loss_data(b.data)))
        else:
            report, cpu, wall = _timed(lambda b=bug: check_module(b.build(), draw_input(b.shape)))
        note(f"bug {bug.name}", cpu, wall)
        methods = {failure.method for failure in report.failures}
        caught += bug.method in methods
        exact += methods == {bug.method}
        if bug.method not in methods:
            missed.append(bug.name)
    false_positives, runs = [], 0
    for case in MODULE_CASES + LOSS_CASES:
        for seed in range(args.seeds):
            strict = seed % 2 == 0
            if case in LOSS_CASES:
                y, yhat = case.draw_data(seed)
                report, cpu, wall = _timed(lambda c=case, s=seed, a=y, b=yhat, t=strict: check_loss(
                    c.instantiate(s), a, b, seed=s, strict=t))
            else:
                report, cpu, wall = _timed(lambda c=case, s=seed, t=strict: check_module(
                    c.instantiate(s), c.draw_input(s), seed=s, strict=t, skip=("save_load",)))
            note(f"case {case.id} seed {seed}", cpu, wall)
            runs += 1
            if not report.passed:
                false_positives.append(f"{case.id} seed {seed}")
    print(json.dumps({
        "bugs": len(BUGS), "caught_with_the_right_method": caught,
        "caught_rate": round(caught / len(BUGS), 4),
        "caught_on_that_method_only": exact, "missed": missed,
        "builtin_cases": len(MODULE_CASES) + len(LOSS_CASES), "seeds": args.seeds, "builtin_runs": runs,
        "false_positives": false_positives,
        "max_cpu_seconds": round(slowest["cpu"][0], 3), "slowest_cpu": slowest["cpu"][1],
        "max_wall_seconds": round(slowest["wall"][0], 3), "slowest_wall": slowest["wall"][1],
    }, indent=2))


if __name__ == "__main__":
    main()
