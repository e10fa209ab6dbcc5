# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app reuse
PORT ?= 5000
HOST ?= 127.0.0.1

.PHONY: run test test-sqlite test-postgres test-browser install db demo vendor clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

db: install
	REUSE_ENV=development $(FLASK) db upgrade

demo: db
	REUSE_ENV=development $(FLASK) seed-demo

## Serve the application with demo data at http://$(HOST):$(PORT)
run: demo
	@echo "Gjenbruk kjører på http://$(HOST):$(PORT)  (Ctrl+C stopper)"
	REUSE_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

## Every test: SQLite, then PostgreSQL when TEST_DATABASE_URL is set, browser tests included
test: install
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Same suite against PostgreSQL ($$TEST_DATABASE_URL) =="; \
		REUSE_TEST_DB=postgres $(BIN)/python -m pytest; \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (see README)."; \
	fi

## Re-vendor the design system CSS from npm (pinned version, checksum verified)
vendor:
	tools/vendor-designsystemet.sh

clean:
	rm -rf $(VENV) .pytest_cache
