import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore
import TradLytePipeline
import TradLyteStore

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

    struct Report: Encodable {
        var database: String
        var config_file: String
        var schema_version: Int?
        var symbols: Int
        var symbols_with_bars: Int
        var daily_rows: Int
        var first_session: String?
        var latest_session: String?
        var latest_closed_session: String?
        var sessions_behind: Int?
        var stale: Bool
        var last_run: LastRun?
        var provider: String
        var unread_alerts: Int
        /// OHLCV calls the next refresh would make, and how long they take at the plan's budget.
        var pending_calls: Int?
        var eta_seconds: Double?
        /// Sessions the provider has not published yet, with when they are tried again.
        var deferred: [String] = []
        /// The plan's history window, when a refusal showed it.
        var history_starts: String?
        var hint: String?

        struct LastRun: Encodable {
            var id: Int64
            var trigger: String
            var status: String
            var started_at: String
            var error: String?
            var stages: [String]
        }
    }

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let now = try at.map(parseInstant) ?? env.now()
            let calendar = TradingCalendar.nyse
            let latestClosed = calendar.latestClosedSession(at: now, graceMinutes: env.config.closeGraceMinutes)
            let provider =
                env.config.provider == .demo || env.apiKey == nil
                ? "DEMO market (offline; set POLYGON_API_KEY for Polygon)"
                : "polygon at \(env.baseURL) (key from \(env.apiKey!.origin))"
            var report = Report(
                database: env.databasePath, config_file: env.configPath, schema_version: nil,
                symbols: 0, symbols_with_bars: 0, daily_rows: 0, latest_closed_session: latestClosed?.description,
                stale: true, provider: provider, unread_alerts: 0)
            if env.databaseExists {
                let store = try env.openStore()
                let summary = try store.summary()
                report.schema_version = try store.currentSchemaVersion()
                report.symbols = summary.symbols
                report.symbols_with_bars = summary.symbolsWithBars
                report.daily_rows = summary.dailyRows
                report.first_session = summary.firstSession?.description
                report.latest_session = summary.latestSession?.description
                if let latest = summary.latestSession, let closed = latestClosed {
                    let behind = calendar.sessionIndex(onOrBefore: closed) - calendar.sessionIndex(onOrBefore: latest)
                    report.sessions_behind = max(0, behind)
                    report.stale = behind > 0
                }
                if let run = summary.lastRun {
                    let stages = try store.stages(ofRun: run.id).map { "\($0.stage) \($0.status.rawValue)" }
                    report.last_run = .init(
                        id: run.id, trigger: run.trigger.rawValue, status: run.status.rawValue,
                        started_at: ISO8601DateFormatter().string(from: run.startedAt), error: run.error,
                        stages: stages)
                }
                report.unread_alerts = try store.unreadAlertCount()
                try describePlan(env: env, store: store, now: now, into: &report)
            }
            if report.daily_rows == 0 {
                report.hint =
                    "no market data yet — run: tradlyte refresh (or import a CSV: tradlyte import csv FILE --symbol SYMBOL)"
            } else if report.last_run?.status == "failed" {
                report.hint = "the last refresh failed — see: tradlyte runs --last 1; then run tradlyte refresh again"
            } else if report.stale {
                let eta = report.eta_seconds.map { " (about \(PipelinePlan.duration($0)) at your plan's rate)" } ?? ""
                report.hint = "data is behind the calendar — run: tradlyte refresh" + eta
            }
            if json {
                emit(try jsonText(report))
            } else {
                emit(render(report))
            }
        }
    }

    /// What the next refresh would do, from the same plan `refresh` makes (no provider call):
    /// freshness counts deferred sessions as waiting, not as stale.
    func describePlan(env: AppEnvironment, store: MarketStore, now: Date, into report: inout Report) throws {
        guard let setup = try? RefreshSetup(env: env, trigger: .cli) else { return }
        guard let pipeline = try? setup.pipeline(store: store, clock: { now }) else { return }
        guard let plan = try? pipeline.plan() else { return }
        report.pending_calls = plan.ohlcvCalls
        report.eta_seconds = plan.eta(callsPerMinute: setup.options.callsPerMinute)
        report.deferred = plan.deferred.map { "\($0.session): \($0.reason) — \($0.retry)" }
        if let stored = try store.flag(Pipeline.Flag.deferred) {
            for line in stored.split(separator: "\n") {
                let parts = line.split(separator: "|", maxSplits: 2).map(String.init)
                guard parts.count == 3, !report.deferred.contains(where: { $0.hasPrefix(parts[0]) }) else { continue }
                report.deferred.append("\(parts[0]): \(parts[1]) — \(parts[2])")
            }
        }
        if plan.historyClamped { report.history_starts = plan.historyStart?.description }
        // Before the first market fetch (a CSV-only database) freshness stays about the data itself.
        let marketFetched = !(try store.marketSessions().isEmpty)
        if marketFetched || setup.options.mode == .watchlist {
            report.stale = !plan.isEmpty
            if plan.isEmpty { report.sessions_behind = 0 }
        }
    }

    func render(_ r: Report) -> String {
        var rows: [(String, String)] = [
            ("Database", r.database + (r.schema_version.map { " (schema \($0))" } ?? " (not created yet)")),
            ("Config", r.config_file),
            ("Provider", r.provider),
            (
                "Symbols",
                "\(grouped(r.symbols))"
                    + (r.symbols_with_bars != r.symbols ? " (\(grouped(r.symbols_with_bars)) with bars)" : "")
            ),
            ("Daily bars", grouped(r.daily_rows)),
        ]
        if let first = r.first_session, let latest = r.latest_session {
            rows.append(("Sessions", "\(first) … \(latest)"))
        }
        var fresh = "latest closed session \(r.latest_closed_session ?? "—")"
        if let behind = r.sessions_behind {
            fresh += behind == 0 ? " — up to date" : " — STALE, \(behind) session\(behind == 1 ? "" : "s") behind"
        }
        if let calls = r.pending_calls, calls > 0 {
            let eta = r.eta_seconds.map { $0 > 0 ? ", ETA \(PipelinePlan.duration($0))" : "" } ?? ""
            fresh += " (next refresh: \(calls) call\(calls == 1 ? "" : "s")\(eta))"
        }
        rows.append(("Freshness", fresh))
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
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    throw AppError.badInput("'\(text)' is not an ISO 8601 instant — write e.g. 2024-03-15T21:00:00Z")
}
