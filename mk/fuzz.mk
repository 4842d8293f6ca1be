# Fuzzing the pure core (tests/fuzz/): arbitrary bytes and mutated corpus files through the model,
# the rule, fix-all and incremental edits.  Not part of `make test` (it runs for half an hour);
# crashers become rows in tests/test_fuzz_regressions.py, which `make test` does run.
#   make fuzz                          30 minutes, atheris (coverage-guided) when it installs
#   make fuzz FUZZ_SECONDS=60 FUZZ_ENGINE=random
#   make fuzz-replay                   re-check every saved crash in $(FUZZ_OUT)/crashes
FUZZ_SECONDS ?= 1800
FUZZ_TIMEOUT ?= 10
FUZZ_ENGINE  ?=
FUZZ_OUT     ?= .tools/fuzz
FUZZ_CORPUS  ?= $(abspath ../shared/corpus/files)
export FUZZ_CORPUS

.PHONY: fuzz fuzz-replay fuzz-atheris

fuzz-atheris: $(STAMP) ## install atheris into .venv for `make fuzz` (falls back to a random engine)
	@$(PY) -c 'import atheris' 2>/dev/null || $(PY) -m pip install --quiet atheris \
	  || echo "atheris did not install; make fuzz uses its pure-Python random engine"

fuzz: fuzz-atheris ## fuzz the core for FUZZ_SECONDS (default 1800); writes $(FUZZ_OUT)/summary.json
	$(PY) tests/fuzz/fuzz_core.py run --seconds $(FUZZ_SECONDS) --timeout $(FUZZ_TIMEOUT) \
	  --out $(FUZZ_OUT) $(if $(FUZZ_ENGINE),--engine $(FUZZ_ENGINE))

fuzz-replay: $(STAMP) ## replay the crashes a fuzz run saved
	$(if $(wildcard $(FUZZ_OUT)/crashes/*.json),$(PY) tests/fuzz/fuzz_core.py replay $(wildcard $(FUZZ_OUT)/crashes/*.json),@echo "no saved crashes in $(FUZZ_OUT)/crashes")
