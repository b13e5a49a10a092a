#!/usr/bin/env python3
"""Generate TA-Lib reference values for the indicator parity tests.

Run from the repository root:  python3 scripts/make_indicator_fixtures.py
Needs: pip install TA-Lib numpy   (the PyPI package bundles the TA-Lib C library)

Writes, per data set, Tests/Fixtures/talib_<set>.csv: one row per bar with
the inputs (open, high, low, close, volume) followed by one column per indicator output,
named like SMA_20 or MACD_12_26_9_signal; empty cells are TA-Lib's warm-up (NaN). Values are
written with repr() so they read back bit for bit.

Data sets:
  walk  — a seeded random walk around 100.
  edge  — flat stretches (identical bars), gaps, a stretch of tiny prices (~0.0005), a stretch
          of huge prices (~500,000) and zero-volume stretches.
  round — where TA-Lib 0.8's rules differ from the textbook: hourly FX-like prices with five
          decimals whose consecutive typical prices agree to within rounding (the same sum
          reached through different high/close splits), exactly repeated typical prices, flat
          stretches, zero and fractional volumes (a window's total money flow below 1), and
          the same patterns at tiny (~1e-4) and huge (~1e6) price levels.
"""
import os
import numpy as np
import talib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures")
N = 320


def walk(rng, n, start, vol):
    o = np.empty(n); h = np.empty(n); l = np.empty(n); c = np.empty(n)
    price = start
    for i in range(n):
        o[i] = price * (1 + rng.normal(0, vol / 2))
        c[i] = o[i] * (1 + rng.normal(0, vol))
        h[i] = max(o[i], c[i]) * (1 + abs(rng.normal(0, vol / 2)))
        l[i] = min(o[i], c[i]) * (1 - abs(rng.normal(0, vol / 2)))
        price = c[i]
    v = np.floor(rng.uniform(1e5, 5e6, n))
    return o, h, l, c, v


def data_walk():
    rng = np.random.default_rng(11)
    return walk(rng, N, 100.0, 0.015)


def data_edge():
    rng = np.random.default_rng(12)
    o, h, l, c, v = walk(rng, N, 50.0, 0.02)
    # Flat stretch: 40 identical bars.
    o[60:100] = h[60:100] = l[60:100] = c[60:100] = 50.0
    v[70:90] = 0.0
    # A gap up, then normal trading.
    for i in range(100, 140):
        o[i], h[i], l[i], c[i] = (x * 1.6 for x in (o[i], h[i], l[i], c[i]))
    # Tiny prices.
    s = slice(140, 200)
    o[s], h[s], l[s], c[s] = (x * 1e-5 for x in (o[s], h[s], l[s], c[s]))
    # A flat tiny stretch.
    o[170:180] = h[170:180] = l[170:180] = c[170:180] = 0.0005
    # Huge prices with a gap down inside.
    s = slice(200, 320)
    o[s], h[s], l[s], c[s] = (x * 1e4 for x in (o[s], h[s], l[s], c[s]))
    for i in range(260, 320):
        o[i], h[i], l[i], c[i] = (x * 0.7 for x in (o[i], h[i], l[i], c[i]))
    v[250:265] = 0.0
    return o, h, l, c, v


