import Foundation
import PolygonFake
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import MarketData

/// Issue 23: every wait and loop the provider can ask for is bounded. A `next_url` that names
/// itself, a `Retry-After` of a day and a redirect to another host or port are served by the
/// fake on request; the client makes a bounded number of requests and says why it stopped.
@Suite(.serialized) struct BoundedWaitsTests {
    let clock = ManualClock(iso: "2026-11-25T23:00:00Z")

    func start() throws -> FakePolygonServer {
        let clock = self.clock
        let server = FakePolygonServer(apiKey: "bounded-key-123", market: DemoMarket(clock: { clock.now() }))
        try server.start()
        return server
    }

    func client(_ server: FakePolygonServer, baseURL: String? = nil, maxWait: Double = 300) -> PolygonClient {
        PolygonClient(
            configuration: .init(
                apiKey: "bounded-key-123", baseURL: baseURL ?? server.baseURL, callsPerMinute: 6000, retries: 2,
                backoff: 0.5, timeout: 5, maxWaitSeconds: maxWait),
            transport: CurlHTTPClient(userAgent: "TradLyteTests/1"), clock: clock, sleeper: clock, jitter: { 1 })
    }

    @Test func aNextURLThatPointsAtItselfStopsOnTheFirstRepeat() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.loopingNextURL, count: 10_000, pathPrefix: "/v3/reference/tickers")
        #expect {
            _ = try client(server).symbols()
        } throws: { error in
            "\(error)".contains("next_url repeats an earlier page")
        }
        // The first page, its self-link once, and the repeat that is refused before it is sent.
        #expect(server.requests.count <= 3, "\(server.requests.count) requests")
    }

    @Test func pagingPastWhatTheRangeCanHoldStops() throws {
        let server = try start()
        defer { server.stop() }
        // Ten sessions at 20 bars a page fit one page; a server that keeps paging is cut off.
        server.inject(.loopingNextURL, count: 10_000, pathPrefix: "/v2/aggs/ticker/ACME/range")
        let from = try SessionDate(iso: "2024-03-04")
        let to = try SessionDate(iso: "2024-03-15")
        #expect(throws: ProviderError.self) { try client(server).dailyBars(try Symbol("ACME"), from: from, to: to) }
        #expect(server.requests.count <= 3)
    }

    @Test func aHugeRetryAfterIsRefusedWithoutWaitingOrPausingTheSharedLimiter() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(429, retryAfter: 86_400))
        let c = client(server)
        #expect {
            _ = try c.groupedDaily(try SessionDate(iso: "2024-03-15"))
        } throws: { error in
            guard case ProviderError.waitTooLong(let detail) = error else { return false }
            return detail.contains("86400 s") && detail.contains("300 s cap")
        }
        #expect(clock.sleeps.allSatisfy { $0 < 1 }, "\(clock.sleeps)")
        #expect(server.requests.count == 1)
        // The limiter was not paused for a day: the next call goes out at once.
        #expect(try c.groupedDaily(try SessionDate(iso: "2024-03-15")).count == 43)
        #expect(clock.sleeps.allSatisfy { $0 < 1 }, "\(clock.sleeps)")
    }

    @Test func aRetryAfterWithinTheCapIsWaited() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.status(503, retryAfter: 120))
        #expect(try client(server).groupedDaily(try SessionDate(iso: "2024-03-15")).count == 43)
        #expect(clock.sleeps.contains(120))
    }

    @Test func aRedirectToAnotherPortIsRefusedAndNamesTheTarget() throws {
        let server = try start()
        let other = try start()
        defer {
            server.stop()
            other.stop()
        }
        let target = other.baseURL + "/v3/reference/tickers?market=stocks"
        server.inject(.redirect(to: target), pathPrefix: "/v3/reference/tickers")
        #expect {
            _ = try client(server).symbols()
        } throws: { error in
            "\(error)".contains("redirects to \(target)") && "\(error)".contains("not the configured base")
        }
        #expect(other.requests.isEmpty)  // neither the key nor a request reached the other port
    }

    @Test func aRedirectOnTheConfiguredBaseIsFollowed() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.redirect(to: "/v2/aggs/grouped/locale/us/market/stocks/2024-03-15?adjusted=true"))
        #expect(try client(server).groupedDaily(try SessionDate(iso: "2024-03-15")).count == 43)
        #expect(server.requests.count == 2)
    }

    @Test func endlessRedirectsOnTheBaseStopAfterFive() throws {
        let server = try start()
        defer { server.stop() }
        server.inject(.redirect(to: "/v1/marketstatus/now"), count: 20)
        #expect {
            _ = try client(server).marketStatus()
        } throws: { error in
            "\(error)".contains("more than 5 redirects")
        }
        #expect(server.requests.count == 6)
    }
}
