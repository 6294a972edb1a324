# valuekit: two commands on a fresh machine, `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg --nbval-cell-timeout=600

DASHBOARD_PORT ?= 8866

.PHONY: install report test test-blas lab bench dashboard clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## The main job: run the notebook sequence on the bundled demo survey, write HTML reports.
report: $(STAMP)
	$(VENV)/bin/valuekit report data/demo_survey.csv --codebook data/demo_codebook.yaml --out reports

## Unit tests, doctests, then strict nbval over the committed notebooks.
test: $(STAMP)
	$(PY) -m pytest
	$(PY) -m pytest $(NBVAL) notebooks

## The notebooks again under another BLAS: one thread and, on x86-64, another OpenBLAS kernel
## (results must not depend on the machine's last bit; CI runs this after `make test`).
OTHER_BLAS := OPENBLAS_NUM_THREADS=1 $(if $(filter x86_64,$(shell uname -m)),OPENBLAS_CORETYPE=Sandybridge)
test-blas: $(STAMP)
	$(OTHER_BLAS) $(PY) -m pytest $(NBVAL) notebooks

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 notebooks

## The what-if dashboard page (valuekit/present/dashboard.ipynb, code hidden) on http://127.0.0.1:$(DASHBOARD_PORT)/ only.
dashboard: $(STAMP)
	$(VENV)/bin/valuekit dashboard --port $(DASHBOARD_PORT)

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/run.py

clean:
	rm -rf reports bench/out notebooks/scenarios
