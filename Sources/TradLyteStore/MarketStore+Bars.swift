import Foundation
import TradLyteCore

/// Daily and Fibonacci bars: bulk writes and the read shapes the engine needs.
extension MarketStore {
    /// A symbol and its daily bars for a bulk write.
    public struct SymbolSeries: Sendable {
        public var symbol: Symbol
        public var series: BarSeries
        public init(symbol: Symbol, series: BarSeries) {
            self.symbol = symbol
            self.series = series
        }
    }

    /// Inserts or replaces daily bars in bulk, in one transaction, and advances each symbol's
    /// watermark. This is the raw bulk path (benchmarks, rebuilds); `ingest` is the path that
    /// also keeps provenance and Fibonacci bars current. Returns the number of rows written.
    @discardableResult
    public func upsertDailyBars(_ batch: [SymbolSeries], runID: Int64? = nil, at now: Date) throws -> Int {
        try write {
            var written = 0
            for item in batch where !item.series.isEmpty {
                let id = try symbolID(item.symbol, create: true)!
                let s = item.series
                try insertRows("INSERT INTO bars_daily(symbol_id, session, open, high, low, close, volume, vwap, trades)",
                               columns: 7, tail: """
                                   ON CONFLICT(symbol_id, session) DO UPDATE SET
                                       open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
                                       volume = excluded.volume, vwap = NULL, trades = NULL
                                   """, count: s.count, valuesTuple: "(?, ?, ?, ?, ?, ?, ?, NULL, NULL)") { stmt, p, r in
                    stmt.bind(p, id)
                    stmt.bind(p + 1, yyyymmdd(sessionIndex: s.sessionIndex[r]))
                    stmt.bind(p + 2, s.open[r])
                    stmt.bind(p + 3, s.high[r])
                    stmt.bind(p + 4, s.low[r])
                    stmt.bind(p + 5, s.close[r])
                    stmt.bind(p + 6, s.volume[r])
                }
                written += s.count
                try refreshWatermark(symbolID: id, runID: runID, at: now)
            }
            return written
        }
    }

    /// A symbol's daily bars (with vwap and trades) in an optional date range, oldest first.
    public func dailyBars(_ symbol: Symbol, in range: ClosedRange<SessionDate>? = nil) throws -> [DailyBar] {
        try guarded {
            let id = try requireSymbolID(symbol)
            let stmt = try statement("""
                SELECT session, open, high, low, close, volume, vwap, trades FROM bars_daily
                WHERE symbol_id = ? AND session BETWEEN ? AND ? ORDER BY session
                """)
            stmt.bind(1, id)
            stmt.bind(2, range?.lowerBound.yyyymmdd ?? 0)
            stmt.bind(3, range?.upperBound.yyyymmdd ?? 99_999_999)
            var bars: [DailyBar] = []
            while try stmt.step() {
                guard let session = SessionDate(yyyymmdd: stmt.int(0)) else { continue }
                bars.append(DailyBar(session: session, open: stmt.double(1), high: stmt.double(2), low: stmt.double(3),
                                     close: stmt.double(4), volume: stmt.double(5), vwap: stmt.optionalDouble(6),
                                     trades: stmt.optionalInt(7)))
            }
            return bars
        }
    }

    /// A symbol's daily history as columns, in an optional date range.
    public func dailySeries(_ symbol: Symbol, in range: ClosedRange<SessionDate>? = nil) throws -> BarSeries {
        try guarded {
            let id = try requireSymbolID(symbol)
            return try dailySeries(symbolID: id, from: range?.lowerBound.yyyymmdd ?? 0, to: range?.upperBound.yyyymmdd ?? 99_999_999)
        }
    }

    func dailySeries(symbolID id: Int64, from: Int, to: Int, capacity: Int = 0) throws -> BarSeries {
        let stmt = try statement("""
            SELECT session, open, high, low, close, volume FROM bars_daily
            WHERE symbol_id = ? AND session BETWEEN ? AND ? ORDER BY session
            """)
        stmt.bind(1, id)
        stmt.bind(2, from)
        stmt.bind(3, to)
        var series = BarSeries(capacity: capacity)
        // The primary key orders sessions: append without re-checking the order.
        while try stmt.step() {
            series.sessionIndex.append(try sessionIndex(yyyymmdd: stmt.int(0)))
            series.open.append(stmt.double(1))
            series.high.append(stmt.double(2))
            series.low.append(stmt.double(3))
            series.close.append(stmt.double(4))
            series.volume.append(stmt.double(5))
        }
        return series
    }

