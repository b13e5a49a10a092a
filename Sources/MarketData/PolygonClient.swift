import Foundation
import TradLyteCore

/// The Polygon (Massive) REST client.
///
/// The API key travels in an Authorization header, never in a URL, and is redacted from
/// every error text; it is sent only to the configured base URL (a `next_url` is re-based onto
/// it, one naming a foreign host is refused) and must be printable with no whitespace.
/// Calls are paced by a `RateLimiter` (shared by every process using the key when it has a
/// state file), and this is the one retry policy of the engine: 5xx/timeouts back off
/// exponentially with jitter, a 429 waits for its Retry-After or, without one, the plan's
/// one-minute window. 401 fails at once; a 403 is read from its body (`classifyForbidden`).
/// Responses are validated before use: bad JSON, missing fields, wrong types, impossible
/// prices are rejected with the field's path; nothing partial is returned.
public final class PolygonClient: MarketDataProvider, Sendable {
    public struct Configuration: Sendable {
        public var apiKey: String
        public var baseURL: String
        public var callsPerMinute: Double
        public var retries: Int
        /// First backoff in seconds; doubles per attempt, with ±50% jitter.
        public var backoff: Double
        public var timeout: Double
        public var includeOTC: Bool
        /// The longest wait the client accepts (a Retry-After, the rate window, a backoff); a
        /// provider asking for more gets `ProviderError.waitTooLong` and the work is deferred.
        public var maxWaitSeconds: Double

        public init(
            apiKey: String, baseURL: String = PolygonClient.defaultBaseURL, callsPerMinute: Double = 5,
            retries: Int = 2,
            backoff: Double = 1, timeout: Double = 30, includeOTC: Bool = false, maxWaitSeconds: Double = 300
        ) {
            self.maxWaitSeconds = maxWaitSeconds
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
    /// Set by the caller to abort long runs: ends a transfer, a backoff or a rate-limit wait.
    public let cancellation: CancellationFlag
    /// Facts about the key's plan worth remembering between processes ("snapshots": "none").
    private let planMemory: PlanMemory?
    private let noticeHandler = Locked<(@Sendable (String) -> Void)?>(nil)

    /// The official clients' default since the rebrand; `api.polygon.io` remains supported.
    public static let defaultBaseURL = "https://api.massive.com"
    /// Hosts the service names in its own `next_url`s; their paths are re-based onto the configured base.
    public static let serviceHosts: Set<String> = ["api.massive.com", "api.polygon.io"]
    /// The most results a ticker or split listing is paged for (ten times today's US market).
    public static let maxTickers = 120_000
    /// The free plan's rate-limit window: a 429 without Retry-After waits this long.
    public static let rateWindowSeconds = 60.0

    /// Primary exchanges of US-listed securities and the security types the engine tracks.
    public static let usExchanges: Set<String> = ["XNYS", "XNAS", "XASE", "ARCX", "BATS", "IEXG"]
    public static let trackedTypes: Set<String> = ["CS", "ADRC", "ETF", "ETV", "PFD"]

    /// `clock` and `sleeper` drive pacing and backoff; `limiter` is shared when several clients
    /// spend one key's budget (else the client makes its own from `callsPerMinute`).
    public init(
        configuration: Configuration, transport: HTTPTransport, calendar: TradingCalendar = .nyse,
        clock: any WallClock, sleeper: any Sleeper, limiter: RateLimiter? = nil, planMemory: PlanMemory? = nil,
        cancellation: CancellationFlag = CancellationFlag(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5...1.5) }
    ) {
        self.configuration = configuration
        self.cancellation = cancellation
        self.planMemory = planMemory
        self.transport = transport
        self.calendar = calendar
        self.clock = clock
        self.sleeper = sleeper
        self.jitter = jitter
        let own = { RateLimiter(callsPerMinute: configuration.callsPerMinute, clock: clock, sleeper: sleeper) }
        self.limiter = limiter ?? own()
    }

    /// Why a key cannot be sent (nil when it can): it must be printable ASCII without
    /// whitespace, so it can never end or inject a request header.
    public static func keyProblem(_ key: String) -> String? {
        if key.isEmpty { return "the API key is empty" }
        for (offset, byte) in key.utf8.enumerated() where byte <= 0x20 || byte >= 0x7F {
            let lineBreak = byte == 0x0A || byte == 0x0D
            let what = byte == 0x20 ? "a space" : (lineBreak ? "a line break" : "a control or non-ASCII byte")
            return "the API key has \(what) at position \(offset + 1) — copy it again without spaces or line breaks"
        }
        return nil
    }

