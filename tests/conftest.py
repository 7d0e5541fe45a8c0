"""Shared test configuration.

``FLAMBEAU_STRICT_TESTS=1`` (set by ``.ci/run``) turns every skip into a failure: in CI no
check may be skipped for a missing component or missing data.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

STRICT = os.environ.get("FLAMBEAU_STRICT_TESTS") == "1"

# Hypothesis profiles of the fuzz suite (tests/test_fuzz.py). "ci", the default, keeps it under a
# minute in `make test`: few examples per property, derandomized (the same examples at every run,
# no database written). "fuzz" (`make fuzz`, or --hypothesis-profile=fuzz) draws many more, at
# random, and keeps failing examples in .hypothesis/ to replay them.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=12, derandomize=True, database=None, deadline=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("fuzz", max_examples=300, deadline=None, suppress_health_check=_QUIET,
                          print_blob=True)
settings.load_profile(os.environ.get("FLAMBEAU_HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under FLAMBEAU_STRICT_TESTS=1: {reason}"


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def restore_registries():
    """The user classes a test defines or imports from a file do not outlive it in the registries."""
    from flambeau.registry import LOSSES, MODULES

    saved = dict(MODULES), dict(LOSSES)
    yield
    for registry, before in zip((MODULES, LOSSES), saved, strict=True):
        registry.clear()
        registry.update(before)
