# corridormap: two commands do all the set-up.
#   make demo   - create .venv, install corridormap, run the main job on the bundled data -> out/
#   make test   - create .venv with the test extras and run the whole test suite
#   make check  - ruff and the fast tests (no subprocesses, browser or notebooks), for everyday work
#   make notebook - install JupyterLab (the `notebook` extra) into .venv and open notebooks/
# Both are idempotent: a second run only re-installs when pyproject.toml changed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test check lint bench geodata calibrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-notebook: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/corridormap demo --out $(OUT)

test: $(VENV)/.installed-test
	@sh scripts/ensure-chromium.sh
	$(BIN)/python -m ruff check src tests scripts benchmarks
	$(BIN)/python -m pytest

# everyday work: ruff and the tests that are not end to end (no subprocesses, browser or
# notebooks); `make test` and CI run everything
check: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests scripts benchmarks
	$(BIN)/python -m pytest -q -m "not e2e and not browser and not notebook"

lint: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests scripts benchmarks
	$(BIN)/python -m ruff format --check src tests scripts benchmarks

# JupyterLab on the notebooks (interactive: not part of `make test`)
.PHONY: notebook
notebook: $(VENV)/.installed-notebook
	$(BIN)/jupyter lab notebooks/

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e '.[bench]' \
		|| echo "AequilibraE did not install: bench_assign skips the side by side"
	@touch $@ $(VENV)/.installed $(VENV)/.installed-test

bench: $(VENV)/.installed-bench
	@sh scripts/ensure-chromium.sh
	$(BIN)/python benchmarks/run.py

# Rebuild geodata/*.geojson from geodata/src/*.toml (needs the test extras: searoute)
geodata: $(VENV)/.installed-test
	$(BIN)/python scripts/build_geodata.py

# Fit the estimated time parameters to geodata/evidence.toml and write them into
# geodata/parameters.toml (basis "calibrated"), then regenerate docs/validation.md from the new values
calibrate: $(VENV)/.installed
	$(BIN)/corridormap calibrate --write
	$(BIN)/python scripts/validate.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build src/*.egg-info
