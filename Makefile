# Quick start: `make run` starts the app, `make test` runs the tests.
# Each target builds .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv compile run test lint bench sysdeps clean FORCE

venv: $(STAMP)

# The strict editable install links each module one by one: a module added or removed since the last
# install means installing again. This file changes only when the list of modules does.
MODULES := $(sort $(wildcard main.py titration/*.py titration/*/*.py ui/*.py ui/*/*.py))
$(VENV)/.modules: FORCE
	@mkdir -p $(VENV)
	@echo '$(MODULES)' | cmp -s - $@ || echo '$(MODULES)' > $@

$(STAMP): pyproject.toml $(VENV)/.modules
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# strict: a plain path entry. The default editable mode installs an import hook that loads
	@# pathlib and more at every Python start in the venv (~11 ms of each command).
	$(BIN)/python -m pip install --quiet -e '.[test,bench,pg,fhir]' --config-settings editable_mode=strict
	@touch $(STAMP)

# System libraries a Qt window (and the Xvfb smoke test) need on Debian/Ubuntu, and the
# PostgreSQL server the unit-server tests start for themselves (initdb/pg_ctl, never as a service),
# and D-Bus with AT-SPI and its system-Python bindings for the accessibility test.
# Skipped quietly where apt-get is missing or we are not root.
SYSPKGS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 \
	libxcb-image0 libfontconfig1 libdbus-1-3 xvfb poppler-utils postgresql \
	dbus at-spi2-core python3-pyatspi
sysdeps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=$$(for p in $(SYSPKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then echo "installing: $$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "warning: could not install $$missing (tests that need them will skip)"; fi; \
	fi

# Byte-compile our sources, as an install would: with PYTHONDONTWRITEBYTECODE set (some machines
# set it) every start would compile them again.
compile: venv
	@$(BIN)/python -m compileall -q titration ui main.py >/dev/null

run: compile
	$(BIN)/python main.py

# ruff (pyflakes, pycodestyle, import order, bugbear, blind except, unused noqa), the import contracts
# of pyproject.toml and the type checker (mypy, on titration/ and ui/: [tool.mypy]).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: venv sysdeps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n auto --dist loadfile

bench: venv sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build
