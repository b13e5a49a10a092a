/// Stochastics, directional movement, CCI, Williams %R, MFI, Parabolic SAR and the
/// channel indicators TA-Lib does not have (SuperTrend, Keltner, Donchian, rolling VWAP).
extension Indicators {
    /// Fast %K: 100 · (close − lowest low) / (highest high − lowest low) over `period`;
    /// 0 when the range is 0 (TA-Lib STOCHF's %K).
    static func fastK(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        let hh = highest(high, period: period)
        let ll = lowest(low, period: period)
        return hh.withUnsafeBufferPointer { hh in
            ll.withUnsafeBufferPointer { ll in
                close.withUnsafeBufferPointer { c in
                    output(c.count) { out in
                        for i in 0..<c.count {
                            if hh[i].isNaN || ll[i].isNaN {
                                out[i] = .nan
                                continue
                            }
                            // TA-Lib 0.8 treats a range within rounding noise of 0 as flat.
                            let diff = (hh[i] - ll[i]) / 100.0
                            out[i] = isZero(diff) ? 0 : (c[i] - ll[i]) / diff
                        }
                    }
                }
            }
        }
    }

    /// Slow stochastic with SMA smoothing (TA-Lib STOCH, matype SMA): %K = SMA(fast %K,
    /// slowK), %D = SMA(%K, slowD); both start at `fastK + slowK + slowD − 3`.
    public static func stoch(high: [Double], low: [Double], close: [Double], fastK: Int, slowK: Int, slowD: Int)
        -> (k: [Double], d: [Double])
    {
        let fk = Indicators.fastK(high: high, low: low, close: close, period: fastK)
        var k = sma(fk, period: slowK)
        let d = sma(k, period: slowD)
        let first = fastK + slowK + slowD - 3
        k.withUnsafeMutableBufferPointer { fillNA($0.baseAddress!, 0..<min($0.count, first)) }
        return (k, d)
    }

    /// Stochastic RSI (TA-Lib STOCHRSI, fast-D matype SMA): fast %K of RSI(period) over
    /// `fastK`, %D its SMA over `fastD`; both start at `period + fastK + fastD − 2`.
    public static func stochRSI(_ input: [Double], period: Int, fastK: Int, fastD: Int) -> (k: [Double], d: [Double]) {
        let r = input.withUnsafeBufferPointer { x in
            output(x.count) { rsiKernel(x, period: period, exact: true, out: $0) }
        }
        var k = Indicators.fastK(high: r, low: r, close: r, period: fastK)
        let d = sma(k, period: fastD)
        let first = firstValidIndex(r) + fastK - 1 + fastD - 1
        k.withUnsafeMutableBufferPointer { fillNA($0.baseAddress!, 0..<min($0.count, first)) }
        return (k, d)
    }

    static func firstValidIndex(_ a: [Double]) -> Int { a.withUnsafeBufferPointer { firstValid($0) } }

    /// +DI, −DI and ADX with Wilder smoothing (TA-Lib PLUS_DI, MINUS_DI, ADX). DI lookback
    /// `period`; ADX lookback `2·period − 1`.
    public static func directional(high: [Double], low: [Double], close: [Double], period: Int)
        -> (plusDI: [Double], minusDI: [Double], adx: [Double])
    {
        let n = high.count
        var plus = [Double](repeating: .nan, count: n)
        var minus = [Double](repeating: .nan, count: n)
        var adx = [Double](repeating: .nan, count: n)
        guard period >= 2, n > period else { return (plus, minus, adx) }
        let p = Double(period)
        var prevPlusDM = 0.0
        var prevMinusDM = 0.0
        var prevTR = 0.0
        var prevHigh = high[0]
        var prevLow = low[0]
        var prevClose = close[0]
        func step(_ i: Int) -> (Double, Double, Double) {
            let diffP = high[i] - prevHigh
            let diffM = prevLow - low[i]
            prevHigh = high[i]
            prevLow = low[i]
            let t = tr(high[i], low[i], prevClose)
            prevClose = close[i]
            var dmP = 0.0
            var dmM = 0.0
            if diffM > 0 && diffP < diffM { dmM = diffM } else if diffP > 0 && diffP > diffM { dmP = diffP }
            return (dmP, dmM, t)
        }
        for i in 1..<period {
            let (dp, dm, t) = step(i)
            prevPlusDM += dp
            prevMinusDM += dm
            prevTR += t
        }
        var sumDX = 0.0
        var prevADX = 0.0
        for i in period..<n {
            let (dp, dm, t) = step(i)
            prevPlusDM = prevPlusDM - (prevPlusDM / p) + dp
            prevMinusDM = prevMinusDM - (prevMinusDM / p) + dm
            prevTR = prevTR - (prevTR / p) + t
            var dx = 0.0
            if !isZero(prevTR) {
                let pdi = 100.0 * (prevPlusDM / prevTR)
                let mdi = 100.0 * (prevMinusDM / prevTR)
                plus[i] = pdi
                minus[i] = mdi
                let sum = mdi + pdi
                if !isZero(sum) { dx = 100.0 * (abs(mdi - pdi) / sum) }
            } else {
                plus[i] = 0
                minus[i] = 0
            }
            // ADX: the first value averages the first `period` DX values.
            let k = i - period
            if k < period {
                sumDX += dx
                if k == period - 1 {
                    prevADX = sumDX / p
                    adx[i] = prevADX
                }
            } else {
                prevADX = ((prevADX * (p - 1)) + dx) / p
                adx[i] = prevADX
            }
        }
        return (plus, minus, adx)
    }

