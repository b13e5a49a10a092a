import Foundation
import PolygonFake
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import MarketData

/// The client against the fake's plans: 403s read from their bodies, the key kept home, the
/// 429 window, quotes through the night and the day, and one limiter shared through a file.
@Suite(.serialized) struct RealServiceTests {
    func serve(_ plan: FakePlan, at iso: String) throws -> (FakePolygonServer, ManualClock) {
        let clock = ManualClock(iso: iso)
        let server = FakePolygonServer(apiKey: "real-key-1", market: DemoMarket(clock: { clock.now() }), plan: plan)
        server.rateLimitPerMinute = nil
        try server.start()
        return (server, clock)
    }

    func client(
        _ server: FakePolygonServer, _ clock: ManualClock, key: String = "real-key-1",
        memory: PlanMemory? = nil, callsPerMinute: Double = 6000
    ) -> PolygonClient {
        PolygonClient(
            configuration: .init(
                apiKey: key, baseURL: server.baseURL, callsPerMinute: callsPerMinute, retries: 2,
                backoff: 0.5, timeout: 5),
            transport: CurlHTTPClient(userAgent: "TradLyteTests/1"), clock: clock, sleeper: clock,
            planMemory: memory, jitter: { 1 })
    }

    @Test func forbiddenAnswersAreReadFromTheirMessage() throws {
        let (server, clock) = try serve(.basic, at: "2026-11-24T21:10:00Z")
        defer { server.stop() }
        let c = client(server, clock)
        do {
            _ = try c.groupedDaily(try SessionDate(iso: "2026-11-24"))
            Issue.record("today's grouped day was served before end of day")
        } catch let error as ProviderError {
            guard case .notYetPublished(let detail) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(detail.contains("before end of day"))
            #expect(error.description.contains("deferred"))
        }
        #expect(throws: ProviderError.self) { try c.groupedDaily(try SessionDate(iso: "2023-03-15")) }
        do {
            _ = try c.groupedDaily(try SessionDate(iso: "2023-03-15"))
        } catch ProviderError.outsideHistory(let detail) {
            #expect(detail.contains("timeframe"))
        }
        do {
            _ = try c.snapshot(try Symbol("ACME"), at: clock.now())
        } catch ProviderError.notEntitled(let detail) {
            #expect(detail.contains("not entitled"))
        }
        #expect(try c.groupedDaily(try SessionDate(iso: "2026-11-23")).count == 43)
        // The body's message maps the same way without a server.
        let body = Data(#"{"status":"NOT_AUTHORIZED","message":"Your plan doesn't include this data timeframe."}"#.utf8)
        guard case .outsideHistory = PolygonClient.classifyForbidden(body, endpoint: "/x") else {
            Issue.record("timeframe message not classified")
            return
        }
    }

    @Test func theKeyGoesOnlyToTheConfiguredBase() throws {
        let (server, clock) = try serve(.advanced, at: "2026-11-25T23:00:00Z")
        defer { server.stop() }
        let acme = try Symbol("ACME")
        let from = try SessionDate(iso: "2024-01-02")
        let to = try SessionDate(iso: "2026-11-25")
        // The service's own host is re-based onto the configured base: every page came here.
        let bars = try client(server, clock).dailyBars(acme, from: from, to: to)
        #expect(bars.count > 200)
        #expect(server.requests.filter { $0.contains("/range/") }.count > 1)
        // A next_url naming another host, or plain http, is refused before anything is sent there.
        for foreign in ["https://collector.example.net", "http://api.massive.com"] {
            server.nextURLBase = foreign
            server.clearRequests()
            do {
                _ = try client(server, clock).dailyBars(acme, from: from, to: to)
                Issue.record("followed \(foreign)")
            } catch ProviderError.invalidResponse(_, let message) {
                #expect(message.contains("refusing to send the API key"))
            }
            #expect(server.requests.count == 1)
        }
        // A key with a line break never reaches a request header.
        server.clearRequests()
        #expect(throws: ProviderError.self) {
            try client(server, clock, key: "real-key-1\r\nX-Injected: 1").groupedDaily(
                try SessionDate(iso: "2026-11-25"))
        }
        #expect(server.requests.isEmpty)
        #expect(PolygonClient.keyProblem("abc def")?.contains("a space at position 4") == true)
        #expect(PolygonClient.keyProblem("good_Key-123") == nil)
    }

