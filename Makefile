# The two commands a newcomer needs: `make run` and `make test`. Everything else is an alias.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Re-install whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve web worker migrate static demo test lint fmt check bench ci espeak demo-audio

$(STAMP): pyproject.toml
	@if { [ -e $(VENV) ] || [ -L $(VENV) ]; } && [ ! -x $(PY) ]; then \
	  echo "$(VENV) exists but is not a virtualenv (a file, a link or a broken folder)." >&2; \
	  echo "Remove it and run make again:  rm -rf $(VENV) && make $(MAKECMDGOALS)" >&2; \
	  exit 1; fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,whisper]'
	$(PY) -m pip install -q --no-deps 'resemblyzer==0.1.4'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# Static files, hashed and compressed, into the data directory, where whitenoise serves them.
static: install
	$(PY) manage.py collectstatic --noinput -v0

demo: migrate
	$(PY) manage.py demo_setup

# Web server and a qcluster worker together; Ctrl-C stops both. Only the cluster's own process
# is signalled: its workers ignore SIGINT and are stopped by it (a SIGTERM to each would leave
# the cluster waiting for them).
run: demo static
	@echo "Starting worker and web server on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	@$(PY) manage.py qcluster & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' INT TERM EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: gunicorn (leadscoring/gunicorn_conf.py) and a qcluster worker, DEBUG off, no demo
# data. Configure with the environment or .env (README, "Production").
serve: migrate static
	DJANGO_DEBUG=false $(PY) manage.py check --deploy --fail-level ERROR
	@echo "Serving on http://$(HOST):$(PORT)/ with gunicorn and a worker (Ctrl-C to stop)"
	@export DJANGO_DEBUG=false; \
	$(PY) manage.py qcluster & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' INT TERM EXIT; \
	$(PY) -m gunicorn -c python:leadscoring.gunicorn_conf --bind $(HOST):$(PORT)

web: migrate static
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	$(PY) manage.py qcluster

test: install browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: browser-deps
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
# Installed when missing and we can (root with apt); otherwise those tests skip, or fail in CI.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get -o DPkg::Lock::Timeout=900 update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq chromium \
	    || echo "could not install chromium: browser tests will skip (and fail in CI)"; \
	  else echo "chromium missing and not installable here: browser tests will skip"; fi; }

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

bench: install espeak
	$(PY) -m benchmarks $(BENCH_ARGS)

ci:
	bash .ci/run

# Debian's espeak-ng speaks the scripted calls: only for regenerating demo/ audio and benchmarks.
espeak:
	@command -v espeak-ng >/dev/null || { apt-get update -q && \
		apt-get -o DPkg::Lock::Timeout=900 install -y -q espeak-ng; }

demo-audio: install espeak
	$(PY) -m demo.generate
