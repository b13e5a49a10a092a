/// What a strategy says about each bar of a series: the setup's state, trigger events,
/// entries (a trigger while the setup holds) and rule exits. Stops, targets and time exits
/// depend on a position and are the backtester's business.
public struct StrategySignals: Sendable {
    public let interval: FibInterval
    /// Where the base bars come from: built bars, or a daily series whose `FibBar` values
    /// are only built when someone asks (a backtest needs just the session of each bar).
    let source: BarSource
    /// The last session index of each base bar (what alignment and dates need).
    public let lastSessions: [Int32]
    public let setup: [Int8]
    public let trigger: [Int8]
    public let exitRule: [Int8]
    public let action: Strategy.Action
    /// Bars needed before every rule is available.
    public let lookback: Int
    /// The base bars' columns (what the rules and the backtester read).
    public let columns: IndicatorInputs

    public init(
        interval: FibInterval, bars: [FibBar], setup: [Int8], trigger: [Int8], exitRule: [Int8],
        action: Strategy.Action,
        lookback: Int, columns: IndicatorInputs? = nil
    ) {
        self.init(
            interval: interval, source: .bars(bars), lastSessions: bars.map(\.lastSession), setup: setup,
            trigger: trigger,
            exitRule: exitRule, action: action, lookback: lookback, columns: columns ?? IndicatorInputs(bars))
    }

    init(
        interval: FibInterval, source: BarSource, lastSessions: [Int32], setup: [Int8], trigger: [Int8],
        exitRule: [Int8],
        action: Strategy.Action, lookback: Int, columns: IndicatorInputs
    ) {
        self.interval = interval
        self.source = source
        self.lastSessions = lastSessions
        self.setup = setup
        self.trigger = trigger
        self.exitRule = exitRule
        self.action = action
        self.lookback = lookback
        self.columns = columns
    }

    /// The base bars. Daily bars are built from the series on each access: hoist it.
    public var bars: [FibBar] { source.bars }
    /// Each base bar's bucket, without building the bars (a daily bar's bucket is its session).
    public var buckets: [Int32] {
        switch source {
        case .bars(let b): return b.map(\.bucket)
        case .daily: return lastSessions
        }
    }
    public var count: Int { lastSessions.count }

    /// Trigger true on a bar where the setup holds (or there is no setup).
    public var entries: [Bool] {
        let n = min(trigger.count, setup.count)
        return trigger.withUnsafeBufferPointer { t in
            setup.withUnsafeBufferPointer { s in
                [Bool](unsafeUninitializedCapacity: n) { out, initialized in
                    for i in 0..<n { (out.baseAddress! + i).initialize(to: t[i] == Truth.yes && s[i] == Truth.yes) }
                    initialized = n
                }
            }
        }
    }
    public var exits: [Bool] {
        exitRule.withUnsafeBufferPointer { e in
            [Bool](unsafeUninitializedCapacity: e.count) { out, initialized in
                for i in 0..<e.count { (out.baseAddress! + i).initialize(to: e[i] == Truth.yes) }
                initialized = e.count
            }
        }
    }

    /// The signals of a range of bars (indicators stay as computed on the whole series).
    public func slice<R: RangeExpression>(_ range: R) -> StrategySignals where R.Bound == Int {
        let r = range.relative(to: lastSessions)
        return StrategySignals(
            interval: interval, bars: Array(bars[r]), setup: Array(setup[r]), trigger: Array(trigger[r]),
            exitRule: Array(exitRule[r]), action: action, lookback: max(0, lookback - r.lowerBound),
            columns: IndicatorInputs(
                open: Array(columns.open[r]), high: Array(columns.high[r]), low: Array(columns.low[r]),
                close: Array(columns.close[r]), volume: Array(columns.volume[r])))
    }
}

/// Base bars as built values, or a daily series to build them from on demand.
enum BarSource: Sendable {
    case bars([FibBar])
    case daily(BarSeries, latestClosed: Int32)

    var bars: [FibBar] {
        switch self {
        case .bars(let b): return b
        case .daily(let s, let latest): return FibResampler.resample(s, interval: .daily, latestClosed: latest)
        }
    }
}

/// Rules compiled once for a given set of parameter values.
public struct CompiledStrategy: Sendable {
    public let strategy: Strategy
    public let parameters: [String: Double]
    public let setup: CompiledRule?
    public let trigger: CompiledRule
    public let exit: CompiledRule?

