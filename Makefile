# CreditBox — every target bootstraps its own virtualenv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every dependency (runtime, dev, build system, pip itself) pinned with its hashes: docs/dependencies.md.
LOCK := requirements.lock
# `make lock LOCK_OPTIONS=--upgrade` moves every pin to its newest admitted release,
# `make lock LOCK_OPTIONS="--upgrade-package fastapi"` one of them.
LOCK_OPTIONS ?=
AUDIT_OPTIONS ?=
SCALE ?= small
BENCH_ARGS ?=

.PHONY: demo test lint audit lock bench install clean

# Installed from the lock only (hash-checked), then the project itself without its dependencies and
# without build isolation (its build system, setuptools and wheel, comes from the lock too).
# Re-run whenever the lock or pyproject.toml changes.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## The main job on the embedded default (SQLite + in-process broker, no services needed).
demo: $(STAMP)
	$(BIN)/python -m creditbox.demo

## The test suite (needs PostgreSQL, Redis and RabbitMQ on 127.0.0.1 and Chromium, see docs/operations.md).
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python tools/check_lock.py $(LOCK) pyproject.toml
	$(BIN)/python -m pip check
	$(BIN)/ruff check creditbox tests bench alembic tools
	$(BIN)/ruff format --check creditbox tests bench alembic tools
	$(BIN)/mypy creditbox tools
	$(BIN)/lint-imports

## The locked dependencies against the registry's vulnerability data (pip-audit, needs the registry),
## then a canary of known-vulnerable pins that must be reported: the gate is shown to bite.
## AUDIT_OPTIONS: --strict (every pin verified), --ignore-vuln ID (a reviewed exception, docs/dependencies.md).
audit: $(STAMP)
	$(BIN)/python tools/audit_lock.py $(AUDIT_OPTIONS) $(LOCK)
	$(BIN)/python tools/audit_lock.py --expect-vulnerable tools/audit-canary.txt

## Resolve pyproject.toml (runtime + dev extra + build system) into the lock, with hashes (minutes).
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --extra dev --build-deps-for editable --strip-extras --no-emit-index-url --no-emit-find-links \
	  $(LOCK_OPTIONS) --output-file $(LOCK) pyproject.toml

## The benchmark suite (bench/), then bench/results.md. SCALE=small (default: a few minutes) or full (the
## sizes the issues name: hours); BENCH_ARGS for more options or only some modules (python -m bench --help).
bench: $(STAMP)
	$(BIN)/python -m bench --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo-output
