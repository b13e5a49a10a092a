import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

/// Trades and every statistic agree with backtesting.py 0.6 on the same data, strategy,
/// commission, next-open fills and whole-share sizing (fixtures from
/// scripts/make_backtest_fixtures.py), within 1e-6 relative.
@Suite struct BacktestParityTests {
    let cal = TradingCalendar.nyse

    func series() throws -> BarSeries {
        var s = BarSeries()
        for line in try Fixture.lines("backtest_data.csv").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            try s.append(
                sessionIndex: Int32(cal.sessionIndex(try SessionDate(iso: f[0]))!), open: Double(f[1])!,
                high: Double(f[2])!, low: Double(f[3])!, close: Double(f[4])!, volume: Double(f[5])!)
        }
        return s
    }

    func expected(_ name: String) throws -> [String: Any] {
        let json =
            try JSONSerialization.jsonObject(with: Data(try Fixture.text("backtest_expected.json").utf8))
            as! [String: Any]
        return (json["cases"] as! [String: Any])[name] as! [String: Any]
    }

    func strategy(direction: String) throws -> Strategy {
        try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "SMA cross", "direction": "\(direction)",
             "trigger": {"rule": "sma(10) crosses_above sma(30)", "action": "buy"},
             "exit": {"rule": "sma(10) crosses_below sma(30)"}}
            """)
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(a), abs(b)) }

    @Test(arguments: [("sma_cross_both", "both", 0.002), ("sma_cross_long", "long", 0.001)])
    func tradesAndStatisticsMatchBacktestingPy(name: String, direction: String, commission: Double) throws {
        let daily = try series()
        var config = BacktestConfiguration()
        config.commission = commission
        let result = Backtester.run(
            try CompiledStrategy(strategy(direction: direction)), daily: daily, configuration: config,
            latestClosed: daily.sessionIndex.last!)
        let reference = try expected(name)
        let trades = reference["trades"] as! [[String: Any]]
        #expect(result.trades.count == trades.count)
        for (ours, theirs) in zip(result.trades, trades) {
            #expect(ours.size == theirs["size"] as! Double)
            #expect(ours.entryBar == theirs["entry_bar"] as! Int && ours.exitBar == theirs["exit_bar"] as! Int)
            #expect(
                close(ours.entryPrice, theirs["entry_price"] as! Double)
                    && close(ours.exitPrice, theirs["exit_price"] as! Double))
            #expect(close(ours.pnl, theirs["pnl"] as! Double), "pnl \(ours.pnl) vs \(theirs["pnl"]!)")
            #expect(close(ours.returnFraction, theirs["return"] as! Double))
            #expect(close(ours.commissions, theirs["commission"] as! Double))
        }
        let stats = reference["stats"] as! [String: Any]
        var compared = 0
        for (key, value) in stats {
            guard let ours = result.stats[key] else {
                Issue.record("\(name): we have no '\(key)'")
                continue
            }
            switch (ours, value) {
            case (.date(let d), let s as String): #expect(d.description == s, "\(key)")
            case (_, is NSNull):
                if case .missing = ours {} else { Issue.record("\(name) \(key): ours \(ours), theirs null") }
            case (_, let n as Double):
                guard let v = ours.number else {
                    Issue.record("\(name) \(key): ours \(ours), theirs \(n)")
                    continue
                }
                #expect(close(v, n), "\(name) \(key): ours \(v), backtesting.py \(n)")
            case (_, let n as Int): #expect(ours.number == Double(n), "\(name) \(key)")
            default: Issue.record("\(name) \(key): unexpected \(value)")
            }
            compared += 1
        }
        #expect(compared >= 28)
    }
}
