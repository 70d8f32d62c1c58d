# Two commands do everything on a fresh machine with only Python:
#   make run    create .venv, install, open the app on the bundled sample account
#   make test   create .venv, install, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: run test bench sample clean users

# the project itself is installed editable (pyproject.toml, no dependencies of its own) so
# that `.venv/bin/python -m optimizer` works from any directory; --quiet twice hides
# setuptools' generic editable-install warning (errors still show)
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --quiet -e . --no-deps
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Listens on this computer only (127.0.0.1): until the first admin exists the app runs
# in single-user local mode with no sign-in (see README). To serve a network, create
# an admin first, then run with ADDRESS=0.0.0.0 behind HTTPS.
ADDRESS ?= 127.0.0.1

run: $(STAMP)
	mkdir -p data
	$(BIN)/python serve.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

users: $(STAMP)
	$(BIN)/python -m optimizer users $(ARGS)

# the suite in JOBS processes (pytest-xdist): each test has its own data folder, port and
# PostgreSQL schema, so they run side by side; JOBS=1 runs them one after another
JOBS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS)

sample: $(STAMP)
	$(BIN)/python -m sample_data.generate

bench: $(STAMP)
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis data optimizer.egg-info
