#!/usr/bin/env bash
# Fails when code under Sources/ reads the host's clock outside the clock adapter.
#
# Every "now" and every elapsed time is injected (`WallClock`, `MonotonicClock`, `Sleeper`):
# the app passes `SystemClock` (Sources/TradLyteCore/SystemClock.swift, the one adapter) at its
# edge, `TRADLYTE_NOW` pins the wall clock for spawned binaries, and tests pass a `ManualClock`.
# A direct read elsewhere is a test that passes today and fails on a user's machine next week,
# so `make test` refuses it here, before any test runs. The benchmarks (Sources/tradlyte-bench)
# are exempt: timing is what they are for.
#
#   scripts/check-clock-reads.sh
set -euo pipefail
cd "$(dirname "$0")/.."

adapter='Sources/TradLyteCore/SystemClock.swift'
pattern='\bDate\(\)|\bDate\.now\b|DispatchTime\.now|DispatchWallTime|(timeout|deadline|wallTimeout): *\.now\(|ContinuousClock|SuspendingClock|clock_gettime|gettimeofday|\btime\(nil\)|CFAbsoluteTimeGetCurrent|systemUptime|timeIntervalSinceNow|ProcessInfo\.processInfo\.systemUptime'

found=$(grep -rnE --include='*.swift' --include='*.c' --include='*.h' "$pattern" Sources \
    | grep -v "^$adapter:" \
    | grep -v '^Sources/tradlyte-bench/' \
    | grep -vE '^[^:]+:[0-9]+: *//' || true)
if [[ -n "$found" ]]; then
    echo "check-clock-reads: the host's clock is read outside $adapter:" >&2
    echo "$found" >&2
    echo "Take the time from an injected WallClock / MonotonicClock (SystemClock at the app's edge)." >&2
    exit 1
fi
echo "check-clock-reads: no clock read outside $adapter"
