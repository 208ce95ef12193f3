# Two entry points, as in the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3

.PHONY: run test lint install install-dev browser bench

install:
	$(PYTHON) -m pip install -q -r requirements.txt

install-dev:
	$(PYTHON) -m pip install -q -r requirements-dev.txt

# Debian's Chromium for the browser tests; Playwright drives it (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }
	@command -v pdftoppm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

run: install
	$(PYTHON) -m streamlit run app.py

# The tests whose numbers come from numpy's BLAS: run again under every OpenBLAS kernel this CPU
# can run (tests/blas_kernels.py), since kernels sum in different orders (NaN on one, inf on another).
NUMERICS_TESTS = tests/test_forward.py tests/test_activations.py tests/test_arithmetic.py tests/test_cli.py \
	tests/test_losses.py tests/test_backward.py tests/test_training.py tests/test_datasets.py tests/test_gradient_working.py

# The habits that keep the code as docs/architecture.md describes it: lint, format, import layers, types.
lint: install-dev
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	lint-imports
	$(PYTHON) -m mypy mlpsim

test: install-dev browser lint
	@echo "BLAS for the full run: $$($(PYTHON) tests/blas_kernels.py --active)"
	$(PYTHON) -m pytest
	@for kernel in $$($(PYTHON) tests/blas_kernels.py); do \
		echo "numerics again with OPENBLAS_CORETYPE=$$kernel: $$(OPENBLAS_CORETYPE=$$kernel $(PYTHON) tests/blas_kernels.py --active)"; \
		OPENBLAS_CORETYPE=$$kernel $(PYTHON) -m pytest $(NUMERICS_TESTS) || exit 1; \
	done

bench: install-dev browser
	for script in benchmarks/*.py; do $(PYTHON) $$script || exit 1; done
