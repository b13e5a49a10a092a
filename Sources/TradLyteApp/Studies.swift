import Foundation
import TradLyteCore
import TradLyteStore

/// Settings a backtest takes beyond the strategy's own (`--cash`, `--commission`, …), checked
/// before anything runs.
package struct BacktestOverrides: Sendable, Equatable {
    package var cash: Double?
    package var commission: Double?
    package var commissionFixed: Double?
    package var slippage: Double?
    package var fillClose = false
    package var fractional = false
    package var closeAtEnd = false

    package init(
        cash: Double? = nil, commission: Double? = nil, commissionFixed: Double? = nil, slippage: Double? = nil,
        fillClose: Bool = false, fractional: Bool = false, closeAtEnd: Bool = false
    ) {
        self.cash = cash
        self.commission = commission
        self.commissionFixed = commissionFixed
        self.slippage = slippage
        self.fillClose = fillClose
        self.fractional = fractional
        self.closeAtEnd = closeAtEnd
    }

    /// The strategy's own settings with these applied.
    package func configuration(for strategy: Strategy) throws(AppError) -> BacktestConfiguration {
        var c = BacktestConfiguration(strategy.backtest)
        if let cash {
            guard cash > 0, cash <= 1e15 else {
                let hint = "give a positive amount up to 1e15, e.g. --cash 10000"
                throw AppError.badInput("--cash \(cash) is out of range — \(hint)")
            }
            c.cash = cash
        }
        if let commission {
            guard (0..<0.1).contains(commission) else {
                throw AppError.badInput("--commission is a fraction from 0 to below 0.1 (0.001 = 0.1%)")
            }
            c.commission = commission
        }
        if let commissionFixed {
            guard commissionFixed >= 0, commissionFixed <= 1e9 else {
                throw AppError.badInput("--commission-fixed must be from 0 to 1e9")
            }
            c.commissionFixed = commissionFixed
        }
        if let slippage {
            guard (0...1000).contains(slippage) else {
                throw AppError.badInput("--slippage must be 0–1000 basis points")
            }
            c.slippageBps = slippage
        }
        if fillClose { c.fill = .close }
        if fractional { c.fractionalShares = true }
        if closeAtEnd { c.closeAtEnd = true }
        return c
    }
}

/// What every study runs: a strategy with its applied parameters, on an interval, over a date
/// range, with its account settings. The CLI builds one from its flags, the UI from the pane's
/// state; both then call the same `Studies` function.
package struct StudyRequest: Sendable {
    package var strategy: Strategy
    /// Parameter values in force (a sweep keeps the ones it does not vary).
    package var parameters: [String: Double]
    /// Nil: the strategy's own interval.
    package var interval: FibInterval?
    /// Bars ending in this range are traded; earlier bars only warm the indicators up.
    package var range: ClosedRange<SessionDate>?
    package var configuration: BacktestConfiguration
    package var metric: BacktestRunner.Metric

    package init(
        strategy: Strategy, parameters: [String: Double] = [:], interval: FibInterval? = nil,
        range: ClosedRange<SessionDate>? = nil, configuration: BacktestConfiguration? = nil,
        metric: BacktestRunner.Metric = .sharpe
    ) {
        self.strategy = strategy
        self.parameters = parameters
        self.interval = interval
        self.range = range
        self.configuration = configuration ?? BacktestConfiguration(strategy.backtest)
        self.metric = metric
    }

    /// The interval the bars are built on.
    package var baseInterval: FibInterval { interval ?? strategy.interval }

    /// "fast=20 slow=100" for the values in force (the defaults when none is applied).
    package var parameterText: String {
        strategy.parameters.map { "\($0.name)=\(IndicatorSpec.format(parameters[$0.name] ?? $0.defaultValue))" }
            .joined(separator: " ")
    }
}

/// A symbol's stored daily history, as the studies read it.
package struct SymbolHistory {
    package var symbol: Symbol
    package var daily: BarSeries
    package var store: MarketStore
    /// The latest closed session at the environment's clock (a forming bar ends after it).
    package var latestClosed: Int32
}

