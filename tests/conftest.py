"""Shared test configuration.

``FLAMBEAU_STRICT_TESTS=1`` (set by ``.ci/run``) turns every skip into a failure: in CI no
check may be skipped for a missing component or missing data.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

STRICT = os.environ.get("FLAMBEAU_STRICT_TESTS") == "1"


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
