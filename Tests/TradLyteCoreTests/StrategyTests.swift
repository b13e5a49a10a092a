import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

@Suite struct StrategyFileTests {
    func diagnostics(_ text: String) -> [StrategyDiagnostic] {
        do {
            _ = try Strategy.parse(text)
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func everyLibraryStrategyValidatesAndRoundTripsThroughJSON() throws {
        #expect(
            StrategyLibrary.all.map(\.id) == [
                "golden_cross", "rsi_reversion", "macd_crossover", "bollinger_breakout",
                "donchian_breakout", "vegas_channel",
            ])
        for entry in StrategyLibrary.all {
            #expect(!entry.documentation.isEmpty)
            let reparsed = try Strategy.parse(entry.strategy.fileText)
            #expect(reparsed == entry.strategy, "\(entry.id)")
            _ = try CompiledStrategy(entry.strategy)
        }
        #expect(StrategyLibrary.named("Golden Cross")?.id == "golden_cross")
        #expect(StrategyLibrary.named("rsi-reversion")?.id == "rsi_reversion")
    }

    @Test func reportsTyposUnknownIndicatorsOutputsAndRangesWithPaths() {
        let text = """
            {
              "schema": "tradlyte.strategy/1",
              "name": "Broken",
              "interval": 1,
              "parameters": {"fast": {"default": 20, "min": 5, "max": 6000}},
              "setup": {"rule": "close > smaa(200)"},
              "trigger": {"rule": "macd(12,26,9).sig crosses_above 0", "acton": "buy"},
              "exit": {"rule": "sma($fast) crosses_below sma(50)", "stop_los": {"percent": 5}}
            }
            """
        let d = diagnostics(text)
        let rendered = d.map(\.description)
        #expect(
            rendered.contains { $0.hasPrefix("$.trigger.acton: unknown key 'acton' — did you mean 'action'?") },
            "\(rendered)")
        #expect(
            rendered.contains { $0.hasPrefix("$.exit.stop_los: unknown key 'stop_los' — did you mean 'stop_loss'?") },
            "\(rendered)")
        // Rule problems are reported in the same run.
        let text2 = rendered
        #expect(
            text2.contains { $0.hasPrefix("$.setup.rule 1:9: unknown indicator 'smaa' — did you mean 'sma'?") },
            "\(text2)")
        #expect(
            text2.contains {
                $0.hasPrefix("$.trigger.rule 1:15: unknown output 'sig' of macd — did you mean 'signal'?")
            }, "\(text2)")
        #expect(
            text2.contains {
                $0.contains("$.exit.rule 1:5: with every parameter at its max: sma: period 6000 is out of range 1…5000")
            }, "\(text2)")
        #expect(
            text2.first { $0.hasPrefix("$.setup.rule") }?.contains("\n    close > smaa(200)\n            ^^^^") == true)
    }

    @Test func reportsStructuralProblems() {
        let d = diagnostics(#"{"schema": "tradlyte.strategy/2", "interval": 4, "direction": "sideways", "exit": {}}"#)
            .map(\.description)
        #expect(d.contains("$.schema: 'tradlyte.strategy/2' is not supported — this build reads tradlyte.strategy/1"))
        #expect(d.contains("$.name: is required"))
        #expect(d.contains { $0.hasPrefix("$.interval: interval 4 is not supported") })
        #expect(d.contains { $0.hasPrefix("$.direction: 'sideways' is not one of long, short, both") })
        #expect(d.contains { $0.hasPrefix("$.trigger: is required") })
        #expect(d.contains("$.exit: needs at least one of rule, stop_loss, take_profit, trailing_stop, max_bars"))
        #expect(diagnostics("{not json").first?.description.hasPrefix("$: not valid JSON") == true)
        let stops = diagnostics(
            """
            {"schema": "tradlyte.strategy/1", "name": "S", "trigger": {"rule": "green"},
             "exit": {"stop_loss": {"anchor": "entry_bottom"}, "take_profit": {"atr": -1}, "max_bars": 0},
             "backtest": {"commission": 0.5, "fill": "next_opn"}}
            """
        ).map(\.description)
        #expect(stops.contains { $0.hasPrefix("$.exit.stop_loss.anchor: 'entry_bottom' is not one of") })
        #expect(stops.contains("$.exit.take_profit.atr: must be greater than 0, got -1"))
        #expect(stops.contains { $0.hasPrefix("$.exit.max_bars: must be a whole number from 1") })
        #expect(stops.contains { $0.hasPrefix("$.backtest.commission: is a fraction") })
        #expect(
            stops.contains {
                $0.hasPrefix("$.backtest.fill: 'next_opn' is not one of next_open, close — did you mean 'next_open'?")
            })
    }

    @Test func readsEveryField() throws {
        let s = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "Full", "description": "d", "interval": 5, "direction": "both",
             "parameters": {"n": {"default": 10, "min": 5, "max": 20, "step": 5}},
             "setup": {"rule": "close > sma(50)", "interval": 13},
             "trigger": {"rule": "close crosses_above sma($n)", "action": "sell", "interval": 5},
             "exit": {"rule": "red", "interval": 8, "stop_loss": {"anchor": "entry_low", "offset_percent": 0.5},
                      "take_profit": {"percent": 12}, "trailing_stop": {"atr": 3, "period": 10}, "max_bars": 20},
             "backtest": {"cash": 5000, "commission": 0.001, "commission_fixed": 1, "slippage_bps": 5, "fill": "close",
                          "size": 0.5, "fractional_shares": true, "close_at_end": false}}
            """)
        #expect(s.interval.sessions == 5 && s.direction == .both && s.trigger.action == .sell)
        #expect(s.setup == Strategy.Step(rule: "close > sma(50)", interval: try FibInterval(13)))
        #expect(s.exit.stopLoss == .anchored(.entryLow, offsetPercent: 0.5))
        #expect(s.exit.trailingStop == .atr(multiple: 3, period: 10))
        #expect(s.exit.rule?.interval == (try FibInterval(8)))
        #expect(s.backtest?.fill == .close && s.backtest?.fractionalShares == true)
        #expect(s.intervals.map(\.sessions) == [5, 13, 8])
        #expect(try Strategy.parse(s.fileText) == s)
    }
}

@Suite struct StrategySignalTests {
    let cal = TradingCalendar.nyse

    /// Daily bars from the resampler fixture (symbol AAA, ~450 sessions).
    func fixtureSeries() throws -> BarSeries {
        var s = BarSeries()
        for line in try Fixture.lines("resample_daily.csv").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            guard f[0] == "AAA" else { continue }
            try s.append(
                sessionIndex: Int32(cal.sessionIndex(try SessionDate(iso: f[1]))!), open: Double(f[2])!,
                high: Double(f[3])!, low: Double(f[4])!, close: Double(f[5])!, volume: Double(f[6])!)
        }
        return s
    }

    @Test func everyLibraryStrategyProducesSignalsOnTheFixture() throws {
        let daily = try fixtureSeries()
        let latest = daily.sessionIndex.last!
        for entry in StrategyLibrary.all {
            // Shorter periods so 450 bars leave room for trades.
            var overrides: [String: Double] = [:]
            for p in entry.strategy.parameters { overrides[p.name] = p.min ?? p.defaultValue }
            let compiled = try CompiledStrategy(entry.strategy, parameters: overrides)
            let signals = compiled.signals(daily: daily, latestClosed: latest)
            #expect(signals.bars.count == daily.count)
            #expect(signals.setup.count == daily.count && signals.trigger.count == daily.count)
            if entry.id != "vegas_channel" {
                #expect(signals.entries.contains(true), "\(entry.id) never enters")
            }
            // Nothing is known before the rules' warm-up.
            #expect(signals.trigger.prefix(compiled.trigger.lookback).allSatisfy { $0 == Truth.unknown }, "\(entry.id)")
        }
    }

    @Test func vegasChannelEntersOnPullbacksInALongUptrend() throws {
        // 1,200 sessions of a rising market with regular pullbacks.
        var s = BarSeries()
        for i in 0..<1200 {
            let trend = 50 * (1 + Double(i) * 0.002)
            let wave = sin(Double(i) / 6) * 1.5
            let close = trend + wave
            let open = trend + sin(Double(i - 1) / 6) * 1.5
            try s.append(
                sessionIndex: Int32(5000 + i), open: open, high: max(open, close) + 0.3, low: min(open, close) - 0.3,
                close: close, volume: 1e6)
        }
        let signals = try CompiledStrategy(StrategyLibrary.named("vegas_channel")!.strategy).signals(
            daily: s, latestClosed: 6199)
        #expect(signals.entries.filter { $0 }.count > 10)
        #expect(signals.entries.prefix(169).allSatisfy { !$0 })  // the inner tunnel's warm-up (EMA 169)
    }

    @Test func higherIntervalSetupsAreVisibleOnlyAfterTheirBarCompletes() throws {
        let daily = try fixtureSeries()
        let latest = daily.sessionIndex.last!
        let strategy = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "MTF", "setup": {"rule": "green", "interval": 5},
             "trigger": {"rule": "close > 0"}, "exit": {"max_bars": 5}}
            """)
        let signals = try CompiledStrategy(strategy).signals(daily: daily, latestClosed: latest)
        let weekly = FibResampler.resample(daily, interval: try FibInterval(5), latestClosed: latest)
        for (j, bar) in signals.bars.enumerated() {
            // The newest 5-session bar whose last calendar session is before this bar's session.
            let visible = weekly.last { ($0.bucket + 1) * 5 <= bar.lastSession }
            let expected: Int8 = visible.map { $0.close > $0.open ? Truth.yes : Truth.no } ?? Truth.unknown
            #expect(signals.setup[j] == expected, "bar \(j)")
        }
        // Changing a later daily bar never changes an earlier setup value (no look-ahead).
        var altered = daily
        let cut = daily.count - 7
        for i in cut..<daily.count {
            altered.close[i] = altered.open[i] * 0.5
            altered.low[i] = altered.close[i]
        }
        let again = try CompiledStrategy(strategy).signals(daily: altered, latestClosed: latest)
        #expect(Array(again.setup[..<cut]) == Array(signals.setup[..<cut]))
    }
}

/// Where a JSON text stops being JSON, for messages with a line and a column.
@Suite struct JSONSyntaxTests {
    func problem(_ text: String) -> String? { JSONSyntax.problem(in: Array(text.utf8))?.description }

    @Test func theFirstErrorIsLocated() {
        #expect(problem(#"{"a": [1, 2]}"#) == nil)
        #expect(problem("") == "line 1, column 1: the file is empty — write {} at least")
        #expect(problem("{\n  \"a\": 1,\n}") == "line 3, column 1: a trailing ',' before '}'")
        #expect(problem("{\"a\" 1}") == "line 1, column 6: expected ':' after the key")
        #expect(problem("[1 2]") == "line 1, column 4: expected ',' or ']'")
        #expect(problem("{\"é\": tru}") == "line 1, column 10: expected 'true' (strings need double quotes)")
        #expect(problem("{\"a\": \"x\ny\"}")?.hasPrefix("line 1, column 9: a control character") == true)
        #expect(problem("{} x") == "line 1, column 4: unexpected text after the end of the JSON value")
        #expect(problem(String(repeating: "[", count: 300))?.contains("200 levels") == true)
    }
}
