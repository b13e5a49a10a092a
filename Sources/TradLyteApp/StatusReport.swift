import Foundation
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// What `tradlyte status` reports: the database, what it covers, how fresh it is, the last run
/// and what the next refresh would do.
package struct StatusReport: Encodable {
    package var database: String
    package var config_file: String
    package var schema_version: Int?
    package var symbols: Int
    package var symbols_with_bars: Int
    package var daily_rows: Int
    package var first_session: String?
    package var latest_session: String?
    package var latest_closed_session: String?
    package var sessions_behind: Int?
    package var stale: Bool
    package var last_run: LastRun?
    package var provider: String
    package var unread_alerts: Int
    /// OHLCV calls the next refresh would make, and how long they take at the plan's budget.
    package var pending_calls: Int?
    package var eta_seconds: Double?
    /// Sessions the provider has not published yet, with when they are tried again.
    package var deferred: [String] = []
    /// The plan's history window, when a refusal showed it.
    package var history_starts: String?
    /// Who is refreshing right now ("pid 4242, cli refresh started …"), when a refresh runs.
    package var refresh_running: String?
    /// `tradlyte serve` running on this data: "http://127.0.0.1:8470 (pid 123, since …)".
    package var api_server: String?
    package var hint: String?

    package struct LastRun: Encodable {
        package var id: Int64
        package var trigger: String
        package var status: String
        package var started_at: String
        package var error: String?
        package var stages: [String]
    }

    /// The report at `now` (the environment's clock unless pinned).
    package static func make(env: AppEnvironment, at now: Date) throws -> StatusReport {
        let calendar = TradingCalendar.nyse
        let latestClosed = calendar.latestClosedSession(at: now, graceMinutes: env.config.closeGraceMinutes)
        let provider =
            env.config.provider == .demo || env.apiKey == nil
            ? "DEMO market (offline; set POLYGON_API_KEY for Polygon)"
            : "polygon at \(env.displayBaseURL) (key from \(env.apiKey!.origin))"
        var report = StatusReport(
            database: env.databasePath, config_file: env.configPath, schema_version: nil,
            symbols: 0, symbols_with_bars: 0, daily_rows: 0, latest_closed_session: latestClosed?.description,
            stale: true, provider: provider, unread_alerts: 0)
        report.api_server = ServerRecord.running(env: env).map(\.description)
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
                    started_at: Timestamp.format(run.startedAt, milliseconds: false), error: run.error,
                    stages: stages)
            }
            report.unread_alerts = try store.unreadAlertCount()
            try describePlan(env: env, store: store, now: now, into: &report)
        }
        report.refresh_running = RunLock.holder(directory: env.dataDirectory)
        // One verdict, and never advice to start a refresh while one runs.
        if let running = report.refresh_running {
            report.hint = "a refresh is running (\(running)) — follow it with: tradlyte runs --last 1"
        } else if report.daily_rows == 0 {
            report.hint =
                "no market data yet — run: tradlyte refresh (or import a CSV: "
                + "tradlyte import csv FILE --symbol SYMBOL)"
        } else if report.last_run?.status == "failed" {
            report.hint = "the last refresh failed — see: tradlyte runs --last 1; then run tradlyte refresh again"
        } else if report.stale {
            let eta =
                report.eta_seconds.map { seconds -> String in
                    let d = PipelinePlan.duration(seconds)
                    return " (\(d.hasPrefix("under") ? d : "about " + d) at your plan's rate)"
                } ?? ""
            report.hint =
                (report.sessions_behind ?? 0) > 0
                ? "data is behind the calendar — run: tradlyte refresh" + eta
                : "the latest session is stored but the history is not complete yet — tradlyte refresh fetches "
                    + "the rest" + eta
        }
        return report
    }

    /// What the next refresh would do, from the same plan `refresh` makes (no provider call):
    /// freshness counts deferred sessions as waiting, not as stale.
    static func describePlan(env: AppEnvironment, store: MarketStore, now: Date, into report: inout StatusReport) throws
    {
        // The pending-calls estimate is optional: status reports the config's problem in its own line.
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
}

/// The record `tradlyte serve` keeps in `<data>/serve.json` while it runs.
package struct ServerRecord: CustomStringConvertible {
    package var url: String
    package var pid: Int32
    package var startedAt: String

    package var description: String { "\(url) (pid \(pid), since \(startedAt))" }

    /// The running server, if its record names a live process (a record left by a killed
    /// server names a dead one and is ignored).
    package static func running(env: AppEnvironment) -> ServerRecord? {
        guard let data = FileManager.default.contents(atPath: env.dataDirectory + "/serve.json"),
            case .object(let pairs)? = try? JSONValue.parse(data),
            case .string(let url)? = pairs.first(where: { $0.0 == "url" })?.1,
            case .number(let pid)? = pairs.first(where: { $0.0 == "pid" })?.1,
            case .string(let started)? = pairs.first(where: { $0.0 == "started_at" })?.1,
            pid > 0, kill(pid_t(pid), 0) == 0 || errno == EPERM
        else { return nil }
        return ServerRecord(url: url, pid: Int32(pid), startedAt: started)
    }
}
