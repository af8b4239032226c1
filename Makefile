# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser test clean

## setup: create .venv and install everything (re-runs when requirements change)
setup: $(STAMP)

$(STAMP): requirements.txt lambda/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -e .
	touch $@

## browser: Debian's chromium for the Playwright tests
browser:
	scripts/ensure-chromium

## test: every test (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache instance tests/artifacts

## run-skill: the skill as a web service at http://127.0.0.1:$(SKILL_PORT)/alexa (gunicorn)
SKILL_PORT ?= 5100
.PHONY: run-skill
run-skill: setup
	@echo "skill web service: http://127.0.0.1:$(SKILL_PORT)/alexa"
	$(BIN)/gunicorn --chdir lambda --bind 127.0.0.1:$(SKILL_PORT) 'webservice:create_app()'

## soak: the long versions of the reliability suites (hypothesis soak profile; 127.0.0.1 only)
.PHONY: soak
soak: setup
	HYPOTHESIS_PROFILE=soak $(BIN)/python -m pytest tests/reliability -q --hypothesis-show-statistics $(PYTEST_ARGS)
