# TradLyte Terminal — the two commands: `make run` and `make test`.
SWIFT ?= swift
BIN := .build/debug/tradlyte
ARGS ?=

.PHONY: run test build deps bench fixtures format clean

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

# `make run` brings the database up to date (the offline demo market without POLYGON_API_KEY)
# and opens the terminal UI. `make run ARGS="quote ACME"` runs any other command instead.
run: build
ifeq ($(strip $(ARGS)),)
	$(BIN) refresh --if-stale
	$(BIN) ui
else
	$(BIN) $(ARGS)
endif

# Checks the formatting and that nothing reads the host's clock outside its adapter, builds
# everything (the CLI tests drive the built binaries), runs every test — the API server's suites
# in a process of their own, so their load drill and timeouts neither slow nor are slowed by the
# rest — then the in-process suites that involve time again with the process clock shifted years away (libfaketime), so a
# test that reads the host's clock fails today rather than on a user's machine next week.
test: deps
	scripts/format.sh --check
	scripts/check-clock-reads.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip TradLyteServerTests
	$(SWIFT) test --skip-build --filter TradLyteServerTests
	scripts/test-shifted-clock.sh

# The UI start-up benchmark runs the release CLI, so it is built first.
bench:
	$(SWIFT) build -c release --product tradlyte
	$(SWIFT) run -c release tradlyte-bench all

fixtures:
	python3 scripts/make_fixtures.py
	python3 scripts/make_indicator_fixtures.py
	python3 scripts/make_backtest_fixtures.py

# Formats every Swift file with the checked-in .swift-format.
format:
	scripts/format.sh

clean:
	rm -rf .build
