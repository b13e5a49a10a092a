#include "CKernels.h"

#include <math.h>
#include <string.h>

// One build, for the architecture's baseline: the four-lane vectors below become two SSE2
// operations each on x86-64 (a build for AVX2 + FMA chosen by CPUID saved about 7 µs of a
// ~25 µs backtest; BENCHMARKS.md).

// The helpers below take and return 32-byte vectors; they are static and always inlined, so
// the calling convention clang warns about (-Wpsabi) never applies.
#pragma clang diagnostic ignored "-Wpsabi"

typedef double v4 __attribute__((vector_size(32), aligned(8)));
typedef long long v4i __attribute__((vector_size(32)));

/// Lanes s² at or beyond the series' range: −1 where so, 0 elsewhere (NaN: 0). Counting them
/// with integer subtraction keeps the loop-carried chain at one instruction (a floating
/// maximum that ignores NaNs is three).
static inline __attribute__((always_inline)) v4i beyond(v4 s2) { return s2 >= 0.0025; }

/// `x > m ? x : m` per lane (a NaN x leaves m), as a compare and a blend.
static inline __attribute__((always_inline)) v4 raise(v4 m, v4 x) {
    v4i up = x > m;
    return (v4)(((v4i)x & up) | ((v4i)m & ~up));
}

/// `x < m ? x : m` per lane.
static inline __attribute__((always_inline)) v4 lower(v4 m, v4 x) {
    v4i down = x < m;
    return (v4)(((v4i)x & down) | ((v4i)m & ~down));
}

static inline __attribute__((always_inline)) long long count4(v4i c) { return (c[0] + c[1]) + (c[2] + c[3]); }

