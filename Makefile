# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint data reference clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kzs serve --port $(PORT)

test: $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

data: $(STAMP)  ## re-run the importer over every programme folder
	for dir in data/*/; do [ -f "$$dir/import.toml" ] && $(BIN)/kzs import "$$dir"; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
