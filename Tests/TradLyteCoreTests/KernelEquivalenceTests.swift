import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

/// The backtest's fast paths (paired SMAs, crossings from one ordering, the quiet-stretch
/// scan, the drawdown passes, the log-return series) against plain loops that state the
/// definitions, on seeded random data with the awkward cases: NaNs, ties, infinities,
/// ratios far from 1, zeros at the ends, lengths that are not multiples of a vector width.
@Suite struct KernelEquivalenceTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
        mutating func walk(_ n: Int, start: Double = 100, step: Double = 0.03) -> [Double] {
            var p = start
            return (0..<n).map { _ in
                p *= 1 + (next() - 0.5) * step
                return p
            }
        }
    }

    @Test func pairedMovingAveragesAreBitIdenticalToSingleOnes() {
        var g = Generator(state: 17)
        for n in [0, 1, 2, 5, 31, 100, 1001] {
            for leadingNaN in [0, 3] {
                var x = g.walk(n)
                for i in 0..<min(leadingNaN, n) { x[i] = .nan }
                for (p, q) in [(1, 2), (10, 30), (30, 10), (7, 7), (3, 4), (50, 200), (1, 1)] {
                    let (a, b) = Indicators.sma(x, periods: p, q)
                    #expect(
                        a.map(\.bitPattern) == Indicators.sma(x, period: p).map(\.bitPattern),
                        "n \(n) periods \(p)/\(q)")
                    #expect(
                        b.map(\.bitPattern) == Indicators.sma(x, period: q).map(\.bitPattern),
                        "n \(n) periods \(p)/\(q)")
                }
            }
        }
    }

    /// The definition: unknown on the first bar and wherever either operand is NaN on
    /// this bar or the one before; above when a goes from ≤ b to > b, below from ≥ to <.
    func crossings(_ a: [Double], _ b: [Double], above: Bool) -> [Int8] {
        (0..<a.count).map { i in
            guard i > 0, !a[i - 1].isNaN, !b[i - 1].isNaN, !a[i].isNaN, !b[i].isNaN else { return Truth.unknown }
            let hit = above ? a[i] > b[i] && a[i - 1] <= b[i - 1] : a[i] < b[i] && a[i - 1] >= b[i - 1]
            return hit ? Truth.yes : Truth.no
        }
    }

    @Test func crossingsInBothDirectionsAndBothOperandOrdersMatchTheDefinition() throws {
        var g = Generator(state: 5)
        for n in [1, 2, 7, 8, 9, 16, 17, 31, 32, 33, 203] {
            // Values on a coarse grid so ties are common, with NaNs and infinities mixed in.
            var x = (0..<n).map { _ in (g.next() * 6).rounded() }
            var y = (0..<n).map { _ in (g.next() * 6).rounded() }
            for i in 0..<n {
                switch Int(g.next() * 20) {
                case 0: x[i] = .nan
                case 1: y[i] = .nan
                case 2:
                    x[i] = .infinity
                    y[i] = .infinity
                case 3: x[i] = -.infinity
                default: break
                }
            }
            let inputs = IndicatorInputs(open: y, high: x, low: y, close: x, volume: y)
            let compiler = RuleCompiler(parameters: [:])
            let cache = IndicatorCache()  // shared, as a strategy's rules share one
            for (rule, expected) in [
                ("close crosses_above open", crossings(x, y, above: true)),
                ("close crosses_below open", crossings(x, y, above: false)),
                ("open crosses_above close", crossings(y, x, above: true)),
                ("open crosses_below close", crossings(y, x, above: false)),
                ("close crosses_above 3", crossings(x, [Double](repeating: 3, count: n), above: true)),
            ] {
                let compiled = try compiler.compile(rule, expecting: .condition)
                #expect(compiled.condition(on: inputs, cache: cache) == expected, "\(rule), \(n) bars")
                do {
                    #expect(compiled.condition(on: inputs) == expected, "\(rule), \(n) bars, fresh cache")
                }
            }
        }
    }

    @Test func theQuietStretchScanStopsAtTheFirstEntryOrExit() {
        var g = Generator(state: 9)
        for n in [1, 8, 9, 40, 333] {
            func truths(_ yesShare: Double) -> [Int8] {
                (0..<n).map { _ in
                    let r = g.next()
                    return r < yesShare ? Truth.yes : (r < 0.5 ? Truth.unknown : Truth.no)
                }
            }
            let exit = truths(0.02)
            let trigger = truths(0.08)
            let setup = truths(0.5)
            exit.withUnsafeBufferPointer { e in
                trigger.withUnsafeBufferPointer { t in
                    setup.withUnsafeBufferPointer { s in
                        for start in 0..<n {
                            var expected = start
                            while expected < n - 1 && exit[expected] != Truth.yes
                                && !(trigger[expected] == Truth.yes && setup[expected] == Truth.yes)
                            {
                                expected += 1
                            }
                            #expect(
                                Backtester.nextSignal(from: start, before: n - 1, exit: e, trigger: t, setup: s)
                                    == max(start, min(expected, n - 1)))
                        }
                    }
                }
            }
        }
    }

    @Test func drawdownsFollowTheRunningPeak() {
        var g = Generator(state: 3)
        for n in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 101] {
            var equity = g.walk(n, step: 0.2)
            if n > 12 {
                equity[2] = .nan
                equity[7] = .nan
                equity[8] = .nan
                equity[11] = equity.max()! * 2
            }  // NaNs never raise the peak
            if n == 9 {
                equity[0] = .nan
                equity[5] = .nan
            }
            var peak = -Double.infinity
            let expected = equity.map { e -> Double in
                peak = max(peak, e)
                return 1 - e / peak
            }
            do {
                #expect(Backtester.drawdowns(equity).map(\.bitPattern) == expected.map(\.bitPattern), "\(n) bars")
            }
        }
    }

    /// The drawdown periods as first written: one bar at a time.
    func plainPeriods(_ dd: [Double]) -> (count: Int, depthSum: Double, bounds: [Int], deepest: Double) {
        var lastZero = 0
        var periodMax = dd[0]
        var count = 0
        var sum = 0.0
        var bounds: [Int] = []
        var deepest = dd[0]
        for i in 1..<max(1, dd.count) {
            let d = dd[i]
            deepest = d > deepest ? d : deepest
            periodMax = d > periodMax ? d : periodMax
            if d == 0 || i == dd.count - 1 {
                if i > lastZero + 1 {
                    count += 1
                    sum += periodMax
                    bounds += [lastZero, i]
                }
                lastZero = i
                periodMax = d
            }
        }
        return (count, sum, bounds, deepest)
    }

    @Test func drawdownPeriodsMatchABarByBarScan() {
        var g = Generator(state: 11)
        var cases: [[Double]] = [[0], [0, 0], [0, 0.1], [0, 0.1, 0], [0, 0.1, 0.2, 0], [0, 0, 0, 0, 0, 0.3]]
        for n in [5, 6, 7, 8, 9, 10, 13, 64, 1000] {
            for zeroShare in [0.0, 0.02, 0.3, 0.9] {
                var dd = (0..<n).map { _ in g.next() < zeroShare ? 0 : g.next() * 0.5 }
                dd[0] = 0
                cases.append(dd)
                dd[n - 1] = 0
                cases.append(dd)
                if n > 2 {
                    dd[n - 2] = 0
                    cases.append(dd)
                }
            }
        }
        for dd in cases {
            let expected = plainPeriods(dd)
            let bounds = UnsafeMutablePointer<Int>.allocate(capacity: 2 * (dd.count / 2 + 1))
            defer { bounds.deallocate() }
            do {
                let (count, sum, deepest) = dd.withUnsafeBufferPointer {
                    Kernels.drawdownPeriods($0, into: bounds)
                }
                #expect(deepest == expected.deepest, "\(dd)")
                #expect(count == expected.count, "\(dd)")
                #expect(sum == expected.depthSum, "\(dd)")
                #expect(
                    Array(UnsafeBufferPointer(start: bounds, count: 2 * count)) == expected.bounds, "\(dd)")
            }
        }
    }

    @Test func betaAndReturnMomentsHoldForBarsFarFromTheSeriesRange() throws {
        var g = Generator(state: 21)
        for n in [2, 3, 50, 51, 400, 401] {
            var close = g.walk(n)
            var equity = g.walk(n, start: 10_000)
            // Ratios far outside the series' ±10% at random bars, the first, the last paired
            // bar and the odd bar left over.
            for i in Set([1, n - 2, n - 1, Int(g.next() * Double(n))]) where i >= 1 && i < n {
                close[i] = close[i - 1] * (g.next() < 0.5 ? 0.6 : 1.5) * (1 + 0.05 * g.next())
                equity[i] = equity[i - 1] * (g.next() < 0.5 ? 0.7 : 1.3)
            }
            let stats = BacktestStatistics.compute(
                trades: [], equity: equity, drawdown: Backtester.drawdowns(equity),
                lastSessions: (0..<n).map { Int32(4000 + $0) }, close: close, warmup: 0,
                interval: .daily, calendar: .nyse)
            let le = (1..<n).map { log(equity[$0] / equity[$0 - 1]) }
            let lm = (1..<n).map { log(close[$0] / close[$0 - 1]) }
            let m = Double(n - 1)
            if n > 2 {
                let meanE = le.reduce(0, +) / m
                let meanM = lm.reduce(0, +) / m
                let cov = zip(le, lm).map { ($0 - meanE) * ($1 - meanM) }.reduce(0, +) / (m - 1)
                let varM = lm.map { ($0 - meanM) * ($0 - meanM) }.reduce(0, +) / (m - 1)
                let beta = try #require(stats["Beta"]?.number)
                #expect(abs(beta - cov / varM) <= 1e-10 * abs(cov / varM), "\(n) bars")
            }
            let r = (1..<n).map { equity[$0] / equity[$0 - 1] - 1 }
            let downside = (r.map { min($0, 0) * min($0, 0) }.reduce(0, +) / m).squareRoot()
            let g1 = pow(equity[n - 1] / equity[0], 1 / m) - 1
            let annual = pow(1 + g1, 252) - 1
            if downside > 0 {
                let sortino = try #require(stats["Sortino Ratio"]?.number)
                #expect(abs(sortino - annual / (downside * 252.0.squareRoot())) <= 1e-10 * abs(sortino), "\(n) bars")
            }
        }
    }

    /// The return-moment kernel matches plain sums of libm logarithms.
    @Test func theReturnMomentKernelAgreesWithPlainSums() {
        var g = Generator(state: 33)
        for n in [1, 2, 3, 4, 5, 6, 9, 2500] {
            var close = g.walk(n)
            var equity = g.walk(n, start: 10_000)
            if n > 4 {
                close[3] = close[2] * 1.4
                equity[n - 1] = equity[n - 2] * 0.8
            }
            var kernelLog = [Double](repeating: .nan, count: n)
            let k = close.withUnsafeBufferPointer { c in
                equity.withUnsafeBufferPointer { e in
                    kernelLog.withUnsafeMutableBufferPointer { lm in
                        Kernels.returnMoments(close: c, equity: e, count: n, marketLog: lm.baseAddress!)
                    }
                }
            }
            var lm = [Double](repeating: 0, count: n)
            var le = lm
            var r = lm
            for i in 1..<max(1, n) {
                lm[i] = log(close[i] / close[i - 1])
                le[i] = log(equity[i] / equity[i - 1])
                r[i] = (equity[i] - equity[i - 1]) / equity[i - 1]
            }
            func total(_ x: [Double]) -> Double { x.reduce(0, +) }
            let squares = lm.map { $0 * $0 }
            let returnSquares = r.map { $0 * $0 }
            let losses = r.map { min($0, 0) * min($0, 0) }
            let coMoments = (0..<n).map { le[$0] * lm[$0] }
            var plain: [(String, Double, Double)] = []
            plain.append(("sum_m", k.sumM, total(lm)))
            plain.append(("sum_mm", k.sumMM, total(squares)))
            plain.append(("sum_r", k.sumR, total(r)))
            plain.append(("sum_r2", k.sumR2, total(returnSquares)))
            plain.append(("down2", k.downside2, total(losses)))
            plain.append(("sum_e", k.sumE, total(le)))
            plain.append(("sum_em", k.sumEM, total(coMoments)))
            plain.append(("peak", k.peak, equity.max()!))
            plain.append(("low", k.low, equity.min()!))
            // libm's log of a rounded quotient is itself off by up to ~1.1e-16 absolute (the
            // quotient's rounding), so the reference is good to that per bar, not relatively.
            for (name, a, expected) in plain {
                let tolerance = 1e-12 * abs(expected) + 1e-15 * Double(n)
                #expect(abs(a - expected) <= tolerance, "\(name), \(n) bars: \(a) vs \(expected)")
            }
            for i in 0..<n {
                #expect(abs(kernelLog[i] - lm[i]) <= 3e-16, "market log \(i) of \(n)")
            }
            if n > 4 {  // the wide bar got libm's log exactly
                #expect(kernelLog[3] == lm[3])
            }
        }
    }
}
