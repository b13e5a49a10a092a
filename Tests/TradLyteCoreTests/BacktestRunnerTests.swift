import Foundation
import Testing
import TradLyteApp
import TradLyteTestSupport

@testable import TradLyteCore

/// Sweeps, universes, walk-forward and the scanner on seeded synthetic histories.
@Suite struct BacktestRunnerTests {
    func walk(seed: UInt64, count: Int = 900, drift: Double = 0.0004) -> BarSeries {
        var rng = SeededRandom(seed: seed)
        var s = BarSeries()
        var p = 50.0
        for i in 0..<count {
            let o = p * (1 + Double.random(in: -0.004...0.004, using: &rng))
            let c = o * (1 + drift + Double.random(in: -0.02...0.02, using: &rng))
            try! s.append(
                sessionIndex: Int32(8000 + i), open: o, high: max(o, c) * 1.005, low: min(o, c) * 0.995, close: c,
                volume: 1e6)
            p = c
        }
        return s
    }

    let cross = try! Strategy.parse(
        """
        {"schema": "tradlyte.strategy/1", "name": "Cross",
         "parameters": {"fast": {"default": 10, "min": 2, "max": 50, "step": 1},
                        "slow": {"default": 30, "min": 10, "max": 200, "step": 5}},
         "setup": {"rule": "close > sma(50)"},
         "trigger": {"rule": "sma($fast) crosses_above sma($slow)"},
         "exit": {"rule": "sma($fast) crosses_below sma($slow)"}}
        """)