def data_round():
    rng = np.random.default_rng(13)
    n = N
    c = np.round(1.1 + np.cumsum(rng.normal(0, 0.0006, n)), 5)
    h = np.round(c + np.abs(rng.normal(0, 0.0003, n)), 5)
    l = np.round(c - np.abs(rng.normal(0, 0.0003, n)), 5)
    o = np.round(np.concatenate(([c[0]], c[:-1])), 5)
    v = np.floor(rng.uniform(1, 400, n))
    # Every fifth bar repeats the previous bar's typical price through another split: the high
    # one pip up and the close one pip down (the same sum, rounded differently), or the very
    # same bar (an exact repeat).
    for i in range(5, n - 1, 5):
        d = 0.00001
        nh, nc = round(h[i - 1] + d, 5), round(c[i - 1] - d, 5)
        if nh >= nc >= l[i - 1] and (i // 5) % 3:
            h[i], c[i], l[i] = nh, nc, l[i - 1]
        else:
            h[i], c[i], l[i] = h[i - 1], c[i - 1], l[i - 1]
        o[i] = min(max(o[i], l[i]), h[i])
    # A flat stretch, zero volume inside it, and fractional volumes (money flow totals below 1).
    o[60:90] = h[60:90] = l[60:90] = c[60:90] = 1.125
    v[70:80] = 0.0
    v[120:150] = np.round(rng.uniform(0.001, 0.05, 30), 4)
    # Tiny and huge price levels with the same rounding pattern.
    o[180:240], h[180:240], l[180:240], c[180:240] = (x * 1e-4 for x in (o[180:240], h[180:240], l[180:240], c[180:240]))
    o[240:], h[240:], l[240:], c[240:] = (x * 1e6 for x in (o[240:], h[240:], l[240:], c[240:]))
    return o, h, l, c, v


def indicators(o, h, l, c, v):
    cols = {}
    def put(name, arr):
        cols[name] = arr
    for p in (2, 5, 20, 50):
        put(f"SMA_{p}", talib.SMA(c, p))
        put(f"EMA_{p}", talib.EMA(c, p))
    for p in (5, 30):
        put(f"WMA_{p}", talib.WMA(c, p))
        put(f"DEMA_{p}", talib.DEMA(c, p))
        put(f"TEMA_{p}", talib.TEMA(c, p))
    for p in (2, 14, 30):
        put(f"RSI_{p}", talib.RSI(c, p))
    for f, s, g in ((12, 26, 9), (5, 35, 5)):
        m, sig, hist = talib.MACD(c, f, s, g)
        put(f"MACD_{f}_{s}_{g}_macd", m); put(f"MACD_{f}_{s}_{g}_signal", sig); put(f"MACD_{f}_{s}_{g}_hist", hist)
    for p, k in ((20, 2.0), (10, 1.5)):
        u, m, lo = talib.BBANDS(c, p, k, k, 0)
        put(f"BBANDS_{p}_{k}_upper", u); put(f"BBANDS_{p}_{k}_middle", m); put(f"BBANDS_{p}_{k}_lower", lo)
    for p in (5, 14):
        put(f"ATR_{p}", talib.ATR(h, l, c, p))
        put(f"NATR_{p}", talib.NATR(h, l, c, p))
        put(f"ADX_{p}", talib.ADX(h, l, c, p))
        put(f"PLUS_DI_{p}", talib.PLUS_DI(h, l, c, p))
        put(f"MINUS_DI_{p}", talib.MINUS_DI(h, l, c, p))
        put(f"CCI_{p}", talib.CCI(h, l, c, p))
        put(f"WILLR_{p}", talib.WILLR(h, l, c, p))
        put(f"MFI_{p}", talib.MFI(h, l, c, v, p))
    for fk, sk, sd in ((5, 3, 3), (14, 3, 3)):
        k, d = talib.STOCH(h, l, c, fk, sk, 0, sd, 0)
        put(f"STOCH_{fk}_{sk}_{sd}_k", k); put(f"STOCH_{fk}_{sk}_{sd}_d", d)
    for p, fk, fd in ((14, 14, 3), (14, 5, 3)):
        k, d = talib.STOCHRSI(c, p, fk, fd, 0)
        put(f"STOCHRSI_{p}_{fk}_{fd}_k", k); put(f"STOCHRSI_{p}_{fk}_{fd}_d", d)
    put("OBV", talib.OBV(c, v))
    for p in (1, 10):
        put(f"ROC_{p}", talib.ROC(c, p))
        put(f"MOM_{p}", talib.MOM(c, p))
    for p in (5, 20):
        put(f"MAX_{p}", talib.MAX(h, p))
        put(f"MIN_{p}", talib.MIN(l, p))
        put(f"STDDEV_{p}", talib.STDDEV(c, p, 1.0))
    for a, m in ((0.02, 0.2), (0.01, 0.1)):
        put(f"SAR_{a}_{m}", talib.SAR(h, l, a, m))
    return cols


def write(name, data):
    o, h, l, c, v = data
    cols = indicators(o, h, l, c, v)
    names = list(cols)
    def fmt(x):
        return "" if np.isnan(x) else repr(float(x))
    with open(os.path.join(OUT, f"talib_{name}.csv"), "w") as f:
        f.write(f"# TA-Lib {talib.__version__} (C {talib.__ta_version__.decode().split()[0]}); scripts/make_indicator_fixtures.py\n")
        f.write(",".join(["open", "high", "low", "close", "volume"] + names) + "\n")
        for i in range(len(c)):
            row = [repr(float(x[i])) for x in (o, h, l, c, v)] + [fmt(cols[n][i]) for n in names]
            f.write(",".join(row) + "\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write("walk", data_walk())
    write("edge", data_edge())
    write("round", data_round())
