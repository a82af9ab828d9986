# The README's commands. Each target installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: setup java virtuoso chromium run build serve production lint test conformance clean

$(BIN)/evrdf: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/evrdf

# HermiT (the reasoner) runs on Java; install a headless JRE where none is present.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing a Java runtime for the reasoner (default-jre-headless)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; }

# The tests run every backend against a real Virtuoso (tests/virtuoso.py starts a private one on 127.0.0.1 with a
# random dba password); install it where missing. The package's own service would listen on all interfaces with
# dba/dba, so it must not start: policy-rc.d answers 101 ("action forbidden") during the install, then goes;
# the debconf answers keep the install non-interactive.
virtuoso:
	@{ command -v virtuoso-t && { command -v isql-vt || command -v isql; }; } >/dev/null 2>&1 || { \
	  echo "installing Virtuoso Open Source for the backend tests (virtuoso-opensource; its service stays off)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  if [ -e /usr/sbin/policy-rc.d ]; then OWN_POLICY=; else OWN_POLICY=1; \
	    printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null && $$SUDO chmod 755 /usr/sbin/policy-rc.d; fi; \
	  printf '%s\n' "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password" \
	    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password" | $$SUDO debconf-set-selections; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource; \
	  status=$$?; \
	  if [ -n "$$OWN_POLICY" ]; then $$SUDO rm -f /usr/sbin/policy-rc.d; fi; \
	  if command -v systemctl >/dev/null 2>&1; then $$SUDO systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 || true; fi; \
	  exit $$status; }

# The browser test drives a headless Chromium; install Debian's chromium where none is present.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing chromium for the headless browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

setup: $(BIN)/evrdf java

build: setup
	$(BIN)/evrdf build --store $(STORE)

# gunicorn, WORKERS processes sharing the release loaded into memory (see README "Running in production");
# empty WORKERS = evrdf's default (the CPUs available, 2 to 4); WORKERS=0 = the development server, for debugging
WORKERS ?=
serve: setup
	$(BIN)/evrdf serve --store $(STORE) --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

# kept as a name for `make serve`: the documented command is the production server
production: serve

# One command: set up, build the graph and serve it at http://$(HOST):$(PORT)/
run: build serve

# ruff's rules and mypy's settings are in pyproject.toml ([tool.ruff], [tool.mypy]); both run before the tests
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup virtuoso chromium lint
	$(BIN)/python -m pytest

# The W3C suites alone, writing their results as docs/conformance.md (they also run in `make test`)
conformance: setup
	$(BIN)/python -m pytest tests/w3c -q --conformance-report docs/conformance.md

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache

# Screenshots of each page kind, shown in the README (docs/screenshots/*.png): a fresh build served on a free
# loopback port and photographed at desktop width by headless Chromium (tests/screenshots.py)
.PHONY: screenshots
screenshots: setup chromium
	$(BIN)/python -m tests.screenshots --out docs/screenshots
