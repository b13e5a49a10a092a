import Foundation
import PolygonFake
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import MarketData

/// The quote service with a real store on disk: cache → provider → local bars.
@Suite struct QuoteServiceTests {
    let now = ISO8601DateFormatter().date(from: "2026-11-25T23:00:00Z")!

    func store() throws -> (MarketStore, String) {
        let dir = NSTemporaryDirectory() + "tradlyte-quotes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (try MarketStore(path: dir + "/q.sqlite"), dir)
    }

    @Test func cachesProviderQuotesForTheTTL() throws {
        let (store, dir) = try store()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let market = DemoMarket(clock: { [now] in now })
        let service = QuoteService(provider: market, store: store, ttl: 60)
        let tera = try Symbol("TERA")
        let first = try service.quote(tera, at: now)
        #expect(!first.fromCache && first.quote.source == .demo)
        let second = try service.quote(tera, at: now.addingTimeInterval(30))
        #expect(second.fromCache && second.quote == first.quote)
        let third = try service.quote(tera, at: now.addingTimeInterval(61))
        #expect(!third.fromCache)
        // A demo quote never answers for a non-demo provider.
        let other = QuoteService(provider: nil, store: store, ttl: 60)
        #expect(throws: ProviderError.unknownSymbol("TERA")) { try other.quote(tera, at: now.addingTimeInterval(62)) }
    }

    @Test func fallsBackToTheLatestLocalBarWhenTheProviderIsDown() throws {
        let (store, dir) = try store()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let acme = try Symbol("ACME")
        let bars = try DemoMarket(clock: { [now] in now }).dailyBars(
            acme, from: try SessionDate(iso: "2026-11-20"), to: try SessionDate(iso: "2026-11-25"))
        let provenance = Provenance(runID: nil, provider: "test", endpoint: "t", fetchedAt: now)
        _ = try store.ingest([acme: bars], provenance: provenance)
        let server = FakePolygonServer(apiKey: "k", market: DemoMarket(clock: { [now] in now }))
        try server.start()
        let url = server.baseURL
        server.stop()  // the provider is unreachable
        let polygon = PolygonClient(
            configuration: .init(apiKey: "k", baseURL: url, callsPerMinute: 6000, retries: 0, timeout: 2),
            transport: CurlHTTPClient(userAgent: "t"), clock: FixedClock(now),
            sleeper: ManualClock(now))
        let result = try QuoteService(provider: polygon, store: store).quote(acme, at: now)
        #expect(result.quote.source == .localEOD && result.quote.price == bars.last!.close)
        #expect(result.quote.change == bars.last!.close - bars[bars.count - 2].close)
        #expect(result.note?.contains("polygon unavailable") == true)
        #expect(throws: ProviderError.self) {
            try QuoteService(provider: polygon, store: store).quote(try Symbol("NOPE"), at: now)
        }
    }
}