    /// Receives one line whenever a call waits for the provider (a 429's window, a Retry-After,
    /// a backoff), so long pauses are never silent.
    public func onNotice(_ handler: @escaping @Sendable (String) -> Void) {
        noticeHandler.withLock { $0 = handler }
    }

    /// Every notice is redacted: a key pasted into the base URL would otherwise show in its path.
    private func notice(_ text: String) {
        let handler = noticeHandler.withLock { $0 }
        handler?(redact(text))
    }

    /// Replaces the key with *** wherever it appears.
    public func redact(_ text: String) -> String {
        configuration.apiKey.count >= 4 ? text.replacingOccurrences(of: configuration.apiKey, with: "***") : text
    }

    // MARK: - Requests

    /// GETs `pathOrURL` (a path, or a full `next_url`) with retries; returns the body of a 2xx.
    func fetch(_ pathOrURL: String, query: [(String, String)] = []) throws -> Data {
        if let problem = Self.keyProblem(configuration.apiKey) {
            throw ProviderError.unauthorized(problem)
        }
        let url = pathOrURL.hasPrefix("http") ? try rebase(pathOrURL) : configuration.baseURL + pathOrURL
        let endpoint = Self.endpointName(url)
        var request = HTTPRequest(
            url: url, query: query,
            headers: [("Authorization", "Bearer \(configuration.apiKey)"), ("Accept", "application/json")],
            connectTimeout: min(10, configuration.timeout), timeout: configuration.timeout)
        var attempt = 0
        var redirects = 0
        while true {
            do {
                try limiter.acquire(cancel: cancellation)
            } catch {
                throw ProviderError.cancelled
            }
            let failure: HTTPError
            var retryAfter: Double?
            var rateNotice: String?
            do {
                let response = try transport.get(request, cancel: cancellation)
                switch response.status {
                case 200..<300: return response.body
                case 300..<400:
                    // Followed only while it stays on the configured base: the key goes nowhere else.
                    redirects += 1
                    request.url = try redirectTarget(
                        response, from: request.fullURL, endpoint: endpoint, hop: redirects)
                    request.query = []
                    continue
                case 401: throw ProviderError.unauthorized("HTTP 401 from \(endpoint)")
                case 403: throw Self.classifyForbidden(response.body, endpoint: endpoint)
                case 404: throw ProviderError.invalidResponse(endpoint: endpoint, message: "HTTP 404 — not found")
                case 429:
                    // The limit is per minute: without Retry-After the window is what to wait for.
                    let wait = response.retryAfter ?? Self.rateWindowSeconds
                    try checkWait(wait, status: 429, endpoint: endpoint, given: response.retryAfter != nil)
                    limiter.pause(for: wait)
                    retryAfter = 0
                    let source =
                        response.retryAfter == nil
                        ? "no Retry-After; waiting for the plan's one-minute window"
                        : "Retry-After"
                    let seconds = Int(wait.rounded())
                    rateNotice =
                        "rate limited by the provider (HTTP 429 on \(endpoint)): "
                        + "waiting \(seconds) s (\(source))"
                    let excerpt = String(decoding: response.body.prefix(200), as: UTF8.self)
                    failure = .status(429, bodyExcerpt: redact(excerpt))
                default:
                    retryAfter = response.retryAfter
                    if let wait = retryAfter, attempt < configuration.retries {
                        try checkWait(wait, status: response.status, endpoint: endpoint, given: true)
                    }
                    failure = .status(
                        response.status, bodyExcerpt: redact(String(decoding: response.body.prefix(200), as: UTF8.self))
                    )
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
                if case .status(429, _) = failure {
                    throw ProviderError.rateLimited("HTTP 429 from \(endpoint) after \(attempt + 1) attempts")
                }
                throw ProviderError.transport(
                    redact("\(endpoint): \(failure) (after \(attempt + 1) attempt\(attempt == 0 ? "" : "s"))"))
            }
            attempt += 1
            // Said only when a retry follows: a wait nobody waits for is not announced.
            if let rateNotice { notice(rateNotice) }
            let delay = retryAfter ?? min(30, configuration.backoff * pow(2, Double(attempt - 1)) * jitter())
            if delay >= 1 {
                let of = "attempt \(attempt + 1) of \(configuration.retries + 1)"
                notice("\(endpoint): \(failure) — retrying in \(Int(delay.rounded())) s (\(of))")
            }
            guard delay <= 0 || sleeper.sleep(delay, isCancelled: { cancellation.isCancelled }) else {
                throw ProviderError.cancelled
            }
        }
    }

    /// Refuses a wait over `maxWaitSeconds` before anything waits (nor pauses the shared limiter).
    func checkWait(_ seconds: Double, status: Int, endpoint: String, given: Bool) throws {
        guard seconds > configuration.maxWaitSeconds else { return }
        let source = given ? "Retry-After" : "the rate window"
        throw ProviderError.waitTooLong(
            "HTTP \(status) from \(endpoint) asked to wait \(Int(seconds.rounded())) s (\(source)), over the "
                + "\(Int(configuration.maxWaitSeconds)) s cap")
    }

    /// Where a 3xx leads, when it stays on the configured base (same scheme, host and port) and
    /// within five hops; anything else is an error naming the target.
    func redirectTarget(_ response: HTTPResponse, from current: String, endpoint: String, hop: Int) throws -> String {
        guard let location = response.headers["location"], !location.isEmpty,
            let target = URL(string: location, relativeTo: URL(string: current))?.absoluteURL,
            let components = URLComponents(url: target, resolvingAgainstBaseURL: true)
        else {
            throw ProviderError.invalidResponse(
                endpoint: endpoint, message: "HTTP \(response.status) without a usable Location header")
        }
        let shown = redact(target.absoluteString)
        guard isOnBase(components) else {
            throw ProviderError.invalidResponse(
                endpoint: endpoint,
                message:
                    "HTTP \(response.status) redirects to \(shown), which is not the configured base "
                    + "\(configuration.baseURL) — refusing to follow (requests go only to polygon_base_url)")
        }
        guard hop <= 5 else {
            throw ProviderError.invalidResponse(
                endpoint: endpoint, message: "more than 5 redirects (the last to \(shown)) — refusing to follow")
        }
        return target.absoluteString
    }

    /// Whether `url` has the configured base's scheme, host and port (default ports included).
    func isOnBase(_ url: URLComponents) -> Bool {
        guard let base = URLComponents(string: configuration.baseURL) else { return false }
        func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : 80) }
        return url.scheme?.lowercased() == base.scheme?.lowercased()
            && url.host?.lowercased() == base.host?.lowercased()
            && port(url) == port(base)
    }

