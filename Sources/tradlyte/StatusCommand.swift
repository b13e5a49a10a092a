import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the database, what it covers and how fresh it is.")

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Judge freshness at this instant instead of now (ISO 8601, e.g. 2024-03-15T21:00:00Z).", visibility: .hidden
        ))
    var at: String?

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let now = try at.map(parseInstant) ?? env.now()
            let report = try StatusReport.make(env: env, at: now)
            if json {
                emit(try jsonText(report))
            } else {
                emit(render(report))
            }
        }
    }

    func render(_ r: StatusReport) -> String {
        var rows: [(String, String)] = [
            ("Database", r.database + (r.schema_version.map { " (schema \($0))" } ?? " (not created yet)")),
            ("Config", r.config_file),
            ("Provider", r.provider),
            (
                "Symbols",
                "\(NumberText.grouped(r.symbols))"
                    + (r.symbols_with_bars != r.symbols
                        ? " (\(NumberText.grouped(r.symbols_with_bars)) with bars)" : "")
            ),
            ("Daily bars", NumberText.grouped(r.daily_rows)),
        ]
        if let first = r.first_session, let latest = r.latest_session {
            rows.append(("Sessions", "\(first) … \(latest)"))
        }
        var fresh = "latest closed session \(r.latest_closed_session ?? "—")"
        if let behind = r.sessions_behind {
            fresh += behind == 0 ? " — up to date" : " — STALE, \(behind) session\(behind == 1 ? "" : "s") behind"
        }
        if let calls = r.pending_calls, calls > 0 {
            let eta = r.eta_seconds.map { $0 > 0 ? ", ETA \(TextFormats.duration($0))" : "" } ?? ""
            let what = r.sessions_behind == 0 ? "history still to backfill" : "next refresh"
            fresh += " (\(what): \(calls) call\(calls == 1 ? "" : "s")\(eta))"
        }
        rows.append(("Freshness", fresh))
        if let running = r.refresh_running { rows.append(("Refreshing", running)) }
        if let server = r.api_server { rows.append(("API server", server)) }
        for d in r.deferred { rows.append(("Deferred", d)) }
        if let start = r.history_starts { rows.append(("History", "from \(start) (your plan's window)")) }
        if let run = r.last_run {
            rows.append(
                (
                    "Last run",
                    "#\(run.id) \(run.trigger) \(run.status) at \(run.started_at)"
                        + (run.error.map { " — \($0)" } ?? "")
                ))
            if !run.stages.isEmpty { rows.append(("Stages", run.stages.joined(separator: ", "))) }
        }
        if r.unread_alerts > 0 { rows.append(("Alerts", "\(r.unread_alerts) unread — tradlyte alerts list")) }
        var text = rows.map { $0.0.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
        if let hint = r.hint { text += "\n\nHint: " + hint }
        return text
    }
}

/// Parses an ISO 8601 instant (`2024-03-15T21:00:00Z` or with an offset).
func parseInstant(_ text: String) throws -> Date {
    if let date = Timestamp.parse(text) { return date }
    throw AppError.badInput("'\(text)' is not an ISO 8601 instant — write e.g. 2024-03-15T21:00:00Z")
}