static inline __attribute__((always_inline)) v4 load4(const double *p) {
    v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void store4(double *p, v4 v) { memcpy(p, &v, sizeof v); }

static inline __attribute__((always_inline)) double sum4(v4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/// 2·atanh(s) = log((1 + s)/(1 − s)) to s¹¹, given s²: Horner's scheme in s².
static inline __attribute__((always_inline)) v4 log_series(v4 s, v4 s2) {
    v4 p = s2 * (1.0 / 11) + 1.0 / 9;
    p = p * s2 + 1.0 / 7;
    p = p * s2 + 1.0 / 5;
    p = p * s2 + 1.0 / 3;
    p = p * s2 + 1;
    return (s + s) * p;
}

/// The series for one bar: the same vector expression, so a bar left over after the vector
/// loop, or one being fixed up, gets exactly the value a lane would have.
static inline __attribute__((always_inline)) double series1(double s) {
    v4 x = {s, s, s, s};
    return log_series(x, x * x)[0];
}

/// r = (e1 − e0)/e0 and s = (e1 − e0)/(e1 + e0) with one division, the divider being what
/// bounds this kernel: q = (e1 − e0)/(e0·(e1 + e0)), r = q·(e1 + e0), s = q·e0, each within a
/// few ulps of its own quotient.
static inline __attribute__((always_inline)) void equity_quotients(v4 e0, v4 e1, v4 *r, v4 *s) {
    v4 sum = e1 + e0;
    v4 q = (e1 - e0) / (e0 * sum);
    *r = q * sum;
    *s = q * e0;
}

/// The same for one bar, through the same vector expression.
static inline __attribute__((always_inline)) void equity_quotients1(double e0, double e1, double *r, double *s) {
    v4 a = {e0, e0, e0, e0}, b = {e1, e1, e1, e1}, vr, vs;
    equity_quotients(a, b, &vr, &vs);
    *r = vr[0];
    *s = vs[0];
}

static inline __attribute__((always_inline)) double max1(double a, double b) { return b > a ? b : a; }
static inline __attribute__((always_inline)) double min1(double a, double b) { return b < a ? b : a; }

/// The kernel proper, inlined into each variant. Four bars per step in vector lanes (two
/// registers of two on the baseline), then the bars left over one at a time. Two loops: the
/// market's log returns first (kept for the co-moment), then the equity's, so every
/// accumulator of a loop stays in a register.
static inline __attribute__((always_inline)) void moments_body(const double *c, const double *e, long n, double *lm,
                                                               tl_return_moments *out) {
    const v4 zero = {0, 0, 0, 0};
    v4 vm = zero, vmm = zero;
    v4i wide = {0, 0, 0, 0};
    lm[0] = 0;
    long i = 1;
    for (; i + 3 < n; i += 4) {
        v4 c0 = load4(c + i - 1), c1 = load4(c + i);
        v4 s = (c1 - c0) / (c1 + c0), s2 = s * s;
        v4 l = log_series(s, s2);
        store4(lm + i, l);
        vm += l;
        vmm += l * l;
        wide -= beyond(s2);
    }
    double sum_m = sum4(vm), sum_mm = sum4(vmm);
    long long market_wide = count4(wide);
    for (; i < n; i++) {
        double s = (c[i] - c[i - 1]) / (c[i] + c[i - 1]), l = series1(s);
        lm[i] = l;
        sum_m += l;
        sum_mm += l * l;
        market_wide += s * s >= 0.0025;
    }
    // Bars outside the series' range get libm's log in place of the series value: the
    // market's before the equity loop reads them, the equity's after it.
    if (market_wide > 0) {
        for (long j = 1; j < n; j++) {
            double s = (c[j] - c[j - 1]) / (c[j] + c[j - 1]);
            if (s * s >= 0.0025) {
                double exact = log(c[j] / c[j - 1]), approx = lm[j];
                sum_m += exact - approx;
                sum_mm += exact * exact - approx * approx;
                lm[j] = exact;
            }
        }
    }

    v4 vr = zero, vr2 = zero, vdown = zero, ve = zero, vem = zero;
    v4 peak = {e[0], e[0], e[0], e[0]}, low = peak;
    wide = (v4i){0, 0, 0, 0};
    i = 1;
    for (; i + 3 < n; i += 4) {
        v4 e0 = load4(e + i - 1), e1 = load4(e + i);
        v4 r, s;
        equity_quotients(e0, e1, &r, &s);
        vr += r;
        vr2 += r * r;
        v4 loss = __builtin_elementwise_min(r, zero);
        vdown += loss * loss;
        v4 s2 = s * s;
        v4 l = log_series(s, s2);
        wide -= beyond(s2);
        v4 m = load4(lm + i);
        ve += l;
        vem += l * m;
        peak = raise(peak, e1);
        low = lower(low, e1);
    }
    double sum_r = sum4(vr), sum_r2 = sum4(vr2), down2 = sum4(vdown);
    double sum_e = sum4(ve), sum_em = sum4(vem);
    double top = max1(max1(peak[0], peak[1]), max1(peak[2], peak[3]));
    double bottom = min1(min1(low[0], low[1]), min1(low[2], low[3]));
    long long equity_wide = count4(wide);
    for (; i < n; i++) {
        double r, s;
        equity_quotients1(e[i - 1], e[i], &r, &s);
        sum_r += r;
        sum_r2 += r * r;
        double loss = r < 0 ? r : 0;
        down2 += loss * loss;
        double l = series1(s);
        equity_wide += s * s >= 0.0025;
        sum_e += l;
        sum_em += l * lm[i];
        top = max1(top, e[i]);
        bottom = min1(bottom, e[i]);
    }
    if (equity_wide > 0) {
        for (long j = 1; j < n; j++) {
            double r, s;
            equity_quotients1(e[j - 1], e[j], &r, &s);
            if (s * s >= 0.0025) {
                double exact = log(e[j] / e[j - 1]), approx = series1(s);
                sum_e += exact - approx;
                sum_em += (exact - approx) * lm[j];
            }
        }
    }
    out->sum_m = sum_m;
    out->sum_mm = sum_mm;
    out->sum_r = sum_r;
    out->sum_r2 = sum_r2;
    out->down2 = down2;
    out->sum_e = sum_e;
    out->sum_em = sum_em;
    out->peak = top;
    out->low = bottom;
}

/// Drawdown from the running peak (NaNs never raise it): four bars per step, the prefix
/// maximum of the four in lanes (two shifts), so the peak's own chain is one scalar maximum
/// per four bars.
static inline __attribute__((always_inline)) void drawdowns_body(const double *e, long n, double *dd) {
    const v4 ninf = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    double peak = -INFINITY;
    long i = 0;
    for (; i + 3 < n; i += 4) {
        v4 x = load4(e + i);
        v4 m = raise(ninf, x);                                      // NaN lanes: −∞
        m = raise(m, __builtin_shufflevector(ninf, m, 0, 4, 5, 6));  // with the lane before
        m = raise(m, __builtin_shufflevector(ninf, m, 0, 1, 4, 5));  // with the two before those
        v4 top = {peak, peak, peak, peak};
        store4(dd + i, 1 - x / raise(m, top));
        peak = max1(peak, m[3]);
    }
    for (; i < n; i++) {
        peak = max1(peak, e[i]);
        dd[i] = 1 - e[i] / peak;
    }
}

/// Drawdown periods (see the header): eight bars per step, their maxima in lanes, while none
/// of the eight is back at a peak (new peaks are rare).
static inline __attribute__((always_inline)) long periods_body(const double *dd, long n, long *bounds, double *depth_sum,
                                                               double *deepest) {
    if (n <= 1) {
        *depth_sum = 0;
        *deepest = n == 1 ? dd[0] : 0;
        return 0;
    }
    const v4 ninf = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    long k = 0, from = 0, i = 1, last = n - 1;
    double sum = 0, overall = dd[0], deep = dd[0];
    v4 lanes = ninf;
#define TL_CLOSE_PERIOD(at)                                                           \
    do {                                                                              \
        deep = max1(max1(deep, lanes[0]), max1(lanes[1], max1(lanes[2], lanes[3])));  \
        overall = max1(overall, deep);                                                \
        if ((at) > from + 1) {                                                        \
            sum += deep;                                                              \
            bounds[2 * k] = from;                                                     \
            bounds[2 * k + 1] = (at);                                                 \
            k++;                                                                      \
        }                                                                             \
        from = (at);                                                                  \
        deep = dd[at];                                                                \
        lanes = ninf;                                                                 \
    } while (0)
    while (i < last) {
        if (i + 8 <= last) {
            v4 a = load4(dd + i), b = load4(dd + i + 4);
            v4i z = (a == 0) | (b == 0);
            if (!((z[0] | z[1]) | (z[2] | z[3]))) {
                lanes = raise(raise(lanes, a), b);
                i += 8;
                continue;
            }
        }
        double d = dd[i];
        deep = max1(deep, d);
        if (d == 0) TL_CLOSE_PERIOD(i);
        i++;
    }
    deep = max1(deep, dd[last]);
    TL_CLOSE_PERIOD(last);
#undef TL_CLOSE_PERIOD
    *depth_sum = sum;
    *deepest = overall;
    return k;
}

typedef signed char v32c __attribute__((vector_size(32), aligned(1)));

typedef long long v16i __attribute__((vector_size(128)));
typedef signed char v16c __attribute__((vector_size(16), aligned(1)));

/// The ordering of a group of four bars as lane values: 1 above, −1 below, 0 equal, 2 when
/// either side is NaN (the comparisons' lane masks are −1 or 0).
static inline __attribute__((always_inline)) v4i order4(const double *x, const double *y) {
    v4 u = load4(x), v = load4(y);
    v4i order = (u < v) - (u > v);
    v4i unordered = (u != u) | (v != v);
    return (order & ~unordered) | (2 & unordered);
}

/// The ordering of two series, sixteen bars per step (four groups narrowed to bytes together,
/// so the packing instructions are shared).
static inline __attribute__((always_inline)) void ordering_body(const double *x, const double *y, long n, signed char *out) {
    long i = 0;
    for (; i + 15 < n; i += 16) {
        v4i a = order4(x + i, y + i), b = order4(x + i + 4, y + i + 4);
        v4i c = order4(x + i + 8, y + i + 8), d = order4(x + i + 12, y + i + 12);
        v16i all = __builtin_shufflevector(__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7),
                                           __builtin_shufflevector(c, d, 0, 1, 2, 3, 4, 5, 6, 7), 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                           9, 10, 11, 12, 13, 14, 15);
        v16c bytes = __builtin_convertvector(all, v16c);
        memcpy(out + i, &bytes, sizeof bytes);
    }
    for (; i < n; i++) {
        double u = x[i], v = y[i];
        out[i] = (u != u || v != v) ? 2 : (u > v ? 1 : (u < v ? -1 : 0));
    }
}

/// Crossings from an ordering, 32 bars per step: bar i is unknown (−1) when either bar i − 1
/// or i is unordered, else 1 when the order goes from ≤ to > (above) or from ≥ to < (below).
static inline __attribute__((always_inline)) void crossings_body(const signed char *order, long n, int above, signed char *out) {
    if (n <= 0) return;
    out[0] = -1;
    const signed char target = above ? 1 : -1;
    long i = 1;
    for (; i + 31 < n; i += 32) {
        v32c o0, o1;
        memcpy(&o0, order + i - 1, sizeof o0);
        memcpy(&o1, order + i, sizeof o1);
        v32c unknown = (o0 == 2) | (o1 == 2);
        v32c from = above ? (o0 <= 0) : (o0 >= 0);  // an unordered o0 is overridden below
        v32c hit = (o1 == target) & from;
        v32c r = (hit & 1) | unknown;
        memcpy(out + i, &r, sizeof r);
    }
    for (; i < n; i++) {
        signed char o0 = order[i - 1], o1 = order[i];
        if (o0 == 2 || o1 == 2) {
            out[i] = -1;
        } else {
            out[i] = o1 == target && (above ? o0 <= 0 : o0 >= 0);
        }
    }
}

void tl_return_moments_compute(const double *close, const double *equity, long n, double *market_log,
                               tl_return_moments *moments) {
    moments_body(close, equity, n, market_log, moments);
}

void tl_drawdowns(const double *equity, long n, double *drawdown) { drawdowns_body(equity, n, drawdown); }

long tl_drawdown_periods(const double *drawdown, long n, long *bounds, double *depth_sum, double *deepest) {
    return periods_body(drawdown, n, bounds, depth_sum, deepest);
}

void tl_ordering(const double *x, const double *y, long n, signed char *order) { ordering_body(x, y, n, order); }

void tl_crossings(const signed char *order, long n, int above, signed char *crossings) {
    crossings_body(order, n, above, crossings);
}
