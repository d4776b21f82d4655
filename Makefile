# The two commands the README promises: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mitra-installed
PORT ?= 8000
export PORT

.PHONY: run test install setup bench bench-http load soak schema notebooks \
	notebooks-run notebook-figures lint typecheck clean-db

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Mitra needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing dependencies into $(VENV) (first run or pyproject.toml changed, ~1-2 min)"
	@$(PY) -m pip install --quiet --upgrade pip
	@# setuptools warns on every editable install that a folder named like the package may
	@# shadow it; that is this repository's layout on purpose.
	@PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[dev]'
	@echo "dependencies installed"
	@touch $(STAMP)

install: $(STAMP)

## make run: set up the embedded SQLite database if needed, then serve on 127.0.0.1:$(PORT)
run: install
	$(VENV)/bin/mitra setup
	$(VENV)/bin/mitra serve

## make test: the whole suite (set MITRA_TEST_DATABASE_URL to run it on PostgreSQL)
test: install
	$(VENV)/bin/pytest

setup: install
	$(VENV)/bin/mitra setup

bench: install
	$(PY) -m recommender.bench

## make bench-http: Mitra's queries against a bare Strawberry app, ratios from one run
## (needs wrk and taskset: installed with apt-get where missing and allowed)
bench-http: install
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1) \
		|| echo "bench-http: could not install wrk (Debian package wrk); install it by hand"
	$(PY) -m service.tools.bench_http

## make load: 30 s load test on a throwaway PostgreSQL database (uvicorn, 2 workers)
load: install
	$(PY) -m service.tools.loadtest --seconds 30 --workers 2

## make soak: 5 minutes of mixed load on 2 workers (after a 60 s warm-up) on a throwaway
## PostgreSQL database: requests, errors, lost writes, partial rows, each worker's memory
soak: install
	$(PY) -m service.tools.loadtest --soak

## make notebooks: JupyterLab on notebooks/ (DATABASE_URL as for the service)
notebooks: install
	$(PY) -m pip install --quiet -e '.[dev,notebooks]'
	$(VENV)/bin/jupyter lab notebooks/

## make notebooks-run: the three notebooks headless on a scratch database; HTML in var/notebooks/
notebooks-run: install
	$(PY) -m service.tools.notebooks

## make notebook-figures: the same, also rewriting the PNGs docs/notebooks.md shows (docs/figures/)
notebook-figures: install
	$(PY) -m service.tools.notebooks --figures

schema: install
	$(VENV)/bin/mitra export-schema --output schema/schema.graphql

lint: install
	$(VENV)/bin/ruff check service schema recommender tests
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy service schema recommender

clean-db:
	rm -f var/mitra.db