    /// Commodity channel index on the typical price (TA-Lib CCI). Lookback `period − 1`.
    public static func cci(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        let n = high.count
        var out = [Double](repeating: .nan, count: n)
        guard period >= 2, n >= period else { return out }
        var tp = [Double](repeating: 0, count: n)
        for i in 0..<n { tp[i] = (high[i] + low[i] + close[i]) / 3 }
        let p = Double(period)
        for i in (period - 1)..<n {
            // Window sums afresh: a flat window then gives exactly 0, as TA-Lib 0.8 does.
            var sum = 0.0
            for j in (i - period + 1)...i { sum += tp[j] }
            let average = sum / p
            var dev = 0.0
            for j in (i - period + 1)...i { dev += abs(tp[j] - average) }
            let t = tp[i] - average
            out[i] = (t != 0 && dev != 0) ? t / (0.015 * (dev / p)) : 0
        }
        return out
    }

    /// Williams %R: (highest − close) / (highest − lowest) · −100 (TA-Lib WILLR). Lookback `period − 1`.
    public static func williamsR(high: [Double], low: [Double], close: [Double], period: Int) -> [Double] {
        let hh = highest(high, period: period)
        let ll = lowest(low, period: period)
        var out = [Double](repeating: .nan, count: close.count)
        for i in 0..<close.count where !hh[i].isNaN && !ll[i].isNaN {
            let diff = (hh[i] - ll[i]) / -100.0
            out[i] = diff != 0 ? (hh[i] - close[i]) / diff : 0
        }
        return out
    }

    /// Money flow index on the typical price (TA-Lib MFI). Lookback `period`.
    public static func mfi(high: [Double], low: [Double], close: [Double], volume: [Double], period: Int) -> [Double] {
        let n = high.count
        var out = [Double](repeating: .nan, count: n)
        guard n > period, period >= 2 else { return out }
        // The window's positive and negative money flows, one slot per bar.
        var pos = [Double](repeating: 0, count: period)
        var neg = [Double](repeating: 0, count: period)
        var slot = 0
        var prevTP = (high[0] + low[0] + close[0]) / 3
        func push(_ i: Int) {
            let tp = (high[i] + low[i] + close[i]) / 3
            let flow = tp * volume[i]
            // TA-Lib 0.8: typical prices within a relative 1e-14 of each other (the same
            // price reached through different roundings) are no movement: no money flow.
            let moved = abs(tp - prevTP) > 1e-14 * abs(prevTP)
            pos[slot] = moved && tp > prevTP ? flow : 0
            neg[slot] = moved && tp < prevTP ? flow : 0
            prevTP = tp
            slot = (slot + 1) % period
        }
        for i in 1..<period { push(i) }
        for i in period..<n {
            push(i)
            // Sums afresh over the window (as for CCI): a running total keeps residue of
            // large flows that have left the window.
            let posSum = pos.reduce(0, +)
            let negSum = neg.reduce(0, +)
            let total = posSum + negSum
            // TA-Lib 0.8 dropped the old "total < 1 → 0" rule: only no flow at all reads 0.
            out[i] = total == 0 ? 0 : 100.0 * (posSum / total)
        }
        return out
    }

