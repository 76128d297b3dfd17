# SP Trainer: `make run` starts everything, `make test` runs every test.
SHELL := /bin/bash
PYTHON310 ?= python3.10
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
PROFILE ?= single
# Debian packages the tests and the scaled profile use: engines, not code of ours.
DEB_PACKAGES := postgresql redis-server nginx chromium

.PHONY: help run test test-fast lint install train validate services bench bench-load bench-nlu bench-dialogue bench-scoring sync clean chromium

help:
	@echo "make run        install (first time), train if the data changed, start Rasa :5005 and the web app :8080"
	@echo "make run PROFILE=scaled   PostgreSQL + Redis + two Rasa servers behind nginx (:5005) + web app"
	@echo "make test       run every test (trains once if needed)"
	@echo "make test-fast  the unit tier only: no trained model, no Debian packages (seconds)"
	@echo "make lint       ruff (lint, import order, complexity) and mypy (types); first in CI"
	@echo "make validate   rasa data validate + persona validation"
	@echo "make bench      per-turn latency vs a 'rasa init' bot;  make bench-nlu: held-out NLU F1"
	@echo "make bench-scoring   scorer vs hand-labelled transcripts, and its speed"
	@echo "make bench-dialogue  the patient on held-out multi-turn cases, pass rate per kind"
	@echo "make bench-load      1/20/50 simulated students over Socket.IO vs a 'rasa init' bot"

$(PY):
	@if ! $(PYTHON310) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then \
	  echo "error: '$(PYTHON310)' was not found or is not Python 3.10. Rasa 3.6 runs only on Python 3.10."; \
	  echo "  with pyenv:  pyenv install 3.10 (this repo's .python-version selects 3.10)"; \
	  echo "  on Debian/Ubuntu:  apt-get install python3.10 python3.10-venv"; \
	  echo "  or point make at one:  make run PYTHON310=/path/to/python3.10"; \
	  exit 1; fi
	@echo "creating $(VENV) with $$($(PYTHON310) --version)..."
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"

$(STAMP): $(PY) pyproject.toml constraints.txt
	@echo "installing pinned packages (rasa 3.6.21 and its TensorFlow take a few minutes the first time)..."
	$(PY) -m pip install --progress-bar on -c constraints.txt -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

train: install
	@$(PY) -m bot.process.training

validate: install
	@echo "rasa data validate..."
	@$(VENV)/bin/rasa data validate --domain domain --data data --config config.yml 2>&1 \
	  | grep -E "ERROR|UserWarning|conflict|No story structure" ; test $${PIPESTATUS[0]} -eq 0
	@$(PY) -m bot.cli persona validate personas

services:
	@missing=""; \
	for pkg in $(DEB_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	    echo "error: missing Debian packages:$$missing. Install them: sudo apt-get install$$missing"; exit 1; fi; \
	  echo "installing Debian packages:$$missing (apt-get)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null \
	    || { echo "error: apt-get install$$missing failed"; exit 1; }; \
	  echo "installed:$$missing"; fi

run: train
ifeq ($(PROFILE),scaled)
	@$(MAKE) --no-print-directory services
	@$(PY) -m bot.process.scaled
else
	@$(PY) -m bot.process.stack
endif

test: train validate services chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Tiers are marked in tests/conftest.py (docs/testing.md).
test-fast: install
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/mypy

# tests/e2e drive Debian's chromium with Playwright; nothing is downloaded at run time.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "/usr/bin/chromium is missing: apt-get install -y chromium (for the browser tests)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    || { echo "error: apt-get install chromium failed (run as root, or install it yourself)"; exit 1; }; \
	fi

bench-nlu: train
	@$(PY) -m bench.nlu

bench-dialogue: train
	@$(PY) -m bench.dialogue

bench-scoring: train
	@$(PY) -m bench.scoring

bench: train
	@$(PY) -m bench.latency

bench-load: train
	@$(PY) -m bench.load

sync: install
	@$(PY) -m bot.rasa_files

clean:
	rm -rf var .pytest_cache .hypothesis
