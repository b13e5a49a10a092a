import Foundation
import TradLyteCore

/// Progress of a run, for a progress bar, log lines or the TUI's pipeline panel.
public enum PipelineEvent: Sendable {
    case planned(PipelinePlan)
    case stageStarted(String)
    case progress(stage: String, done: Int, total: Int, etaSeconds: TimeInterval?)
    case message(String)
    case stageFinished(StageRecord)
}

/// The stages a run records, in order (their raw values are the names stored and shown).
public enum Stage: String, Sendable, CaseIterable {
    case plan
    case fetchOHLCV = "fetch_ohlcv"
    case fetchMetadata = "fetch_metadata"
    case bronze, consolidate, scan
    case fetchDetails = "fetch_details"
    case alerts, vacuum
}

/// Why a run is asked to stop.
public enum StopRequest: Sendable, Equatable {
    /// The user cancelled (`c` in the UI).
    case cancel
    /// A signal (Ctrl-C, SIGTERM), named.
    case interrupt(String)
}

/// How a run ended.
public struct RunOutcome: Sendable {
    public var runID: Int64?
    public var status: RunStatus
    public var error: String?
    public var failedStage: String?
    public var plan: PipelinePlan?
    public var ingest = IngestSummary()
    public var newAlerts: [Alert] = []
    public var stages: [StageRecord] = []
    public var seconds: TimeInterval = 0
    /// Grouped days stored by this run (each committed as it arrived).
    public var sessionsStored = 0
    /// Sessions left for a later run, and why.
    public var deferred: [PipelinePlan.Deferral] = []
    public var cancelled: Bool { status == .cancelled || status == .interrupted }

    /// One line for logs, notifications and the CLI.
    public var summary: String {
        var s: String
        switch status {
        case .succeeded: s = "refresh succeeded"
        case .cancelled: s = "refresh cancelled"
        case .interrupted: s = "refresh interrupted"
        default: s = "refresh failed"
        }
        if let failedStage, let error {
            s += failedStage.hasPrefix("after ") ? " \(failedStage): \(error)" : " in \(failedStage): \(error)"
        }
        s += String(format: " (%.2f s)", seconds)
        if ingest.rows > 0 || status == .succeeded {
            s += "; \(ingest.rows) rows, \(ingest.inserted) new, \(ingest.changed) changed"
        }
        if cancelled {
            // The stop's own message already says the next run resumes (once is enough).
            s += "; \(sessionsStored) session\(sessionsStored == 1 ? "" : "s") stored and kept"
        }
        if !deferred.isEmpty {
            s += "; deferred " + deferred.map { "\($0.session) (\($0.retry))" }.joined(separator: ", ")
        }
        if !newAlerts.isEmpty { s += "; \(newAlerts.count) new alert\(newAlerts.count == 1 ? "" : "s")" }
        return s
    }
}

/// The daily pipeline, as one recorded run: plan → fetch OHLCV → fetch metadata → scan → pick
/// details → alerts → vacuum (`Stage`). Bronze and consolidation happen inside each commit and
/// are recorded as stages of their own; Fibonacci bars are not stored (they are computed from the
/// daily history when read).
///
/// `run` is a small stage runner: each stage is one function below, recorded by `StageRecorder`
/// (no stage is ever left `running`; a record that cannot be written fails the run). Every fetch
/// is committed as it arrives (bronze rows, consolidated daily bars and watermarks in one
/// transaction), so a run cancelled, interrupted or killed keeps what it fetched and the next plan
/// resumes from there. Transient provider failures are retried by the provider's client (the one
/// retry policy); the pipeline classifies: a session not yet published is deferred, a refusal for
/// history beyond the plan ends the backfill there and is remembered. Time comes from the
/// injected clocks only, and "today" is fixed when the run starts.
public final class Pipeline {
    public let store: PipelineStore
    public let provider: MarketDataProvider
    public let options: PipelineOptions
    let clock: () -> Date
    /// Elapsed time (stage durations, the ETA, commit batching): never the wall clock, which a
    /// pinned `TRADLYTE_NOW` holds still and an NTP step moves.
    let elapsed: any MonotonicClock
    let strategyNamed: (String) throws -> Strategy
    let executor: BacktestRunner.Executor

    /// - Parameters:
    ///   - elapsed: the monotonic clock (the system's at the edge, a manual one in tests).
    ///   - strategyNamed: the strategy an alert rule names; throws when it is gone or invalid.
    ///   - executor: runs the scan's per-symbol work (e.g. across all cores).
    public init(
        store: PipelineStore, provider: MarketDataProvider, options: PipelineOptions,
        clock: @escaping () -> Date, elapsed: any MonotonicClock,
        strategyNamed: @escaping (String) throws -> Strategy = Pipeline.builtInStrategy,
        executor: @escaping BacktestRunner.Executor = BacktestRunner.sequential
    ) {
        self.store = store
        self.provider = provider
        self.options = options
        self.clock = clock
        self.elapsed = elapsed
        self.strategyNamed = strategyNamed
        self.executor = executor
    }

    var calendar: TradingCalendar { store.calendar }

    /// The built-in strategy with this id (the default lookup for alert rules).
    public static func builtInStrategy(_ id: String) throws -> Strategy {
        guard let strategy = StrategyLibrary.named(id)?.strategy else { throw PipelineError.unknownStrategy(id) }
        return strategy
    }

