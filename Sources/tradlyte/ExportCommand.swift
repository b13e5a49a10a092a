import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export symbols or bars as CSV or JSON.",
        subcommands: [Symbols.self, Bars.self])

    struct Symbols: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored symbols with their metadata, one a row.")

        @Option(name: .long, help: "csv or json.")
        var format: OutputFormat = .csv

        struct Row: Encodable {
            var symbol: String
            var name: String?
            var type: String?
            var exchange: String?
            var active: Bool
            var market_cap: Double?
            var industry: String?
            var list_date: String?
            var delist_date: String?
            var description: String?
        }

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let infos = env.databaseExists ? try env.openStore().symbols() : []
                let rows = infos.map { i in
                    Row(
                        symbol: i.symbol.rawValue, name: i.name, type: i.type, exchange: i.exchange, active: i.active,
                        market_cap: i.marketCap, industry: i.industry, list_date: i.listDate?.description,
                        delist_date: i.delistDate?.description, description: i.description)
                }
                switch format {
                case .json:
                    emit(try jsonText(rows))
                case .csv:
                    var lines = [
                        "symbol,name,type,exchange,active,market_cap,industry,list_date,delist_date,description"
                    ]
                    for r in rows {
                        lines.append(
                            [
                                r.symbol, r.name ?? "", r.type ?? "", r.exchange ?? "", r.active ? "1" : "0",
                                r.market_cap.map(NumberText.shortest) ?? "", r.industry ?? "", r.list_date ?? "",
                                r.delist_date ?? "", r.description ?? "",
                            ].map(csvField).joined(separator: ","))
                    }
                    emit(lines.joined(separator: "\n"))
                }
            }
        }
    }

    struct Bars: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a symbol's bars for one interval.",
            discussion: """
                Each row is one N-session bar: its bucket (session index / N), the calendar sessions the bucket spans (start_session … end_session), the first and last sessions that actually have data, how many sessions are present, whether the bucket has closed (complete), and OHLCV. Interval 1 exports the daily bars.
                """)

        @Argument(help: "The symbol.")
        var symbol: String

        @Option(name: .long, help: "Sessions per bar: 1, 3, 5, 8, 13, 21, 34 or 55.")
        var interval: String = "1"

        @Option(name: .long, help: "csv or json.")
        var format: OutputFormat = .csv

        @Option(name: .long, help: "Only bars ending on or after this date (YYYY-MM-DD).")
        var from: String?

        @Option(name: .long, help: "Only bars ending on or before this date (YYYY-MM-DD).")
        var to: String?

        struct Row: Encodable {
            var symbol: String
            var interval: Int
            var bucket: Int
            var start_session: String
            var end_session: String
            var first_session: String
            var last_session: String
            var sessions: Int
            var complete: Bool
            var open: Double
            var high: Double
            var low: Double
            var close: Double
            var volume: Double
        }

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let typed = try Symbol(typed: self.symbol)
                let interval = try FibInterval(parsing: self.interval)
                let from = try self.from.map { try parseDate($0, option: "--from") }
                let to = try self.to.map { try parseDate($0, option: "--to") }
                if let from, let to, from > to { throw AppError.badInput("--from \(from) is after --to \(to)") }
                guard env.databaseExists else { throw StoreError.unknownSymbol(typed.rawValue) }
                let store = try env.openStore()
                let symbol = try store.resolveSymbol(self.symbol)
                let range = (from ?? SessionDate(dayNumber: 0))...(to ?? SessionDate(year: 9999, month: 12, day: 31)!)
                let latestClosed = store.calendar.latestClosedSessionIndex(
                    at: env.now(), graceMinutes: env.config.closeGraceMinutes)
                let bars = try store.bars(symbol, interval: interval, latestClosed: Int32(latestClosed), in: range)
                let cal = store.calendar
                let rows = bars.map { b -> Row in
                    let span = b.calendarSessions(interval: interval)
                    let end = cal.session(at: Int(span.upperBound)) ?? cal.lastSession
                    return Row(
                        symbol: symbol.rawValue, interval: interval.sessions, bucket: Int(b.bucket),
                        start_session: cal.sessions[Int(span.lowerBound)].description, end_session: end.description,
                        first_session: cal.sessions[Int(b.firstSession)].description,
                        last_session: cal.sessions[Int(b.lastSession)].description, sessions: Int(b.sessionsPresent),
                        complete: b.complete, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume)
                }
                switch format {
                case .json:
                    emit(try jsonText(rows))
                case .csv:
                    var lines = [
                        "symbol,interval,bucket,start_session,end_session,first_session,last_session,sessions,complete,open,high,low,close,volume"
                    ]
                    lines.reserveCapacity(rows.count + 1)
                    for r in rows {
                        lines.append(
                            "\(r.symbol),\(r.interval),\(r.bucket),\(r.start_session),\(r.end_session),\(r.first_session),\(r.last_session),\(r.sessions),\(r.complete ? 1 : 0),\(NumberText.shortest(r.open)),\(NumberText.shortest(r.high)),\(NumberText.shortest(r.low)),\(NumberText.shortest(r.close)),\(NumberText.shortest(r.volume))"
                        )
                    }
                    emit(lines.joined(separator: "\n"))
                }
            }
        }
    }
}
