/// Technical indicators with TA-Lib's conventions.
///
/// Every function returns arrays aligned to its input: element `i` belongs to bar `i`, and
/// bars inside the warm-up (lookback) hold `Double.nan`, which the rule engine reads as
/// "not available" (three-valued logic), never as a number. Where TA-Lib has the indicator,
/// the arithmetic follows TA-Lib 0.8's order of operations and near-zero rules, so values
/// agree to the last bits on ordinary data (tests compare against TA-Lib on two data sets).
///
/// Inputs may begin with not-available values (an indicator of an indicator); computation
/// starts at the first available value, as TA-Lib does when it chains functions.
///
/// Recursive indicators (EMA, DEMA, TEMA, RSI, ATR, NATR, ADX, MACD, SAR, SuperTrend,
/// Keltner) depend on the first bar they are fed: the chart and the strategies compute them
/// over the whole stored history of a symbol so values do not shift with the visible window.
public enum Indicators {
    public static let na = Double.nan

    /// TA-Lib's TA_IS_ZERO: |v| < 1e-14 in TA-Lib 0.8 (was 1e-8 in 0.4).
    @inline(__always) static func isZero(_ v: Double) -> Bool { -1e-14 < v && v < 1e-14 }
    /// TA-Lib's TA_IS_ZERO_OR_NEG.
    @inline(__always) static func isZeroOrNegative(_ v: Double) -> Bool { v < 1e-14 }

