import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

/// Issue 24: every pick showed 100% confidence for strategies without a setup (the share of
/// intervals on which a setup that does not exist "holds"). Without a setup, confidence is the
/// share of 1d, 3d and 5d bars on which the trigger fires.
@Suite struct PickConfidenceTests {
    @Test func withoutASetupConfidenceIsTheShareOfIntervalsWhereTheTriggerFires() throws {
        let json = """
            {"schema": "tradlyte.strategy/1", "name": "Up day", "interval": 1, "direction": "long",
             "trigger": {"rule": "close > open", "action": "buy"}, "exit": {"max_bars": 3}}
            """
        let compiled = try CompiledStrategy(try Strategy.parse(Data(json.utf8)))
        #expect(compiled.setup == nil)
        var walk = RandomWalk(seed: 7)
        let daily = try BarSeries(walk.dailyBars(from: try SessionDate(iso: "2024-01-02"), count: 300))
        var values = Set<Double>()
        for k in stride(from: 100, to: 300, by: 7) {
            let session = daily.sessionIndex[k]
            // The scanner sees the history through the scan session only.
            let seen = try #require(UniverseScanner.history(daily, through: session))
            let c = UniverseScanner.confidence(
                compiled, daily: seen, session: session, UniverseScanner.defaultConfirmIntervals)
            // By hand: the daily bar itself, and the 3- and 5-session bars of the buckets before the
            // session's own (a longer bar is seen only once its bucket has ended: no look-ahead).
            var expected = daily.close[k] > daily.open[k] ? 1 : 0
            for n in [3, 5] {
                let bars = FibResampler.resample(daily, interval: try FibInterval(n), latestClosed: session)
                let done = try #require(bars.last { $0.bucket < session / Int32(n) })
                if done.close > done.open { expected += 1 }
            }
            #expect(abs(c - Double(expected) / 3) < 1e-12, "session \(session)")
            values.insert(c)
        }
        #expect(values.count > 1)  // not 100% by construction
    }
}