    /// Engine flags the pipeline keeps (read by `status` and the UI).
    public enum Flag {
        /// Calendar days of history the plan serves (learned from a 403).
        public static let historyWindowDays = "plan.history_window_days"
        /// The plan publishes a session's grouped day only after midnight ET.
        public static let publishesNextDay = "plan.publishes_next_day"
        /// Sessions deferred by the last run, for `status` and the UI.
        public static let deferred = "market.deferred"
        /// When the ticker list was last fetched (ISO date).
        public static let tickersFetched = "metadata.tickers_fetched"
        /// Symbols still without metadata after that fetch (the list does not carry them).
        public static let missingAfterList = "metadata.missing_after_list"
        /// The flag holding the date a plan fact (`flag`) was learned (`PlanFacts` ages them).
        public static func learnedAt(_ flag: String) -> String { flag + ".learned_at" }
    }

    /// Stores a fact about the plan with the date it was learned.
    func learn(_ flag: String, _ value: String, today: SessionDate) throws {
        try store.setFlag(flag, value)
        try store.setFlag(Flag.learnedAt(flag), today.description)
    }

    // MARK: - Planning

    public func plan() throws -> PipelinePlan {
        try plan(at: clock())
    }

    /// The plan as of `now` (a run plans with the instant it fixes "today" from).
    func plan(at now: Date) throws -> PipelinePlan {
        guard let window = try historyWindow(at: now) else {
            return PipelinePlan(
                latestClosed: nil, groupedSessions: [], ranges: [], missingBySymbol: [:], splits: [], metadataCalls: 0)
        }
        var plan = PipelinePlan(
            latestClosed: window.latest, groupedSessions: [], ranges: [], missingBySymbol: [:], splits: [],
            metadataCalls: 0)
        plan.deferred = window.deferred
        plan.historyStart = window.isEmpty ? nil : calendar.sessions[window.start]
        plan.historyClamped = window.clamped
        guard !window.isEmpty else { return plan }
        let coverage = try store.coverage()
        let infos = try storedInfos()
        if options.mode == .market && options.onlySymbols == nil {
            try planMarket(window, coverage: coverage, into: &plan)
        } else {
            let targets = options.onlySymbols.map { Array(Set($0)).sorted() } ?? options.watchlist
            planRanges(targets, window, coverage: coverage, infos: infos, into: &plan)
        }
        plan.metadataCalls = try metadataCallEstimate(today: window.today, hasWork: !plan.isEmpty, infos: infos)
        return plan
    }

    /// The sessions a run may fetch: from the backfill's start (clamped to the plan's learned
    /// history window) to the newest session the plan publishes today.
    struct HistoryWindow {
        /// The latest closed session and its index.
        let latest: SessionDate
        let latestIndex: Int
        /// The first and last session index to fetch (`newest` is before `latest` when the plan
        /// publishes a session only after midnight ET).
        let start: Int
        let newest: Int
        /// Whether the learned history window moved `start` later than the backfill asked.
        let clamped: Bool
        let today: SessionDate
        let deferred: [PipelinePlan.Deferral]

        var isEmpty: Bool { start > newest }
    }

    func historyWindow(at now: Date) throws -> HistoryWindow? {
        guard let latest = calendar.latestClosedSession(at: now, graceMinutes: options.closeGraceMinutes),
            let latestIndex = calendar.sessionIndex(latest)
        else { return nil }
        let today = NewYorkTime.local(at: now).date
        var start = calendar.sessionIndex(
            onOrAfter: latest.adding(days: -365 * options.backfillYears - options.backfillYears / 4))
        var clamped = false
        if let text = try store.flag(Flag.historyWindowDays), let days = Int(text) {
            let edge = historyEdge(today: today, days: days)
            if edge > start {
                start = edge
                clamped = true
            }
        }
        var deferred: [PipelinePlan.Deferral] = []
        // A plan that publishes a day's grouped bars only after midnight ET: today's session waits.
        var newest = latestIndex
        if latest == today, try store.flag(Flag.publishesNextDay) != nil {
            deferred.append(
                .init(
                    session: latest, reason: "your plan publishes a session after midnight ET",
                    retry: "fetched by the first run after 00:00 ET"))
            newest -= 1
        }
        return HistoryWindow(
            latest: latest, latestIndex: latestIndex, start: start, newest: newest, clamped: clamped, today: today,
            deferred: deferred)
    }

    /// Market mode: a grouped day for every session of the window not stored yet (newest first),
    /// the late corrections, and on a cold start the watchlist's ranges first.
    func planMarket(_ window: HistoryWindow, coverage: [Symbol: Coverage], into plan: inout PipelinePlan) throws {
        let fetched = try store.marketSessions()
        plan.groupedSessions = (window.start...window.newest).reversed().map { calendar.sessions[$0] }.filter {
            fetched[$0] == nil
        }
        // Late corrections: the sessions just before the newest one this run will have, fetched
        // only on their own day so far, are fetched once more — never again on the same day.
        let newestHeld = max(
            plan.groupedSessions.first.flatMap { calendar.sessionIndex($0) } ?? -1,
            fetched.keys.compactMap { calendar.sessionIndex($0) }.filter { $0 <= window.newest }.max() ?? -1)
        if newestHeld > 0, options.correctionSessions > 0 {
            for index in max(0, newestHeld - options.correctionSessions)..<newestHeld {
                let session = calendar.sessions[index]
                guard let record = fetched[session], record.fetches == 1,
                    NewYorkTime.local(at: record.lastFetchedAt).date < window.today
                else { continue }
                plan.corrections.append(session)
            }
        }
        // A cold start on a small budget fetches the watchlist's history first (range calls):
        // charts work after a few calls while the market backfill runs on.
        if plan.groupedSessions.count > 5 {
            for symbol in options.watchlist where coverage[symbol] == nil {
                plan.ranges.append(
                    .init(
                        symbol: symbol, from: calendar.sessions[window.start], to: calendar.sessions[window.newest],
                        reason: "watchlist first"))
            }
        }
    }

