# Two commands matter: `make serve` and `make test`. Both set up what they need on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# `SEARCH_URL=http://127.0.0.1:9200 make serve` searches on that OpenSearch cluster (docs/opensearch.md).
ifdef SEARCH_URL
export REFORM_SEARCH_URL := $(SEARCH_URL)
endif
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: serve test lint format setup data migrations-check browser-deps postgres-deps server-deps messages backup restore clean \
	search-cluster search-cluster-stop

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime

# What the site writes (database and its -wal/-shm, secret key, index, backups) is for this account
# only. Collected static files are public and keep the usual umask, so a proxy may serve them.
PRIVATE := umask 077 &&

# Migrate, import the seed reports and curated data, build static files. Safe to run again.
data: setup
	$(PRIVATE) $(BIN)/python manage.py migrate --noinput
	$(PRIVATE) $(BIN)/python manage.py load_seed
	$(PRIVATE) $(BIN)/python manage.py rebuild_search
	umask 022 && $(BIN)/python manage.py collectstatic --noinput -v 0

serve: data
	$(PRIVATE) $(BIN)/gunicorn -c reformsite/gunicorn.conf.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.dev
	$(BIN)/python manage.py makemigrations --check --dry-run

# The browser tests (tests/browser) drive Debian's Chromium through Playwright; pages need a CJK font
# or Chinese renders as boxes. Installs both when either is missing, else does nothing. Never
# `playwright install`: it downloads a browser build of its own.
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-cjk

# tests/test_postgres.py runs part of the suite on a throw-away PostgreSQL cluster; it needs the server binaries.
# tests/test_nginx.py runs the shipped proxy configuration (docs/nginx/) with a throw-away certificate.
POSTGRES_PACKAGES := postgresql
SERVER_PACKAGES := nginx-light openssl
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "postgres-deps: need root or sudo to apt-get install $(POSTGRES_PACKAGES)" >&2; exit 1; fi; \
	echo "postgres-deps: installing $(POSTGRES_PACKAGES)"; \
	$$SUDO apt-get update && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(POSTGRES_PACKAGES)

server-deps:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then command -v openssl >/dev/null 2>&1 && exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "server-deps: need root or sudo to apt-get install $(SERVER_PACKAGES)" >&2; exit 1; fi; \
	echo "server-deps: installing $(SERVER_PACKAGES)"; \
	$$SUDO apt-get update && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(SERVER_PACKAGES); \
	$$SUDO systemctl disable --now nginx >/dev/null 2>&1 || $$SUDO service nginx stop >/dev/null 2>&1 || true

browser-deps:
	@if [ -x $(CHROMIUM) ] && { fc-list :lang=zh family 2>/dev/null | grep -q . || \
		[ "$$(dpkg-query -W -f='$${Status}' fonts-noto-cjk 2>/dev/null)" = "install ok installed" ]; }; then \
		exit 0; \
	fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "browser-deps: need root or sudo to apt-get install $(BROWSER_PACKAGES)" >&2; exit 1; fi; \
	echo "browser-deps: installing $(BROWSER_PACKAGES)"; \
	$$SUDO apt-get update && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BROWSER_PACKAGES)

# The OpenSearch half of the suite runs against a throw-away two-node cluster of its own (free ports,
# temporary data), started alongside the tests and stopped afterwards whatever their outcome.
test: lint migrations-check browser-deps postgres-deps server-deps
	archive/search/cluster/with-cluster $(BIN)/pytest

# Update the English catalogue from the code and templates, then compile it (needs GNU gettext).
# The compiled .mo is committed, so serving and testing need no gettext.
messages: setup
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles --ignore=var
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

# A consistent snapshot (database, dataset export, manifest) in var/backups/; safe while serving.
backup: setup
	$(PRIVATE) $(BIN)/python manage.py backup_archive

# Stop the site first: make restore FILE=var/backups/reform-archive-YYYYmmdd-HHMMSS.tar.gz
restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/reform-archive-YYYYmmdd-HHMMSS.tar.gz" >&2; exit 2; }
	$(PRIVATE) $(BIN)/python manage.py restore_archive "$(FILE)"

# A local two-node OpenSearch cluster on 127.0.0.1:9200 (archive/search/cluster/README.md): built with
# Maven on first use, idempotent, prints its URL. Needs Java 17 and Maven.
search-cluster:
	@archive/search/cluster/run start

search-cluster-stop:
	@archive/search/cluster/run stop

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
