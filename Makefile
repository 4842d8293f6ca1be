# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help venv test test-python demo lint bench clean

# Each mk/*.mk adds its own suite to TEST_SUITES (e.g. the VS Code and Neovim end-to-end tests).
TEST_SUITES := lint test-python
-include mk/*.mk

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(STAMP) ## create .venv with the project and its test extras

test: $(TEST_SUITES) ## run every test suite (sets itself up)

test-python: $(STAMP) ## pytest: core, CLI, language server end to end
	$(PY) -m pytest -q

demo: $(STAMP) ## run the main job on examples/Dockerfile
	$(PY) examples/demo.py examples/Dockerfile

lint: $(STAMP) ## ruff over the code, mypy (strict) over server/
	$(PY) -m ruff check server tests bench
	$(PY) -m mypy

bench: $(STAMP) ## print benchmark figures
	$(PY) bench/run.py

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .hypothesis
