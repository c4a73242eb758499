# Two commands do all the set-up on a fresh clone:
#   make run    install labsim in .venv, compare the five presets, write results/compare/report.html
#   make test   install labsim with its test tools in .venv and run the tests
# Python 3.12 is picked by .python-version (pyenv); set PYTHON to override.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install bench bench-update browser

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "labsim needs Python >= 3.12, got " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The explorer (SolaraViz), Dask and the analysis commands (sensitivity, optimize, discover) are extras; both
# commands install them. A light install for runs, batches, compare and reports:
#   pip install -e .      (add [analysis], [explore], [dask] or [dev] as needed)
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,explore,dask,analysis]'

PRESETS := carrefour_numerique digital_arti le_cube friche institution_culturelle

run: install
	$(BIN)/labsim compare $(PRESETS) --reps 10 --out results/compare
	$(BIN)/labsim report results/compare

# make test SKIP_BROWSER=1: no apt-get, no npm; the explorer's browser test is skipped (it is required in CI)
test: install $(if $(SKIP_BROWSER),,browser)
	$(if $(SKIP_BROWSER),,-$(BIN)/python -m sim.explorer.assets)
	$(BIN)/ruff check sim tests benchmarks scripts
	$(if $(SKIP_BROWSER),LABSIM_SKIP_BROWSER=1 ,)$(BIN)/python -m pytest -n 2 --dist loadfile

# The explorer's browser test drives Debian's Chromium (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "note: no Chromium (apt-get install chromium); the explorer's browser test will be skipped outside CI"

lint: install
	$(BIN)/ruff check sim tests benchmarks scripts

# make bench prints the measurements and leaves the work tree clean; make bench-update rewrites the tracked
# benchmarks/README.md tables and benchmarks/results.json.
bench: install
	$(BIN)/python benchmarks/run_benchmarks.py; a=$$?; $(BIN)/python benchmarks/policies.py; b=$$?; \
	  $(BIN)/python benchmarks/refusals.py; exit $$((a || b || $$?))

bench-update: install
	$(BIN)/python benchmarks/run_benchmarks.py --write; a=$$?; $(BIN)/python benchmarks/policies.py --write; b=$$?; \
	  $(BIN)/python benchmarks/refusals.py --write; exit $$((a || b || $$?))
