# TradLyte Terminal — the two commands: `make run` and `make test`.
SWIFT ?= swift
BIN := .build/debug/tradlyte
ARGS ?=

.PHONY: run test build deps bench fixtures clean

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

# Until the terminal UI lands, `make run` shows the store's status (with a hint on what to do).
run: build
	$(BIN) $(ARGS)

# Builds everything (the CLI tests drive the built binary), then runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench:
	$(SWIFT) run -c release tradlyte-bench all

fixtures:
	python3 scripts/make_fixtures.py
	python3 scripts/make_indicator_fixtures.py

clean:
	rm -rf .build
