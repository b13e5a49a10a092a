import Foundation
import TradLyteCore

/// Daily bars: bulk writes and the read shapes the engine needs (Fibonacci bars are resampled
/// from them on read).
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
    /// watermark. This is the raw bulk path (benchmarks, imports of trusted columns); `ingest`
    /// is the path that also keeps provenance. Returns the number of rows written.
    @discardableResult
    public func upsertDailyBars(_ batch: [SymbolSeries], runID: Int64? = nil, at now: Date) throws -> Int {
        try write {
            var written = 0
            for item in batch where !item.series.isEmpty {
                let id = try symbolID(item.symbol, create: true)!
                let s = item.series
                try insertRows(
                    "INSERT INTO bars_daily(symbol_id, session, open, high, low, close, volume, vwap, trades)",
                    columns: 7,
                    tail: """
                        ON CONFLICT(symbol_id, session) DO UPDATE SET
                            open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
                            volume = excluded.volume, vwap = NULL, trades = NULL
                        """, count: s.count, valuesTuple: "(?, ?, ?, ?, ?, ?, ?, NULL, NULL)"
                ) { stmt, p, r in
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
            let stmt = try statement(
                """
                SELECT session, open, high, low, close, volume, vwap, trades FROM bars_daily
                WHERE symbol_id = ? AND session BETWEEN ? AND ? ORDER BY session
                """)
            stmt.bind(1, id)
            stmt.bind(2, range?.lowerBound.yyyymmdd ?? 0)
            stmt.bind(3, range?.upperBound.yyyymmdd ?? 99_999_999)
            var bars: [DailyBar] = []
            while try stmt.step() {
                guard let session = SessionDate(yyyymmdd: stmt.int(0)) else { continue }
                bars.append(
                    DailyBar(
                        session: session, open: stmt.double(1), high: stmt.double(2), low: stmt.double(3),
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
            return try dailySeries(
                symbolID: id, from: range?.lowerBound.yyyymmdd ?? 0, to: range?.upperBound.yyyymmdd ?? 99_999_999)
        }
    }

    func dailySeries(symbolID id: Int64, from: Int, to: Int, capacity: Int = 0) throws -> BarSeries {
        let stmt = try statement(
            """
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

    /// A symbol's bars for an interval, oldest first, optionally limited to bars that end in
    /// `range`. Interval 1 is the daily table itself (every daily bar is its own bucket); longer
    /// intervals are resampled from the whole daily history on read — buckets are anchored
    /// globally, so a bar that starts before `range` still holds all of its sessions.
    ///
    /// - Parameter latestClosed: the calendar's latest closed session index, which decides the
    ///   newest bar's `complete` flag.
    public func bars(
        _ symbol: Symbol, interval: FibInterval, latestClosed: Int32,
        in range: ClosedRange<SessionDate>? = nil
    ) throws -> [FibBar] {
        try guarded {
            let id = try requireSymbolID(symbol)
            let series = try dailySeries(symbolID: id, from: 0, to: 99_999_999)
            let bars = FibResampler.resample(series, interval: interval, latestClosed: latestClosed)
            guard let range else { return bars }
            let from = Int32(calendar.sessionIndex(onOrAfter: range.lowerBound))
            let to = Int32(calendar.sessionIndex(onOrBefore: range.upperBound))
            return bars.filter { $0.lastSession >= from && $0.lastSession <= to }
        }
    }

    /// Every symbol's daily bars, as columns: the shape of a universe scan.
    public struct UniverseColumns: Sendable {
        public var symbols: [Symbol] = []
        /// Bars of `symbols[k]` are at positions `offsets[k] ..< offsets[k + 1]`.
        public var offsets: [Int] = [0]
        /// Session index of the bar's session.
        public var sessionIndex: [Int32] = []
        public var open: [Double] = []
        public var high: [Double] = []
        public var low: [Double] = []
        public var close: [Double] = []
        public var volume: [Double] = []

        public var barCount: Int { sessionIndex.count }

        mutating func reserveCapacity(_ bars: Int, symbols count: Int) {
            symbols.reserveCapacity(count)
            offsets.reserveCapacity(count + 1)
            sessionIndex.reserveCapacity(bars)
            open.reserveCapacity(bars)
            high.reserveCapacity(bars)
            low.reserveCapacity(bars)
            close.reserveCapacity(bars)
            volume.reserveCapacity(bars)
        }

        /// The bars of one symbol as a series.
        public func series(at k: Int) -> BarSeries {
            var s = BarSeries(capacity: offsets[k + 1] - offsets[k])
            for i in offsets[k]..<offsets[k + 1] {
                // The columns were read in order from one query: an append cannot be refused here.
                try? s.append(
                    sessionIndex: sessionIndex[i], open: open[i], high: high[i], low: low[i],
                    close: close[i], volume: volume[i])
            }
            return s
        }
    }

    /// Reads every symbol's daily history in storage order (symbol, then time).
    public func universe() throws -> UniverseColumns {
        try guarded {
            var names: [Int64: Symbol] = [:]
            let symbolsStmt = try statement("SELECT id, symbol FROM symbols")
            while try symbolsStmt.step() {
                names[symbolsStmt.int64(0)] = try storedSymbol(symbolsStmt.text(1), table: "symbols")
            }
            let stmt = try statement(
                """
                SELECT symbol_id, session, open, high, low, close, volume FROM bars_daily ORDER BY symbol_id, session
                """)
            var u = UniverseColumns()
            // Size the columns up front: regrowing 10 M-element arrays costs more than the scan.
            let expected = Int(try db.scalarInt("SELECT coalesce(sum(rows), 0) FROM watermarks") ?? 0)
            u.reserveCapacity(expected, symbols: names.count)
            var current: Int64 = -1
            while try stmt.step() {
                let id = stmt.int64(0)
                if id != current {
                    if current != -1 { u.offsets.append(u.sessionIndex.count) }
                    current = id
                    guard let symbol = names[id] else {
                        throw StoreError.invalidData(
                            "bars reference symbol id \(id), which has no symbols row — the database is inconsistent")
                    }
                    u.symbols.append(symbol)
                }
                u.sessionIndex.append(try sessionIndex(yyyymmdd: stmt.int(1)))
                u.open.append(stmt.double(2))
                u.high.append(stmt.double(3))
                u.low.append(stmt.double(4))
                u.close.append(stmt.double(5))
                u.volume.append(stmt.double(6))
            }
            if current != -1 { u.offsets.append(u.sessionIndex.count) }
            return u
        }
    }

    /// The latest stored session of each symbol.
    public func latestSessions() throws -> [Symbol: SessionDate] {
        try guarded {
            let stmt = try statement(
                """
                SELECT s.symbol, w.latest_session FROM watermarks w JOIN symbols s ON s.id = w.symbol_id
                """)
            var result: [Symbol: SessionDate] = [:]
            while try stmt.step() {
                result[try storedSymbol(stmt.text(0), table: "symbols")] = try storedDate(
                    stmt.int(1), table: "watermarks")
            }
            return result
        }
    }
}
