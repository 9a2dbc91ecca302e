# The two commands a newcomer needs (README): `make demo` and `make test`. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The pulumi Python SDKs make test runs: the newest release in .venv (pinned here, so every setup
# installs exactly the tested one; bump it with a run of make test), and the floor that
# pyproject.toml declares (`pulumi>=FLOOR,<4.0.0`) in .venv-floor.
PULUMI_SDK_NEWEST := 3.272.0
PULUMI_SDK_FLOOR := $(shell sed -n 's/^ *"pulumi>=\([0-9.]*\),<4.0.0",.*/\1/p' pyproject.toml)
VENV_FLOOR := .venv-floor
VENV_BENCH := .venv-bench
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: demo test setup demo-down lint bench sdk

## Everything the demo and the tests need: the venv with the package and the Pulumi engine.
## The package is byte-compiled as pip compiles an installed wheel: the editable install is not, and
## where PYTHONDONTWRITEBYTECODE is set (many CI images) every provider process would compile it from
## source before its first check, which every other resource of the `up` waits for.
setup: $(VENV)/.installed
	@$(PY) -m compileall -q pulumi_personalize benchmarks
	@bash scripts/install-pulumi

$(VENV)/.installed: pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[emulator,test,dev]" "pulumi==$(PULUMI_SDK_NEWEST)"
	@touch $@

## The oldest SDK the package accepts, to run the unit tests and one life-cycle test with.
$(VENV_FLOOR)/.installed: pyproject.toml Makefile
	@test -n "$(PULUMI_SDK_FLOOR)" || { echo 'no "pulumi>=FLOOR,<4.0.0" line in pyproject.toml' >&2; exit 1; }
	$(PYTHON) -m venv $(VENV_FLOOR)
	$(VENV_FLOOR)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_FLOOR)/bin/python -m pip install --quiet -e ".[emulator,test,dev]" "pulumi==$(PULUMI_SDK_FLOOR)"
	@touch $@

## Sets up, starts the emulator, runs `pulumi up` of the root project, then a preview with no changes.
demo: setup
	@bash scripts/demo up

## Destroys the demo's resources and stops nothing else (the demo leaves no process running).
demo-down: setup
	@bash scripts/demo down

## Style, types, and the layers' import contracts (pyproject.toml, [tool.importlinter]).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## Sets up, then lint, types and the whole test suite (unit, emulator, end-to-end) with the newest
## SDK; then the unit tests, the stack-reference life cycle and what state records of a resource
## (its source position: the SDK counts constructor frames) with the floor SDK, which runs the
## program, the language host and the provider (the launchers in .tools/bin honour PULUMI_PYTHON_CMD).
test: lint $(VENV_FLOOR)/.installed
	$(VENV)/bin/pytest -q -p no:cacheprovider
	@echo "--- pulumi SDK $(PULUMI_SDK_FLOOR) (the floor) in $(VENV_FLOOR)"
	PULUMI_PYTHON_CMD=$(CURDIR)/$(VENV_FLOOR)/bin/python $(VENV_FLOOR)/bin/pytest -q -p no:cacheprovider \
		tests/unit tests/e2e/test_stack_reference.py tests/e2e/test_state_record.py

## The benchmarks' provider processes run in a venv of what a user installs: the package and the
## SDK, no development tools (the linters bring rich, click and pygments, and httpx imports its
## command-line module when they are there: 30 ms of every provider process's first check).
$(VENV_BENCH)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV_BENCH)
	$(VENV_BENCH)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_BENCH)/bin/python -m pip install --quiet -e . "pulumi==$(PULUMI_SDK_NEWEST)"
	@touch $@

bench: setup $(VENV_BENCH)/.installed
	PULUMI_PYTHON_CMD=$(CURDIR)/$(VENV_BENCH)/bin/python $(PY) -m benchmarks

## Regenerates the TypeScript SDK (sdk/nodejs/) from the native provider's schema (checked in;
## tests/unit/test_sdk_fresh.py fails while it is stale).
sdk: setup
	$(PY) scripts/gen_sdk.py
