# One-command setup on a fresh machine with only python3 (3.11): uv is bootstrapped into .tools/ if absent.
SHELL := /bin/bash
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
PYTEST_ARGS ?=

.PHONY: sync browser run test demo bench bench-stats chaos import-ledger clean-data

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

sync: $(filter .tools/bin/uv,$(UV))
	$(UV) sync --frozen

run: sync
	$(UV) run python -m redgrid_dev run

# Headless Chromium for the dashboard's browser tests: Debian's package, installed once.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing Debian's chromium for the dashboard's browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    || echo "WARNING: could not install chromium; the browser tests will fail in CI, skip elsewhere"; \
	fi

test: sync browser
	$(UV) run pytest $(PYTEST_ARGS)

demo: sync
	$(UV) run python -m redgrid_dev demo

# make import-ledger FILE=ledger.csv [ARGS="--token ..."]
import-ledger: sync
	$(UV) run python -m redgrid_dev import-ledger $(FILE) $(ARGS)

bench: sync
	$(UV) run python -m redgrid_dev bench

# Stats at a community's scale: ISSUES=100000 by default (a few minutes of CPU).
bench-stats: sync
	$(UV) run python -m stats.bench --issues $(or $(ISSUES),100000)

# Thousands of reports while services are killed, PostgreSQL crashes and the broker freezes.
chaos: sync
	$(UV) run python -m redgrid_dev chaos

clean-data:
	rm -rf .data