    /// Fetches `path` and every page its `next_url`s lead to, handing each page's body and
    /// endpoint name to `page`, which returns the page's `next_url` and how many results it held.
    /// Bounded: a `next_url` seen before (a page pointing at itself, a cycle) stops with an error,
    /// and so does paging past `expected` results (the budget is `expected` over the first
    /// page's size, plus one page).
    func paginate(
        _ path: String, query: [(String, String)], expected: Int,
        _ page: (Data, String) throws -> (next: String?, count: Int)
    ) throws {
        var url = path
        var q = query
        var pages = 0
        var budget = 1
        var seen: Set<String> = []
        while true {
            let data = try fetch(url, query: q)
            pages += 1
            let (next, count) = try page(data, Self.endpointName(url))
            if pages == 1 { budget = count > 0 ? (max(1, expected) + count - 1) / count + 1 : 1 }
            guard let next, !next.isEmpty else { return }
            let endpoint = Self.endpointName(url)
            guard seen.insert(next).inserted else {
                throw ProviderError.invalidResponse(
                    endpoint: endpoint,
                    message: "next_url repeats an earlier page after \(pages) pages — the provider is looping; stopped")
            }
            guard count > 0, pages < budget else {
                let why =
                    count == 0 ? "an empty page still names a next_url" : "more pages than \(expected) results need"
                throw ProviderError.invalidResponse(
                    endpoint: endpoint, message: "\(why) (\(pages) pages so far) — stopped paging")
            }
            url = next
            q = []  // next_url carries the query (and its cursor) itself
        }
    }

