import Foundation
import MarketData
import TradLyteCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Massive/Polygon-shaped HTTP server on 127.0.0.1 for tests and local trials: it serves the
/// demo market (plus, with a scenario, the awkward tickers of a real market) for every endpoint
/// the client uses, enforces a subscription plan, checks the API key, paginates, can enforce a
/// calls-per-minute limit, and injects faults on demand. `tradlyte fake-polygon` runs it
/// stand-alone (`POLYGON_BASE_URL=http://127.0.0.1:PORT`).
///
/// What it reproduces, and where the real service documents or shows it:
/// - Shapes: `status`, `request_id`, `count`, `queryCount`/`resultsCount`, `adjusted`; bars
///   `T o h l c v vw t n` with float volumes (fractional shares); `t` in milliseconds — grouped
///   daily and `/prev` at the 16:00 ET end of the session window, ranges at midnight ET; a
///   holiday's grouped day has no `results` key at all. Sources: the OpenAPI spec shipped with
///   the official clients (massive-com/client-python, client-jvm docs such as
///   `ListStockSplits200ResponseResultsInner.md`) and client-python's recorded responses
///   (`test_rest/mocks/v2/aggs/grouped/...json`).
/// - Plans (`FakePlan`): history of about 2 years on the free plan and 5 on Starter (massive.com
///   pricing and docs; "Your plan doesn't include this data timeframe" reported by users for
///   older ranges); today's grouped day refused on the free plan with 403 NOT_AUTHORIZED
///   "Attempted to request today's data before end of day." until after midnight ET (users'
///   reports and clients that match "before end of day" as "not ready"); snapshots not entitled
///   on the free plan ("You are not entitled to this data."), 15-minute delayed on Starter.
/// - Snapshots cleared at 03:30 ET and repopulated as trades arrive: until then `day`/`min`
///   are all zeros, `updated` is 0 and `lastTrade` is absent (the snapshot endpoint's
///   documentation: "Snapshot data is cleared at 3:30am EST"; client docs on zero-filled days).
/// - 401 `{"status":"ERROR","error":"Unknown API Key"}`; 429 "You've exceeded the maximum
///   requests per minute, please wait or upgrade your subscription to continue." with no
///   Retry-After header (users' reports; the limit is per minute).
/// - Case-sensitive tickers (`AMpB`, a preferred, is not `AMPB`; the spec: "Specify a
///   case-sensitive ticker symbol"); grouped daily lists only tickers that traded that session;
///   `/v3/reference/tickers?active=true` never lists delisted tickers (`active=false` with
///   `delisted_utc` does); `next_url` names the service's own host
///   (`https://api.massive.com/...`), which clients re-base onto their configured base.
/// - Splits at `/stocks/v1/splits` (the current endpoint, Feb 2026) and the deprecated
///   `/v3/reference/splits`.
public final class FakePolygonServer: @unchecked Sendable {
    // Unchecked, and sound as used: the connection state below is guarded by `lock`; the public
    // settings (`nextURLBase`, `rateClock`, `pageSize`) are set by a test before `start()` and
    // only read by the server's threads after it.
    /// Things that can go wrong, on purpose.
    public enum Fault: Sendable, Equatable {
        /// Answer with this status (429 may carry Retry-After seconds).
        case status(Int, retryAfter: Int? = nil)
        /// Send half the body, then hold the connection open until the client gives up
        /// (a stalled transfer: the client's timeout or cancel must end it).
        case stalledBody
        /// Promise the full Content-Length, send half, and close the connection.
        case truncatedBody
        /// A complete response whose JSON is cut off.
        case malformedJSON
        /// Numbers where strings belong and strings where numbers belong.
        case wrongTypes
        /// A bar with high below low.
        case impossiblePrices
        /// An empty result set, as on a holiday.
        case emptyResults
        /// The normal page, but its `next_url` names the request itself: a cursor that never
        /// advances, which a client following `next_url` blindly repeats forever. (Users of the
        /// official client reported pagination that returned the same cursor again:
        /// massive-com/client-python issues on `next_url` loops; any server bug can do it.)
        case loopingNextURL
        /// `302 Found` to `location` (absolute, or a path on this server): HTTP lets a server
        /// send a client anywhere (RFC 9110 §15.4), and the domain move from api.polygon.io to
        /// api.massive.com is exactly such a redirect for clients on the old name.
        case redirect(to: String)
    }

