# The README's two set-up commands are `make test` and `make demo`; each creates .venv
# when it is missing and installs what it needs (an editable install with the extras).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test test-fast test-explore lint demo bench clean notebooks docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[gan,images,test,lint]"
	touch $(STAMP)

# `make test` is deterministic: property tests draw the same examples on every machine and
# ignore .hypothesis/ (the "ci" profile, tests/conftest.py). `make test-explore` draws new
# examples each run (SEED=n makes the search reproducible, e.g. in CI); put what it finds
# into an @example.
test: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 2 -q

# A quick run without the integration tests (tests/integration/: notebooks, demo, docs build,
# README), which take most of the suite's time; `make test` (and CI) runs them. The same as
# `python -m pytest -m "not integration and not slow"` (a -m given replaces the default one).
test-fast: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 2 -q -m "not integration and not slow"

test-explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -n 2 -q $(if $(SEED),--hypothesis-seed=$(SEED))

# ruff's rule set, mypy's scope and the import contracts (lint-imports: the layers of
# docs/architecture.md) are in pyproject.toml; CI runs this beside the tests.
lint: $(STAMP)
	$(BIN)/ruff check otdiv tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/otdiv demo --out demo-out

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py
	$(BIN)/python benchmarks/update_docs.py

# Re-execute the notebooks and save their outputs (the test suite fails when the committed
# outputs differ from what the code prints: see tests/notebook_tools.py).
notebooks: $(STAMP)
	$(BIN)/python -m tests.notebook_tools

# The documentation site (Sphinx, numpydoc, the notebooks as committed, the CLI reference),
# warnings as errors so that a broken docstring fails; open docs/_build/html/index.html.
docs: $(STAMP)
	$(BIN)/python -m sphinx -b html -W --keep-going -q docs docs/_build/html

clean:
	rm -rf $(VENV) demo-out .pytest_cache .hypothesis docs/_build docs/_generated
