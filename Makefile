# Two commands do all the set-up: `make run` and `make test`. Both create or update .venv to exactly
# the locked set in uv.lock (client, server extra and dev tools). The sync is idempotent and keyed on
# the hash of uv.lock and pyproject.toml: nothing is installed when neither changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# The uv that made uv.lock (it is also in the lock, as part of the dev extra).
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"/\1/p}' uv.lock)
STAMP := $(VENV)/.lock-hash
SYNC := $(UV) sync --frozen --all-extras --python $(PY)

.PHONY: venv run test test-latest lock bench lint screenshots qa clean

venv:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) && $(UV) --version | grep -q " $(UV_VERSION)" || \
		$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@want="$$(cat uv.lock pyproject.toml | sha256sum | cut -d' ' -f1)"; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
		UV_PROJECT_ENVIRONMENT=$(VENV) $(SYNC) --quiet && echo "$$want" > $(STAMP); \
	fi

run: venv
	$(PY) main.py $(ARGS)

# Like .ci/run: when PostgreSQL's initdb/pg_ctl are on this machine (and no cluster was given in
# TEST_DATABASE_URL_PG) a throwaway cluster is started for the PostgreSQL tests and stopped after.
test: venv
	$(PY) -m ruff check .
	@bash .ci/with-pg.sh $(PY) -m pytest $(PYTEST_ARGS)

# Drift check, on purpose and not in CI: the newest resolvable versions in a throwaway venv.
test-latest: venv
	rm -rf .venv-latest
	$(UV) venv --quiet --python $(PY) .venv-latest
	VIRTUAL_ENV=.venv-latest $(UV) pip install --quiet --upgrade -e ".[server,dev]"
	VIRTUAL_ENV=.venv-latest $(UV) pip list --format freeze | \
		grep -iE '^(opencv|numpy|pygame|fastapi|sqlalchemy|pydantic|starlette|uvicorn)' 
	.venv-latest/bin/python -m ruff check .
	@bash .ci/with-pg.sh .venv-latest/bin/python -m pytest $(PYTEST_ARGS)

# Refresh the lock on purpose (newest versions allowed by pyproject.toml), then sync .venv to it.
lock: venv
	$(UV) lock --upgrade --python $(PY)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(SYNC)

lint: venv
	$(PY) -m ruff check .

bench: venv
	$(PY) bench/render.py
	$(PY) bench/vision.py
	$(PY) bench/server.py

screenshots: venv
	$(PY) main.py --headless --frames 30 --lang en --scene map:chaotianmen --screenshot docs/img/map.png --data-dir /tmp/ct-shots --server offline
	$(PY) main.py --headless --frames 30 --lang en --scene card:hongyadong --screenshot docs/img/card.png --data-dir /tmp/ct-shots --server offline

# QA review gallery: every qa/*.toml scenario headless in Chinese and English -> build/qa/index.html
qa: venv
	$(PY) -m game.qa.gallery --out build/qa

clean:
	rm -rf $(VENV) .venv-latest .pytest_cache .ruff_cache