    /// Watchlist mode (or `--symbols`): a range per target that is behind, or its backfill when new.
    func planRanges(
        _ targets: [Symbol], _ window: HistoryWindow, coverage: [Symbol: Coverage], infos: [Symbol: SymbolInfo],
        into plan: inout PipelinePlan
    ) {
        /// The last session a symbol is expected to have: earlier for delisted and dormant ones.
        func expectedLatest(_ s: Symbol) -> Int {
            if let info = infos[s], !info.active {
                if let delisted = info.delistDate {
                    return min(window.newest, calendar.sessionIndex(onOrBefore: delisted))
                }
                if let c = coverage[s] { return min(window.newest, calendar.sessionIndex(onOrBefore: c.latest)) }
            }
            return window.newest
        }
        for symbol in targets {
            let want = expectedLatest(symbol)
            if let c = coverage[symbol] {
                let have = calendar.sessionIndex(onOrBefore: c.latest)
                if have < want {
                    plan.missingBySymbol[symbol] = want - have
                    plan.ranges.append(
                        .init(
                            symbol: symbol, from: calendar.sessions[have + 1], to: calendar.sessions[want],
                            reason: "catch up"))
                }
            } else if want >= window.start {
                plan.missingBySymbol[symbol] = want - window.start + 1
                plan.ranges.append(
                    .init(
                        symbol: symbol, from: calendar.sessions[window.start], to: calendar.sessions[want],
                        reason: "new symbol: \(options.backfillYears)-year backfill"))
            }
        }
    }

