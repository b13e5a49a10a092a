import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

/// Hand-checked values for the indicators TA-Lib does not have, candle patterns, and the
/// TA-Lib contract's properties: lookback = warm-up, inputs untouched, and for windowed
/// (non-recursive) indicators, computing on a suffix equals slicing the full result.
@Suite struct IndicatorPropertyTests {
    let h: [Double] = [10, 11, 12, 11, 13, 14, 12, 15]
    let l: [Double] = [8, 9, 10, 9, 10, 12, 10, 12]
    let c: [Double] = [9, 10, 11, 10, 12, 13, 11, 14]
    let v: [Double] = [100, 200, 0, 100, 100, 300, 100, 200]

    var inputs: IndicatorInputs { IndicatorInputs(open: c, high: h, low: l, close: c, volume: v) }

    func near(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { ($0.isNaN && $1.isNaN) || abs($0 - $1) <= tolerance }
    }

    @Test func donchianByHand() {
        let d = Indicators.donchian(high: h, low: l, period: 3)
        #expect(near(d.upper, [.nan, .nan, 12, 12, 13, 14, 14, 15]))
        #expect(near(d.lower, [.nan, .nan, 8, 9, 9, 9, 10, 10]))
        #expect(near(d.middle, [.nan, .nan, 10, 10.5, 11, 11.5, 12, 12.5]))
    }

    @Test func rollingVWAPByHandAndNotAvailableWithoutVolume() {
        let tp = (0..<8).map { (h[$0] + l[$0] + c[$0]) / 3 }
        let w = Indicators.rollingVWAP(high: h, low: l, close: c, volume: v, period: 2)
        #expect(w[0].isNaN)
        #expect(abs(w[1] - (tp[0] * 100 + tp[1] * 200) / 300) < 1e-12)
        #expect(abs(w[2] - tp[1]) < 1e-12)  // bar 2 has no volume
        let zero = Indicators.rollingVWAP(high: h, low: l, close: c, volume: [1, 0, 0, 0, 0, 0, 0, 0], period: 2)
        #expect(zero[3].isNaN)  // a window without volume has no VWAP, not 0
    }

    @Test func keltnerIsEMAPlusMinusATR() {
        let k = Indicators.keltner(high: h, low: l, close: c, period: 3, multiplier: 2, atrPeriod: 2)
        let e = Indicators.ema(c, period: 3)
        let a = Indicators.atr(high: h, low: l, close: c, period: 2)
        for i in 0..<8 where !e[i].isNaN && !a[i].isNaN {
            #expect(abs(k.upper[i] - (e[i] + 2 * a[i])) < 1e-12 && abs(k.lower[i] - (e[i] - 2 * a[i])) < 1e-12)
        }
        #expect(k.upper[1].isNaN && !k.upper[2].isNaN)
    }

