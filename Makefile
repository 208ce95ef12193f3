# Two entry points, as in the README: `make run` and `make test`. Both make a virtual environment
# (.venv, made by scripts/make_venv.sh) and install into it, never into the Python they start
# from; they reinstall only when a requirements file or the lock (constraints.txt) changed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Every package at the version CI tested: `make lock` writes it, both targets install with it.
PIP_INSTALL := $(PY) -m pip install -q --disable-pip-version-check -c constraints.txt

.PHONY: run test check lint browser bench lock venv FORCE

# The venv is checked on every run (a Python upgraded under it, another PYTHON asked for): the
# script touches .created only when it makes the venv anew, which makes the installs below run.
# (`+`: it runs under `make -n` too, so a dry run shows what a real one would install.)
venv: $(VENV)/.created
$(VENV)/.created: FORCE
	+@scripts/make_venv.sh "$(PYTHON)" "$(VENV)"
FORCE:

$(VENV)/.installed-app: requirements.txt constraints.txt $(VENV)/.created
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.created
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app
	$(PY) -m streamlit run app.py

# Debian's Chromium for the browser tests; Playwright drives it (never `playwright install`).
# poppler-utils: the worksheet tests look at the printed PDF. Needs root (or sudo) only when missing.
browser:
	@scripts/install_browser.sh

# The habits that keep the code as docs/architecture.md describes it: lint, format, import layers, types.
lint: $(VENV)/.installed-dev
	$(PY) scripts/run_tests.py lint

# Everything, in timed phases (scripts/run_tests.py): lint, the unit tests, the browser tests, the
# latency tests alone, and the numerics tests again with OPENBLAS_CORETYPE set to every other
# OpenBLAS kernel this CPU runs (Haswell and Sandybridge beside the default SkylakeX here), each
# rerun checking first that OpenBLAS took the kernel asked for.
test: $(VENV)/.installed-dev browser
	$(PY) scripts/run_tests.py

# The inner loop (docs/testing.md): lint and every test that needs no browser, in a few minutes.
check: $(VENV)/.installed-dev
	$(PY) scripts/run_tests.py lint unit

bench: $(VENV)/.installed-dev browser
	for script in benchmarks/*.py; do $(PY) $$script || exit 1; done

# Rewrite constraints.txt from a fresh environment with the newest releases the requirements allow.
lock:
	rm -rf .venv-lock
	@scripts/make_venv.sh "$(PYTHON)" .venv-lock
	.venv-lock/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	.venv-lock/bin/python -m pip freeze --all --exclude-editable > .venv-lock/frozen.txt
	{ echo "# Every package make run and make test install, at the version CI tested: written by 'make lock'."; \
	  grep -v -E '^(pip|setuptools|wheel)==' .venv-lock/frozen.txt; } > .venv-lock/constraints.txt
	mv .venv-lock/constraints.txt constraints.txt
	rm -rf .venv-lock