    /// Stored symbol metadata by symbol.
    func storedInfos() throws -> [Symbol: SymbolInfo] {
        Dictionary(try store.symbols().map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The ticker list (weekly, or when symbols lack metadata), ticker details (budgeted) and splits.
    func metadataCallEstimate(today: SessionDate, hasWork: Bool, infos: [Symbol: SymbolInfo]) throws -> Int {
        let due = try listDue(today: today, infos: infos)
        guard hasWork || due else { return 0 }
        // The details the run will fetch: those due, not every detail symbol (a dry run said
        // "Calls: 7" for a run that made 1).
        let details = try detailsDue(options.detailSymbols, today: today, stored: infos).stale.count
        return (due ? 1 : 0) + 1 + min(options.detailsPerRun, details)
    }

    /// The detail symbols whose details are missing or older than `metadataMaxAgeDays`, and the
    /// dates each was last fetched.
    func detailsDue(
        _ symbols: [Symbol], today: SessionDate, stored: [Symbol: SymbolInfo]
    ) throws -> (stale: [Symbol], stamps: [String: String]) {
        let fresh = try store.flag("metadata.details") ?? ""
        var stamps: [String: String] = [:]
        for line in fresh.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { stamps[parts[0]] = parts[1] }
        }
        let stale = symbols.filter { symbol in
            guard stored[symbol]?.marketCap != nil, let stamp = stamps[symbol.rawValue],
                // A stamp that does not parse makes the details due (refetched and rewritten).
                let at = try? SessionDate(iso: stamp)
            else {
                return true
            }
            return at.adding(days: options.metadataMaxAgeDays) <= today
        }
        return (stale, stamps)
    }

    /// Whether the ticker list is due: a week old, never fetched, or symbols lack metadata.
    /// Checked when planning and again before the metadata stage (the fetch may have brought
    /// new listings); `infos` spares a read when the caller has them.
    func listDue(today: SessionDate, infos: [Symbol: SymbolInfo]? = nil) throws -> Bool {
        // A date that does not parse makes the list due (refetched and the flag rewritten).
        guard let text = try store.flag(Flag.tickersFetched), let last = try? SessionDate(iso: text) else {
            return true
        }
        if last.adding(days: options.metadataMaxAgeDays) <= today { return true }
        // Symbols the list did not cover last time (imported CSVs, say) do not make it due again;
        // more of them than then (new listings, a run stopped before its metadata) do.
        let missing = Self.missingMetadataCount(try infos ?? storedInfos())
        let before = Int(try store.flag(Flag.missingAfterList) ?? "") ?? 0
        return missing > before && last < today
    }

    /// Active symbols with neither a name nor a type.
    static func missingMetadataCount(_ infos: [Symbol: SymbolInfo]) -> Int {
        infos.values.filter { $0.active && $0.name == nil && $0.type == nil }.count
    }

    // MARK: - Running

    public func run(
        events: (PipelineEvent) -> Void = { _ in }, isCancelled: @escaping () -> Bool = { false }
    ) -> RunOutcome {
        run(events: events, stop: { isCancelled() ? .cancel : nil })
    }

    /// Runs every stage in order; `stop` is polled between calls (and the provider's own
    /// cancellation interrupts a wait in progress).
    public func run(events: (PipelineEvent) -> Void = { _ in }, stop: @escaping () -> StopRequest?) -> RunOutcome {
        withoutActuallyEscaping(events) { runStages(events: $0, stop: stop) }
    }

    private func runStages(events: @escaping (PipelineEvent) -> Void, stop: @escaping () -> StopRequest?) -> RunOutcome
    {
        let startedTicks = elapsed.uptimeNanoseconds()
        // "Today" is fixed once: a run crossing midnight ET plans, fetches and records one date.
        let startedAt = clock()
        var outcome = RunOutcome(status: .running)
        do {
            if let problem = try store.integrityProblem() {
                throw PipelineError.damagedStore(String(problem.prefix(300)))
            }
            let reaped = try store.reapAbandonedRuns(at: clock())
            if !reaped.isEmpty {
                let ids = reaped.map { "#\($0)" }.joined(separator: ", ")
                events(
                    .message(
                        "run \(ids) had been left running by a process that is gone — "
                            + "recorded as interrupted"))
            }
            try store.reserveSpace()
            outcome.runID = try store.beginRun(trigger: options.trigger, at: clock())
        } catch {
            store.releaseReserve()
            outcome.status = .failed
            outcome.error = "\(error)"
            outcome.failedStage = "start"
            return outcome
        }
        let recorder = StageRecorder(
            runID: outcome.runID!, store: store, clock: clock, elapsed: elapsed, events: events)
        var work = RunState(
            recorder: recorder, events: events, stop: stop, startedAt: startedAt,
            today: NewYorkTime.local(at: startedAt).date, startedTicks: startedTicks)
        work.lastCommitTicks = startedTicks
        do {
            // A stop request is honoured between stages too (a signal after the fetch must not
            // be followed by a run recorded as succeeded), and once more at the very end.
            try stagePlan(&work, &outcome)
            try stageFetch(&work, &outcome)
            try work.checkStop()
            try stageMetadata(&work, &outcome)
            try recordIngestStages(&work, outcome.ingest)
            try work.checkStop()
            try stageScan(&work)
            try work.checkStop()
            try stagePickDetails(&work)
            try work.checkStop()
            try stageAlerts(&work, &outcome)
            try work.checkStop()
            try stageVacuum(&work)
            try work.checkStop()
            outcome.status = .succeeded
            store.releaseReserve()
        } catch {
            // The space set aside at the start is what lets a run on a full disk record its end.
            store.releaseReserve()
            // A call cut short by the stop request ends the run as stopped, not failed.
            let request: StopRequest? = if case .stopped(let r)? = error as? PipelineError { r } else { stop() }
            switch request {
            case .cancel?: outcome.status = .cancelled
            case .interrupt?: outcome.status = .interrupted
            case nil: outcome.status = .failed
            }
            outcome.error = request.map { "\(PipelineError.stopped($0))" } ?? "\(error)"
            outcome.failedStage = recorder.current
            for problem in recorder.abandonOpen(status: outcome.status, error: outcome.error) {
                events(.message(problem))
            }
        }
        outcome.stages = recorder.finished
        outcome.deferred = work.deferred
        do {
            try store.setFlag(
                Flag.deferred,
                work.deferred.isEmpty
                    ? nil
                    : work.deferred.map { "\($0.session)|\($0.reason)|\($0.retry)" }.joined(separator: "\n"))
        } catch {
            // What `status` shows of the deferrals is part of the run's result: not writing it fails the run.
            if outcome.status == .succeeded {
                outcome.status = .failed
                outcome.failedStage = "record"
                outcome.error = "the deferred sessions could not be recorded: \(error)"
            } else {
                events(.message("the deferred sessions could not be recorded (\(error))"))
            }
        }
        outcome.seconds = Double(elapsed.uptimeNanoseconds() - startedTicks) / 1e9
        let error = outcome.error.map { "\(outcome.failedStage ?? "?"): \($0)" }
        do {
            try store.finishRun(
                outcome.runID!, status: outcome.status, error: error, summary: outcome.summary, at: clock())
        } catch let recordError {
            // Said, not swallowed: the next run finds this one `running` and records it interrupted.
            events(.message("the run's end could not be recorded (\(recordError))"))
        }
        return outcome
    }

    /// What the stages share while a run is in progress.
    struct RunState {
        let recorder: StageRecorder
        let events: (PipelineEvent) -> Void
        let stop: () -> StopRequest?
        /// The instant the run began, and its date in New York: one "today" for every stage.
        let startedAt: Date
        let today: SessionDate
        let startedTicks: UInt64
        var latest = SessionDate(dayNumber: 0)
        var latestIndex = 0
        var calls = 0
        var totalCalls = 0
        var fetchedBars = 0
        var deferred: [PipelinePlan.Deferral] = []
        /// Ticker-detail calls made this run (bounded by `detailsPerRun`).
        var detailCalls = 0
        /// Grouped days fetched and not yet committed, and when the last commit was.
        var pending: [Symbol: [DailyBar]] = [:]
        var pendingSessions: [(session: SessionDate, tickers: Int)] = []
        var lastCommitTicks: UInt64 = 0
        /// Set when the provider asked for a wait over the cap: later provider calls are skipped.
        var providerDeferred: String?

        func checkStop() throws {
            if let request = stop() { throw PipelineError.stopped(request) }
        }
    }

    func stagePlan(_ work: inout RunState, _ outcome: inout RunOutcome) throws {
        try work.recorder.begin(.plan)
        let plan = try self.plan(at: work.startedAt)
        outcome.plan = plan
        work.events(.planned(plan))
        work.deferred = plan.deferred
        try work.recorder.finish(
            .plan, .succeeded,
            counts: [
                "grouped_sessions": plan.groupedSessions.count,
                "corrections": plan.corrections.count, "ranges": plan.ranges.count,
                "deferred": plan.deferred.count,
            ])
        guard let latest = plan.latestClosed, let index = calendar.sessionIndex(latest) else {
            throw PipelineError.nothingClosed
        }
        work.latest = latest
        work.latestIndex = index
        work.totalCalls = plan.ohlcvCalls
    }

    /// Ranges first (watchlist history is usable soonest), then grouped days newest first, then
    /// corrections. Each answer is committed before the next call.
    func stageFetch(_ work: inout RunState, _ outcome: inout RunOutcome) throws {
        guard let plan = outcome.plan else { return }
        try work.recorder.begin(.fetchOHLCV)
        var rangesDone = 0
        var groupedDone = 0
        do {
            for request in plan.ranges {
                try work.checkStop()
                let bars = try fetchRange(request, work: &work)
                try save([request.symbol: bars], endpoint: "range", work: &work, outcome: &outcome)
                rangesDone += 1
            }
            var reachedWindow = false
            for session in plan.groupedSessions where !reachedWindow {
                try work.checkStop()
                reachedWindow = try fetchGroupedDay(session, work: &work, outcome: &outcome)
                groupedDone += 1
                if reachedWindow {
                    // The plan's window ends the walk back: the progress and its ETA count the
                    // calls left (the corrections), not the sessions the plan will never serve.
                    work.totalCalls = work.calls + plan.corrections.count
                    progress(&work)
                }
            }
            for session in plan.corrections {
                try work.checkStop()
                _ = try fetchGroupedDay(session, work: &work, outcome: &outcome, correction: true)
            }
            try commitGroupedDays(work: &work, outcome: &outcome)
        } catch ProviderError.waitTooLong(let detail) {
            // The provider wants hours: what arrived is kept, the rest waits for the next run.
            try commitGroupedDays(work: &work, outcome: &outcome)
            deferRest(plan, ranges: rangesDone, grouped: groupedDone, detail: detail, work: &work)
        } catch {
            // Stopped or failed: what was fetched is committed before the run ends. The run's
            // own error is the one reported; a commit that fails as well is named beside it.
            do { try commitGroupedDays(work: &work, outcome: &outcome) } catch let commitError {
                work.events(
                    .message(
                        "the grouped days fetched since the last commit could not be stored either: \(commitError)"))
            }
            throw error
        }
        try work.recorder.finish(
            .fetchOHLCV, .succeeded,
            counts: [
                "calls": work.calls, "bars": work.fetchedBars,
                "sessions": outcome.sessionsStored,
                "deferred": work.deferred.count,
            ])
    }

    /// Defers the fetches a too-long wait left undone (each remaining range and grouped day) and
    /// says so once; the stages that need the provider are skipped for the rest of the run.
    func deferRest(
        _ plan: PipelinePlan, ranges: Int, grouped: Int, detail: String, work: inout RunState
    ) {
        let reason = "the provider asked for a long wait (\(detail))"
        let retry = "tried by the next run"
        for request in plan.ranges.dropFirst(ranges) {
            work.deferred.append(
                .init(session: request.to, reason: "\(request.symbol)'s history: \(reason)", retry: retry))
        }
        for session in plan.groupedSessions.dropFirst(grouped) {
            work.deferred.append(.init(session: session, reason: reason, retry: retry))
        }
        work.providerDeferred = detail
        let left = plan.ranges.count - ranges + plan.groupedSessions.count - grouped
        work.events(
            .message(
                "\(reason): \(left) fetch\(left == 1 ? "" : "es") deferred to the next run, what arrived is kept — "
                    + "raise max_wait_seconds in the config to wait instead"))
    }

    /// One range call; a refusal for history beyond the plan retries once from the free plan's
    /// documented window (the grouped days find the exact edge).
    func fetchRange(_ request: PipelinePlan.RangeRequest, work: inout RunState) throws -> [DailyBar] {
        work.recorder.attempt(.fetchOHLCV)
        defer { progress(&work) }
        do {
            work.calls += 1
            let bars = try provider.dailyBars(request.symbol, from: request.from, to: request.to)
            work.fetchedBars += bars.count
            return bars
        } catch ProviderError.unknownSymbol(let name) {
            // A watchlist typo or a ticker the provider does not carry: said, and the run goes on.
            work.events(.message("\(name): the provider has no such ticker — check the watchlist; skipped"))
            return []
        } catch ProviderError.outsideHistory {
            let today = work.today
            let from = calendar.sessions[
                calendar.sessionIndex(onOrAfter: today.adding(days: -options.fallbackHistoryDays + 7))]
            guard from > request.from, from <= request.to else { return [] }
            work.events(.message("\(request.symbol): the plan's history is shorter — fetching from \(from)"))
            work.calls += 1
            let bars = try provider.dailyBars(request.symbol, from: from, to: request.to)
            work.fetchedBars += bars.count
            return bars
        }
    }

    /// Fetches and commits one grouped day; returns true when the plan's history window ends here.
    func fetchGroupedDay(
        _ session: SessionDate, work: inout RunState,
        outcome: inout RunOutcome, correction: Bool = false
    ) throws -> Bool {
        work.recorder.attempt(.fetchOHLCV)
        work.calls += 1
        defer { progress(&work) }
        let day: [Symbol: DailyBar]
        do {
            day = try provider.groupedDaily(session)
        } catch ProviderError.outsideHistory(let detail) where !correction {
            try learnHistoryWindow(refused: session, detail: detail, work: &work, outcome: &outcome)
            return true
        } catch ProviderError.notYetPublished(let detail) {
            let today = work.today
            if session == today { try learn(Flag.publishesNextDay, "learned \(today)", today: today) }
            work.deferred.append(
                .init(
                    session: session, reason: "not yet published (\(detail))",
                    retry: session == today ? "fetched by the first run after 00:00 ET" : "tried by the next run"))
            return false
        }
        guard !day.isEmpty else {
            // A calendar session with an empty answer is not published yet (never "no trades").
            if !correction {
                work.deferred.append(
                    .init(
                        session: session, reason: "the provider returned no bars for a trading session",
                        retry: "tried by the next run"))
            }
            return false
        }
        work.pending.reserveCapacity(day.count)
        for (symbol, bar) in day { work.pending[symbol, default: []].append(bar) }
        work.pendingSessions.append((session, day.count))
        work.fetchedBars += day.count
        let sinceCommit = Double(elapsed.uptimeNanoseconds() - work.lastCommitTicks) / 1e9
        if sinceCommit >= options.commitSeconds || work.pendingSessions.count >= options.chunkSessions {
            try commitGroupedDays(work: &work, outcome: &outcome)
        }
        return false
    }

    /// Commits the grouped days fetched since the last commit (one transaction) and records them
    /// as market-wide coverage. A provider paced at the free plan's rate commits every day as it
    /// arrives; a fast one batches what arrives within `commitSeconds`, since each commit costs
    /// per-symbol bookkeeping (a day at a time, a 12,000-symbol backfill took 14 minutes, not 45 s).
    func commitGroupedDays(work: inout RunState, outcome: inout RunOutcome) throws {
        defer { work.lastCommitTicks = elapsed.uptimeNanoseconds() }
        guard !work.pendingSessions.isEmpty else { return }
        try save(work.pending, endpoint: "grouped_daily", work: &work, outcome: &outcome)
        for (session, tickers) in work.pendingSessions {
            try store.recordMarketSession(session, tickers: tickers, at: clock())
        }
        outcome.sessionsStored += work.pendingSessions.count
        work.pending = [:]
        work.pendingSessions = []
    }

    /// "1 year", "2 years".
    static func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }

