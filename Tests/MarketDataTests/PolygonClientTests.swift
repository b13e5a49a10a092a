import Foundation
import PolygonFake
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import MarketData

/// The Polygon client against the fake server on loopback: every endpoint and every fault.
/// Client and server share one manual clock: pacing, Retry-After and backoff advance it instead
/// of sleeping, so the tests assert on the waits asked for and on the requests made.
@Suite(.serialized) struct PolygonClientTests {
    let clock = ManualClock(iso: "2026-11-25T23:00:00Z")

    func start() throws -> FakePolygonServer {
        let clock = self.clock
        let server = FakePolygonServer(apiKey: "sekret-key-123", market: DemoMarket(clock: { clock.now() }))
        try server.start()
        return server
    }

    func client(
        _ server: FakePolygonServer, key: String = "sekret-key-123", retries: Int = 2, timeout: Double = 5,
        callsPerMinute: Double = 6000
    ) -> PolygonClient {
        PolygonClient(
            configuration: .init(
                apiKey: key, baseURL: server.baseURL, callsPerMinute: callsPerMinute, retries: retries,
                backoff: 0.5, timeout: timeout),
            transport: CurlHTTPClient(userAgent: "TradLyteTests/1"), clock: clock, sleeper: clock,
            jitter: { 1 })
    }

    let session = try! SessionDate(iso: "2024-03-15")

    @Test func groupedDailyRangesTickersDetailsSplitsAndStatus() throws {
        let server = try start()
        defer { server.stop() }
        let c = client(server)
        let day = try c.groupedDaily(session)
        let acme = try Symbol("ACME")
        #expect(day.count == 43 && day[acme]?.session == session)
        let demo = try server.market.dailyBars(
            try Symbol("ACME"), from: try SessionDate(iso: "2023-01-03"), to: session)
        let bars = try c.dailyBars(try Symbol("ACME"), from: try SessionDate(iso: "2023-01-03"), to: session)
        #expect(bars == demo)  // joined across next_url pages
        #expect(server.requests.filter { $0.contains("/range/") }.count > 1)
        let symbols = try c.symbols()
        #expect(symbols.count == 43)  // the delisted ticker is inactive and not listed
        #expect(server.requests.filter { $0.hasPrefix("/v3/reference/tickers") }.count == 3)
        let details = try c.details(try Symbol("LMNA"))
        #expect(details.industry == "Technology" && (details.marketCap ?? 0) > 0)
        #expect(try c.splits(since: try SessionDate(iso: "2021-01-01")).first?.to == 4)
        #expect(["open", "closed"].contains(try c.marketStatus()))
        #expect(try c.groupedDaily(try SessionDate(iso: "2024-03-29")).isEmpty)  // holiday: empty results
        // The key travels in a header, never in a URL.
        #expect(!server.requests.contains { $0.contains("sekret") })
    }

    @Test func quotesFallBackToThePreviousCloseWhenThePlanHasNoSnapshots() throws {
        let server = try start()
        defer { server.stop() }
        let c = client(server)
        let live = try #require(try c.quote(try Symbol("TERA"), at: clock.now()))
        #expect(live.source == .delayed || live.source == .live)
        server.inject(.status(403), pathPrefix: "/v2/snapshot")
        let prev = try #require(try c.quote(try Symbol("TERA"), at: clock.now()))
        #expect(prev.source == .previousClose && prev.price == live.price)
        #expect(prev.session == (try SessionDate(iso: "2026-11-25")))
        #expect(throws: ProviderError.unknownSymbol("ZZZZ")) { try c.snapshot(try Symbol("ZZZZ"), at: clock.now()) }
    }

