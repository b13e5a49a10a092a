#ifndef TRADLYTE_CKERNELS_H
#define TRADLYTE_CKERNELS_H

/// The backtest's per-bar kernels, in C with four-lane vector extensions, built once for the
/// architecture's baseline. Called only through `Kernels` in TradLyteCore.

/// Sums over bars 1 ..< n of a backtest's one-bar returns, for its statistics.
typedef struct {
    /// The market's (close-to-close) log returns: sum and sum of squares.
    double sum_m, sum_mm;
    /// The equity's simple returns: sum, sum of squares, sum of squared losses.
    double sum_r, sum_r2, down2;
    /// The equity's log returns: sum, and co-moment with the market's.
    double sum_e, sum_em;
    /// The equity's largest and smallest value over all n bars (NaNs ignored).
    double peak, low;
} tl_return_moments;

/// Fills `moments` from `close` and `equity` (n bars each, n ≥ 1) and writes the market's
/// log return of bar i to market_log[i] (market_log[0] = 0). Log returns come from 2·atanh(s),
/// s = (a − b)/(a + b), to s¹¹ (exact to the last bits or so while s² < 0.0025, a move of
/// about 10%); bars beyond that get libm's `log`.
void tl_return_moments_compute(const double *close, const double *equity, long n, double *market_log,
                               tl_return_moments *moments);

/// drawdown[i] = 1 − equity[i] / (the largest equity of bars 0 … i), NaNs never raising it.
void tl_drawdowns(const double *equity, long n, double *drawdown);

/// backtesting.py's drawdown periods: the first bar, each bar back at a peak (drawdown 0) and
/// the last bar bound them; a period spans two consecutive bounds with bars between them and
/// its depth is the largest drawdown from bound to bound. Writes each period's bounds as a
/// pair to `bounds` (room for n/2 + 1 pairs), its depths' sum to `depth_sum` and the largest
/// drawdown of all bars (NaNs ignored after the first) to `deepest`; returns the count.
long tl_drawdown_periods(const double *drawdown, long n, long *bounds, double *depth_sum, double *deepest);

/// For each bar, 1 when x > y, −1 when x < y, 0 when equal, 2 when either is NaN.
void tl_ordering(const double *x, const double *y, long n, signed char *order);

/// Crossings from an ordering (`tl_ordering`) as Truth values: bar i is −1 (unknown) on the
/// first bar and when bar i − 1 or i is unordered, else 1 when the order goes from ≤ to > (above
/// ≠ 0) or from ≥ to < (above = 0), 0 otherwise.
void tl_crossings(const signed char *order, long n, int above, signed char *crossings);

#endif