    /// The oldest session a plan with `days` of history serves on `today`: one value from the
    /// moment it is learned (the session announced is the one stored and the one planned), moving
    /// forward with the date.
    func historyEdge(today: SessionDate, days: Int) -> Int {
        calendar.sessionIndex(onOrAfter: today.adding(days: -days))
    }

    /// The first refusal walking back newest-first is the plan's edge: remember it (so later
    /// runs never ask again) and say so once. The sessions fetched before the refusal are
    /// committed first, so a kill at any point after the window is stored loses none of them.
    func learnHistoryWindow(
        refused session: SessionDate, detail: String, work: inout RunState, outcome: inout RunOutcome
    ) throws {
        try commitGroupedDays(work: &work, outcome: &outcome)
        let today = work.today
        let served = calendar.nextSession(after: session) ?? session
        let days = served.dayNumber > today.dayNumber ? 0 : today.dayNumber - served.dayNumber
        let oldest = calendar.sessions[historyEdge(today: today, days: Int(days))]
        let known = try store.flag(Flag.historyWindowDays)
        try learn(Flag.historyWindowDays, String(days), today: today)
        if known == nil {
            work.events(
                .message(
                    "your plan's history starts at \(oldest) (about \(Self.plural(Int(days) / 365, "year")) and "
                        + "\(Self.plural(Int(days) % 365, "day"))): "
                        + "older sessions are skipped and later runs start there — \(detail)"))
        }
    }

