#!/usr/bin/env python3
"""Times vectorbt's grouped, cash-sharing Portfolio.from_signals on the panel tradlyte-bench
portfolio wrote (open, close, entries, exits as bars x symbols .npy files).

Usage: bench_portfolio_peer.py DIR MAX_POSITIONS COMMISSION CASH
Prints {"vectorbt_seconds": seconds of the second (warm, after numba's JIT) call} or null.

Configured as the portfolio backtester trades: one group with shared cash (group_by=True,
cash_sharing=True), sells before buys within a bar (call_seq="auto"), orders filled at the next
bar's open (the signals shifted by one bar, price=open), each entry buying CASH/MAX_POSITIONS
worth (size_type="value": from_signals takes no target percent, so the value is the starting
equity's share rather than the current equity's), whole shares (size_granularity=1), the
commission as fees. vectorbt has no position limit; with shared cash it stops buying when the
cash is spent, about the limit the engine enforces by count.
"""
import json
import sys
import time


def main():
    directory, max_positions, commission, cash = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    result = {"vectorbt_seconds": None}
    try:
        import numpy as np
        import vectorbt as vbt

        open_ = np.load(f"{directory}/open.npy")
        close = np.load(f"{directory}/close.npy")
        entries = np.load(f"{directory}/entries.npy")
        exits = np.load(f"{directory}/exits.npy")
        # A signal at a close fills at the next open.
        entries = np.vstack([np.zeros((1, entries.shape[1]), dtype=bool), entries[:-1]])
        exits = np.vstack([np.zeros((1, exits.shape[1]), dtype=bool), exits[:-1]])

        def run():
            pf = vbt.Portfolio.from_signals(
                close, entries, exits, price=open_, size=cash / max_positions, size_type="value",
                size_granularity=1, fees=commission, init_cash=cash, group_by=True, cash_sharing=True,
                call_seq="auto", freq="1D")
            return pf.total_return()

        run()  # numba compiles on the first call
        t0 = time.perf_counter()
        run()
        result["vectorbt_seconds"] = time.perf_counter() - t0
    except Exception as error:  # noqa: BLE001 — the bench reports the peer as not timed
        result["error"] = str(error)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
