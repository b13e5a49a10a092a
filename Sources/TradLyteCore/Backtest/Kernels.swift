import CKernels

/// The backtest's per-bar C kernels (`CKernels`, one build for the baseline x86-64 vectors)
/// behind Swift signatures: the only file that calls them.
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

    /// The return moments of `close` and `equity` (n ≥ 1 bars each); the market's log return of
    /// bar i goes to `marketLog[i]` (`marketLog[0]` = 0). Log returns come from the series
    /// 2·atanh(s), with libm's `log` for a bar that moves more than about 10%.
    static func returnMoments(
        close: UnsafeBufferPointer<Double>, equity: UnsafeBufferPointer<Double>, count n: Int,
        marketLog: UnsafeMutablePointer<Double>
    ) -> ReturnMoments {
        var k = tl_return_moments()
        tl_return_moments_compute(close.baseAddress!, equity.baseAddress!, n, marketLog, &k)
        return ReturnMoments(
            sumM: k.sum_m, sumMM: k.sum_mm, sumR: k.sum_r, sumR2: k.sum_r2, downside2: k.down2, sumE: k.sum_e,
            sumEM: k.sum_em, peak: k.peak, low: k.low)
    }

    /// `drawdown[i]` = 1 − equity[i] / (the largest equity of bars 0 … i), NaNs never raising it.
    static func drawdowns(_ equity: UnsafeBufferPointer<Double>, into drawdown: UnsafeMutablePointer<Double>?) {
        tl_drawdowns(equity.baseAddress, equity.count, drawdown)
    }

    /// backtesting.py's drawdown periods of `drawdown`: each period's bounds go to `bounds` as a
    /// pair (room for n/2 + 1 pairs); returned are their count, the sum of their depths and the
    /// deepest drawdown of all bars.
    static func drawdownPeriods(_ drawdown: UnsafeBufferPointer<Double>, into bounds: UnsafeMutablePointer<Int>)
        -> (count: Int, depthSum: Double, deepest: Double)
    {
        var depthSum = 0.0
        var deepest = 0.0
        let count = tl_drawdown_periods(drawdown.baseAddress, drawdown.count, bounds, &depthSum, &deepest)
        return (count, depthSum, deepest)
    }

    /// For each bar, 1 when x > y, −1 when x < y, 0 when equal, 2 when either is NaN.
    static func ordering(
        _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, count: Int,
        into order: UnsafeMutablePointer<Int8>
    ) {
        tl_ordering(x.baseAddress, y.baseAddress, count, order)
    }

    /// Crossings from an ordering as Truth values: unknown on the first bar and next to an
    /// unordered bar, else yes when the order goes from ≤ to > (`above`) or ≥ to < (not `above`).
    static func crossings(_ order: UnsafeBufferPointer<Int8>, above: Bool, into out: UnsafeMutablePointer<Int8>) {
        tl_crossings(order.baseAddress, order.count, above ? 1 : 0, out)
    }
}
