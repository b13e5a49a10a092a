import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct RefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Bring the database up to date: plan, fetch, store, scan, alerts, vacuum.",
        discussion:
            "Without an API key the offline DEMO market is used. Progress shows per stage on a terminal and as log lines otherwise. Exit codes: 0 success, 1 the run failed, 2 bad input, 3 another refresh holds the lock, 130 interrupted by a signal (what was fetched is kept; the next run resumes). For cron (weekdays 16:05 New York time): CRON_TZ=America/New_York / 5 16 * * 1-5 tradlyte refresh --if-stale"
    )

    @Flag(name: .long, help: "Show the plan (calls and ETA) and change nothing.") var dryRun = false
    @Flag(name: .long, help: "Do nothing (exit 0) when the data is already current.") var ifStale = false
    @Flag(name: .long, help: "Forget what was learned about the plan (history window, snapshots) and learn it again.")
    var relearn = false
    @Option(name: .long, help: "Only these symbols, comma-separated (per-ticker ranges).") var symbols: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "History depth in years for new symbols and a cold start (default: backfill_years in the config, "
                + "else 10 on the demo market and 5 on a provider)."))
    var backfill: Int?
    /// Kept so existing scripts and cron lines still run: Fibonacci bars are no longer stored.
    @Flag(
        name: .long,
        help: ArgumentHelp(
            "No longer needed (Fibonacci bars are computed on read).",
            visibility: .hidden))
    var fullRebuild = false
    @Option(name: .long, help: ArgumentHelp("Record the run with this trigger.", visibility: .hidden))
    var trigger: RunTrigger = .cli

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let only = try symbols.map { try OptionInput.tickers($0, option: "--symbols").map(Symbol.init(typed:)) }
            if let backfill, !(1...30).contains(backfill) {
                throw AppError.badInput("--backfill must be from 1 to 30 years")
            }
            if fullRebuild {
                emitError(
                    "tradlyte: --full-rebuild is no longer needed: Fibonacci bars are computed from the daily "
                        + "history when read; the refresh goes on without it")
            }
            let service = RefreshService(env: env)
            let request = RefreshRequest(
                trigger: trigger, only: only, backfill: backfill, relearn: relearn, ifStale: ifStale)
            if dryRun {
                let plan = try service.plan(request)
                emit("Plan (\(plan.source)):")
                for line in plan.lines { emit("  " + line) }
                emit("  Metadata and splits are checked when the run has work (+\(plan.metadataCalls) calls).")
                return
            }
            let printer = RefreshPrinter(interactive: isatty(STDERR_FILENO) == 1)
            let cancellation = CancellationFlag()
            let signals = SignalWatch(cancellation: cancellation)
            let result = service.run(
                request, cancellation: cancellation, stop: { signals.request }, events: printer.handle,
                live: { event in if case .notice(let text) = event { emitError("tradlyte: " + text) } })
            printer.finish()
            if result.outcome == nil {
                // Nothing ran: up to date (0), the lock held (3), or a set-up that failed (1, 2).
                switch result.exitCode {
                case 0: emit(result.summary)
                case 3: emitError("tradlyte: \(result.error ?? result.summary)")
                default: emitError("tradlyte: error: \(result.error ?? result.summary)")
                }
                if let warning = result.notifyWarning { emitError("tradlyte: warning: \(warning)") }
                if result.exitCode != 0 { throw ExitCode(result.exitCode) }
                return
            }
            emit(result.summary)
            if let warning = result.notifyWarning { emitError("tradlyte: warning: \(warning)") }
            if let error = result.error { emitError("tradlyte: error: \(error)") }
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}
