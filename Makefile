# valuekit: two commands on a fresh machine, `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

DASHBOARD_PORT ?= 8866

.PHONY: install report test test-slow test-blas docs lab bench dashboard clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,docs]"
	touch $(STAMP)

## The main job: run the notebook sequence on the bundled demo survey, write HTML reports.
report: $(STAMP)
	$(VENV)/bin/valuekit report --out reports

## Parallel workers (pytest-xdist), one per CPU, each on one BLAS thread: two workers' BLAS thread
## pools spinning against each other on two cores made a 2 s test take 120 s.
ONE_BLAS := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
WORKERS  := -n auto --dist loadfile

## Unit tests, doctests and known answers (all but the `slow` ones), strict nbval over the
## committed notebooks (valuekit/notebooks), then the docs. About four minutes on two cores.
test: $(STAMP)
	$(ONE_BLAS) $(PY) -m pytest $(WORKERS) -m "not slow"
	$(ONE_BLAS) $(PY) -m pytest $(WORKERS) $(NBVAL) valuekit/notebooks
	$(MAKE) docs

## The `slow` tests: the simulations of hundreds of surveys, and the end-to-end runs of the
## report, the dashboard in a browser, the deck in LibreOffice and the built wheel (CI runs them).
test-slow: $(STAMP)
	$(ONE_BLAS) $(PY) -m pytest $(WORKERS) -m slow

## The documentation site into docs/_build/html, warnings as errors (a broken reference fails).
docs: $(STAMP)
	rm -rf docs/_build docs/generated
	$(PY) -m sphinx -b html -W --keep-going -q docs docs/_build/html

## The notebooks again under another BLAS: two threads (`make test` runs them on one) and, on
## x86-64, another OpenBLAS kernel (results must not depend on the machine's last bit; CI runs
## this after `make test`).
OTHER_BLAS := OPENBLAS_NUM_THREADS=2 $(if $(filter x86_64,$(shell uname -m)),OPENBLAS_CORETYPE=Sandybridge)
test-blas: $(STAMP)
	$(OTHER_BLAS) $(PY) -m pytest $(NBVAL) valuekit/notebooks

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 valuekit/notebooks

## The what-if dashboard page (valuekit/present/dashboard.ipynb, code hidden) on http://127.0.0.1:$(DASHBOARD_PORT)/ only.
dashboard: $(STAMP)
	$(VENV)/bin/valuekit dashboard --port $(DASHBOARD_PORT)

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/run.py

clean:
	rm -rf reports bench/out valuekit/notebooks/scenarios docs/_build docs/generated docs/_gallery
