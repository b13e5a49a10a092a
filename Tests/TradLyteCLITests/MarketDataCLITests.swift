import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteTestSupport

/// `quote` and `doctor` through the binary, on the demo market and against the fake server.
@Suite struct MarketDataCLITests {
    @Test func quoteOnTheDemoMarketNamesUnknownSymbolsAndPrintsTheRest() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["quote", "ACME", "NOPE", "TERA"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("ACME") && result.stdout.contains("TERA") && result.stdout.contains("DEMO"))
        #expect(result.stderr.contains("NOPE: unknown symbol 'NOPE'"))
        let json = try cli.run(["quote", "LMNA", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(rows.first?["source"] as? String == "demo" && (rows.first?["price"] as? Double ?? 0) > 0)
    }

    @Test func quoteAndDoctorAgainstTheFakePolygonServer() throws {
        // The CLI and the fake share one pinned instant: 15:00 New York time, mid-session.
        let now = "2026-11-25T20:00:00Z"
        let clock = ManualClock(iso: now)
        let server = FakePolygonServer(apiKey: "cli-key-42", market: DemoMarket(clock: { clock.now() }))
        try server.start()
        defer { server.stop() }
        let cli = try CLIHarness()
        let env = ["POLYGON_API_KEY": "cli-key-42", "POLYGON_BASE_URL": server.baseURL, "TRADLYTE_NOW": now]
        let quote = try cli.run(["quote", "ACME"], environment: env)
        #expect(quote.status == 0, "\(quote.stderr)")
        #expect(quote.stdout.contains("delayed") || quote.stdout.contains("live"))
        let doctor = try cli.run(["doctor"], environment: env)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        #expect(doctor.stdout.contains("reachable, key accepted"))
        #expect(!doctor.stdout.contains("cli-key-42") && !doctor.stderr.contains("cli-key-42"))
        let bad = try cli.run(["doctor"], environment: env.merging(["POLYGON_API_KEY": "wrong"]) { $1 })
        #expect(bad.status == 1 && bad.stdout.contains("the API key was rejected"))
    }
}
