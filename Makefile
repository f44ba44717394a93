# The two commands a fresh clone needs: `make serve` and `make test`.
# Each creates .venv from requirements.txt first when it is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test data model report benchmark

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

serve: $(VENV)/installed
	$(PY) -m winnow serve --host $(HOST) --port $(PORT)

test: $(VENV)/installed
	$(PY) -m pytest

# Rebuilding needs the raw corpora in ../shared/corpora; nothing else does.
data: $(VENV)/installed
	$(PY) -m winnow build-data --corpora ../shared/corpora --out data

model: $(VENV)/installed
	$(PY) -m winnow train --out models/default

report: $(VENV)/installed
	$(PY) -m winnow evaluate --model models/default --data data/test.jsonl.gz

benchmark: $(VENV)/installed
	$(PY) -m winnow benchmark