    /// Parabolic SAR (TA-Lib SAR): Wilder's stop-and-reverse; the first direction follows
    /// the first bar's directional movement. Lookback 1.
    public static func sar(high: [Double], low: [Double], acceleration: Double, maximum: Double) -> [Double] {
        let n = high.count
        var out = [Double](repeating: .nan, count: n)
        guard n >= 2 else { return out }
        var accel = acceleration
        var af = accel
        if af > maximum {
            accel = maximum
            af = accel
        }
        let diffM = low[0] - low[1]
        let diffP = high[1] - high[0]
        var isLong = !(diffM > 0 && diffP < diffM)
        var ep: Double
        var sar: Double
        if isLong {
            ep = high[1]
            sar = low[0]
        } else {
            ep = low[1]
            sar = high[0]
        }
        var newLow = low[1]
        var newHigh = high[1]
        var prevLow = 0.0
        var prevHigh = 0.0
        for today in 1..<n {
            prevLow = newLow
            prevHigh = newHigh
            newLow = low[today]
            newHigh = high[today]
            if isLong {
                if newLow <= sar {
                    isLong = false
                    sar = ep
                    if sar < prevHigh { sar = prevHigh }
                    if sar < newHigh { sar = newHigh }
                    out[today] = sar
                    af = accel
                    ep = newLow
                    sar = sar + af * (ep - sar)
                    if sar < prevHigh { sar = prevHigh }
                    if sar < newHigh { sar = newHigh }
                } else {
                    out[today] = sar
                    if newHigh > ep {
                        ep = newHigh
                        af += accel
                        if af > maximum { af = maximum }
                    }
                    sar = sar + af * (ep - sar)
                    if sar > prevLow { sar = prevLow }
                    if sar > newLow { sar = newLow }
                }
            } else if newHigh >= sar {
                isLong = true
                sar = ep
                if sar > prevLow { sar = prevLow }
                if sar > newLow { sar = newLow }
                out[today] = sar
                af = accel
                ep = newHigh
                sar = sar + af * (ep - sar)
                if sar > prevLow { sar = prevLow }
                if sar > newLow { sar = newLow }
            } else {
                out[today] = sar
                if newLow < ep {
                    ep = newLow
                    af += accel
                    if af > maximum { af = maximum }
                }
                sar = sar + af * (ep - sar)
                if sar < prevHigh { sar = prevHigh }
                if sar < newHigh { sar = newHigh }
            }
        }
        return out
    }

    /// SuperTrend: bands at the median price ± multiplier·ATR(period) that only tighten while
    /// the trend holds; the line is the lower band in an up-trend and the upper band in a
    /// down-trend, and the trend flips when the close crosses the line. `direction` is +1 up,
    /// −1 down. Lookback `period` (the ATR's); the first bar with an ATR starts up-trend.
    public static func superTrend(high: [Double], low: [Double], close: [Double], period: Int, multiplier: Double)
        -> (line: [Double], direction: [Double])
    {
        let a = atr(high: high, low: low, close: close, period: period)
        let n = close.count
        var line = [Double](repeating: .nan, count: n)
        var dir = [Double](repeating: .nan, count: n)
        var upper = 0.0
        var lower = 0.0
        var up = true
        var started = false
        for i in 0..<n where !a[i].isNaN {
            let mid = (high[i] + low[i]) / 2
            let basicUpper = mid + multiplier * a[i]
            let basicLower = mid - multiplier * a[i]
            if !started {
                upper = basicUpper
                lower = basicLower
                up = true
                started = true
            } else {
                // A band tightens unless the previous close broke through it.
                upper = (basicUpper < upper || close[i - 1] > upper) ? basicUpper : upper
                lower = (basicLower > lower || close[i - 1] < lower) ? basicLower : lower
                if up && close[i] < lower { up = false } else if !up && close[i] > upper { up = true }
            }
            line[i] = up ? lower : upper
            dir[i] = up ? 1 : -1
        }
        return (line, dir)
    }

    /// Keltner channel: EMA(close, period) ± multiplier·ATR(atrPeriod).
    public static func keltner(
        high: [Double], low: [Double], close: [Double], period: Int, multiplier: Double, atrPeriod: Int
    )
        -> (upper: [Double], middle: [Double], lower: [Double])
    {
        let middle = ema(close, period: period)
        let a = atr(high: high, low: low, close: close, period: atrPeriod)
        return (zipMap(middle, a) { $0 + multiplier * $1 }, middle, zipMap(middle, a) { $0 - multiplier * $1 })
    }

    /// Donchian channel: highest high and lowest low over `period` bars (current included)
    /// and their midpoint. Lookback `period − 1`.
    public static func donchian(high: [Double], low: [Double], period: Int) -> (
        upper: [Double], middle: [Double], lower: [Double]
    ) {
        let u = highest(high, period: period)
        let l = lowest(low, period: period)
        return (u, zipMap(u, l) { ($0 + $1) / 2 }, l)
    }

    /// Rolling VWAP: Σ(typical price · volume) / Σ volume over `period` bars; not available
    /// while the window's volume is 0. Lookback `period − 1`.
    public static func rollingVWAP(high: [Double], low: [Double], close: [Double], volume: [Double], period: Int)
        -> [Double]
    {
        let n = close.count
        var out = [Double](repeating: .nan, count: n)
        guard period >= 1, n >= period else { return out }
        var pv = 0.0
        var v = 0.0
        for i in 0..<n {
            let tp = (high[i] + low[i] + close[i]) / 3
            pv += tp * volume[i]
            v += volume[i]
            if i >= period {
                let j = i - period
                pv -= (high[j] + low[j] + close[j]) / 3 * volume[j]
                v -= volume[j]
            }
            if i >= period - 1 && v > 0 { out[i] = pv / v }
        }
        return out
    }
}
