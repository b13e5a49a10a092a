#!/usr/bin/env python3
"""Time the backtesting peers on the data tradlyte-bench wrote, for BENCHMARKS.md ratios.

Usage: python3 scripts/bench_peers.py DATA.csv
Prints {"backtesting_py_seconds": …, "backtesting_py_best_seconds": …, "vectorbt_seconds": … or
null}: backtesting.py's SmaCross(10, 30) long/short with 0.2% commission on the series (median
and best of 7 runs), and
vectorbt's Portfolio.from_signals for the same SMA cross on a 1,000-column panel made by
tiling that series (warm: second call), when vectorbt is installed.
"""
import json
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd


def main():
    df = pd.read_csv(sys.argv[1], parse_dates=["date"]).set_index("date")
    df.columns = ["Open", "High", "Low", "Close", "Volume"]
    result = {"backtesting_py_seconds": None, "backtesting_py_best_seconds": None, "vectorbt_seconds": None}
    try:
        from backtesting import Backtest, Strategy
        from backtesting.lib import crossover
        from backtesting.test import SMA

        class SmaCross(Strategy):
            def init(self):
                self.a = self.I(SMA, self.data.Close, 10)
                self.b = self.I(SMA, self.data.Close, 30)

            def next(self):
                if crossover(self.a, self.b):
                    self.position.close()
                    self.buy()
                elif crossover(self.b, self.a):
                    self.position.close()
                    self.sell()

        times = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(7):
                t0 = time.perf_counter()
                Backtest(df, SmaCross, cash=10_000, commission=0.002).run()
                times.append(time.perf_counter() - t0)
        result["backtesting_py_seconds"] = statistics.median(times)
        result["backtesting_py_best_seconds"] = min(times)
    except ImportError:
        pass
    try:
        import vectorbt as vbt
        close = pd.DataFrame(np.tile(df["Close"].values[:, None], (1, 1000)), index=df.index)
        def run():
            fast, slow = close.rolling(10).mean(), close.rolling(30).mean()
            entries = (fast > slow) & (fast.shift(1) <= slow.shift(1))
            exits = (fast < slow) & (fast.shift(1) >= slow.shift(1))
            vbt.Portfolio.from_signals(close, entries, exits, fees=0.002, init_cash=10_000).total_return()
        run()
        t0 = time.perf_counter()
        run()
        result["vectorbt_seconds"] = time.perf_counter() - t0
    except ImportError:
        pass
    print(json.dumps(result))


if __name__ == "__main__":
    main()