    public init(_ strategy: Strategy, parameters overrides: [String: Double] = [:]) throws(StrategyError) {
        self.strategy = strategy
        let values = strategy.parameterValues(overrides)
        parameters = values
        let compiler = RuleCompiler(parameters: values)
        var diagnostics: [StrategyDiagnostic] = []
        func compile(_ path: String, _ rule: String) -> CompiledRule? {
            do { return try compiler.compile(rule, expecting: .condition) } catch {
                diagnostics += error.diagnostics.map {
                    StrategyDiagnostic(path: path, message: $0.message, rule: $0, ruleSource: rule)
                }
                return nil
            }
        }
        setup = strategy.setup.flatMap { compile("$.setup.rule", $0.rule) }
        let trigger = compile("$.trigger.rule", strategy.trigger.rule)
        exit = strategy.exit.rule.flatMap { compile("$.exit.rule", $0.rule) }
        guard diagnostics.isEmpty, let trigger else { throw StrategyError(diagnostics: diagnostics) }
        self.trigger = trigger
    }

    /// Bars of the base interval needed before the rules can all be evaluated.
    public var lookback: Int {
        let base = strategy.interval.sessions
        func scaled(_ rule: CompiledRule?, _ interval: FibInterval?) -> Int {
            guard let rule else { return 0 }
            let n = (interval ?? strategy.interval).sessions
            return (rule.lookback + 1) * n / base
        }
        return max(
            scaled(setup, strategy.setup?.interval), scaled(trigger, strategy.trigger.interval),
            scaled(exit, strategy.exit.rule?.interval))
    }

    /// Evaluates the strategy on a symbol's daily history.
    ///
    /// - Parameters:
    ///   - daily: the symbol's daily bars (the whole stored history, so recursive indicators
    ///     are computed as the chart shows them).
    ///   - interval: overrides the strategy's base interval.
    ///   - latestClosed: the latest closed session index (decides `complete` flags).
    public func signals(daily: BarSeries, interval: FibInterval? = nil, latestClosed: Int32) -> StrategySignals {
        let base = interval ?? strategy.interval
        var series: [FibInterval: [FibBar]] = [:]
        func bars(_ i: FibInterval) -> [FibBar] {
            if let cached = series[i] { return cached }
            let b = FibResampler.resample(daily, interval: i, latestClosed: latestClosed)
            series[i] = b
            return b
        }
        // Daily bars are the series itself: its columns need no copying and its FibBar values
        // are built only if asked for.
        let source: BarSource
        let baseColumns: IndicatorInputs
        let lastSessions: [Int32]
        if base == .daily {
            source = .daily(daily, latestClosed: latestClosed)
            baseColumns = IndicatorInputs(daily)
            lastSessions = daily.sessionIndex
        } else {
            let built = bars(base)
            source = .bars(built)
            baseColumns = IndicatorInputs(built)
            lastSessions = built.map(\.lastSession)
        }
        let count = lastSessions.count
        let cache = IndicatorCache()
        func evaluate(_ rule: CompiledRule?, _ stepInterval: FibInterval?) -> [Int8] {
            guard let rule else { return [Int8](repeating: Truth.yes, count: count) }
            let i = stepInterval ?? base
            if i == base { return rule.condition(on: baseColumns, cache: cache) }
            let higher = bars(i)
            let values = rule.condition(on: Self.inputs(higher))
            return Self.align(values, from: higher, interval: i, toLastSessions: lastSessions)
        }
        let onBase = [
            (setup, strategy.setup?.interval), (trigger, strategy.trigger.interval),
            (exit, strategy.exit.rule?.interval),
        ]
        .compactMap { rule, interval in (interval ?? base) == base ? rule : nil }
        cache.prefetchMovingAverages(of: onBase, inputs: baseColumns)
        let setupValues = evaluate(setup, strategy.setup?.interval)
        let triggerValues = evaluate(trigger, strategy.trigger.interval)
        let exitValues =
            exit == nil ? [Int8](repeating: Truth.no, count: count) : evaluate(exit, strategy.exit.rule?.interval)
        return StrategySignals(
            interval: base, source: source, lastSessions: lastSessions, setup: setupValues, trigger: triggerValues,
            exitRule: exitValues, action: strategy.trigger.action, lookback: lookback, columns: baseColumns)
    }

    static func inputs(_ bars: [FibBar]) -> IndicatorInputs { IndicatorInputs(bars) }

    /// Aligns values computed on bars of another interval to the base bars, with no
    /// look-ahead: a bar of `interval` becomes visible from the session after its last
    /// calendar session, so a base bar ending on session L sees buckets b with
    /// (b + 1)·N ≤ L. Base bars with nothing visible yet are unknown.
    public static func align(
        _ values: [Int8], from higher: [FibBar], interval: FibInterval, toLastSessions base: [Int32]
    ) -> [Int8] {
        let n = Int32(interval.sessions)
        var result = [Int8](repeating: Truth.unknown, count: base.count)
        var k = -1
        for (j, lastSession) in base.enumerated() {
            let limit = lastSession / n - 1
            while k + 1 < higher.count && higher[k + 1].bucket <= limit { k += 1 }
            if k >= 0 { result[j] = values[k] }
        }
        return result
    }
}
