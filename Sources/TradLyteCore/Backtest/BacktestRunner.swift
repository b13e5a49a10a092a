import Foundation

/// Runs many backtests: one strategy across symbols, parameter sweeps and walk-forward.
/// Work is handed to an `executor` (`executor(count) { i in … }`; the app passes one that
/// spreads the items over every core), so the core owns no threads. Each item writes only its
/// own result slot, under a `Locked`, so an executor may run items on any thread.
public enum BacktestRunner {
    public typealias Executor = @Sendable (Int, (Int) -> Void) -> Void
    public static let sequential: Executor = { n, body in for i in 0..<n { body(i) } }

    /// Statistics a table can be ranked by.
    public enum Metric: String, CaseIterable, Sendable {
        case `return`, sharpe, sortino, sqn, drawdown, calmar, winrate

        public var statistic: String {
            switch self {
            case .return: return "Return [%]"
            case .sharpe: return "Sharpe Ratio"
            case .sortino: return "Sortino Ratio"
            case .sqn: return "SQN"
            case .drawdown: return "Max. Drawdown [%]"
            case .calmar: return "Calmar Ratio"
            case .winrate: return "Win Rate [%]"
            }
        }

        /// Higher is better for every metric (drawdowns are negative percentages).
        public func score(_ stats: BacktestStatistics) -> Double? {
            stats[statistic]?.number.flatMap { $0.isFinite ? $0 : nil }
        }
    }

    // MARK: - Many symbols

    public struct SymbolRow: Sendable {
        public var symbol: Symbol
        public var result: BacktestResult?
        /// Why there is no result (too few bars for the warm-up, …).
        public var problem: String?
    }

    /// One strategy on every symbol; rows sorted by `metric` (best first, failures last).
    /// Once `cancellation` is set no further backtest starts (the rows finished are returned).
    public static func acrossSymbols(
        _ strategy: CompiledStrategy, universe: [(Symbol, BarSeries)], interval: FibInterval? = nil,
        configuration: BacktestConfiguration, latestClosed: Int32, metric: Metric,
        range: ClosedRange<SessionDate>? = nil, executor: Executor = sequential, cancellation: CancellationFlag? = nil
    ) -> [SymbolRow] {
        let slots = Locked([SymbolRow?](repeating: nil, count: universe.count))
        executor(universe.count) { i in
            if cancellation?.isCancelled == true { return }
            let (symbol, daily) = universe[i]
            let result = Backtester.run(
                strategy, daily: daily, interval: interval, configuration: configuration, latestClosed: latestClosed,
                range: range)
            let row =
                result.barCount <= strategy.lookback
                ? SymbolRow(
                    symbol: symbol, result: nil,
                    problem: "\(result.barCount) bars; needs more than \(strategy.lookback)")
                : SymbolRow(symbol: symbol, result: result, problem: nil)
            slots.withLock { $0[i] = row }
        }
        return slots.withLock { $0.compactMap { $0 } }.sorted { a, b in
            let x = a.result.flatMap { metric.score($0.stats) }
            let y = b.result.flatMap { metric.score($0.stats) }
            switch (x, y) {
            case (let x?, let y?): return x != y ? x > y : a.symbol < b.symbol
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.symbol < b.symbol
            }
        }
    }

    // MARK: - Sweeps

    /// Values for one parameter: `fast=10:60:5` is 10, 15, …, 60.
    public struct ParameterRange: Equatable, Sendable {
        public var name: String
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }

        /// The most values one parameter is swept over: a range is counted before its values are
        /// made, so `1:4000000000:1` is refused in microseconds instead of allocating 32 GB.
        public static let maxValues = 100_000
        /// The finest step: values are kept to nine decimals, so a finer step could not advance.
        public static let minStep = 1e-9

        /// How many values `from…to` by `step` holds, or why it cannot be swept: every bound and
        /// the step finite, the step at least `minStep`, and at most `maxValues` values.
        public static func count(from: Double, to: Double, step: Double) -> Result<Int, RangeProblem> {
            guard from.isFinite, to.isFinite, step.isFinite else { return .failure(.notFinite) }
            guard from <= to else { return .failure(.reversed) }
            guard step >= minStep else { return .failure(.stepTooSmall) }
            let steps = ((to - from) / step + 1e-9).rounded(.down)
            guard steps < Double(maxValues) else { return .failure(.tooMany(steps + 1)) }
            return .success(Int(steps) + 1)
        }

