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

    static func smaKernel(_ x: UnsafeBufferPointer<Double>, period: Int, out: UnsafeMutablePointer<Double>) {
        let n = x.count
        let start = firstValid(x)
        let first = start + period - 1
        guard first < n else { fillNA(out, 0..<n); return }
        fillNA(out, 0..<first)
        var total = 0.0
        var i = start
        while i < first { total += x[i]; i += 1 }
        var trailing = start
        let p = Double(period)
        while i < n {
            total += x[i]
            let value = total
            total -= x[trailing]
            out[i] = value / p
            i += 1
            trailing += 1
        }
    }

    /// Exponential moving average seeded with the SMA of its first `period` values,
    /// k = 2 / (period + 1) (TA-Lib EMA). Lookback `period − 1`.
    public static func ema(_ input: [Double], period: Int) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in emaKernel(x, period: period, k: 2.0 / (Double(period) + 1.0), seedAt: nil, out: out) }
        }
    }

    /// EMA with an explicit k; `seedAt` forces the first seeded index (MACD aligns its fast
    /// EMA to the slow one this way).
    static func emaKernel(_ x: UnsafeBufferPointer<Double>, period: Int, k: Double, seedAt: Int?,
                          out: UnsafeMutablePointer<Double>) {
        let n = x.count
        let start = max(firstValid(x), (seedAt ?? 0) - (period - 1))
        let first = start + period - 1
        guard first < n, start >= 0 else { fillNA(out, 0..<n); return }
        fillNA(out, 0..<first)
        var total = 0.0
        var i = start
        while i <= first { total += x[i]; i += 1 }
        var prev = total / Double(period)
        out[first] = prev
        while i < n {
            prev = ((x[i] - prev) * k) + prev
            out[i] = prev
            i += 1
        }
    }

    /// Weighted moving average, weights 1…period (TA-Lib WMA). Lookback `period − 1`.
    /// Each window is summed afresh (see `windowSum` for why).
    public static func wma(_ input: [Double], period: Int) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                let n = x.count
                let first = firstValid(x) + period - 1
                guard first < n else { fillNA(out, 0..<n); return }
                fillNA(out, 0..<first)
                let divider = Double(period * (period + 1)) / 2.0
                for i in first..<n {
                    var sum = 0.0, weight = 1.0
                    var j = i - period + 1
                    while j <= i { sum += x[j] * weight; weight += 1; j += 1 }
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

    static func rsiKernel(_ x: UnsafeBufferPointer<Double>, period: Int, out: UnsafeMutablePointer<Double>) {
        let n = x.count
        let start = firstValid(x)
        let first = start + period
        guard first < n else { fillNA(out, 0..<n); return }
        fillNA(out, 0..<first)
        let p = Double(period), pm1 = Double(period - 1)
        var prevGain = 0.0, prevLoss = 0.0
        var prev = x[start]
        var i = start + 1
        while i <= first {
            let d = x[i] - prev
            prev = x[i]
            if d < 0 { prevLoss -= d } else { prevGain += d }
            i += 1
        }
        prevLoss /= p
        prevGain /= p
        var total = prevGain + prevLoss
        out[first] = isZero(total) ? 0 : 100.0 * (prevGain / total)
        while i < n {
            let d = x[i] - prev
            prev = x[i]
            prevLoss *= pm1
            prevGain *= pm1
            if d < 0 { prevLoss -= d } else { prevGain += d }
            prevLoss /= p
            prevGain /= p
            total = prevGain + prevLoss
            out[i] = isZero(total) ? 0 : 100.0 * (prevGain / total)
            i += 1
        }
    }

    /// MACD line, signal and histogram with TA-Lib's alignment: the fast EMA is seeded at
    /// the same bar as the slow one, and all three outputs start at `slow + signal − 2`.
    public static func macd(_ input: [Double], fast: Int, slow: Int, signal: Int) -> (macd: [Double], signal: [Double], hist: [Double]) {
        var (fast, slow) = (fast, slow)
        if slow < fast { swap(&fast, &slow) }
        let n = input.count
        return input.withUnsafeBufferPointer { x -> ([Double], [Double], [Double]) in
            let start = firstValid(x)
            let seed = start + slow - 1
            let slowEMA = output(n) { emaKernel(x, period: slow, k: 2.0 / (Double(slow) + 1.0), seedAt: seed, out: $0) }
            let fastEMA = output(n) { emaKernel(x, period: fast, k: 2.0 / (Double(fast) + 1.0), seedAt: seed, out: $0) }
            let line = zipMap(fastEMA, slowEMA) { $0 - $1 }
            let sig = ema(line, period: signal)
            let firstOut = seed + signal - 1
            var m = line
            m.withUnsafeMutableBufferPointer { fillNA($0.baseAddress!, 0..<min(n, max(0, firstOut))) }
            let hist = zipMap(m, sig) { $0 - $1 }
            return (m, sig, hist)
        }
    }

    /// Bollinger Bands on an SMA with the population standard deviation (TA-Lib BBANDS,
    /// matype SMA). Lookback `period − 1`.
    public static func bbands(_ input: [Double], period: Int, devUp: Double, devDown: Double)
        -> (upper: [Double], middle: [Double], lower: [Double]) {
        let middle = sma(input, period: period)
        let sd = stddev(input, period: period)
        var upper = middle, lower = middle
        upper.withUnsafeMutableBufferPointer { u in
            lower.withUnsafeMutableBufferPointer { l in
                for i in 0..<u.count where !middle[i].isNaN {
                    let s = sd[i]
                    if devUp == devDown {
                        if devUp == 1.0 {
                            u[i] = middle[i] + s; l[i] = middle[i] - s
                        } else {
                            let t = s * devUp
                            u[i] = middle[i] + t; l[i] = middle[i] - t
                        }
                    } else {
                        u[i] = middle[i] + (devUp == 1.0 ? s : s * devUp)
                        l[i] = middle[i] - (devDown == 1.0 ? s : s * devDown)
                    }
                }
            }
        }
        return (upper, middle, lower)
    }

    /// Σ x² over the `period` values ending at `end`, summed afresh: a running total carries
    /// the rounding error of every large value it ever held, which swamps the variance of
    /// small prices that follow large ones (TA-Lib 0.8 is exact there too; `windowSum` idem).
    @inline(__always)
    static func windowSumOfSquares(_ x: UnsafeBufferPointer<Double>, end: Int, period: Int) -> Double {
        var s = 0.0
        var j = end - period + 1
        while j <= end { s += x[j] * x[j]; j += 1 }
        return s
    }

    @inline(__always)
    static func windowSum(_ x: UnsafeBufferPointer<Double>, end: Int, period: Int) -> Double {
        var s = 0.0
        var j = end - period + 1
        while j <= end { s += x[j]; j += 1 }
        return s
    }

    /// Population standard deviation times `deviations` (TA-Lib STDDEV). Lookback `period − 1`.
    public static func stddev(_ input: [Double], period: Int, deviations: Double = 1) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                let n = x.count
                let first = firstValid(x) + period - 1
                guard first < n else { fillNA(out, 0..<n); return }
                fillNA(out, 0..<first)
                let p = Double(period)
                for i in first..<n {
                    let mean1 = windowSum(x, end: i, period: period) / p
                    let mean2 = windowSumOfSquares(x, end: i, period: period) / p
                    let variance = mean2 - mean1 * mean1
                    out[i] = isZeroOrNegative(variance) ? 0 : variance.squareRoot() * deviations
                }
            }
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
        var range = h - l
        let a = abs(h - prevClose)
        if a > range { range = a }
        let b = abs(l - prevClose)
        if b > range { range = b }
        return range
    }

    /// Average true range, Wilder smoothing, seeded with the SMA of the first `period` true
    /// ranges (TA-Lib ATR). Lookback `period`.
    public static func atr(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        high.withUnsafeBufferPointer { h in
            low.withUnsafeBufferPointer { l in
                close.withUnsafeBufferPointer { c in
                    output(h.count) { out in
                        let n = h.count
                        guard period < n else { fillNA(out, 0..<n); return }
                        fillNA(out, 0..<period)
                        if period == 1 {
                            for i in 1..<n { out[i] = tr(h[i], l[i], c[i - 1]) }
                            return
                        }
                        var total = 0.0
                        for i in 1...period { total += tr(h[i], l[i], c[i - 1]) }
                        let p = Double(period), pm1 = Double(period - 1)
                        var prev = total / p
                        out[period] = prev
                        var i = period + 1
                        while i < n {
                            prev *= pm1
                            prev += tr(h[i], l[i], c[i - 1])
                            prev /= p
                            out[i] = prev
                            i += 1
                        }
                    }
                }
            }
        }
    }

    /// ATR as a percentage of the close (TA-Lib NATR). Lookback `period`.
    public static func natr(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        let a = atr(high: high, low: low, close: close, period: period)
        return zipMap(a, close) { atr, c in atr.isNaN ? .nan : (isZero(c) ? 0 : (atr / c) * 100.0) }
    }

    /// Highest value over `period` bars including the current one (TA-Lib MAX). Lookback `period − 1`.
    public static func highest(_ input: [Double], period: Int) -> [Double] { rollingExtreme(input, period: period, max: true) }

    /// Lowest value over `period` bars including the current one (TA-Lib MIN). Lookback `period − 1`.
    public static func lowest(_ input: [Double], period: Int) -> [Double] { rollingExtreme(input, period: period, max: false) }

    static func rollingExtreme(_ input: [Double], period: Int, max isMax: Bool) -> [Double] {
        input.withUnsafeBufferPointer { x in
            output(x.count) { out in
                let n = x.count
                let start = firstValid(x)
                let first = start + period - 1
                guard first < n else { fillNA(out, 0..<n); return }
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
                            if isMax ? t >= extreme : t <= extreme { extreme = t; extremeIdx = j }
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
                guard first < n else { fillNA(out, 0..<n); return }
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
                    var prevOBV = v[0], prevReal = c[0]
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
