/// One session of one symbol, as consolidated: prices as received (never rounded to cents).
public struct DailyBar: Equatable, Sendable, Codable {
    public var session: SessionDate
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double
    /// Volume-weighted average price, when the source provides it.
    public var vwap: Double?
    /// Number of trades, when the source provides it.
    public var trades: Int?

    public init(
        session: SessionDate, open: Double, high: Double, low: Double, close: Double,
        volume: Double, vwap: Double? = nil, trades: Int? = nil
    ) {
        self.session = session
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.vwap = vwap
        self.trades = trades
    }

    /// The first thing wrong with the bar's numbers, or `nil` when it is consistent:
    /// finite positive prices, `low ≤ open, close ≤ high`, finite non-negative volume.
    /// Bounds far beyond any US equity (the dearest trades near 10^6, the busiest session near
    /// 10^10 shares): a value past them is a unit or parsing error, and sums of such values
    /// overflow to infinity in aggregates and exports.
    public static let maxPrice = 1e9
    public static let maxVolume = 1e15

    public var problem: String? {
        // The common case first, without building anything.
        if open.isFinite && high.isFinite && low.isFinite && close.isFinite && open > 0 && high > 0 && low > 0
            && close > 0
            && low <= open && low <= close && high >= open && high >= close && volume.isFinite && volume >= 0
            && high <= Self.maxPrice && volume <= Self.maxVolume
            && (vwap.map { $0.isFinite && $0 > 0 } ?? true) && (trades.map { $0 >= 0 } ?? true)
        {
            return nil
        }
        for (name, value) in [("open", open), ("high", high), ("low", low), ("close", close)] {
            if !value.isFinite { return "\(name) is not a finite number" }
            if value <= 0 { return "\(name) \(format(value)) is not positive" }
        }
        if high < low { return "high \(format(high)) is below low \(format(low))" }
        if open > high || close > high {
            return "high \(format(high)) is below \(open > high ? "open \(format(open))" : "close \(format(close))")"
        }
        if open < low || close < low {
            return "low \(format(low)) is above \(open < low ? "open \(format(open))" : "close \(format(close))")"
        }
        if !volume.isFinite || volume < 0 { return "volume \(format(volume)) is not a non-negative number" }
        if high > Self.maxPrice {
            return "high \(format(high)) is beyond any traded price (at most \(format(Self.maxPrice)))"
        }
        if volume > Self.maxVolume {
            return "volume \(format(volume)) is beyond any session's volume (at most \(format(Self.maxVolume)) shares)"
        }
        if let vwap, !vwap.isFinite || vwap <= 0 { return "vwap \(format(vwap)) is not positive" }
        if let trades, trades < 0 { return "trades \(trades) is negative" }
        return nil
    }

    private func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A symbol's daily history in columns (one contiguous array per field), keyed by session
/// index, strictly increasing. This is the shape the resampler, indicators and backtester read.
public struct BarSeries: Equatable, Sendable {
    public var sessionIndex: [Int32] = []
    public var open: [Double] = []
    public var high: [Double] = []
    public var low: [Double] = []
    public var close: [Double] = []
    public var volume: [Double] = []

    public init() {}

    public init(capacity: Int) {
        reserveCapacity(capacity)
    }

    /// Builds a series from bars on calendar sessions; bars must be in increasing session order.
    public init(_ bars: [DailyBar], calendar: TradingCalendar = .nyse) throws(SeriesError) {
        reserveCapacity(bars.count)
        for bar in bars {
            guard let index = calendar.sessionIndex(bar.session) else { throw .notASession(bar.session) }
            try append(
                sessionIndex: Int32(index), open: bar.open, high: bar.high, low: bar.low,
                close: bar.close, volume: bar.volume)
        }
    }

    public var count: Int { sessionIndex.count }
    public var isEmpty: Bool { sessionIndex.isEmpty }

    public mutating func reserveCapacity(_ n: Int) {
        sessionIndex.reserveCapacity(n)
        open.reserveCapacity(n)
        high.reserveCapacity(n)
        low.reserveCapacity(n)
        close.reserveCapacity(n)
        volume.reserveCapacity(n)
    }

    public mutating func append(
        sessionIndex s: Int32, open o: Double, high h: Double, low l: Double,
        close c: Double, volume v: Double
    ) throws(SeriesError) {
        if let last = sessionIndex.last, s <= last { throw .outOfOrder(previous: last, next: s) }
        sessionIndex.append(s)
        open.append(o)
        high.append(h)
        low.append(l)
        close.append(c)
        volume.append(v)
    }

    /// Bars as values, with their session dates.
    public func bars(calendar: TradingCalendar = .nyse) -> [DailyBar] {
        (0..<count).map { i in
            DailyBar(
                session: calendar.sessions[Int(sessionIndex[i])], open: open[i], high: high[i],
                low: low[i], close: close[i], volume: volume[i])
        }
    }

    /// The positions of the bars whose session index lies in `range`.
    public func positions(in range: ClosedRange<Int32>) -> Range<Int> {
        lowerBound(range.lowerBound)..<lowerBound(range.upperBound &+ 1)
    }

    /// First position whose session index is ≥ `value`.
    public func lowerBound(_ value: Int32) -> Int {
        var lo = 0
        var hi = sessionIndex.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sessionIndex[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Merges `updates` into this series: a bar for an existing session replaces it, new
    /// sessions are inserted in order. Returns the merged series.
    public func merging(_ updates: BarSeries) -> BarSeries {
        var out = BarSeries(capacity: count + updates.count)
        var i = 0
        var j = 0
        while i < count || j < updates.count {
            let takeUpdate: Bool
            if j == updates.count {
                takeUpdate = false
            } else if i == count {
                takeUpdate = true
            } else {
                takeUpdate = updates.sessionIndex[j] <= sessionIndex[i]
            }
            if takeUpdate {
                if i < count && sessionIndex[i] == updates.sessionIndex[j] { i += 1 }
                out.appendUnchecked(from: updates, at: j)
                j += 1
            } else {
                out.appendUnchecked(from: self, at: i)
                i += 1
            }
        }
        return out
    }

    mutating func appendUnchecked(from other: BarSeries, at k: Int) {
        sessionIndex.append(other.sessionIndex[k])
        open.append(other.open[k])
        high.append(other.high[k])
        low.append(other.low[k])
        close.append(other.close[k])
        volume.append(other.volume[k])
    }
}

public enum SeriesError: Error, Equatable, CustomStringConvertible, Sendable {
    case notASession(SessionDate)
    case outOfOrder(previous: Int32, next: Int32)

    public var description: String {
        switch self {
        case .notASession(let date):
            return "\(date) (\(date.weekdayName)) is not an NYSE session"
        case .outOfOrder(let previous, let next):
            return
                "bars out of order: session #\(next) follows session #\(previous) — sort bars by date and remove duplicates"
        }
    }
}
