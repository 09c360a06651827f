# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
comma := ,
space := $(subst ,, )
# `make run` listens on HOST:PORT; links in e-mails (SITE_URL) and the printed demo logins follow
# them (set either in the environment to override). HOST=0.0.0.0 listens on every interface:
# links then use 127.0.0.1 and any Host header is accepted (development only).
LISTENS_EVERYWHERE := $(filter 0.0.0.0,$(HOST))
# An IPv6 literal (HOST=::1) is bracketed wherever it meets a port: URLs, Host headers, runserver.
HOST_IN_URL := $(if $(findstring :,$(HOST)),[$(HOST)],$(HOST))
SITE_URL ?= http://$(if $(LISTENS_EVERYWHERE),127.0.0.1,$(HOST_IN_URL)):$(PORT)
ALLOWED_HOSTS ?= $(if $(LISTENS_EVERYWHERE),*,$(subst $(space),$(comma),$(sort 127.0.0.1 localhost $(HOST_IN_URL))))
RUN_ENV = DEBUG=1 SITE_URL='$(SITE_URL)' ALLOWED_HOSTS='$(ALLOWED_HOSTS)'

.PHONY: run test install install-dev lint imports typecheck migrations-check pytest e2e bench drill messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run [HOST=127.0.0.1] [PORT=8000]: install, migrate the SQLite database, load demo data,
## print logins, serve.
run: install
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) load_demo_data
	$(RUN_ENV) $(MANAGE) runserver $(HOST_IN_URL):$(PORT)

## make test: every check CI runs (lint, format, types, migrations, the whole suite).
test: install-dev lint imports typecheck migrations-check pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## The import layers of docs/architecture.md (contracts in pyproject.toml).
imports:
	$(BIN)/lint-imports

typecheck:
	DEBUG=1 $(BIN)/mypy .

migrations-check:
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

pytest:
	$(BIN)/pytest

bench: install-dev
	$(BIN)/python -m bench.run

## make drill: fault and backup/restore drills on a PostgreSQL server of their own (docs/deploy.md).
drill: install-dev
	$(BIN)/python -m drills.run

## Regenerate the English catalogue after changing UI strings (needs GNU gettext).
messages: install
	DEBUG=1 $(MANAGE) makemessages -l en --no-obsolete --no-location --ignore=.venv --ignore=bench
	DEBUG=1 $(MANAGE) compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var staticfiles
