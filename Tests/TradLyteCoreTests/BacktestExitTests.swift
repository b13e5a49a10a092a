import Testing

@testable import TradLyteCore

/// Exit orders checked by hand on tiny series: gap through a stop, stop and target in one
/// bar, trailing stops, time exits, close fills, shorts, sizing and commissions.
@Suite struct BacktestExitTests {
    /// Bars (open, high, low, close) from session index 9000; entry signal on bar 0 via `close > 0`
    /// for the first bar only (`close[1] == 0` is unknown, so `bar0` marks it).
    func run(
        _ bars: [(Double, Double, Double, Double)], exit: String, direction: String = "long", action: String = "buy",
        configure: (inout BacktestConfiguration) -> Void = { _ in }
    ) throws -> BacktestResult {
        var s = BarSeries()
        for (k, b) in bars.enumerated() {
            try s.append(sessionIndex: Int32(9000 + k), open: b.0, high: b.1, low: b.2, close: b.3, volume: 1000)
        }
        // Signals are injected directly: entry on bar 0, nothing else.
        let compiled = try CompiledStrategy(
            Strategy.parse(
                """
                {"schema": "tradlyte.strategy/1", "name": "t", "direction": "\(direction)",
                 "trigger": {"rule": "green or red or not green", "action": "\(action)"}, "exit": \(exit)}
                """))
        var config = BacktestConfiguration()
        config.cash = 1000
        configure(&config)
        let base = compiled.signals(daily: s, latestClosed: Int32(9000 + bars.count))
        var trigger = [Int8](repeating: Truth.no, count: bars.count)
        trigger[0] = Truth.yes
        let signals = StrategySignals(
            interval: .daily, bars: base.bars, setup: base.setup, trigger: trigger,
            exitRule: [Int8](repeating: Truth.no, count: bars.count), action: base.action, lookback: 0)
        return Backtester.simulate(signals: signals, strategy: compiled.strategy, warmup: 0, configuration: config)
    }