    /// Reads a 403's body: the service says which of three things it means (its `message`, e.g.
    /// "Your plan doesn't include this data timeframe.", "Attempted to request today's data before
    /// end of day.", "You are not entitled to this data.").
    public static func classifyForbidden(_ body: Data, endpoint: String) -> ProviderError {
        struct Body: Decodable {
            let message: String?
            let error: String?
        }
        // An error body that is not the documented JSON is quoted raw in the error instead.
        let decoded = try? JSONDecoder().decode(Body.self, from: body)
        let message = decoded?.message ?? decoded?.error ?? ""
        let lower = message.lowercased()
        let quoted =
            message.isEmpty
            ? "HTTP 403 from \(endpoint)"
            : "HTTP 403 from \(endpoint): \"\(message.prefix(160))\""
        if lower.contains("timeframe") { return .outsideHistory(quoted) }
        if lower.contains("before end of day") || lower.contains("today's data") { return .notYetPublished(quoted) }
        return .notEntitled(quoted)
    }

    /// A `next_url` from the service, re-based onto the configured base so the key never
    /// leaves it: the service's own hosts (and the base's) are accepted, any other host or
    /// scheme is refused.
    func rebase(_ next: String) throws -> String {
        guard let url = URLComponents(string: next), let scheme = url.scheme?.lowercased(),
            let host = url.host?.lowercased(), let base = URLComponents(string: configuration.baseURL)
        else {
            throw ProviderError.invalidResponse(endpoint: Self.endpointName(next), message: "next_url is not a URL")
        }
        let sameOrigin = scheme == base.scheme?.lowercased() && host == base.host?.lowercased() && url.port == base.port
        if sameOrigin {
            return next
        }
        guard scheme == "https", url.port == nil || url.port == 443, Self.serviceHosts.contains(host) else {
            let message =
                "next_url points to \(scheme)://\(host), not the configured base — "
                + "refusing to send the API key there"
            throw ProviderError.invalidResponse(endpoint: Self.endpointName(next), message: message)
        }
        return configuration.baseURL + url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// "/v2/aggs/grouped/…" without the query, for messages.
    static func endpointName(_ url: String) -> String {
        var s = url
        if let r = s.range(of: "://") {
            s = String(s[r.upperBound...])
            s = s.firstIndex(of: "/").map { String(s[$0...]) } ?? "/"
        }
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
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
                in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(type == String.self ? "a string" : "a number")"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON (truncated or malformed body)"
                : "\(path(context.codingPath)): \(context.debugDescription)"
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
        let bar = DailyBar(
            session: session, open: a.o, high: a.h, low: a.l, close: a.c, volume: a.v, vwap: a.vw, trades: a.n)
        if let problem = bar.problem {
            throw ProviderError.invalidResponse(
                endpoint: endpoint, message: "results[\(index)]\(a.T.map { " (\($0))" } ?? ""): \(problem)")
        }
        guard calendar.isSession(session) else {
            throw ProviderError.invalidResponse(
                endpoint: endpoint, message: "results[\(index)]: t=\(a.t) is \(session), not an NYSE session")
        }
        return bar
    }

    // MARK: - Endpoints

    public func groupedDaily(_ session: SessionDate) throws -> [Symbol: DailyBar] {
        let path = "/v2/aggs/grouped/locale/us/market/stocks/\(session)"
        let data = try fetch(
            path, query: [("adjusted", "true"), ("include_otc", configuration.includeOTC ? "true" : "false")])
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
            guard let ticker = a.T else {
                throw ProviderError.invalidResponse(endpoint: endpoint, message: "missing field results[\(i)].T")
            }
            // Tickers outside our symbol grammar (warrants with '+', test symbols) are skipped, not fatal.
            guard let symbol = try? Symbol(ticker) else { continue }
            let b = try bar(a, index: i, endpoint: endpoint, sessionOf: sessionOf)
            guard b.session == session else {
                throw ProviderError.invalidResponse(
                    endpoint: endpoint, message: "results[\(i)] (\(ticker)) is for \(b.session), not \(session)")
            }
            result[symbol] = b
        }
        return result
    }