    public let apiKey: String
    public let market: DemoMarket
    public let data: FakeMarket
    public let plan: FakePlan
    /// The host `next_url`s name (the real service names its own; nil: this server's base URL).
    public var nextURLBase: String? = "https://api.massive.com"
    /// The clock the rate-limit window runs on (the market's by default; a test of two real
    /// processes passes the host's).
    public var rateClock: (any WallClock)?
    /// When set, more calls than this within any 60 s window get 429 with Retry-After.
    public var rateLimitPerMinute: Int? {
        get { lock.withLock { _rateLimit } }
        set { lock.withLock { _rateLimit = newValue } }
    }
    /// Tickers per page of /v3/reference/tickers and bars per page of ranges when the
    /// request's `limit` is larger.
    public var pageSize = 20

    private let lock = NSLock()
    private let stallBegan = DispatchSemaphore(value: 0)
    private var _rateLimit: Int?
    private var faults: [(prefix: String?, fault: Fault)] = []
    private var calls: [Date] = []
    private var log: [String] = []
    private var arrivals: [Date] = []
    private var requestCounter = 0
    private var listener: Int32 = -1
    private var connections: Set<Int32> = []
    private var running = false
    public private(set) var port: UInt16 = 0

    /// Every route answers from `market`'s clock (never the host's): a test pins or advances
    /// that clock, and the server's rate-limit window moves with it.
    public init(apiKey: String, market: DemoMarket, plan: FakePlan = .advanced, scenario: FakeMarket.Scenario? = nil) {
        self.apiKey = apiKey
        self.market = market
        self.plan = plan
        self.data = FakeMarket(demo: market, scenario: scenario)
        self._rateLimit = plan.callsPerMinute
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Paths requested so far (with query), in order.
    public var requests: [String] { lock.withLock { log } }

    /// When each request arrived, on `rateClock` (for counting requests per window).
    public var arrivalTimes: [Date] { lock.withLock { arrivals } }

    /// Forgets the requests seen so far.
    public func clearRequests() {
        lock.withLock {
            log.removeAll()
            arrivals.removeAll()
        }
    }

    /// Makes the next `count` requests whose path starts with `prefix` (any when nil) fail.
    public func inject(_ fault: Fault, count: Int = 1, pathPrefix: String? = nil) {
        lock.withLock { for _ in 0..<count { faults.append((pathPrefix, fault)) } }
    }

    public func clearFaults() { lock.withLock { faults.removeAll() } }

    /// Binds 127.0.0.1 on a port the OS picks (or `port`) and starts accepting.
    public func start(port requested: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeServerError("socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requested.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw FakeServerError("cannot listen on 127.0.0.1:\(requested): errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        lock.withLock {
            listener = fd
            running = true
        }
        let thread = Thread { [weak self] in self?.acceptLoop(fd) }
        thread.start()
    }

    public func stop() {
        let (fd, open): (Int32, Set<Int32>) = lock.withLock {
            running = false
            defer {
                listener = -1
                connections = []
            }
            return (listener, connections)
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        for c in open { shutdown(c, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop(_ fd: Int32) {
        while lock.withLock({ running }) {
            let client = accept(fd, nil, nil)
            if client < 0 { if lock.withLock({ running }) { continue } else { return } }
            lock.withLock { _ = connections.insert(client) }
            let thread = Thread { [weak self] in
                self?.serve(client)
                close(client)
            }
            thread.start()
        }
    }

    // MARK: - HTTP

    struct Request {
        let path: String
        let query: [String: String]
        let headers: [String: String]
        let target: String
    }

    private func serve(_ fd: Int32) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            // Read one request head (GET only: no body).
            var end: Int?
            while end == nil {
                if let r = Self.find(buffer) {
                    end = r
                    break
                }
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 {
                    lock.withLock { _ = connections.remove(fd) }
                    return
                }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let head = String(decoding: buffer[0..<end!], as: UTF8.self)
            buffer.removeFirst(end! + 4)
            guard let request = Self.parse(head) else {
                send(fd, status: 400, body: Data(#"{"status":"ERROR","error":"bad request"}"#.utf8))
                return
            }
            let keepAlive = request.headers["connection"]?.lowercased() != "close"
            if !handle(request, fd: fd) || !keepAlive {
                lock.withLock { _ = connections.remove(fd) }
                return
            }
        }
    }

    static func find(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    static func parse(_ head: String) -> Request? {
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, parts[0] == "GET" else { return nil }
        let target = String(parts[1])
        var path = target
        var query: [String: String] = [:]
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            for item in target[target.index(after: q)...].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1).map {
                    String($0).removingPercentEncoding ?? String($0)
                }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return Request(path: path, query: query, headers: headers, target: target)
    }

    @discardableResult
    private func send(_ fd: Int32, status: Int, body: Data, extraHeaders: [String] = [], declaredLength: Int? = nil)
        -> Bool
    {
        let reason =
            [
                200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
            ][status] ?? "Status"
        var head =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(declaredLength ?? body.count)\r\n"
        for h in extraHeaders { head += h + "\r\n" }
        head += "\r\n"
        // One write: a head and a body sent apart meet Nagle's algorithm and the client's delayed
        // ACK, which cost 40 ms a response on loopback.
        return write(fd, Data(head.utf8) + body)
    }

    /// Blocks until the client closes `fd` (or the server stops); a minute at most, so a
    /// client that never gives up cannot keep a thread forever.
    private func waitForPeerToClose(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 512)
        for _ in 0..<600 {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if !lock.withLock({ running }) {
                return
            }
            if ready > 0 && recv(fd, &scratch, scratch.count, 0) <= 0 {
                return
            }
        }
    }

    /// Waits until a `.stalledBody` fault has sent its first half (so a test can cancel a
    /// transfer that is certainly in flight); false after `timeout` seconds without one.
    public func waitForStall(timeout: Double = 20) -> Bool {
        stallBegan.wait(timeout: SystemClock().deadline(after: timeout)) == .success
    }

    private func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Serves one request; returns false when the connection must close.
    private func handle(_ request: Request, fd: Int32) -> Bool {
        let (fault, limited): (Fault?, Int?) = lock.withLock {
            log.append(request.target)
            let now = rateClock?.now() ?? market.now()
            arrivals.append(now)
            calls.removeAll { now.timeIntervalSince($0) >= 60 }
            var limitedFor: Int?
            if let limit = _rateLimit, calls.count >= limit {
                limitedFor = Int((60 - now.timeIntervalSince(calls[0])).rounded(.up))
            } else {
                calls.append(now)
            }
            if let i = faults.firstIndex(where: { $0.prefix == nil || request.path.hasPrefix($0.prefix!) }) {
                return (faults.remove(at: i).fault, limitedFor)
            }
            return (nil, limitedFor)
        }
        let presented =
            request.headers["authorization"].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : $0 }
            ?? request.query["apiKey"]
        guard presented == apiKey else {
            let message = presented == nil ? "API Key was not provided" : "Unknown API Key"
            return send(fd, status: 401, body: errorBody(status: "ERROR", field: "error", message))
        }
        if limited != nil {
            // The service sends no Retry-After: the limit is per minute.
            let message =
                "You've exceeded the maximum requests per minute, please wait or upgrade your subscription "
                + "to continue. https://polygon.io/pricing"
            return send(fd, status: 429, body: errorBody(status: "ERROR", field: "error", message))
        }
        if let fault {
            switch fault {
            case .status(let code, let retryAfter):
                return send(
                    fd, status: code, body: Data(#"{"status":"ERROR","error":"injected fault"}"#.utf8),
                    extraHeaders: retryAfter.map { ["Retry-After: \($0)"] } ?? [])
            case .stalledBody:
                let body = route(request).body
                guard send(fd, status: 200, body: body.prefix(body.count / 2), declaredLength: body.count) else {
                    return false
                }
                stallBegan.signal()
                waitForPeerToClose(fd)
                return false
            case .truncatedBody:
                let body = route(request).body
                _ = send(fd, status: 200, body: body.prefix(body.count / 2), declaredLength: body.count)
                return false
            case .malformedJSON:
                let body = route(request).body
                return send(fd, status: 200, body: body.prefix(max(1, body.count * 2 / 3)))
            case .wrongTypes:
                // Every open price becomes a string: {"o":"12.5"}.
                let text = String(decoding: route(request).body, as: UTF8.self)
                    .replacing(#/"o":(-?[0-9.eE+-]+)/#) { #""o":""# + $0.output.1 + #"""# }
                return send(fd, status: 200, body: Data(text.utf8))
            case .impossiblePrices:
                // Every high becomes 0.0001: below its low.
                let text = String(decoding: route(request).body, as: UTF8.self)
                    .replacing(#/"h":(-?[0-9.eE+-]+)/#, with: #""h":0.0001"#)
                return send(fd, status: 200, body: Data(text.utf8))
            case .emptyResults:
                let empty: [String: Any] = ["status": "OK", "queryCount": 0, "resultsCount": 0, "adjusted": true]
                return send(fd, status: 200, body: ok(empty).1)
            case .loopingNextURL:
                let response = route(request)
                guard response.status == 200,
                    // The fake's own bodies: a non-object one is served unchanged.
                    var object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                else { return send(fd, status: response.status, body: response.body) }
                object["next_url"] = (nextURLBase ?? baseURL) + request.target
                return send(fd, status: 200, body: ok(object).1)
            case .redirect(let location):
                let body = Data(#"{"status":"ERROR","error":"moved"}"#.utf8)
                return send(fd, status: 302, body: body, extraHeaders: ["Location: \(location)"])
            }
        }
        let response = route(request)
        return send(fd, status: response.status, body: response.body)
    }

    // MARK: - Endpoints

    /// Whether `session` is older than the plan's history window at `now`.
    func beforeHistory(_ session: SessionDate, now: Date) -> Bool {
        plan.historyDays.map { session < NewYorkTime.local(at: now).date.adding(days: -$0) } ?? false
    }

    /// The plan's refusal of a session, if any (403 NOT_AUTHORIZED with the service's words).
    func refusal(of session: SessionDate, now: Date) -> (Int, Data)? {
        if beforeHistory(session, now: now) {
            return forbidden(Self.timeframeMessage)
        }
        if plan == .basic && session >= NewYorkTime.local(at: now).date {
            return forbidden(
                "Attempted to request today's data before end of day. Please upgrade your plan at "
                    + "https://polygon.io/pricing")
        }
        return nil
    }

    /// The newest session the plan publishes at `now`.
    func newestPublished(now: Date) -> Int {
        let latest = data.latestIndex
        let today = NewYorkTime.local(at: now).date
        if plan == .basic, latest >= 0, market.calendar.sessions[latest] >= today { return latest - 1 }
        return latest
    }

    /// A session's bars fetched on its own day before 20:00 ET are preliminary: their volume is
    /// corrected later ("daily summaries keep changing for hours").
    func served(_ bar: DailyBar, now: Date) -> DailyBar {
        let local = NewYorkTime.local(at: now)
        guard bar.session == local.date, local.secondOfDay < 20 * 3600 else { return bar }
        var b = bar
        b.volume = (bar.volume * 0.97).rounded(.down)
        return b
    }

    func route(_ r: Request) -> (status: Int, body: Data) {
        let p = r.path.split(separator: "/").map(String.init)
        let now = market.now()
        let cal = market.calendar
        do {
            switch true {
            case p.count == 8 && p[0] == "v2" && p[1] == "aggs" && p[2] == "grouped":
                let session = try SessionDate(iso: p[7])
                if let refused = refusal(of: session, now: now) { return refused }
                let bars = try data.groupedDaily(session)
                // Sorted by ticker, so fault injection and tests see a stable text.
                let results = bars.keys.sorted().map {
                    Self.agg(served(bars[$0]!, now: now), ticker: $0.rawValue, windowEnd: true)
                }
                var body: [String: Any] = [
                    "status": "OK", "adjusted": true, "queryCount": results.count,
                    "resultsCount": results.count, "request_id": nextRequestID(),
                ]
                if !results.isEmpty {
                    body["results"] = results
                    body["count"] = results.count
                }
                return ok(body)
            case p.count == 9 && p[0] == "v2" && p[1] == "aggs" && p[2] == "ticker" && p[4] == "range":
                let symbol = try Symbol(p[3])
                var from = try SessionDate(iso: p[7])
                if beforeHistory(from, now: now) {
                    return forbidden(Self.timeframeMessage)
                }
                if let cursor = r.query["cursor"] { from = try SessionDate(iso: cursor) }
                var to = try SessionDate(iso: p[8])
                let newest = newestPublished(now: now)
                if newest >= 0 { to = min(to, cal.sessions[newest]) }
                let limit = min(Int(r.query["limit"] ?? "5000") ?? 5000, pageSize * 10)
                let all = from <= to ? try data.dailyBars(symbol, from: from, to: to) : []
                let page = Array(all.prefix(limit))
                var body: [String: Any] = [
                    "status": "OK", "ticker": symbol.rawValue, "adjusted": true,
                    "queryCount": page.count, "resultsCount": page.count,
                    "request_id": nextRequestID(),
                ]
                if !page.isEmpty {
                    body["results"] = page.map { Self.agg(served($0, now: now), ticker: nil, windowEnd: false) }
                    body["count"] = page.count
                }
                if all.count > limit {
                    body["next_url"] =
                        "\(nextBase)/v2/aggs/ticker/\(symbol)/range/1/day/\(p[7])/\(p[8])"
                        + "?cursor=\(all[limit].session)&limit=\(limit)"
                }
                return ok(body)
            case p.count == 5 && p[0] == "v2" && p[1] == "aggs" && p[2] == "ticker" && p[4] == "prev":
                let symbol = try Symbol(p[3])
                let newest = newestPublished(now: now)
                var body: [String: Any] = [
                    "status": "OK", "ticker": symbol.rawValue, "adjusted": true, "queryCount": 0,
                    "resultsCount": 0, "request_id": nextRequestID(),
                ]
                if newest >= 0, data.knows(symbol), let bar = try data.lastBar(symbol, atOrBefore: newest) {
                    body["results"] = [Self.agg(bar, ticker: symbol.rawValue, windowEnd: true)]
                    body["queryCount"] = 1
                    body["resultsCount"] = 1
                    body["count"] = 1
                }
                return ok(body)
            case p.count == 3 && p[0] == "v3" && p[1] == "reference" && p[2] == "tickers":
                // active=true (the default) never lists delisted tickers; active=false lists only them.
                let activeWanted = r.query["active"] != "false"
                let all = try data.symbols().filter { $0.active == activeWanted }
                let offset = Int(r.query["cursor"] ?? "0") ?? 0
                let limit = min(Int(r.query["limit"] ?? "100") ?? 100, pageSize)
                let page = all.dropFirst(offset).prefix(limit)
                var body: [String: Any] = [
                    "status": "OK", "count": page.count, "request_id": nextRequestID(),
                    "results": page.map { s -> [String: Any] in
                        var item: [String: Any] = [
                            "ticker": s.symbol.rawValue, "name": s.name ?? "", "market": "stocks",
                            "locale": "us", "type": s.type ?? "CS",
                            "primary_exchange": s.exchange ?? "XNAS",
                            "active": s.active, "currency_name": "usd",
                            "last_updated_utc": "2026-01-02T00:00:00Z",
                        ]
                        if let d = s.delistDate { item["delisted_utc"] = "\(d)T00:00:00Z" }
                        return item
                    },
                ]
                if offset + limit < all.count {
                    let query = "cursor=\(offset + limit)&limit=\(limit)&active=\(activeWanted)"
                    body["next_url"] = "\(nextBase)/v3/reference/tickers?" + query
                }
                return ok(body)
            case p.count == 4 && p[0] == "v3" && p[1] == "reference" && p[2] == "tickers":
                guard let s = try data.symbols().first(where: { $0.symbol.rawValue == p[3] }) else {
                    return notFound("Ticker not found.")
                }
                var details: [String: Any] = [
                    "ticker": s.symbol.rawValue, "name": s.name ?? "", "market": "stocks",
                    "locale": "us", "type": s.type ?? "CS",
                    "primary_exchange": s.exchange ?? "XNAS", "active": s.active,
                    "currency_name": "usd", "market_cap": s.marketCap ?? 0,
                    "sic_description": s.industry ?? "", "description": s.description ?? "",
                    "list_date": s.listDate?.description ?? "",
                ]
                if let d = s.delistDate { details["delisted_utc"] = "\(d)T00:00:00Z" }
                return ok(["status": "OK", "request_id": nextRequestID(), "results": details])
            case p.count == 3 && p[0] == "stocks" && p[1] == "v1" && p[2] == "splits",
                p.count == 3 && p[0] == "v3" && p[1] == "reference" && p[2] == "splits":
                let since = try SessionDate(iso: r.query["execution_date.gte"] ?? "1990-01-01")
                let splits = try data.splits(since: since)
                let current = p[0] == "stocks"
                let items = splits.enumerated().map { i, s -> [String: Any] in
                    var item: [String: Any] = [
                        "ticker": s.symbol.rawValue, "execution_date": s.date.description,
                        "split_from": s.from, "split_to": s.to,
                    ]
                    if current {
                        item["id"] = "E\(i + 1)"
                        item["adjustment_type"] = s.to >= s.from ? "forward_split" : "reverse_split"
                        item["historical_adjustment_factor"] = s.from / s.to
                    }
                    return item
                }
                return ok(["status": "OK", "request_id": nextRequestID(), "results": items])
            case p.count == 8 && p[0] == "v2" && p[1] == "snapshot":
                guard plan.hasSnapshots else {
                    return forbidden(Self.notEntitledMessage)
                }
                let symbol = try Symbol(p[7])
                guard data.knows(symbol) else { return notFound("Ticker not found.") }
                return ok(["status": "OK", "request_id": nextRequestID(), "ticker": try snapshot(symbol, now: now)])
            case p.count == 3 && p[0] == "v1" && p[1] == "marketstatus" && p[2] == "now":
                let open = cal.nextSession(at: now).map { now >= $0.open && now < $0.close } ?? false
                return ok([
                    "market": open ? "open" : "closed", "serverTime": Timestamp.format(now, milliseconds: false),
                    "exchanges": ["nyse": open ? "open" : "closed", "nasdaq": open ? "open" : "closed"],
                ])
            default:
                return notFound("Not found.")
            }
        } catch ProviderError.unknownSymbol {
            return notFound("Ticker not found.")
        } catch {
            return (400, errorBody(status: "ERROR", field: "error", "bad request"))
        }
    }

    /// A ticker snapshot as the plan sees it at `now`: 15 minutes behind on delayed plans; from
    /// 03:30 ET until the session's first trade the day is cleared (zeros, `updated` 0, no
    /// `lastTrade`) and only `prevDay` holds a price.
    func snapshot(_ symbol: Symbol, now: Date) throws -> [String: Any] {
        let cal = market.calendar
        let view = now.addingTimeInterval(-plan.snapshotDelay)
        let local = NewYorkTime.local(at: now)
        let zeros: [String: Any] = ["o": 0, "h": 0, "l": 0, "c": 0, "v": 0, "vw": 0]
        func agg(_ b: DailyBar) -> [String: Any] {
            ["o": b.open, "h": b.high, "l": b.low, "c": b.close, "v": b.volume, "vw": b.vwap ?? b.close]
        }
        let nanos = { (d: Date) in Int64(d.timeIntervalSince1970 * 1e9) }
        let todayIndex = cal.sessionIndex(local.date)
        // Today's session as seen through the delay, once it has traded.
        if let index = todayIndex, let times = cal.times(ofSessionAt: index), view >= times.open,
            let final = data.sessionBar(symbol, at: index)
        {
            let f = min(1, view.timeIntervalSince(times.open) / times.close.timeIntervalSince(times.open))
            let price = ((final.open + (final.close - final.open) * f) * 10_000).rounded() / 10_000
            let day = DailyBar(
                session: final.session, open: final.open, high: max(final.open, price),
                low: min(final.open, price), close: price, volume: (final.volume * f).rounded())
            let prev = try data.lastBar(symbol, atOrBefore: index - 1)
            let traded = min(view, times.close)
            var t: [String: Any] = [
                "ticker": symbol.rawValue, "updated": nanos(traded), "day": agg(day),
                "min": agg(day), "prevDay": prev.map(agg) ?? zeros,
                "lastTrade": ["p": price, "s": 100, "t": nanos(traded), "x": 4, "i": "1"],
            ]
            t["todaysChange"] = prev.map { price - $0.close } ?? 0
            t["todaysChangePerc"] = prev.map { (price / $0.close - 1) * 100 } ?? 0
            return t
        }
        let latest = cal.latestClosedSessionIndex(at: now, graceMinutes: 0)
        let resetToday = local.secondOfDay >= 3 * 3600 + 30 * 60
        let lastDayIndex = resetToday ? nil : (todayIndex.map { $0 - 1 } ?? latest)
        if let index = lastDayIndex, index >= 0, let last = try data.bar(symbol, at: index),
            let close = cal.times(ofSessionAt: index)?.close
        {
            // Before the 03:30 reset: the last session's day, its closing trade.
            let prev = try data.lastBar(symbol, atOrBefore: index - 1)
            var t: [String: Any] = [
                "ticker": symbol.rawValue, "updated": nanos(close), "day": agg(last),
                "min": agg(last), "prevDay": prev.map(agg) ?? zeros,
                "lastTrade": ["p": last.close, "s": 100, "t": nanos(close), "x": 4, "i": "1"],
            ]
            t["todaysChange"] = prev.map { last.close - $0.close } ?? 0
            t["todaysChangePerc"] = prev.map { (last.close / $0.close - 1) * 100 } ?? 0
            return t
        }
        // Cleared for the night: zeros, updated 0, no lastTrade; prevDay is the latest session.
        let prev = latest >= 0 ? try data.lastBar(symbol, atOrBefore: latest) : nil
        return [
            "ticker": symbol.rawValue, "updated": 0, "todaysChange": 0, "todaysChangePerc": 0, "day": zeros,
            "min": zeros, "prevDay": prev.map(agg) ?? zeros,
        ]
    }

    var nextBase: String { nextURLBase ?? baseURL }

    static let timeframeMessage =
        "Your plan doesn't include this data timeframe. Please upgrade your plan at "
        + "https://polygon.io/pricing"
    static let notEntitledMessage =
        "You are not entitled to this data. Please upgrade your plan at "
        + "https://polygon.io/pricing"

    func nextRequestID() -> String {
        lock.withLock {
            requestCounter += 1
            return String(format: "fake%08x", requestCounter)
        }
    }

    func errorBody(status: String, field: String, _ message: String) -> Data {
        ok(["status": status, "request_id": nextRequestID(), field: message]).1
    }

    func forbidden(_ message: String) -> (Int, Data) {
        (403, errorBody(status: "NOT_AUTHORIZED", field: "message", message))
    }

    /// A bar in the service's shape; `t` is the window's start (midnight ET) for ranges and its
    /// end (16:00 ET) for grouped daily and `/prev`.
    static func agg(_ b: DailyBar, ticker: String?, windowEnd: Bool = false) -> [String: Any] {
        let minute = windowEnd ? 16 * 60 : 0
        let t = Int64(NewYorkTime.instant(on: b.session, minuteOfDay: minute).timeIntervalSince1970 * 1000)
        var d: [String: Any] = ["o": b.open, "h": b.high, "l": b.low, "c": b.close, "v": b.volume, "t": t]
        if let ticker { d["T"] = ticker }
        if let vw = b.vwap { d["vw"] = vw }
        if let n = b.trades { d["n"] = n }
        return d
    }

    func ok(_ object: [String: Any]) -> (Int, Data) {
        // Keys in a fixed order ("o" before "h"), so fault injection can edit the text.
        (200, (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    func notFound(_ message: String) -> (Int, Data) {
        (404, errorBody(status: "NOT_FOUND", field: "message", message))
    }
}

public struct FakeServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
