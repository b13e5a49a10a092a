import Foundation
import TradLyteCore
import TradLyteStore

/// `tradlyte export`: the stored symbols, and a symbol's bars for one interval, as rows.
package enum Export {
    package struct SymbolRow: Encodable {
        package var symbol: String
        package var name: String?
        package var type: String?
        package var exchange: String?
        package var active: Bool
        package var market_cap: Double?
        package var industry: String?
        package var list_date: String?
        package var delist_date: String?
        package var description: String?
    }

    package struct BarRow: Encodable {
        package var symbol: String
        package var interval: Int
        package var bucket: Int
        package var start_session: String
        package var end_session: String
        package var first_session: String
        package var last_session: String
        package var sessions: Int
        package var complete: Bool
        package var open: Double
        package var high: Double
        package var low: Double
        package var close: Double
        package var volume: Double
    }

    /// Every stored symbol with its metadata (none before the first refresh or import).
    package static func symbols(env: AppEnvironment) throws -> [SymbolRow] {
        let infos = env.databaseExists ? try env.openStore().symbols() : []
        return infos.map { i in
            SymbolRow(
                symbol: i.symbol.rawValue, name: i.name, type: i.type, exchange: i.exchange, active: i.active,
                market_cap: i.marketCap, industry: i.industry, list_date: i.listDate?.description,
                delist_date: i.delistDate?.description, description: i.description)
        }
    }

    /// `typed`'s bars of `interval` that end in `from … to`, resampled from the daily history,
    /// each with the calendar sessions its bucket spans.
    package static func bars(
        _ typed: String, interval: FibInterval, from: SessionDate?, to: SessionDate?, env: AppEnvironment
    ) throws -> [BarRow] {
        guard env.databaseExists else { throw StoreError.unknownSymbol(try Symbol(typed: typed).rawValue) }
        let store = try env.openStore()
        let symbol = try store.resolveSymbol(typed)
        let range = (from ?? SessionDate(dayNumber: 0))...(to ?? SessionDate(year: 9999, month: 12, day: 31)!)
        let latestClosed = store.calendar.latestClosedSessionIndex(
            at: env.now(), graceMinutes: env.config.closeGraceMinutes)
        let bars = try store.bars(symbol, interval: interval, latestClosed: Int32(latestClosed), in: range)
        let cal = store.calendar
        return bars.map { b -> BarRow in
            let span = b.calendarSessions(interval: interval)
            let end = cal.session(at: Int(span.upperBound)) ?? cal.lastSession
            return BarRow(
                symbol: symbol.rawValue, interval: interval.sessions, bucket: Int(b.bucket),
                start_session: cal.sessions[Int(span.lowerBound)].description, end_session: end.description,
                first_session: cal.sessions[Int(b.firstSession)].description,
                last_session: cal.sessions[Int(b.lastSession)].description, sessions: Int(b.sessionsPresent),
                complete: b.complete, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume)
        }
    }
}
