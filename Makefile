# CreditBox — every target bootstraps its own virtualenv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job on the embedded default (SQLite + in-process broker, no services needed).
demo: $(STAMP)
	$(BIN)/python -m creditbox.demo

## The test suite (needs PostgreSQL, Redis and RabbitMQ on 127.0.0.1 and Chromium, see docs/operations.md).
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check creditbox tests bench alembic
	$(BIN)/ruff format --check creditbox tests bench alembic
	$(BIN)/mypy creditbox
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo-output
