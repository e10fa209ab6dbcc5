# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app reuse
PORT ?= 5000
HOST ?= 127.0.0.1

.PHONY: run test install db demo vendor translations lock lint clean bench

CATALOGUE := reuse/translations/en/LC_MESSAGES/messages

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the pinned dependencies change. --require-hashes: nothing unaudited gets in.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# The English catalogue is compiled from its .po file whenever that changes.
$(CATALOGUE).mo: $(CATALOGUE).po | $(VENV)/.installed
	$(BIN)/pybabel compile -d reuse/translations -D messages -l en

install: $(VENV)/.installed $(CATALOGUE).mo

db: install
	REUSE_ENV=development $(FLASK) db upgrade

demo: db
	REUSE_ENV=development $(FLASK) seed-demo

## Serve the application with demo data at http://$(HOST):$(PORT)
run: demo
	@echo "Gjenbruk kjører på http://$(HOST):$(PORT)  (Ctrl+C stopper)"
	REUSE_ENV=development BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" $(FLASK) run --host $(HOST) --port $(PORT)

## Every test: SQLite, then PostgreSQL when TEST_DATABASE_URL is set, browser tests included
test: install
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Same suite against PostgreSQL ($$TEST_DATABASE_URL) =="; \
		REUSE_TEST_DB=postgres $(BIN)/python -m pytest; \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (see README)."; \
	fi

## After marking new strings with _(): extract them, update the English .po, compile
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location -w 100 -o reuse/translations/messages.pot .
	$(BIN)/pybabel update -w 100 -i reuse/translations/messages.pot -d reuse/translations -l en
	$(BIN)/pybabel compile -d reuse/translations -l en
	@echo "Translate the new entries in $(CATALOGUE).po (empty msgstr), then run make translations again."

## Pin dependencies with hashes after changing them in pyproject.toml
lock:
	$(PYTHON) -m venv .venv-tools
	.venv-tools/bin/python -m pip install --quiet pip-tools
	.venv-tools/bin/pip-compile --quiet --generate-hashes --extra test --strip-extras \
		--allow-unsafe --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

## Static checks: ruff (style and bugs) and bandit (security; medium and high fail)
lint: install
	$(BIN)/ruff check reuse tests tools bench wsgi.py
	$(BIN)/bandit --quiet --recursive --severity-level medium reuse

## Benchmark against PostgreSQL at 127.0.0.1:5432; results in bench/results/ (bench/README.md)
bench: install
	$(BIN)/python -m bench.run

## Re-vendor the design system CSS from npm (pinned version, checksum verified)
vendor:
	tools/vendor-designsystemet.sh

clean:
	rm -rf $(VENV) .venv-tools .pytest_cache
