import ArgumentParser
import Foundation
import MarketData
import TradLyteApp
import TradLyteCore
import TradLytePipeline
import TradLyteStore

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
    @Option(name: .long, help: "History depth in years for new symbols and a cold start (default: config, 5).")
    var backfill: Int?
    /// Kept so existing scripts and cron lines still run: Fibonacci bars are no longer stored.
    @Flag(
        name: .long,
        help: ArgumentHelp(
            "No longer needed (Fibonacci bars are computed on read).",
            visibility: .hidden))
    var fullRebuild = false
    @Option(
        name: .long,
        help: ArgumentHelp("Record the run with this trigger (cli, schedule, manual, tui).", visibility: .hidden))
    var trigger: String = "cli"

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            guard let trig = RunTrigger(rawValue: trigger) else {
                throw AppError.badInput("--trigger must be one of cli, schedule, manual, tui")
            }
            let only = try symbols.map { try OptionInput.tickers($0, option: "--symbols").map(Symbol.init(typed:)) }
            if let backfill, !(1...30).contains(backfill) {
                throw AppError.badInput("--backfill must be from 1 to 30 years")
            }
            if fullRebuild {
                emitError(
                    "tradlyte: --full-rebuild is no longer needed: Fibonacci bars are computed from the daily "
                        + "history when read; the refresh goes on without it")
            }
            if relearn, env.databaseExists {
                try PlanFacts.forget(try env.openStore())
                emitError("tradlyte: the plan's learned limits are forgotten; this run learns them again")
            }
            let setup = try RefreshSetup(env: env, trigger: trig, only: only, backfill: backfill)
            let options = setup.options
            let lock: RunLock?
            do {
                lock = dryRun ? nil : try RunLock(directory: env.dataDirectory, trigger: trigger)
            } catch let held as RunLockHeld {
                emitError("tradlyte: \(held)")
                throw ExitCode(3)
            }
            defer { _ = lock }
            let store = try env.openStore()
            let pipeline = try setup.pipeline(store: store)
            let plan = try pipeline.plan()
            let source = setup.source
            if dryRun {
                emit("Plan (\(source)):")
                for line in plan.describe(callsPerMinute: options.callsPerMinute) { emit("  " + line) }
                emit("  Metadata and splits are checked when the run has work (+\(plan.metadataCalls) calls).")
                return
            }
            if ifStale && plan.isEmpty {
                emit("Up to date (latest closed session \(plan.latestClosed?.description ?? "—")); nothing to do.")
                return
            }
            let reporter = ProgressReporter(interactive: isatty(STDERR_FILENO) == 1)
            let signals = SignalWatch(cancellation: setup.cancellation)
            emit("Refreshing from the \(source)…")
            let outcome = pipeline.run(
                events: { reporter.handle($0, callsPerMinute: options.callsPerMinute) },
                stop: { signals.request })
            reporter.finish()
            emit(outcome.summary.prefix(1).uppercased() + outcome.summary.dropFirst())
            for alert in outcome.newAlerts { emit("ALERT \(alert.session) \(alert.message)") }
            if outcome.status == .interrupted {
                throw ExitCode(130)
            }
            if outcome.status != .succeeded {
                if let warning = Notifier.run(env: env, outcome: outcome) {
                    emitError("tradlyte: warning: \(warning)")
                }
                let reason = outcome.error ?? "unknown error"
                emitError("tradlyte: error: \(outcome.failedStage ?? "run") failed: \(reason)")
                throw ExitCode(1)
            }
        }
    }
}

/// A progress bar per stage on a terminal; plain timestamped lines otherwise.
final class ProgressReporter {
    let interactive: Bool
    private var lastLogged: [String: Int] = [:]
    private var barShown = false
    private let started = Date()

    init(interactive: Bool) { self.interactive = interactive }

    func handle(_ event: PipelineEvent, callsPerMinute: Double?) {
        switch event {
        case .planned(let plan):
            line("plan: " + plan.describe(callsPerMinute: callsPerMinute).joined(separator: "; "))
        case .stageStarted(let name):
            if !interactive { line("\(name): started") }
        case .progress(let stage, let done, let total, let eta):
            guard total > 0 else { return }
            if interactive {
                let width = 30
                let filled = min(width, width * done / total)
                let etaText = eta.map { $0 > 0 ? " ETA \(PipelinePlan.duration($0))" : "" } ?? ""
                let text =
                    "\r\(stage.padding(toLength: 12, withPad: " ", startingAt: 0)) [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] \(done)/\(total)\(etaText)   "
                FileHandle.standardError.write(Data(text.utf8))
                barShown = true
            } else {
                let step = max(1, total / 10)
                if done == total || done - (lastLogged[stage] ?? 0) >= step {
                    lastLogged[stage] = done
                    line("\(stage): \(done)/\(total)")
                }
            }
        case .message(let text):
            line(text)
        case .stageFinished(let record):
            let seconds = record.finishedAt.map { $0.timeIntervalSince(record.startedAt) } ?? 0
            let counts = record.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line(
                "\(record.stage): \(record.status.rawValue) in \(String(format: "%.2f", seconds)) s\(counts.isEmpty ? "" : " (\(counts))")\(record.error.map { " — \($0)" } ?? "")"
            )
        }
    }

    func line(_ text: String) {
        if barShown {
            FileHandle.standardError.write(Data("\n".utf8))
            barShown = false
        }
        let stamp = String(format: "%6.2fs", Date().timeIntervalSince(started))
        emitError("[\(stamp)] \(text)")
    }

    func finish() { if barShown { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// Ctrl-C, SIGTERM and SIGHUP during a refresh: the run stops after the call in progress (which
/// is interrupted), commits what it fetched and is recorded as interrupted. A second signal
/// quits at once (the next run's lock takeover records the run).
final class SignalWatch: @unchecked Sendable {
    // `sources` is written only by `init` and read by `deinit`; `caught` is the shared state.
    private let caught = Locked<String?>(nil)
    private var sources: [DispatchSourceSignal] = []

    init(cancellation: CancellationFlag) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let first = self.caught.withLock { caught -> Bool in
                    defer { if caught == nil { caught = name } }
                    return caught == nil
                }
                guard first else {
                    emitError("tradlyte: \(name) again — quitting now; the next run records this one as interrupted")
                    _exit(130)
                }
                emitError(
                    "tradlyte: \(name) — stopping after the current call and keeping what was fetched "
                        + "(press Ctrl-C again to quit at once)")
                cancellation.cancel()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    var request: StopRequest? {
        caught.withLock { $0.map { .interrupt($0) } }
    }
}