    @Test func aGapThroughTheStopFillsAtTheOpen() throws {
        // Enter at bar 1's open (10); 5% stop at 9.5; bar 2 opens at 9 (below the stop).
        let r = try run(
            [(10, 10, 10, 10), (10, 10.2, 9.8, 10), (9, 9.3, 8.8, 9.1), (9, 9, 9, 9)],
            exit: #"{"stop_loss": {"percent": 5}}"#)
        let t = try #require(r.trades.first)
        #expect(t.entryBar == 1 && t.entryPrice == 10 && t.size == 99)
        #expect(t.exitBar == 2 && t.exitPrice == 9 && t.exitReason == .stopLoss)
    }

    @Test func aStopInsideTheBarFillsAtTheStop() throws {
        let r = try run(
            [(10, 10, 10, 10), (10, 10.2, 9.8, 10), (9.8, 9.9, 9.4, 9.6)], exit: #"{"stop_loss": {"percent": 5}}"#)
        #expect(r.trades.first?.exitPrice == 9.5)
    }

    @Test func whenStopAndTargetAreBothInOneBarTheStopWins() throws {
        let r = try run(
            [(10, 10, 10, 10), (10, 10.1, 9.9, 10), (10, 11.5, 9.0, 10)],
            exit: #"{"stop_loss": {"percent": 5}, "take_profit": {"percent": 10}}"#)
        #expect(r.trades.first?.exitReason == .stopLoss && r.trades.first?.exitPrice == 9.5)
        let target = try run(
            [(10, 10, 10, 10), (10, 10.1, 9.9, 10), (10, 11.5, 9.8, 11)],
            exit: #"{"stop_loss": {"percent": 5}, "take_profit": {"percent": 10}}"#)
        #expect(target.trades.first?.exitReason == .takeProfit && target.trades.first?.exitPrice == 11)
    }

    @Test func aTrailingStopFollowsTheHighAndExitsOnTheRetrace() throws {
        // 10% trailing: highs 10 → 12 → 13; bar 4 falls to 11.5 < 13·0.9 = 11.7 → exit at 11.7.
        let r = try run(
            [(10, 10, 10, 10), (10, 10, 10, 10), (10, 12, 10, 12), (12, 13, 12, 12.8), (12.5, 12.6, 11.5, 11.6)],
            exit: #"{"trailing_stop": {"percent": 10}}"#)
        let t = try #require(r.trades.first)
        #expect(t.exitReason == .trailingStop && t.exitBar == 4 && abs(t.exitPrice - 11.7) < 1e-12)
    }

    @Test func aTimeExitLeavesAfterMaxBars() throws {
        let bars = (0..<10).map { _ in (10.0, 10.5, 9.5, 10.0) }
        let r = try run(bars, exit: #"{"max_bars": 3}"#)
        let t = try #require(r.trades.first)
        #expect(t.entryBar == 1 && t.exitBar == 4 && t.barsHeld == 3 && t.exitReason == .maxBars)
    }

    @Test func closeFillsTradeAtTheSignalBarsClose() throws {
        let r = try run([(10, 10, 10, 10.5), (11, 11, 11, 11), (12, 12, 12, 12)], exit: #"{"max_bars": 1}"#) {
            $0.fill = .close
        }
        let t = try #require(r.trades.first)
        #expect(t.entryBar == 0 && t.entryPrice == 10.5 && t.exitBar == 1 && t.exitPrice == 11)
    }

    @Test func shortsStopAboveAndProfitBelow() throws {
        let r = try run(
            [(10, 10, 10, 10), (10, 10, 10, 10), (10, 10.6, 9.9, 10.4)], exit: #"{"stop_loss": {"percent": 5}}"#,
            direction: "short", action: "sell")
        let t = try #require(r.trades.first)
        #expect(t.size == -99 && t.exitPrice == 10.5 && t.exitReason == .stopLoss)
        #expect(abs(t.pnl - (-99 * 0.5)) < 1e-9)
    }

    @Test func commissionSlippageAndFractionalSizing() throws {
        let r = try run([(10, 10, 10, 10), (10, 10, 10, 10), (11, 11, 11, 11)], exit: #"{"max_bars": 1}"#) {
            $0.commission = 0.01
            $0.slippageBps = 100
            $0.fractionalShares = true
            $0.size = 0.5
        }
        let t = try #require(r.trades.first)
        // Entry at 10·1.01 = 10.1; size = 500 / (10.1·1.01); exit at 11·0.99 = 10.89.
        let size = 500 / (10.1 * 1.01)
        #expect(abs(t.size - size) < 1e-9 && abs(t.entryPrice - 10.1) < 1e-12 && abs(t.exitPrice - 10.89) < 1e-12)
        let fees = size * 10.1 * 0.01 + size * 10.89 * 0.01
        #expect(abs(t.commissions - fees) < 1e-9 && abs(t.pnl - (size * 0.79 - fees)) < 1e-9)
        #expect(abs(r.equity.last! - (1000 + t.pnl)) < 1e-9)
    }

    @Test func anOpenTradeIsReportedAndOptionallyClosedAtTheEnd() throws {
        let bars: [(Double, Double, Double, Double)] = [(10, 10, 10, 10), (10, 10, 10, 10), (10, 12, 10, 12)]
        let open = try run(bars, exit: #"{"max_bars": 50}"#)
        #expect(open.trades.isEmpty && open.openTrade?.exitPrice == 12)
        let closed = try run(bars, exit: #"{"max_bars": 50}"#) { $0.closeAtEnd = true }
        #expect(closed.trades.first?.exitReason == .endOfData && closed.trades.first?.exitPrice == 12)
        #expect(closed.stats["# Trades"] == BacktestStatistics.Value.count(1))
    }

    @Test func statisticsAreJSONSafe() throws {
        let r = try run([(10, 10, 10, 10), (10, 10, 10, 10)], exit: #"{"max_bars": 5}"#)
        #expect(r.stats["Profit Factor"] == .missing("no trades"))
        #expect(r.stats["Sharpe Ratio"] == .missing("no volatility"))
        #expect(r.stats.entries.allSatisfy { $0.value.number.map(\.isFinite) ?? true })
    }
}