        /// Why a range cannot be swept, in words that say how to fix it.
        public enum RangeProblem: Error, Equatable, CustomStringConvertible {
            case notFinite, reversed, stepTooSmall
            case tooMany(Double)

            public var description: String {
                switch self {
                case .notFinite: return "FROM, TO and STEP must be finite numbers"
                case .reversed: return "FROM must not be above TO"
                case .stepTooSmall: return "STEP must be at least 0.000000001 (values keep nine decimals)"
                case .tooMany(let n):
                    let shown = n < 1e15 ? NumberText.grouped(Int(n)) : String(format: "%.3g", n)
                    return "the range has \(shown) values, over the \(NumberText.grouped(maxValues)) a parameter "
                        + "takes — raise STEP or narrow FROM:TO"
                }
            }
        }

        /// `from…to` by `step` (counted and checked first).
        public static func values(from: Double, to: Double, step: Double) -> Result<[Double], RangeProblem> {
            count(from: from, to: to, step: step).map { n in
                (0..<n).map { ((from + Double($0) * step) * 1e9).rounded() / 1e9 }
            }
        }

        /// Parses `name=from:to:step` (or `name=v1,v2,v3`), checked against the strategy: numbers
        /// are plain finite decimals, the range is counted before it is built, and every value
        /// lies in the parameter's declared range.
        public static func parse(_ text: String, strategy: Strategy) throws(StrategyError) -> ParameterRange {
            func fail(_ m: String) -> StrategyError {
                StrategyError(diagnostics: [StrategyDiagnostic(path: text, message: m)])
            }
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw fail("write NAME=FROM:TO:STEP, e.g. fast=10:60:5") }
            guard let declared = strategy.parameters.first(where: { $0.name == parts[0] }) else {
                let names = strategy.parameters.map(\.name)
                let list = names.isEmpty ? "none" : names.joined(separator: ", ")
                throw fail(
                    "\(strategy.name) has no parameter '\(parts[0])'\(Suggest.hint(parts[0], in: names)) (parameters: \(list))"
                )
            }
            var values: [Double]
            if parts[1].contains(":") {
                let n = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { NumberText.decimal($0) }
                guard n.count == 3, let from = n[0], let to = n[1], let step = n[2] else {
                    throw fail("the range must be FROM:TO:STEP in plain decimal numbers, e.g. fast=10:60:5")
                }
                switch Self.values(from: from, to: to, step: step) {
                case .success(let v): values = v
                case .failure(let problem): throw fail(problem.description)
                }
            } else {
                let list = parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
                    NumberText.decimal($0)
                }
                guard list.count <= maxValues else {
                    throw fail(
                        "the list has \(list.count) values, over the \(NumberText.grouped(maxValues)) a parameter takes"
                    )
                }
                values = []
                for (i, v) in list.enumerated() {
                    guard let v else {
                        throw fail(
                            "value \(i + 1) of the list is not a plain decimal number — write e.g. fast=10,20,30")
                    }
                    values.append(v)
                }
            }
            if let lo = declared.min, let hi = declared.max, let bad = values.first(where: { $0 < lo || $0 > hi }) {
                throw fail(
                    "\(IndicatorSpec.format(bad)) is outside \(declared.name)'s declared range \(IndicatorSpec.format(lo))…\(IndicatorSpec.format(hi))"
                )
            }
            return ParameterRange(name: declared.name, values: values)
        }
    }

    /// The most combinations any sweep runs, whatever cap it is given (each is a backtest).
    public static let maxGrid = 1_000_000

    /// Combinations in the grid of `ranges`, saturating at `Int.max` (64 two-valued parameters
    /// make 2^64, which no `Int` holds): compare it with a cap before building anything.
    public static func gridSize(_ ranges: [ParameterRange]) -> Int {
        var size = 1
        for r in ranges {
            let (product, overflow) = size.multipliedReportingOverflow(by: r.values.count)
            if overflow { return Int.max }
            size = product
        }
        return size
    }

    /// "12,345" or, for a saturated size, "more than 9,223,372,036,854,775,806".
    public static func gridSizeText(_ size: Int) -> String {
        size == Int.max ? "more than \(NumberText.grouped(Int.max - 1))" : NumberText.grouped(size)
    }

    /// The value indices of combination `index` (the last range varies fastest).
    static func combination(_ index: Int, _ ranges: [ParameterRange]) -> [Int] {
        var rest = index
        var digits = [Int](repeating: 0, count: ranges.count)
        for k in ranges.indices.reversed() {
            digits[k] = rest % ranges[k].values.count
            rest /= ranges[k].values.count
        }
        return digits
    }

    /// The combinations a sweep runs, as value indices: all of them, or `sample` distinct ones
    /// drawn at random with `seed` — drawn without listing the grid, which may be astronomically
    /// large. Refuses (before allocating) more than `cap`.
    static func combinations(
        _ ranges: [ParameterRange], sample: Int?, seed: UInt64, cap: Int
    ) throws(StrategyError) -> [[Int]] {
        let grid = gridSize(ranges)
        let wanted = min(grid, sample ?? grid)
        guard wanted <= min(cap, maxGrid), ranges.allSatisfy({ !$0.values.isEmpty }) else {
            throw StrategyError(diagnostics: [
                StrategyDiagnostic(
                    path: "parameters",
                    message:
                        "the grid has \(gridSizeText(wanted)) combinations, over the cap of \(NumberText.grouped(cap)) — "
                        + "narrow the ranges, raise the cap or sample a random subset"
                )
            ])
        }
        var rng = SeededRandom(seed: seed)
        if wanted == grid {
            return (0..<grid).map { combination($0, ranges) }
        }
        if grid <= 1_000_000 {
            // A shuffle of every index: small grids keep the draw they always had.
            var order = Array(0..<grid)
            for i in stride(from: grid - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            return order.prefix(wanted).map { combination($0, ranges) }
        }
        // A huge grid: draw each parameter's index, skipping repeats (rare when the grid is more
        // than a thousand times the sample).
        var seen = Set<[Int]>()
        var picked: [[Int]] = []
        while picked.count < wanted {
            let combo = ranges.map { Int(rng.next() % UInt64($0.values.count)) }
            if seen.insert(combo).inserted { picked.append(combo) }
        }
        return picked
    }

    public struct SweepRow: Sendable {
        public var parameters: [String: Double]
        public var stats: BacktestStatistics?
        public var problem: String?
    }

    public struct Sweep: Sendable {
        public var metric: Metric
        public var rows: [SweepRow]
        /// Combinations in the full grid (rows may be a capped or random subset).
        public var gridSize: Int
        /// For two parameters: x = first range, y = second, matrix[y][x] = metric (nil: no result).
        public var heatmap: (x: ParameterRange, y: ParameterRange, values: [[Double?]])?

        public var best: SweepRow? { best(by: metric) }

        /// The best row by any metric (the largest score; drawdowns are negative, so the shallowest).
        public func best(by metric: Metric) -> SweepRow? {
            rows.filter { $0.stats.flatMap(metric.score) != nil }.max {
                metric.score($0.stats!)! < metric.score($1.stats!)!
            }
        }
    }

    /// Runs the grid (or `randomSubset` random combinations of it), at most `cap` backtests.
    /// Parameters not swept take their `fixed` value, else the strategy's default; each row's
    /// `parameters` holds both.
    public static func sweep(
        _ strategy: Strategy, daily: BarSeries, interval: FibInterval? = nil, ranges: [ParameterRange],
        fixed: [String: Double] = [:], configuration: BacktestConfiguration, latestClosed: Int32, metric: Metric,
        cap: Int = 10_000,
        randomSubset: Int? = nil, seed: UInt64 = 1, range: ClosedRange<SessionDate>? = nil,
        executor: Executor = sequential, cancellation: CancellationFlag? = nil
    ) throws(StrategyError) -> Sweep {
        let grid = gridSize(ranges)
        let combos = try combinations(ranges, sample: randomSubset, seed: seed, cap: cap)
        let slots = Locked([SweepRow?](repeating: nil, count: combos.count))
        executor(combos.count) { i in
            // Once cancelled, the items left return at once: the cores are free after the
            // backtests already running (a few hundred microseconds each).
            if cancellation?.isCancelled == true { return }
            var values = fixed
            for (k, r) in ranges.enumerated() { values[r.name] = r.values[combos[i][k]] }
            do throws(StrategyError) {
                let compiled = try CompiledStrategy(strategy, parameters: values)
                let result = Backtester.run(
                    compiled, daily: daily, interval: interval, configuration: configuration,
                    latestClosed: latestClosed, range: range)
                let row = SweepRow(parameters: values, stats: result.stats, problem: nil)
                slots.withLock { $0[i] = row }
            } catch {
                let row = SweepRow(
                    parameters: values, stats: nil, problem: error.diagnostics.first?.message ?? "\(error)")
                slots.withLock { $0[i] = row }
            }
        }
        let rows = slots.withLock { $0.compactMap { $0 } }
        var sweep = Sweep(metric: metric, rows: rows, gridSize: grid, heatmap: nil)
        // The matrix only when it is small (a sampled sweep of two long ranges has no useful one).
        if ranges.count == 2, grid <= 1_000_000 {
            var matrix = [[Double?]](
                repeating: [Double?](repeating: nil, count: ranges[0].values.count), count: ranges[1].values.count)
            for row in sweep.rows {
                guard let x = ranges[0].values.firstIndex(of: row.parameters[ranges[0].name]!),
                    let y = ranges[1].values.firstIndex(of: row.parameters[ranges[1].name]!)
                else { continue }
                matrix[y][x] = row.stats.flatMap(metric.score)
            }
            sweep.heatmap = (ranges[0], ranges[1], matrix)
        }
        return sweep
    }

    // MARK: - Walk-forward

    public struct WalkForwardWindow: Sendable {
        public var inSample: ClosedRange<SessionDate>
        public var outOfSample: ClosedRange<SessionDate>
        public var parameters: [String: Double]
        public var inSampleStats: BacktestStatistics
        public var outOfSampleStats: BacktestStatistics
        /// The out-of-sample run's equity, one value per bar, and each bar's last session.
        public var outOfSampleEquity: [Double] = []
        public var outOfSampleSessions: [Int32] = []

        public init(
            inSample: ClosedRange<SessionDate>, outOfSample: ClosedRange<SessionDate>, parameters: [String: Double],
            inSampleStats: BacktestStatistics, outOfSampleStats: BacktestStatistics,
            outOfSampleEquity: [Double] = [], outOfSampleSessions: [Int32] = []
        ) {
            self.inSample = inSample
            self.outOfSample = outOfSample
            self.parameters = parameters
            self.inSampleStats = inSampleStats
            self.outOfSampleStats = outOfSampleStats
            self.outOfSampleEquity = outOfSampleEquity
            self.outOfSampleSessions = outOfSampleSessions
        }
    }

    /// A walk-forward's windows with what is read from them together.
    public struct WalkForward: Sendable {
        public var windows: [WalkForwardWindow]
        public var inSampleBars: Int
        public var outOfSampleBars: Int
        /// The out-of-sample windows traded back to back, from the starting cash.
        public var stitchedEquity: [Double]
        /// The last session of each bar of `stitchedEquity`.
        public var stitchedSessions: [Int32]
        public var efficiency: Double?
        /// The starting cash the stitched equity grows from.
        public var cash: Double
        /// Bars after the last out-of-sample window (too few for another): said, not hidden.
        public var uncoveredBars = 0
        /// The first session of those bars.
        public var uncoveredFrom: SessionDate?

        public init(windows: [WalkForwardWindow], inSampleBars: Int, outOfSampleBars: Int, cash: Double) {
            self.cash = cash
            self.windows = windows
            self.inSampleBars = inSampleBars
            self.outOfSampleBars = outOfSampleBars
            stitchedEquity = BacktestRunner.stitchedEquity(windows, cash: cash)
            stitchedSessions = windows.filter { ($0.outOfSampleEquity.first ?? 0) > 0 }.flatMap(\.outOfSampleSessions)
            efficiency = BacktestRunner.walkForwardEfficiency(windows)
        }
    }

    /// The out-of-sample windows traded one after another: each window's equity is scaled to
    /// start where the previous one ended (one value per out-of-sample bar).
    public static func stitchedEquity(_ windows: [WalkForwardWindow], cash: Double) -> [Double] {
        var out: [Double] = []
        var level = cash
        for w in windows {
            guard let first = w.outOfSampleEquity.first, first > 0 else { continue }
            let start = level
            for v in w.outOfSampleEquity { out.append(start * v / first) }
            level = out.last ?? level
        }
        return out
    }

    /// Walk-forward efficiency: the mean annualised out-of-sample return over the mean
    /// annualised in-sample return (1 = the optimisation's edge survived out of sample). Nil when
    /// the in-sample mean is not positive, where the ratio means nothing.
    public static func walkForwardEfficiency(_ windows: [WalkForwardWindow]) -> Double? {
        let key = "Return (Ann.) [%]"
        let pairs = windows.compactMap { w -> (Double, Double)? in
            guard let a = w.inSampleStats[key]?.number, let b = w.outOfSampleStats[key]?.number,
                a.isFinite, b.isFinite
            else { return nil }
            return (a, b)
        }
        guard !pairs.isEmpty else { return nil }
        let inSample = pairs.map(\.0).reduce(0, +) / Double(pairs.count)
        let outOfSample = pairs.map(\.1).reduce(0, +) / Double(pairs.count)
        guard inSample > 0 else { return nil }
        return outOfSample / inSample
    }

    /// Rolling windows of `inSampleBars` then `outOfSampleBars` (of the strategy's interval):
    /// the best parameters in sample are traded out of sample. Windows lie within `range` (the
    /// bars ending in it); parameters not swept take their `fixed` value.
    public static func walkForward(
        _ strategy: Strategy, daily: BarSeries, interval: FibInterval? = nil, ranges: [ParameterRange],
        fixed: [String: Double] = [:], inSampleBars: Int, outOfSampleBars: Int,
        configuration: BacktestConfiguration, latestClosed: Int32, metric: Metric,
        range: ClosedRange<SessionDate>? = nil, calendar: TradingCalendar = .nyse,
        executor: Executor = sequential, cancellation: CancellationFlag? = nil
    ) throws(StrategyError) -> [WalkForwardWindow] {
        var bars = FibResampler.resample(daily, interval: interval ?? strategy.interval, latestClosed: latestClosed)
        if let range {
            bars = bars.filter { range.contains(calendar.sessions[Int($0.lastSession)]) }
        }
        guard inSampleBars > 0, outOfSampleBars > 0, bars.count >= inSampleBars + outOfSampleBars else {
            throw StrategyError(diagnostics: [
                StrategyDiagnostic(
                    path: "walk-forward",
                    message:
                        "\(bars.count) bars are fewer than one in-sample plus out-of-sample window (\(inSampleBars) + \(outOfSampleBars))"
                )
            ])
        }
        func date(_ k: Int) -> SessionDate { calendar.sessions[Int(bars[k].lastSession)] }
        var windows: [WalkForwardWindow] = []
        var start = 0
        while start + inSampleBars + outOfSampleBars <= bars.count, cancellation?.isCancelled != true {
            let isRange = date(start)...date(start + inSampleBars - 1)
            let oosRange = date(start + inSampleBars)...date(start + inSampleBars + outOfSampleBars - 1)
            let sweep = try self.sweep(
                strategy, daily: daily, interval: interval, ranges: ranges, fixed: fixed,
                configuration: configuration,
                latestClosed: latestClosed, metric: metric, range: isRange, executor: executor,
                cancellation: cancellation)
            if cancellation?.isCancelled == true { break }
            guard let best = sweep.best, let isStats = best.stats else {
                start += outOfSampleBars
                continue
            }
            let compiled = try CompiledStrategy(strategy, parameters: best.parameters)
            let oos = Backtester.run(
                compiled, daily: daily, interval: interval, configuration: configuration, latestClosed: latestClosed,
                range: oosRange, calendar: calendar)
            windows.append(
                WalkForwardWindow(
                    inSample: isRange, outOfSample: oosRange, parameters: best.parameters,
                    inSampleStats: isStats, outOfSampleStats: oos.stats, outOfSampleEquity: oos.equity,
                    outOfSampleSessions: oos.lastSessions))
            start += outOfSampleBars
        }
        return windows
    }
}

/// SplitMix64: a small seeded generator, identical on every platform (random sweep subsets,
/// the demo market's seeds, reproducible property tests).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
