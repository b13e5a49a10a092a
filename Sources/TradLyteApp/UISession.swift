import Foundation
import MarketData
import TermRender
import TradLyteCore
import TradLytePipeline
import TradLyteStore
import TradLyteUI

/// Runs the UI's effects against the store, the quote service and the config file, and
/// feeds the results back as events. Slow work (quotes, backtests, studies, scans) runs on one
/// bounded pool of workers and reports through the inbox, drained each tick (the UI thread never
/// waits on them).
package final class UISession {
    /// Background work that can be stopped: Esc or a newer request cancels it.
    package enum Job: Hashable {
        case backtest(Int)
        case study(Int)
        case portfolio(Int)
    }

    package let env: AppEnvironment
    package let store: MarketStore
    package let themes: ThemeCatalog
    package var theme: Theme
    package let inbox = Inbox()
    /// At most one job per core at a time; a study spreads its own backtests over every core.
    package let workers: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "tradlyte.ui.workers"
        queue.maxConcurrentOperationCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
        queue.qualityOfService = .userInitiated
        return queue
    }()
    /// The cancellation flag of each job still running.
    package let jobs = Locked<[Job: CancellationFlag]>([:])
    /// The quote services (a store connection and a provider each; every provider shares the
    /// key's rate-limit schedule): one is taken out for a quote and put back after, so no lock
    /// is held across a network call or a rate-limit wait.
    package let quotes = QuotePool()
    /// The store's `data_version` at the last look (another process's commit changes it).
    package let dataVersion = Locked<Int64?>(nil)
    /// Background jobs still running, and whether one finished since the last look: their
    /// commits are the session's own.
    package let ownWrites = Locked<(running: Int, finished: Bool)>((0, false))
    /// Set to cancel the background refresh; the pipeline checks it between steps.
    package let refreshCancel = CancellationFlag()
    /// The refresh in progress, as a handle: `UIRunner.shutdown` waits on it.
    package let refreshes = DispatchGroup()
    /// A refresh's own queue, not a worker: it lasts minutes on a paced plan and must not hold
    /// a slot the quotes and studies need.
    private static let refreshQueue = DispatchQueue(label: "tradlyte.refresh", qos: .utility)
    package var catalog: StrategyCatalog { StrategyCatalog(directory: env.strategiesDirectory) }

    /// `--theme`, which wins over the theme the UI remembers.
    private let themeFlag: String?

    package init(env: AppEnvironment, themeFlag: String?) throws {
        self.env = env
        self.themeFlag = themeFlag
        store = try env.openStore()
        themes = ThemeCatalog(env: env)
        theme = try themes.resolve(flag: themeFlag, config: env.config.theme)
    }

    /// The first state, loaded from the store (watchlist from the config).
    package func start(width: Int, height: Int) throws -> (AppState, [Effect]) {
        let now = env.now()
        let symbols = try store.symbols()
        let latest = Int32(store.calendar.latestClosedSessionIndex(at: now, graceMinutes: env.config.closeGraceMinutes))
        let summary = try store.summary()
        let demo = env.config.provider == .demo || env.apiKey == nil
        var (state, effects) = App.start(
            width: width, height: height, now: now, symbols: symbols, watchlist: env.config.watchlist, demo: demo,
            latestClosed: latest, dataThrough: summary.latestSession, unreadAlerts: try store.unreadAlertCount(),
            theme: theme.name, themes: themes.list().map(\.name))
        // Strategies that load cleanly, for the backtest pane and alert rules.
        state.autoRefresh = env.config.autoRefresh
        // Snapshots for the watchlist's LAST during the session, unless the plan is known to
        // have none (each would cost a call to learn nothing).
        state.livePrices = !demo && (try? store.flag(PolygonClient.snapshotsFact)) != "none"
        // Strategies that fail to load are listed with their problem in the composer, not here.
        state.strategies = catalog.items.filter { (try? $0.result.get()) != nil }.map(\.id)
        if let first = state.strategies.first, !state.strategies.contains(state.strategy) { state.strategy = first }
        // The choices of the last session: theme, strategy, interval, applied parameters, layout.
        var problem: String?
        if let memory = UIMemory.load(env, problem: { problem = $0 }) {
            memory.apply(to: &state)
            // A remembered theme that no longer loads falls back to the configured one (the config's is checked).
            if themeFlag == nil, let name = memory.theme, let remembered = try? themes.load(name) {
                theme = remembered
                state.themeName = name
            }
        }
        if let problem { state.message = (problem, .warn) }
        return (state, effects)
    }

    /// Saves what the next session brings back (on the way out of the UI).
    package func remember(_ state: AppState) throws {
        try UIMemory(state).save(env)
    }

    /// The screens `open` knows (`tradlyte render`'s argument lists them from `HeadlessScreen`).
    package static let screens = HeadlessScreen.allCases.map(\.rawValue)

    /// Refuses a screen name `open` does not know, listing the ones it does.
    package static func check(screen: String) throws {
        guard screens.contains(screen) else {
            throw AppError.badInput("unknown screen '\(screen)' — use one of \(screens.joined(separator: ", "))")
        }
    }

    /// The first state with its loads done in-line, for a headless frame (`tradlyte render`).
    package func headless(width: Int, height: Int) throws -> AppState {
        var (state, effects) = try start(width: width, height: height)
        run(effects, &state, synchronous: true)
        return state
    }

    /// Opens a screen by name (`watchlist`, `chart`, `quote`, `help`, `backtest`, `picks`,
    /// `alerts`, `pipeline`, `strategies`) with its work done in-line; `strategy` picks the
    /// backtest's strategy or the composer's entry.
    package func open(_ screen: String, strategy: String?, _ state: inout AppState) throws {
        try Self.check(screen: screen)
        switch screen {
        case "watchlist": state.focus = .watchlist
        case "chart": state.focus = .main
        case "quote": run(App.perform(.openQuote, &state), &state, synchronous: true)
        case "backtest", "trades", "sweep", "walkforward", "watchlist-run", "portfolio":
            if let strategy {
                let id = try catalog.find(strategy).id
                guard state.strategies.contains(id) else {
                    throw AppError.badInput(
                        "strategy '\(strategy)' does not load — `tradlyte strategy validate` shows why")
                }
                state.strategy = id
            }
            state.focus = .main
            run(App.perform(.openBacktest, &state), &state, synchronous: true)
            // The result panes run their study in-line, as the UI's keys start them.
            let action: Action? =
                switch screen {
                case "sweep": .runSweep
                case "walkforward": .runWalkForward
                case "watchlist-run": .runWatchlist
                case "portfolio": .runPortfolio
                default: nil
                }
            if let action { run(App.perform(action, &state), &state, synchronous: true) }
            if screen == "trades" { state.backtest?.view = .trades }
        case "picks":
            state.focus = .main
            run(App.perform(.openPicks, &state), &state, synchronous: true)
        case "alerts":
            state.focus = .main
            run(App.perform(.openAlerts, &state), &state, synchronous: true)
        case "pipeline":
            state.focus = .main
            run(App.perform(.openPipeline, &state), &state, synchronous: true)
        case "strategies":
            state.focus = .main
            run(App.perform(.openComposer, &state), &state, synchronous: true)
            if let strategy {
                let id = try catalog.find(strategy).id
                state.composer.selected = state.composer.entries.firstIndex { $0.id == id } ?? 0
                run(App.perform(.listOpen, &state), &state, synchronous: true)
            }
        default: _ = App.perform(.help, &state)
        }
        state.message = state.message?.level == .info ? nil : state.message
    }

    /// Runs effects; store reads happen inline (milliseconds), quotes in the background
    /// unless `synchronous` (headless rendering).
    package func run(_ effects: [Effect], _ state: inout AppState, synchronous: Bool = false) {
        var queue = effects
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            var event: AppEvent?
            switch effect {
            case .loadSeries(let symbols):
                var loaded: [String: BarSeries] = [:]
                var failures: [String: String] = [:]
                for s in symbols {
                    do { loaded[s] = try store.dailySeries(try Symbol(s)) } catch { failures[s] = "\(error)" }
                }
                event = .seriesLoaded(loaded, failures: failures)
            case .watchQuotes(let symbols):
                let env = self.env
                let quotes = self.quotes
                event = offload(synchronous) { UISession.watchQuotes(symbols, env: env, quotes: quotes) }
            case .fetchQuote(let symbol), .refreshQuote(let symbol):
                let env = self.env
                let quotes = self.quotes
                let fresh = effect == .refreshQuote(symbol)
                event = offload(synchronous) { UISession.fetchQuote(symbol, fresh: fresh, env: env, quotes: quotes) }
            case .exportShown:
                do {
                    let files = try exportShown(state)
                    let others = files.dropFirst().map { ($0 as NSString).lastPathComponent }
                    state.message = ("exported \(files[0]) (and \(others.joined(separator: ", ")))", .info)
                } catch {
                    event = .failed("could not export: \(error)")
                }
            case .saveWatchlist(let list, let confirm):
                do {
                    try saveWatchlist(list)
                    if confirm { state.message = ("saved the watchlist to \(env.configPath)", .info) }
                } catch {
                    // The way out first: a long reason must not push it past the screen's edge.
                    state.message = (
                        "watchlist kept here, not saved — fix the file, then :save watchlist: \(error)", .error
                    )
                }
            case .runBacktest(let name, let symbol, let interval, let parameters, let range, let generation):
                do {
                    let strategy = try catalog.strategy(name)
                    let sym = try Symbol(symbol)
                    let daily = try state.series[symbol] ?? store.dailySeries(sym)
                    let latest = state.latestClosed
                    let configuration = try Self.configuration(state.account, for: strategy)
                    let cancel = started(.backtest(generation))
                    let jobs = self.jobs
                    let job = { @Sendable () -> AppEvent in
                        defer { jobs.withLock { $0[.backtest(generation)] = nil } }
                        guard !cancel.isCancelled else {
                            return .backtestFinished(generation: generation, .failure(EffectFailure("cancelled")))
                        }
                        return .backtestFinished(
                            generation: generation,
                            Self.backtest(
                                strategy, symbol: sym, parameters: parameters, daily: daily, interval: interval,
                                range: range, configuration: configuration, latestClosed: latest))
                    }
                    event = offload(synchronous, job)
                } catch {
                    event = .backtestFinished(generation: generation, .failure(EffectFailure("\(error)")))
                }
            case .runStudy(let kind, let name, let symbol, let interval, let parameters, let range, let generation):
                do {
                    let strategy = try catalog.strategy(name)
                    var universe: [(Symbol, BarSeries)] = []
                    let symbols: [String]
                    if case .watchlist(let list) = kind { symbols = list } else { symbols = [symbol] }
                    for sym in symbols {
                        universe.append((try Symbol(sym), try state.series[sym] ?? store.dailySeries(try Symbol(sym))))
                    }
                    let latest = state.latestClosed
                    let series = universe
                    let configuration = try Self.configuration(state.account, for: strategy)
                    let cancel = started(.study(generation))
                    let jobs = self.jobs
                    let job = { @Sendable () -> AppEvent in
                        defer { jobs.withLock { $0[.study(generation)] = nil } }
                        let request = StudyRequest(
                            strategy: strategy, parameters: parameters, interval: interval, range: range,
                            configuration: configuration)
                        return .studyFinished(
                            generation: generation,
                            Self.study(kind, request, universe: series, latestClosed: latest, cancellation: cancel))
                    }
                    event = offload(synchronous, job)
                } catch {
                    event = .studyFinished(generation: generation, .failure(EffectFailure("\(error)")))
                }
            case .cancelBacktest(let generation):
                jobs.withLock { $0[.backtest(generation)]?.cancel() }
            case .cancelStudy(let generation):
                jobs.withLock { $0[.study(generation)]?.cancel() }
            case .runPortfolio(let name, let universe, let maxPositions, let parameters, let range, let generation):
                do {
                    let strategy = try catalog.strategy(name)
                    let request = StudyRequest(
                        strategy: strategy, parameters: parameters, interval: state.interval, range: range,
                        configuration: try Self.configuration(state.account, for: strategy))
                    let env = self.env
                    let latest = state.latestClosed
                    let cancel = started(.portfolio(generation))
                    let jobs = self.jobs
                    let inbox = self.inbox
                    let live = !synchronous
                    event = offload(synchronous) {
                        defer { jobs.withLock { $0[.portfolio(generation)] = nil } }
                        do {
                            let members = try Portfolios.members(
                                universe.map { .symbols($0) } ?? .stored(minMarketCap: nil, sector: nil, type: nil),
                                env: env)
                            var config = Portfolios.configuration(request)
                            config.maxPositions = maxPositions
                            let result = try Portfolios.run(
                                request, members: members, configuration: config, rank: nil, latestClosed: latest,
                                cancellation: cancel,
                                progress: { done, total in
                                    if live {
                                        inbox.post(.portfolioProgress(generation: generation, done: done, total: total))
                                    }
                                })
                            return .portfolioFinished(generation: generation, .success(result))
                        } catch {
                            return .portfolioFinished(generation: generation, .failure(EffectFailure("\(error)")))
                        }
                    }
                } catch {
                    event = .portfolioFinished(generation: generation, .failure(EffectFailure("\(error)")))
                }
            case .cancelPortfolio(let generation):
                jobs.withLock { $0[.portfolio(generation)]?.cancel() }
            case .loadPicks:
                event = Self.attempt { .picksLoaded(try store.picks()) }
            case .loadAlerts:
                event = Self.attempt {
                    .alertsLoaded(
                        try store.alerts(limit: 200), rules: try store.alertRules(),
                        unread: try store.unreadAlertCount())
                }
            case .markAlertsRead(let ids):
                do {
                    let n = try store.markAlertsRead(ids)
                    state.message = ("\(n) alert\(n == 1 ? "" : "s") marked read", .info)
                    queue.append(.loadAlerts)
                } catch { event = .failed("could not mark alerts read: \(error)") }
            case .addAlertRule(let rule):
                do {
                    let id = try store.addAlertRule(rule, at: env.now())
                    state.message = (
                        "alert rule \(id) added: \(rule.kind.rawValue) \(rule.symbol?.rawValue ?? "")", .info
                    )
                    queue.append(.loadAlerts)
                } catch { event = .failed("could not add the alert rule: \(error)") }
            case .removeAlertRule(let id):
                do {
                    if try store.removeAlertRule(id) {
                        state.message = ("alert rule \(id) removed", .info)
                        queue.append(.loadAlerts)
                    } else {
                        event = .failed("no alert rule \(id) — the rule ids are in the alerts pane")
                    }
                } catch { event = .failed("could not remove the alert rule: \(error)") }
            case .loadRuns:
                event = Self.attempt {
                    let runs = try store.runs(last: 20)
                    var stages: [Int64: [StageRecord]] = [:]
                    for r in runs { stages[r.id] = try store.stages(ofRun: r.id) }
                    return .runsLoaded(runs, stages: stages)
                }
            case .startRefresh:
                refreshCancel.reset()
                let inbox = self.inbox
                let env = self.env
                let cancel = refreshCancel
                if synchronous {
                    Self.refresh(env: env, post: { queue += App.update(&state, $0) }, cancellation: cancel)
                } else {
                    let group = refreshes
                    group.enter()
                    Self.refreshQueue.async {
                        defer { group.leave() }
                        Self.refresh(env: env, post: inbox.post, live: { inbox.post($0) }, cancellation: cancel)
                    }
                }
            case .cancelRefresh:
                refreshCancel.cancel()
            case .loadPlan:
                event = Self.attempt {
                    let setup = try RefreshSetup(env: env, trigger: .tui)
                    let plan = try setup.pipeline(store: store).plan()
                    let lines =
                        plan.isEmpty
                        ? ["nothing to do — up to date through \(plan.latestClosed?.description ?? "—")"]
                        : plan.describe(callsPerMinute: setup.options.callsPerMinute)
                    return .planLoaded(["from the \(setup.source): " + lines[0]] + lines.dropFirst())
                }
            case .reloadData(let symbols):
                // What is read now is current: a later look compares against it.
                let version = try? store.dataVersion()
                dataVersion.withLock { $0 = version }
                event = Self.attempt {
                    var series: [String: BarSeries] = [:]
                    for sym in symbols { series[sym] = try store.dailySeries(try Symbol(sym)) }
                    let latest = Int32(
                        store.calendar.latestClosedSessionIndex(
                            at: env.now(), graceMinutes: env.config.closeGraceMinutes))
                    return .dataReloaded(
                        symbols: try store.symbols(), series: series, latestClosed: latest,
                        dataThrough: try store.summary().latestSession, unread: try store.unreadAlertCount())
                }
            case .runScan:
                let env = self.env
                event = offload(synchronous) {
                    UISession.attempt {
                        let store = try env.openStore()
                        guard try store.summary().latestSession != nil else {
                            return .failed("no data yet — press R to refresh")
                        }
                        _ = try ScanService.scan(env: env, store: store)
                        return .picksLoaded(try store.picks())
                    }
                }
            case .checkForNewData:
                // The first look only notes the version; a later change means another process committed.
                guard let version = try? store.dataVersion() else { break }
                let own = ownWrites.withLock { state in
                    defer { state.finished = false }
                    return state.running > 0 || state.finished
                }
                let previous = dataVersion.withLock { old in
                    defer { old = version }
                    return own ? version : old
                }
                if let previous, previous != version {
                    state.message = ("new data stored by another refresh — the screens are updated", .info)
                    queue += [.reloadData(Array(state.series.keys).sorted()), .loadPicks, .loadAlerts, .loadRuns]
                }
            case .loadStrategies:
                event = .strategiesLoaded(
                    catalog.items.map { item in
                        switch item.result {
                        case .success(let st):
                            return ComposerPanel.Entry(
                                id: item.id, builtIn: item.source == .builtIn, strategy: st, problem: nil)
                        case .failure(let e):
                            return ComposerPanel.Entry(
                                id: item.id, builtIn: item.source == .builtIn, strategy: nil,
                                problem: e.diagnostics.first.map(\.description) ?? "invalid")
                        }
                    })
            case .saveStrategy(let id, let text):
                event = .strategySaved(id: id, error: catalog.save(id: id, text: text))
            case .setTheme(let name):
                do {
                    theme = try themes.load(name)
                    event = .themeChanged(name, error: nil)
                } catch {
                    event = .themeChanged(name, error: "\(error)")
                }
            }
            if let event { queue += App.update(&state, event) }
        }
    }

    /// A manual refresh (trigger "tui") through `RefreshService` (the run lock, notify_command
    /// on failure), on its own store connection, reporting stages, progress (at most every
    /// 50 ms a stage) and log lines as events.
    /// - Parameter live: posts from any thread (the UI's inbox), so a wait is shown as it begins.
    package static func refresh(
        env: AppEnvironment, post: (AppEvent) -> Void, live: (@Sendable (AppEvent) -> Void)? = nil,
        cancellation: CancellationFlag, elapsed: any MonotonicClock = SystemClock()
    ) {
        let service = RefreshService(env: env)
        var liveLog: (@Sendable (RefreshEvent) -> Void)?
        if let live {
            liveLog = { event in
                if case .notice(let text) = event { live(.refreshLog(text)) }
            }
        }
        var lastProgress: [String: UInt64] = [:]
        let result = service.run(
            RefreshRequest(trigger: .tui), cancellation: cancellation,
            stop: { cancellation.isCancelled ? .cancel : nil },
            events: { event in
                switch event {
                case .started(let source):
                    post(.refreshLog("refreshing from the \(source)…"))
                case .notice(let text):
                    post(.refreshLog(text))
                case .alert(let alert):
                    post(.refreshLog("ALERT \(alert.session) \(alert.message)"))
                case .planned(_, let lines):
                    post(.refreshLog("plan: " + lines.joined(separator: "; ")))
                case .pipeline(.planned):
                    break
                case .pipeline(.stageStarted(let name)):
                    post(.refreshStage(name: name, status: "running", seconds: nil, detail: ""))
                case .pipeline(.progress(let stage, let done, let total, let eta)):
                    let now = elapsed.uptimeNanoseconds()
                    if done == total || lastProgress[stage].map({ now - $0 >= 50_000_000 }) ?? true {
                        lastProgress[stage] = now
                        post(.refreshProgress(stage: stage, done: done, total: total, eta: eta))
                    }
                case .pipeline(.message(let text)):
                    post(.refreshLog(text))
                case .pipeline(.stageFinished(let r)):
                    let counts = r.countsText
                    post(
                        .refreshStage(
                            name: r.stage, status: r.status.rawValue,
                            seconds: r.finishedAt.map { $0.timeIntervalSince(r.startedAt) },
                            detail: [counts, r.error ?? ""].filter { !$0.isEmpty }.joined(separator: " — ")))
                }
            }, live: liveLog)
        if let warning = result.notifyWarning { post(.refreshLog("warning: \(warning)")) }
        post(.refreshFinished(summary: result.summary, failed: result.failed, cancelled: result.cancelled))
    }

    /// Slow work: run inline for headless rendering (its event is returned), else on the
    /// worker pool with the event posted to the inbox (nil returned).
    package func offload(_ synchronous: Bool, _ job: @escaping @Sendable () -> AppEvent) -> AppEvent? {
        // Jobs may write through connections of their own (a scan's picks, a quote's cache): the
        // change they make is this session's, not another process's.
        let own = ownWrites
        own.withLock { $0.running += 1 }
        defer { if synchronous { own.withLock { $0 = ($0.running - 1, true) } } }
        if synchronous { return job() }
        let inbox = self.inbox
        workers.addOperation {
            let event = job()
            own.withLock { $0 = ($0.running - 1, true) }
            inbox.post(event)
        }
        return nil
    }

    /// Registers a job's cancellation flag (set by `cancelBacktest`/`cancelStudy`).
    package func started(_ job: Job) -> CancellationFlag {
        let flag = CancellationFlag()
        jobs.withLock { $0[job] = flag }
        return flag
    }

    /// A store read as an event, or its error as a failure message.
    package static func attempt(_ body: () throws -> AppEvent) -> AppEvent {
        do { return try body() } catch { return .failed("\(error)") }
    }

    /// One backtest with the strategy's own settings (pure computation; runs on any thread):
    /// the CLI's `backtest` with the same checks.
    package static func backtest(
        _ strategy: Strategy, symbol: Symbol, parameters: [String: Double] = [:], daily: BarSeries,
        interval: FibInterval, range: ClosedRange<SessionDate>? = nil, configuration: BacktestConfiguration? = nil,
        latestClosed: Int32
    ) -> Result<BacktestResult, EffectFailure> {
        let request = StudyRequest(
            strategy: strategy, parameters: parameters, interval: interval, range: range, configuration: configuration)
        do {
            return .success(try Studies.backtest(request, symbol: symbol, daily: daily, latestClosed: latestClosed))
        } catch {
            return .failure(EffectFailure(error.description))
        }
    }

    /// A watchlist run, sweep or walk-forward on all cores (pure computation; any thread), the
    /// CLI's `backtest --watchlist`, `sweep` and `walkforward` with their defaults: the grid the
    /// strategy declares (sampled only past the CLI's cap), two years in sample and six months out.
    package static func study(
        _ kind: StudyPanel.Kind, _ request: StudyRequest, universe: [(Symbol, BarSeries)], latestClosed: Int32,
        cancellation: CancellationFlag? = nil
    ) -> Result<StudyPanel.Outcome, EffectFailure> {
        do throws(AppError) {
            switch kind {
            case .watchlist:
                return .success(
                    .watchlist(
                        try Studies.acrossSymbols(
                            request, universe: universe, latestClosed: latestClosed, cancellation: cancellation)))
            case .sweep:
                let ranges = try Studies.ranges([], strategy: request.strategy)
                let grid = Studies.gridSize(ranges)
                return .success(
                    .sweep(
                        try Studies.sweep(
                            request, ranges: ranges, daily: universe[0].1, latestClosed: latestClosed,
                            sample: grid > Studies.gridCap ? Studies.sampleSize : nil, cancellation: cancellation)))
            case .walkForward:
                return .success(
                    .walkForward(
                        try Studies.walkForward(
                            request, ranges: try Studies.ranges([], strategy: request.strategy),
                            daily: universe[0].1, latestClosed: latestClosed, cancellation: cancellation)))
            }
        } catch {
            return .failure(EffectFailure(error.description))
        }
    }

    /// The watchlist's snapshots, one quote each through the quote service (its cache and the
    /// shared rate limit apply). The first answer that is not a snapshot means the plan has none:
    /// no more are asked for.
    package static func watchQuotes(
        _ symbols: [String], env: AppEnvironment, quotes: QuotePool
    ) -> AppEvent {
        var loaded: [String: QuoteView] = [:]
        for symbol in symbols {
            guard case .quoteLoaded(_, .success(let q)) = fetchQuote(symbol, env: env, quotes: quotes) else { continue }
            guard q.source.hasPrefix("delayed") || q.source.hasPrefix("live") else {
                return .watchQuotesLoaded(loaded, snapshots: false)
            }
            loaded[symbol] = q
        }
        return .watchQuotesLoaded(loaded, snapshots: true)
    }

    /// A quote through the quote service, on its own store connection (this may run on a
    /// background thread).
    package static func fetchQuote(
        _ symbol: String, fresh: Bool = false, env: AppEnvironment,
        quotes: QuotePool
    ) -> AppEvent {
        do {
            let r = try quotes.use(env: env) { service, store in
                try service.quote(try store.resolveSymbol(symbol), at: env.now(), fresh: fresh)
            }
            return .quoteLoaded(symbol, .success(QuoteView(r.quote, cached: r.fromCache)))
        } catch {
            return .quoteLoaded(symbol, .failure(EffectFailure("\(error)")))
        }
    }

    /// The strategy's account settings with the UI's `:account` choices applied (checked as the
    /// CLI's `--cash`, `--commission` and `--slippage` are).
    package static func configuration(
        _ account: AccountSettings, for strategy: Strategy
    ) throws(AppError) -> BacktestConfiguration {
        try BacktestOverrides(cash: account.cash, commission: account.commission, slippage: account.slippage)
            .configuration(for: strategy)
    }

    /// Writes the result on screen (never a re-run: what is written is what is shown) into
    /// `<data dir>/exports/`; returns the files, the JSON first.
    package func exportShown(_ state: AppState) throws -> [String] {
        let directory = env.dataDirectory + "/exports"
        if let p = state.portfolio, let r = p.result {
            let strategy = try catalog.strategy(p.strategy)
            let request = StudyRequest(
                strategy: strategy, parameters: state.parameterOverrides[p.strategy] ?? [:],
                configuration: try Self.configuration(state.account, for: strategy))
            return try StudyExport.portfolio(r, request: request, directory: directory)
        }
        if let study = state.study, let outcome = study.outcome {
            let id = StrategyCatalog.id(for: study.strategy)
            // Named with the data's last session (and the range's end), so a later run writes beside it.
            let through =
                (study.range.map { min($0.upperBound, state.dataThrough ?? $0.upperBound) }
                ?? state.dataThrough)?.description ?? "empty"
            switch outcome {
            case .sweep(let sweep):
                return try StudyExport.sweep(
                    sweep, strategy: id, symbol: study.symbol, interval: study.interval, through: through,
                    directory: directory)
            case .walkForward(let wf):
                return try StudyExport.walkForward(
                    wf, metric: study.metric, strategy: id, symbol: study.symbol, interval: study.interval,
                    through: through, directory: directory)
            case .watchlist(let rows):
                return try StudyExport.watchlist(
                    rows, strategy: id, interval: study.interval, through: through, directory: directory)
            }
        }
        guard let panel = state.backtest, let r = panel.result else {
            throw AppError.badInput("nothing on screen to export")
        }
        let strategy = try catalog.strategy(panel.strategy)
        let request = StudyRequest(
            strategy: strategy, parameters: panel.parameters, interval: panel.interval, range: panel.range,
            configuration: try Self.configuration(state.account, for: strategy))
        return try BacktestExport.write(r, request: request, symbol: try Symbol(panel.symbol), directory: directory)
    }

    /// Writes the watchlist into config.json, keeping every other key (see `rewriteConfig`).
    package func saveWatchlist(_ list: [String]) throws {
        try FileManager.default.createDirectory(atPath: env.configDirectory, withIntermediateDirectories: true)
        try rewriteConfig(env.configPath) { pairs in
            let value = JSONValue.array(list.map { .string($0) })
            if let i = pairs.firstIndex(where: { $0.0 == "watchlist" }) {
                pairs[i].1 = value
            } else {
                pairs.append(("watchlist", value))
            }
        }
    }
}

