/// Price fields a rule or indicator can read.
public enum PriceField: String, CaseIterable, Sendable {
    case open, high, low, close, volume
}

/// The data an indicator computes from: a bar series' columns, plus an optional single
/// input series (`sma(rsi(14), 5)` feeds RSI values to the SMA).
public struct IndicatorInputs: Sendable {
    public var open: [Double]
    public var high: [Double]
    public var low: [Double]
    public var close: [Double]
    public var volume: [Double]
    /// Replaces the default single input (close) of indicators that take one series.
    public var series: [Double]?

    public init(
        open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double], series: [Double]? = nil
    ) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.series = series
    }

    public init(_ bars: BarSeries) {
        self.init(open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume)
    }

    /// The columns of N-session bars.
    public init(_ bars: [FibBar]) {
        self.init(
            open: bars.map(\.open), high: bars.map(\.high), low: bars.map(\.low), close: bars.map(\.close),
            volume: bars.map(\.volume))
    }

    public var count: Int { close.count }
    var single: [Double] { series ?? close }
}

/// One numeric parameter of an indicator, with its default and allowed range.
public struct IndicatorParameter: Sendable, Equatable {
    public let name: String
    public let defaultValue: Double
    public let min: Double
    public let max: Double
    /// Whole numbers only (periods).
    public let integer: Bool

    public init(_ name: String, _ defaultValue: Double, _ min: Double, _ max: Double, integer: Bool = true) {
        self.name = name
        self.defaultValue = defaultValue
        self.min = min
        self.max = max
        self.integer = integer
    }

    /// Describes why `value` is not allowed, or `nil` when it is.
    public func problem(with value: Double) -> String? {
        if !value.isFinite { return "\(name) must be a finite number" }
        if integer && value != value.rounded() {
            return "\(name) must be a whole number, got \(IndicatorSpec.format(value))"
        }
        if value < min || value > max {
            return
                "\(name) \(IndicatorSpec.format(value)) is out of range \(IndicatorSpec.format(min))…\(IndicatorSpec.format(max))"
        }
        return nil
    }
}

/// An indicator described once, as data: the rule compiler, `tradlyte strategy indicators`
/// and the help screen all read this table (one description, many readers).
public struct IndicatorSpec: Sendable {
    /// Where a chart draws it.
    public enum Placement: String, Sendable { case overlay, oscillator, volume }

    public let name: String
    public let title: String
    public let summary: String
    /// The columns it reads, for documentation ("close", "high low close").
    public let inputs: [PriceField]
    /// Whether its first argument may be any series (`sma(volume, 20)`, `ema(rsi(14), 9)`).
    public let takesSeries: Bool
    public let parameters: [IndicatorParameter]
    public let outputs: [String]
    /// The output used when a rule does not name one.
    public let defaultOutput: Int
    public let placement: Placement
    /// The TA-Lib function it matches, when there is one.
    public let talib: String?
    /// Warm-up bars before the first value, from the parameter values.
    public let lookback: @Sendable ([Double]) -> Int
    let compute: @Sendable (IndicatorInputs, [Double]) -> [[Double]]
    /// How a chart draws it.
    public private(set) var display = Display()

    /// How a chart draws an indicator: facts the UI reads instead of knowing indicators by name.
    public struct Display: Sendable {
        /// An output drawn as a line, its legend label and its slot in the theme's indicator colours.
        public struct Line: Sendable, Equatable {
            public let output: Int
            public let label: String
            public let colour: Int
        }
        /// The lines drawn; `nil`: every output but `direction`, labelled with its name, colours
        /// from slot 1.
        public var lines: [Line]?
        /// The output drawn as a histogram (MACD's).
        public var histogram: Int?
        /// Horizontal guide levels (RSI's 30 and 70).
        public var guides: [Double] = []
        /// The fixed scale of a bounded oscillator (0…100); `nil`: scaled to the values shown.
        public var bounds: ClosedRange<Double>?
    }

    /// The lines a chart draws, with their labels and colour slots.
    public var lines: [Display.Line] {
        display.lines
            ?? outputs.enumerated().filter { $0.element != "direction" }.map {
                Display.Line(output: $0.offset, label: $0.element, colour: $0.offset + 1)
            }
    }

