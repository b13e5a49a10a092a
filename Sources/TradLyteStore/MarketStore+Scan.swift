import Foundation
import TradLyteCore

/// Scanner output: every signal and the top picks per scan session and strategy.
extension MarketStore {
    /// Replaces the stored signals and picks of `result`'s session for the strategies it scanned.
    public func saveScan(_ result: UniverseScanner.Result, strategies: [String], at now: Date) throws {
        try write {
            let session = result.session.yyyymmdd
            for name in strategies {
                for table in ["signals", "picks"] {
                    let delete = try statement("DELETE FROM \(table) WHERE scan_session = ? AND strategy = ?")
                    delete.bind(1, session)
                    delete.bind(2, name)
                    try delete.run()
                }
            }
            let stamp = Timestamp.format(now)
            let all = result.signals.values.flatMap { $0 }
            try insertRows(
                "INSERT INTO signals(scan_session, strategy, symbol, confidence, price, created_at)", columns: 6,
                count: all.count
            ) { stmt, p, r in
                let s = all[r]
                stmt.bind(p, session)
                stmt.bind(p + 1, s.strategy)
                stmt.bind(p + 2, s.symbol.rawValue)
                stmt.bind(p + 3, s.confidence)
                stmt.bind(p + 4, s.price)
                stmt.bind(p + 5, stamp)
            }
            let picks = result.picks.values.flatMap { $0 }
            try insertRows(
                "INSERT INTO picks(scan_session, strategy, rank, symbol, confidence, price, market_cap, sector)",
                columns: 8,
                count: picks.count
            ) { stmt, p, r in
                let s = picks[r]
                stmt.bind(p, session)
                stmt.bind(p + 1, s.strategy)
                stmt.bind(p + 2, s.rank)
                stmt.bind(p + 3, s.symbol.rawValue)
                stmt.bind(p + 4, s.confidence)
                stmt.bind(p + 5, s.price)
                stmt.bind(p + 6, s.marketCap)
                stmt.bind(p + 7, s.sector)
            }
        }
    }

    /// The picks of the latest scanned session (or `session`), by strategy then rank.
    public func picks(session: SessionDate? = nil) throws -> [ScanPick] {
        try guarded {
            let target: Int
            if let session {
                target = session.yyyymmdd
            } else {
                guard let latest = try db.scalarInt("SELECT max(scan_session) FROM picks") else { return [] }
                target = Int(latest)
            }
            let stmt = try statement(
                """
                SELECT strategy, rank, symbol, confidence, price, market_cap, sector FROM picks
                WHERE scan_session = ? ORDER BY strategy, rank
                """)
            stmt.bind(1, target)
            var result: [ScanPick] = []
            while try stmt.step() {
                let symbol = try storedSymbol(stmt.text(2), table: "scan_picks")
                let day = try storedDate(target, table: "scan_picks")
                result.append(
                    ScanPick(
                        strategy: stmt.text(0) ?? "", symbol: symbol, session: day, confidence: stmt.double(3),
                        price: stmt.double(4), marketCap: stmt.optionalDouble(5), sector: stmt.text(6),
                        rank: stmt.int(1)))
            }
            return result
        }
    }

    /// Every signal stored for `session`, by strategy then symbol (unranked: rank 0).
    public func signals(session: SessionDate) throws -> [ScanPick] {
        try guarded {
            let stmt = try statement(
                """
                SELECT strategy, symbol, confidence, price FROM signals
                WHERE scan_session = ? ORDER BY strategy, symbol
                """)
            stmt.bind(1, session.yyyymmdd)
            var result: [ScanPick] = []
            while try stmt.step() {
                let symbol = try storedSymbol(stmt.text(1), table: "scan_signals")
                result.append(
                    ScanPick(
                        strategy: stmt.text(0) ?? "", symbol: symbol, session: session, confidence: stmt.double(2),
                        price: stmt.double(3), marketCap: nil, sector: nil))
            }
            return result
        }
    }

    public func dailyTails(
        sessions: Int, through: SessionDate, symbols: [Symbol]? = nil
    ) throws -> [(Symbol, BarSeries)] {
        let wanted = symbols.map(Set.init)
        let (list, from, to): ([(Int64, Symbol)], Int, Int) = try guarded {
            let last = calendar.sessionIndex(onOrBefore: through)
            let from = calendar.sessions[max(0, last - sessions + 1)].yyyymmdd
            let to = calendar.sessions[max(0, last)].yyyymmdd
            let ids = try statement(
                "SELECT s.id, s.symbol FROM symbols s JOIN watermarks w ON w.symbol_id = s.id ORDER BY s.symbol")
            var list: [(Int64, Symbol)] = []
            while try ids.step() {
                let sym = try storedSymbol(ids.text(1), table: "symbols")
                if wanted?.contains(sym) ?? true {
                    list.append((ids.int64(0), sym))
                }
            }
            return (list, from, to)
        }
        // A large universe is read on every core, each slice on a connection of its own (WAL
        // readers do not block each other): reading 2.5 M rows is most of a daily scan's time.
        let workers = list.count >= 2_000 ? max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) : 1
        guard workers > 1 else {
            return try guarded { try tails(list[...], from: from, to: to, capacity: sessions) }
        }
        let results = Locked([Result<[(Symbol, BarSeries)], Error>?](repeating: nil, count: workers))
        let path = self.path
        let sessionCalendar = self.calendar
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let slice = list[(list.count * w / workers)..<(list.count * (w + 1) / workers)]
            let part = Result {
                let reader = try MarketStore(path: path, calendar: sessionCalendar)
                return try reader.guarded { try reader.tails(slice, from: from, to: to, capacity: sessions) }
            }
            results.withLock { $0[w] = part }
        }
        return try results.withLock { parts in try parts.flatMap { try $0?.get() ?? [] } }
    }

    /// The daily bars from `from` to `to` (yyyymmdd) of each symbol in `slice` that has any.
    func tails(
        _ slice: ArraySlice<(Int64, Symbol)>, from: Int, to: Int,
        capacity: Int
    ) throws -> [(Symbol, BarSeries)] {
        var part: [(Symbol, BarSeries)] = []
        for (id, symbol) in slice {
            let series = try dailySeries(symbolID: id, from: from, to: to, capacity: capacity)
            if !series.isEmpty { part.append((symbol, series)) }
        }
        return part
    }

    /// Every stored symbol's daily history (for scans and universe backtests).
    public func dailyUniverse(symbols: [Symbol]? = nil) throws -> [(Symbol, BarSeries)] {
        try guarded {
            let u = try universe()
            let wanted = symbols.map(Set.init)
            var result: [(Symbol, BarSeries)] = []
            for k in u.symbols.indices where wanted?.contains(u.symbols[k]) ?? true {
                result.append((u.symbols[k], u.series(at: k)))
            }
            return result
        }
    }

    public func fillPickMetadata(session: SessionDate) throws {
        try write {
            let stmt = try statement(
                """
                UPDATE picks SET
                    market_cap = coalesce(market_cap,
                                          (SELECT market_cap FROM symbols WHERE symbols.symbol = picks.symbol)),
                    sector = coalesce(sector,
                                      (SELECT industry FROM symbols WHERE symbols.symbol = picks.symbol))
                WHERE scan_session = ? AND (market_cap IS NULL OR sector IS NULL)
                """)
            stmt.bind(1, session.yyyymmdd)
            try stmt.run()
        }
    }
}
