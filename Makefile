# The README's two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMPS := .make
HOST ?= 127.0.0.1
PORT ?= 5000

# Every Python package comes from the lock, pinned with hashes (SECURITY D8); `make lock` rewrites it from
# pyproject.toml's ranges. pip-compile runs in a venv of its own so the app's venv holds only what the lock names.
LOCK := requirements.lock
# The venv's own pip, first and from a lock of its own: Python 3.11's (23.2) takes the newest release for a
# dependency that names a package with an extra (weasyprint's fonttools[woff]) instead of the pinned one, and then
# refuses the lock in hash-checking mode.
PIP_LOCK := requirements-pip.lock
LOCK_TOOLS := $(STAMPS)/lock-tools
LOCK_ARGS ?=
# CycloneDX SBOM of the installed venv (ignored by git): `make sbom`, once per release.
SBOM := sbom/marac-toolkit.cdx.json

.PHONY: install run serve test audit bench assets clean lock sbom

install: $(STAMPS)/python $(STAMPS)/assets

# The lock pins setuptools too (the build backend), so the project installs without build isolation:
# nothing is fetched that the lock does not name.
$(STAMPS)/python: pyproject.toml $(LOCK) $(PIP_LOCK)
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(PIP_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(LOCK_TOOLS)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet "pip-tools>=7.7,<8"

# The main dependencies and the test and bench extras in one resolution: tests and figures use the same versions.
# LOCK_ARGS=--upgrade moves every pin to the newest release pyproject.toml allows; LOCK_ARGS="-P name" moves one.
lock: $(LOCK_TOOLS)/bin/pip-compile
	echo "pip>=25.3" | $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --output-file $(PIP_LOCK) -
	$(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --build-deps-for=editable \
		--extra test --extra bench --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) $(LOCK_ARGS) pyproject.toml

sbom: install
	@mkdir -p $(dir $(SBOM))
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --mc-type application --output-format JSON \
		--output-file $(SBOM) $(BIN)/python
	@echo "SBOM written to $(SBOM)"

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

# One gunicorn on HOST:PORT. Two behind nginx, as deploy/nginx.conf (docs/operations.md, "Two app servers behind
# nginx"): start memcached (Debian's package, on 127.0.0.1:11211) and nginx with that site, then from this folder
# (so both read the same instance/ keys), the second once the first serves, each with its own gunicorn control socket:
#   make serve PORT=8001 DATABASE_URL=postgresql://… PROXY_FIX_HOPS=1 RATELIMIT_STORAGE_URI=memcached://127.0.0.1:11211 \
#     GUNICORN_CMD_ARGS="--control-socket instance/gunicorn-8001.ctl"
#   and the same with 8002.
# `python -m bench.two_servers` (part of `make bench`) runs exactly that on loopback and checks it.
serve: export MARAC_ENV ?= development
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) "app:create_app()"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --severity-level medium --recursive . --exclude ./.venv,./.make,./node_modules,./tests
	$(BIN)/python -m pytest --numprocesses auto --dist worksteal $(PYTEST_ARGS)

# Figures, not tests: load (gunicorn + PostgreSQL + locust on loopback), the minutes PDF, import and scoring.
# BENCH_ARGS="--duration 600" for SECURITY §4.7's ten minutes; BENCH_POSTGRES_URL for another server.
bench: install
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

audit: install
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --strict

clean:
	rm -rf $(VENV) node_modules static $(STAMPS) $(dir $(SBOM))
