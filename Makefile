# make run   - set up, migrate a SQLite database, load demo data, serve on :8000
# make serve - the production processes behind nginx on :8000 (deploy/serve.sh; Ctrl-C stops them)
# make test  - the test suite (SQLite unless DATABASE_URL says otherwise)
# make faults - kill, stall and starve real processes (faults/), bounded in time
# make screenshots - every admin page (headless Chromium) and PDF (pdftoppm) as PNGs in artifacts/screenshots/
# make fuzz  - schemathesis against every operation of /api/schema/ (scripts/fuzz.sh)
# make audit - the pinned dependencies against known advisories (needs pypi.org's JSON API)
# make tools - the npm tools run on the schema (lint, TypeScript, newman) into node_modules/
# make clients - Python client and TypeScript types from BASE_URL's schema, then the client flow
# make postman - the Postman collections of postman/ with newman against BASE_URL
# make bench - seed a large data set and measure (see bench/README.md)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install tools run serve test faults screenshots lint format migrations-check ci clean bench fuzz audit

.venv/.installed: requirements.txt requirements-dev.txt scripts/bootstrap.sh scripts/fonts.sh
	./scripts/bootstrap.sh
	touch $@

install: .venv/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

tools: node_modules/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "API docs: http://$(HOST):$(PORT)/api/docs/   admin: http://$(HOST):$(PORT)/admin/"
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	HOST=$(HOST) PORT=$(PORT) exec deploy/serve.sh

test: install
	$(PY) -m pytest

faults: install
	timeout 1800 $(PY) -m pytest -m faults -s -v faults

screenshots: install
	rm -rf artifacts/screenshots
	timeout 900 $(PY) -m pytest -m screenshots -v billing_site/tests/test_screenshots.py

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

audit:
	python3 -m venv .venv-audit
	.venv-audit/bin/pip install -q pip-audit
	.venv-audit/bin/pip-audit --strict --no-deps --disable-pip -r requirements-dev.txt

fuzz: install
	scripts/fuzz.sh

bench: install
	$(PY) -m bench.run

migrations-check: install
	DJANGO_SETTINGS_MODULE=billing_site.settings.test $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf .venv .venv-audit staticfiles

# The clients and collections talk to a running server (make run, make serve).
BASE_URL ?= http://$(HOST):$(PORT)
API_USER ?= admin
API_PASSWORD ?= password

.PHONY: clients postman

clients: tools
	scripts/clients.sh $(BASE_URL)
	BILLING_API_PASSWORD='$(API_PASSWORD)' .venv-clients/bin/python clients/python_flow.py \
		$(BASE_URL) --username '$(API_USER)'

postman: tools
	for collection in postman/*.postman_collection.json; do \
		node_modules/.bin/newman run $$collection --env-var baseUrl=$(BASE_URL) \
			--env-var username='$(API_USER)' --env-var password='$(API_PASSWORD)' || exit 1; \
	done