    func save(
        _ batch: [Symbol: [DailyBar]], endpoint: String, work: inout RunState,
        outcome: inout RunOutcome
    ) throws {
        let filtered = options.onlySymbols.map { only in batch.filter { only.contains($0.key) } } ?? batch
        guard !filtered.values.allSatisfy(\.isEmpty) else { return }
        let provenance = Provenance(
            runID: work.recorder.runID, provider: provider.name, endpoint: endpoint, fetchedAt: clock())
        let summary = try store.ingest(filtered, provenance: provenance)
        outcome.ingest.add(summary)
    }

    /// Progress with an ETA from the observed pace (never faster than the budget allows).
    func progress(_ work: inout RunState) {
        let seconds = Double(elapsed.uptimeNanoseconds() - work.startedTicks) / 1e9
        let observed = work.calls > 0 ? seconds / Double(work.calls) : 0
        let perCall = max(observed, options.callsPerMinute.map { 60 / $0 } ?? 0)
        let remaining = max(0, work.totalCalls - work.calls)
        work.events(
            .progress(
                stage: Stage.fetchOHLCV.rawValue, done: min(work.calls, work.totalCalls), total: work.totalCalls,
                etaSeconds: perCall > 0 ? Double(remaining) * perCall : nil))
    }

    /// The ticker list (weekly or when metadata is missing), splits once effective, ticker details
    /// for the symbols users look at (budgeted, weekly), and dormant symbols.
    func stageMetadata(_ work: inout RunState, _ outcome: inout RunOutcome) throws {
        guard let plan = outcome.plan, plan.metadataCalls > 0 else { return }
        try work.recorder.begin(.fetchMetadata)
        if let detail = work.providerDeferred {
            try work.recorder.finish(
                .fetchMetadata, .skipped, error: "deferred: the provider asked for a long wait (\(detail))")
            return
        }
        let today = work.today
        var counts: [String: Int] = [:]
        if try listDue(today: today) {
            try work.checkStop()
            let infos = try provider.symbols()
            let stored = try storedInfos()
            // Keep what details added (market cap, sector) when the list has less.
            let merged = infos.map { info -> SymbolInfo in
                guard let old = stored[info.symbol] else { return info }
                var m = info
                m.marketCap = info.marketCap ?? old.marketCap
                m.industry = info.industry ?? old.industry
                m.description = info.description ?? old.description
                m.listDate = info.listDate ?? old.listDate
                return m
            }
            let changed = merged.filter { stored[$0.symbol] != $0 }
            try store.upsertSymbols(changed, at: clock())
            try store.setFlag(Flag.tickersFetched, today.description)
            try store.setFlag(Flag.missingAfterList, String(Self.missingMetadataCount(try storedInfos())))
            counts["symbols"] = infos.count
            counts["updated"] = changed.count
        }
        try work.checkStop()
        let since = plan.historyStart ?? work.latest
        let splits = try provider.splits(since: since).filter { $0.date <= work.latest }
        counts["splits"] = try applySplits(splits, work: &work, outcome: &outcome)
        counts["details"] = try fetchDetails(options.detailSymbols, today: today, work: &work)
        if options.mode == .market, options.onlySymbols == nil, work.latestIndex >= options.dormantSessions {
            let before = calendar.sessions[work.latestIndex - options.dormantSessions]
            counts["dormant"] = try store.markDormant(before: before, at: clock())
        }
        try work.recorder.finish(.fetchMetadata, .succeeded, counts: counts)
    }

