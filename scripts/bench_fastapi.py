#!/usr/bin/env python3
"""The original design's serving stack for `tradlyte-bench serve`: FastAPI on uvicorn serving
the same three reads from the same SQLite file as `tradlyte serve` —

    GET /v1/quotes/{symbol}          the latest price, cached in process for 60 s
    GET /v1/bars/{symbol}            the daily bars (interval=1) or N-session bars (interval=N,
                                     bucket = NYSE session index // N, as TradLyte anchors them)

Run by the benchmark as
    TRADLYTE_DB=… TRADLYTE_SESSIONS=… uvicorn bench_fastapi:app --app-dir scripts --workers 2
TRADLYTE_SESSIONS names a file of the NYSE sessions (yyyymmdd, one a line, in calendar order)
that the benchmark writes from the engine's calendar; a bearer token is checked as ours is.
"""
import hmac
import os
import sqlite3
import threading
import time

from fastapi import FastAPI, Header, HTTPException

DB = os.environ["TRADLYTE_DB"]
TOKEN = os.environ.get("TRADLYTE_API_TOKEN", "")
with open(os.environ["TRADLYTE_SESSIONS"]) as f:
    SESSION_INDEX = {int(line): i for i, line in enumerate(f.read().split())}

app = FastAPI()
_local = threading.local()
_quotes = {}
_quotes_lock = threading.Lock()


def db():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(f"file:{DB}?mode=ro", uri=True, check_same_thread=False)
        _local.conn = conn
    return conn


def check(authorization):
    if not authorization or not hmac.compare_digest(authorization, "Bearer " + TOKEN):
        raise HTTPException(status_code=401, detail="the API token is wrong")


def iso(d):
    return f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}"


@app.get("/v1/quotes/{symbol}")
def quote(symbol: str, authorization: str = Header(None)):
    check(authorization)
    now = time.time()
    with _quotes_lock:
        hit = _quotes.get(symbol)
    if hit and now - hit[0] < 60:
        return hit[1]
    row = db().execute(
        "SELECT b.session, b.open, b.high, b.low, b.close, b.volume FROM bars_daily b "
        "JOIN symbols s ON s.id = b.symbol_id WHERE s.symbol = ? ORDER BY b.session DESC LIMIT 2",
        (symbol,),
    ).fetchall()
    if not row:
        raise HTTPException(status_code=404, detail=f"unknown symbol '{symbol}'")
    last = row[0]
    prev = row[1][4] if len(row) > 1 else None
    doc = {
        "symbol": symbol, "price": last[4], "change": None if prev is None else last[4] - prev,
        "day_low": last[3], "day_high": last[2], "volume": last[5], "session": iso(last[0]), "source": "local",
    }
    with _quotes_lock:
        _quotes[symbol] = (now, doc)
    return doc


@app.get("/v1/bars/{symbol}")
def bars(symbol: str, interval: int = 1, authorization: str = Header(None)):
    check(authorization)
    rows = db().execute(
        "SELECT b.session, b.open, b.high, b.low, b.close, b.volume FROM bars_daily b "
        "JOIN symbols s ON s.id = b.symbol_id WHERE s.symbol = ? ORDER BY b.session",
        (symbol,),
    ).fetchall()
    if not rows:
        raise HTTPException(status_code=404, detail=f"unknown symbol '{symbol}'")
    if interval == 1:
        return [
            {"symbol": symbol, "interval": 1, "session": iso(r[0]), "open": r[1], "high": r[2], "low": r[3],
             "close": r[4], "volume": r[5]}
            for r in rows
        ]
    out = []
    current = None
    for r in rows:
        bucket = SESSION_INDEX[r[0]] // interval
        if current is None or current["bucket"] != bucket:
            current = {"symbol": symbol, "interval": interval, "bucket": bucket, "first_session": iso(r[0]),
                       "last_session": iso(r[0]), "sessions": 0, "open": r[1], "high": r[2], "low": r[3],
                       "close": r[4], "volume": 0.0}
            out.append(current)
        current["last_session"] = iso(r[0])
        current["sessions"] += 1
        current["high"] = max(current["high"], r[2])
        current["low"] = min(current["low"], r[3])
        current["close"] = r[4]
        current["volume"] += r[5]
    return out
