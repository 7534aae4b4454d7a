# claimscrub developer entry points. `make demo` and `make test` work from a fresh clone:
# they create .venv and install the project (pinned by constraints.txt) when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall only when the dependency declarations change.
STAMP  := $(VENV)/.installed

.PHONY: venv install lint test unit demo bench docs constraints clean

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# mypy cannot follow setuptools' editable import hook, which maps claimscrub.contracts to
# contracts/ and so on; it checks the packages through a view of symlinks instead.
MYPY_VIEW := $(VENV)/mypy-view
lint: install
	$(BIN)/ruff check .
	mkdir -p $(MYPY_VIEW)/claimscrub
	for part in contracts scrubbers workers bench; do ln -sfn $(CURDIR)/$$part $(MYPY_VIEW)/claimscrub/$$part; done
	MYPYPATH=$(MYPY_VIEW) $(BIN)/mypy -p claimscrub.contracts -p claimscrub.scrubbers -p claimscrub.workers -p claimscrub.bench

# Integration tests included: they start a local Kafka broker when none is given
# (KAFKA_BOOTSTRAP_SERVERS) and fail, never skip, without one.
test: install lint
	$(BIN)/pytest

# The fast loop: every test that needs no broker, no lint (`make test` runs both).
unit: install
	$(BIN)/pytest -m "not integration"

# Starts the local broker unless KAFKA_BOOTSTRAP_SERVERS is set, and stops what it started.
demo: install
	$(BIN)/claimscrub demo

# Throughput, latency and scaling against a real broker, next to an aiokafka passthrough
# measured in the same run (docs/performance.md). BENCH_ARGS=--smoke for a quick pass.
bench: install
	$(BIN)/python -m claimscrub.bench --golden tests/golden/cases.jsonl --out bench/results $(BENCH_ARGS)

# Regenerate docs/asyncapi.yaml and docs/schemas/*.json from the code (tests fail while
# the committed ones differ).
docs: install
	$(BIN)/claimscrub docs

# Re-pin after changing dependencies in pyproject.toml (run in a working venv).
constraints: install
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
