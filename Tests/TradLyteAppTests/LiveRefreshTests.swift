import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteUI

/// Issue 24: a refresh fills the screen as it goes. On the free plan a cold start takes about a
/// hundred minutes; the UI stayed blank until it ended although the watchlist's history had
/// arrived in its first calls. Here the fake serves the free plan, the client is paced at 60 calls
/// a minute, and the UI's own loop (its events and ticks, run in-process) must show the
/// configured watchlist "loading…", then its prices and chart while the refresh is still running.
@Suite(.serialized) struct LiveRefreshTests {
    @Test func theWatchlistAndTheChartFillWhileTheColdStartRuns() throws {
        let clock = ManualClock(iso: "2026-11-24T21:10:00Z")
        let server = FakePolygonServer(apiKey: "live-key", market: DemoMarket(clock: { clock.now() }), plan: .basic)
        server.rateLimitPerMinute = nil
        server.pageSize = 50_000  // the real service's page: a range is one call
        try server.start()
        defer { server.stop() }
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME", "TERA"], "calls_per_minute": 60, "scan_strategies": []}"#)
        let env = try AppEnvironment.load([
            "TRADLYTE_HOME": dir.path, "HOME": dir.path, "TRADLYTE_NOW": "2026-11-24T21:10:00Z",
            "POLYGON_API_KEY": "live-key", "POLYGON_BASE_URL": server.baseURL,
        ])
        let session = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try session.start(width: 100, height: 30)
        session.run(effects, &state, synchronous: true)
        #expect(state.watchlist.isEmpty && state.configuredWatchlist == ["ACME", "TERA"])
        session.run(App.perform(.refresh, &state), &state)  // on its own thread, as in the UI
        defer {
            session.refreshCancel.cancel()
            try? waitUntil(timeout: 60, "the refresh to stop") {
                session.inbox.drain().contains { event in
                    if case .refreshFinished = event { return true }
                    return false
                } || state.refresh?.running == false
            }
        }
        // The configured symbols are listed as loading until their data is committed.
        let loading = Screens.render(state, Screens.Context(theme: .default, glyphs: .unicode)).textRows.joined()
        #expect(loading.contains("ACME") && loading.contains("loading…"), "\(loading)")
        var now = env.now()
        try waitUntil(timeout: 60, "ACME's prices on screen while the refresh runs") {
            for event in session.inbox.drain() {
                session.run(App.update(&state, event), &state, synchronous: true)
            }
            now.addTimeInterval(0.1)
            session.run(App.update(&state, .tick(now)), &state, synchronous: true)
            return state.series["ACME"] != nil && state.series["TERA"] != nil
        }
        #expect(state.refresh?.running == true)  // still fetching the market's grouped days
        #expect(state.watchlist == ["ACME", "TERA"] && state.currentSymbol == "ACME")
        let acme = try #require(state.series["ACME"])
        #expect(acme.count > 400)
        let screen = Screens.render(state, Screens.Context(theme: .default, glyphs: .unicode)).textRows.joined()
        #expect(screen.contains(Format.price(acme.close.last)), "the watchlist shows ACME's last close")
        #expect(!screen.contains("loading…"))
    }
}
