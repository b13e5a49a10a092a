import Foundation

/// A corporate split: `to` new shares for every `from` old ones, effective on `date`.
public struct Split: Equatable, Sendable, Codable {
    public var symbol: Symbol
    public var date: SessionDate
    public var from: Double
    public var to: Double

    public init(symbol: Symbol, date: SessionDate, from: Double, to: Double) {
        self.symbol = symbol
        self.date = date
        self.from = from
        self.to = to
    }
}

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

/// Where market data comes from (Polygon, the offline demo market). The pipeline and the
/// quote service talk to this port only. Calls block; run them on a thread of your own.
public protocol MarketDataProvider: Sendable {
    /// "polygon" or "demo".
    var name: String { get }
    /// Demo data is synthetic and must be labelled DEMO wherever it shows.
    var isDemo: Bool { get }
    /// Every ticker's bar for one session (an empty dictionary on a holiday).
    func groupedDaily(_ session: SessionDate) throws -> [Symbol: DailyBar]
    /// One ticker's daily bars between two dates, inclusive, oldest first.
    func dailyBars(_ symbol: Symbol, from: SessionDate, to: SessionDate) throws -> [DailyBar]
    /// The tradable universe with metadata.
    func symbols() throws -> [SymbolInfo]
    /// Splits effective on or after a date.
    func splits(since: SessionDate) throws -> [Split]
    /// Full metadata of one ticker (market cap, industry, list and delist dates).
    func details(_ symbol: Symbol) throws -> SymbolInfo
    /// The latest quote the provider has for a symbol (`nil` when it has none).
    func quote(_ symbol: Symbol, at now: Date) throws -> Quote?
}

/// What went wrong talking to a provider, in words a user can act on.
///
/// A 403 is read, not guessed: the body's `message` tells a plan's missing endpoint, its
/// history window and a day not yet published apart (`PolygonClient.classifyForbidden`).
public enum ProviderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 401: the key is missing or wrong.
    case unauthorized(String)
    /// 403: the plan does not include the endpoint (snapshots on the free plan).
    case notEntitled(String)
    /// 403: the session is older than the plan's history window.
    case outsideHistory(String)
    /// 403 (or an empty grouped day): the session is not published yet on this plan.
    case notYetPublished(String)
    case rateLimited(String)
    /// The response could not be trusted (bad JSON, missing fields, impossible prices).
    case invalidResponse(endpoint: String, message: String)
    case unknownSymbol(String)
    case transport(String)
    case cancelled

    public var description: String {
        switch self {
        case .unauthorized(let d):
            return "the API key was rejected (\(d)) — check POLYGON_API_KEY or polygon_api_key in the config file"
        case .notEntitled(let d):
            return "your plan does not include this endpoint (\(d)) — TradLyte falls back where it can; upgrade the "
                + "plan for more"
        case .outsideHistory(let d):
            return "your plan's history does not reach this far back (\(d)) — older sessions are skipped; "
                + "set backfill_years lower or upgrade the plan"
        case .notYetPublished(let d):
            return "not published yet on your plan (\(d)) — the session is deferred and fetched by a later run"
        case .rateLimited(let d): return "rate limited by the provider (\(d)) — lower calls_per_minute in the config"
        case .invalidResponse(let endpoint, let message): return "rejected a response from \(endpoint): \(message)"
        case .unknownSymbol(let s): return "unknown symbol '\(s)' — the provider has no such ticker"
        case .transport(let d): return d
        case .cancelled: return "cancelled"
        }
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
