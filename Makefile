# The two quick-start commands are `make demo` and `make test`; both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROMPT ?= a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges

.PHONY: setup setup-tests setup-train demo test train lint typecheck pytest bench addons clean

setup:
	$(PYTHON) scripts/setup.py

setup-tests:
	$(PYTHON) scripts/setup.py --tests

setup-train:
	$(PYTHON) scripts/setup.py --train

demo: setup
	$(BIN)/partsmith generate "$(PROMPT)" --out out/demo

test: setup-tests
	$(MAKE) --no-print-directory lint typecheck pytest

# Make the embedded model's part-program adapter again, as models/recipe.toml says (see
# docs/training.md); resumes when interrupted: run it again.
TRAIN_ARGS ?=
train: setup-train
	$(BIN)/python -m partsmith.training recipe $(TRAIN_ARGS)

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy
	$(BIN)/mypy scripts/setup.py build_addon.py

pytest:
	$(BIN)/python -m pytest

bench: setup-tests
	$(BIN)/python -m bench

addons: setup
	$(BIN)/python build_addon.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