    @Test func superTrendByHand() {
        // ATR(2) with multiplier 1: bands at the median price ± ATR, tightening in the trend.
        let s = Indicators.superTrend(high: h, low: l, close: c, period: 2, multiplier: 1)
        let a = Indicators.atr(high: h, low: l, close: c, period: 2)
        #expect(s.line[1].isNaN && s.direction[1].isNaN)
        // Bar 2 starts an up-trend at the lower band: (12 + 10)/2 − ATR.
        #expect(abs(s.line[2] - (11 - a[2])) < 1e-12 && s.direction[2] == 1)
        // The lower band never falls while the trend holds and closes stay above it.
        for i in 3..<8 where s.direction[i] == 1 && s.direction[i - 1] == 1 { #expect(s.line[i] >= s.line[i - 1]) }
        // A close through the line flips the trend down.
        let highs: [Double] = h + [14, 6]
        let lows: [Double] = l + [5, 4]
        let closes: [Double] = c + [5, 5]
        let crash = Indicators.superTrend(high: highs, low: lows, close: closes, period: 2, multiplier: 1)
        #expect(crash.direction[8] == -1)
    }

    @Test func vegasTunnelsAreEMAs() {
        let x: [Double] = (0..<300).map { (k: Int) -> Double in 100.0 + sin(Double(k) / 10.0) * 5.0 }
        let spec = IndicatorRegistry.named("vegas")!
        let out = spec(IndicatorInputs(open: x, high: x, low: x, close: x, volume: x), [5, 8, 13, 21])
        #expect(near(out[0], Indicators.ema(x, period: 5)) && near(out[3], Indicators.ema(x, period: 21)))
        for i in 7..<300 { #expect(out[4][i] == max(out[0][i], out[1][i]) && out[5][i] == min(out[0][i], out[1][i])) }
    }

    @Test func everyIndicatorsLookbackIsItsWarmUp() {
        let n = 400
        let x: [Double] = (0..<n).map { (k: Int) -> Double in 50.0 + Double(k % 17) + sin(Double(k)) }
        let hi = x.map { $0 + 1 }
        let lo = x.map { $0 - 1 }
        let i = IndicatorInputs(open: x, high: hi, low: lo, close: x, volume: x.map { $0 * 10 })
        for spec in IndicatorRegistry.all where spec.name != "vegas" {
            let params = spec.parameters.map(\.defaultValue)
            let outputs = spec(i, params)
            let lookback = spec.lookback(params)
            let firstAvailable = outputs[spec.defaultOutput].firstIndex { !$0.isNaN } ?? n
            #expect(firstAvailable == lookback, "\(spec.name): first value at \(firstAvailable), lookback \(lookback)")
            #expect(outputs.allSatisfy { $0.count == n }, "\(spec.name) output length")
        }
    }

    @Test func windowedIndicatorsOnASuffixEqualTheSliceOfTheFullResult() {
        let x: [Double] = (0..<200).map { (k: Int) -> Double in 100.0 + 10.0 * sin(Double(k) / 7.0) + Double(k % 5) }
        let hi = x.map { $0 + 2 }
        let lo = x.map { $0 - 2 }
        let vol = x.map { $0 * 3 }
        let full = IndicatorInputs(open: x, high: hi, low: lo, close: x, volume: vol)
        let k = 60
        let suffix = IndicatorInputs(
            open: Array(x[k...]), high: Array(hi[k...]), low: Array(lo[k...]), close: Array(x[k...]),
            volume: Array(vol[k...]))
        let copy = full
        for name in [
            "sma", "wma", "highest", "lowest", "mom", "roc", "stddev", "bb", "cci", "willr", "donchian", "vwap",
        ] {
            let spec = IndicatorRegistry.named(name)!
            let params = spec.parameters.map(\.defaultValue)
            let a = spec(full, params)
            let b = spec(suffix, params)
            for (o, (whole, part)) in zip(a, b).enumerated() {
                let slice = Array(whole[k...])
                for j in spec.lookback(params)..<part.count {
                    #expect(abs(slice[j] - part[j]) <= 1e-9 * max(1, abs(part[j])), "\(name) output \(o) bar \(j)")
                }
            }
        }
        // Inputs are never mutated.
        #expect(full.close == copy.close && full.high == copy.high && full.volume == copy.volume)
    }

    @Test(arguments: [
        // (open, high, low, close) for bars …, pattern, expected on the last bar
        ([[10.0, 10.2, 7, 10.1]], "hammer", true),
        ([[10.0, 13, 9.98, 10.1]], "shooting_star", true),
        ([[10.0, 11, 9, 10.05]], "doji", true),
        ([[10.0, 11, 9, 10.5]], "doji", false),
        ([[10.0, 10.5, 8.5, 9], [8.8, 11, 8.7, 10.5]], "bullish_engulfing", true),
        ([[10.0, 10.5, 8.5, 9], [9.2, 11, 8.7, 10.5]], "bullish_engulfing", false),
        ([[9.0, 10.5, 8.5, 10], [10.2, 10.4, 8.2, 8.8]], "bearish_engulfing", true),
        ([[12.0, 12.2, 9.8, 10], [9.8, 10, 9.4, 9.7], [9.9, 11.6, 9.8, 11.5]], "morning_star", true),
        ([[10.0, 12.2, 9.8, 12], [12.1, 12.6, 12, 12.2], [12.1, 12.2, 10.4, 10.5]], "evening_star", true),
        ([[10.0, 12, 8, 11], [10.5, 11.5, 9, 11]], "inside_bar", true),
        ([[10.0, 12, 8, 11], [10.5, 12.5, 7.5, 11]], "outside_bar", true),
        ([[10.0, 12, 8, 11]], "green", true),
        ([[10.0, 12, 8, 9]], "red", true),
    ])
    func candlePatternsByHand(bars: [[Double]], pattern: String, expected: Bool) {
        let p = CandlePatterns.named(pattern)!
        let result = CandlePatterns.evaluate(
            p, open: bars.map { $0[0] }, high: bars.map { $0[1] }, low: bars.map { $0[2] },
            close: bars.map { $0[3] })
        #expect(result.last == (expected ? Truth.yes : Truth.no), "\(pattern)")
        #expect(result.prefix(p.lookback).allSatisfy { $0 == Truth.unknown })
    }

    /// The anchored running sums behind STDDEV and Bollinger Bands against the two-pass
    /// definition, on series built to break them: levels from 1e-4 to 1e6, jumps of 1e±6
    /// between regimes (a big value's rounding residue must not outlive it), flat stretches
    /// (exactly 0), and spreads tiny against the level.
    @Test func windowDeviationMatchesTheTwoPassDefinition() {
        var g = SeededGenerator(seed: 29)
        var x: [Double] = []
        for level in [1.1, 1e6, 1e-4, 50, 1e6, 1.1] {
            let spread = [1e-4, 1e-2, 0.3][x.count % 3]
            for _ in 0..<97 {
                x.append(level * (1 + (g.unit() - 0.5) * spread))
            }
            x.append(contentsOf: Array(repeating: level, count: 45))
        }
        for period in [2, 5, 20, 50] {
            let ours = Indicators.stddev(x, period: period)
            for i in (period - 1)..<x.count {
                let window = x[(i - period + 1)...i]
                let mean = window.reduce(0, +) / Double(period)
                let sd = (window.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(period)).squareRoot()
                let level = window.map(abs).max()!
                let tolerance = 1e-9 * sd + 1e-13 * level
                #expect(abs(ours[i] - sd) <= tolerance, "period \(period), bar \(i): \(ours[i]) vs \(sd)")
                if window.allSatisfy({ $0 == window.first }) {
                    #expect(ours[i] == 0)
                }
            }
        }
    }
}

/// The registry's display facts are consistent: the UI draws from them alone.
@Suite struct IndicatorDisplayTests {
    @Test func everyIndicatorsDisplayNamesItsOwnOutputs() {
        for spec in IndicatorRegistry.all {
            #expect(!spec.lines.isEmpty, "\(spec.name) draws nothing")
            for line in spec.lines {
                #expect(spec.outputs.indices.contains(line.output), "\(spec.name): line \(line.label)")
                #expect(spec.outputs[line.output] != "direction", "\(spec.name) draws its direction")
            }
            if let h = spec.display.histogram { #expect(spec.outputs.indices.contains(h), "\(spec.name)") }
            if let bounds = spec.display.bounds {
                #expect(spec.display.guides.allSatisfy { bounds.contains($0) }, "\(spec.name)'s guides")
            }
        }
        let rsi = IndicatorRegistry.named("rsi")!
        #expect(rsi.lines == [.init(output: 0, label: "RSI", colour: 1)] && rsi.display.guides == [30, 70])
        #expect(IndicatorRegistry.named("macd")!.display.histogram == 2)
        #expect(IndicatorRegistry.named("supertrend")!.lines.map(\.label) == ["line"])
    }
}
