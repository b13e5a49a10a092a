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

    public static func compute(trades: [BacktestTrade], equity: [Double], drawdown dd: [Double], bars: [FibBar], close: [Double],
                        warmup: Int, interval: FibInterval, calendar: TradingCalendar) -> BacktestStatistics {
        var s = BacktestStatistics()
        let n = equity.count
        guard n > 0 else {
            s.set("Start", .missing("no bars"))
            return s
        }
        let sessions = calendar.sessions  // one reference, not one per bar
        let dayNumbers = bars.map { sessions[Int($0.lastSession)].dayNumber }
        let dates = [dayNumbers.first!, dayNumbers.last!].map { SessionDate(dayNumber: $0) }
        func days(_ a: Int, _ b: Int) -> Double { Double(dayNumbers[b] - dayNumbers[a]) }
        s.set("Start", .date(dates[0]))
        s.set("End", .date(dates[1]))
        s.set("Duration", .days(days(0, n - 1)))

        var position = [Bool](repeating: false, count: n)
        for t in trades { for i in t.entryBar...t.exitBar { position[i] = true } }
        s.set("Exposure Time [%]", .number(Double(position.filter { $0 }.count) / Double(n) * 100))
        s.set("Equity Final [$]", .number(equity[n - 1]))
        s.set("Equity Peak [$]", .number(equity.max()!))
        s.set("Commissions [$]", .number(trades.reduce(0) { $0 + $1.commissions }))
        s.set("Return [%]", .number((equity[n - 1] - equity[0]) / equity[0] * 100))
        let w = min(warmup, n - 1)
        let buyHold = (close[n - 1] - close[w]) / close[w] * 100
        s.set("Buy & Hold Return [%]", .number(buyHold))

        let periods = 252.0 / Double(interval.sessions)
        // One pass over the bars for the return moments and both log-return series.
        var sumR = 0.0, sumR2 = 0.0, downside2 = 0.0
        var sumE = 0.0, sumM = 0.0, sumEE = 0.0, sumMM = 0.0, sumEM = 0.0
        equity.withUnsafeBufferPointer { e in
            close.withUnsafeBufferPointer { c in
                for i in 1..<max(1, n) {
                    let r = e[i] / e[i - 1] - 1
                    sumR += r
                    sumR2 += r * r
                    if r < 0 { downside2 += r * r }
                    // Flat stretches (no position) have zero log returns: skip the logarithm there.
                    let le = e[i] == e[i - 1] ? 0 : log(e[i] / e[i - 1])
                    let lm = log(c[i] / c[i - 1])
                    sumE += le; sumM += lm; sumEE += le * le; sumMM += lm * lm; sumEM += le * lm
                }
            }
        }
        let m = Double(n - 1)
        // The product of (1 + r) telescopes to final/initial equity: the geometric mean
        // needs one power, not a logarithm per bar (backtesting.py: 0 when equity hits 0).
        let g = n < 2 ? Double.nan : (equity.contains { $0 <= 0 } ? 0 : pow(equity[n - 1] / equity[0], 1 / m) - 1)
        let annualReturn = pow(1 + g, periods) - 1
        s.set("Return (Ann.) [%]", .number(annualReturn * 100))
        let variance = n > 2 ? (sumR2 - sumR * sumR / m) / (m - 1) : .nan
        let volatility = (pow(variance + pow(1 + g, 2), periods) - pow(1 + g, 2 * periods)).squareRoot()
        s.set("Volatility (Ann.) [%]", finite(volatility * 100, "fewer than two bars"))
        let years = days(0, n - 1) / 365.25
        s.set("CAGR [%]", years > 0 ? finite((pow(equity[n - 1] / equity[0], 1 / years) - 1) * 100, "zero equity") : .missing("no time elapsed"))
        s.set("Sharpe Ratio", volatility > 0 ? .number(annualReturn / volatility) : .missing("no volatility"))
        let downside = n < 2 ? 0 : (downside2 / m).squareRoot()
        s.set("Sortino Ratio", downside > 0 ? .number(annualReturn / (downside * periods.squareRoot())) : .missing("no losing bars"))
        let maxDD = dd.max() ?? 0
        s.set("Calmar Ratio", maxDD > 0 ? .number(annualReturn / maxDD) : .missing("no drawdown"))

        var beta = Double.nan
        if n > 2 {
            let cov = (sumEM - sumE * sumM / m) / (m - 1), varM = (sumMM - sumM * sumM / m) / (m - 1)
            beta = varM > 0 ? cov / varM : .nan
        }
        let returnPct = (equity[n - 1] - equity[0]) / equity[0] * 100
        s.set("Alpha [%]", finite(returnPct - beta * buyHold, "market returns have no variance"))
        s.set("Beta", finite(beta, "market returns have no variance"))
        s.set("Max. Drawdown [%]", .number(-maxDD * 100))

        // Drawdown periods run between bars at a new peak (dd == 0), as backtesting.py counts them.
        var zeros = (0..<n).filter { dd[$0] == 0 }
        if zeros.last != n - 1 { zeros.append(n - 1) }
        var peaks: [Double] = [], durations: [Double] = []
        for (a, b) in zip(zeros, zeros.dropFirst()) where b > a + 1 {
            durations.append(days(a, b))
            peaks.append(dd[a...b].max()!)
        }
        s.set("Avg. Drawdown [%]", peaks.isEmpty ? .missing("no drawdown") : .number(-peaks.reduce(0, +) / Double(peaks.count) * 100))
        s.set("Max. Drawdown Duration", durations.isEmpty ? .missing("no drawdown") : .days(durations.max()!))
        // Average durations are rounded up to whole days, as backtesting.py does.
        s.set("Avg. Drawdown Duration", durations.isEmpty ? .missing("no drawdown") : .days((durations.reduce(0, +) / Double(durations.count)).rounded(.up)))

        s.set("# Trades", .count(trades.count))
        let pl = trades.map(\.pnl), r = trades.map(\.returnFraction)
        let none = "no trades"
        let winRate = trades.isEmpty ? Double.nan : Double(pl.filter { $0 > 0 }.count) / Double(trades.count)
        s.set("Win Rate [%]", finite(winRate * 100, none))
        s.set("Best Trade [%]", r.max().map { .number($0 * 100) } ?? .missing(none))
        s.set("Worst Trade [%]", r.min().map { .number($0 * 100) } ?? .missing(none))
        s.set("Avg. Trade [%]", trades.isEmpty ? .missing(none) : .number(geometricMean(r) * 100))
        let tradeDays = trades.map { Double($0.exitSession.dayNumber - $0.entrySession.dayNumber) }
        s.set("Max. Trade Duration", tradeDays.max().map { .days($0) } ?? .missing(none))
        s.set("Avg. Trade Duration", tradeDays.isEmpty ? .missing(none) : .days((tradeDays.reduce(0, +) / Double(tradeDays.count)).rounded(.up)))
        let gains = r.filter { $0 > 0 }.reduce(0, +), losses = abs(r.filter { $0 < 0 }.reduce(0, +))
        s.set("Profit Factor", trades.isEmpty ? .missing(none) : (losses > 0 ? .number(gains / losses) : .missing("no losing trades")))
        s.set("Expectancy [%]", trades.isEmpty ? .missing(none) : .number(r.reduce(0, +) / Double(r.count) * 100))
        let sdPL = sampleVariance(pl).squareRoot()  // trades are few: two passes are fine
        s.set("SQN", trades.count > 1 && sdPL > 0 ? .number(Double(trades.count).squareRoot() * (pl.reduce(0, +) / Double(pl.count)) / sdPL)
                                                  : .missing(trades.count > 1 ? "all trades equal" : "fewer than two trades"))
        let wins = pl.filter { $0 > 0 }, lossesPL = pl.filter { $0 < 0 }
        if !wins.isEmpty, !lossesPL.isEmpty {
            let ratio = (wins.reduce(0, +) / Double(wins.count)) / -(lossesPL.reduce(0, +) / Double(lossesPL.count))
            s.set("Kelly Criterion", .number(winRate - (1 - winRate) / ratio))
        } else {
            s.set("Kelly Criterion", .missing(trades.isEmpty ? none : (wins.isEmpty ? "no winning trades" : "no losing trades")))
        }
        s.set("Bars/Year", .number(periods))
        return s
    }

    /// backtesting.py's geometric mean: exp(mean(log(1 + r))) − 1, 0 when any 1 + r ≤ 0.
    static func geometricMean(_ r: [Double]) -> Double {
        guard !r.isEmpty else { return .nan }
        if r.contains(where: { 1 + $0 <= 0 }) { return 0 }
        return exp(r.map { log(1 + $0) }.reduce(0, +) / Double(r.count)) - 1
    }

    static func sampleVariance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = x.reduce(0, +) / Double(x.count)
        return x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)
    }
}
