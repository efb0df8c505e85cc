# make report  : set up .venv, execute every notebook, write build/report/index.html
# make test    : set up .venv, unit tests, then nbval over notebooks/
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Two processes at once (pytest-xdist; for nbval one notebook per worker) on the 2-core machines.
JOBS ?= 2
NBVAL := $(BIN)/python -m pytest --nbval --nbval-current-env -n $(JOBS) --dist loadscope \
	--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider -p kwhelpers.nbval_ledger
# Quiet pip: the machine's pip config names local mirrors that may not exist (their warnings are
# dropped; grep finding nothing else to print is success, and pipefail keeps pip's own status).
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: setup report test test-unit test-notebooks test-numerics test-backends refresh refresh-ledgers lab \
	data-verify upgrade-check clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	set -o pipefail; $(PIP_INSTALL) -e '.[test]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

report: $(STAMP)
	$(BIN)/python -m kwhelpers report --out build/report --jobs 2

test: test-unit test-notebooks

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests --doctest-modules kwhelpers -p no:cacheprovider -n $(JOBS)

test-notebooks: $(STAMP)
	$(NBVAL) $(NBVAL_ARGS) $(NOTEBOOKS)

# The same nbval run under other floating-point orders: oneDNN off, one thread.
test-numerics: $(STAMP)
	TF_ENABLE_ONEDNN_OPTS=0 $(NBVAL) --claims-ledger build/nbval/claims-onednn-off.json $(NBVAL_ARGS) $(NOTEBOOKS)
	KWHELPERS_THREADS=1 OMP_NUM_THREADS=1 $(NBVAL) --claims-ledger build/nbval/claims-one-thread.json \
		$(NBVAL_ARGS) $(NOTEBOOKS)

# kwhelpers' own checks on JAX (and PyTorch where installed), then the same claims there, each against
# its committed ledger docs/ledgers/<backend>-cpu.json: claim status and compared values within tolerance.
test-backends: $(VENV)/.installed-jax
	$(BIN)/python -m pytest tests/test_backends.py -p no:cacheprovider -q
	$(BIN)/python -m kwhelpers backend-check jax
	if $(BIN)/python -c "import torch" 2>/dev/null; then $(BIN)/python -m kwhelpers backend-check torch; fi

$(VENV)/.installed-jax: $(STAMP)
	set -o pipefail; $(PIP_INSTALL) -e '.[jax]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

# Rewrite the committed ledgers after a deliberate change; review `git diff docs/ledgers/`.
refresh-ledgers: $(VENV)/.installed-jax
	$(BIN)/python -m kwhelpers backend-check tensorflow --update
	$(BIN)/python -m kwhelpers backend-check jax --update
	if $(BIN)/python -c "import torch" 2>/dev/null; then $(BIN)/python -m kwhelpers backend-check torch --update; fi

# Re-execute every notebook in place after an upgrade; review with `git diff`.
refresh: $(STAMP)
	$(BIN)/python -m kwhelpers report --inplace $(NOTEBOOKS)

# Which claims change with other packages: make upgrade-check PACKAGES="keras-nightly" (or "keras==3.13.2").
upgrade-check: $(STAMP)
	$(BIN)/python -m kwhelpers upgrade-check $(PACKAGES)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

data-verify: $(STAMP)
	$(BIN)/python -m kwhelpers data verify

clean:
	rm -rf build .pytest_cache
