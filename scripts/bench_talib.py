#!/usr/bin/env python3
"""Time TA-Lib on the data tradlyte-bench generated, for the ratio in BENCHMARKS.md.

Usage: python3 scripts/bench_talib.py DATAFILE N
DATAFILE holds N float64 values each of open, high, low, close (native byte order, one
array after the other), as written by `tradlyte-bench indicators`. Prints one JSON object:
{"talib_version": ..., "seconds": {"SMA_50": best-of-5 seconds, ...}}.
"""
import json
import sys
import time

import numpy as np
import talib


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    data = np.fromfile(path, dtype=np.float64)
    o, h, l, c = (np.ascontiguousarray(data[i * n:(i + 1) * n]) for i in range(4))
    cases = {
        "SMA_50": lambda: talib.SMA(c, 50),
        "EMA_50": lambda: talib.EMA(c, 50),
        "RSI_14": lambda: talib.RSI(c, 14),
        "MACD_12_26_9": lambda: talib.MACD(c, 12, 26, 9),
        "BBANDS_20_2": lambda: talib.BBANDS(c, 20, 2.0, 2.0, 0),
        "ATR_14": lambda: talib.ATR(h, l, c, 14),
    }
    seconds = {}
    for name, f in cases.items():
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            f()
            best = min(best, time.perf_counter() - t0)
        seconds[name] = best
    print(json.dumps({"talib_version": talib.__version__, "seconds": seconds}))


if __name__ == "__main__":
    main()