    /// Replaces all of a symbol's bars for one interval (a full rebuild of that symbol).
    public func replaceFibBars(_ symbol: Symbol, interval: FibInterval, bars: [FibBar]) throws {
        try write {
            let id = try symbolID(symbol, create: true)!
            let delete = try statement("DELETE FROM bars_fib WHERE interval = ? AND symbol_id = ?")
            delete.bind(1, interval.sessions)
            delete.bind(2, id)
            try delete.run()
            try upsertFibBars(symbolID: id, interval: interval, bars: bars)
        }
    }

    func upsertFibBars(symbolID id: Int64, interval: FibInterval, bars: [FibBar]) throws {
        try upsertFibBars(bars.map { (id, interval, $0) })
    }

    /// Writes Fibonacci bars of any symbols and intervals with multi-row statements.
    func upsertFibBars(_ rows: [(Int64, FibInterval, FibBar)]) throws {
        try insertRows("""
            INSERT OR REPLACE INTO bars_fib(interval, symbol_id, bucket, first_session, last_session, sessions,
                                            complete, open, high, low, close, volume)
            """, columns: 12, count: rows.count) { stmt, p, r in
            let (id, interval, bar) = rows[r]
            stmt.bind(p, interval.sessions)
            stmt.bind(p + 1, id)
            stmt.bind(p + 2, Int(bar.bucket))
            stmt.bind(p + 3, yyyymmdd(sessionIndex: bar.firstSession))
            stmt.bind(p + 4, yyyymmdd(sessionIndex: bar.lastSession))
            stmt.bind(p + 5, Int(bar.sessionsPresent))
            stmt.bind(p + 6, bar.complete ? 1 : 0)
            stmt.bind(p + 7, bar.open)
            stmt.bind(p + 8, bar.high)
            stmt.bind(p + 9, bar.low)
            stmt.bind(p + 10, bar.close)
            stmt.bind(p + 11, bar.volume)
        }
    }

    func deleteFibBuckets(symbolID id: Int64, interval: FibInterval, buckets: [Int32]) throws {
        guard !buckets.isEmpty else { return }
        let delete = try statement("DELETE FROM bars_fib WHERE interval = ? AND symbol_id = ? AND bucket = ?")
        for bucket in buckets {
            delete.bind(1, interval.sessions)
            delete.bind(2, id)
            delete.bind(3, Int(bucket))
            try delete.run()
        }
    }

    /// Marks still-forming bars of `interval` complete once their last calendar session is at
    /// or before `latestClosed` (a session index). Returns how many flipped.
    @discardableResult
    func closeFormingBars(interval: FibInterval, latestClosed: Int32) throws -> Int {
        let n = Int32(interval.sessions)
        // bucket b is complete when (b + 1)·n − 1 ≤ latestClosed, i.e. b ≤ (latestClosed + 1)/n − 1.
        let lastCompleteBucket = (latestClosed + 1) / n - 1
        let update = try statement("UPDATE bars_fib SET complete = 1 WHERE interval = ? AND complete = 0 AND bucket <= ?")
        update.bind(1, interval.sessions)
        update.bind(2, Int(lastCompleteBucket))
        try update.run()
        return db.changes
    }

    /// A symbol's bars for an interval, oldest first, optionally limited to bars that end in
    /// `range`. Interval 1 is served from the daily table (every daily bar is its own bucket).
    public func bars(_ symbol: Symbol, interval: FibInterval, in range: ClosedRange<SessionDate>? = nil) throws -> [FibBar] {
        try guarded {
            let id = try requireSymbolID(symbol)
            let from = range?.lowerBound.yyyymmdd ?? 0, to = range?.upperBound.yyyymmdd ?? 99_999_999
            if interval == .daily {
                let series = try dailySeries(symbolID: id, from: from, to: to)
                return (0..<series.count).map { i in
                    let s = series.sessionIndex[i]
                    return FibBar(bucket: s, firstSession: s, lastSession: s, sessionsPresent: 1, complete: true,
                                  open: series.open[i], high: series.high[i], low: series.low[i],
                                  close: series.close[i], volume: series.volume[i])
                }
            }
            let stmt = try statement("""
                SELECT bucket, first_session, last_session, sessions, complete, open, high, low, close, volume
                FROM bars_fib WHERE interval = ? AND symbol_id = ? AND last_session BETWEEN ? AND ? ORDER BY bucket
                """)
            stmt.bind(1, interval.sessions)
            stmt.bind(2, id)
            stmt.bind(3, from)
            stmt.bind(4, to)
            var result: [FibBar] = []
            while try stmt.step() {
                result.append(FibBar(bucket: Int32(stmt.int(0)), firstSession: try sessionIndex(yyyymmdd: stmt.int(1)),
                                     lastSession: try sessionIndex(yyyymmdd: stmt.int(2)), sessionsPresent: Int32(stmt.int(3)),
                                     complete: stmt.int(4) != 0, open: stmt.double(5), high: stmt.double(6),
                                     low: stmt.double(7), close: stmt.double(8), volume: stmt.double(9)))
            }
            return result
        }
    }