/// Quote services kept for reuse. `use` takes one out under the lock (or makes one), runs the
/// quote without the lock, and puts it back: quotes on two workers run side by side on two
/// connections instead of one waiting out the other's network call.
package final class QuotePool: Sendable {
    private typealias Entry = UncheckedSendable<(service: QuoteService, store: MarketStore)>
    // Each entry is used by one thread at a time: it is out of `idle` while in use.
    private let idle = Locked<[Entry]>([])
    private let made = Locked(0)

    package init() {}

    /// How many services were made (tests check that quotes reuse them).
    package var count: Int { made.withLock { $0 } }

    package func use<T>(env: AppEnvironment, _ body: (QuoteService, MarketStore) throws -> T) throws -> T {
        let entry: Entry
        if let taken = idle.withLock({ $0.popLast() }) {
            entry = taken
        } else {
            let store = try env.openStore()
            let service = QuoteService(provider: try env.makeProvider(), store: store, ttl: env.config.quoteTTLSeconds)
            entry = UncheckedSendable((service, store))
            made.withLock { $0 += 1 }
        }
        defer { idle.withLock { $0.append(entry) } }
        return try body(entry.value.service, entry.value.store)
    }
}

/// Events from background threads, drained by the UI loop on each tick.
package final class Inbox: Sendable {
    private let events = Locked<[AppEvent]>([])

    package func post(_ e: AppEvent) {
        events.withLock { $0.append(e) }
    }

    package func drain() -> [AppEvent] {
        events.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}
