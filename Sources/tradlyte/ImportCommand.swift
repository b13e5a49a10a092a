import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

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
                guard let data = FileManager.default.contents(atPath: file) else {
                    let exists = FileManager.default.fileExists(atPath: file)
                    throw AppError.badInput(
                        exists ? "cannot read \(file) — check its permissions" : "no such file: \(file)")
                }
                if data.contains(0) { throw AppError.badInput("\(file) is not a text file (it contains NUL bytes)") }
                let text = String(decoding: data, as: UTF8.self)
                var parser = CSVBarParser()
                let grace = env.config.closeGraceMinutes
                let closed = parser.calendar.latestClosedSessionIndex(at: env.now(), graceMinutes: grace)
                parser.latestSession = closed >= 0 ? parser.calendar.sessions[closed] : nil
                var explicit = try symbol.map { try Symbol(typed: $0) }
                var result: CSVBarParser.Result
                do {
                    result = try parser.parse(text, symbol: explicit)
                } catch CSVImportError.noSymbol {
                    // Fall back to the file name, the usual convention for per-symbol files.
                    let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                    guard let fromName = try? Symbol(typed: stem) else {
                        throw AppError.badInput(
                            "the file has no symbol column — pass --symbol SYMBOL (or name the file after the "
                                + "symbol, e.g. AAPL.csv)")
                    }
                    explicit = fromName
                    result = try parser.parse(text, symbol: fromName)
                } catch CSVImportError.symbolGivenTwice(let given) {
                    throw AppError.badInput("the file has its own symbol column — drop --symbol \(given)")
                }
                let store = try env.openStore()
                let now = env.now()
                let runID = try store.beginRun(trigger: .cli, at: now)
                let summary: IngestSummary
                do {
                    let started = Date()
                    summary = try store.ingest(
                        result.bars,
                        provenance: Provenance(
                            runID: runID, provider: "csv",
                            endpoint: URL(fileURLWithPath: file).standardizedFileURL.path,
                            fetchedAt: now))
                    try store.recordStage(
                        StageRecord(
                            runID: runID, stage: "import", status: .succeeded, startedAt: started, finishedAt: Date(),
                            counts: [
                                "rows": summary.rows, "inserted": summary.inserted, "changed": summary.changed,
                                "unchanged": summary.unchanged, "symbols": summary.symbols,
                            ]))
                    let done = "imported \(summary.rows) rows from \(file)"
                    try store.finishRun(runID, status: .succeeded, summary: done, at: env.now())
                } catch {
                    try? store.finishRun(runID, status: .failed, error: String(describing: error), at: env.now())
                    throw error
                }
                let who = result.bars.count == 1 ? result.bars.keys.first!.rawValue : "\(result.bars.count) symbols"
                var line = "Imported \(grouped(summary.rows)) rows for \(who)"
                if let first = summary.firstSession, let last = summary.lastSession { line += " (\(first) … \(last))" }
                line += ": \(grouped(summary.inserted)) new, \(grouped(summary.changed)) changed, "
                line += "\(grouped(summary.unchanged)) unchanged. Run #\(runID)."
                emit(line)
            }
        }
    }
}
