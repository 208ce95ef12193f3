# Two entry points, as in the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3

.PHONY: run test install install-dev browser bench

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

test: install-dev browser
	$(PYTHON) -m pytest

bench: install-dev browser
	for script in benchmarks/*.py; do $(PYTHON) $$script || exit 1; done
