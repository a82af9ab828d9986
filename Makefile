# The README's commands. Each target installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: setup java run build serve test clean

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

setup: $(BIN)/evrdf java

build: setup
	$(BIN)/evrdf build --store $(STORE)

serve: setup
	$(BIN)/evrdf serve --store $(STORE) --host $(HOST) --port $(PORT)

# One command: set up, build the graph and serve it at http://$(HOST):$(PORT)/
run: build serve

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