    /// This indicator with its display facts.
    func displayed(
        lines: [(Int, String, Int)]? = nil, histogram: Int? = nil, guides: [Double] = [],
        bounds: ClosedRange<Double>? = nil
    ) -> IndicatorSpec {
        var copy = self
        copy.display = Display(
            lines: lines?.map { Display.Line(output: $0.0, label: $0.1, colour: $0.2) }, histogram: histogram,
            guides: guides, bounds: bounds)
        return copy
    }

    /// Computes every output; parameters in declaration order (missing ones take defaults).
    public func callAsFunction(_ inputs: IndicatorInputs, _ values: [Double] = []) -> [[Double]] {
        compute(inputs, resolved(values))
    }

    public func resolved(_ values: [Double]) -> [Double] {
        parameters.enumerated().map { i, p in i < values.count ? values[i] : p.defaultValue }
    }

    public func outputIndex(_ name: String) -> Int? { outputs.firstIndex(of: name.lowercased()) }

    /// "sma(period=20)".
    public var signature: String {
        let params = parameters.map { "\($0.name)=\(Self.format($0.defaultValue))" }
        let all = (takesSeries ? ["[series]"] : []) + params
        return name + "(" + all.joined(separator: ", ") + ")"
    }

    public static func format(_ v: Double) -> String {
        NumberText.shortest(v)
    }
}

