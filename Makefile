# Alongside: `make run` to try it, `make test` to check it. Needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format bench lock check-python clean-data ci

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Alongside needs Python 3.11 or newer; set PYTHON=python3.x")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

# Stamps make a second `make run` skip the install when the lock files have not changed.
$(VENV)/.base-installed: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock -r requirements/dev.lock
	@touch $@

run: $(VENV)/.base-installed
	$(BIN)/alongside migrate --noinput
	$(BIN)/alongside load_demo
	$(BIN)/alongside serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy alongside bench tests

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

# Re-pin dependencies after editing requirements/*.in (needs the uv tool: pip install uv).
lock:
	cd requirements && uv pip compile base.in --generate-hashes --universal --python-version 3.11 -o base.lock -q
	cd requirements && uv pip compile dev.in --generate-hashes --universal --python-version 3.11 -o dev.lock -q

ci:
	bash .ci/run

clean-data:
	rm -rf data
