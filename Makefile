# The README's two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMPS := .make
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test audit bench assets clean

install: $(STAMPS)/python $(STAMPS)/assets

$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/assets: $(STAMPS)/node $(wildcard assets/*)
	npm run --silent build
	@touch $@

assets: $(STAMPS)/assets

run: export MARAC_ENV ?= development
run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@$(FLASK) demo accounts
	@echo "Serving http://$(HOST):$(PORT) — press Ctrl+C to stop."
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: export MARAC_ENV ?= development
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 60 --keep-alive 5 "app:create_app()"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --severity-level medium --recursive . --exclude ./.venv,./node_modules,./tests
	$(BIN)/python -m pytest --numprocesses auto $(PYTEST_ARGS)

# Figures, not tests: load (gunicorn + PostgreSQL + locust on loopback), the minutes PDF, import and scoring.
# BENCH_ARGS="--duration 600" for SECURITY §4.7's ten minutes; BENCH_POSTGRES_URL for another server.
bench: install
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

audit: install
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --strict

clean:
	rm -rf $(VENV) node_modules static $(STAMPS)
