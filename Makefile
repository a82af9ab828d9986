# The README's commands. Each target installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: setup java virtuoso chromium run build serve test clean

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

# The store contract tests run a real Virtuoso (tests/virtuoso.py starts a private one); install it where missing.
# The Debian package starts no server by itself here: the tests run their own on 127.0.0.1 and stop it.
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Virtuoso Open Source for the store contract tests (virtuoso-opensource)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource; }

# The browser test drives a headless Chromium; install Debian's chromium where none is present.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing chromium for the headless browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

setup: $(BIN)/evrdf java

build: setup
	$(BIN)/evrdf build --store $(STORE)

serve: setup
	$(BIN)/evrdf serve --store $(STORE) --host $(HOST) --port $(PORT)

# Production: gunicorn, WORKERS processes sharing the read-only release (see README "Running in production")
WORKERS ?= 4
production: setup
	$(BIN)/evrdf serve --store $(STORE) --host $(HOST) --port $(PORT) --workers $(WORKERS)

# One command: set up, build the graph and serve it at http://$(HOST):$(PORT)/
run: build serve

test: setup virtuoso chromium
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
