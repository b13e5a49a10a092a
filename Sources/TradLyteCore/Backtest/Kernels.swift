import Foundation

/// The backtest's per-bar kernels in Swift: four bars per step in `SIMD4<Double>` lanes (two
/// SSE2 registers each on baseline x86-64), then the bars left over one at a time through the
/// same expressions, so a leftover bar gets exactly the value a lane would have. They replaced
/// a C target with vector extensions (BENCHMARKS.md has the before and after).
enum Kernels {
    /// Sums over bars 1 ..< n of a backtest's one-bar returns (see `returnMoments`).
    struct ReturnMoments {
        /// The market's (close-to-close) log returns: sum and sum of squares.
        var sumM = 0.0
        var sumMM = 0.0
        /// The equity's simple returns: sum, sum of squares and sum of squared losses.
        var sumR = 0.0
        var sumR2 = 0.0
        var downside2 = 0.0
        /// The equity's log returns: sum, and co-moment with the market's.
        var sumE = 0.0
        var sumEM = 0.0
        /// The equity's largest and smallest value over all bars (NaNs ignored).
        var peak = 0.0
        var low = 0.0
    }

    typealias V4 = SIMD4<Double>

    /// Where 2·atanh(s) to s¹¹ stops being exact to the last bits or so: s² ≥ 0.0025, a move of
    /// about 10%. Such bars get libm's `log` instead.
    static let seriesLimit = 0.0025

    @inline(__always) static func load(_ p: UnsafePointer<Double>, _ i: Int) -> V4 {
        UnsafeRawPointer(p + i).loadUnaligned(as: V4.self)
    }

