import Foundation
import TradLyteCore

/// Indicators over 10 M bars against TA-Lib on the same data (timed by
/// scripts/bench_talib.py in the same run), and the rule compiler and evaluator.
/// Targets: each indicator ≤ 1.2× TA-Lib and ≤ 15 ns/bar; a 10-clause rule compiles in
/// ≤ 1 ms; a 6-indicator strategy evaluates over 2,500 bars in ≤ 200 µs.
enum IndicatorBench {
    static func run(bars n: Int, seed: UInt64) throws {
        var rng = seed | 1
        func next() -> Double {
            rng ^= rng >> 12
            rng ^= rng << 25
            rng ^= rng >> 27
            return Double((rng &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
        var o = [Double](repeating: 0, count: n)
        var h = o
        var l = o
        var c = o
        var price = 100.0
        for i in 0..<n {
            o[i] = price * (1 + (next() - 0.5) * 0.01)
            c[i] = o[i] * (1 + (next() - 0.5) * 0.02)
            h[i] = max(o[i], c[i]) * (1 + next() * 0.005)
            l[i] = min(o[i], c[i]) * (1 - next() * 0.005)
            price = c[i]
        }
        let talib = timeTALib(o: o, h: h, l: l, c: c)

        // Output buffers are allocated once and reused, as the engine does when it scans a
        // universe; the allocating API is timed too, for reference.
        let b1 = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let b2 = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let b3 = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        b1.initialize(repeating: 0)
        b2.initialize(repeating: 0)
        b3.initialize(repeating: 0)
        defer {
            b1.deallocate()
            b2.deallocate()
            b3.deallocate()
        }
        let cases: [(String, () -> Void, () -> Void)] = [
            (
                "SMA_50", { c.withUnsafeBufferPointer { Indicators.sma($0, period: 50, into: b1) } },
                { _ = Indicators.sma(c, period: 50) }
            ),
            (
                "EMA_50", { c.withUnsafeBufferPointer { Indicators.ema($0, period: 50, into: b1) } },
                { _ = Indicators.ema(c, period: 50) }
            ),
            (
                "RSI_14", { c.withUnsafeBufferPointer { Indicators.rsi($0, period: 14, into: b1) } },
                { _ = Indicators.rsi(c, period: 14) }
            ),
            (
                "MACD_12_26_9",
                {
                    c.withUnsafeBufferPointer {
                        Indicators.macd($0, fast: 12, slow: 26, signal: 9, macd: b1, signal: b2, hist: b3)
                    }
                },
                { _ = Indicators.macd(c, fast: 12, slow: 26, signal: 9) }
            ),
            (
                "BBANDS_20_2",
                {
                    c.withUnsafeBufferPointer {
                        Indicators.bbands($0, period: 20, devUp: 2, devDown: 2, upper: b1, middle: b2, lower: b3)
                    }
                },
                { _ = Indicators.bbands(c, period: 20, devUp: 2, devDown: 2) }
            ),
            (
                "ATR_14",
                {
                    h.withUnsafeBufferPointer { h in
                        l.withUnsafeBufferPointer { l in
                            c.withUnsafeBufferPointer { c in
                                Indicators.atr(high: h, low: l, close: c, period: 14, into: b1)
                            }
                        }
                    }
                }, { _ = Indicators.atr(high: h, low: l, close: c, period: 14) }
            ),
        ]
        for (name, reuse, allocate) in cases {
            var best = Double.infinity
            var bestAllocating = Double.infinity
            for _ in 0..<5 { best = min(best, time(reuse)) }
            for _ in 0..<3 { bestAllocating = min(bestAllocating, time(allocate)) }
            let ns = best * 1e9 / Double(n)
            var fields: [String: Any] = [
                "benchmark": "indicator", "name": name, "bars": n, "seconds": rounded(best, 5),
                "ns_per_bar": rounded(ns, 2), "target_ns_per_bar": 15,
                "seconds_allocating_output": rounded(bestAllocating, 5),
            ]
            if let t = talib?.seconds[name] {
                fields["talib_seconds"] = rounded(t, 5)
                fields["ratio_to_talib"] = rounded(best / t, 3)
                fields["pass"] = ns <= 15 && best / t <= 1.2
            } else {
                fields["talib_seconds"] = NSNull()
                fields["pass"] = ns <= 15
                fields["note"] = "TA-Lib not timed: pip install TA-Lib numpy (scripts/bench_talib.py)"
            }
            report(fields)
        }
        try ruleBenchmarks(o: o, h: h, l: l, c: c)
    }

    struct TALibTimes {
        let version: String
        let seconds: [String: Double]
    }

    /// Writes the data for scripts/bench_talib.py and reads back its timings.
    static func timeTALib(o: [Double], h: [Double], l: [Double], c: [Double]) -> TALibTimes? {
        let path = NSTemporaryDirectory() + "tradlyte-bench-ohlc-\(getpid()).f64"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var data = Data()
        for column in [o, h, l, c] { column.withUnsafeBytes { data.append(contentsOf: $0) } }
        guard FileManager.default.createFile(atPath: path, contents: data) else { return nil }
        guard let json = runPeer("bench_talib.py", [path, String(c.count)]),
            let seconds = json["seconds"] as? [String: Double]
        else { return nil }
        return TALibTimes(version: json["talib_version"] as? String ?? "?", seconds: seconds)
    }

    static func ruleBenchmarks(o: [Double], h: [Double], l: [Double], c: [Double]) throws {
        let tenClauses = """
            close > sma(200) and sma(50) > sma(200) and rsi(14) crosses_above 30 and macd(12,26,9) > macd(12,26,9).signal
            and close > bb(20,2).lower and atr(14) / close < 0.05 and adx(14) > 20 and volume > sma(volume, 20)
            and not bearish_engulfing and close[1] < close
            """
        var compileTimes: [Double] = []
        for _ in 0..<200 {
            compileTimes.append(try time { _ = try RuleCompiler().compile(tenClauses, expecting: .condition) })
        }
        compileTimes.sort()
        report([
            "benchmark": "rule_compile_10_clauses", "median_ms": rounded(compileTimes[100] * 1000, 4),
            "target_ms": 1.0, "pass": compileTimes[100] * 1000 <= 1.0,
        ])

        // A strategy reading six indicators (SMA 50/200, RSI, MACD, Bollinger, ATR) over 2,500 bars.
        let strategy = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "Six",
             "setup": {"rule": "close > sma(200) and atr(14) / close < 0.05"},
             "trigger": {"rule": "rsi(14) crosses_above 30 or macd(12,26,9) crosses_above macd(12,26,9).signal"},
             "exit": {"rule": "close > bb(20,2).upper or sma(50) crosses_below sma(200)"}}
            """)
        let compiled = try CompiledStrategy(strategy)
        let n = 2500
        let inputs = IndicatorInputs(
            open: Array(o.prefix(n)), high: Array(h.prefix(n)), low: Array(l.prefix(n)),
            close: Array(c.prefix(n)), volume: [Double](repeating: 1e6, count: n))
        var evalTimes: [Double] = []
        for _ in 0..<500 {
            evalTimes.append(
                time {
                    let cache = IndicatorCache()
                    _ = compiled.setup!.condition(on: inputs, cache: cache)
                    _ = compiled.trigger.condition(on: inputs, cache: cache)
                    _ = compiled.exit!.condition(on: inputs, cache: cache)
                })
        }
        evalTimes.sort()
        report([
            "benchmark": "strategy_evaluate_6_indicators", "bars": n, "median_us": rounded(evalTimes[250] * 1e6, 2),
            "target_us": 200, "pass": evalTimes[250] * 1e6 <= 200,
        ])
    }
}
