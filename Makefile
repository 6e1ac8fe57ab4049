# One-command setup on a fresh machine with only python3 (3.11): uv is bootstrapped into .tools/ if absent.
SHELL := /bin/bash
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
PYTEST_ARGS ?=

.PHONY: sync run test demo bench chaos clean-data

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

sync: $(filter .tools/bin/uv,$(UV))
	$(UV) sync --frozen

run: sync
	$(UV) run python -m redgrid_dev run

test: sync
	$(UV) run pytest $(PYTEST_ARGS)

demo: sync
	$(UV) run python -m redgrid_dev demo

bench: sync
	$(UV) run python -m redgrid_dev bench

# Thousands of reports while services are killed, PostgreSQL crashes and the broker freezes.
chaos: sync
	$(UV) run python -m redgrid_dev chaos

clean-data:
	rm -rf .data
