import Foundation
import TradLyteCore

/// The Polygon (Massive) REST client.
///
/// The API key travels in an Authorization header, never in a URL, and is redacted from
/// every error text. Calls are paced by a `RateLimiter`, retried with exponential backoff
/// and jitter on 429/5xx/timeouts (honouring Retry-After), and 401/403 fail at once with
/// what to do. Responses are validated before use: bad JSON, missing fields, wrong types,
/// impossible prices are rejected with the field's path; nothing partial is returned.
public final class PolygonClient: MarketDataProvider, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var apiKey: String
        public var baseURL: String
        public var callsPerMinute: Double
        public var retries: Int
        /// First backoff in seconds; doubles per attempt, with ±50% jitter.
        public var backoff: Double
        public var timeout: Double
        public var includeOTC: Bool

        public init(apiKey: String, baseURL: String = "https://api.polygon.io", callsPerMinute: Double = 5, retries: Int = 2,
                    backoff: Double = 1, timeout: Double = 30, includeOTC: Bool = false) {
            self.apiKey = apiKey
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.callsPerMinute = callsPerMinute
            self.retries = retries
            self.backoff = backoff
            self.timeout = timeout
            self.includeOTC = includeOTC
        }
    }

    public let name = "polygon"
    public let isDemo = false
    public let configuration: Configuration
    public let limiter: RateLimiter
    private let transport: HTTPTransport
    private let calendar: TradingCalendar
    private let clock: any WallClock
    private let sleeper: any Sleeper
    /// The backoff's jitter factor (0.5…1.5); injected so tests can pin it.
    private let jitter: @Sendable () -> Double
    /// Set by the caller to abort long runs.
    public let cancellation = CancellationFlag()

    /// Primary exchanges of US-listed securities and the security types the engine tracks.
    public static let usExchanges: Set<String> = ["XNYS", "XNAS", "XASE", "ARCX", "BATS", "IEXG"]
    public static let trackedTypes: Set<String> = ["CS", "ADRC", "ETF", "ETV", "PFD"]

    /// `clock` and `sleeper` drive pacing and backoff; `limiter` is shared when several clients
    /// spend one key's budget (else the client makes its own from `callsPerMinute`).
    public init(configuration: Configuration, transport: HTTPTransport, calendar: TradingCalendar = .nyse,
                clock: any WallClock, sleeper: any Sleeper, limiter: RateLimiter? = nil,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5...1.5) }) {
        self.configuration = configuration
        self.transport = transport
        self.calendar = calendar
        self.clock = clock
        self.sleeper = sleeper
        self.jitter = jitter
        let own = { RateLimiter(callsPerMinute: configuration.callsPerMinute, clock: clock, sleeper: sleeper) }
        self.limiter = limiter ?? own()
    }

    /// Replaces the key with *** wherever it appears.
    public func redact(_ text: String) -> String {
        configuration.apiKey.count >= 4 ? text.replacingOccurrences(of: configuration.apiKey, with: "***") : text
    }

    // MARK: - Requests

    /// GETs `pathOrURL` (a path, or a full `next_url`) with retries; returns the body of a 2xx.
    func fetch(_ pathOrURL: String, query: [(String, String)] = []) throws -> Data {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : configuration.baseURL + pathOrURL
        let endpoint = Self.endpointName(url)
        let request = HTTPRequest(url: url, query: query,
                                  headers: [("Authorization", "Bearer \(configuration.apiKey)"), ("Accept", "application/json")],
                                  connectTimeout: min(10, configuration.timeout), timeout: configuration.timeout)
        var attempt = 0
        while true {
            do {
                try limiter.acquire(cancel: cancellation)
            } catch {
                throw ProviderError.cancelled
            }
            let failure: HTTPError
            var retryAfter: Double?
            do {
                let response = try transport.get(request, cancel: cancellation)
                switch response.status {
                case 200..<300: return response.body
                case 401: throw ProviderError.unauthorized("HTTP 401 from \(endpoint)")
                case 403: throw ProviderError.forbidden("HTTP 403 from \(endpoint)")
                case 404: throw ProviderError.invalidResponse(endpoint: endpoint, message: "HTTP 404 — not found")
                default:
                    retryAfter = response.retryAfter
                    if response.status == 429 { limiter.pause(for: retryAfter ?? configuration.backoff) }
                    failure = .status(response.status, bodyExcerpt: redact(String(decoding: response.body.prefix(200), as: UTF8.self)))
                }
            } catch let error as ProviderError {
                throw error
            } catch let error as HTTPError {
                failure = error
            } catch {
                failure = .transfer("\(error)")
            }
            if failure == .cancelled { throw ProviderError.cancelled }
            guard failure.isTransient, attempt < configuration.retries else {
                if case .status(429, _) = failure { throw ProviderError.rateLimited("HTTP 429 from \(endpoint) after \(attempt + 1) attempts") }
                throw ProviderError.transport(redact("\(endpoint): \(failure) (after \(attempt + 1) attempt\(attempt == 0 ? "" : "s"))"))
            }
            attempt += 1
            let delay = retryAfter ?? min(30, configuration.backoff * pow(2, Double(attempt - 1)) * jitter())
            guard sleeper.sleep(delay, isCancelled: { cancellation.isCancelled }) else {
                throw ProviderError.cancelled
            }
        }
    }

    /// Fetches `path` and every page its `next_url`s lead to (at most `maxPages`), handing each
    /// page's body and endpoint name to `page`, which returns the page's `next_url`.
    func paginate(_ path: String, query: [(String, String)], maxPages: Int = 10_000,
                  _ page: (Data, String) throws -> String?) throws {
        var url = path, q = query, pages = 0
        while true {
            let data = try fetch(url, query: q)
            pages += 1
            guard let next = try page(data, Self.endpointName(url)), !next.isEmpty, pages < maxPages else { return }
            url = next
            q = []  // next_url carries the query (and its cursor) itself
        }
    }

    /// "/v2/aggs/grouped/…" without the query, for messages.
    static func endpointName(_ url: String) -> String {
        var s = url
        if let r = s.range(of: "://") { s = String(s[r.upperBound...]); s = s.firstIndex(of: "/").map { String(s[$0...]) } ?? "/" }
        if let q = s.firstIndex(of: "?") { s = String(s[..<q]) }
        return s
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data, endpoint: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ProviderError.invalidResponse(endpoint: endpoint, message: Self.describe(error))
        } catch {
            throw ProviderError.invalidResponse(endpoint: endpoint, message: "\(error)")
        }
    }

    /// Aggregate responses go through the fast parser (see `AggregatesParser`).
    func aggregates(_ data: Data, endpoint: String) throws -> AggsResponse {
        do { return try AggregatesParser.parse(data) } catch {
            throw ProviderError.invalidResponse(endpoint: endpoint, message: error.message)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) is not \(type == String.self ? "a string" : "a number")"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON (truncated or malformed body)" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    // MARK: - Shapes

    struct Agg: Decodable, Equatable {
        let T: String?
        let o: Double, h: Double, l: Double, c: Double, v: Double
        let vw: Double?
        let t: Int64
        let n: Int?
    }

    struct AggsResponse: Decodable, Equatable {
        let status: String?
        let resultsCount: Int?
        let results: [Agg]?
        let next_url: String?
    }

    func bar(_ a: Agg, index: Int, endpoint: String, sessionOf: ((Int64) -> SessionDate)? = nil) throws -> DailyBar {
        let session = sessionOf?(a.t) ?? NewYorkTime.local(at: Date(timeIntervalSince1970: Double(a.t) / 1000)).date
        let bar = DailyBar(session: session, open: a.o, high: a.h, low: a.l, close: a.c, volume: a.v, vwap: a.vw, trades: a.n)
        if let problem = bar.problem {
            throw ProviderError.invalidResponse(endpoint: endpoint, message: "results[\(index)]\(a.T.map { " (\($0))" } ?? ""): \(problem)")
        }
        guard calendar.isSession(session) else {
            throw ProviderError.invalidResponse(endpoint: endpoint, message: "results[\(index)]: t=\(a.t) is \(session), not an NYSE session")
        }
        return bar
    }

    // MARK: - Endpoints

    public func groupedDaily(_ session: SessionDate) throws -> [Symbol: DailyBar] {
        let path = "/v2/aggs/grouped/locale/us/market/stocks/\(session)"
        let data = try fetch(path, query: [("adjusted", "true"), ("include_otc", configuration.includeOTC ? "true" : "false")])
        return try parseGroupedDaily(data, session: session)
    }

    /// Parses a grouped-daily payload (public for the benchmark).
    public func parseGroupedDaily(_ data: Data, session: SessionDate) throws -> [Symbol: DailyBar] {
        let endpoint = "/v2/aggs/grouped/locale/us/market/stocks/\(session)"
        let response = try aggregates(data, endpoint: endpoint)
        var result: [Symbol: DailyBar] = [:]
        let results = response.results ?? []
        result.reserveCapacity(results.count)
        // Every bar of a grouped payload carries the same timestamp: convert it once.
        var lastT: Int64 = .min
        var lastSession = session
        let sessionOf: (Int64) -> SessionDate = { t in
            if t != lastT {
                lastT = t
                lastSession = NewYorkTime.local(at: Date(timeIntervalSince1970: Double(t) / 1000)).date
            }
            return lastSession
        }
        for (i, a) in results.enumerated() {
            guard let ticker = a.T else { throw ProviderError.invalidResponse(endpoint: endpoint, message: "missing field results[\(i)].T") }
            // Tickers outside our symbol grammar (warrants with '+', test symbols) are skipped, not fatal.
            guard let symbol = try? Symbol(ticker) else { continue }
            let b = try bar(a, index: i, endpoint: endpoint, sessionOf: sessionOf)
            guard b.session == session else {
                throw ProviderError.invalidResponse(endpoint: endpoint, message: "results[\(i)] (\(ticker)) is for \(b.session), not \(session)")
            }
            result[symbol] = b
        }
        return result
    }

    public func dailyBars(_ symbol: Symbol, from: SessionDate, to: SessionDate) throws -> [DailyBar] {
        var bars: [DailyBar] = []
        try paginate("/v2/aggs/ticker/\(symbol)/range/1/day/\(from)/\(to)",
                     query: [("adjusted", "true"), ("sort", "asc"), ("limit", "50000")]) { data, endpoint in
            let response = try aggregates(data, endpoint: endpoint)
            for (i, a) in (response.results ?? []).enumerated() { bars.append(try bar(a, index: i, endpoint: endpoint)) }
            return response.next_url
        }
        // Pages must join into one increasing series.
        for k in bars.indices.dropFirst() where bars[k].session <= bars[k - 1].session {
            throw ProviderError.invalidResponse(endpoint: "/v2/aggs/ticker/\(symbol)/range", message: "bars out of order at \(bars[k].session)")
        }
        return bars
    }

    struct TickersResponse: Decodable {
        struct Ticker: Decodable {
            let ticker: String
            let name: String?
            let type: String?
            let primary_exchange: String?
            let active: Bool?
            let market: String?
        }
        let results: [Ticker]?
        let next_url: String?
    }

    public func symbols() throws -> [SymbolInfo] {
        var result: [SymbolInfo] = []
        try paginate("/v3/reference/tickers", query: [("market", "stocks"), ("active", "true"), ("limit", "1000")]) { data, _ in
            let response = try decode(TickersResponse.self, data, endpoint: "/v3/reference/tickers")
            for t in response.results ?? [] {
                guard let type = t.type, Self.trackedTypes.contains(type),
                      let exchange = t.primary_exchange, Self.usExchanges.contains(exchange),
                      let symbol = try? Symbol(t.ticker) else { continue }
                result.append(SymbolInfo(symbol: symbol, name: t.name, type: type, exchange: exchange, active: t.active ?? true))
            }
            return response.next_url
        }
        return result
    }

    struct DetailsResponse: Decodable {
        struct Details: Decodable {
            let ticker: String
            let name: String?
            let type: String?
            let primary_exchange: String?
            let active: Bool?
            let market_cap: Double?
            let sic_description: String?
            let description: String?
            let list_date: String?
            let delisted_utc: String?
        }
        let results: Details?
    }

    /// Full metadata of one ticker (market cap, industry, description, dates).
    public func details(_ symbol: Symbol) throws -> SymbolInfo {
        let endpoint = "/v3/reference/tickers/\(symbol)"
        let data: Data
        do { data = try fetch(endpoint) } catch ProviderError.invalidResponse(_, let m) where m.hasPrefix("HTTP 404") {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        guard let d = try decode(DetailsResponse.self, data, endpoint: endpoint).results else {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        return SymbolInfo(symbol: symbol, name: d.name, type: d.type, exchange: d.primary_exchange, active: d.active ?? true,
                          marketCap: d.market_cap, industry: d.sic_description, description: d.description,
                          listDate: d.list_date.flatMap { try? SessionDate(iso: $0) },
                          delistDate: d.delisted_utc.flatMap { try? SessionDate(iso: String($0.prefix(10))) })
    }

    struct SplitsResponse: Decodable {
        struct Item: Decodable {
            let ticker: String
            let execution_date: String
            let split_from: Double
            let split_to: Double
        }
        let results: [Item]?
        let next_url: String?
    }

    public func splits(since: SessionDate) throws -> [Split] {
        var result: [Split] = []
        try paginate("/v3/reference/splits", query: [("execution_date.gte", since.description), ("limit", "1000")]) { data, _ in
            let response = try decode(SplitsResponse.self, data, endpoint: "/v3/reference/splits")
            for (i, s) in (response.results ?? []).enumerated() {
                guard let symbol = try? Symbol(s.ticker) else { continue }
                guard let date = try? SessionDate(iso: s.execution_date), s.split_from > 0, s.split_to > 0 else {
                    throw ProviderError.invalidResponse(endpoint: "/v3/reference/splits", message: "results[\(i)] (\(s.ticker)) has an invalid date or ratio")
                }
                result.append(Split(symbol: symbol, date: date, from: s.split_from, to: s.split_to))
            }
            return response.next_url
        }
        return result
    }

    struct SnapshotResponse: Decodable {
        struct Bar: Decodable { let o: Double?, h: Double?, l: Double?, c: Double?, v: Double? }
        struct Trade: Decodable { let p: Double?, t: Int64? }
        struct Ticker: Decodable {
            let ticker: String
            let todaysChange: Double?
            let todaysChangePerc: Double?
            let updated: Int64?
            let day: Bar?
            let prevDay: Bar?
            let lastTrade: Trade?
        }
        let ticker: Ticker?
    }

    /// The snapshot, or the previous close when the plan has no snapshots.
    public func quote(_ symbol: Symbol, at now: Date) throws -> Quote? {
        do {
            return try snapshot(symbol, at: now)
        } catch ProviderError.forbidden {
            return try previousClose(symbol, at: now)
        }
    }

    public func snapshot(_ symbol: Symbol, at now: Date) throws -> Quote? {
        let endpoint = "/v2/snapshot/locale/us/markets/stocks/tickers/\(symbol)"
        let data: Data
        do { data = try fetch(endpoint) } catch ProviderError.invalidResponse(_, let m) where m.hasPrefix("HTTP 404") {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        guard let t = try decode(SnapshotResponse.self, data, endpoint: endpoint).ticker else { return nil }
        guard let price = t.lastTrade?.p ?? t.day?.c, price > 0, price.isFinite else {
            throw ProviderError.invalidResponse(endpoint: endpoint, message: "no last trade or day close in the snapshot")
        }
        let updatedNanos = t.updated ?? t.lastTrade?.t
        let asOf = updatedNanos.map { Date(timeIntervalSince1970: Double($0) / 1e9) } ?? now
        let session = NewYorkTime.local(at: asOf).date
        return Quote(symbol: symbol, price: price, change: t.todaysChange, changePercent: t.todaysChangePerc,
                     open: t.day?.o, dayHigh: t.day?.h, dayLow: t.day?.l, volume: t.day?.v,
                     session: calendar.isSession(session) ? session : nil, asOf: asOf, fetchedAt: now,
                     source: now.timeIntervalSince(asOf) < 120 ? .live : .delayed)
    }

    public func previousClose(_ symbol: Symbol, at now: Date) throws -> Quote? {
        let endpoint = "/v2/aggs/ticker/\(symbol)/prev"
        let data = try fetch(endpoint, query: [("adjusted", "true")])
        let response = try aggregates(data, endpoint: endpoint)
        guard let a = response.results?.first else { throw ProviderError.unknownSymbol(symbol.rawValue) }
        let b = try bar(a, index: 0, endpoint: endpoint)
        let close = calendar.sessionIndex(b.session).flatMap { calendar.times(ofSessionAt: $0)?.close } ?? now
        return Quote(symbol: symbol, price: b.close, change: b.close - b.open, changePercent: (b.close / b.open - 1) * 100,
                     open: b.open, dayHigh: b.high, dayLow: b.low, volume: b.volume, session: b.session, asOf: close,
                     fetchedAt: now, source: .previousClose)
    }

    struct MarketStatus: Decodable { let market: String?; let serverTime: String? }

    /// The market's state ("open", "closed", "extended-hours"); a cheap call for `doctor`.
    public func marketStatus() throws -> String {
        let data = try fetch("/v1/marketstatus/now")
        guard let market = try decode(MarketStatus.self, data, endpoint: "/v1/marketstatus/now").market else {
            throw ProviderError.invalidResponse(endpoint: "/v1/marketstatus/now", message: "missing field market")
        }
        return market
    }
}
