# Two commands matter: `make serve` and `make test`. Both set up what they need on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: serve test lint format setup data migrations-check clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime

# Migrate, import the seed reports and curated data, build static files. Safe to run again.
data: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py rebuild_search
	$(BIN)/python manage.py collectstatic --noinput -v 0

serve: data
	$(BIN)/gunicorn -c reformsite/gunicorn.conf.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.dev
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint migrations-check
	$(BIN)/pytest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
