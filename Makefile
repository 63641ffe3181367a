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

# The two django-q2 clusters: the default one (scoring, CRM syncs, webhooks, schedules) and the
# Whisper one (local transcription), named after the site (Q_NAME, default leadscoring).
Q_NAME ?= leadscoring
CLUSTERS = $(PY) manage.py qcluster & Q_CLUSTER_NAME=$(Q_NAME)-whisper $(PY) manage.py qcluster &
# Ctrl-C has already signalled every process: wait for them to stop (a second signal can hang a
# stopping qcluster). When one exits on its own, stop the others once.
STOP_TOGETHER = trap 'trap - EXIT; wait' INT TERM; trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT

# Web server and both clusters together; Ctrl-C stops them all.
run: demo static
	@echo "Starting both worker clusters and the web server on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	@$(STOP_TOGETHER); \
	$(CLUSTERS) \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: gunicorn (leadscoring/gunicorn_conf.py) and both worker clusters, DEBUG off, no demo
# data. Configure with the environment or .env (README, "Production").
serve: migrate static
	DJANGO_DEBUG=false $(PY) manage.py check --deploy --fail-level ERROR
	@echo "Serving on http://$(HOST):$(PORT)/ with gunicorn and both worker clusters (Ctrl-C to stop)"
	@export DJANGO_DEBUG=false; $(STOP_TOGETHER); \
	$(CLUSTERS) \
	$(PY) -m gunicorn -c python:leadscoring.gunicorn_conf --bind $(HOST):$(PORT)

web: migrate static
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	@$(STOP_TOGETHER); \
	$(CLUSTERS) \
	wait

test: install browser-deps espeak
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

# Debian's espeak-ng speaks the scripted and labelled calls: demo audio, the audio evaluation
# (`manage.py evaluate DIR --audio`), its tests and the benchmarks. Installed when missing and we
# can (root with apt); otherwise those tests skip (and fail in CI).
espeak:
	@command -v espeak-ng >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get -o DPkg::Lock::Timeout=900 update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq espeak-ng \
	    || echo "could not install espeak-ng: audio tests will skip (and fail in CI)"; \
	  else echo "espeak-ng missing and not installable here: audio tests will skip"; fi; }

demo-audio: install espeak
	$(PY) -m demo.generate
