import Foundation
import TradLyteCore
import TradLyteStore

/// `tradlyte import csv`: a file of daily bars stored as one recorded run, all rows or none.
package enum CSVImport {
    /// Parses `file` (the symbol from `symbol`, the file's symbol column, or the file's name) and
    /// ingests it as a run of its own. Returns what changed, the bars by symbol and the run id.
    package static func run(
        file: String, symbol: String?, env: AppEnvironment
    ) throws -> (summary: IngestSummary, bars: [Symbol: [DailyBar]], runID: Int64) {
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: file)
            throw AppError.badInput(exists ? "cannot read \(file) — check its permissions" : "no such file: \(file)")
        }
        if data.contains(0) { throw AppError.badInput("\(file) is not a text file (it contains NUL bytes)") }
        let text = String(decoding: data, as: UTF8.self)
        var parser = CSVBarParser()
        let grace = env.config.closeGraceMinutes
        let closed = parser.calendar.latestClosedSessionIndex(at: env.now(), graceMinutes: grace)
        parser.latestSession = closed >= 0 ? parser.calendar.sessions[closed] : nil
        let explicit = try symbol.map { try Symbol(typed: $0) }
        let result: CSVBarParser.Result
        do {
            result = try parser.parse(text, symbol: explicit)
        } catch CSVImportError.noSymbol {
            // Fall back to the file name, the usual convention for per-symbol files.
            let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            // Not swallowed: the else branch asks for --symbol.
            guard let fromName = try? Symbol(typed: stem) else {
                throw AppError.badInput(
                    "the file has no symbol column — pass --symbol SYMBOL (or name the file after the symbol, "
                        + "e.g. AAPL.csv)")
            }
            result = try parser.parse(text, symbol: fromName)
        } catch CSVImportError.symbolGivenTwice(let given) {
            throw AppError.badInput("the file has its own symbol column — drop --symbol \(given)")
        }
        let store = try env.openStore()
        // A damaged file is refused before anything is written into it (a write could land on a
        // good page and "succeed" into a database that every reader then calls malformed).
        let check = try store.quickCheck()
        guard check == "ok" else {
            throw AppError.failure(
                "\(env.databasePath) fails SQLite's quick integrity check (\(check.prefix(200))) — nothing was "
                    + "imported and the file was left as it was; move it aside or restore a backup, then import again")
        }
        let now = env.now()
        let runID = try store.beginRun(trigger: .cli, at: now)
        do {
            let summary = try store.ingest(
                result.bars,
                provenance: Provenance(
                    runID: runID, provider: "csv", endpoint: URL(fileURLWithPath: file).standardizedFileURL.path,
                    fetchedAt: now))
            try store.recordStage(
                StageRecord(
                    runID: runID, stage: "import", status: .succeeded, startedAt: now, finishedAt: env.now(),
                    counts: [
                        "rows": summary.rows, "inserted": summary.inserted, "changed": summary.changed,
                        "unchanged": summary.unchanged, "symbols": summary.symbols,
                    ]))
            try store.finishRun(
                runID, status: .succeeded, summary: "imported \(summary.rows) rows from \(file)", at: env.now())
            return (summary, result.bars, runID)
        } catch {
            // The import's own error is thrown next; a run left open is reaped as interrupted by the next run.
            try? store.finishRun(runID, status: .failed, error: String(describing: error), at: env.now())
            throw error
        }
    }
}