    /// Every symbol's bars for one interval, as columns: the shape of a universe scan.
    public struct UniverseColumns: Sendable {
        public var symbols: [Symbol] = []
        /// Bars of `symbols[k]` are at positions `offsets[k] ..< offsets[k + 1]`.
        public var offsets: [Int] = [0]
        /// Session index of the bar's last session (daily: the session itself).
        public var lastSession: [Int32] = []
        public var open: [Double] = []
        public var high: [Double] = []
        public var low: [Double] = []
        public var close: [Double] = []
        public var volume: [Double] = []

        public var barCount: Int { lastSession.count }

        mutating func reserveCapacity(_ bars: Int, symbols count: Int) {
            symbols.reserveCapacity(count)
            offsets.reserveCapacity(count + 1)
            lastSession.reserveCapacity(bars)
            open.reserveCapacity(bars)
            high.reserveCapacity(bars)
            low.reserveCapacity(bars)
            close.reserveCapacity(bars)
            volume.reserveCapacity(bars)
        }

        /// The bars of one symbol as a series keyed by last session.
        public func series(at k: Int) -> BarSeries {
            var s = BarSeries(capacity: offsets[k + 1] - offsets[k])
            for i in offsets[k]..<offsets[k + 1] {
                try? s.append(sessionIndex: lastSession[i], open: open[i], high: high[i], low: low[i],
                              close: close[i], volume: volume[i])
            }
            return s
        }
    }

    /// Reads the whole universe for one interval in storage order (symbol, then time).
    public func universe(interval: FibInterval) throws -> UniverseColumns {
        try guarded {
            var names: [Int64: Symbol] = [:]
            let symbolsStmt = try statement("SELECT id, symbol FROM symbols")
            while try symbolsStmt.step() {
                if let symbol = try? Symbol(symbolsStmt.text(1) ?? "") { names[symbolsStmt.int64(0)] = symbol }
            }
            let stmt: SQLiteStatement
            if interval == .daily {
                stmt = try statement("SELECT symbol_id, session, open, high, low, close, volume FROM bars_daily ORDER BY symbol_id, session")
            } else {
                stmt = try statement("""
                    SELECT symbol_id, last_session, open, high, low, close, volume FROM bars_fib
                    WHERE interval = ? ORDER BY interval, symbol_id, bucket
                    """)
                stmt.bind(1, interval.sessions)
            }
            var u = UniverseColumns()
            // Size the columns up front: regrowing 10 M-element arrays costs more than the scan.
            let expected = interval == .daily
                ? Int(try db.scalarInt("SELECT coalesce(sum(rows), 0) FROM watermarks") ?? 0)
                : Int(try db.scalarInt("SELECT count(*) FROM bars_fib WHERE interval = \(interval.sessions)") ?? 0)
            u.reserveCapacity(expected, symbols: names.count)
            var current: Int64 = -1
            while try stmt.step() {
                let id = stmt.int64(0)
                if id != current {
                    if current != -1 { u.offsets.append(u.lastSession.count) }
                    current = id
                    guard let symbol = names[id] else {
                        throw StoreError.invalidData("bars reference symbol id \(id), which has no symbols row — the database is inconsistent")
                    }
                    u.symbols.append(symbol)
                }
                u.lastSession.append(try sessionIndex(yyyymmdd: stmt.int(1)))
                u.open.append(stmt.double(2))
                u.high.append(stmt.double(3))
                u.low.append(stmt.double(4))
                u.close.append(stmt.double(5))
                u.volume.append(stmt.double(6))
            }
            if current != -1 { u.offsets.append(u.lastSession.count) }
            return u
        }
    }

    /// The latest stored session of each symbol.
    public func latestSessions() throws -> [Symbol: SessionDate] {
        try guarded {
            let stmt = try statement("""
                SELECT s.symbol, w.latest_session FROM watermarks w JOIN symbols s ON s.id = w.symbol_id
                """)
            var result: [Symbol: SessionDate] = [:]
            while try stmt.step() {
                if let symbol = try? Symbol(stmt.text(0) ?? ""), let date = SessionDate(yyyymmdd: stmt.int(1)) {
                    result[symbol] = date
                }
            }
            return result
        }
    }
}
