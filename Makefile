# Sổ tay đảng viên điện tử — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(VENV)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format migrate demo messages serve worker seed-scale bench clean

run: setup migrate demo ## Set up everything and serve the demo on http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup lint ## Lint + the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(PY) -m pytest

setup: $(VENV)/.synced node_modules/.installed messages

$(VENV)/bin/uv:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(VENV)/bin/uv pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: $(VENV)/.synced
	@if command -v msgfmt >/dev/null; then \
		$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0; \
	else echo "msgfmt (gettext) not found: English UI strings will fall back to Vietnamese"; fi

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.synced
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: setup
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py seed_demo

serve: setup ## Production server (granian WSGI); see docs/deployment.md
	$(PY) manage.py collectstatic --noinput -v0
	bash deploy/serve.sh

worker: setup ## Background task worker
	$(PY) manage.py db_worker

seed-scale: setup ## Hà Nội-scale data on PostgreSQL (DATABASE_URL must point at it)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_scale

bench: setup ## make bench SCENARIO=tree|stats|search|all|registry|meetings (see bench/README.md)
	@if [ "$(SCENARIO)" = registry ]; then $(PY) bench/registry.py; elif [ "$(SCENARIO)" = meetings ]; then $(PY) bench/meetings.py; else $(PY) bench/run.py $(SCENARIO); fi

clean:
	rm -rf $(VENV) node_modules var