    /// Builds an output of `count` elements; `body` must write every element.
    @inline(__always)
    static func output(_ count: Int, _ body: (UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { body(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// Index of the first non-NaN value (`count` when all are NaN).
    @inline(__always)
    static func firstValid(_ x: UnsafeBufferPointer<Double>) -> Int {
        var i = 0
        while i < x.count && x[i].isNaN { i += 1 }
        return i
    }

    @inline(__always)
    static func fillNA(_ out: UnsafeMutablePointer<Double>, _ range: Range<Int>) {
        if !range.isEmpty { (out + range.lowerBound).initialize(repeating: .nan, count: range.count) }
    }

    // MARK: - Moving averages

    /// Simple moving average (TA-Lib SMA). Lookback `period − 1`.
    public static func sma(_ input: [Double], period: Int) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in smaKernel(x, period: period, out: out) }
        }
    }

    /// SMA into a caller's buffer (same length as the input), for reusing memory.
    public static func sma(_ x: UnsafeBufferPointer<Double>, period: Int, into out: UnsafeMutableBufferPointer<Double>)
    {
        precondition(out.count >= x.count, "output buffer too small")
        smaKernel(x, period: period, out: out.baseAddress!)
    }

    static func smaKernel(_ x: UnsafeBufferPointer<Double>, period: Int, out: UnsafeMutablePointer<Double>) {
        let n = x.count
        let start = firstValid(x)
        let first = start + period - 1
        guard first < n else {
            fillNA(out, 0..<n)
            return
        }
        fillNA(out, 0..<first)
        var total = 0.0
        var i = start
        while i < first {
            total += x[i]
            i += 1
        }
        let base = x.baseAddress!
        let p = Double(period)
        while i < n {
            total += base[i]
            let value = total
            total -= base[i - period + 1]
            out[i] = value / p
            i += 1
        }
    }

    /// Two SMAs of one series in one pass, each bit for bit what `sma` gives. A running
    /// sum is a chain of dependent additions, so one SMA waits on the adder every bar; two
    /// sums in the lanes of one vector share those waits, and their two divisions are one
    /// packed instruction.
    public static func sma(_ input: [Double], periods first: Int, _ second: Int) -> ([Double], [Double]) {
        guard first != second else {
            let one = sma(input, period: first)
            return (one, one)
        }
        let (short, long) = first < second ? (first, second) : (second, first)
        var longOut: [Double] = []
        let shortOut = input.withUnsafeBufferPointer { x in
            output(x.count) { outShort in
                longOut = output(x.count) { outLong in
                    smaPairKernel(x, short: short, long: long, outShort: outShort, outLong: outLong)
                }
            }
        }
        return first < second ? (shortOut, longOut) : (longOut, shortOut)
    }

    /// `smaKernel` for periods short < long at once: the short lane alone until the long
    /// lane's first value, then both lanes of a `SIMD2` (lane arithmetic is IEEE per lane,
    /// so each matches the scalar kernel's operations exactly).
    static func smaPairKernel(
        _ x: UnsafeBufferPointer<Double>, short: Int, long: Int,
        outShort: UnsafeMutablePointer<Double>, outLong: UnsafeMutablePointer<Double>
    ) {
        let n = x.count
        let start = firstValid(x)
        let firstLong = start + long - 1
        guard firstLong < n else {
            smaKernel(x, period: short, out: outShort)
            fillNA(outLong, 0..<n)
            return
        }
        let firstShort = start + short - 1
        fillNA(outShort, 0..<firstShort)
        fillNA(outLong, 0..<firstLong)
        let base = x.baseAddress!
        // Both sums start at `start` and add the same values in the same order as the
        // scalar kernel's warm-up loop.
        var totalShort = 0.0
        var totalLong = 0.0
        var i = start
        while i < firstShort {
            totalShort += base[i]
            totalLong += base[i]
            i += 1
        }
        let ps = Double(short)
        while i < firstLong {
            totalShort += base[i]
            let value = totalShort
            totalShort -= base[i - short + 1]
            outShort[i] = value / ps
            totalLong += base[i]
            i += 1
        }
        typealias V = SIMD2<Double>
        var total = V(totalShort, totalLong)
        let pl = Double(long)
        // Two bars per step: the sums of bar i and i + 1 (short, long) are regrouped into
        // (i, i + 1) per period, so each division is one packed instruction and each store
        // one vector store.
        let shortPeriods = V(repeating: ps)
        let longPeriods = V(repeating: pl)
        while i + 1 < n {
            total += V(repeating: base[i])
            let first = total
            total -= V(base[i - short + 1], base[i - long + 1])
            total += V(repeating: base[i + 1])
            let second = total
            total -= V(base[i - short + 2], base[i - long + 2])
            UnsafeMutableRawPointer(outShort + i).storeBytes(of: V(first[0], second[0]) / shortPeriods, as: V.self)
            UnsafeMutableRawPointer(outLong + i).storeBytes(of: V(first[1], second[1]) / longPeriods, as: V.self)
            i += 2
        }
        if i < n {
            total += V(repeating: base[i])
            outShort[i] = total[0] / ps
            outLong[i] = total[1] / pl
        }
    }

    /// Exponential moving average seeded with the SMA of its first `period` values,
    /// k = 2 / (period + 1) (TA-Lib EMA). Lookback `period − 1`.
    public static func ema(_ input: [Double], period: Int) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                emaKernel(x, period: period, k: 2.0 / (Double(period) + 1.0), seedAt: nil, out: out)
            }
        }
    }

    /// EMA into a caller's buffer (same length as the input), for reusing memory.
    public static func ema(_ x: UnsafeBufferPointer<Double>, period: Int, into out: UnsafeMutableBufferPointer<Double>)
    {
        precondition(out.count >= x.count, "output buffer too small")
        emaKernel(x, period: period, k: 2.0 / (Double(period) + 1.0), seedAt: nil, out: out.baseAddress!)
    }

    /// EMA with an explicit k; `seedAt` forces the first seeded index (MACD aligns its fast
    /// EMA to the slow one this way). The update prev·(1 − k) + x·k is one fused multiply-add
    /// with one multiply and one add on the dependency chain (TA-Lib's (x − prev)·k + prev has
    /// three and differs only in the last bits).
    static func emaKernel(
        _ x: UnsafeBufferPointer<Double>, period: Int, k: Double, seedAt: Int?,
        out: UnsafeMutablePointer<Double>
    ) {
        let n = x.count
        let start = max(firstValid(x), (seedAt ?? 0) - (period - 1))
        let first = start + period - 1
        guard first < n, start >= 0 else {
            fillNA(out, 0..<n)
            return
        }
        fillNA(out, 0..<first)
        var total = 0.0
        var i = start
        while i <= first {
            total += x[i]
            i += 1
        }
        var prev = total / Double(period)
        out[first] = prev
        let keep = 1.0 - k
        let base = x.baseAddress!
        while i < n {
            prev = base[i] * k + prev * keep
            out[i] = prev
            i += 1
        }
    }

    /// Weighted moving average, weights 1…period (TA-Lib WMA). Lookback `period − 1`.
    /// Each window is summed afresh (a running total would carry the rounding error of earlier
    /// large values; see `windowDeviation`).
    public static func wma(_ input: [Double], period: Int) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                let n = x.count
                let first = firstValid(x) + period - 1
                guard first < n else {
                    fillNA(out, 0..<n)
                    return
                }
                fillNA(out, 0..<first)
                let divider = Double(period * (period + 1)) / 2.0
                for i in first..<n {
                    var sum = 0.0
                    var weight = 1.0
                    var j = i - period + 1
                    while j <= i {
                        sum += x[j] * weight
                        weight += 1
                        j += 1
                    }
                    out[i] = sum / divider
                }
            }
        }
    }

    /// Double EMA: 2·EMA − EMA(EMA) (TA-Lib DEMA). Lookback `2·(period − 1)`.
    public static func dema(_ input: [Double], period: Int) -> [Double] {
        let e1 = ema(input, period: period)
        let e2 = ema(e1, period: period)
        return zipMap(e1, e2) { (2.0 * $0) - $1 }
    }

    /// Triple EMA: 3·EMA − 3·EMA² + EMA³ (TA-Lib TEMA). Lookback `3·(period − 1)`.
    public static func tema(_ input: [Double], period: Int) -> [Double] {
        let e1 = ema(input, period: period)
        let e2 = ema(e1, period: period)
        let e3 = ema(e2, period: period)
        return e1.withUnsafeBufferPointer { a in
            e2.withUnsafeBufferPointer { b in
                e3.withUnsafeBufferPointer { c in
                    output(a.count) { out in
                        for i in 0..<a.count { out[i] = c[i] + ((3.0 * a[i]) - (3.0 * b[i])) }
                    }
                }
            }
        }
    }

    static func zipMap(_ a: [Double], _ b: [Double], _ f: (Double, Double) -> Double) -> [Double] {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                output(a.count) { out in for i in 0..<a.count { out[i] = f(a[i], b[i]) } }
            }
        }
    }

    // MARK: - Oscillators

    /// Relative strength index with Wilder smoothing (TA-Lib RSI). Lookback `period`.
    public static func rsi(_ input: [Double], period: Int) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in rsiKernel(x, period: period, out: out) }
        }
    }

    /// RSI into a caller's buffer (same length as the input), for reusing memory.
    public static func rsi(_ x: UnsafeBufferPointer<Double>, period: Int, into out: UnsafeMutableBufferPointer<Double>)
    {
        precondition(out.count >= x.count, "output buffer too small")
        rsiKernel(x, period: period, out: out.baseAddress!)
    }

    /// - Parameter exact: use TA-Lib's exact operation order (slower: a division on the
    ///   dependency chain). Stochastic RSI needs it: it divides by the RSI's recent range,
    ///   which magnifies last-bit differences when that range is tiny.
    static func rsiKernel(
        _ x: UnsafeBufferPointer<Double>, period: Int, exact: Bool = false, out: UnsafeMutablePointer<Double>
    ) {
        let n = x.count
        let start = firstValid(x)
        let first = start + period - 1 + 1
        guard first < n else {
            fillNA(out, 0..<n)
            return
        }
        fillNA(out, 0..<first)
        let p = Double(period)
        var prevGain = 0.0
        var prevLoss = 0.0
        var i = start + 1
        while i <= first {
            let d = x[i] - x[i - 1]
            if d < 0 { prevLoss -= d } else { prevGain += d }
            i += 1
        }
        prevLoss /= p
        prevGain /= p
        var total = prevGain + prevLoss
        out[first] = isZero(total) ? 0 : 100.0 * (prevGain / total)
        let base = x.baseAddress!
        if exact {
            // Wilder smoothing exactly as TA-Lib writes it, (avg·(p − 1) + change) / p.
            let pm1 = Double(period - 1)
            while i < n {
                let d = base[i] - base[i - 1]
                prevGain = (prevGain * pm1 + max(d, 0)) / p
                prevLoss = (prevLoss * pm1 + max(-d, 0)) / p
                total = prevGain + prevLoss
                out[i] = isZero(total) ? 0 : 100.0 * (prevGain / total)
                i += 1
            }
            return
        }
        // The same smoothing as avg·((p − 1)/p) + change/p: no division on the dependency
        // chain; it differs from TA-Lib in the last bits only.
        let keep = Double(period - 1) / p
        let weight = 1.0 / p
        while i < n {
            let d = base[i] - base[i - 1]
            prevGain = max(d, 0) * weight + prevGain * keep
            prevLoss = max(-d, 0) * weight + prevLoss * keep
            total = prevGain + prevLoss
            out[i] = isZero(total) ? 0 : 100.0 * (prevGain / total)
            i += 1
        }
    }

    /// MACD line, signal and histogram with TA-Lib's alignment: the fast EMA is seeded at
    /// the same bar as the slow one, and all three outputs start at `slow + signal − 2`.
    public static func macd(_ input: [Double], fast: Int, slow: Int, signal: Int) -> (
        macd: [Double], signal: [Double], hist: [Double]
    ) {
        let n = input.count
        var m = [Double](repeating: .nan, count: n)
        var s = m
        var h = m
        input.withUnsafeBufferPointer { x in
            m.withUnsafeMutableBufferPointer { m in
                s.withUnsafeMutableBufferPointer { s in
                    h.withUnsafeMutableBufferPointer { h in
                        macd(x, fast: fast, slow: slow, signal: signal, macd: m, signal: s, hist: h)
                    }
                }
            }
        }
        return (m, s, h)
    }

    /// MACD into caller buffers (each as long as the input), for reusing memory.
    public static func macd(
        _ x: UnsafeBufferPointer<Double>, fast: Int, slow: Int, signal: Int,
        macd line: UnsafeMutableBufferPointer<Double>, signal sig: UnsafeMutableBufferPointer<Double>,
        hist: UnsafeMutableBufferPointer<Double>
    ) {
        var (fast, slow) = (fast, slow)
        if slow < fast { swap(&fast, &slow) }
        let n = x.count
        let start = firstValid(x)
        let seed = start + slow - 1  // both EMAs' first value
        let firstOut = seed + signal - 1  // first MACD/signal/hist value
        let lineOut = line.baseAddress!
        let sigOut = sig.baseAddress!
        let histOut = hist.baseAddress!
        guard firstOut < n else {
            fillNA(lineOut, 0..<n)
            fillNA(sigOut, 0..<n)
            fillNA(histOut, 0..<n)
            return
        }
        fillNA(lineOut, 0..<firstOut)
        fillNA(sigOut, 0..<firstOut)
        fillNA(histOut, 0..<firstOut)
        let kSlow = 2.0 / (Double(slow) + 1.0)
        let kFast = 2.0 / (Double(fast) + 1.0)
        let kSig = 2.0 / (Double(signal) + 1.0)
        let keepSlow = 1 - kSlow
        let keepFast = 1 - kFast
        let keepSig = 1 - kSig
        var slowTotal = 0.0
        var fastTotal = 0.0
        for i in start...seed { slowTotal += x[i] }
        for i in (seed - fast + 1)...seed { fastTotal += x[i] }
        var slowEMA = slowTotal / Double(slow)
        var fastEMA = fastTotal / Double(fast)
        // The MACD line before `firstOut` seeds the signal EMA; keep it in the signal buffer.
        sigOut[seed] = fastEMA - slowEMA
        let base = x.baseAddress!
        var i = seed + 1
        while i <= firstOut {
            slowEMA = base[i] * kSlow + slowEMA * keepSlow
            fastEMA = base[i] * kFast + fastEMA * keepFast
            sigOut[i] = fastEMA - slowEMA
            i += 1
        }
        var total = 0.0
        for j in seed...firstOut { total += sigOut[j] }
        var signalEMA = total / Double(signal)
        for j in seed..<firstOut { sigOut[j] = .nan }
        let first = fastEMA - slowEMA
        lineOut[firstOut] = first
        sigOut[firstOut] = signalEMA
        histOut[firstOut] = first - signalEMA
        while i < n {
            slowEMA = base[i] * kSlow + slowEMA * keepSlow
            fastEMA = base[i] * kFast + fastEMA * keepFast
            let value = fastEMA - slowEMA
            signalEMA = value * kSig + signalEMA * keepSig
            lineOut[i] = value
            sigOut[i] = signalEMA
            histOut[i] = value - signalEMA
            i += 1
        }
    }

    /// Bollinger Bands on an SMA with the population standard deviation (TA-Lib BBANDS,
    /// matype SMA). Lookback `period − 1`.
    public static func bbands(_ input: [Double], period: Int, devUp: Double, devDown: Double)
        -> (upper: [Double], middle: [Double], lower: [Double])
    {
        let n = input.count
        var u = [Double](repeating: .nan, count: n)
        var m = u
        var l = u
        input.withUnsafeBufferPointer { x in
            u.withUnsafeMutableBufferPointer { u in
                m.withUnsafeMutableBufferPointer { m in
                    l.withUnsafeMutableBufferPointer { l in
                        bbands(x, period: period, devUp: devUp, devDown: devDown, upper: u, middle: m, lower: l)
                    }
                }
            }
        }
        return (u, m, l)
    }

    /// Bollinger Bands into caller buffers (each as long as the input), for reusing memory.
    /// One pass: the middle band is the window mean from the same compensated sums as the
    /// deviation (see `windowDeviation`).
    public static func bbands(
        _ x: UnsafeBufferPointer<Double>, period: Int, devUp: Double, devDown: Double,
        upper: UnsafeMutableBufferPointer<Double>, middle: UnsafeMutableBufferPointer<Double>,
        lower: UnsafeMutableBufferPointer<Double>
    ) {
        let u = upper.baseAddress!
        let m = middle.baseAddress!
        let l = lower.baseAddress!
        let first = min(x.count, firstValid(x) + period - 1)
        fillNA(u, 0..<first)
        fillNA(m, 0..<first)
        fillNA(l, 0..<first)
        windowDeviation(x, period: period) { i, mean, sd in
            m[i] = mean
            u[i] = mean + devUp * sd
            l[i] = mean - devDown * sd
        }
    }

    /// Population standard deviation times `deviations` (TA-Lib STDDEV). Lookback `period − 1`.
    public static func stddev(_ input: [Double], period: Int, deviations: Double = 1) -> [Double] {
        var out = [Double](repeating: .nan, count: input.count)
        input.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                windowDeviation(x, period: period) { i, _, sd in o[i] = sd * deviations }
            }
        }
        return out
    }

    /// Calls `body(i, mean, σ)` with the mean and population standard deviation of each full
    /// window, agreeing with TA-Lib 0.8's two-pass Σ(x − mean)² / n to about 1e-14.
    ///
    /// One-pass "mean of squares − square of mean" cancels catastrophically when the spread is
    /// tiny against the level (hourly FX-like prices at 1.1 with a spread of 1e-4 lose eight
    /// digits), and a pass over every window costs `period` operations a bar. So the window
    /// keeps running sums of x − K for an anchor K taken from the window itself, and sums them
    /// afresh (O(period)) when the anchor is a window old, or when the sum of squares has
    /// fallen far below the largest term it ever held (a big value left the window: its
    /// rounding residue would swamp the spread that remains). A run of equal values makes a
    /// flat window read exactly 0, as in TA-Lib.
    @inline(__always)
    static func windowDeviation(_ x: UnsafeBufferPointer<Double>, period: Int, _ body: (Int, Double, Double) -> Void) {
        let n = x.count
        let start = firstValid(x)
        let first = start + period - 1
        guard first < n else { return }
        let base = x.baseAddress!
        var run = 1
        for i in stride(from: start + 1, to: first, by: 1) {
            run = base[i] == base[i - 1] ? run + 1 : 1
        }
        let invP = 1.0 / Double(period)
        var anchor = 0.0
        var d1 = 0.0
        var d2 = 0.0
        var peak = 0.0
        var sinceAnchor = period
        for i in first..<n {
            let v = base[i]
            if i > start {
                run = v == base[i - 1] ? run + 1 : 1
            }
            let d = v - anchor
            d1 += d
            d2 += d * d
            peak = max(peak, d * d)
            if sinceAnchor >= period || d2 < peak * 1e-3 {
                anchor = v
                d1 = 0
                d2 = 0
                peak = 0
                for k in (i - period + 1)...i {
                    let e = base[k] - anchor
                    d1 += e
                    d2 += e * e
                    peak = max(peak, e * e)
                }
                sinceAnchor = 0
            }
            let shift = d1 * invP
            let mean = anchor + shift
            let variance = run >= period ? 0 : d2 * invP - shift * shift
            // The outgoing value leaves before `body` stores: the store cannot alias the load.
            let o = base[i - period + 1] - anchor
            d1 -= o
            d2 -= o * o
            sinceAnchor += 1
            body(i, mean, variance > 0 ? variance.squareRoot() : 0)
        }
    }

    // MARK: - Ranges and volatility

    /// True range for bars 1…n−1 (bar 0 has no previous close: not available).
    public static func trueRange(high: [Double], low: [Double], close: [Double]) -> [Double] {
        high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    output(h.count) { out in
                        guard h.count > 0 else { return }
                        out[0] = .nan
                        for i in 1..<max(1, h.count) { out[i] = tr(h[i], l[i], c[i - 1]) }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func tr(_ h: Double, _ l: Double, _ prevClose: Double) -> Double {
        max(h - l, max(abs(h - prevClose), abs(l - prevClose)))
    }

    /// Average true range, Wilder smoothing, seeded with the SMA of the first `period` true
    /// ranges (TA-Lib ATR). Lookback `period`.
    public static func atr(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    output(h.count) { out in atrKernel(h, l, c, period: period, out: out) }
                }
            }
        }
    }

    /// ATR into a caller's buffer (as long as the inputs), for reusing memory.
    public static func atr(
        high h: UnsafeBufferPointer<Double>, low l: UnsafeBufferPointer<Double>, close c: UnsafeBufferPointer<Double>,
        period: Int, into out: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(out.count >= h.count, "output buffer too small")
        atrKernel(h, l, c, period: period, out: out.baseAddress!)
    }

    static func atrKernel(
        _ h: UnsafeBufferPointer<Double>, _ l: UnsafeBufferPointer<Double>, _ c: UnsafeBufferPointer<Double>,
        period: Int, out: UnsafeMutablePointer<Double>
    ) {
        let n = h.count
        guard period < n else {
            fillNA(out, 0..<n)
            return
        }
        fillNA(out, 0..<period)
        if period == 1 {
            for i in 1..<n { out[i] = tr(h[i], l[i], c[i - 1]) }
            return
        }
        var total = 0.0
        for i in 1...period { total += tr(h[i], l[i], c[i - 1]) }
        let p = Double(period)
        var prev = total / p
        out[period] = prev
        // Wilder smoothing, (atr·(p − 1) + tr) / p, as atr·((p − 1)/p) + tr/p: no division on the chain.
        let keep = Double(period - 1) / p
        let weight = 1.0 / p
        let hb = h.baseAddress!
        let lb = l.baseAddress!
        let cb = c.baseAddress!
        var i = period + 1
        while i < n {
            prev = tr(hb[i], lb[i], cb[i - 1]) * weight + prev * keep
            out[i] = prev
            i += 1
        }
    }

    /// ATR as a percentage of the close (TA-Lib NATR). Lookback `period`.
    public static func natr(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        let a = atr(high: high, low: low, close: close, period: period)
        return zipMap(a, close) { atr, c in atr.isNaN ? .nan : (isZero(c) ? 0 : (atr / c) * 100.0) }
    }

    /// Highest value over `period` bars including the current one (TA-Lib MAX). Lookback `period − 1`.
    public static func highest(_ input: [Double], period: Int) -> [Double] {
        rollingExtreme(input, period: period, max: true)
    }

    /// Lowest value over `period` bars including the current one (TA-Lib MIN). Lookback `period − 1`.
    public static func lowest(_ input: [Double], period: Int) -> [Double] {
        rollingExtreme(input, period: period, max: false)
    }

    static func rollingExtreme(_ input: [Double], period: Int, max isMax: Bool) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                let n = x.count
                let start = firstValid(x)
                let first = start + period - 1
                guard first < n else {
                    fillNA(out, 0..<n)
                    return
                }
                fillNA(out, 0..<first)
                // TA-Lib's approach: keep the index of the extreme; rescan only when it leaves.
                var extremeIdx = -1
                var extreme = 0.0
                var trailing = start
                for today in first..<n {
                    let v = x[today]
                    if extremeIdx < trailing {
                        extremeIdx = trailing
                        extreme = x[trailing]
                        var j = trailing + 1
                        while j <= today {
                            let t = x[j]
                            if isMax ? t >= extreme : t <= extreme {
                                extreme = t
                                extremeIdx = j
                            }
                            j += 1
                        }
                    } else if isMax ? v >= extreme : v <= extreme {
                        extremeIdx = today
                        extreme = v
                    }
                    out[today] = extreme
                    trailing += 1
                }
            }
        }
    }

    // MARK: - Momentum and volume

    /// Rate of change in percent: (x / x[n] − 1) · 100; 0 when x[n] is 0 (TA-Lib ROC). Lookback `period`.
    public static func roc(_ input: [Double], period: Int) -> [Double] {
        lagged(input, period: period) { now, then in then != 0 ? ((now / then) - 1.0) * 100.0 : 0 }
    }

    /// Momentum: x − x[n] (TA-Lib MOM). Lookback `period`.
    public static func momentum(_ input: [Double], period: Int) -> [Double] {
        lagged(input, period: period) { now, then in now - then }
    }

    static func lagged(_ input: [Double], period: Int, _ f: (Double, Double) -> Double) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                let n = x.count
                let first = firstValid(x) + period
                guard first < n else {
                    fillNA(out, 0..<n)
                    return
                }
                fillNA(out, 0..<first)
                for i in first..<n { out[i] = f(x[i], x[i - period]) }
            }
        }
    }

    /// On-balance volume, starting from the first bar's volume (TA-Lib OBV). Lookback 0.
    public static func obv(close: [Double], volume: [Double]) -> [Double] {
        close.withUnsafeBufferPointer { c in
            volume.withUnsafeBufferPointer { v in
                output(c.count) { out in
                    guard c.count > 0 else { return }
                    var prevOBV = v[0]
                    var prevReal = c[0]
                    out[0] = prevOBV
                    for i in 1..<max(1, c.count) {
                        let r = c[i]
                        if r > prevReal { prevOBV += v[i] } else if r < prevReal { prevOBV -= v[i] }
                        out[i] = prevOBV
                        prevReal = r
                    }
                }
            }
        }
    }
}
