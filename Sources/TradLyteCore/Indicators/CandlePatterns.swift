/// Three-valued truth for rules: a bar's condition is true, false, or unknown (an input is
/// not available yet — during an indicator's warm-up, or before enough bars exist).
public enum Truth {
    public static let yes: Int8 = 1
    public static let no: Int8 = 0
    public static let unknown: Int8 = -1
}

/// Candlestick patterns as three-valued series. Every rule reads only the current bar and
/// earlier ones; bars without the history a pattern needs are `unknown`. Definitions use
/// body = |close − open|, range = high − low, upper shadow = high − max(open, close),
/// lower shadow = min(open, close) − low.
public enum CandlePatterns {
    public struct Pattern: Sendable {
        public let name: String
        /// Bars of history the pattern reads besides the current one.
        public let lookback: Int
        /// The exact rule, for `tradlyte strategy indicators` and the help screen.
        public let rule: String
        let test: @Sendable (Bars, Int) -> Bool
    }

    /// The columns a pattern reads.
    struct Bars {
        let open: [Double], high: [Double], low: [Double], close: [Double]
        func body(_ i: Int) -> Double { abs(close[i] - open[i]) }
        func range(_ i: Int) -> Double { high[i] - low[i] }
        func upper(_ i: Int) -> Double { high[i] - max(open[i], close[i]) }
        func lower(_ i: Int) -> Double { min(open[i], close[i]) - low[i] }
        func green(_ i: Int) -> Bool { close[i] > open[i] }
        func red(_ i: Int) -> Bool { close[i] < open[i] }
    }

    public static let all: [Pattern] = [
        Pattern(name: "green", lookback: 0, rule: "close > open") { b, i in b.green(i) },
        Pattern(name: "red", lookback: 0, rule: "close < open") { b, i in b.red(i) },
        Pattern(name: "doji", lookback: 0, rule: "body ≤ 10% of range (a bar with no range is a doji)") { b, i in
            b.body(i) <= 0.1 * b.range(i)
        },
        Pattern(
            name: "hammer", lookback: 0,
            rule: "range > 0, body ≤ 35% of range, lower shadow ≥ 2 × body, upper shadow ≤ 10% of range"
        ) { b, i in
            let r = b.range(i)
            return r > 0 && b.body(i) <= 0.35 * r && b.lower(i) >= 2 * b.body(i) && b.upper(i) <= 0.1 * r
        },
        Pattern(
            name: "shooting_star", lookback: 0,
            rule: "range > 0, body ≤ 35% of range, upper shadow ≥ 2 × body, lower shadow ≤ 10% of range"
        ) { b, i in
            let r = b.range(i)
            return r > 0 && b.body(i) <= 0.35 * r && b.upper(i) >= 2 * b.body(i) && b.lower(i) <= 0.1 * r
        },
        Pattern(
            name: "bullish_engulfing", lookback: 1,
            rule: "previous bar red, this bar green, open ≤ previous close, close ≥ previous open, body > previous body"
        ) { b, i in
            b.red(i - 1) && b.green(i) && b.open[i] <= b.close[i - 1] && b.close[i] >= b.open[i - 1]
                && b.body(i) > b.body(i - 1)
        },
        Pattern(
            name: "bearish_engulfing", lookback: 1,
            rule: "previous bar green, this bar red, open ≥ previous close, close ≤ previous open, body > previous body"
        ) { b, i in
            b.green(i - 1) && b.red(i) && b.open[i] >= b.close[i - 1] && b.close[i] <= b.open[i - 1]
                && b.body(i) > b.body(i - 1)
        },
        Pattern(
            name: "morning_star", lookback: 2,
            rule:
                "bar −2 red with body ≥ 50% of its range; bar −1 body ≤ 30% of bar −2's body and its body top ≤ bar −2's close; this bar green closing above bar −2's body midpoint"
        ) { b, i in
            let a = i - 2
            let s = i - 1
            return b.red(a) && b.body(a) >= 0.5 * b.range(a) && b.body(a) > 0 && b.body(s) <= 0.3 * b.body(a)
                && max(b.open[s], b.close[s]) <= b.close[a] && b.green(i) && b.close[i] > (b.open[a] + b.close[a]) / 2
        },
        Pattern(
            name: "evening_star", lookback: 2,
            rule:
                "bar −2 green with body ≥ 50% of its range; bar −1 body ≤ 30% of bar −2's body and its body bottom ≥ bar −2's close; this bar red closing below bar −2's body midpoint"
        ) { b, i in
            let a = i - 2
            let s = i - 1
            return b.green(a) && b.body(a) >= 0.5 * b.range(a) && b.body(a) > 0 && b.body(s) <= 0.3 * b.body(a)
                && min(b.open[s], b.close[s]) >= b.close[a] && b.red(i) && b.close[i] < (b.open[a] + b.close[a]) / 2
        },
        Pattern(name: "inside_bar", lookback: 1, rule: "high < previous high and low > previous low") { b, i in
            b.high[i] < b.high[i - 1] && b.low[i] > b.low[i - 1]
        },
        Pattern(name: "outside_bar", lookback: 1, rule: "high > previous high and low < previous low") { b, i in
            b.high[i] > b.high[i - 1] && b.low[i] < b.low[i - 1]
        },
    ]

    private static let byName: [String: Pattern] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> Pattern? { byName[name.lowercased()] }

    /// Evaluates a pattern on every bar: `Truth.unknown` for the first `lookback` bars.
    public static func evaluate(_ pattern: Pattern, open: [Double], high: [Double], low: [Double], close: [Double])
        -> [Int8]
    {
        let bars = Bars(open: open, high: high, low: low, close: close)
        return (0..<close.count).map { i in
            i < pattern.lookback ? Truth.unknown : (pattern.test(bars, i) ? Truth.yes : Truth.no)
        }
    }
}
