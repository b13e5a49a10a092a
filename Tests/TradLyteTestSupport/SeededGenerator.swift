import Foundation
import TradLyteCore

/// A seeded 64-bit LCG (Knuth's MMIX constants): the same numbers on every machine and run,
/// so random data in tests is reproducible and golden files stay valid.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}

/// A deterministic OHLCV random walk: each bar opens near the last close, closes within
/// `closeSpread`, and has wicks within `wickSpread`. The draws are taken in the order open,
/// close, high, low, volume, so data sets built from a seed never change.
public struct RandomWalk {
    public struct Bar: Sendable {
        public let open, high, low, close, volume: Double
    }

    public var generator: SeededGenerator
    public var price: Double
    public var openSpread = 0.02
    public var closeSpread = 0.04
    /// The close's drift: 0.5 is none, below 0.5 trends up.
    public var closeCentre = 0.5
    public var wickSpread = 0.01
    /// Every `dojiEvery`-th bar (counted from 0, at index 5 modulo it) closes at its open.
    public var dojiEvery: Int?
    /// Volume from a uniform draw.
    public var volume: @Sendable (Double) -> Double = { ($0 * 1_000_000).rounded() }
    private var index = 0

    public init(seed: UInt64, start: Double = 100) {
        generator = SeededGenerator(seed: seed)
        price = start
    }

    public mutating func nextBar() -> Bar {
        let open = price * (1 + (generator.unit() - 0.5) * openSpread)
        let doji = dojiEvery.map { index % $0 == 5 } ?? false
        let close = doji ? open : open * (1 + (generator.unit() - closeCentre) * closeSpread)
        let high = max(open, close) * (1 + generator.unit() * wickSpread)
        let low = min(open, close) * (1 - generator.unit() * wickSpread)
        let bar = Bar(open: open, high: high, low: low, close: close, volume: volume(generator.unit()))
        price = close
        index += 1
        return bar
    }

    public mutating func bars(_ count: Int) -> [Bar] {
        (0..<count).map { _ in nextBar() }
    }

    /// `count` daily bars on consecutive sessions from the first session on or after `start`.
    public mutating func dailyBars(
        from start: SessionDate, count: Int,
        calendar: TradingCalendar = .nyse
    ) -> [DailyBar] {
        var index = calendar.sessionIndex(onOrAfter: start)
        var result: [DailyBar] = []
        for _ in 0..<count {
            let b = nextBar()
            result.append(
                DailyBar(
                    session: calendar.sessions[index], open: b.open, high: b.high, low: b.low,
                    close: b.close, volume: b.volume))
            index += 1
        }
        return result
    }

    /// The same bars as a CSV with a `date,open,high,low,close,volume` header.
    public static func csv(_ bars: [DailyBar]) -> String {
        var lines = ["date,open,high,low,close,volume"]
        for b in bars {
            lines.append("\(b.session),\(b.open),\(b.high),\(b.low),\(b.close),\(Int(b.volume))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
