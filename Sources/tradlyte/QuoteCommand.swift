import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct QuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Show the latest price of one or more symbols, with its source and age.",
        discussion:
            "Sources, in order: the local cache (fresh for quote_ttl_seconds, default 60), the provider (Polygon snapshot, then its previous close; or the DEMO market), then the latest stored daily bar (local EOD). An unknown symbol is reported by name; the others still print."
    )

    @Argument(help: "Symbols (default: the watchlist).") var symbols: [String] = []
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let list = symbols.isEmpty ? env.config.watchlist : symbols
            guard !list.isEmpty else {
                throw AppError.badInput(
                    "name a symbol (tradlyte quote ACME), or add a \"watchlist\" to \(env.configPath) to quote it")
            }
            let (rows, failures) = try QuoteReport.quotes(list, env: env)
            if json {
                emit(try jsonText(rows))
            } else if !rows.isEmpty {
                var t = [["SYMBOL", "PRICE", "CHANGE", "CHG%", "DAY RANGE", "VOLUME", "SOURCE", "AGE"]]
                for r in rows {
                    t.append([
                        r.symbol, String(format: "%.2f", r.price), r.change.map { String(format: "%+.2f", $0) } ?? "",
                        r.change_percent.map { String(format: "%+.2f%%", $0) } ?? "",
                        (r.day_low.map { String(format: "%.2f", $0) } ?? "") + "–"
                            + (r.day_high.map { String(format: "%.2f", $0) } ?? ""),
                        r.volume.map { NumberText.grouped(Int($0)) } ?? "",
                        r.source.uppercased() == "DEMO" ? "DEMO" : r.source,
                        age(r.age_seconds),
                    ])
                }
                emit(table(t))
                for r in rows { if let note = r.note { emit("note: \(r.symbol): \(note)") } }
            }
            if !failures.isEmpty {
                emitError(failures.map { "tradlyte: error: \($0)" }.joined(separator: "\n"))
                throw ExitCode(2)
            }
        }
    }

    func age(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86_400)d"
    }
}
