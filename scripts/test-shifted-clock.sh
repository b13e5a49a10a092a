#!/usr/bin/env bash
# Runs the in-process suites that involve time again with the process clock shifted
# (libfaketime), so a test that reads the host's clock instead of an injected one fails here,
# on the day it is written, not on a user's machine a week later. The monotonic clock is left
# alone: harness deadlines and libcurl timeouts keep working. Sources are also checked
# statically (scripts/check-clock-reads.sh); spawned binaries take their time from
# TRADLYTE_NOW, so the CLI and tmux suites are not run again here.
#
# No runtime hook: libfaketime normally exports FAKETIME_SHARED from its constructor, and that
# setenv moves `environ` off the initial stack, where the Swift runtime looks for argv (the test
# runner then forgets `--testing-library swift-testing`). With FAKETIME_SHARED already set,
# libfaketime leaves the environment alone; nothing here uses its shared-memory features.
#
#   scripts/test-shifted-clock.sh                 # every shift below
#   scripts/test-shifted-clock.sh "+1y"           # one shift (faketime's FAKETIME syntax)
set -euo pipefail
cd "$(dirname "$0")/.."

lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1 || true)
if [[ -z "$lib" ]]; then
    echo "test-shifted-clock: libfaketime is missing — run scripts/ensure-deps.sh (apt-get install faketime)" >&2
    exit 1
fi

# The test bundle is run directly: the swift driver itself does not start under libfaketime.
bin="$(swift build --show-bin-path)/TradLytePackageTests.xctest"
if [[ ! -x "$bin" ]]; then
    echo "test-shifted-clock: $bin is missing — run swift build --build-tests first" >&2
    exit 1
fi

suites='MarketDataTests|TradLytePipelineTests|TradLyteStoreTests'
shifts=("$@")
if [[ ${#shifts[@]} -eq 0 ]]; then
    shifts=("+3y" "@2025-01-02 12:00:00")
fi

for shift in "${shifts[@]}"; do
    echo "== time suites with the clock at: $shift"
    LD_PRELOAD="$lib" FAKETIME="$shift" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1 \
        FAKETIME_SHARED="tradlyte-unused tradlyte-unused" \
        "$bin" --testing-library swift-testing --filter "$suites"
done
