# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
SERVE_STAMP := $(VENV)/.installed-serve

.PHONY: run test lint data test-deps reference clean fuzz wheel image

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# What serving needs, without the development extras; a venv set up for the tests serves as well.
$(SERVE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(SERVE_STAMP)

run: $(if $(wildcard $(STAMP)),$(STAMP),$(SERVE_STAMP)) editor
	$(BIN)/kzs serve --port $(PORT)

# The wheel a town installs (it carries ontology/ and shapes/; setup.py), into dist/.
wheel: $(if $(wildcard $(STAMP)),$(STAMP),$(SERVE_STAMP))
	rm -rf build && $(BIN)/pip wheel --no-deps --quiet -w dist .

# The container image (Containerfile), with podman or else docker; BASE=… names another base image.
CONTAINER ?= $(shell command -v podman || command -v docker)
image:
	$(CONTAINER) build $(if $(BASE),--build-arg BASE=$(BASE)) -t kzs -f Containerfile .

test: $(STAMP) lint test-deps editor
	$(BIN)/pytest

# The query editor (editor/sparql-editor.js): CodeMirror 6 with its SPARQL mode, pinned npm packages installed
# into .cache/editor and bundled by esbuild into a git-ignored static file. Without npm the page keeps its plain
# editor (service/static/sparql-editor.js) and says nothing is missing.
EDITOR_PACKAGES := codemirror@6.0.2 @codemirror/state@6.7.6 @codemirror/view@6.44.2 @codemirror/language@6.13.1 \
  @codemirror/legacy-modes@6.5.5 @codemirror/autocomplete@6.20.4 @codemirror/lint@6.9.8 @codemirror/commands@6.11.2 \
  esbuild@0.28.2
EDITOR_DIR := .cache/editor
EDITOR_STAMP := $(EDITOR_DIR)/.installed-6.44.2-0.28.2
EDITOR_BUNDLE := service/static/build/sparql-editor.js

$(EDITOR_STAMP):
	npm install --silent --no-audit --no-fund --no-save --prefix $(EDITOR_DIR) $(EDITOR_PACKAGES) && touch $@

$(EDITOR_BUNDLE): editor/sparql-editor.js $(EDITOR_STAMP)
	NODE_PATH=$(EDITOR_DIR)/node_modules $(EDITOR_DIR)/node_modules/.bin/esbuild editor/sparql-editor.js \
	  --bundle --minify --format=iife --target=es2020 --legal-comments=eof --log-level=warning --outfile=$@

.PHONY: editor
editor:
	@command -v npm >/dev/null && $(MAKE) --no-print-directory $(EDITOR_BUNDLE) || \
	  echo "editor: npm missing or the build failed; the query page keeps its plain editor"

# What the tests drive besides Python: a headless browser and its driver (Debian's packages).
# Without root or apt the browser tests skip and say why.
# ckanext-dcat's RDFParser, for tests/publish/test_ckan.py: a venv of its own, because CKAN pins its own Flask and
# SQLAlchemy. CKAN itself installs without its dependencies (it needs a database otherwise); the parser needs
# only these (recipe: ../shared/research/portal-harvesting.md §4). Without PyPI the CKAN test skips.
CKAN_VENV := .cache/ckan
CKAN_STAMP := $(CKAN_VENV)/.installed
CKAN_DEPS := alembic==1.20.1 dominate==2.9.1 file-keeper==0.2.6 flask==3.1.3 flask-babel==4.0.0 flask-login==0.6.3 \
  markdown==3.11.3 msgspec==0.22.0 nh3==0.3.8 packaging==26.4 passlib==1.7.4 polib==1.2.0 pyjwt==2.15.1 \
  pysolr==3.11.0 rdflib==7.6.0 requests==2.34.2 rq==3.0.0 simplejson==4.3.0 sqlalchemy==2.0.51 tzlocal==5.4.5 \
  webassets==3.0.0

$(CKAN_STAMP):
	@{ $(PYTHON) -m venv $(CKAN_VENV) && \
	  $(CKAN_VENV)/bin/pip install --quiet "ckanext-dcat==2.4.4" $(CKAN_DEPS) && \
	  $(CKAN_VENV)/bin/pip install --quiet --no-deps "ckan==2.12.0" && touch $(CKAN_STAMP); } || \
	  echo "test-deps: ckanext-dcat not installed; tests/publish/test_ckan.py will skip"

# The W3C SPARQL 1.1 Protocol suite's runner (tests/test_sparql_w3c.py), pinned, in a project-local folder;
# Debian's node and npm where they are missing. Without them the W3C tests skip and say why.
RDF_TEST_SUITE := rdf-test-suite@2.8.0
NODE_DIR := .cache/node
NODE_STAMP := $(NODE_DIR)/.installed-$(RDF_TEST_SUITE)

$(NODE_STAMP):
	@{ command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }; } && \
	  npm install --silent --no-audit --no-fund --prefix $(NODE_DIR) $(RDF_TEST_SUITE) && touch $(NODE_STAMP) || \
	  echo "test-deps: $(RDF_TEST_SUITE) not installed; the W3C protocol tests will skip"

# A real LDES client for the change feed (tests/publish/test_feed.py), pinned, in a folder and with a stamp of its
# own, so that it and the W3C runner install side by side. Without npm the LDES client test skips and says why.
LDES_CLIENT := ldes-client@0.3.0
LDES_DIR := .cache/ldes-client
LDES_STAMP := $(LDES_DIR)/.installed-$(LDES_CLIENT)

$(LDES_STAMP): $(NODE_STAMP)
	@{ command -v npm >/dev/null && \
	  npm install --silent --no-audit --no-fund --prefix $(LDES_DIR) $(LDES_CLIENT) && touch $(LDES_STAMP); } || \
	  echo "test-deps: $(LDES_CLIENT) not installed; the LDES client test will skip"

