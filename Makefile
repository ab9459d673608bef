# prm — the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 42

.PHONY: run test install install-dev migrate demo logins worker beat bench lint check clean

# Runtime requirements only: what serving the app needs.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Tests, lint and benchmark tools on top (requirements-dev.txt starts with -r requirements.txt).
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --size small --seed $(SEED) --if-empty
	$(PY) manage.py recompute_analytics --if-stale

logins: install
	$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/

# One process prepares (migrations, demo data if empty, analytics if stale), prints the logins, then serves.
run: install
	$(PY) manage.py start_demo --addr $(HOST):$(PORT) --seed $(SEED)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A prm worker -Q default,ingest,analytics,webhooks --loglevel=info

beat: install
	$(VENV)/bin/celery -A prm beat --loglevel=info

bench: install-dev
	$(PY) -m bench $(BENCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
