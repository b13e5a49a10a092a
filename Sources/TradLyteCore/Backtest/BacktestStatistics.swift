import Foundation

/// Backtest statistics under backtesting.py's names and definitions (its `_stats.py`), so
/// results can be cross-checked; plus Bars/Year. Annualisation uses 252/N periods for
/// N-session bars (backtesting.py infers 52 for bars a week apart — the one deliberate
/// difference, for 5-session and longer bars).
public struct BacktestStatistics: Sendable {
    public enum Value: Equatable, Sendable {
        case number(Double)
        case days(Double)
        case date(SessionDate)
        case count(Int)
        /// Not computable, with why ("no trades", "no losing trades").
        case missing(String)

        public var number: Double? {
            switch self {
            case .number(let v), .days(let v): return v
            case .count(let n): return Double(n)
            default: return nil
            }
        }

        /// JSON-safe form: numbers stay numbers, missing becomes null plus a reason.
        public var display: String {
            switch self {
            case .number(let v): return Self.format(v)
            case .days(let v): return "\(Int(v.rounded(.up))) days"
            case .date(let d): return d.description
            case .count(let n): return "\(n)"
            case .missing(let why): return "— (\(why))"
            }
        }

        static func format(_ v: Double) -> String {
            abs(v) >= 1e6 || (abs(v) < 1e-4 && v != 0) ? String(format: "%.6g", v) : String(format: "%.4f", v)
        }
    }

    public private(set) var entries: [(name: String, value: Value)] = []

    public subscript(_ name: String) -> Value? { entries.first { $0.name == name }?.value }

    mutating func set(_ name: String, _ value: Value) { entries.append((name, value)) }

    /// A number, or `missing(reason)` when it is not finite.
    static func finite(_ v: Double, _ reason: String) -> Value { v.isFinite ? .number(v) : .missing(reason) }

