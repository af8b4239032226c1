# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser test test-fast clean dist

## setup: create .venv and install everything (re-runs when requirements change)
setup: $(STAMP)

# The package folders are listed so an editable install made before a package existed is redone.
$(STAMP): requirements.txt lambda/requirements.txt pyproject.toml library/pyproject.toml tool/pyproject.toml library/account_linking/__init__.py tool/alexa_linkcheck/__init__.py ride_hailer_service/__init__.py
	@echo "setup: installing into $(VENV) (the first time takes a minute or two; pip's output: $(VENV)/setup.log)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip > $(VENV)/setup.log 2>&1 || { cat $(VENV)/setup.log; exit 1; }
	@$(BIN)/python -m pip install -q -r requirements.txt -e './library[webservice]' -e ./tool -e . >> $(VENV)/setup.log 2>&1 \
		|| { grep -v -i -e warning -e deprecat $(VENV)/setup.log | tail -40; echo "setup: pip failed; the whole log: $(VENV)/setup.log"; exit 1; }
	@echo "setup: done"
	@touch $@

## dist: the wheels of the library (alexa-account-linking) and the tool (alexa-linkcheck) in dist/
dist: setup
	rm -rf dist library/build tool/build
	$(BIN)/python -m pip wheel -q --no-deps -w dist ./library ./tool
	@ls -1 dist

## browser: Debian's chromium for the Playwright tests
browser:
	@scripts/ensure-chromium

## test: every test (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: the quick loop, in parallel: leaves out the slow suites (reliability*, demo,
## bench: ignored), the browser tests and tests marked slow (ASK CLI build, mypy).
## The fast suites mostly wait on sockets and timeouts, so 4 workers pay off even on 2 cores.
FAST_IGNORES := --ignore=tests/reliability --ignore=tests/reliability_service --ignore=tests/demo --ignore=tests/bench
TEST_FAST_WORKERS ?= 4
test-fast: setup
	$(BIN)/python -m pytest -q -n $(TEST_FAST_WORKERS) -p no:cacheprovider -m "not slow and not browser" $(FAST_IGNORES) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache instance tests/artifacts dist

## run-skill: the skill as a web service at http://127.0.0.1:$(SKILL_PORT)/alexa (gunicorn)
SKILL_PORT ?= 5100
.PHONY: run-skill
run-skill: setup
	@echo "skill web service: http://127.0.0.1:$(SKILL_PORT)/alexa"
	$(BIN)/gunicorn --chdir webhost --bind 127.0.0.1:$(SKILL_PORT) 'webservice:create_app()'

# --- Ride Hailer service ---
.PHONY: translations
## translations: re-extract and compile the login page catalogs (compiled .mo files are committed)
translations: setup
	$(BIN)/pybabel extract -F ride_hailer_service/babel.cfg -k _l -k lazy_gettext --no-location --omit-header -o ride_hailer_service/translations/messages.pot ride_hailer_service
	$(BIN)/pybabel update -i ride_hailer_service/translations/messages.pot -d ride_hailer_service/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d ride_hailer_service/translations

# --- make demo / make run (devstack/: the service and the skill's web host as gunicorn processes) ---
SERVICE_PORT ?= 5000
.PHONY: demo run
## demo: fresh SQLite database, service + skill web host on free ports, the scripted dialog, stop
demo: setup
	$(BIN)/python -m devstack demo $(DEMO_ARGS)

## demo-smarthome: My Lights offline: device cloud, LWA and event gateway stand-ins on 127.0.0.1, the
## smart home story through alexa-linkcheck's simulator (link + AcceptGrant, discover, events, revocation)
.PHONY: demo-smarthome
demo-smarthome: setup
	$(BIN)/python -m devstack demo-smarthome

## run: service on $(SERVICE_PORT), skill web host on $(SKILL_PORT), kept up until Ctrl-C
run: setup
	$(BIN)/python -m devstack run --service-port $(SERVICE_PORT) --skill-port $(SKILL_PORT)

## soak: the long versions of the reliability suites, 127.0.0.1 only, each run bounded by
## SOAK_TIMEOUT seconds: skill fuzzing and faults (hypothesis soak profile), then the service
## suites (more schemathesis examples, race and crash rounds, 60 s of mixed load); prints figures
.PHONY: soak
SOAK_TIMEOUT ?= 590
soak: setup
	HYPOTHESIS_PROFILE=soak timeout --signal=INT --kill-after=20 $(SOAK_TIMEOUT) $(BIN)/python -m pytest tests/reliability -q -p no:cacheprovider --hypothesis-show-statistics $(PYTEST_ARGS)
	RELIABILITY_SOAK=1 timeout --signal=INT --kill-after=20 $(SOAK_TIMEOUT) $(BIN)/python -m pytest tests/reliability_service -q -p no:cacheprovider $(PYTEST_ARGS)

# --- Benchmarks (issue 7) ---
.PHONY: bench
## bench: the performance figures side by side (table + bench/results.json); BENCH_QUICK=1 for a smoke run
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)
