# The README's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The first Python >= 3.12 that actually runs (pyenv shims exist but fail unless selected).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; break; fi; done)
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is for a developer's machine: debug on and a throwaway key, unless the environment says otherwise.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

.PHONY: help run editor serve test test-fast test-postgres test-faults bench bench-diagnosis bench-learn bench-editor bench-load bench-search lint format clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.12 or newer found. Install one (e.g. pyenv install 3.12) and run again."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.installed ## Set up and serve the site at http://127.0.0.1:8000/ on SQLite
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py load_guides
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

editor: $(VENV)/.installed ## Add an editor to the site `make run` serves: make editor NAME=alex EMAIL=alex@example.com
	@test -n "$(NAME)" || { echo "Say who the editor is: make editor NAME=alex EMAIL=alex@example.com"; exit 2; }
	@$(RUN_ENV) $(PY) manage.py migrate --no-input -v 0
	$(RUN_ENV) $(PY) manage.py create_editor "$(NAME)" --email "$(EMAIL)" $(if $(PASSWORD_FROM_ENV),--password-from-env $(PASSWORD_FROM_ENV))

serve: $(VENV)/.installed ## Serve with production settings under gunicorn (deploy/gunicorn.conf.py) on SQLite
	bash deploy/serve.sh

# The suite runs on one pytest-xdist worker per core, a test file at a time: a file's tests share
# what its module fixtures set up (the deployment tests' gunicorn and nginx, started once).
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadfile

test: $(VENV)/.installed ## Set up and run the whole test suite
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: $(VENV)/.installed ## The suite without the browser and deployment tests, for the edit-run loop
	$(PY) -m pytest $(XDIST) -m "not browser and not deploy" $(PYTEST_ARGS)

# The suite against the production stack: PostgreSQL and Redis on this machine (as in CI). Each of the
# two workers gets a test database of its own (test_postgres_gw0, _gw1) and a Redis database (14, 15).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
test-postgres: $(VENV)/.installed ## Run the suite on PostgreSQL and Redis instead of SQLite
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Stops throwaway PostgreSQL and Redis servers (and a gunicorn worker) under load; started on ports of their own.
test-faults: $(VENV)/.installed ## Fault checks: database, cache and worker outages under load lose nothing
	$(PY) -m pytest faults $(PYTEST_ARGS)

bench: $(VENV)/.installed ## Print the troubleshooting engine's timings
	$(PY) -m bench.engine

bench-diagnosis: $(VENV)/.installed ## Compare checklist, information-gain flow and planner on simulated visitors
	$(PY) -m bench.diagnosis

bench-learn: $(VENV)/.installed ## Time relearning a guide's numbers from 100,000 stored answers (target under 30 s)
	$(PY) -m bench.relearn

# WRITE_README=1 also writes the tables into README.md, between its bench-load markers.
bench-load: $(VENV)/.installed ## Load each page with wrk, through gunicorn and through nginx, as a ratio of a static file
	WRITE_README=$(WRITE_README) $(PY) -m bench.load

bench-search: $(VENV)/.installed ## Time search at 1 and 200 guides: a query, the page, and the index after a save
	$(PY) -m bench.search

# Needs Debian's chromium (or CHROMIUM_PATH); serves a scratch site on port 8716 (BENCH_EDITOR_PORT).
bench-editor: $(VENV)/.installed ## Count the page loads, clicks and picks of building a guide in the admin, in Chromium
	$(PY) -m bench.build_guide

lint: $(VENV)/.installed ## Check code style with ruff
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed ## Reformat the code with ruff
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean: ## Remove the virtual environment, database, cache and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles .cache
