# The two commands of the README. Both do all set-up on a fresh machine (Python 3.11, Java 17, Maven).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install system-deps lint

# Import the seed data, run canned queries, write the pictures (into output/).
demo: install
	$(BIN)/influence demo

# Start the test server (its own home, ports 7688/7475) if needed, then run every test.
test: install system-deps
	$(BIN)/python -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

system-deps:
	scripts/install-system-deps

lint: install
	$(BIN)/ruff check .