    @inline(__always) static func store(_ v: V4, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V4.self)
    }

    @inline(__always) static func sum(_ v: V4) -> Double { (v[0] + v[1]) + (v[2] + v[3]) }

    /// 2·atanh(s) = log((1 + s)/(1 − s)) to s¹¹, given s²: Horner's scheme in s².
    @inline(__always) static func logSeries(_ s: V4, _ s2: V4) -> V4 {
        var p = s2 * (1.0 / 11) + 1.0 / 9
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        p = p * s2 + 1
        return (s + s) * p
    }

    /// The series for one bar, through the same vector expression.
    @inline(__always) static func series1(_ s: Double) -> Double {
        let x = V4(repeating: s)
        return logSeries(x, x * x)[0]
    }

    /// r = (e1 − e0)/e0 and s = (e1 − e0)/(e1 + e0) with one division (the divider bounds this
    /// kernel): q = (e1 − e0)/(e0·(e1 + e0)), r = q·(e1 + e0), s = q·e0.
    @inline(__always) static func equityQuotients(_ e0: V4, _ e1: V4) -> (r: V4, s: V4) {
        let total = e1 + e0
        let q = (e1 - e0) / (e0 * total)
        return (q * total, q * e0)
    }

    @inline(__always) static func equityQuotients1(_ e0: Double, _ e1: Double) -> (r: Double, s: Double) {
        let (r, s) = equityQuotients(V4(repeating: e0), V4(repeating: e1))
        return (r[0], s[0])
    }

    /// `x > m ? x : m` per lane (a NaN x leaves m).
    @inline(__always) static func raise(_ m: V4, _ x: V4) -> V4 { m.replacing(with: x, where: x .> m) }

    /// `x < m ? x : m` per lane.
    @inline(__always) static func lower(_ m: V4, _ x: V4) -> V4 { m.replacing(with: x, where: x .< m) }

    @inline(__always) static func max1(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
    @inline(__always) static func min1(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

    /// The return moments of `close` and `equity` (n ≥ 1 bars each); the market's log return of
    /// bar i goes to `marketLog[i]` (`marketLog[0]` = 0). Two loops: the market's log returns
    /// first (kept for the co-moment), then the equity's, so every accumulator stays in a register.
    static func returnMoments(
        close: UnsafeBufferPointer<Double>, equity: UnsafeBufferPointer<Double>, count n: Int,
        marketLog lm: UnsafeMutablePointer<Double>
    ) -> ReturnMoments {
        let c = close.baseAddress!
        let e = equity.baseAddress!
        var vm = V4()
        var vmm = V4()
        // The largest s² in each lane (a NaN never raises it): one compare and blend a step,
        // where counting the wide bars would reduce across lanes every step.
        var widest = V4()
        var wide = 0
        lm[0] = 0
        var i = 1
        while i + 3 < n {
            let c0 = load(c, i - 1)
            let c1 = load(c, i)
            let s = (c1 - c0) / (c1 + c0)
            let s2 = s * s
            let l = logSeries(s, s2)
            store(l, lm, i)
            vm += l
            vmm += l * l
            widest = raise(widest, s2)
            i += 4
        }
        if widest.max() >= seriesLimit { wide += 1 }
        var k = ReturnMoments()
        k.sumM = sum(vm)
        k.sumMM = sum(vmm)
        while i < n {
            let s = (c[i] - c[i - 1]) / (c[i] + c[i - 1])
            let l = series1(s)
            lm[i] = l
            k.sumM += l
            k.sumMM += l * l
            if s * s >= seriesLimit { wide += 1 }
            i += 1
        }
        // Bars outside the series' range get libm's log in place of the series value: the
        // market's before the equity loop reads them, the equity's after it.
        if wide > 0 {
            for j in 1..<n {
                let s = (c[j] - c[j - 1]) / (c[j] + c[j - 1])
                if s * s >= seriesLimit {
                    let exact = Foundation.log(c[j] / c[j - 1])
                    let approx = lm[j]
                    k.sumM += exact - approx
                    k.sumMM += exact * exact - approx * approx
                    lm[j] = exact
                }
            }
        }

        var vr = V4()
        var vr2 = V4()
        var vdown = V4()
        var ve = V4()
        var vem = V4()
        var peak = V4(repeating: e[0])
        var low = peak
        widest = V4()
        wide = 0
        i = 1
        while i + 3 < n {
            let e1 = load(e, i)
            let (r, s) = equityQuotients(load(e, i - 1), e1)
            vr += r
            vr2 += r * r
            let loss = r.replacing(with: 0, where: r .> 0)
            vdown += loss * loss
            let s2 = s * s
            let l = logSeries(s, s2)
            widest = raise(widest, s2)
            ve += l
            vem += l * load(UnsafePointer(lm), i)
            peak = raise(peak, e1)
            low = lower(low, e1)
            i += 4
        }
        if widest.max() >= seriesLimit { wide += 1 }
        k.sumR = sum(vr)
        k.sumR2 = sum(vr2)
        k.downside2 = sum(vdown)
        k.sumE = sum(ve)
        k.sumEM = sum(vem)
        k.peak = max1(max1(peak[0], peak[1]), max1(peak[2], peak[3]))
        k.low = min1(min1(low[0], low[1]), min1(low[2], low[3]))
        while i < n {
            let (r, s) = equityQuotients1(e[i - 1], e[i])
            k.sumR += r
            k.sumR2 += r * r
            let loss = r < 0 ? r : 0
            k.downside2 += loss * loss
            let l = series1(s)
            if s * s >= seriesLimit { wide += 1 }
            k.sumE += l
            k.sumEM += l * lm[i]
            k.peak = max1(k.peak, e[i])
            k.low = min1(k.low, e[i])
            i += 1
        }
        if wide > 0 {
            for j in 1..<n {
                let (_, s) = equityQuotients1(e[j - 1], e[j])
                if s * s >= seriesLimit {
                    let exact = Foundation.log(e[j] / e[j - 1])
                    let approx = series1(s)
                    k.sumE += exact - approx
                    k.sumEM += (exact - approx) * lm[j]
                }
            }
        }
        return k
    }

    /// `drawdown[i]` = 1 − equity[i] / (the largest equity of bars 0 … i), NaNs never raising it.
    /// Four bars per step: the prefix maximum of the four in lanes, so the running peak's own
    /// chain is one scalar maximum per four bars.
    static func drawdowns(_ equity: UnsafeBufferPointer<Double>, into dd: UnsafeMutablePointer<Double>?) {
        guard let dd, let e = equity.baseAddress else { return }
        let n = equity.count
        let ninf = V4(repeating: -.infinity)
        var peak = -Double.infinity
        var i = 0
        while i + 3 < n {
            let x = load(e, i)
            var m = raise(ninf, x)  // NaN lanes: −∞
            m = raise(m, V4(-.infinity, m[0], m[1], m[2]))  // with the lane before
            m = raise(m, V4(-.infinity, -.infinity, m[0], m[1]))  // with the two before those
            store(1 - x / raise(m, V4(repeating: peak)), dd, i)
            peak = max1(peak, m[3])
            i += 4
        }
        while i < n {
            peak = max1(peak, e[i])
            dd[i] = 1 - e[i] / peak
            i += 1
        }
    }

    /// backtesting.py's drawdown periods of `drawdown`: the first bar, each bar back at a peak
    /// (drawdown 0) and the last bar bound them; a period spans two consecutive bounds with bars
    /// between them and its depth is the largest drawdown from bound to bound. Each period's
    /// bounds go to `bounds` as a pair (room for n/2 + 1 pairs); returned are their count, the
    /// sum of their depths and the deepest drawdown of all bars. Eight bars per step while none
    /// of the eight is back at a peak (new peaks are rare).
    static func drawdownPeriods(_ drawdown: UnsafeBufferPointer<Double>, into bounds: UnsafeMutablePointer<Int>)
        -> (count: Int, depthSum: Double, deepest: Double)
    {
        let n = drawdown.count
        guard n > 1, let dd = drawdown.baseAddress else { return (0, 0, n == 1 ? drawdown[0] : 0) }
        let ninf = V4(repeating: -.infinity)
        var k = 0
        var from = 0
        var i = 1
        let last = n - 1
        var total = 0.0
        var overall = dd[0]
        var deep = dd[0]
        var lanes = ninf
        func close(_ at: Int) {
            deep = max1(max1(deep, lanes[0]), max1(lanes[1], max1(lanes[2], lanes[3])))
            overall = max1(overall, deep)
            if at > from + 1 {
                total += deep
                bounds[2 * k] = from
                bounds[2 * k + 1] = at
                k += 1
            }
            from = at
            deep = dd[at]
            lanes = ninf
        }
        while i < last {
            if i + 8 <= last {
                let a = load(dd, i)
                let b = load(dd, i + 4)
                if !any((a .== 0) .| (b .== 0)) {
                    lanes = raise(raise(lanes, a), b)
                    i += 8
                    continue
                }
            }
            let d = dd[i]
            deep = max1(deep, d)
            if d == 0 { close(i) }
            i += 1
        }
        deep = max1(deep, dd[last])
        close(last)
        return (k, total, overall)
    }

    /// For each bar, 1 when x > y, −1 when x < y, 0 when equal, 2 when either is NaN. Four bars
    /// per step from the comparisons' lane masks (−1 where true; every comparison with a NaN is
    /// false, so an unordered lane is 0 before its 2 is set), narrowed to bytes.
    static func ordering(
        _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, count n: Int,
        into order: UnsafeMutablePointer<Int8>
    ) {
        typealias M = SIMD4<Int64>
        guard n > 0, let xs = x.baseAddress, let ys = y.baseAddress else { return }
        var i = 0
        while i + 3 < n {
            let u = load(xs, i)
            let v = load(ys, i)
            let above = unsafeBitCast(u .> v, to: M.self)
            let below = unsafeBitCast(u .< v, to: M.self)
            let unordered = unsafeBitCast((u .!= u) .| (v .!= v), to: M.self)
            let lanes = (below &- above) | (M(repeating: 2) & unordered)
            UnsafeMutableRawPointer(order + i).storeBytes(
                of: SIMD4<Int8>(truncatingIfNeeded: lanes), as: SIMD4<Int8>.self)
            i += 4
        }
        while i < n {
            let u = xs[i]
            let v = ys[i]
            order[i] = (u.isNaN || v.isNaN) ? 2 : (u > v ? 1 : (u < v ? -1 : 0))
            i += 1
        }
    }

    /// Crossings from an ordering as Truth values: unknown (−1) on the first bar and next to an
    /// unordered bar, else yes when the order goes from ≤ to > (`above`) or ≥ to < (not `above`).
    /// Branch-free, so the compiler vectorises the loop.
    static func crossings(_ order: UnsafeBufferPointer<Int8>, above: Bool, into out: UnsafeMutablePointer<Int8>) {
        let n = order.count
        guard n > 0, let o = order.baseAddress else { return }
        out[0] = -1
        if above {
            for i in 1..<n { out[i] = crossing(o[i - 1], o[i], target: 1, from: o[i - 1] <= 0) }
        } else {
            for i in 1..<n { out[i] = crossing(o[i - 1], o[i], target: -1, from: o[i - 1] >= 0) }
        }
    }

    @inline(__always) static func crossing(_ o0: Int8, _ o1: Int8, target: Int8, from: Bool) -> Int8 {
        let hit: Int8 = (o1 == target) && from ? 1 : 0
        return (o0 == 2) || (o1 == 2) ? -1 : hit
    }
}
