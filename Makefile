# macaisse — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_PEOPLE ?= 3000
export HOST PORT
export MACAISSE_CONFIG ?= development

.PHONY: run test lint install install-test chromium worker migrate demo format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test chromium

# Debian's Chromium drives the browser tests; Playwright's own download cannot work offline.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installation de Chromium (Debian)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --people $(DEMO_PEOPLE)

run: demo
	@$(FLASK) demo logins
	$(FLASK) run --host $(HOST) --port $(PORT) --no-debugger --no-reload

worker: migrate
	$(FLASK) worker

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format app tests wsgi.py

# Unit and integration tests spread whole files over one process per core. Browser tests run
# apart and in one process: the live server's rate limiter is a process-wide object that other
# tests' apps reconfigure, and service-worker timings flaked with two Chromiums on two cores.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto --dist loadfile tests/unit tests/integration
	$(BIN)/pytest tests/e2e

clean:
	rm -rf $(VENV) instance .pytest_cache