    /// A split once effective re-fetches the symbol's (adjusted) history, once.
    func applySplits(_ splits: [Split], work: inout RunState, outcome: inout RunOutcome) throws -> Int {
        let applied = Set(try store.appliedSplits().map { "\($0.symbol)@\($0.date)" })
        let coverage = try store.coverage()
        var count = 0
        for split in splits where !applied.contains("\(split.symbol)@\(split.date)") {
            count += 1
            guard let c = coverage[split.symbol], options.onlySymbols?.contains(split.symbol) ?? true else {
                try store.recordSplit(split, at: clock())
                continue
            }
            try work.checkStop()
            let ratio = "\(IndicatorSpec.format(split.to))-for-\(IndicatorSpec.format(split.from))"
            let text = "split: \(split.symbol) \(ratio) on \(split.date) — re-fetching its adjusted history"
            work.events(.message(text))
            work.calls += 1
            let bars = try provider.dailyBars(split.symbol, from: c.first, to: work.latest)
            work.fetchedBars += bars.count
            try save(
                [split.symbol: bars], endpoint: "range (split)",
                work: &work, outcome: &outcome)
            try store.recordSplit(split, at: clock())
            outcome.plan?.splits.append(split)
        }
        return count
    }

    /// Details (market cap, SIC description, list date) for the symbols users see, at most
    /// `detailsPerRun` calls a run; refreshed after `metadataMaxAgeDays`.
    func fetchDetails(_ symbols: [Symbol], today: SessionDate, work: inout RunState) throws -> Int {
        guard !symbols.isEmpty, work.detailCalls < options.detailsPerRun else { return 0 }
        let detail = try detailsDue(symbols, today: today, stored: try storedInfos())
        let due = detail.stale
        var stamps = detail.stamps
        var fetched: [SymbolInfo] = []
        for symbol in due.prefix(options.detailsPerRun - work.detailCalls) {
            try work.checkStop()
            work.detailCalls += 1
            do {
                fetched.append(try provider.details(symbol))
            } catch ProviderError.unknownSymbol {
                // Imported symbols the provider does not carry: remembered so they are not asked again this week.
            }
            stamps[symbol.rawValue] = today.description
        }
        try store.upsertSymbols(fetched, at: clock())
        try store.setFlag(
            "metadata.details",
            stamps.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: "\n"))
        return fetched.count
    }

    /// Bronze and consolidate happen inside each commit; their time is recorded as stages.
    func recordIngestStages(_ work: inout RunState, _ s: IngestSummary) throws {
        let timings = [
            (Stage.bronze, s.bronzeSeconds, ["rows": s.rows]),
            (
                Stage.consolidate, s.consolidateSeconds,
                [
                    "inserted": s.inserted, "changed": s.changed,
                    "unchanged": s.unchanged,
                ]
            ),
        ]
        for (name, seconds, counts) in timings {
            try work.recorder.record(name, seconds: seconds, counts: counts)
        }
    }

    func stageScan(_ work: inout RunState) throws {
        try work.recorder.begin(.scan)
        guard !options.scanStrategies.isEmpty else {
            try work.recorder.finish(.scan, .skipped, error: "no scan strategies configured")
            return
        }
        let result = try StoredScan.run(
            options.scanStrategies, store: store, session: work.latest, metadata: try storedInfos(),
            topK: options.scanTopK, executor: executor, at: clock())
        try work.recorder.finish(
            .scan, .succeeded,
            counts: [
                "symbols": result.symbolsScanned,
                "signals": result.signals.values.reduce(0) { $0 + $1.count },
                "picks": result.picks.values.reduce(0) { $0 + $1.count },
            ])
    }

    /// Today's picks show market cap and sector: details for picks that lack them, within the
    /// run's detail budget, copied into the stored picks. The demo market's list has them all.
    func stagePickDetails(_ work: inout RunState) throws {
        guard !options.scanStrategies.isEmpty else { return }
        let picks = try store.picks(session: work.latest)
        let known = try storedInfos()
        var lacking: [Symbol] = []
        for pick in picks where known[pick.symbol]?.marketCap == nil && !lacking.contains(pick.symbol) {
            lacking.append(pick.symbol)
        }
        guard !lacking.isEmpty || picks.contains(where: { $0.marketCap == nil }) else { return }
        try work.recorder.begin(.fetchDetails)
        let fetched = try fetchDetails(lacking, today: work.today, work: &work)
        try store.fillPickMetadata(session: work.latest)
        try work.recorder.finish(
            .fetchDetails, .succeeded, counts: ["details": fetched, "picks_lacking": lacking.count])
    }

    func stageAlerts(_ work: inout RunState, _ outcome: inout RunOutcome) throws {
        try work.recorder.begin(.alerts)
        var evaluator = AlertEvaluator(store: store, latest: work.latest, strategyNamed: strategyNamed, now: clock())
        let fired = try evaluator.evaluate()
        outcome.newAlerts = try store.addAlerts(fired)
        // A rule whose strategy is gone or no longer compiles cannot fire: said, not taken for "no signal".
        for problem in evaluator.problems { work.events(.message(problem)) }
        try work.recorder.finish(
            .alerts, .succeeded,
            counts: [
                "rules": evaluator.rulesEvaluated, "fired": outcome.newAlerts.count,
                "broken_rules": evaluator.problems.count,
            ])
    }

    func stageVacuum(_ work: inout RunState) throws {
        try work.recorder.begin(.vacuum)
        let cutoff = clock().addingTimeInterval(-Double(options.retentionDays) * 86_400)
        let report = try store.vacuumBronze(olderThan: cutoff, dryRun: false)
        try work.recorder.finish(
            .vacuum, .succeeded, counts: ["deleted": report.deleted, "kept_unverified": report.unverified])
    }
}

