# Threshold: `make run` serves the app with demo data, `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-spa \
	tesseract-ocr-ita tesseract-ocr-nld fonts-ocr-b fonts-dejavu-core fonts-courier-prime \
	libmagic1 libicu-dev pkg-config gettext chromium wrk
HOST ?= 127.0.0.1:8000

.PHONY: setup system-packages lock lint run worker test test-fast fuzz bench prod-smoke check clean

$(VENV)/.system-packages:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi
	@mkdir -p $(VENV) && touch $@

system-packages: $(VENV)/.system-packages

# Production installs the first two locks only (see README, "Running in production").
$(VENV)/.installed: requirements.txt requirements-nodeps.txt requirements-dev.txt | $(VENV)/.system-packages
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	# followthemoney declares sqlalchemy[mypy], which would install the mypy type checker:
	# it and nomenklatura come without their declared dependencies, listed in requirements.in instead.
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements-nodeps.txt
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed

# After editing requirements.in or requirements-dev.in: recompile both locks (existing pins are kept
# unless an edited line needs another version; add --upgrade-package NAME to move one on).
PIP_COMPILE := $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: setup
	$(PIP_COMPILE) requirements.in
	$(PIP_COMPILE) requirements-dev.in

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py runserver $(HOST)

worker: setup
	$(BIN)/celery -A config worker --beat --loglevel=info --concurrency=2 -Q checks,processing,webhooks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/pytest -q

# Without browser tests and slow OCR batches: for quick iterations.
test-fast: setup
	$(BIN)/pytest -q -m "not e2e and not slow"

fuzz: setup
	$(BIN)/pytest -q tests/api -k schemathesis

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 media test-artifacts

# The production topology on 127.0.0.1 (two gunicorns, a worker per queue group, beat, an S3
# server) against the machine's PostgreSQL and Redis; 50 sessions while a worker is killed.
prod-smoke: setup
	$(BIN)/python -m tests.prod_smoke
