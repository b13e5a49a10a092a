#!/usr/bin/env python3
"""Generate vectorbt reference results for the portfolio backtester's parity test.

Run from the repository root:  python3 scripts/make_portfolio_fixtures.py
Needs: pip install vectorbt pandas numpy   (vectorbt 1.x)

Writes Tests/Fixtures/portfolio_data.csv (six seeded symbols on real NYSE sessions, one of them
delisted part-way) and portfolio_expected.json: vectorbt's equity per bar, its trades and a few
statistics, for the strategy "SMA 5 crosses above SMA 15, exit when it crosses below" with at
most three positions, equal sizing, ranked by roc(20) (ties by symbol).

How vectorbt is set up to trade as the engine does (Portfolio.from_orders; from_signals has no
target-percent sizing and no position limit):
- The slot and ranking rules are applied here, as the engine applies them: at each close, exits
  for the symbols held, then the candidates that fire ranked by roc(20) (highest first, ties by
  symbol) fill the free slots (3 - held + leaving); every order fills at the next open.
- One group with shared cash (group_by=True, cash_sharing=True); the order of calls in a bar is
  given explicitly (call_seq): exits first, then entries in rank order, then a delisting sale.
- An entry is size_type="targetpercent" with size 1/3, valued at the open (val_price=open, and
  update_value=True so a later order in the bar sees the earlier ones): the engine's "equity at
  the fill ÷ max positions". Whole shares (size_granularity=1). An exit is target percent 0.
- A delisted symbol's position is sold at its last close (price=close on that bar, called last).
- No fees or slippage: vectorbt sizes a target before fees, the engine (like backtesting.py)
  includes the commission in the shares it can afford; the hand-checked and single-symbol tests
  cover commission.
"""
import json
import os

import numpy as np
import pandas as pd
import vectorbt as vbt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures")
SYMBOLS = ["ALFA", "BRVO", "CHRL", "DLTA", "ECHO", "FXTR"]
BARS = 320
# FXTR stops trading after this many bars: the first length from 240 at which it is held at its
# last bar (found by `main`), so the delisting closes a position.
DELISTED = {"FXTR": 240}
MAX_POSITIONS = 3
CASH = 100_000.0


def sessions():
    lines = open(os.path.join(OUT, "xnys_sessions.txt")).read().split("\n")
    days = [line.split()[0] for line in lines if line and not line.startswith("#")]
    start = days.index("2022-01-03")
    return days[start:start + BARS]


def panel():
    rng = np.random.default_rng(17)
    data = {}
    for symbol in SYMBOLS:
        n = BARS
        close = np.empty(n)
        open_ = np.empty(n)
        price = 20 + 80 * rng.random()
        for i in range(n):
            open_[i] = round(price * np.exp(rng.normal(0, 0.004)), 2)
            price = price * np.exp(rng.normal(0.0004, 0.02))
            close[i] = round(price, 2)
        high = np.round(np.maximum(open_, close) * (1 + rng.random(n) * 0.01), 2)
        low = np.round(np.minimum(open_, close) * (1 - rng.random(n) * 0.01), 2)
        frame = pd.DataFrame({"open": open_, "high": high, "low": low, "close": close, "volume": 1_000_000.0})
        data[symbol] = frame.iloc[: DELISTED.get(symbol, BARS)]
    return data


def sma(values, period):
    """TA-Lib's SMA: a running sum, NaN before the first full window."""
    out = np.full(len(values), np.nan)
    total = 0.0
    for i, v in enumerate(values):
        total += v
        if i >= period:
            total -= values[i - period]
        if i >= period - 1:
            out[i] = total / period
    return out


def crosses(a, b, above):
    out = np.zeros(len(a), dtype=bool)
    for i in range(1, len(a)):
        if np.isnan(a[i]) or np.isnan(b[i]) or np.isnan(a[i - 1]) or np.isnan(b[i - 1]):
            continue
        out[i] = (a[i - 1] <= b[i - 1] and a[i] > b[i]) if above else (a[i - 1] >= b[i - 1] and a[i] < b[i])
    return out


