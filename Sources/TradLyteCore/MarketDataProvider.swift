import Foundation

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
    /// The provider asked for a wait longer than the configured cap (a huge `Retry-After`): the
    /// work is deferred to a later run instead of holding the lock for hours.
    case waitTooLong(String)
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
        case .waitTooLong(let d):
            return "the provider asked for a long wait (\(d)) — the rest is deferred to the next run; raise "
                + "max_wait_seconds in the config to wait instead"
        case .invalidResponse(let endpoint, let message): return "rejected a response from \(endpoint): \(message)"
        case .unknownSymbol(let s): return "unknown symbol '\(s)' — the provider has no such ticker"
        case .transport(let d): return d
        case .cancelled: return "cancelled"
        }
    }
}
