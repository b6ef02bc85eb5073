# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint data test-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kzs serve --port $(PORT)

test: $(STAMP) lint test-deps
	$(BIN)/pytest

# What the tests drive besides Python: a headless browser and its driver (Debian's packages).
# Without root or apt the browser tests skip and say why.
test-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "test-deps: chromium not installed; browser tests will skip"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

data: $(STAMP)  ## re-run the importer over every programme folder
	for dir in data/*/; do [ -f "$$dir/import.toml" ] && $(BIN)/kzs import "$$dir"; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