/// The research studies behind `tradlyte backtest`, `sweep`, `walkforward`, `signals` and
/// `indicator`, and behind the UI's backtest pane: one function each, so the CLI and the UI
/// run the same grid, the same windows and the same checks.
package enum Studies {
    /// The largest grid a sweep runs; larger ones are refused (CLI) or sampled (UI).
    package static let gridCap = 10_000
    /// Combinations the UI samples when a grid is over the cap.
    package static let sampleSize = 400

    /// The symbol's whole daily history (recursive indicators are computed over all of it).
    package static func history(_ symbolText: String, env: AppEnvironment) throws -> SymbolHistory {
        guard env.databaseExists else { throw StoreError.unknownSymbol(try Symbol(typed: symbolText).rawValue) }
        let store = try env.openStore()
        let symbol = try store.resolveSymbol(symbolText)
        let daily = try store.dailySeries(symbol)
        guard !daily.isEmpty else { throw StoreError.unknownSymbol(symbol.rawValue) }
        return SymbolHistory(symbol: symbol, daily: daily, store: store, latestClosed: latestClosed(store, env: env))
    }

    /// The latest closed session at the environment's clock.
    package static func latestClosed(_ store: MarketStore, env: AppEnvironment) -> Int32 {
        Int32(store.calendar.latestClosedSessionIndex(at: env.now(), graceMinutes: env.config.closeGraceMinutes))
    }

    /// `NAME=VALUE` items checked against the strategy's declared parameters.
    package static func parameters(_ items: [String], strategy: Strategy) throws(AppError) -> [String: Double] {
        try requireDistinct(items.map { String($0.prefix { $0 != "=" }) })
        var result: [String: Double] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = NumberText.decimal(parts[1]) else {
                throw AppError.badInput(
                    "--param \(item): write NAME=VALUE with a plain decimal number, e.g. --param fast=20")
            }
            guard strategy.parameters.contains(where: { $0.name == parts[0] }) else {
                let names = strategy.parameters.map(\.name).joined(separator: ", ")
                let list = names.isEmpty ? "none" : names
                throw AppError.badInput(
                    "--param \(item): \(strategy.name) has no parameter '\(parts[0])' (parameters: \(list))")
            }
            result[parts[0]] = value
        }
        return result
    }

    /// `from … to` dates (either may be open); nil when neither is given.
    package static func dateRange(from: String?, to: String?) throws(AppError) -> ClosedRange<SessionDate>? {
        let lo = try from.map { text throws(AppError) in try date(text, option: "--from") }
        let hi = try to.map { text throws(AppError) in try date(text, option: "--to") }
        if lo == nil && hi == nil { return nil }
        let first = lo ?? openRange.lowerBound
        let last = hi ?? openRange.upperBound
        guard first <= last else { throw AppError.badInput("--from \(first) is after --to \(last)") }
        return first...last
    }

    /// An ISO date given for `option`.
    package static func date(_ text: String, option: String) throws(AppError) -> SessionDate {
        do { return try SessionDate(iso: text) } catch {
            throw AppError.badInput("\(option): \(error.description)")
        }
    }

    /// The metric named `text`, or a message listing them.
    package static func metric(_ text: String, option: String) throws(AppError) -> BacktestRunner.Metric {
        guard let metric = BacktestRunner.Metric(rawValue: text) else {
            let names = BacktestRunner.Metric.allCases.map(\.rawValue).joined(separator: ", ")
            throw AppError.badInput("\(option) must be one of \(names)")
        }
        return metric
    }

    /// The strategy compiled with the request's parameters.
    package static func compile(_ request: StudyRequest) throws(AppError) -> CompiledStrategy {
        do { return try CompiledStrategy(request.strategy, parameters: request.parameters) } catch {
            throw AppError.badInput("the strategy does not compile with these parameters:\n\(error)")
        }
    }

    // MARK: - One backtest

    /// One backtest; refuses a range with no bars and a history too short for the warm-up.
    package static func backtest(
        _ request: StudyRequest, symbol: Symbol, daily: BarSeries, latestClosed: Int32
    ) throws(AppError) -> BacktestResult {
        let compiled = try compile(request)
        let result = Backtester.run(
            compiled, daily: daily, interval: request.interval, configuration: request.configuration,
            latestClosed: latestClosed, range: request.range)
        if result.barCount == 0 {
            let span = request.range.map { rangeText($0) } ?? "in the store"
            throw AppError.badInput(
                "--from/--to: no \(request.baseInterval) bars of \(symbol) \(span) — widen the date range")
        }
        if result.barCount <= compiled.lookback {
            throw AppError.badInput(
                "\(symbol) has \(result.barCount) \(result.interval) bars; \(request.strategy.name) needs more than "
                    + "\(compiled.lookback) to warm up — try a shorter interval or import more history")
        }
        return result
    }

    /// The strategy on every symbol of `universe`, ranked by the request's metric.
    package static func acrossSymbols(
        _ request: StudyRequest, universe: [(Symbol, BarSeries)], latestClosed: Int32,
        cancellation: CancellationFlag? = nil
    ) throws(AppError) -> [BacktestRunner.SymbolRow] {
        BacktestRunner.acrossSymbols(
            try compile(request), universe: universe, interval: request.interval,
            configuration: request.configuration, latestClosed: latestClosed, metric: request.metric,
            range: request.range, executor: Workers.allCores, cancellation: cancellation)
    }

    // MARK: - Sweeps and walk-forward

    /// The grid a strategy declares: each parameter with a min and a max, from min to max by
    /// its step (a tenth of the span when it has none). Strategy files are checked for ranges
    /// that cannot be swept when they load; a strategy built another way is checked here.
    package static func declaredRanges(_ strategy: Strategy) throws(AppError) -> [BacktestRunner.ParameterRange] {
        var ranges: [BacktestRunner.ParameterRange] = []
        for p in strategy.parameters {
            guard let lo = p.min, let hi = p.max, hi > lo else { continue }
            switch BacktestRunner.ParameterRange.values(from: lo, to: hi, step: p.step ?? (hi - lo) / 10) {
            case .success(let values): ranges.append(BacktestRunner.ParameterRange(name: p.name, values: values))
            case .failure(let problem):
                throw AppError.badInput("\(strategy.name): parameter \(p.name)'s declared range: \(problem)")
            }
        }
        return ranges
    }

    /// What `strategy validate` says of the declared grid: its size, and when it is over the
    /// cap, that a full sweep never runs it (the CLI samples with --random, the UI samples 400).
    package static func declaredGridNote(_ ranges: [BacktestRunner.ParameterRange]) -> String? {
        guard !ranges.isEmpty else { return nil }
        let size = BacktestRunner.gridSize(ranges)
        let text = BacktestRunner.gridSizeText(size)
        guard size > gridCap else { return "declared sweep grid: \(text) combinations" }
        let cap = NumberText.grouped(gridCap)
        return "declared sweep grid: \(text) combinations, over the \(cap) cap — a full sweep "
            + "never runs it: give narrower --param ranges or --random N to `tradlyte sweep`; the UI's sweep samples "
            + "\(sampleSize)"
    }

    /// `NAME=FROM:TO:STEP` / `NAME=V1,V2` items, or the declared grid when there are none.
    package static func ranges(
        _ items: [String], strategy: Strategy
    ) throws(AppError) -> [BacktestRunner.ParameterRange] {
        if items.isEmpty {
            let declared = try declaredRanges(strategy)
            guard !declared.isEmpty else {
                let names = strategy.parameters.map(\.name).joined(separator: ", ")
                throw AppError.badInput(
                    "\(strategy.name) declares no parameter range to sweep — give --param NAME=FROM:TO:STEP "
                        + "(parameters: \(names.isEmpty ? "none" : names))")
            }
            return declared
        }
        let ranges: [BacktestRunner.ParameterRange]
        do {
            ranges = try items.map { item throws(StrategyError) in
                try BacktestRunner.ParameterRange.parse(item, strategy: strategy)
            }
        } catch {
            throw AppError.badInput("--param \(error)")
        }
        try requireDistinct(ranges.map(\.name))
        return ranges
    }

    /// Combinations in the grid of `ranges`, saturating at `Int.max` (never overflowing).
    package static func gridSize(_ ranges: [BacktestRunner.ParameterRange]) -> Int {
        BacktestRunner.gridSize(ranges)
    }

    /// Every combination of `ranges` (or `sample` random ones of them), the other parameters at
    /// the request's values.
    package static func sweep(
        _ request: StudyRequest, ranges: [BacktestRunner.ParameterRange], daily: BarSeries, latestClosed: Int32,
        cap: Int = gridCap, sample: Int? = nil, cancellation: CancellationFlag? = nil,
        executor: @escaping BacktestRunner.Executor = Workers.allCores
    ) throws(AppError) -> BacktestRunner.Sweep {
        let grid = gridSize(ranges)
        try requireBars(in: request, daily: daily, latestClosed: latestClosed)
        let limit = BacktestRunner.maxGrid
        guard (1...limit).contains(cap), (1...limit).contains(sample ?? 1) else {
            throw AppError.badInput(
                "--max and --random take a number of combinations from 1 to \(NumberText.grouped(limit))")
        }
        if min(grid, sample ?? grid) > cap {
            let size = BacktestRunner.gridSizeText(min(grid, sample ?? grid))
            throw AppError.badInput(
                "--param: the grid has \(size) combinations, over the cap of \(NumberText.grouped(cap)) — narrow the "
                    + "ranges, raise --max or use --random N")
        }
        do {
            return try BacktestRunner.sweep(
                request.strategy, daily: daily, interval: request.interval, ranges: ranges,
                fixed: fixed(request, ranges), configuration: request.configuration, latestClosed: latestClosed,
                metric: request.metric, cap: cap, randomSubset: sample, range: request.range,
                executor: executor, cancellation: cancellation)
        } catch {
            throw AppError.badInput(error.description)
        }
    }

    /// The default walk-forward windows: two years (504 sessions) in sample and six months
    /// (126 sessions) out, in bars of `interval`.
    package static func walkForwardBars(_ interval: FibInterval) -> (inSample: Int, outOfSample: Int) {
        (max(20, 504 / interval.sessions), max(5, 126 / interval.sessions))
    }

    /// Rolling walk-forward windows (the defaults above when no size is given).
    package static func walkForward(
        _ request: StudyRequest, ranges: [BacktestRunner.ParameterRange], daily: BarSeries, latestClosed: Int32,
        inSampleBars: Int? = nil, outOfSampleBars: Int? = nil, cancellation: CancellationFlag? = nil
    ) throws(AppError) -> BacktestRunner.WalkForward {
        try requireBars(in: request, daily: daily, latestClosed: latestClosed)
        let grid = gridSize(ranges)
        guard grid <= gridCap else {
            throw AppError.badInput(
                "--param: the grid has \(BacktestRunner.gridSizeText(grid)) combinations, over the cap of "
                    + "\(NumberText.grouped(gridCap)) that each window sweeps — narrow the ranges")
        }
        let defaults = walkForwardBars(request.baseInterval)
        let inSample = inSampleBars ?? defaults.inSample
        let outOfSample = outOfSampleBars ?? defaults.outOfSample
        try windowSizes(inSample, outOfSample, unit: "bars")
        do {
            let windows = try BacktestRunner.walkForward(
                request.strategy, daily: daily, interval: request.interval, ranges: ranges,
                fixed: fixed(request, ranges), inSampleBars: inSample, outOfSampleBars: outOfSample,
                configuration: request.configuration, latestClosed: latestClosed, metric: request.metric,
                range: request.range, executor: Workers.allCores, cancellation: cancellation)
            var study = BacktestRunner.WalkForward(
                windows: windows, inSampleBars: inSample, outOfSampleBars: outOfSample,
                cash: request.configuration.cash)
            // The bars after the last window, too few for another: counted, so they are said.
            if let end = windows.last?.outOfSample.upperBound {
                let sessions = TradingCalendar.nyse.sessions
                let tail = FibResampler.resample(daily, interval: request.baseInterval, latestClosed: latestClosed)
                    .filter { bar in
                        let last = sessions[Int(bar.lastSession)]
                        return last > end && (request.range?.contains(last) ?? true)
                    }
                study.uncoveredBars = tail.count
                study.uncoveredFrom = tail.first.map { sessions[Int($0.firstSession)] }
            }
            return study
        } catch {
            throw AppError.badInput(error.description)
        }
    }

    /// Refuses a date range that holds no closed session of the history (`--to 1989-12-29`), so a
    /// sweep or walk-forward never answers an empty heat map with success.
    static func requireBars(in request: StudyRequest, daily: BarSeries, latestClosed: Int32) throws(AppError) {
        guard let range = request.range else { return }
        let sessions = TradingCalendar.nyse.sessions
        let held = daily.sessionIndex.contains { $0 <= latestClosed && range.contains(sessions[Int($0)]) }
        guard held else {
            throw AppError.badInput(
                "--from/--to: no bars \(rangeText(range)) (the history runs "
                    + "\(daily.sessionIndex.first.map { "\(sessions[Int($0)])" } ?? "—") … "
                    + "\(daily.sessionIndex.last.map { "\(sessions[Int($0)])" } ?? "—")) — widen the date range")
        }
    }

    /// Refuses a parameter given twice (`--param fast=10 --param fast=20` would sweep fast
    /// against itself).
    package static func requireDistinct(_ names: [String]) throws(AppError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw AppError.badInput("--param \(name) is given twice — give each parameter once (a range or a list)")
        }
    }

    /// Walk-forward windows of 1 to 100,000 bars (or sessions) each: checked before any sum of
    /// them is formed.
    package static func windowSizes(_ inSample: Int, _ outOfSample: Int, unit: String) throws(AppError) {
        let limit = 1...100_000
        guard limit.contains(inSample), limit.contains(outOfSample) else {
            throw AppError.badInput(
                "--in-sample and --out-of-sample take 1 to 100,000 \(unit) each (got \(inSample) and \(outOfSample))")
        }
    }

    /// The dates that stand for an open end of `--from`/`--to` (never shown to a user).
    static let openRange = SessionDate(year: 1900, month: 1, day: 1)!...SessionDate(year: 2100, month: 1, day: 1)!

    /// "2024-01-02 … 2025-06-30", "through 1989-12-29" or "from 2030-01-02" — never the open
    /// ends' stand-in dates.
    package static func rangeText(_ range: ClosedRange<SessionDate>) -> String {
        switch (range.lowerBound == openRange.lowerBound, range.upperBound == openRange.upperBound) {
        case (true, false): return "through \(range.upperBound)"
        case (false, true): return "from \(range.lowerBound)"
        case (true, true): return "in the whole history"
        default: return "in \(range.lowerBound) … \(range.upperBound)"
        }
    }

    /// The request's parameters that the ranges do not vary.
    static func fixed(_ request: StudyRequest, _ ranges: [BacktestRunner.ParameterRange]) -> [String: Double] {
        let swept = Set(ranges.map(\.name))
        return request.parameters.filter { !swept.contains($0.key) }
    }
}

