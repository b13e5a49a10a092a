#!/usr/bin/env python3
"""Generate backtesting.py reference results for the backtester parity tests.

Run from the repository root:  python3 scripts/make_backtest_fixtures.py
Needs: pip install backtesting exchange_calendars pandas numpy   (backtesting 0.6.x)

Writes Tests/Fixtures/backtest_data.csv (seeded daily bars on real NYSE
sessions) and backtest_expected.json: for each case, backtesting.py's closed trades and
statistics (durations in days, dates as ISO strings, NaN as null).
"""
import json
import math
import os
import warnings

import exchange_calendars as xcals
import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy, __version__ as bt_version
from backtesting.lib import crossover
from backtesting.test import SMA

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures")


def data():
    sessions = xcals.get_calendar("XNYS", start="2019-01-01", end="2023-12-31").sessions
    sessions = sessions[sessions >= "2020-01-02"][:700]
    rng = np.random.default_rng(2024)
    price, rows = 80.0, []
    for d in sessions:
        o = price * (1 + rng.normal(0, 0.006))
        c = o * (1 + rng.normal(0.0003, 0.018))
        h = max(o, c) * (1 + abs(rng.normal(0, 0.006)))
        l = min(o, c) * (1 - abs(rng.normal(0, 0.006)))
        rows.append((d, round(o, 4), round(h, 4), round(l, 4), round(c, 4), int(rng.integers(1e5, 2e6))))
        price = c
    df = pd.DataFrame(rows, columns=["Date", "Open", "High", "Low", "Close", "Volume"]).set_index("Date")
    return df


class SmaCrossBoth(Strategy):
    n1, n2 = 10, 30

    def init(self):
        self.sma1 = self.I(SMA, self.data.Close, self.n1)
        self.sma2 = self.I(SMA, self.data.Close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.position.close()
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.position.close()
            self.sell()


class SmaCrossLong(SmaCrossBoth):
    def next(self):
        if crossover(self.sma1, self.sma2) and not self.position:
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.position.close()


def clean(v):
    if isinstance(v, pd.Timedelta):
        return v.total_seconds() / 86400
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    return v


def run(df, strategy, commission):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = Backtest(df, strategy, cash=10_000, commission=commission, finalize_trades=False).run()
    trades = stats["_trades"]
    return {
        "trades": [{"size": int(t.Size), "entry_bar": int(t.EntryBar), "exit_bar": int(t.ExitBar),
                    "entry_price": float(t.EntryPrice), "exit_price": float(t.ExitPrice), "pnl": float(t.PnL),
                    "return": float(t.ReturnPct), "commission": float(t.Commission)} for t in trades.itertuples()],
        "stats": {k: clean(v) for k, v in stats.items() if not k.startswith("_")},
    }


def main():
    df = data()
    with open(os.path.join(OUT, "backtest_data.csv"), "w") as f:
        f.write("date,open,high,low,close,volume\n")
        for d, r in df.iterrows():
            f.write(f"{d:%Y-%m-%d},{float(r.Open)!r},{float(r.High)!r},{float(r.Low)!r},{float(r.Close)!r},{int(r.Volume)}\n")
    cases = {
        "sma_cross_both": run(df, SmaCrossBoth, 0.002),
        "sma_cross_long": run(df, SmaCrossLong, 0.001),
    }
    with open(os.path.join(OUT, "backtest_expected.json"), "w") as f:
        json.dump({"backtesting_version": bt_version, "cases": cases}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
