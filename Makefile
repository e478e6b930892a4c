# Two commands: `make run` (everything on this machine) and `make test` (the whole suite); `make demo` adds
# example data for the reports.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install services lint bench bench-quick bench-reports bench-redirect demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/pybabel compile -d web/translations

run: install
	$(BIN)/postillon run

services:
	bash scripts/ensure-services.sh

test: install services
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install services
	$(BIN)/python bench/burst.py

bench-reports: install services
	$(BIN)/python bench/reports.py

# A realistic quarter of example data for the reports (refuses when the database has posts).
demo: install
	$(BIN)/postillon demo

bench-quick: install services
	$(BIN)/python bench/burst.py --n 1000 --latency-ms 200

bench-redirect: install services
	$(BIN)/python bench/redirect.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
