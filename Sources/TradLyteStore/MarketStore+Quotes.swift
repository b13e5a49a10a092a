import Foundation
import TradLyteCore

/// The quote cache and the "latest local bar" the quote service falls back to.
extension MarketStore: QuoteStore {
    public func cachedQuote(_ symbol: Symbol) throws -> Quote? {
        try guarded {
            let stmt = try statement(
                """
                SELECT price, change, change_percent, open, high, low, volume, session, as_of, fetched_at, source
                FROM quote_cache WHERE symbol = ?
                """)
            stmt.bind(1, symbol.rawValue)
            guard try stmt.step(), let source = Quote.Source(rawValue: stmt.text(10) ?? ""),
                let asOf = Timestamp.parse(stmt.text(8) ?? ""), let fetched = Timestamp.parse(stmt.text(9) ?? "")
            else { return nil }
            return Quote(
                symbol: symbol, price: stmt.double(0), change: stmt.optionalDouble(1),
                changePercent: stmt.optionalDouble(2),
                open: stmt.optionalDouble(3), dayHigh: stmt.optionalDouble(4), dayLow: stmt.optionalDouble(5),
                volume: stmt.optionalDouble(6), session: stmt.optionalInt(7).flatMap(SessionDate.init(yyyymmdd:)),
                asOf: asOf, fetchedAt: fetched, source: source)
        }
    }

    /// Forgets every cached quote (a new key may be entitled to fresher ones).
    public func clearQuoteCache() throws {
        try write { try db.execute("DELETE FROM quote_cache") }
    }

    public func saveQuote(_ q: Quote) throws {
        try write {
            let stmt = try statement(
                """
                INSERT OR REPLACE INTO quote_cache(symbol, price, change, change_percent, open, high, low, volume, session,
                                                   as_of, fetched_at, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            stmt.bind(1, q.symbol.rawValue)
            stmt.bind(2, q.price)
            stmt.bind(3, q.change)
            stmt.bind(4, q.changePercent)
            stmt.bind(5, q.open)
            stmt.bind(6, q.dayHigh)
            stmt.bind(7, q.dayLow)
            stmt.bind(8, q.volume)
            stmt.bind(9, q.session?.yyyymmdd)
            stmt.bind(10, Timestamp.format(q.asOf))
            stmt.bind(11, Timestamp.format(q.fetchedAt))
            stmt.bind(12, q.source.rawValue)
            try stmt.run()
        }
    }

    public func latestDailyBars(_ symbol: Symbol, count: Int) throws -> [DailyBar] {
        try guarded {
            guard let id = try symbolID(symbol, create: false) else { return [] }
            let stmt = try statement(
                """
                SELECT session, open, high, low, close, volume, vwap, trades FROM bars_daily
                WHERE symbol_id = ? ORDER BY session DESC LIMIT ?
                """)
            stmt.bind(1, id)
            stmt.bind(2, count)
            var bars: [DailyBar] = []
            while try stmt.step() {
                guard let session = SessionDate(yyyymmdd: stmt.int(0)) else { continue }
                bars.append(
                    DailyBar(
                        session: session, open: stmt.double(1), high: stmt.double(2), low: stmt.double(3),
                        close: stmt.double(4), volume: stmt.double(5), vwap: stmt.optionalDouble(6),
                        trades: stmt.optionalInt(7)))
            }
            return bars.reversed()
        }
    }
}