def decide(data):
    """The engine's decisions as orders by fill bar; the last value says whether a delisting sold a position."""
    k = len(SYMBOLS)
    entry = np.zeros((BARS, k), dtype=bool)
    exit_ = np.zeros((BARS, k), dtype=bool)
    rank = np.full((BARS, k), np.nan)
    length = [len(data[s]) for s in SYMBOLS]
    close = np.full((BARS, k), np.nan)
    open_ = np.full((BARS, k), np.nan)
    for j, s in enumerate(SYMBOLS):
        c = data[s].close.to_numpy()
        n = len(c)
        fast, slow = sma(c, 5), sma(c, 15)
        entry[:n, j] = crosses(fast, slow, True)
        exit_[:n, j] = crosses(fast, slow, False)
        for i in range(20, n):
            rank[i, j] = (c[i] / c[i - 20] - 1) * 100
        close[:n, j] = c
        open_[:n, j] = data[s].open.to_numpy()
        close[n:, j] = c[-1]  # after a delisting: the last price (no position is held then)
        open_[n:, j] = c[-1]

    # The engine's decisions: orders by fill bar.
    size = np.full((BARS, k), np.nan)
    price = open_.copy()
    call_seq = np.tile(np.arange(k), (BARS, 1))
    held, pending_exit, pending_entry = set(), set(), []
    sold = False
    for t in range(BARS):
        exits_now = sorted(j for j in held if j in pending_exit)
        for j in exits_now:
            size[t, j] = 0.0
            held.discard(j)
        pending_exit = set()
        entries_now = []
        for j in pending_entry:
            if t < length[j] and len(held) < MAX_POSITIONS and j not in held:
                size[t, j] = 1.0 / MAX_POSITIONS
                held.add(j)
                entries_now.append(j)
        pending_entry = []
        delisting = [j for j in held if SYMBOLS[j] in DELISTED and t == length[j] - 1]
        sold = sold or bool(delisting)
        for j in delisting:
            size[t, j] = 0.0
            price[t, j] = close[t, j]
            held.discard(j)
        rest = [j for j in range(k) if j not in exits_now + entries_now + delisting]
        call_seq[t] = exits_now + entries_now + rest + delisting
        # Signals at this close.
        for j in held:
            if exit_[t, j]:
                pending_exit.add(j)
        candidates = [
            j for j in range(k)
            if j not in held and t < length[j] - (2 if SYMBOLS[j] in DELISTED else 1) and entry[t, j]
        ]
        candidates.sort(key=lambda j: (-(rank[t, j] if not np.isnan(rank[t, j]) else -np.inf), SYMBOLS[j]))
        free = max(0, MAX_POSITIONS - len(held) + len(pending_exit))
        pending_entry = candidates[:free]
    return size, price, call_seq, close, open_, sold


def main():
    days = sessions()
    while True:
        data = panel()
        if decide(data)[-1]:
            break
        DELISTED["FXTR"] += 1
    size, price, call_seq, close, open_, _ = decide(data)
    rows = []
    for symbol, df in data.items():
        for i, r in df.iterrows():
            rows.append(f"{symbol},{days[i]},{r.open},{r.high},{r.low},{r.close},{r.volume}")
    with open(os.path.join(OUT, "portfolio_data.csv"), "w") as f:
        f.write("symbol,date,open,high,low,close,volume\n" + "\n".join(rows) + "\n")

    pf = vbt.Portfolio.from_orders(
        close, size=size, size_type="targetpercent", price=price, val_price=open_, size_granularity=1,
        init_cash=CASH, cash_sharing=True, group_by=True, call_seq=call_seq, update_value=True, freq="1D")
    orders = pf.orders.records_arr
    # Every entry the slot rules made must have filled (a refused one would free its slot here
    # but not in the engine).
    assert int((orders["side"] == 0).sum()) == int((size > 0).sum()), "an entry did not fill"
    trades = []
    open_positions = {}
    for o in orders:
        j, i, amount, fill = int(o["col"]), int(o["idx"]), float(o["size"]), float(o["price"])
        if o["side"] == 0:  # buy
            open_positions[j] = (i, amount, fill)
        else:
            start, amount0, entry_price = open_positions.pop(j)
            assert abs(amount - amount0) < 1e-9, "a sale must close the whole position"
            trades.append({
                "symbol": SYMBOLS[j], "entry_date": days[start], "exit_date": days[i], "size": amount0,
                "entry_price": entry_price, "exit_price": fill, "pnl": amount0 * (fill - entry_price),
            })
    still_open = [
        {"symbol": SYMBOLS[j], "entry_date": days[i], "size": a, "entry_price": p}
        for j, (i, a, p) in sorted(open_positions.items())
    ]
    value = pf.value().to_numpy()
    wins = [t for t in trades if t["pnl"] > 0]
    expected = {
        "generator": f"scripts/make_portfolio_fixtures.py, vectorbt {vbt.__version__}",
        "max_positions": MAX_POSITIONS,
        "cash": CASH,
        "delisted": DELISTED,
        "equity": [float(v) for v in value],
        "trades": sorted(trades, key=lambda t: (t["exit_date"], t["symbol"])),
        "open": still_open,
        "stats": {
            "Return [%]": float((value[-1] / value[0] - 1) * 100),
            "Max. Drawdown [%]": float(pf.max_drawdown() * 100),
            "# Trades": len(trades),
            "Win Rate [%]": float(len(wins) / len(trades) * 100) if trades else None,
        },
    }
    with open(os.path.join(OUT, "portfolio_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"{len(trades)} trades, {len(still_open)} open, final value {value[-1]:.2f}")


if __name__ == "__main__":
    main()
