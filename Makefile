# ChatDesk developer commands. The README shows two: `make run` and `make test`.
#   make run                          set up .venv, migrate, load demo data if empty, start
#   make test [PYTEST_ARGS='-k x']    set up .venv with dev tools, run the test suite
#   make lint                         ruff + mypy (as CI runs them)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint venv install install-dev clean-venv

run: $(VENV)/.installed
	$(BIN)/chatdesk migrate
	$(BIN)/chatdesk demo --if-empty
	$(BIN)/chatdesk run

# The suite runs in two worker processes (pytest-xdist), one per core; each has its own
# databases. The end-to-end tests simulate crashes of the running product; they run in a
# process of their own so nothing an earlier test left in the process can hold them up.
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n 2 --ignore=tests/e2e $(PYTEST_ARGS)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS) tests/e2e; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

venv: $(BIN)/python
install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Created only when missing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when pyproject.toml is newer than the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

# The dev install includes the plain one, so it refreshes both stamps.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.installed

clean-venv:
	rm -rf $(VENV)
