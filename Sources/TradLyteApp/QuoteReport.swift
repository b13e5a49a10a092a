import Foundation
import MarketData
import TradLyteCore
import TradLyteStore

/// `tradlyte quote`: the latest price of each symbol through the quote service (cache, provider,
/// stored bars), with its source and age; symbols that fail are reported by name.
package enum QuoteReport {
    package struct Row: Encodable, Equatable {
        package var symbol: String
        package var price: Double
        package var change: Double?
        package var change_percent: Double?
        package var day_low: Double?
        package var day_high: Double?
        package var volume: Double?
        package var session: String?
        package var source: String
        package var as_of: String
        package var age_seconds: Int
        package var note: String?
    }

    /// The row for one quote, its age counted at `now` (the API's cache serves the same rows).
    package static func row(_ result: QuoteService.Result, now: Date, fromCache: Bool? = nil) -> Row {
        let q = result.quote
        return Row(
            symbol: q.symbol.rawValue, price: q.price, change: q.change, change_percent: q.changePercent,
            day_low: q.dayLow, day_high: q.dayHigh, volume: q.volume, session: q.session?.description,
            source: q.source.rawValue + ((fromCache ?? result.fromCache) ? " (cached)" : ""),
            as_of: Timestamp.format(q.asOf, milliseconds: false),
            age_seconds: max(0, Int(now.timeIntervalSince(q.asOf))), note: result.note)
    }

    /// The row as `quote --json` writes it (JSONEncoder, sorted keys, absent values left out),
    /// built directly: the API serves it tens of thousands of times a second.
    package static func json(_ r: Row) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("age_seconds", .number(Double(r.age_seconds))), ("as_of", .string(r.as_of)),
        ]
        if let v = r.change { pairs.append(("change", .number(v))) }
        if let v = r.change_percent { pairs.append(("change_percent", .number(v))) }
        if let v = r.day_high { pairs.append(("day_high", .number(v))) }
        if let v = r.day_low { pairs.append(("day_low", .number(v))) }
        if let v = r.note { pairs.append(("note", .string(v))) }
        pairs.append(("price", .number(r.price)))
        if let v = r.session { pairs.append(("session", .string(v))) }
        pairs.append(("source", .string(r.source)))
        pairs.append(("symbol", .string(r.symbol)))
        if let v = r.volume { pairs.append(("volume", .number(v))) }
        return .object(pairs)
    }

    /// One row per symbol that resolved and quoted, and "SYMBOL: why" for each that did not.
    package static func quotes(_ symbols: [String], env: AppEnvironment) throws -> (rows: [Row], failures: [String]) {
        let provider = try env.makeProvider()
        let store = try env.openStore()
        let service = QuoteService(provider: provider, store: store, ttl: env.config.quoteTTLSeconds)
        let now = env.now()
        var rows: [Row] = []
        var failures: [String] = []
        for text in symbols {
            do {
                let symbol = try store.resolveSymbol(text)
                rows.append(row(try service.quote(symbol, at: now), now: now))
            } catch {
                failures.append("\(text): \(error)")
            }
        }
        return (rows, failures)
    }
}
