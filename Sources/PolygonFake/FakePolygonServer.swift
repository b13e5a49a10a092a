import Foundation
import MarketData
import TradLyteCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Polygon-shaped HTTP server on 127.0.0.1 for tests and local trials: it serves the demo
/// market's data for every endpoint the client uses, checks the API key, paginates, can
/// enforce a calls-per-minute limit, and injects faults on demand.
///
/// It is real code, documented and tested, not a stub: `tradlyte fake-polygon` runs it
/// stand-alone (`POLYGON_BASE_URL=http://127.0.0.1:PORT`).
public final class FakePolygonServer: @unchecked Sendable {
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
    }

    public let apiKey: String
    public let market: DemoMarket
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
    private var listener: Int32 = -1
    private var connections: Set<Int32> = []
    private var running = false
    public private(set) var port: UInt16 = 0

    /// Every route answers from `market`'s clock (never the host's): a test pins or advances
    /// that clock, and the server's rate-limit window moves with it.
    public init(apiKey: String, market: DemoMarket) {
        self.apiKey = apiKey
        self.market = market
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Paths requested so far (with query), in order.
    public var requests: [String] { lock.withLock { log } }

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
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
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
        lock.withLock { listener = fd; running = true }
        let thread = Thread { [weak self] in self?.acceptLoop(fd) }
        thread.start()
    }

    public func stop() {
        let (fd, open): (Int32, Set<Int32>) = lock.withLock {
            running = false
            defer { listener = -1; connections = [] }
            return (listener, connections)
        }
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
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
                if let r = Self.find(buffer) { end = r; break }
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 { lock.withLock { _ = connections.remove(fd) }; return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let head = String(decoding: buffer[0..<end!], as: UTF8.self)
            buffer.removeFirst(end! + 4)
            guard let request = Self.parse(head) else {
                send(fd, status: 400, body: Data(#"{"status":"ERROR","error":"bad request"}"#.utf8))
                return
            }
            let keepAlive = request.headers["connection"]?.lowercased() != "close"
            if !handle(request, fd: fd) || !keepAlive { lock.withLock { _ = connections.remove(fd) }; return }
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
        var path = target, query: [String: String] = [:]
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            for item in target[target.index(after: q)...].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Request(path: path, query: query, headers: headers, target: target)
    }

    @discardableResult
    private func send(_ fd: Int32, status: Int, body: Data, extraHeaders: [String] = [], declaredLength: Int? = nil) -> Bool {
        let reason = [200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                      429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"][status] ?? "Status"
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(declaredLength ?? body.count)\r\n"
        for h in extraHeaders { head += h + "\r\n" }
        head += "\r\n"
        return write(fd, Data(head.utf8)) && write(fd, body)
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
        stallBegan.wait(timeout: .now() + timeout) == .success
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
            let now = market.now()
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
        let authorized = request.headers["authorization"] == "Bearer \(apiKey)" || request.query["apiKey"] == apiKey
        guard authorized else {
            return send(fd, status: 401, body: Data(#"{"status":"ERROR","request_id":"fake","error":"Unknown API Key"}"#.utf8))
        }
        if let retry = limited {
            return send(fd, status: 429, body: Data(#"{"status":"ERROR","error":"You've exceeded the maximum requests per minute"}"#.utf8),
                        extraHeaders: ["Retry-After: \(max(1, retry))"])
        }
        if let fault {
            switch fault {
            case .status(let code, let retryAfter):
                return send(fd, status: code, body: Data(#"{"status":"ERROR","error":"injected fault"}"#.utf8),
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
                let text = Self.replace(String(decoding: route(request).body, as: UTF8.self),
                                        pattern: #""o":(-?[0-9.eE+-]+)"#, with: #""o":"$1""#)
                return send(fd, status: 200, body: Data(text.utf8))
            case .impossiblePrices:
                // Every high becomes 0.0001: below its low.
                let text = Self.replace(String(decoding: route(request).body, as: UTF8.self),
                                        pattern: #""h":(-?[0-9.eE+-]+)"#, with: #""h":0.0001"#)
                return send(fd, status: 200, body: Data(text.utf8))
            case .emptyResults:
                return send(fd, status: 200, body: Data(#"{"status":"OK","queryCount":0,"resultsCount":0,"adjusted":true}"#.utf8))
            }
        }
        let response = route(request)
        return send(fd, status: response.status, body: response.body)
    }

    // MARK: - Endpoints

    func route(_ r: Request) -> (status: Int, body: Data) {
        let p = r.path.split(separator: "/").map(String.init)
        do {
            switch true {
            case p.count == 8 && p[0] == "v2" && p[1] == "aggs" && p[2] == "grouped":
                let session = try SessionDate(iso: p[7])
                let bars = try market.groupedDaily(session)
                let results = bars.keys.sorted().map { Self.agg(bars[$0]!, ticker: $0.rawValue) }
                return ok(["status": "OK", "adjusted": true, "queryCount": results.count, "resultsCount": results.count, "results": results])
            case p.count == 9 && p[0] == "v2" && p[1] == "aggs" && p[2] == "ticker" && p[4] == "range":
                let symbol = try Symbol(p[3])
                var from = try SessionDate(iso: p[7])
                if let cursor = r.query["cursor"] { from = try SessionDate(iso: cursor) }
                let to = try SessionDate(iso: p[8])
                let limit = min(Int(r.query["limit"] ?? "5000") ?? 5000, pageSize * 10)
                let all = try market.dailyBars(symbol, from: from, to: to)
                let page = Array(all.prefix(limit))
                var body: [String: Any] = ["status": "OK", "ticker": symbol.rawValue, "adjusted": true,
                                           "queryCount": page.count, "resultsCount": page.count,
                                           "results": page.map { Self.agg($0, ticker: nil) }]
                if all.count > limit {
                    body["next_url"] = "\(baseURL)/v2/aggs/ticker/\(symbol)/range/1/day/\(p[7])/\(p[8])?cursor=\(all[limit].session)&limit=\(limit)"
                }
                return ok(body)
            case p.count == 5 && p[0] == "v2" && p[1] == "aggs" && p[2] == "ticker" && p[4] == "prev":
                let symbol = try Symbol(p[3])
                guard let q = try market.quote(symbol, at: market.now()), let session = q.session,
                      let bar = try market.dailyBars(symbol, from: session, to: session).first else { return notFound() }
                return ok(["status": "OK", "ticker": symbol.rawValue, "resultsCount": 1, "results": [Self.agg(bar, ticker: symbol.rawValue)]])
            case p.count == 3 && p[0] == "v3" && p[1] == "reference" && p[2] == "tickers":
                let activeOnly = r.query["active"] == "true"
                let all = try market.symbols().filter { !activeOnly || $0.active }
                let offset = Int(r.query["cursor"] ?? "0") ?? 0
                let limit = min(Int(r.query["limit"] ?? "100") ?? 100, pageSize)
                let page = all.dropFirst(offset).prefix(limit)
                var body: [String: Any] = ["status": "OK", "count": page.count, "results": page.map { s -> [String: Any] in
                    ["ticker": s.symbol.rawValue, "name": s.name ?? "", "market": "stocks", "locale": "us", "type": s.type ?? "CS",
                     "primary_exchange": s.exchange ?? "XNAS", "active": s.active, "currency_name": "usd"]
                }]
                if offset + limit < all.count {
                    body["next_url"] = "\(baseURL)/v3/reference/tickers?cursor=\(offset + limit)&limit=\(limit)&active=\(activeOnly)"
                }
                return ok(body)
            case p.count == 4 && p[0] == "v3" && p[1] == "reference" && p[2] == "tickers":
                guard let s = try market.symbols().first(where: { $0.symbol.rawValue == p[3] }) else { return notFound() }
                var details: [String: Any] = ["ticker": s.symbol.rawValue, "name": s.name ?? "", "type": s.type ?? "CS",
                                              "primary_exchange": s.exchange ?? "XNAS", "active": s.active,
                                              "market_cap": s.marketCap ?? 0, "sic_description": s.industry ?? "",
                                              "description": s.description ?? "", "list_date": s.listDate?.description ?? ""]
                if let d = s.delistDate { details["delisted_utc"] = "\(d)T00:00:00Z" }
                return ok(["status": "OK", "results": details])
            case p.count == 3 && p[0] == "v3" && p[1] == "reference" && p[2] == "splits":
                let since = try SessionDate(iso: r.query["execution_date.gte"] ?? "1990-01-01")
                let splits = try market.splits(since: since)
                return ok(["status": "OK", "results": splits.map {
                    ["ticker": $0.symbol.rawValue, "execution_date": $0.date.description, "split_from": $0.from, "split_to": $0.to]
                }])
            case p.count == 8 && p[0] == "v2" && p[1] == "snapshot":
                let symbol = try Symbol(p[7])
                guard let q = try market.quote(symbol, at: market.now()) else { return notFound() }
                let nanos = Int64(q.asOf.timeIntervalSince1970 * 1e9)
                return ok(["status": "OK", "ticker": [
                    "ticker": symbol.rawValue, "todaysChange": q.change ?? 0, "todaysChangePerc": q.changePercent ?? 0, "updated": nanos,
                    "day": ["o": q.open ?? q.price, "h": q.dayHigh ?? q.price, "l": q.dayLow ?? q.price, "c": q.price, "v": q.volume ?? 0],
                    "prevDay": ["c": q.price - (q.change ?? 0)], "lastTrade": ["p": q.price, "t": nanos],
                ] as [String: Any]])
            case p.count == 3 && p[0] == "v1" && p[1] == "marketstatus" && p[2] == "now":
                let now = market.now()
                let open = market.calendar.nextSession(at: now).map { now >= $0.open && now < $0.close } ?? false
                return ok(["market": open ? "open" : "closed", "serverTime": ISO8601DateFormatter().string(from: now),
                           "exchanges": ["nyse": open ? "open" : "closed", "nasdaq": open ? "open" : "closed"]])
            default:
                return notFound()
            }
        } catch ProviderError.unknownSymbol {
            return notFound()
        } catch {
            return (400, Data(#"{"status":"ERROR","error":"bad request"}"#.utf8))
        }
    }

    static func replace(_ text: String, pattern: String, with template: String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    static func agg(_ b: DailyBar, ticker: String?) -> [String: Any] {
        let t = Int64(NewYorkTime.instant(on: b.session, minuteOfDay: 0).timeIntervalSince1970 * 1000)
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

    func notFound() -> (Int, Data) { (404, Data(#"{"status":"NOT_FOUND","message":"not found"}"#.utf8)) }
}

public struct FakeServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
