# SAT Workbench: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# The first of these that runs and is 3.11–3.13 (pyenv shims for versions not selected do not run).
PYTHON_CANDIDATES := python3 python3.13 python3.12 python3.11
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	$$p -c '$(SUPPORTED)' >/dev/null 2>&1 && command -v $$p && break; done)
endif
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-under-load bench load capacity cluster backup restore lint install migrate demo worker python docs docs-build

python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "SAT Workbench needs Python 3.11, 3.12 or 3.13: none of $(PYTHON_CANDIDATES) on the PATH is one." >&2; \
		echo "Install one, or name it: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi
	@$(PYTHON) -c '$(SUPPORTED)' 2>/dev/null || { \
		echo "SAT Workbench needs Python 3.11, 3.12 or 3.13; PYTHON=$(PYTHON) is not one." >&2; exit 1; }

.tools/bin/uv: | python
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

# An existing .venv on a supported Python is kept: naming an interpreter by path (a pyenv shim, say)
# would make uv rebuild it on every run.
install: python $(UV)
	@# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set, every process would otherwise
	@# compile its imports from source at start (half a second per gunicorn worker or Celery process).
	@if $(PY) -c '$(SUPPORTED)' 2>/dev/null; then set -x; $(UV) sync --frozen --quiet --compile-bytecode; \
	else set -x; $(UV) sync --frozen --quiet --compile-bytecode --python $(PYTHON); fi
	@$(PY) -m compileall -q apps config
	@# The warm-up hooks (apps/core/warmup.py: ACH's scoring kernels) compile once (seconds) into numba's cache;
	@# later processes only load them. Nothing is served, so no SECRET_KEY is needed: DEBUG=true for this one.
	DEBUG=true $(PY) manage.py warm --hooks-only

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

ifneq ($(and $(DATABASE_URL),$(CELERY_BROKER_URL)),)
# Real services run the production settings: DEBUG off unless DEBUG=true is set (config/settings/base.py). For a
# local run they get a secret key kept in the data directory, this host allowed, and plain HTTP on loopback
# (no https redirect or Secure-only cookies); each can be set in the environment instead.
SECRET_FILE := $(or $(DATA_DIR),data)/secret_key
run demo migrate: export SECRET_KEY ?= $(shell mkdir -p $(dir $(SECRET_FILE)) && { test -s $(SECRET_FILE) || \
	python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > $(SECRET_FILE); } && cat $(SECRET_FILE))
run demo migrate: export ALLOWED_HOSTS ?= $(HOST),127.0.0.1,localhost
run demo migrate: export SECURE_SSL_REDIRECT ?= false
# E-mailed links (notifications, password reset) point where `make run` serves, unless SITE_URL says otherwise.
run demo migrate: export SITE_URL ?= http://$(HOST):$(PORT)
run demo migrate: export SESSION_COOKIE_SECURE ?= false
run demo migrate: export CSRF_COOKIE_SECURE ?= false
run demo migrate: export SECURE_HSTS_SECONDS ?= 0
endif

# Listening on every interface: Django answers a Host it does not allow with 400, so unless ALLOWED_HOSTS is
# given, this machine's names and addresses are allowed too (a DNS alias or a proxy's name still needs it).
ifneq ($(filter 0.0.0.0 :: [::],$(HOST)),)
ifeq ($(origin ALLOWED_HOSTS),undefined)
comma := ,
LAN_HOSTS := $(shell { hostname; hostname -f; hostname -I; } 2>/dev/null | tr ' ' '\n' | grep -v '^$$' | sort -u | paste -sd, -)
run demo migrate: export ALLOWED_HOSTS := $(LAN_HOSTS)$(if $(LAN_HOSTS),$(comma))127.0.0.1,localhost
endif
endif

run: demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
ifneq ($(LAN_HOSTS)$(filter 0.0.0.0 :: [::],$(HOST)),)
	@echo "Listening on every interface; answering as $(ALLOWED_HOSTS). Another name: make run ALLOWED_HOSTS=name,…"
endif
ifneq ($(and $(DATABASE_URL),$(CELERY_BROKER_URL)),)
	@echo "Real services: web (gunicorn), worker and beat from the Procfile under honcho; Ctrl-C stops all three."
	@echo "Production settings: DEBUG is $(or $(DEBUG),off) (set DEBUG=true to see debug pages)."
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) exec $(VENV)/bin/honcho start -f Procfile -p $(PORT)
else
	$(PY) manage.py serve --host $(HOST) --port $(PORT)
endif

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djade --check --target-version 5.2 $$(git ls-files '*.html')

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djade --check --target-version 5.2 $$(git ls-files '*.html')
	$(VENV)/bin/mypy apps config
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(MAKE) --no-print-directory docs-build
	$(VENV)/bin/pytest -n auto --dist loadgroup -rs $(PYTEST_ARGS)

# The manual (docs/, mkdocs.yml): `make docs` serves it with live reload; the build is part of `make test`.
DOCS_ADDR ?= 127.0.0.1:8001
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --dev-addr $(DOCS_ADDR)

# Into a temporary folder, so a test run leaves no site behind.
docs-build: install
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
		NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir "$$d"

# The suite with every core kept busy (ops/hog-test): HOG_RUNS=5 for five runs in a row, PYTEST_ARGS to narrow it.
test-under-load: install
	HOG_RUNS=$(or $(HOG_RUNS),1) ops/hog-test $(or $(PYTEST_ARGS),-n auto --dist loadgroup -rs)

bench: install
	$(PY) bench/bench_scoring.py
	$(PY) bench/bench_matrix_page.py
	$(PY) bench/bench_rescoring.py
	$(PY) bench/bench_xlsx_bomb.py
	$(PY) bench/bench_quality.py
	$(PY) bench/bench_import_errors.py

# Web nodes and Celery workers (a beat per node, one sends) behind HAProxy on PORT, on DATABASE_URL,
# CELERY_BROKER_URL and CACHE_URL (ops/cluster.py; CLUSTER_NODES, CLUSTER_WORKERS, default 2 and 2).
cluster: install staticfiles/staticfiles.json
	PORT=$(PORT) $(PY) ops/cluster.py

# DATABASE_URL's database to a file in BACKUP_DIR (default backups/), and from one into an empty database.
backup: install
	$(PY) ops/backup.py backup $(if $(BACKUP_DIR),--dir $(BACKUP_DIR))

restore: install
	@if [ -z "$(FILE)" ]; then echo "Name the backup: make restore FILE=backups/….dump" >&2; exit 2; fi
	$(PY) ops/backup.py restore "$(FILE)"

# The production set's static files (hashed, compressed: about a minute here), collected again only when ours
# or the locked packages changed.
staticfiles/staticfiles.json: uv.lock $(shell find static -type f)
	$(MAKE) install
	STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
		$(PY) manage.py collectstatic --no-input --verbosity 0
	touch $@

# Simulated analysts against gunicorn + PostgreSQL + Redis + a worker (LOAD_USERS, LOAD_SECONDS; see bench/load.py);
# LOAD_NODES=2 runs them against `make cluster`'s nodes behind HAProxy.
load: install staticfiles/staticfiles.json
	$(PY) bench/load.py

# The CPU of one rating, matrix page, panel poll and snapshot (web, database, worker), measured against gunicorn
# and a worker (bench/capacity.py; CAPACITY_DATABASE_URL, CAPACITY_BROKER_URL, CAPACITY_CACHE_URL).
capacity: install staticfiles/staticfiles.json
	$(PY) bench/capacity.py