    @Test func sweepsTheGridWithAHeatMapACapAndRandomSubsets() throws {
        let daily = walk(seed: 1)
        let ranges = [
            try BacktestRunner.ParameterRange.parse("fast=5:20:5", strategy: cross),
            try BacktestRunner.ParameterRange.parse("slow=30,60", strategy: cross),
        ]
        #expect(ranges[0].values == [5, 10, 15, 20])
        let sweep = try BacktestRunner.sweep(
            cross, daily: daily, ranges: ranges, configuration: BacktestConfiguration(),
            latestClosed: 9000, metric: .return)
        #expect(sweep.rows.count == 8 && sweep.gridSize == 8)
        let heat = try #require(sweep.heatmap)
        #expect(heat.values.count == 2 && heat.values[0].count == 4)
        // Each cell equals a direct backtest with those parameters.
        let direct = Backtester.run(
            try CompiledStrategy(cross, parameters: ["fast": 15, "slow": 60]), daily: daily,
            configuration: BacktestConfiguration(), latestClosed: 9000)
        #expect(heat.values[1][2] == direct.stats["Return [%]"]?.number)
        #expect(throws: StrategyError.self) {
            try BacktestRunner.sweep(
                cross, daily: daily, ranges: ranges, configuration: BacktestConfiguration(), latestClosed: 9000,
                metric: .return, cap: 5)
        }
        let subset = try BacktestRunner.sweep(
            cross, daily: daily, ranges: ranges, configuration: BacktestConfiguration(),
            latestClosed: 9000, metric: .return, randomSubset: 3, seed: 7)
        #expect(subset.rows.count == 3 && subset.gridSize == 8)
        #expect(throws: StrategyError.self) { try BacktestRunner.ParameterRange.parse("fast=1:20:5", strategy: cross) }
        #expect(throws: StrategyError.self) { try BacktestRunner.ParameterRange.parse("fats=5:20:5", strategy: cross) }
    }

    @Test func ranksSymbolsByTheChosenMetric() throws {
        let universe =
            (1...6).map { (try! Symbol("S\($0)"), walk(seed: UInt64($0), drift: Double($0) * 0.0003)) }
            + [(try Symbol("TINY"), walk(seed: 99, count: 20))]
        let rows = BacktestRunner.acrossSymbols(
            try CompiledStrategy(cross), universe: universe, configuration: BacktestConfiguration(),
            latestClosed: 9000, metric: .return, executor: Workers.allCores)
        #expect(rows.count == 7)
        let scores = rows.compactMap { $0.result.flatMap { BacktestRunner.Metric.return.score($0.stats) } }
        #expect(scores == scores.sorted(by: >))
        #expect(rows.last?.symbol.rawValue == "TINY" && rows.last?.problem?.contains("needs more than") == true)
    }

    @Test func walkForwardTradesInSampleWinnersOutOfSample() throws {
        let daily = walk(seed: 3, count: 1000)
        let ranges = [
            try BacktestRunner.ParameterRange.parse("fast=5,10", strategy: cross),
            try BacktestRunner.ParameterRange.parse("slow=30,60", strategy: cross),
        ]
        let windows = try BacktestRunner.walkForward(
            cross, daily: daily, ranges: ranges, inSampleBars: 400, outOfSampleBars: 200,
            configuration: BacktestConfiguration(), latestClosed: 9000, metric: .return)
        #expect(windows.count == 3)
        for w in windows {
            #expect(w.inSample.upperBound < w.outOfSample.lowerBound)
            // The chosen parameters are the in-sample best.
            let best = try BacktestRunner.sweep(
                cross, daily: daily, ranges: ranges, configuration: BacktestConfiguration(),
                latestClosed: 9000, metric: .return, range: w.inSample
            ).best!
            #expect(best.parameters == w.parameters)
        }
        #expect(throws: StrategyError.self) {
            try BacktestRunner.walkForward(
                cross, daily: daily, ranges: ranges, inSampleBars: 900, outOfSampleBars: 200,
                configuration: BacktestConfiguration(), latestClosed: 9000, metric: .return)
        }
    }

    @Test func theScannerRanksByConfidenceThenMarketCapAndNeverLooksAhead() throws {
        let universe = (1...12).map { (try! Symbol("U\($0)"), walk(seed: UInt64($0) * 11, count: 600, drift: 0.001)) }
        let entry = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "Up", "setup": {"rule": "close > sma(20)"},
             "trigger": {"rule": "close > open"}, "exit": {"max_bars": 3}}
            """)
        let session: Int32 = 8500
        let metadata = Dictionary(
            uniqueKeysWithValues: universe.enumerated().map { k, u in
                (u.0, SymbolInfo(symbol: u.0, marketCap: Double(k) * 1e9, industry: "Tech"))
            })
        let result = try UniverseScanner.scan(
            [entry], universe: universe, session: session, metadata: metadata, topK: 3)
        let signals = result.signals["Up"] ?? []
        #expect(!signals.isEmpty)
        for s in signals {
            let daily = universe.first { $0.0 == s.symbol }!.1
            let i = daily.lowerBound(session)
            #expect(daily.close[i] > daily.open[i])  // the trigger held on the scan session
            #expect(s.price == daily.close[i])
        }
        let picks = try #require(result.picks["Up"])
        #expect(picks.count == min(3, signals.count) && picks.map(\.rank) == Array(1...picks.count))
        for (a, b) in zip(picks, picks.dropFirst()) {
            #expect(
                a.confidence > b.confidence
                    || (a.confidence == b.confidence && (a.marketCap ?? 0) >= (b.marketCap ?? 0)))
        }
        // Later bars do not change a scan of an earlier session.
        let altered = universe.map { (s, d) -> (Symbol, BarSeries) in
            var copy = d
            for i in d.lowerBound(session + 1)..<d.count {
                copy.close[i] *= 3
                copy.high[i] *= 3
            }
            return (s, copy)
        }
        let again = try UniverseScanner.scan([entry], universe: altered, session: session, metadata: metadata, topK: 3)
        #expect(again.signals["Up"] == result.signals["Up"])
    }

    /// A scan decides signals on each strategy's warm-up in sessions (at least 300) and measures
    /// confidence on its setup's warm-up on the widest confirming interval.
    @Test func theScanReadsTheHistoryItsStrategiesNeed() throws {
        let reversion = try CompiledStrategy(StrategyLibrary.named("rsi_reversion")!.strategy)
        let setupLookback = try #require(reversion.setup?.lookback)
        #expect(setupLookback >= 199)  // close > sma(200)
        // 5-session bars for sma(200): 1,000 sessions, plus one bucket and the scan session.
        #expect(UniverseScanner.confirmationSessions([reversion]) == (setupLookback + 1) * 5 + 5 + 1)
        #expect(UniverseScanner.confirmationSessions([reversion], confirmIntervals: [.daily]) == 300)
        #expect(UniverseScanner.signalSessions([reversion]) == 300)
        let quick = try CompiledStrategy(
            Strategy.parse(
                """
                {"schema": "tradlyte.strategy/1", "name": "Quick", "interval": 8,
                 "trigger": {"rule": "close > sma(60)"}, "exit": {"max_bars": 3}}
                """))
        // No setup: the trigger's warm-up on 8-session bars (60 bars and a partial one) decides.
        #expect(UniverseScanner.signalSessions([quick]) == 61 * 8 + 1)
        #expect(UniverseScanner.confirmationSessions([quick]) == 61 * 8 + 1)
        #expect(
            UniverseScanner.confirmationSessions([quick, reversion])
                == UniverseScanner.confirmationSessions([reversion]))
    }

    /// Signals decided on short tails with confidences measured on longer histories equal a scan
    /// of the whole histories (the rules here have no recursive indicator), while the short
    /// tails alone cannot confirm on 5-session bars.
    @Test func confidencesComeFromTheLongerHistoryOfTheSymbolsThatSignalled() throws {
        let universe = (1...16).map { (Symbol(known: "C\($0)"), walk(seed: UInt64($0) * 7, count: 1200, drift: 0.001)) }
        let entry = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "Up", "setup": {"rule": "close > sma(120)"},
             "trigger": {"rule": "close > open"}, "exit": {"max_bars": 3}}
            """)
        let session: Int32 = 8000 + 1199
        let tails = try universe.map { symbol, full in
            var tail = BarSeries()
            for i in (full.count - 300)..<full.count {
                try tail.append(
                    sessionIndex: full.sessionIndex[i], open: full.open[i], high: full.high[i], low: full.low[i],
                    close: full.close[i], volume: full.volume[i])
            }
            return (symbol, tail)
        }
        var asked: [Symbol] = []
        let split = try UniverseScanner.scan(
            [entry], universe: tails, session: session,
            confirmationHistory: { symbols in
                asked = symbols
                return universe.filter { symbols.contains($0.0) }
            })
        let whole = try UniverseScanner.scan([entry], universe: universe, session: session)
        let signals = try #require(split.signals["Up"])
        #expect(!signals.isEmpty)
        #expect(signals == whole.signals["Up"])
        #expect(split.picks == whole.picks)
        #expect(asked == signals.map(\.symbol).sorted())  // only the symbols that signalled
        #expect(signals.contains { $0.confidence == 1 })
        let shortOnly = try UniverseScanner.scan([entry], universe: tails, session: session)
        #expect(shortOnly.signals["Up"]?.allSatisfy { $0.confidence < 1 } == true)
    }

    /// Cancelling a 400-combination sweep starts no further backtest: the cores are free once
    /// the backtests already running finish (a worker counter, not a stopwatch).
    @Test func aCancelledSweepStartsNoFurtherBacktest() throws {
        let daily = walk(seed: 21, count: 2500)
        let strategy = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "Cross",
             "parameters": {"fast": {"default": 10, "min": 2, "max": 40},
                            "slow": {"default": 50, "min": 41, "max": 200}},
             "trigger": {"rule": "sma($fast) crosses_above sma($slow)", "action": "buy"},
             "exit": {"rule": "sma($fast) crosses_below sma($slow)"}}
            """)
        let ranges = [
            BacktestRunner.ParameterRange(name: "fast", values: (0..<20).map { Double(2 + $0) }),
            BacktestRunner.ParameterRange(name: "slow", values: (0..<20).map { Double(50 + 5 * $0) }),
        ]
        let cancel = CancellationFlag()
        let handedOut = Locked(0)
        let counting: BacktestRunner.Executor = { n, body in
            Workers.allCores(n) { i in
                let k = handedOut.withLock { count -> Int in
                    count += 1
                    return count
                }
                if k == 40 { cancel.cancel() }  // Esc while the sweep is a tenth done
                body(i)
            }
        }
        let sweep = try BacktestRunner.sweep(
            strategy, daily: daily, ranges: ranges, configuration: BacktestConfiguration(), latestClosed: 9000,
            metric: .sharpe, executor: counting, cancellation: cancel)
        #expect(handedOut.withLock { $0 } == 400)  // every item was handed out and returned
        // Only items handed out before the cancel ran a backtest; the 360 after it did none.
        #expect(sweep.rows.count <= 39)
        #expect(sweep.rows.count >= 39 - ProcessInfo.processInfo.activeProcessorCount)
        let whole = try BacktestRunner.sweep(
            strategy, daily: daily, ranges: ranges, configuration: BacktestConfiguration(), latestClosed: 9000,
            metric: .sharpe, executor: Workers.allCores)
        #expect(whole.rows.count == 400)
    }
}
