# Two commands do all the set-up: `make run` and `make test`. Both create or update .venv from
# pyproject.toml on their own (idempotent: pip only runs when pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint screenshots clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[server,dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/render.py
	$(PY) bench/vision.py
	$(PY) bench/server.py

screenshots: $(STAMP)
	$(PY) main.py --headless --frames 30 --lang en --scene map:chaotianmen --screenshot docs/img/map.png --data-dir /tmp/ct-shots --server offline
	$(PY) main.py --headless --frames 30 --lang en --scene card:hongyadong --screenshot docs/img/card.png --data-dir /tmp/ct-shots --server offline

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
