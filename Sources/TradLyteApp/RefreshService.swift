import Foundation
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// What a refresh is asked to do, whoever asks (`tradlyte refresh`, the UI's `R`, `auto_refresh`).
package struct RefreshRequest: Sendable {
    package var trigger: RunTrigger
    /// Only these symbols (per-ticker ranges); nil: the configured mode's universe.
    package var only: [Symbol]?
    /// History depth in years for new symbols and a cold start (nil: the config's).
    package var backfill: Int?
    /// Forget the plan's learned limits first, so this run learns them again.
    package var relearn: Bool
    /// Do nothing when the data is already current.
    package var ifStale: Bool

    package init(
        trigger: RunTrigger, only: [Symbol]? = nil, backfill: Int? = nil, relearn: Bool = false, ifStale: Bool = false
    ) {
        self.trigger = trigger
        self.only = only
        self.backfill = backfill
        self.relearn = relearn
        self.ifStale = ifStale
    }
}

/// What a refresh says while it runs: the CLI prints these, the UI shows them.
package enum RefreshEvent: Sendable {
    /// The run begins, from this source ("DEMO market", "Polygon (https://…)").
    case started(source: String)
    /// A line for the log: the provider's waits, warnings.
    case notice(String)
    /// An alert the run fired.
    case alert(Alert)
    /// The run's plan, with its lines as the user reads them (calls, ETA at the plan's pace).
    case planned(PipelinePlan, lines: [String])
    /// The pipeline's other events (stage started or finished, progress, message).
    case pipeline(PipelineEvent)
}

/// How a refresh ended, for every caller: one summary, one exit code.
package struct RefreshResult: Sendable {
    /// The run (nil when none ran: up to date, the lock held, a set-up that failed).
    package var outcome: RunOutcome?
    /// One capitalised line: the run's summary, or why none ran.
    package var summary: String
    /// 0 success or nothing to do, 1 the run failed, 2 bad input, 3 another refresh holds the
    /// lock, 130 stopped by a signal or a cancel (what was fetched is kept).
    package var exitCode: Int32
    /// "fetch_ohlcv failed: …" when the run failed or could not start.
    package var error: String?
    /// Set when `notify_command` could not run or finish.
    package var notifyWarning: String?

    package var failed: Bool { exitCode != 0 && exitCode != 130 }
    package var cancelled: Bool { exitCode == 130 }
}