/// Records stages as they begin and end; whatever is open when a run stops is closed with the
/// run's status, so no stage is ever left `running`.
final class StageRecorder {
    let runID: Int64
    private let store: PipelineStore
    private let clock: () -> Date
    private let elapsed: any MonotonicClock
    private let events: (PipelineEvent) -> Void
    private var open: [String: StageRecord] = [:]
    private(set) var finished: [StageRecord] = []
    /// The stage in progress (for the failure message).
    private(set) var current = "plan"

    init(
        runID: Int64, store: PipelineStore, clock: @escaping () -> Date, elapsed: any MonotonicClock,
        events: @escaping (PipelineEvent) -> Void
    ) {
        self.runID = runID
        self.store = store
        self.clock = clock
        self.elapsed = elapsed
        self.events = events
    }

    /// When each open stage began on the monotonic clock: a stage's time is what elapsed, even
    /// when the wall clock is pinned (TRADLYTE_NOW) or steps.
    private var began: [String: UInt64] = [:]

    /// Opens a stage and records it as running; a record that cannot be written fails the run.
    func begin(_ stage: Stage) throws {
        let name = stage.rawValue
        let record = StageRecord(runID: runID, stage: name, status: .running, attempts: 0, startedAt: clock())
        open[name] = record
        began[name] = elapsed.uptimeNanoseconds()
        current = name
        try store.recordStage(record)
        events(.stageStarted(name))
    }

    /// Counts one attempt (a provider call) on an open stage.
    func attempt(_ stage: Stage) {
        open[stage.rawValue]?.attempts += 1
    }

    /// Closes a stage and records it; a record that cannot be written fails the run (the stage is
    /// still listed in the outcome).
    func finish(_ stage: Stage, _ status: RunStatus, counts: [String: Int] = [:], error: String? = nil) throws {
        try finish(named: stage.rawValue, status, counts: counts, error: error)
    }

    private func finish(named name: String, _ status: RunStatus, counts: [String: Int] = [:], error: String? = nil)
        throws
    {
        var record =
            open.removeValue(forKey: name) ?? StageRecord(runID: runID, stage: name, status: status, startedAt: clock())
        record.status = status
        let now = elapsed.uptimeNanoseconds()
        let seconds = began.removeValue(forKey: name).map { Double(now - $0) / 1e9 }
        record.finishedAt = max(clock(), record.startedAt.addingTimeInterval(seconds ?? 0))
        record.attempts = max(1, record.attempts)
        record.counts.merge(counts) { $1 }
        record.error = error
        finished.append(record)
        // A stop between stages belongs to no stage: the run says after which one it came.
        if name == current { current = "after \(name)" }
        events(.stageFinished(record))
        try store.recordStage(record)
    }

    /// A stage whose work happened inside others' commits, recorded with its measured time.
    func record(_ stage: Stage, seconds: Double, counts: [String: Int]) throws {
        let end = clock()
        open[stage.rawValue] = StageRecord(
            runID: runID, stage: stage.rawValue, status: .running, attempts: 1,
            startedAt: end.addingTimeInterval(-seconds))
        try finish(stage, .succeeded, counts: counts)
    }

    /// Closes whatever is open with the run's status; returns what could not be recorded (the
    /// run already failed or stopped, so this is said rather than thrown).
    func abandonOpen(status: RunStatus, error: String?) -> [String] {
        var problems: [String] = []
        for name in open.keys.sorted() {
            do {
                try finish(named: name, status, error: error)
            } catch let recordError {
                problems.append("the \(name) stage's end could not be recorded (\(recordError))")
            }
        }
        return problems
    }
}

public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case stopped(StopRequest)
    case nothingClosed
    case notASession(SessionDate)
    /// The database fails SQLite's quick integrity check: the run writes nothing into it.
    case damagedStore(String)
    /// An alert rule names a strategy that is neither built in nor in the strategies folder.
    case unknownStrategy(String)

    public var description: String {
        switch self {
        case .stopped(.cancel):
            return "cancelled — everything fetched so far is stored; the next run resumes from there"
        case .stopped(.interrupt(let signal)):
            return "interrupted by \(signal) — everything fetched so far is stored; the next run resumes from there"
        case .nothingClosed: return "no session has closed yet within the calendar"
        case .notASession(let date): return "\(date) (\(date.weekdayName)) is not an NYSE session"
        case .unknownStrategy(let name): return "no strategy named \(name)"
        case .damagedStore(let detail):
            return "the database fails SQLite's quick integrity check (\(detail)) — the run wrote nothing and the "
                + "file was left as it was; move it aside or restore a backup, then refresh again"
        }
    }
}

extension IngestSummary {
    mutating func add(_ s: IngestSummary) {
        symbols += s.symbols
        rows += s.rows
        inserted += s.inserted
        changed += s.changed
        unchanged += s.unchanged
        bronzeSeconds += s.bronzeSeconds
        consolidateSeconds += s.consolidateSeconds
        if let f = s.firstSession { firstSession = min(firstSession ?? f, f) }
        if let l = s.lastSession { lastSession = max(lastSession ?? l, l) }
    }
}