/// A strategy's states bar by bar (`tradlyte signals`).
package struct SignalsReport: Sendable {
    package struct Row: Encodable, Sendable {
        package var start: String, end: String, close: Double
        package var setup: Int?, trigger: Int?, exit: Int?
        package var entry: Bool
    }
    package var rows: [Row]
    package var interval: FibInterval
    package var bars: Int
    package var entries: Int
    package var ruleExits: Int
    package var lookback: Int
    package var buys: Bool
}

extension Studies {
    /// The bars with an entry or a rule exit (every bar with `all`), setup/trigger/exit as
    /// 1, 0 or nil (unknown); refuses a history too short for the warm-up.
    package static func signals(
        _ request: StudyRequest, history: SymbolHistory, all: Bool
    ) throws(AppError) -> SignalsReport {
        let compiled = try compile(request)
        let signals = compiled.signals(
            daily: history.daily, interval: request.interval, latestClosed: history.latestClosed)
        if signals.count <= compiled.lookback {
            throw AppError.badInput(
                "\(history.symbol) has \(signals.count) \(signals.interval) bars; \(request.strategy.name) needs more "
                    + "than \(compiled.lookback) to warm up — use a shorter interval or import more history")
        }
        let cal = history.store.calendar
        func tri(_ v: Int8) -> Int? { v == Truth.unknown ? nil : Int(v) }
        let entries = signals.entries
        let exits = signals.exits
        var rows: [SignalsReport.Row] = []
        for (i, bar) in signals.bars.enumerated() where all || entries[i] || exits[i] {
            let span = bar.calendarSessions(interval: signals.interval)
            rows.append(
                SignalsReport.Row(
                    start: cal.sessions[Int(span.lowerBound)].description,
                    end: cal.sessions[Int(bar.lastSession)].description,
                    close: bar.close, setup: tri(signals.setup[i]), trigger: tri(signals.trigger[i]),
                    exit: tri(signals.exitRule[i]), entry: entries[i]))
        }
        return SignalsReport(
            rows: rows, interval: signals.interval, bars: signals.count, entries: entries.filter { $0 }.count,
            ruleExits: exits.filter { $0 }.count, lookback: compiled.lookback, buys: signals.action == .buy)
    }

    /// An expression's value(s) per bar: a header (`session` and one column per output) and
    /// rows, the last `last` bars only when given; blank where not available.
    package static func indicator(
        _ expression: String, history: SymbolHistory, interval: FibInterval, last: Int? = nil
    ) throws(AppError) -> [[String]] {
        let rule: CompiledRule
        do { rule = try RuleCompiler().compile(expression) } catch {
            throw AppError.badInput("cannot read the expression:\n\(error)")
        }
        let bars = FibResampler.resample(history.daily, interval: interval, latestClosed: history.latestClosed)
        let columns = rule.columns(on: IndicatorInputs(bars))
        let cal = history.store.calendar
        var rows: [[String]] = [["session"] + columns.map(\.name)]
        let from = max(0, bars.count - (last ?? bars.count))
        for i in from..<bars.count {
            rows.append(
                [cal.sessions[Int(bars[i].lastSession)].description]
                    + columns.map { $0.values[i].isNaN ? "" : NumberText.shortest($0.values[i]) })
        }
        return rows
    }
}