    @Test func retriesAfter429HonouringRetryAfter() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(429, retryAfter: 7))
        let started = clock.now()
        let day = try client(server).groupedDaily(session)
        #expect(day.count == 43)
        #expect(clock.sleeps == [7])  // the wait the server asked for, no more
        #expect(clock.now().timeIntervalSince(started) == 7)
        #expect(server.requests.count == 2)
    }

    @Test(arguments: [500, 503])
    func retriesServerErrorsThenSucceeds(code: Int) throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(code, retryAfter: nil), count: 2)
        #expect(try client(server).groupedDaily(session).count == 43)
        #expect(server.requests.count == 3)
        #expect(clock.sleeps == [0.5, 1])  // exponential backoff from 0.5 s (jitter pinned)
    }

    @Test func givesUpAfterTheConfiguredRetriesWithAClearError() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(503, retryAfter: nil), count: 5)
        do {
            _ = try client(server, retries: 2).groupedDaily(session)
            Issue.record("expected failure")
        } catch {
            #expect("\(error)".contains("HTTP 503") && "\(error)".contains("after 3 attempts"), "\(error)")
        }
        #expect(server.requests.count == 3)
    }

    @Test func unauthorizedAndForbiddenAreNotRetried() throws {
        let server = try start()
        defer { server.stop() }
        #expect(throws: ProviderError.unauthorized("HTTP 401 from /v2/aggs/grouped/locale/us/market/stocks/2024-03-15"))
        {
            try client(server, key: "wrong-key-999").groupedDaily(session)
        }
        server.inject(.status(403))
        do {
            _ = try client(server).groupedDaily(session)
            Issue.record("expected forbidden")
        } catch let error as ProviderError {
            #expect(error.description.contains("plan does not include"))
        }
        #expect(server.requests.count == 2)
    }

    @Test func timeoutsAndTruncatedBodiesAreRetried() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.stalledBody)
        server.inject(.truncatedBody)
        // libcurl's own timeout (real time, one second) ends the stalled transfer.
        #expect(try client(server, timeout: 1).groupedDaily(session).count == 43)
        #expect(server.requests.count == 3)
        #expect(clock.sleeps.count == 2)
    }

    @Test func malformedWrongTypedAndImpossibleResponsesAreRejectedPrecisely() throws {
        let server = try start()
        defer { server.stop() }
        let c = client(server, retries: 0)
        server.inject(.malformedJSON)
        #expect(
            throws: ProviderError.invalidResponse(
                endpoint: "/v2/aggs/grouped/locale/us/market/stocks/2024-03-15",
                message: "not valid JSON (truncated or malformed body)")
        ) {
            try c.groupedDaily(session)
        }
        server.inject(.wrongTypes)
        do {
            _ = try c.groupedDaily(session)
            Issue.record("expected rejection")
        } catch let error as ProviderError {
            #expect(error.description.contains("results[0].o is not a number"), "\(error)")
        }
        server.inject(.impossiblePrices)
        do {
            _ = try c.groupedDaily(session)
            Issue.record("expected rejection")
        } catch let error as ProviderError {
            #expect(error.description.contains("results[0] (ACME): high 0.0001 is below"), "\(error)")
        }
        server.inject(.emptyResults)
        #expect(try c.groupedDaily(session).isEmpty)
    }

    @Test func pacingNeverTriggersTheServersOwnLimit() throws {
        let server = try start()
        defer { server.stop() }
        server.rateLimitPerMinute = 10
        let c = client(server, callsPerMinute: 10)
        let started = clock.now()
        for k in 0..<25 {
            _ = try c.groupedDaily(TradingCalendar.nyse.sessions[TradingCalendar.nyse.sessionIndex(session)! - k])
        }
        // 25 calls at 10 a minute: 24 waits of 6.1 s (a minute and a second's margin over ten
        // calls) on the shared clock, none refused.
        #expect(clock.sleeps.count == 24 && clock.sleeps.allSatisfy { abs($0 - 6.1) < 1e-6 })
        #expect(abs(clock.now().timeIntervalSince(started) - 146.4) < 1e-5)
        #expect(server.requests.count == 25)  // no 429 retries
        #expect(abs(c.limiter.estimatedSeconds(forCalls: 101) - 610) < 1e-6)
    }

    /// A clock for the server's rate window that sees each request up to half a second late, as
    /// network delays do (seeded, so every run sees the same delays).
    final class LateArrivals: WallClock, @unchecked Sendable {
        let base: ManualClock
        var random = SeededRandom(seed: 24)
        let lock = NSLock()
        init(_ base: ManualClock) { self.base = base }
        func now() -> Date {
            lock.withLock { base.now().addingTimeInterval(Double(random.next() % 500) / 1000) }
        }
    }

    @Test func aBudgetEqualToThePlansLimitDrawsNo429EvenWhenRequestsArriveLate() throws {
        let server = try start()
        defer { server.stop() }
        server.rateLimitPerMinute = 5
        server.rateClock = LateArrivals(clock)
        let c = client(server, callsPerMinute: 5)
        for k in 0..<40 {
            _ = try c.groupedDaily(TradingCalendar.nyse.sessions[TradingCalendar.nyse.sessionIndex(session)! - k])
        }
        #expect(server.requests.count == 40, "\(server.requests.count - 40) requests were refused with 429")
    }

    @Test func twoClientsSharingALimiterStayWithinTheBudgetTogether() throws {
        let server = try start()
        defer { server.stop() }
        server.rateLimitPerMinute = 5
        let shared = RateLimiter(callsPerMinute: 5, clock: clock, sleeper: clock)
        let make = {
            PolygonClient(
                configuration: .init(apiKey: "sekret-key-123", baseURL: server.baseURL, callsPerMinute: 5),
                transport: CurlHTTPClient(userAgent: "t"), clock: clock, sleeper: clock, limiter: shared)
        }
        let a = make()
        let b = make()
        for k in 0..<6 {
            _ = try (k % 2 == 0 ? a : b).groupedDaily(session)
        }
        #expect(server.requests.count == 6)  // the server never had to refuse one
        #expect(clock.sleeps.count == 5 && clock.sleeps.allSatisfy { abs($0 - 12.2) < 1e-6 })  // 61 s over 5 calls
    }

    @Test func cancellationStopsAStalledTransfer() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.stalledBody)
        let c = client(server, retries: 0, timeout: 120)
        let waiter = Thread {
            // Cancel once the body has certainly stalled mid-transfer.
            if server.waitForStall() {
                c.cancellation.cancel()
            }
        }
        waiter.start()
        #expect(throws: ProviderError.cancelled) { try c.groupedDaily(session) }
        #expect(server.requests.count == 1)
    }

    @Test func cancellationInterruptsABackoffWait() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(429, retryAfter: 60))
        let c = client(server)
        clock.onSleep { _ in c.cancellation.cancel() }
        #expect(throws: ProviderError.cancelled) { try c.groupedDaily(session) }
        #expect(server.requests.count == 1)
    }

    @Test func errorsNeverCarryTheKey() throws {
        let server = try start()
        defer { server.stop() }
        let c = client(server, retries: 0)
        #expect(c.redact("token sekret-key-123 leaked") == "token *** leaked")
        server.inject(.status(500))
        do { _ = try c.groupedDaily(session) } catch { #expect(!"\(error)".contains("sekret")) }
    }

    @Test func connectionRefusedIsAConnectError() throws {
        let server = try start()
        let url = server.baseURL
        server.stop()
        let c = PolygonClient(
            configuration: .init(
                apiKey: "k", baseURL: url, callsPerMinute: 6000, retries: 0, backoff: 0.01, timeout: 2),
            transport: CurlHTTPClient(userAgent: "t"), clock: clock, sleeper: clock)
        do {
            _ = try c.marketStatus()
            Issue.record("expected failure")
        } catch {
            #expect("\(error)".contains("cannot connect"), "\(error)")
        }
    }
}