/// The one way a refresh runs: the run lock, the set-up from the environment, the pipeline,
/// the events, the outcome with its exit code, and `notify_command` when it fails — the same
/// for the CLI, the UI and `auto_refresh` (and for the server and workers to come).
package struct RefreshService: Sendable {
    package let env: AppEnvironment

    package init(env: AppEnvironment) {
        self.env = env
    }

    /// The plan without running it (`refresh --dry-run`, the UI's pipeline pane): where the data
    /// comes from, then the plan's lines.
    package func plan(_ request: RefreshRequest) throws -> (source: String, lines: [String], metadataCalls: Int) {
        let setup = try RefreshSetup(env: env, trigger: request.trigger, only: request.only, backfill: request.backfill)
        let plan = try setup.pipeline(store: try env.openStore()).plan()
        return (setup.source, plan.describe(callsPerMinute: setup.options.callsPerMinute), plan.metadataCalls)
    }

    /// Runs a refresh to its end.
    /// - Parameters:
    ///   - cancellation: ends the provider's call in progress when set (the UI's `c`, a signal).
    ///   - stop: polled between calls; `.interrupt` for a signal, `.cancel` for a user's cancel.
    ///   - events: called on the calling thread, in order.
    ///   - live: when given, the provider's notices (a wait beginning) go here from the thread
    ///     they arise on, as they arise; otherwise they are delivered through `events` with the
    ///     next pipeline event.
    package func run(
        _ request: RefreshRequest, cancellation: CancellationFlag = CancellationFlag(),
        stop: @escaping () -> StopRequest? = { nil }, events: (RefreshEvent) -> Void,
        live: (@Sendable (RefreshEvent) -> Void)? = nil
    ) -> RefreshResult {
        var liveNotice: (@Sendable (String) -> Void)?
        if let live {
            liveNotice = { text in live(.notice(text)) }
        }
        let relay = NoticeRelay(live: liveNotice)
        do {
            if request.relearn, env.databaseExists {
                try PlanFacts.forget(try env.openStore())
                events(.notice("the plan's learned limits are forgotten; this run learns them again"))
            }
            let setup = try RefreshSetup(
                env: env, trigger: request.trigger, only: request.only, backfill: request.backfill,
                cancellation: cancellation, notices: { relay.send($0) })
            let lock: RunLock
            do {
                lock = try RunLock(directory: env.dataDirectory, trigger: request.trigger.rawValue, at: env.now())
            } catch let held as RunLockHeld {
                return RefreshResult(
                    outcome: nil, summary: held.description.capitalizedFirst, exitCode: 3, error: held.description)
            }
            defer { withExtendedLifetime(lock) {} }
            let store = try env.openStore()
            let pipeline = try setup.pipeline(store: store)
            if request.ifStale {
                let plan = try pipeline.plan()
                if plan.isEmpty {
                    let latest = plan.latestClosed?.description ?? "—"
                    return RefreshResult(
                        outcome: nil, summary: "Up to date (latest closed session \(latest)); nothing to do.",
                        exitCode: 0)
                }
            }
            events(.started(source: setup.source))
            let outcome = pipeline.run(
                events: { event in
                    for notice in relay.drain() { events(.notice(notice)) }
                    if case .planned(let plan) = event {
                        events(.planned(plan, lines: plan.describe(callsPerMinute: setup.options.callsPerMinute)))
                    } else {
                        events(.pipeline(event))
                    }
                }, stop: stop)
            for notice in relay.drain() { events(.notice(notice)) }
            for alert in outcome.newAlerts { events(.alert(alert)) }
            var result = RefreshResult(outcome: outcome, summary: outcome.summary.capitalizedFirst, exitCode: 0)
            switch outcome.status {
            case .succeeded:
                break
            case .interrupted, .cancelled:
                result.exitCode = 130
            default:
                result.exitCode = 1
                result.error = "\(outcome.failedStage ?? "run") failed: \(outcome.error ?? "unknown error")"
                result.notifyWarning = Notifier.run(
                    env: env,
                    report: .init(
                        runID: outcome.runID, status: outcome.status.rawValue, stage: outcome.failedStage,
                        error: outcome.error, summary: outcome.summary))
            }
            return result
        } catch {
            // A refresh that could not start: bad input is the user's to fix (exit 2); anything
            // else is a failure of the run and notified like one. `error` is the message alone.
            let (message, code) = describeFailure(error)
            var result = RefreshResult(
                outcome: nil, summary: "Refresh could not start: \(message)", exitCode: code, error: message)
            if code != 2 {
                result.notifyWarning = Notifier.run(
                    env: env,
                    report: .init(
                        runID: nil, status: RunStatus.failed.rawValue, stage: "start", error: "\(error)",
                        summary: result.summary))
            }
            return result
        }
    }
}

extension String {
    /// The text with its first character upper-cased ("run 3 succeeded…" → "Run 3 succeeded…").
    package var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// Collects the provider's wait notices (429 windows, backoffs), which arrive on the calling
/// thread during a call, for the refresh log.
package final class NoticeRelay: Sendable {
    private let pending = Locked<[String]>([])
    private let live: (@Sendable (String) -> Void)?

    package init(live: (@Sendable (String) -> Void)?) {
        self.live = live
    }

    package func send(_ text: String) {
        if let live {
            live(text)
        } else {
            pending.withLock { $0.append(text) }
        }
    }

    package func drain() -> [String] {
        pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }
}
