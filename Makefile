# Two commands matter: `make run` (the portal on the embedded default, with demo data) and
# `make test` (the whole suite against local PostgreSQL and Redis).

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite's services; override any of them from the environment.
PGHOST ?= 127.0.0.1
PGPORT ?= 5432
PGUSER ?= postgres
PGDATABASE ?= portal
TEST_DATABASE_URL ?= postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The cache gets a Redis database of its own: tests clear it, and must not clear the broker.
TEST_CACHE_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: install prerequisites portal-prerequisites run demo test lint typecheck check messages bench load clean deps-check deps-refresh backup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@

install: $(VENV)/.installed

# System tools (Debian packages) that no lock file provides: installed when we are root,
# otherwise the exact command to run is printed and make stops. See scripts/prerequisites.py.
prerequisites:
	$(PYTHON) scripts/prerequisites.py

portal-prerequisites:
	$(PYTHON) scripts/prerequisites.py --portal

# The load test's own environment: the dev lock plus locust, kept out of every other one.
$(VENV)/.load-installed: requirements/load.lock $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/load.lock
	touch $@

demo: install portal-prerequisites
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py run_embedded --host $(HOST) --port $(PORT)

test: install prerequisites
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CACHE_REDIS_URL=$(TEST_CACHE_REDIS_URL) \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint

typecheck: install
	$(BIN)/mypy .

check: lint typecheck
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: install
	$(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

# With Redis as the cache and broker, as in production (the verify benchmark's workers share it).
bench: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CACHE_REDIS_URL=$(TEST_CACHE_REDIS_URL) \
		$(BIN)/python -m benchmarks.run $(BENCH)

# Load test: gunicorn on loopback over a scratch PostgreSQL database, locust for LOAD_SECONDS.
load: $(VENV)/.load-installed prerequisites
	PGHOST=$(PGHOST) PGPORT=$(PGPORT) PGUSER=$(PGUSER) PGDATABASE=$(PGDATABASE) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m loadtest.run

# Pins of requirements/*.lock behind the newest patch release of their line on the configured
# package index (exit 1 if any); deps-refresh re-locks exactly those (uv). See docs/operations.md.
deps-check: install
	$(BIN)/python scripts/deps_check.py

deps-refresh: install
	$(BIN)/python scripts/deps_check.py --refresh

# Database (pg_dump) and uploaded files into BACKUP_DIR/portal-backup-<date>/, with checksums.
BACKUP_DIR ?= backups
backup: install
	$(BIN)/python manage.py backup $(BACKUP_DIR)

clean:
	rm -rf var staticfiles
