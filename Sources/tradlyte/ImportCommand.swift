import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import market data from files.",
        subcommands: [CSV.self])

    struct CSV: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csv",
            abstract: "Import daily bars from a CSV file (all rows or none).",
            discussion: """
                The header is detected: columns named date, open, high, low, close, volume (any order, case-insensitive; optional symbol, vwap, trades) are used and other columns are ignored. Without a header the columns are date,open,high,low,close[,volume].

                Dates are YYYY-MM-DD (also YYYYMMDD, YYYY/MM/DD, MM/DD/YYYY) and must be NYSE sessions. A file with any malformed row is rejected with line numbers and nothing is imported. Re-importing the same rows changes nothing.
                """)

        @Argument(help: "The CSV file to import.")
        var file: String

        @Option(
            name: .long,
            help:
                "The symbol of the bars (default: the file name, e.g. AAPL.csv → AAPL). Not allowed when the file has a symbol column."
        )
        var symbol: String?

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let (summary, bars, runID) = try CSVImport.run(file: file, symbol: symbol, env: env)
                let who = bars.count == 1 ? bars.keys.first!.rawValue : "\(bars.count) symbols"
                var line = "Imported \(NumberText.grouped(summary.rows)) rows for \(who)"
                if let first = summary.firstSession, let last = summary.lastSession { line += " (\(first) … \(last))" }
                line +=
                    ": \(NumberText.grouped(summary.inserted)) new, \(NumberText.grouped(summary.changed)) changed, "
                line += "\(NumberText.grouped(summary.unchanged)) unchanged. Run #\(runID)."
                emit(line)
            }
        }
    }
}