    public func dailyBars(_ symbol: Symbol, from: SessionDate, to: SessionDate) throws -> [DailyBar] {
        var bars: [DailyBar] = []
        try paginate(
            "/v2/aggs/ticker/\(symbol)/range/1/day/\(from)/\(to)",
            query: [("adjusted", "true"), ("sort", "asc"), ("limit", "50000")],
            expected: from <= to ? calendar.sessions(in: from...to).count : 0
        ) { data, endpoint in
            let response = try aggregates(data, endpoint: endpoint)
            for (i, a) in (response.results ?? []).enumerated() {
                bars.append(try bar(a, index: i, endpoint: endpoint))
            }
            return (response.next_url, response.results?.count ?? 0)
        }
        // Pages must join into one increasing series.
        for k in bars.indices.dropFirst() where bars[k].session <= bars[k - 1].session {
            throw ProviderError.invalidResponse(
                endpoint: "/v2/aggs/ticker/\(symbol)/range", message: "bars out of order at \(bars[k].session)")
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
        // About 12,000 US stocks and ETFs are active; the budget allows for ten times that.
        try paginate(
            "/v3/reference/tickers", query: [("market", "stocks"), ("active", "true"), ("limit", "1000")],
            expected: Self.maxTickers
        ) { data, _ in
            let response = try decode(TickersResponse.self, data, endpoint: "/v3/reference/tickers")
            for t in response.results ?? [] {
                guard let type = t.type, Self.trackedTypes.contains(type),
                    let exchange = t.primary_exchange, Self.usExchanges.contains(exchange),
                    // Tickers we cannot represent (see Symbol) are counted and reported by the caller, not stored.
                    let symbol = try? Symbol(t.ticker)
                else { continue }
                result.append(
                    SymbolInfo(symbol: symbol, name: t.name, type: type, exchange: exchange, active: t.active ?? true))
            }
            return (response.next_url, response.results?.count ?? 0)
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
        return SymbolInfo(
            symbol: symbol, name: d.name, type: d.type, exchange: d.primary_exchange, active: d.active ?? true,
            marketCap: d.market_cap, industry: d.sic_description, description: d.description,
            // Optional details: a date in another shape is left unknown.
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

    /// Splits executed on or after `since`: `/stocks/v1/splits` (the current endpoint), falling
    /// back to the deprecated `/v3/reference/splits` where the new one is missing or not entitled.
    public func splits(since: SessionDate) throws -> [Split] {
        do {
            return try splits(path: "/stocks/v1/splits", since: since)
        } catch ProviderError.notEntitled {
            return try splits(path: "/v3/reference/splits", since: since)
        } catch ProviderError.invalidResponse(_, let message) where message.hasPrefix("HTTP 404") {
            return try splits(path: "/v3/reference/splits", since: since)
        }
    }

    func splits(path: String, since: SessionDate) throws -> [Split] {
        var result: [Split] = []
        try paginate(
            path, query: [("execution_date.gte", since.description), ("limit", "1000")], expected: Self.maxTickers
        ) { data, _ in
            let response = try decode(SplitsResponse.self, data, endpoint: path)
            for (i, s) in (response.results ?? []).enumerated() {
                // Splits of tickers we do not carry (unrepresentable) cannot apply to stored data.
                guard let symbol = try? Symbol(s.ticker) else { continue }
                // A split without a usable date or ratio cannot be applied; the else branch reports it.
                guard let date = try? SessionDate(iso: s.execution_date), s.split_from > 0, s.split_to > 0 else {
                    let message = "results[\(i)] (\(s.ticker)) has an invalid date or ratio"
                    throw ProviderError.invalidResponse(endpoint: path, message: message)
                }
                result.append(Split(symbol: symbol, date: date, from: s.split_from, to: s.split_to))
            }
            return (response.next_url, response.results?.count ?? 0)
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

    /// The plan-memory key recording that the key's plan has no snapshots.
    public static let snapshotsFact = "polygon.snapshots"

    /// The latest price: the snapshot (last trade → today's close → the previous day's close),
    /// else `/prev`. A plan without snapshots is remembered, so later quotes cost one call.
    public func quote(_ symbol: Symbol, at now: Date) throws -> Quote? {
        if planMemory?.recall(Self.snapshotsFact) != "none" {
            do {
                if let quote = try snapshot(symbol, at: now) { return quote }
            } catch ProviderError.notEntitled {
                planMemory?.remember(Self.snapshotsFact, "none")
            }
        }
        return try previousClose(symbol, at: now)
    }

    /// The snapshot as a quote. The service clears snapshots at 03:30 ET: until the first trade
    /// `day` is all zeros, `updated` is 0 and there may be no `lastTrade`; zeros are "missing",
    /// never a price, and the previous day's close is then the price of the previous session.
    /// `nil` when the snapshot holds no usable price at all.
    public func snapshot(_ symbol: Symbol, at now: Date) throws -> Quote? {
        let endpoint = "/v2/snapshot/locale/us/markets/stocks/tickers/\(symbol)"
        let data: Data
        do { data = try fetch(endpoint) } catch ProviderError.invalidResponse(_, let m) where m.hasPrefix("HTTP 404") {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        guard let t = try decode(SnapshotResponse.self, data, endpoint: endpoint).ticker else { return nil }
        let usable = { (x: Double?) -> Double? in x.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        let stamp = { (nanos: Int64?) -> Date? in
            nanos.flatMap { $0 > 0 ? Date(timeIntervalSince1970: Double($0) / 1e9) : nil }
        }
        let previous = usable(t.prevDay?.c)
        let tradeTime = stamp(t.lastTrade?.t) ?? stamp(t.updated)
        let dayClose = usable(t.day?.c)
        if let price = usable(t.lastTrade?.p) ?? dayClose, let asOf = tradeTime ?? (dayClose != nil ? now : nil) {
            let day = NewYorkTime.local(at: asOf).date
            let change = previous.map { price - $0 } ?? t.todaysChange
            let percent = previous.map { (price / $0 - 1) * 100 } ?? t.todaysChangePerc
            return Quote(
                symbol: symbol, price: price, change: change, changePercent: percent,
                open: usable(t.day?.o), dayHigh: usable(t.day?.h), dayLow: usable(t.day?.l),
                volume: usable(t.day?.v), session: calendar.isSession(day) ? day : nil, asOf: asOf,
                fetchedAt: now,
                source: now.timeIntervalSince(asOf) < 120 ? .live : .delayed)
        }
        // Cleared for the night: the previous day's bar is the latest session's.
        guard let close = previous else { return nil }
        let latest = calendar.latestClosedSession(at: now, graceMinutes: 0)
        let latestIndex = latest.flatMap { calendar.sessionIndex($0) }
        let closedAt = latestIndex.flatMap { calendar.times(ofSessionAt: $0)?.close } ?? now
        return Quote(
            symbol: symbol, price: close, change: nil, changePercent: nil, open: usable(t.prevDay?.o),
            dayHigh: usable(t.prevDay?.h), dayLow: usable(t.prevDay?.l), volume: usable(t.prevDay?.v),
            session: latest, asOf: closedAt, fetchedAt: now, source: .previousClose)
    }

    /// `/prev`: the previous session's bar. It carries no earlier close, so the change is left to
    /// the caller (the quote service fills it from stored history); close − open is not a change.
    public func previousClose(_ symbol: Symbol, at now: Date) throws -> Quote? {
        let endpoint = "/v2/aggs/ticker/\(symbol)/prev"
        let data = try fetch(endpoint, query: [("adjusted", "true")])
        let response = try aggregates(data, endpoint: endpoint)
        guard let a = response.results?.first else { throw ProviderError.unknownSymbol(symbol.rawValue) }
        let b = try bar(a, index: 0, endpoint: endpoint)
        let close = calendar.sessionIndex(b.session).flatMap { calendar.times(ofSessionAt: $0)?.close } ?? now
        return Quote(
            symbol: symbol, price: b.close, change: nil, changePercent: nil,
            open: b.open, dayHigh: b.high, dayLow: b.low, volume: b.volume, session: b.session, asOf: close,
            fetchedAt: now, source: .previousClose)
    }

    struct MarketStatus: Decodable {
        let market: String?
        let serverTime: String?
    }

    /// The market's state ("open", "closed", "extended-hours"); a cheap call for `doctor`.
    public func marketStatus() throws -> String {
        let data = try fetch("/v1/marketstatus/now")
        guard let market = try decode(MarketStatus.self, data, endpoint: "/v1/marketstatus/now").market else {
            throw ProviderError.invalidResponse(endpoint: "/v1/marketstatus/now", message: "missing field market")
        }
        return market
    }
}