/// Every indicator the engine knows.
public enum IndicatorRegistry {
    public static let all: [IndicatorSpec] = [
        single(
            "sma", "Simple moving average", "Mean of the last N values.", talib: "SMA",
            [.init("period", 20, 1, 5000)], lookback: { Int($0[0]) - 1 }
        ) { x, p in [Indicators.sma(x, period: Int(p[0]))] },
        single(
            "ema", "Exponential moving average", "EMA seeded with the SMA of its first N values, k = 2/(N+1).",
            talib: "EMA",
            [.init("period", 20, 1, 5000)], lookback: { Int($0[0]) - 1 }
        ) { x, p in [Indicators.ema(x, period: Int(p[0]))] },
        single(
            "wma", "Weighted moving average", "Linearly weighted mean of the last N values (weights 1…N).",
            talib: "WMA",
            [.init("period", 20, 1, 5000)], lookback: { Int($0[0]) - 1 }
        ) { x, p in [Indicators.wma(x, period: Int(p[0]))] },
        single(
            "dema", "Double EMA", "2·EMA − EMA(EMA).", talib: "DEMA",
            [.init("period", 20, 1, 2000)], lookback: { 2 * (Int($0[0]) - 1) }
        ) { x, p in [Indicators.dema(x, period: Int(p[0]))] },
        single(
            "tema", "Triple EMA", "3·EMA − 3·EMA² + EMA³.", talib: "TEMA",
            [.init("period", 20, 1, 1500)], lookback: { 3 * (Int($0[0]) - 1) }
        ) { x, p in [Indicators.tema(x, period: Int(p[0]))] },
        single(
            "rsi", "Relative strength index", "Wilder's RSI, 0–100.", talib: "RSI", placement: .oscillator,
            [.init("period", 14, 2, 1000)], lookback: { Int($0[0]) }
        ) { x, p in [Indicators.rsi(x, period: Int(p[0]))] }
        .displayed(lines: [(0, "RSI", 1)], guides: [30, 70], bounds: 0...100),
        IndicatorSpec(
            name: "macd", title: "MACD",
            summary: "EMA(fast) − EMA(slow), its EMA signal and the histogram, aligned as TA-Lib does.",
            inputs: [.close], takesSeries: true,
            parameters: [.init("fast", 12, 2, 1000), .init("slow", 26, 2, 1000), .init("signal", 9, 1, 1000)],
            outputs: ["macd", "signal", "hist"], defaultOutput: 0, placement: .oscillator, talib: "MACD",
            lookback: { Int(max($0[0], $0[1])) + Int($0[2]) - 2 },
            compute: { i, p in
                let m = Indicators.macd(i.single, fast: Int(p[0]), slow: Int(p[1]), signal: Int(p[2]))
                return [m.macd, m.signal, m.hist]
            }
        ).displayed(lines: [(0, "MACD", 1), (1, "signal", 0)], histogram: 2, guides: [0]),
        IndicatorSpec(
            name: "bb", title: "Bollinger Bands", summary: "SMA ± k population standard deviations.",
            inputs: [.close], takesSeries: true,
            parameters: [.init("period", 20, 2, 5000), .init("k", 2, 0.1, 10, integer: false)],
            outputs: ["upper", "middle", "lower"], defaultOutput: 1, placement: .overlay, talib: "BBANDS",
            lookback: { Int($0[0]) - 1 },
            compute: { i, p in
                let b = Indicators.bbands(i.single, period: Int(p[0]), devUp: p[1], devDown: p[1])
                return [b.upper, b.middle, b.lower]
            }),
        hlc(
            "atr", "Average true range", "Wilder-smoothed true range.", talib: "ATR", placement: .oscillator,
            [.init("period", 14, 1, 1000)], lookback: { Int($0[0]) }
        ) { i, p in
            [Indicators.atr(high: i.high, low: i.low, close: i.close, period: Int(p[0]))]
        },
        hlc(
            "natr", "Normalised ATR", "ATR as a percentage of the close.", talib: "NATR", placement: .oscillator,
            [.init("period", 14, 1, 1000)], lookback: { Int($0[0]) }
        ) { i, p in
            [Indicators.natr(high: i.high, low: i.low, close: i.close, period: Int(p[0]))]
        },
        IndicatorSpec(
            name: "stoch", title: "Stochastic (slow)", summary: "Slow %K and %D with SMA smoothing, 0–100.",
            inputs: [.high, .low, .close], takesSeries: false,
            parameters: [.init("fastk", 14, 1, 1000), .init("slowk", 3, 1, 1000), .init("slowd", 3, 1, 1000)],
            outputs: ["k", "d"], defaultOutput: 0, placement: .oscillator, talib: "STOCH",
            lookback: { Int($0[0]) + Int($0[1]) + Int($0[2]) - 3 },
            compute: { i, p in
                let s = Indicators.stoch(
                    high: i.high, low: i.low, close: i.close, fastK: Int(p[0]), slowK: Int(p[1]), slowD: Int(p[2]))
                return [s.k, s.d]
            }
        ).displayed(guides: [20, 80], bounds: 0...100),
        IndicatorSpec(
            name: "stochrsi", title: "Stochastic RSI", summary: "Fast stochastic of RSI values, 0–100.",
            inputs: [.close], takesSeries: true,
            parameters: [.init("period", 14, 2, 1000), .init("fastk", 14, 1, 1000), .init("fastd", 3, 1, 1000)],
            outputs: ["k", "d"], defaultOutput: 0, placement: .oscillator, talib: "STOCHRSI",
            lookback: { Int($0[0]) + Int($0[1]) + Int($0[2]) - 2 },
            compute: { i, p in
                let s = Indicators.stochRSI(i.single, period: Int(p[0]), fastK: Int(p[1]), fastD: Int(p[2]))
                return [s.k, s.d]
            }
        ).displayed(guides: [20, 80], bounds: 0...100),
        IndicatorSpec(
            name: "adx", title: "Average directional index", summary: "Wilder's ADX with +DI and −DI, 0–100.",
            inputs: [.high, .low, .close], takesSeries: false,
            parameters: [.init("period", 14, 2, 1000)],
            outputs: ["adx", "plus_di", "minus_di"], defaultOutput: 0, placement: .oscillator, talib: "ADX",
            lookback: { 2 * Int($0[0]) - 1 },
            compute: { i, p in
                let d = Indicators.directional(high: i.high, low: i.low, close: i.close, period: Int(p[0]))
                return [d.adx, d.plusDI, d.minusDI]
            }
        ).displayed(guides: [20, 80], bounds: 0...100),
        hlc(
            "cci", "Commodity channel index", "Typical price against its SMA, in mean deviations / 0.015.",
            talib: "CCI",
            placement: .oscillator, [.init("period", 20, 2, 1000)], lookback: { Int($0[0]) - 1 }
        ) { i, p in
            [Indicators.cci(high: i.high, low: i.low, close: i.close, period: Int(p[0]))]
        },
        hlc(
            "willr", "Williams %R", "Close within the N-bar range, −100…0.", talib: "WILLR", placement: .oscillator,
            [.init("period", 14, 2, 1000)], lookback: { Int($0[0]) - 1 }
        ) { i, p in
            [Indicators.williamsR(high: i.high, low: i.low, close: i.close, period: Int(p[0]))]
        },
        IndicatorSpec(
            name: "mfi", title: "Money flow index", summary: "Volume-weighted RSI of the typical price, 0–100.",
            inputs: [.high, .low, .close, .volume], takesSeries: false, parameters: [.init("period", 14, 2, 1000)],
            outputs: ["value"], defaultOutput: 0, placement: .oscillator, talib: "MFI", lookback: { Int($0[0]) },
            compute: { i, p in
                [Indicators.mfi(high: i.high, low: i.low, close: i.close, volume: i.volume, period: Int(p[0]))]
            }
        ).displayed(guides: [20, 80], bounds: 0...100),
        IndicatorSpec(
            name: "obv", title: "On-balance volume", summary: "Running volume signed by the close's direction.",
            inputs: [.close, .volume], takesSeries: false, parameters: [],
            outputs: ["value"], defaultOutput: 0, placement: .volume, talib: "OBV", lookback: { _ in 0 },
            compute: { i, _ in [Indicators.obv(close: i.close, volume: i.volume)] }),
        single(
            "roc", "Rate of change", "Percent change over N bars.", talib: "ROC", placement: .oscillator,
            [.init("period", 10, 1, 5000)], lookback: { Int($0[0]) }
        ) { x, p in [Indicators.roc(x, period: Int(p[0]))] },
        single(
            "mom", "Momentum", "Change over N bars.", talib: "MOM", placement: .oscillator,
            [.init("period", 10, 1, 5000)], lookback: { Int($0[0]) }
        ) { x, p in [Indicators.momentum(x, period: Int(p[0]))] },
        IndicatorSpec(
            name: "donchian", title: "Donchian channel",
            summary: "Highest high and lowest low of N bars (current included), and the midpoint.",
            inputs: [.high, .low], takesSeries: false, parameters: [.init("period", 20, 1, 5000)],
            outputs: ["upper", "middle", "lower"], defaultOutput: 1, placement: .overlay, talib: nil,
            lookback: { Int($0[0]) - 1 },
            compute: { i, p in
                let d = Indicators.donchian(high: i.high, low: i.low, period: Int(p[0]))
                return [d.upper, d.middle, d.lower]
            }),
        IndicatorSpec(
            name: "keltner", title: "Keltner channel", summary: "EMA(close) ± k·ATR.",
            inputs: [.high, .low, .close], takesSeries: false,
            parameters: [
                .init("period", 20, 1, 2000), .init("k", 2, 0.1, 10, integer: false), .init("atr", 10, 1, 1000),
            ],
            outputs: ["upper", "middle", "lower"], defaultOutput: 1, placement: .overlay, talib: nil,
            lookback: { max(Int($0[0]) - 1, Int($0[2])) },
            compute: { i, p in
                let k = Indicators.keltner(
                    high: i.high, low: i.low, close: i.close, period: Int(p[0]), multiplier: p[1], atrPeriod: Int(p[2]))
                return [k.upper, k.middle, k.lower]
            }),
        IndicatorSpec(
            name: "vwap", title: "Rolling VWAP", summary: "Volume-weighted typical price over N bars.",
            inputs: [.high, .low, .close, .volume], takesSeries: false, parameters: [.init("period", 20, 1, 5000)],
            outputs: ["value"], defaultOutput: 0, placement: .overlay, talib: nil, lookback: { Int($0[0]) - 1 },
            compute: { i, p in
                [Indicators.rollingVWAP(high: i.high, low: i.low, close: i.close, volume: i.volume, period: Int(p[0]))]
            }),
        IndicatorSpec(
            name: "highest", title: "Highest",
            summary: "Highest value of N bars, current included (default input: high).",
            inputs: [.high], takesSeries: true, parameters: [.init("period", 20, 1, 5000)],
            outputs: ["value"], defaultOutput: 0, placement: .overlay, talib: "MAX", lookback: { Int($0[0]) - 1 },
            compute: { i, p in [Indicators.highest(i.series ?? i.high, period: Int(p[0]))] }),
        IndicatorSpec(
            name: "lowest", title: "Lowest", summary: "Lowest value of N bars, current included (default input: low).",
            inputs: [.low], takesSeries: true, parameters: [.init("period", 20, 1, 5000)],
            outputs: ["value"], defaultOutput: 0, placement: .overlay, talib: "MIN", lookback: { Int($0[0]) - 1 },
            compute: { i, p in [Indicators.lowest(i.series ?? i.low, period: Int(p[0]))] }),
        IndicatorSpec(
            name: "stddev", title: "Standard deviation", summary: "Population standard deviation of N values, times k.",
            inputs: [.close], takesSeries: true,
            parameters: [.init("period", 20, 2, 5000), .init("k", 1, 0.01, 100, integer: false)],
            outputs: ["value"], defaultOutput: 0, placement: .oscillator, talib: "STDDEV", lookback: { Int($0[0]) - 1 },
            compute: { i, p in [Indicators.stddev(i.single, period: Int(p[0]), deviations: p[1])] }),
        IndicatorSpec(
            name: "sar", title: "Parabolic SAR", summary: "Wilder's stop and reverse.",
            inputs: [.high, .low], takesSeries: false,
            parameters: [.init("accel", 0.02, 0.001, 1, integer: false), .init("max", 0.2, 0.01, 1, integer: false)],
            outputs: ["value"], defaultOutput: 0, placement: .overlay, talib: "SAR", lookback: { _ in 1 },
            compute: { i, p in [Indicators.sar(high: i.high, low: i.low, acceleration: p[0], maximum: p[1])] }),
        IndicatorSpec(
            name: "supertrend", title: "SuperTrend",
            summary: "ATR trailing line that flips with the trend; direction +1 up, −1 down.",
            inputs: [.high, .low, .close], takesSeries: false,
            parameters: [.init("period", 10, 1, 1000), .init("k", 3, 0.1, 20, integer: false)],
            outputs: ["line", "direction"], defaultOutput: 0, placement: .overlay, talib: nil, lookback: { Int($0[0]) },
            compute: { i, p in
                let s = Indicators.superTrend(
                    high: i.high, low: i.low, close: i.close, period: Int(p[0]), multiplier: p[1])
                return [s.line, s.direction]
            }),
        IndicatorSpec(
            name: "vegas", title: "Vegas tunnels",
            summary: "EMA 144/169 (inner tunnel) and 576/676 (outer tunnel); upper/lower bound the inner tunnel.",
            inputs: [.close], takesSeries: true,
            parameters: [
                .init("p1", 144, 1, 5000), .init("p2", 169, 1, 5000), .init("p3", 576, 1, 5000),
                .init("p4", 676, 1, 5000),
            ],
            outputs: ["ema1", "ema2", "ema3", "ema4", "upper", "lower"], defaultOutput: 4, placement: .overlay,
            talib: nil,
            lookback: { Int(max($0[0], $0[1])) - 1 },
            compute: { i, p in
                let e = (0..<4).map { Indicators.ema(i.single, period: Int(p[$0])) }
                return e + [
                    Indicators.zipMap(e[0], e[1]) { max($0, $1) }, Indicators.zipMap(e[0], e[1]) { min($0, $1) },
                ]
            }),
    ]

