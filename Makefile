# The two commands a newcomer needs (README): `make demo` and `make test`. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: demo test setup demo-down lint bench

## Everything the demo and the tests need: the venv with the package and the Pulumi engine.
setup: $(VENV)/.installed
	@bash scripts/install-pulumi

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[emulator,test,dev]"
	@touch $@

## Sets up, starts the emulator, runs `pulumi up` of the root project, then a preview with no changes.
demo: setup
	@bash scripts/demo up

## Destroys the demo's resources and stops nothing else (the demo leaves no process running).
demo-down: setup
	@bash scripts/demo down

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## Sets up, then lint, types and the whole test suite (unit, emulator, end-to-end).
test: lint
	$(VENV)/bin/pytest -q -p no:cacheprovider

bench: setup
	$(PY) -m benchmarks