# axe-core, pinned, for the accessibility checks of tests/web/test_reading_browser.py (after the line above has
# made sure npm is there). Without it those checks skip and say why.
AXE := axe-core@4.11.0
AXE_DIR := .cache/axe
AXE_STAMP := $(AXE_DIR)/.installed-$(AXE)

$(AXE_STAMP): $(NODE_STAMP)
	@{ command -v npm >/dev/null && npm install --silent --no-audit --no-fund --prefix $(AXE_DIR) $(AXE) && \
	  touch $(AXE_STAMP); } || echo "test-deps: $(AXE) not installed; the accessibility checks will skip"

test-deps: $(CKAN_STAMP) $(NODE_STAMP) $(LDES_STAMP) $(AXE_STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "test-deps: chromium not installed; browser tests will skip"
	@command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; } || \
	  echo "test-deps: Virtuoso not installed; tests/store/test_remote.py skips it"
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; } || \
	  echo "test-deps: nginx not installed; tests/export/test_export.py will skip"
	@command -v soffice >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; } || \
	  echo "test-deps: LibreOffice not installed; tests/content/test_spreadsheets.py's LibreOffice check will skip"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

data: $(STAMP)  ## re-run the importer over every programme folder
	for dir in data/*/; do [ -f "$$dir/import.toml" ] && $(BIN)/kzs import "$$dir"; done

# The official reference files (DCAT-AP shapes, W3C manifests), for a clone without ../shared/reference beside
# it: fetched from their pinned upstream URLs, checksums checked. Then set KZS_REFERENCE_DIR to the same folder.
REFERENCE_DIR ?= ../shared/reference
reference:
	$(PYTHON) tests/fetch_reference.py $(REFERENCE_DIR)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# A longer fuzzing run than `make test` makes (docs/fuzzing.md): many more hypothesis examples per property, and
# schemathesis against the app in-process and against a real `kzs serve`. About ten minutes on two cores.
FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP)
	KZS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:randomly tests/test_properties.py
	KZS_FUZZ_EXAMPLES=$$(( $(FUZZ_EXAMPLES) / 5 )) $(BIN)/pytest -q -p no:randomly tests/web/test_openapi.py
	KZS_FUZZ_EXAMPLES=$$(( $(FUZZ_EXAMPLES) / 10 )) KZS_FUZZ_SERVER=1 $(BIN)/pytest -q -p no:randomly tests/web/test_openapi.py -k keeps_to

# Load and soak (benchmarks/soak.py): ramp to the highest light rate without errors beside heavy clients, then
# hold it for DURATION seconds; writes its results into docs/soak.md. Never run by make test.
DURATION ?= 600
.PHONY: soak
soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py --duration $(DURATION) --report docs/soak.md

# The hostile-input catalogue (tests/hostile/README.md): every case, its answer, time and peak memory, as a table.
.PHONY: hostile
hostile: $(STAMP)
	$(BIN)/python -m tests.hostile.run

# Our service against its peers (benchmarks/bench.py) at 10k, 100k and 1M synthetic triples, then the stores
# benchmark; writes docs/benchmarks.md. Never run by make test. wrk and nginx from Debian (as root; the script
# stops and says so where they are missing); rdflib-endpoint in a venv of its own, so that FastAPI and uvicorn
# stay out of ours. Without PyPI the rdflib column says it is not installed.
RDFLIB_ENDPOINT_VENV := .cache/rdflib-endpoint
RDFLIB_ENDPOINT_STAMP := $(RDFLIB_ENDPOINT_VENV)/.installed-0.6.3

$(RDFLIB_ENDPOINT_STAMP):
	@{ $(PYTHON) -m venv $(RDFLIB_ENDPOINT_VENV) && \
	  $(RDFLIB_ENDPOINT_VENV)/bin/pip install --quiet "rdflib-endpoint[cli]==0.6.3" && touch $(RDFLIB_ENDPOINT_STAMP); } || \
	  echo "bench: rdflib-endpoint not installed; its columns will say so"

.PHONY: bench
bench: $(STAMP) $(RDFLIB_ENDPOINT_STAMP)
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; } || \
	  echo "bench: wrk or nginx missing and not installable here"
	$(BIN)/python benchmarks/bench.py --output docs/benchmarks.md

# The path users run at scale (benchmarks/bench_scale.py, issue #14): 1, 10, 100 and 1,000 fictitious towns as
# folders on disk, from `kzs validate` to the first answer, restarts, `kzs reload`, publication, export and the
# `oxigraph load` peer; replaces its section of docs/benchmarks.md. Never run by make test; a subset with
# `make bench-scale TOWNS=1,10,100`. Each figure is appended to $(SCALE_RESULTS) as soon as it is measured.
TOWNS ?= 1,10,100,1000
SCALE_RESULTS ?= benchmarks/results/scale.jsonl
.PHONY: bench-scale
bench-scale: $(STAMP)
	mkdir -p $(dir $(SCALE_RESULTS)) && rm -f $(SCALE_RESULTS)
	$(BIN)/python benchmarks/bench_scale.py --towns $(TOWNS) --results $(SCALE_RESULTS) --report docs/benchmarks.md

# The probe suite (benchmarks/probe.py): slowloris, slow readers, long queries from 30 addresses and the /search
# folding, each against `kzs serve` and `kzs serve --production` beside a normal client; prints the table
# (attack | availability | max latency). About eight minutes; never run by make test (tests/test_probe.py has
# the fast cases).
.PHONY: probe
probe: $(STAMP)
	$(BIN)/python benchmarks/probe.py --duration 30
