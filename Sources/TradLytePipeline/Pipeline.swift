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
    public var cancelled = false

    /// One line for logs, notifications and the CLI.
    public var summary: String {
        var s = status == .succeeded ? "refresh succeeded" : (cancelled ? "refresh cancelled" : "refresh failed")
        if let failedStage, let error { s += " in \(failedStage): \(error)" }
        s += String(format: " (%.2f s)", seconds)
        if ingest.rows > 0 || status == .succeeded {
            s += "; \(ingest.rows) rows, \(ingest.inserted) new, \(ingest.changed) changed, \(ingest.fibBarsWritten) Fibonacci bars"
        }
        if !newAlerts.isEmpty { s += "; \(newAlerts.count) new alert\(newAlerts.count == 1 ? "" : "s")" }
        return s
    }
}

/// The daily pipeline (ARCHITECTURE §9): plan → fetch OHLCV ∥ fetch metadata → bronze →
/// consolidate → resample → scan → alerts → vacuum, as one recorded run.
///
/// Bars are stored in chunks, each in one transaction (bronze, consolidation, watermarks and
/// the touched Fibonacci buckets together), so a run killed at any point leaves a consistent
/// database and the next run's plan resumes from the watermarks. Transient provider failures
/// are retried once, in the provider's client; a stage that still fails fails the run with its
/// name and reason.
public final class Pipeline {
    public let store: PipelineStore
    public let provider: MarketDataProvider
    public let options: PipelineOptions
    let clock: () -> Date
    let strategyNamed: (String) -> Strategy?
    let executor: BacktestRunner.Executor

    /// - Parameter executor: runs the scan's per-symbol work (e.g. across all cores).
    public init(store: PipelineStore, provider: MarketDataProvider, options: PipelineOptions,
                clock: @escaping () -> Date,
                strategyNamed: @escaping (String) -> Strategy? = { StrategyLibrary.named($0)?.strategy },
                executor: @escaping BacktestRunner.Executor = BacktestRunner.sequential) {
        self.store = store
        self.provider = provider
        self.options = options
        self.clock = clock
        self.strategyNamed = strategyNamed
        self.executor = executor
    }

    var calendar: TradingCalendar { store.calendar }

    /// Set while a bulk load's Fibonacci rebuild is owed.
    static let rebuildFlag = "fib_rebuild_pending"

    // MARK: - Planning

