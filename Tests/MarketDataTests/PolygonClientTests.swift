import Foundation
import Testing
@testable import MarketData
import PolygonFake
import TradLyteCore

/// The Polygon client against the fake server on loopback: every endpoint and every fault.
@Suite(.serialized) struct PolygonClientTests {
    static let now = ISO8601DateFormatter().date(from: "2026-11-25T23:00:00Z")!

    func start() throws -> FakePolygonServer {
        let server = FakePolygonServer(apiKey: "sekret-key-123", market: DemoMarket(clock: { PolygonClientTests.now }))
        try server.start()
        return server
    }

    func client(_ server: FakePolygonServer, key: String = "sekret-key-123", retries: Int = 2, timeout: Double = 5,
                callsPerMinute: Double = 6000) -> PolygonClient {
        PolygonClient(configuration: .init(apiKey: key, baseURL: server.baseURL, callsPerMinute: callsPerMinute, retries: retries,
                                           backoff: 0.02, timeout: timeout),
                      transport: CurlHTTPClient(userAgent: "TradLyteTests/1"))
    }

    let session = try! SessionDate(iso: "2024-03-15")

    @Test func groupedDailyRangesTickersDetailsSplitsAndStatus() throws {
        let server = try start()
        defer { server.stop() }
        let c = client(server)
        let day = try c.groupedDaily(session)
        let acme = try Symbol("ACME")
        #expect(day.count == 43 && day[acme]?.session == session)
        let demo = try server.market.dailyBars(try Symbol("ACME"), from: try SessionDate(iso: "2023-01-03"), to: session)
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
        let live = try #require(try c.quote(try Symbol("TERA"), at: Date()))
        #expect(live.source == .delayed || live.source == .live)
        server.inject(.status(403), pathPrefix: "/v2/snapshot")
        let prev = try #require(try c.quote(try Symbol("TERA"), at: Date()))
        #expect(prev.source == .previousClose && prev.price == live.price)
        #expect(throws: ProviderError.unknownSymbol("ZZZZ")) { try c.snapshot(try Symbol("ZZZZ"), at: Date()) }
    }

    @Test func retriesAfter429HonouringRetryAfter() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(429, retryAfter: 1))
        let started = Date()
        let day = try client(server).groupedDaily(session)
        #expect(day.count == 43)
        #expect(Date().timeIntervalSince(started) >= 0.95)
        #expect(server.requests.count == 2)
    }

    @Test(arguments: [500, 503])
    func retriesServerErrorsThenSucceeds(code: Int) throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(code, retryAfter: nil), count: 2)
        #expect(try client(server).groupedDaily(session).count == 43)
        #expect(server.requests.count == 3)
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
        #expect(throws: ProviderError.unauthorized("HTTP 401 from /v2/aggs/grouped/locale/us/market/stocks/2024-03-15")) {
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
        server.inject(.slowBody(seconds: 3))
        server.inject(.truncatedBody)
        let started = Date()
        #expect(try client(server, timeout: 1).groupedDaily(session).count == 43)
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(server.requests.count == 3)
    }

    @Test func malformedWrongTypedAndImpossibleResponsesAreRejectedPrecisely() throws {
        let server = try start()
        defer { server.stop() }
        let c = client(server, retries: 0)
        server.inject(.malformedJSON)
        #expect(throws: ProviderError.invalidResponse(endpoint: "/v2/aggs/grouped/locale/us/market/stocks/2024-03-15",
                                                      message: "not valid JSON (truncated or malformed body)")) {
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
        server.rateLimitPerMinute = 600
        let c = client(server, callsPerMinute: 600)
        let started = Date()
        for k in 0..<12 {
            _ = try c.groupedDaily(TradingCalendar.nyse.sessions[TradingCalendar.nyse.sessionIndex(session)! - k])
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 11 * 0.1 * 0.95 && elapsed < 11 * 0.1 * 1.5 + 1, "\(elapsed)")
        #expect(server.requests.count == 12)  // no 429 retries
        #expect(abs(c.limiter.estimatedSeconds(forCalls: 101) - 10) < 1e-9)
    }

    @Test func cancellationStopsAStalledTransfer() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.slowBody(seconds: 8))
        let c = client(server, retries: 0, timeout: 30)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { c.cancellation.cancel() }
        let started = Date()
        #expect(throws: ProviderError.cancelled) { try c.groupedDaily(session) }
        // libcurl polls the progress callback about once a second while a body stalls: the
        // transfer ends within a few seconds, long before the 8 s body would have finished.
        #expect(Date().timeIntervalSince(started) < 5)
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
        let c = PolygonClient(configuration: .init(apiKey: "k", baseURL: url, callsPerMinute: 6000, retries: 0, backoff: 0.01, timeout: 2),
                              transport: CurlHTTPClient(userAgent: "t"))
        do {
            _ = try c.marketStatus()
            Issue.record("expected failure")
        } catch {
            #expect("\(error)".contains("cannot connect"), "\(error)")
        }
    }
}
