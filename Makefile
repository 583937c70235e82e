# Zhitong: `make run` serves a demo district; `make test` runs the suite on SQLite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in every QR code, link and SMS. Empty: `make run` derives it from HOST and
# PORT (for HOST=0.0.0.0, this machine's LAN address, which a phone on the same network opens).
PUBLIC_BASE_URL ?=
# Where `make lock` builds its throw-away environment (several checkouts on one machine: set one each).
LOCK_DIR ?= /tmp/zhitong-lock

.PHONY: install run test test-browser test-all lint format bench lock messages clean

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# `make run`: every step runs with the address it serves at as PUBLIC_BASE_URL (unless set),
# so the demo's links and the QR codes lead back to this server; then the daily deadline check,
# as cron runs it (a demo seeded on an earlier day records the due dates that passed since),
# the demo accounts with how a phone on the same network opens the site, and the server.
run: install
	@set -e; base='$(PUBLIC_BASE_URL)'; \
	if [ -z "$$base" ]; then \
	  base=$$(DEBUG=1 $(MANAGE) served_address --host '$(HOST)' --port '$(PORT)'); \
	fi; \
	export DEBUG=1 PUBLIC_BASE_URL="$$base"; \
	echo "PUBLIC_BASE_URL=$$base"; \
	set -x; \
	$(MANAGE) migrate --noinput; \
	$(MANAGE) seed_demo; \
	$(MANAGE) handling_check_deadlines; \
	$(MANAGE) print_demo_accounts --host '$(HOST)' --port '$(PORT)'; \
	exec $(MANAGE) runserver '$(HOST):$(PORT)'

test: install
	$(BIN)/python -m pytest -n auto --dist loadfile -q

test-browser: install
	$(BIN)/python -m pytest -m browser -q -p no:xdist

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd src && ../$(BIN)/lint-imports ../pyproject.toml
	$(BIN)/mypy $$(ls src/zhitong/*/services.py src/zhitong/*/selectors.py)
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/bench_opinions.py
	$(BIN)/python bench/bench_booklet.py
	$(BIN)/python bench/bench_suggestions.py
	$(BIN)/python bench/bench_router.py
	$(BIN)/python bench/bench_duplicates.py

messages: install
	cd src/zhitong && DEBUG=1 ../../$(BIN)/python ../../manage.py makemessages -l en --no-obsolete
	cd src/zhitong && DEBUG=1 ../../$(BIN)/python ../../manage.py compilemessages -l en

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf $(LOCK_DIR) && $(PYTHON) -m venv $(LOCK_DIR)
	$(LOCK_DIR)/bin/pip install --quiet --upgrade pip
	$(LOCK_DIR)/bin/pip install --quiet ".[dev]"
	{ echo "# Exact versions of every dependency, direct and transitive (Python 3.11-3.13, Linux)."; \
	  echo "# Direct dependencies are listed in pyproject.toml; regenerate with 'make lock'."; \
	  $(LOCK_DIR)/bin/pip freeze --exclude zhitong; } > requirements.lock

clean:
	rm -rf $(VENV) staticfiles