    public func plan() throws -> PipelinePlan {
        let now = clock()
        guard let latest = calendar.latestClosedSession(at: now, graceMinutes: options.closeGraceMinutes),
              let latestIndex = calendar.sessionIndex(latest) else {
            return PipelinePlan(latestClosed: nil, groupedSessions: [], ranges: [], missingBySymbol: [:], splits: [], metadataCalls: 0)
        }
        let backfillStart = calendar.sessionIndex(onOrAfter: latest.adding(days: -365 * options.backfillYears - options.backfillYears / 4))
        let coverage = try store.coverage()
        let infos = Dictionary(try store.symbols().map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        let only = options.onlySymbols.map(Set.init)

        /// The last session a symbol is expected to have: earlier for delisted ones.
        func expectedLatest(_ s: Symbol) -> Int {
            if let info = infos[s], !info.active, let delisted = info.delistDate {
                return min(latestIndex, calendar.sessionIndex(onOrBefore: delisted))
            }
            return latestIndex
        }

        var missing: [Symbol: Int] = [:]
        var grouped = Set<Int>()
        var ranges: [PipelinePlan.RangeRequest] = []
        switch options.mode {
        case .market where only == nil:
            if coverage.isEmpty {
                grouped = Set(backfillStart...latestIndex)
            } else {
                for (symbol, c) in coverage {
                    let have = calendar.sessionIndex(onOrBefore: c.latest)
                    let want = expectedLatest(symbol)
                    if have < want {
                        missing[symbol] = want - have
                        grouped.formUnion((have + 1)...want)
                    }
                }
            }
        default:
            let targets = only.map { Array($0).sorted() } ?? options.watchlist
            for symbol in targets {
                let want = expectedLatest(symbol)
                if let c = coverage[symbol] {
                    let have = calendar.sessionIndex(onOrBefore: c.latest)
                    if have < want {
                        missing[symbol] = want - have
                        ranges.append(.init(symbol: symbol, from: calendar.sessions[have + 1], to: calendar.sessions[want], reason: "catch up"))
                    }
                } else {
                    missing[symbol] = want - backfillStart + 1
                    ranges.append(.init(symbol: symbol, from: calendar.sessions[backfillStart], to: calendar.sessions[want],
                                        reason: "new symbol: \(options.backfillYears)-year backfill"))
                }
            }
        }
        let sessions = grouped.sorted().map { calendar.sessions[$0] }
        let work = !sessions.isEmpty || !ranges.isEmpty
        return PipelinePlan(latestClosed: latest, groupedSessions: sessions, ranges: ranges, missingBySymbol: missing, splits: [],
                            metadataCalls: work || infos.isEmpty ? 2 : 0)
    }

    // MARK: - Running

    public func run(events: (PipelineEvent) -> Void = { _ in }, isCancelled: @escaping () -> Bool = { false }) -> RunOutcome {
        let started = clock()
        // Elapsed time is measured on the monotonic clock: `clock` may be pinned (TRADLYTE_NOW).
        let startedTicks = DispatchTime.now().uptimeNanoseconds
        var outcome = RunOutcome(status: .running)
        var stages: [String: StageRecord] = [:]
        let runID: Int64
        do {
            runID = try store.beginRun(trigger: options.trigger, at: started)
        } catch {
            outcome.status = .failed
            outcome.error = "\(error)"
            outcome.failedStage = "start"
            return outcome
        }
        outcome.runID = runID

        func begin(_ name: String) {
            stages[name] = StageRecord(runID: runID, stage: name, status: .running, attempts: 0, startedAt: clock())
            events(.stageStarted(name))
        }
        func finish(_ name: String, _ status: RunStatus, counts: [String: Int] = [:], error: String? = nil) {
            var record = stages[name] ?? StageRecord(runID: runID, stage: name, status: status, startedAt: clock())
            record.status = status
            record.finishedAt = clock()
            record.attempts = max(1, record.attempts)
            record.counts.merge(counts) { $1 }
            record.error = error
            stages[name] = record
            try? store.recordStage(record)
            outcome.stages.append(record)
            events(.stageFinished(record))
        }
        /// Runs `body` once, counting the attempt on the stage. Transient HTTP failures are
        /// retried by the provider's client (one retry policy); the pipeline only records.
        func attempt<T>(_ stage: String, _ body: () throws -> T) throws -> T {
            stages[stage]?.attempts += 1
            return try body()
        }

        var current = "plan"
        do {
            begin("plan")
            let plan = try self.plan()
            outcome.plan = plan
            events(.planned(plan))
            finish("plan", .succeeded, counts: ["grouped_sessions": plan.groupedSessions.count, "ranges": plan.ranges.count,
                                                "symbols_behind": plan.missingBySymbol.count])
            guard let latest = plan.latestClosed, let latestIndex = calendar.sessionIndex(latest) else {
                throw PipelineError.nothingClosed
            }

            // A cold start loads history without per-chunk resampling and rebuilds every
            // Fibonacci bar once at the end (much faster); a flag records the debt so a run
            // killed before the rebuild still gets it from the next run.
            let coldStart = try store.coverage().isEmpty
            let bulk = plan.groupedSessions.count > options.chunkSessions && coldStart
            if bulk { try store.setFlag(Self.rebuildFlag, "run \(runID)") }
            let ingestIntervals = bulk ? [] : options.intervals

            // Metadata runs on its own thread while OHLCV is fetched.
            let metadata = MetadataFetch(provider: provider, since: plan.groupedSessions.first ?? plan.ranges.map(\.from).min() ?? latest)
            if plan.metadataCalls > 0 {
                begin("fetch_metadata")
                metadata.start()
            }

            current = "fetch_ohlcv"
            begin("fetch_ohlcv")
            let provenanceBase = Provenance(runID: runID, provider: provider.name, endpoint: "", fetchedAt: clock())
            var fetchedBars = 0, calls = 0
            let totalCalls = plan.groupedSessions.count + plan.ranges.count
            let perCall = options.callsPerMinute.map { 60 / $0 }
            func progress() {
                events(.progress(stage: "fetch_ohlcv", done: calls, total: totalCalls,
                                 etaSeconds: perCall.map { Double(totalCalls - calls) * $0 }))
            }
            func save(_ batch: [Symbol: [DailyBar]], endpoint: String) throws {
                guard !batch.isEmpty else { return }
                current = "consolidate"
                var p = provenanceBase
                p.endpoint = endpoint
                p.fetchedAt = clock()
                let s = try self.store.ingest(batch, provenance: p, latestClosed: Int32(latestIndex), intervals: ingestIntervals)
                outcome.ingest.add(s)
                current = "fetch_ohlcv"
            }
            var chunk: [Symbol: [DailyBar]] = [:]
            var chunkSessions = 0
            for session in plan.groupedSessions {
                if isCancelled() { throw PipelineError.cancelled }
                let day = try attempt("fetch_ohlcv") { try provider.groupedDaily(session) }
                calls += 1
                for (symbol, bar) in day where options.onlySymbols?.contains(symbol) ?? true {
                    chunk[symbol, default: []].append(bar)
                    fetchedBars += 1
                }
                chunkSessions += 1
                progress()
                if chunkSessions >= options.chunkSessions {
                    try save(chunk, endpoint: "grouped_daily")
                    chunk = [:]
                    chunkSessions = 0
                }
            }
            try save(chunk, endpoint: "grouped_daily")
            chunk = [:]
            for request in plan.ranges {
                if isCancelled() { throw PipelineError.cancelled }
                let bars = try attempt("fetch_ohlcv") { try provider.dailyBars(request.symbol, from: request.from, to: request.to) }
                calls += 1
                fetchedBars += bars.count
                progress()
                try save([request.symbol: bars], endpoint: "range")
            }

            // Metadata, new listings and splits.
            if plan.metadataCalls > 0 {
                current = "fetch_metadata"
                let (infos, splits) = try metadata.wait()
                // Write only what changed: the ticker list is mostly the same every day.
                let stored = Dictionary(try self.store.symbols().map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
                let changed = infos.filter { stored[$0.symbol] != $0 }
                try self.store.upsertSymbols(changed, at: clock())
                finish("fetch_metadata", .succeeded, counts: ["symbols": infos.count, "updated": changed.count, "splits": splits.count])
                current = "fetch_ohlcv"
                let applied = Set(try self.store.appliedSplits().map { "\($0.symbol)@\($0.date)" })
                let coverage = try self.store.coverage()
                for split in splits where !applied.contains("\(split.symbol)@\(split.date)") {
                    guard let c = coverage[split.symbol], options.onlySymbols?.contains(split.symbol) ?? true else {
                        try self.store.recordSplit(split, at: clock())
                        continue
                    }
                    if isCancelled() { throw PipelineError.cancelled }
                    events(.message("split: \(split.symbol) \(IndicatorSpec.format(split.to))-for-\(IndicatorSpec.format(split.from)) on \(split.date) — re-fetching its adjusted history"))
                    let bars = try attempt("fetch_ohlcv") { try provider.dailyBars(split.symbol, from: c.first, to: latest) }
                    calls += 1
                    fetchedBars += bars.count
                    try save([split.symbol: bars], endpoint: "range (split)")
                    try self.store.recordSplit(split, at: clock())
                    outcome.plan?.splits.append(split)
                }
                // New listings in market mode get their history (a cold start already has it).
                if options.mode == .market, options.onlySymbols == nil, !plan.groupedSessions.isEmpty,
                   plan.groupedSessions.count < 200 {
                    let start = calendar.sessions[calendar.sessionIndex(onOrAfter: latest.adding(days: -365 * options.backfillYears))]
                    for (symbol, c) in coverage where c.rows <= plan.groupedSessions.count && c.first >= plan.groupedSessions.first! {
                        if isCancelled() { throw PipelineError.cancelled }
                        guard let before = calendar.previousSession(before: c.first), before >= start else { continue }
                        events(.message("new listing \(symbol): backfilling \(start) … \(before)"))
                        let bars = try attempt("fetch_ohlcv") { try provider.dailyBars(symbol, from: start, to: before) }
                        calls += 1
                        fetchedBars += bars.count
                        try save([symbol: bars], endpoint: "range (backfill)")
                    }
                }
            }
            finish("fetch_ohlcv", .succeeded, counts: ["calls": calls, "bars": fetchedBars])
            let s = outcome.ingest
            for (name, seconds, counts) in [("bronze", s.bronzeSeconds, ["rows": s.rows]),
                                            ("consolidate", s.consolidateSeconds, ["inserted": s.inserted, "changed": s.changed, "unchanged": s.unchanged]),
                                            ("resample", s.resampleSeconds, ["fib_bars": s.fibBarsWritten])] {
                let end = clock()
                stages[name] = StageRecord(runID: runID, stage: name, status: .running, attempts: 1,
                                           startedAt: end.addingTimeInterval(-seconds))
                finish(name, .succeeded, counts: counts)
            }

            let rebuildOwed = try store.flag(Self.rebuildFlag) != nil
            if options.fullRebuild || rebuildOwed {
                current = "resample"
                begin("resample_rebuild")
                let written = try self.store.rebuildFibBars(symbols: rebuildOwed ? nil : options.onlySymbols, intervals: options.intervals,
                                                            latestClosed: Int32(latestIndex))
                try store.setFlag(Self.rebuildFlag, nil)
                outcome.ingest.fibBarsWritten += written
                finish("resample_rebuild", .succeeded, counts: ["fib_bars": written])
            }

            current = "scan"
            begin("scan")
            if options.scanStrategies.isEmpty {
                finish("scan", .skipped, error: "no scan strategies configured")
            } else {
                // Only the history the strategies can see matters: their warm-up on 5-session bars
                // (the widest confirming interval) bounded by `scanSessions`.
                let needed = try options.scanStrategies.map { s throws in try CompiledStrategy(s).lookback + 2 }.max() ?? 0
                let tails = try self.store.dailyTails(sessions: min(options.scanSessions, max(needed, 30)), through: latest)
                let metadata = Dictionary(try self.store.symbols().map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
                let result = try UniverseScanner.scan(options.scanStrategies, universe: tails, session: Int32(latestIndex),
                                                      metadata: metadata, topK: options.scanTopK, calendar: calendar,
                                                      executor: executor)
                try self.store.saveScan(result, strategies: options.scanStrategies.map(\.name), at: clock())
                finish("scan", .succeeded, counts: ["symbols": result.symbolsScanned,
                                                    "signals": result.signals.values.reduce(0) { $0 + $1.count },
                                                    "picks": result.picks.values.reduce(0) { $0 + $1.count }])
            }

            current = "alerts"
            begin("alerts")
            var evaluator = AlertEvaluator(store: self.store, latest: latest, strategyNamed: strategyNamed, now: clock())
            let fired = try evaluator.evaluate()
            outcome.newAlerts = try self.store.addAlerts(fired)
            finish("alerts", .succeeded, counts: ["rules": evaluator.rulesEvaluated, "fired": outcome.newAlerts.count])

            current = "vacuum"
            begin("vacuum")
            let report = try self.store.vacuumBronze(olderThan: clock().addingTimeInterval(-Double(options.retentionDays) * 86_400),
                                                     dryRun: false)
            finish("vacuum", .succeeded, counts: ["deleted": report.deleted, "kept_unverified": report.unverified])
            outcome.status = .succeeded
        } catch {
            outcome.status = .failed
            outcome.cancelled = (error as? PipelineError) == .cancelled
            outcome.error = "\(error)"
            outcome.failedStage = current
            if stages[current]?.finishedAt == nil {
                finish(current, .failed, error: outcome.error)
            }
        }
        outcome.seconds = Double(DispatchTime.now().uptimeNanoseconds - startedTicks) / 1e9
        try? store.finishRun(runID, status: outcome.status, error: outcome.error.map { "\(outcome.failedStage ?? "?"): \($0)" },
                             summary: outcome.summary, at: clock())
        return outcome
    }
}

public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case cancelled
    case nothingClosed

    public var description: String {
        switch self {
        case .cancelled: return "cancelled — everything stored so far is consistent; the next run resumes from there"
        case .nothingClosed: return "no session has closed yet within the calendar"
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
        fibBarsWritten += s.fibBarsWritten
        bronzeSeconds += s.bronzeSeconds
        consolidateSeconds += s.consolidateSeconds
        resampleSeconds += s.resampleSeconds
        if let f = s.firstSession { firstSession = min(firstSession ?? f, f) }
        if let l = s.lastSession { lastSession = max(lastSession ?? l, l) }
    }
}

/// The ticker list and splits, fetched on a thread of their own.
final class MetadataFetch: @unchecked Sendable {
    // Written by the worker thread before `done` is signalled; read after.
    private let provider: MarketDataProvider
    private let since: SessionDate
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<([SymbolInfo], [Split]), Error>?

    init(provider: MarketDataProvider, since: SessionDate) {
        self.provider = provider
        self.since = since
    }

    func start() {
        Thread {
            do {
                let infos = try self.provider.symbols()
                let splits = try self.provider.splits(since: self.since)
                self.result = .success((infos, splits))
            } catch {
                self.result = .failure(error)
            }
            self.done.signal()
        }.start()
    }

    func wait() throws -> ([SymbolInfo], [Split]) {
        done.wait()
        return try result!.get()
    }
}
