import Foundation

/// The latest price of a symbol and where it came from.
public struct Quote: Equatable, Sendable, Codable {
    /// Where a quote came from; always shown next to it.
    public enum Source: String, Sendable, Codable {
        case live  // a real-time snapshot
        case delayed  // a snapshot on a delayed plan
        case previousClose = "prev close"
        case localEOD = "local EOD"
        case demo
    }

    public var symbol: Symbol
    public var price: Double
    public var change: Double?
    public var changePercent: Double?
    public var open: Double?
    public var dayHigh: Double?
    public var dayLow: Double?
    public var volume: Double?
    /// The session the price belongs to.
    public var session: SessionDate?
    /// When the price was current (as reported by the source).
    public var asOf: Date
    /// When we fetched it.
    public var fetchedAt: Date
    public var source: Source

    public init(
        symbol: Symbol, price: Double, change: Double?, changePercent: Double?, open: Double?, dayHigh: Double?,
        dayLow: Double?, volume: Double?, session: SessionDate?, asOf: Date, fetchedAt: Date, source: Source
    ) {
        self.symbol = symbol
        self.price = price
        self.change = change
        self.changePercent = changePercent
        self.open = open
        self.dayHigh = dayHigh
        self.dayLow = dayLow
        self.volume = volume
        self.session = session
        self.asOf = asOf
        self.fetchedAt = fetchedAt
        self.source = source
    }
}

extension Quote {
    /// The quote a stored daily bar gives: its close at the session's close, the change against
    /// the previous session's close. The one place a local end-of-day quote is made.
    public static func endOfDay(
        _ symbol: Symbol, bar: DailyBar, previousClose: Double?, calendar: TradingCalendar = .nyse, fetchedAt: Date
    ) -> Quote {
        let close =
            calendar.sessionIndex(bar.session).flatMap { calendar.times(ofSessionAt: $0)?.close } ?? fetchedAt
        return Quote(
            symbol: symbol, price: bar.close, change: previousClose.map { bar.close - $0 },
            changePercent: previousClose.map { (bar.close / $0 - 1) * 100 }, open: bar.open, dayHigh: bar.high,
            dayLow: bar.low, volume: bar.volume, session: bar.session, asOf: close, fetchedAt: fetchedAt,
            source: .localEOD)
    }
}

/// What the quote service needs from local storage: a cache of recent quotes and the
/// latest stored bars (the "local EOD" fallback). `MarketStore` implements it.
public protocol QuoteStore: AnyObject {
    func cachedQuote(_ symbol: Symbol) throws -> Quote?
    func saveQuote(_ quote: Quote) throws
    /// The newest `count` daily bars, oldest first.
    func latestDailyBars(_ symbol: Symbol, count: Int) throws -> [DailyBar]
}
