import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteTestSupport

/// Issue 26's drills against the built server: 64 clients for 30 seconds while refreshes run,
/// and slow clients that trickle their bytes.
@Suite(.serialized) struct APIDrillTests {
    /// What the drill requests, in turn; refresh posts are 202 or, while one runs, 409.
    static let requests: [(method: HTTPMethod, path: String, body: String?, allowed: Set<Int>)] = [
        (.GET, "/v1/quotes/ACME", nil, [200]),
        (.GET, "/v1/quotes/BOLT", nil, [200]),
        (.GET, "/v1/bars/ACME?interval=13", nil, [200]),
        (.GET, "/v1/bars/BOLT?interval=1&from=2026-06-01", nil, [200]),
        (.POST, "/v1/backtests", #"{"strategy": "golden_cross", "symbol": "ACME", "from": "2025-06-01"}"#, [200]),
        (.GET, "/v1/picks", nil, [200]),
        (.GET, "/v1/jobs?limit=5", nil, [200]),
        (.GET, "/v1/pipeline/runs?last=2", nil, [200]),
        (.GET, "/v1/strategies", nil, [200]),
        (.POST, "/v1/pipeline/refresh", #"{"backfill": 10}"#, [202, 409]),
    ]

    /// The clients are 64 threads of their own (each waits on its request), so the drill measures
    /// the server, not how busy the test process's async threads are; each runs for 30 s from
    /// its start.
    @Test func sixtyFourClientsForThirtySecondsWhileARefreshRunsGetNoErrorAndValidResponses() throws {
        let cli = try CLIHarness()
        try cli.seedDemo(now: APIHarness.now, backfillYears: 3)
        cli.write("config.json", #"{"api_rate_per_second": 1000000, "api_concurrency": 1000}"#)
        let server = try ServerProcess(cli: cli, environment: ["TRADLYTE_NOW": APIHarness.now])
        defer { server.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { try? client.syncShutdown() }

        struct Tally: Sendable {
            var byStatus: [Int: Int] = [:]
            var failures: [String] = []
            var validated: [String: Int] = [:]
        }
        let tally = Locked(Tally())
        let base = server.base
        let group = DispatchGroup()
        for worker in 0..<64 {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let deadline = DispatchTime.now() + 30
                var i = worker
                while DispatchTime.now() < deadline {
                    let r = Self.requests[i % Self.requests.count]
                    i += 1
                    do {
                        var headers = HTTPHeaders([("Authorization", "Bearer \(ServerProcess.token)")])
                        if r.body != nil { headers.add(name: "Content-Type", value: "application/json") }
                        let request = try HTTPClient.Request(
                            url: base + r.path, method: r.method, headers: headers, body: r.body.map { .string($0) })
                        let response = try client.execute(request: request, deadline: .now() + .seconds(120)).wait()
                        let bytes = response.body.map { Array($0.readableBytesView) } ?? []
                        let status = Int(response.status.code)
                        let key = "\(r.method.rawValue) \(r.path) \(status)"
                        // Every response: an expected status, a documented content type, JSON that
                        // parses. The first ten of each kind are also held to the full schema.
                        let check = tally.withLock { t -> Bool in
                            t.byStatus[status, default: 0] += 1
                            t.validated[key, default: 0] += 1
                            return t.validated[key]! <= 10
                        }
                        var problems: [String] = []
                        if !r.allowed.contains(status) { problems.append("\(key): unexpected status") }
                        if (try? JSONSyntax.parse(bytes)) == nil { problems.append("\(key): the body is not JSON") }
                        let found = APIHarness.validator.problems(
                            method: r.method.rawValue, path: String(r.path.split(separator: "?")[0]), status: status,
                            contentType: response.headers.first(name: "Content-Type"),
                            body: check ? bytes : Array("{}".utf8))
                        problems += check ? found : found.filter { $0.contains("not documented") }
                        if !problems.isEmpty { tally.withLock { $0.failures += problems } }
                    } catch {
                        tally.withLock { $0.failures.append("\(r.method.rawValue) \(r.path): \(error)") }
                    }
                }
            }
            thread.start()
        }
        group.wait()
        let result = tally.withLock { $0 }
        let total = result.byStatus.values.reduce(0, +)
        #expect(result.failures.isEmpty, "\(result.failures.count) failures: \(result.failures.prefix(5))")
        #expect(result.byStatus.keys.allSatisfy { $0 < 500 }, "\(result.byStatus)")
        #expect(total >= 64, "only \(total) responses in 30 s")
        // A refresh ran under the load and finished.
        let runs = try server.curl([base + "/v1/pipeline/runs?last=20"])
        let list = try JSONSyntax.parse(Array(runs.body.utf8)).arrayValue
        #expect(list.contains { $0["trigger"]?.stringValue == "api" && $0["status"]?.stringValue == "succeeded" })
        print("drill: \(total) responses in 30 s, by status \(result.byStatus.sorted { $0.key < $1.key })")
    }

    /// A client sending its headers a byte at a time does not stop others, and its connection is
    /// closed after `api_header_timeout_seconds`; one trickling a body after three times that.
    @Test func slowClientsAreCutOffAndDoNotStopOthers() async throws {
        let cli = try CLIHarness()
        try cli.seedDemo(now: APIHarness.now, backfillYears: 3)
        cli.write("config.json", #"{"api_header_timeout_seconds": 2}"#)
        let server = try ServerProcess(cli: cli, environment: ["TRADLYTE_NOW": APIHarness.now])
        defer { server.stop() }
        let headers = Array(
            ("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + String(repeating: "s", count: 200) + "\r\n\r\n")
                .utf8)
        let slowHeaders = try RawConnection(port: server.port)
        let slowBody = try RawConnection(port: server.port)
        try slowBody.send(
            Array(
                ("POST /v1/backtests HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ServerProcess.token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").utf8))
        var sent = 0
        var others = 0
        // Trickle until the server closes the slow connections, answering others all the while.
        while !(slowHeaders.closed && slowBody.closed), sent < headers.count {
            if !slowHeaders.closed { try? slowHeaders.send([headers[sent]]) }
            if !slowBody.closed { try? slowBody.send(Array(" ".utf8)) }
            sent += 1
            let health = try server.curl([server.base + "/v1/quotes/ACME"])
            #expect(health.status == 200)
            others += 1
            try await Task.sleep(nanoseconds: 100_000_000)
            slowHeaders.poll()
            slowBody.poll()
        }
        #expect(slowHeaders.closed, "the header trickle was not cut off after \(sent) bytes")
        #expect(slowBody.closed, "the body trickle was not cut off")
        #expect(sent < headers.count && others >= 1)
    }
}

/// A TCP connection written by hand, a byte at a time if need be.
final class RawConnection {
    let fd: Int32
    private(set) var closed = false

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestSupportError(message: "connect failed: \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 {
            closed = true
            throw TestSupportError(message: "send failed: \(errno)")
        }
    }

    /// Notices a close by the server (a read of 0 bytes, or a reset) without blocking.
    func poll() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { closed = true }
    }
}