    @Test func a429WithoutRetryAfterWaitsForTheMinuteWindowAndSaysSo() throws {
        let (server, clock) = try serve(.advanced, at: "2026-11-25T23:00:00Z")
        defer { server.stop() }
        server.rateLimitPerMinute = 2
        let c = client(server, clock)
        let notices = NoticeLog()
        c.onNotice { notices.add($0) }
        let session = try SessionDate(iso: "2026-11-25")
        let started = clock.now()
        for _ in 0..<3 { _ = try c.groupedDaily(session) }
        // The third call was refused once; the client waited the window (not a few seconds).
        #expect(server.requests.count == 4)
        #expect(clock.now().timeIntervalSince(started) >= 60)
        #expect(notices.lines.count == 1)
        #expect(notices.lines.first?.contains("waiting 60 s") == true)
        #expect(notices.lines.first?.contains("one-minute window") == true)
    }

    @Test func quotesAtNightAndDuringTheSessionOnEachPlan() throws {
        // Starter at 05:00 ET: the snapshot was cleared at 03:30; the previous close answers.
        let (starter, clock) = try serve(.starter, at: "2026-11-25T10:00:00Z")
        defer { starter.stop() }
        let tera = try Symbol("TERA")
        let c = client(starter, clock)
        let night = try #require(try c.quote(tera, at: clock.now()))
        let yesterday = try SessionDate(iso: "2026-11-24")
        let bar = try #require(try starter.market.dailyBars(tera, from: yesterday, to: yesterday).first)
        #expect(night.source == .previousClose)
        #expect(night.session == yesterday && night.price == bar.close)
        #expect(night.price > 0)
        // During the session: the last trade, 15 minutes delayed, change against the previous close.
        clock.advance(by: 6 * 3600)  // 11:00 ET
        let day = try #require(try c.quote(tera, at: clock.now()))
        #expect(day.source == .delayed)
        #expect(day.session == (try SessionDate(iso: "2026-11-25")))
        #expect(abs(clock.now().timeIntervalSince(day.asOf) - 900) < 1)
        let change = try #require(day.change)
        #expect(abs(change - (day.price - bar.close)) < 1e-9)

        // The free plan: no snapshots; learned once, then each quote is one /prev call.
        let (basic, basicClock) = try serve(.basic, at: "2026-11-25T16:00:00Z")
        defer { basic.stop() }
        let facts = FactBox()
        let free = client(
            basic, basicClock, memory: PlanMemory(recall: { facts.get($0) }, remember: { facts.set($0, $1) }))
        let first = try #require(try free.quote(tera, at: basicClock.now()))
        #expect(first.source == .previousClose && first.session == yesterday)
        #expect(first.change == nil)  // /prev has no earlier close; the quote service fills it from stored bars
        basic.clearRequests()
        _ = try free.quote(tera, at: basicClock.now())
        #expect(basic.requests.count == 1 && basic.requests[0].contains("/prev"))
    }

    @Test func limitersSharingAStateFileKeepOneScheduleBetweenThem() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock(iso: "2026-11-25T23:00:00Z")
        let file = dir.path + "/ratelimit.state"
        let a = RateLimiter(callsPerMinute: 6, clock: clock, sleeper: clock, stateFile: file)
        let b = RateLimiter(callsPerMinute: 6, clock: clock, sleeper: clock, stateFile: file)
        var calls: [Date] = []
        for k in 0..<10 {
            try (k % 2 == 0 ? a : b).acquire()
            calls.append(clock.now())
        }
        // Ten calls at 6 a minute, whoever makes them: one every 10 s (and a sixth of the
        // one-second margin that keeps the plan's window from seeing seven).
        for k in 1..<calls.count {
            #expect(abs(calls[k].timeIntervalSince(calls[k - 1]) - 61.0 / 6) < 1e-6)
        }
        // A pause (a 429) seen by one holds the other too.
        b.pause(for: 60)
        let before = clock.now()
        try a.acquire()
        #expect(clock.now().timeIntervalSince(before) == 60)
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

/// Notices collected from the client (they may arrive on its thread).
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

/// An in-memory plan memory.
final class FactBox: @unchecked Sendable {
    private let lock = NSLock()
    private var facts: [String: String] = [:]
    func get(_ name: String) -> String? { lock.withLock { facts[name] } }
    func set(_ name: String, _ value: String?) { lock.withLock { facts[name] = value } }
}
