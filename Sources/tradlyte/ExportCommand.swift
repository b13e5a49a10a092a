import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export symbols or bars as CSV or JSON.",
        subcommands: [Symbols.self, Bars.self])

    struct Symbols: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored symbols with their metadata, one a row.")

        @Option(name: .long, help: "csv or json.")
        var format: OutputFormat = .csv

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let rows = try Export.symbols(env: env)
                switch format {
                case .json:
                    emit(try jsonText(rows))
                case .csv:
                    emit(Documents.symbolsCSV(rows))
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

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let interval = try FibInterval(parsing: self.interval)
                let from = try self.from.map { try parseDate($0, option: "--from") }
                let to = try self.to.map { try parseDate($0, option: "--to") }
                if let from, let to, from > to { throw AppError.badInput("--from \(from) is after --to \(to)") }
                let rows = try Export.bars(self.symbol, interval: interval, from: from, to: to, env: env)
                switch format {
                case .json:
                    emit(try jsonText(rows))
                case .csv:
                    emit(Documents.barsCSV(rows))
                }
            }
        }
    }
}