    private static let byName: [String: IndicatorSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> IndicatorSpec? { byName[name.lowercased()] }

    private static func single(
        _ name: String, _ title: String, _ summary: String, talib: String?,
        placement: IndicatorSpec.Placement = .overlay, _ parameters: [IndicatorParameter],
        lookback: @escaping @Sendable ([Double]) -> Int,
        _ f: @escaping @Sendable ([Double], [Double]) -> [[Double]]
    ) -> IndicatorSpec {
        IndicatorSpec(
            name: name, title: title, summary: summary, inputs: [.close], takesSeries: true, parameters: parameters,
            outputs: ["value"], defaultOutput: 0, placement: placement, talib: talib, lookback: lookback,
            compute: { i, p in f(i.single, p) })
    }

    private static func hlc(
        _ name: String, _ title: String, _ summary: String, talib: String?,
        placement: IndicatorSpec.Placement, _ parameters: [IndicatorParameter],
        lookback: @escaping @Sendable ([Double]) -> Int,
        _ f: @escaping @Sendable (IndicatorInputs, [Double]) -> [[Double]]
    ) -> IndicatorSpec {
        IndicatorSpec(
            name: name, title: title, summary: summary, inputs: [.high, .low, .close], takesSeries: false,
            parameters: parameters, outputs: ["value"], defaultOutput: 0, placement: placement, talib: talib,
            lookback: lookback, compute: f)
    }
}