    /// The statistics, with bars given by their last session indexes.
    public static func compute(
        trades: [BacktestTrade], equity: [Double], drawdown dd: [Double], lastSessions: [Int32], close: [Double],
        warmup: Int, interval: FibInterval, calendar: TradingCalendar
    ) -> BacktestStatistics {
        var s = BacktestStatistics()
        s.entries.reserveCapacity(32)
        let n = equity.count
        guard n > 0 else {
            s.set("Start", .missing("no bars"))
            return s
        }
        let sessions = calendar.sessions  // one reference, not one per bar
        func day(_ i: Int) -> Int32 { sessions[Int(lastSessions[i])].dayNumber }
        func days(_ a: Int, _ b: Int) -> Double { Double(day(b) - day(a)) }
        s.set("Start", .date(SessionDate(dayNumber: day(0))))
        s.set("End", .date(SessionDate(dayNumber: day(n - 1))))
        s.set("Duration", .days(days(0, n - 1)))

        // Bars with a position: the union of [entry, exit] over trades (sorted by entry and
        // at most touching, as one position is open at a time).
        var exposed = 0
        var covered = -1
        for t in trades {
            let from = max(t.entryBar, covered + 1)
            if t.exitBar >= from { exposed += t.exitBar - from + 1 }
            covered = max(covered, t.exitBar)
        }
        s.set("Exposure Time [%]", .number(Double(exposed) / Double(n) * 100))

        let periods = 252.0 / Double(interval.sessions)
        // The per-bar work. The return moments, both log-return series for Beta (the market's
        // kept in scratch for the co-moment) and the equity's extremes come from one C kernel
        // (`Kernels.returnMoments`: four bars per step; log returns from the series 2·atanh(s),
        // with libm's `log` for the rare bar that moves more than about 10%). Flat bars (no
        // position) give exactly 0 with no branch.
        precondition(close.count >= n && dd.count == n, "one close and one drawdown per equity value")
        let marketLog = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { marketLog.deallocate() }
        let k = close.withUnsafeBufferPointer { c in
            equity.withUnsafeBufferPointer { e in
                Kernels.returnMoments(close: c, equity: e, count: n, marketLog: marketLog)
            }
        }
        let sumM = k.sumM
        let sumMM = k.sumMM
        let sumE = k.sumE
        let sumEM = k.sumEM
        let sumR = k.sumR
        let sumR2 = k.sumR2
        let downside2 = k.downside2
        let equityPeak = k.peak
        let lowest = k.low
        // The drawdown periods, as backtesting.py counts them: the first bar, each bar back at a
        // peak (dd == 0) and the last bar bound them; a period spans two consecutive bounds
        // with bars between them, and its depth is the deepest drawdown from bound to bound.
        let bounds = UnsafeMutablePointer<Int>.allocate(capacity: 2 * (n / 2 + 1))
        defer { bounds.deallocate() }
        let (periodCount, ddPeakSum, deepest) = dd.withUnsafeBufferPointer {
            Kernels.drawdownPeriods($0, into: bounds)
        }
        let maxDD = deepest
        var longestDD = 0.0
        var sumDD = 0.0
        for p in 0..<periodCount {
            let length = days(bounds[2 * p], bounds[2 * p + 1])
            longestDD = Swift.max(longestDD, length)
            sumDD += length
        }
        let nonPositive = lowest <= 0
        s.set("Equity Final [$]", .number(equity[n - 1]))
        s.set("Equity Peak [$]", .number(equityPeak))
        s.set("Commissions [$]", .number(trades.reduce(0) { $0 + $1.commissions }))
        s.set("Return [%]", .number((equity[n - 1] - equity[0]) / equity[0] * 100))
        let w = min(warmup, n - 1)
        let buyHold = (close[n - 1] - close[w]) / close[w] * 100
        s.set("Buy & Hold Return [%]", .number(buyHold))

        let m = Double(n - 1)
        // The product of (1 + r) telescopes to final/initial equity: the geometric mean
        // needs one power, not a logarithm per bar (backtesting.py: 0 when equity hits 0).
        let g = n < 2 ? Double.nan : (nonPositive ? 0 : pow(equity[n - 1] / equity[0], 1 / m) - 1)
        let annualReturn = pow(1 + g, periods) - 1
        s.set("Return (Ann.) [%]", .number(annualReturn * 100))
        let variance = n > 2 ? (sumR2 - sumR * sumR / m) / (m - 1) : .nan
        let volatility = (pow(variance + pow(1 + g, 2), periods) - pow(1 + g, 2 * periods)).squareRoot()
        s.set("Volatility (Ann.) [%]", finite(volatility * 100, "fewer than two bars"))
        let years = days(0, n - 1) / 365.25
        s.set(
            "CAGR [%]",
            years > 0
                ? finite((pow(equity[n - 1] / equity[0], 1 / years) - 1) * 100, "zero equity")
                : .missing("no time elapsed"))
        s.set("Sharpe Ratio", volatility > 0 ? .number(annualReturn / volatility) : .missing("no volatility"))
        let downside = n < 2 ? 0 : (downside2 / m).squareRoot()
        s.set(
            "Sortino Ratio",
            downside > 0 ? .number(annualReturn / (downside * periods.squareRoot())) : .missing("no losing bars"))
        s.set("Calmar Ratio", maxDD > 0 ? .number(annualReturn / maxDD) : .missing("no drawdown"))

        var beta = Double.nan
        if n > 2 {
            let cov = (sumEM - sumE * sumM / m) / (m - 1)
            let varM = (sumMM - sumM * sumM / m) / (m - 1)
            beta = varM > 0 ? cov / varM : .nan
        }
        let returnPct = (equity[n - 1] - equity[0]) / equity[0] * 100
        s.set("Alpha [%]", finite(returnPct - beta * buyHold, "market returns have no variance"))
        s.set("Beta", finite(beta, "market returns have no variance"))
        s.set("Max. Drawdown [%]", .number(-maxDD * 100))

        s.set(
            "Avg. Drawdown [%]",
            periodCount == 0 ? .missing("no drawdown") : .number(-ddPeakSum / Double(periodCount) * 100))
        s.set("Max. Drawdown Duration", periodCount == 0 ? .missing("no drawdown") : .days(longestDD))
        // Average durations are rounded up to whole days, as backtesting.py does.
        s.set(
            "Avg. Drawdown Duration",
            periodCount == 0 ? .missing("no drawdown") : .days((sumDD / Double(periodCount)).rounded(.up)))

        s.set("# Trades", .count(trades.count))
        // One pass over the trades for every trade statistic.
        let none = "no trades"
        var winning = 0
        var losing = 0
        var sumWinPL = 0.0
        var sumLossPL = 0.0
        var sumPL = 0.0
        var best = -Double.infinity
        var worst = Double.infinity
        var gains = 0.0
        var losses = 0.0
        var sumTradeR = 0.0
        var logGrowth = 0.0
        var wipedOut = false
        var longestDays = -Double.infinity
        var sumDays = 0.0
        for t in trades {
            let pl = t.pnl
            let r = t.returnFraction
            if pl > 0 {
                winning += 1
                sumWinPL += pl
            } else if pl < 0 {
                losing += 1
                sumLossPL += pl
            }
            sumPL += pl
            best = max(best, r)
            worst = min(worst, r)
            if r > 0 { gains += r } else if r < 0 { losses -= r }
            sumTradeR += r
            if 1 + r <= 0 { wipedOut = true } else { logGrowth += log1p(r) }
            let days = Double(t.exitSession.dayNumber - t.entrySession.dayNumber)
            longestDays = max(longestDays, days)
            sumDays += days
        }
        let count = Double(trades.count)
        let winRate = trades.isEmpty ? Double.nan : Double(winning) / count
        s.set("Win Rate [%]", finite(winRate * 100, none))
        s.set("Best Trade [%]", trades.isEmpty ? .missing(none) : .number(best * 100))
        s.set("Worst Trade [%]", trades.isEmpty ? .missing(none) : .number(worst * 100))
        // backtesting.py's geometric mean: exp(mean(log(1 + r))) − 1, 0 when any 1 + r ≤ 0.
        s.set(
            "Avg. Trade [%]",
            trades.isEmpty ? .missing(none) : .number((wipedOut ? 0 : exp(logGrowth / count) - 1) * 100))
        s.set("Max. Trade Duration", trades.isEmpty ? .missing(none) : .days(longestDays))
        s.set("Avg. Trade Duration", trades.isEmpty ? .missing(none) : .days((sumDays / count).rounded(.up)))
        s.set(
            "Profit Factor",
            trades.isEmpty ? .missing(none) : (losses > 0 ? .number(gains / losses) : .missing("no losing trades")))
        s.set("Expectancy [%]", trades.isEmpty ? .missing(none) : .number(sumTradeR / count * 100))
        var squares = 0.0  // second pass for the variance (two-pass for accuracy)
        let meanPL = sumPL / max(1, count)
        for t in trades { squares += (t.pnl - meanPL) * (t.pnl - meanPL) }
        let sdPL = trades.count > 1 ? (squares / (count - 1)).squareRoot() : .nan
        s.set(
            "SQN",
            trades.count > 1 && sdPL > 0
                ? .number(count.squareRoot() * meanPL / sdPL)
                : .missing(trades.count > 1 ? "all trades equal" : "fewer than two trades"))
        if winning > 0, losing > 0 {
            let ratio = (sumWinPL / Double(winning)) / -(sumLossPL / Double(losing))
            s.set("Kelly Criterion", .number(winRate - (1 - winRate) / ratio))
        } else {
            s.set(
                "Kelly Criterion",
                .missing(trades.isEmpty ? none : (winning == 0 ? "no winning trades" : "no losing trades")))
        }
        s.set("Bars/Year", .number(periods))
        return s
    }
}
