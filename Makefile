# flambeau: `make demo` and `make test` create .venv when missing and install what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP_BASE := $(VENV)/.installed-base
STAMP_TEST := $(VENV)/.installed-test
STAMP_DOCS := $(VENV)/.installed-docs

.PHONY: demo test fuzz lint bench tutorials docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP_BASE): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[test]"
	touch $@ $(STAMP_BASE)

$(STAMP_DOCS): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[docs]"
	touch $@ $(STAMP_BASE)

demo: $(STAMP_BASE)
	$(VENV)/bin/flambeau run quickstart

test: $(STAMP_TEST)
	$(PY) -m pytest -q

# The fuzz suite with the long Hypothesis profile (300 examples per property instead of 12, drawn
# at random; failing examples kept in .hypothesis/ and replayed first); prints the counts.
fuzz: $(STAMP_TEST)
	$(PY) -m pytest -q tests/test_fuzz.py --hypothesis-profile=fuzz --hypothesis-show-statistics

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests benchmarks docs/tools docs/hooks

# Execute every tutorial (docs/tutorials/NN_*.py, jupytext percent format) into its .ipynb; fails on
# any error and prints each one's wall time.
tutorials: $(STAMP_DOCS)
	$(PY) docs/tools/run_tutorials.py

# The documentation site in site/, warnings as errors; runs the tutorials whose notebook is missing
# or older than its source first.
docs: $(STAMP_DOCS)
	$(PY) docs/tools/run_tutorials.py --stale
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# flambeau / PyTorch on the course's workloads, one table (benchmarks/results/latest.json);
# BENCH="--quick" for a fifth of the data, BENCH="--threads 1 2" for both thread counts.
bench: $(STAMP_TEST)
	$(PY) benchmarks/bench.py $(BENCH)

clean:
	rm -rf $(VENV) build dist site src/*.egg-info .pytest_cache .ruff_cache .hypothesis \
		docs/tutorials/*.ipynb
