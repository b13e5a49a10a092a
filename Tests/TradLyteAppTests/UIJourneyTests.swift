import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// The UI's journeys in-process (issue 25): the tmux journeys of issues 14–24 on the real
/// `UIRunner` and the memory backend (`UIJourney`), each asserting what its tmux version did.
/// What only a terminal shows (curses, signals, resize, colours, the 80×24 journey) stays in
/// TradLyteCLITests' `TUITests`.
@Suite(.serialized) struct UIJourneyTests {
    static let now = "2026-11-25T15:30:00Z"

    /// A home's environment: the scratch directory as TRADLYTE_HOME and HOME, the clock pinned.
    func environment(_ dir: TemporaryDirectory, now: String = now, _ extra: [String: String] = [:]) throws
        -> AppEnvironment
    {
        try AppEnvironment.load(
            ["TRADLYTE_HOME": dir.path, "HOME": dir.path, "TRADLYTE_NOW": now].merging(extra) { $1 })
    }

    /// A home with the demo market refreshed at `now`.
    func prepared(_ dir: TemporaryDirectory, now: String = now) throws -> AppEnvironment {
        let env = try environment(dir, now: now)
        let result = RefreshService(env: env).run(RefreshRequest(trigger: .cli), events: { _ in })
        try #require(result.exitCode == 0, "refresh failed: \(result.summary)")
        return env
    }

    @Test func aBacktestRunsFromTheChartAndATradeOpensOnTheChart() throws {
        let dir = TemporaryDirectory()
        let ui = try UIJourney(env: try prepared(dir), width: 160, height: 48)
        try ui.waitFor("Watchlist")
        ui.type("b")
        var screen = try ui.waitFor("Max DD")
        #expect(screen.contains("Backtest · golden_cross"))
        ui.type(":")
        ui.type("strategy macd_crossover")
        ui.send("enter")
        screen = try ui.waitFor("Backtest · macd_crossover")
        try ui.waitFor("Max DD")
        ui.type("s")
        try ui.waitFor("trades by return")
        ui.send("enter")
        screen = try ui.waitFor("trade 1:")
        #expect(screen.contains("▲") || screen.contains("▼"))
        ui.type("A")
        try ui.waitFor("Alerts ·")
        ui.type("P")
        screen = try ui.waitFor("Pipeline · R refreshes now")
        #expect(screen.contains("succeeded"))
        #expect(ui.quit())
    }

    @Test func rKeyRefreshesTheDemoMarketInTheBackgroundAndEveryScreenUpdates() throws {
        let dir = TemporaryDirectory()
        // Data a month old: the UI's refresh has 39 sessions to fetch.
        _ = try prepared(dir, now: "2026-10-01T22:00:00Z")
        let ui = try UIJourney(env: try environment(dir, now: "2026-11-25T22:00:00Z"), width: 140, height: 40)
        try ui.waitFor("data 2026-10-01")
        ui.type("P")
        try ui.waitFor("Grouped daily: 39 sessions")
        ui.type("R")
        var screen = try ui.waitFor("Refresh succeeded")
        #expect(screen.contains("fetch_ohlcv") && screen.contains("39/39"))
        try ui.waitFor("data 2026-11-25")  // the header (and every pane) shows the new data
        screen = try ui.waitFor("nothing to do")
        #expect(screen.contains("tui"))  // the run is recorded with its trigger
        #expect(ui.quit())
    }

    /// Issue 24's acceptance: on the fake's free plan at 30 calls a minute, 40 s after R in an
    /// empty home with a configured watchlist, the watchlist shows prices and the chart draws,
    /// while the cold start (about 500 grouped days) is still far from done.
    @Test func aColdStartOnTheFreePlanShowsTheWatchlistAndChartWithinFortySeconds() throws {
        let clock = ManualClock(iso: "2026-11-24T21:10:00Z")
        let server = FakePolygonServer(apiKey: "free-key", market: DemoMarket(clock: { clock.now() }), plan: .basic)
        server.rateLimitPerMinute = nil
        server.pageSize = 50_000  // the real service's page limit: a range is one call
        try server.start()
        defer { server.stop() }
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"calls_per_minute": 30, "watchlist": ["ACME", "NOVA"], "scan_strategies": []}"#)
        let env = try environment(
            dir, now: "2026-11-24T21:10:00Z", ["POLYGON_API_KEY": "free-key", "POLYGON_BASE_URL": server.baseURL])
        let ui = try UIJourney(env: env, width: 100, height: 30)
        try ui.waitFor("no data")
        ui.type("R")
        let screen = try ui.waitFor(description: "ACME's price and chart", timeout: 40) { text in
            // The watchlist's rows have prices (not "loading…"), the chart's info line its close.
            text.contains("│ACME ") && text.contains("│NOVA ") && !text.contains("loading…")
                && text.contains(" C ") && text.contains("refreshing")
        }
        #expect(screen.contains("1:1d"))
        #expect(server.requests.filter { $0.contains("/grouped/") }.count < 100)  // the cold start runs on
        // A refresh is running: q asks first, q again cancels and quits; the run records itself.
        #expect(ui.quit("qq"))
        let run = try #require(try env.openStore().runs(last: 1).first)
        #expect(run.status == .cancelled && run.trigger == .tui)
    }

    @Test func aRefreshCancelledMidwayLeavesAConsistentDatabaseThatTheNextRunCompletes() throws {
        let clock = ManualClock(iso: "2026-11-25T22:00:00Z")
        let server = FakePolygonServer(apiKey: "ui-key", market: DemoMarket(clock: { clock.now() }))
        try server.start()
        defer { server.stop() }
        let dir = TemporaryDirectory()
        // Paced at 50 calls a second, a year of grouped-daily calls takes about five seconds.
        dir.write("config.json", #"{"calls_per_minute": 3000, "backfill_years": 1, "scan_strategies": []}"#)
        let env = try environment(
            dir, now: "2026-11-25T22:00:00Z", ["POLYGON_API_KEY": "ui-key", "POLYGON_BASE_URL": server.baseURL])
        let ui = try UIJourney(env: env, width: 140, height: 40)
        try ui.waitFor("no data")
        ui.type("P")
        try ui.waitFor("Pipeline")
        ui.type("R")
        try ui.waitFor("fetch_ohlcv")
        // Cancel once the refresh is certainly mid-fetch: the server has answered 20 sessions.
        try waitUntil("20 grouped-daily calls") {
            ui.runner.step()
            return server.requests.filter { $0.contains("/grouped/") }.count >= 20
        }
        ui.type("x")
        let screen = try ui.waitFor("efresh cancelled")
        #expect(!screen.contains("✖"))  // a cancel is not a failure: no banner
        #expect(ui.quit())
        let store = try env.openStore()
        #expect(try store.quickCheck() == "ok")
        let cancelled = try #require(try store.runs(last: 1).first)
        #expect(cancelled.trigger == .tui && cancelled.status == .cancelled)
        #expect((cancelled.error ?? "").contains("cancelled"))
        #expect(try store.stages(ofRun: cancelled.id).allSatisfy { $0.status != .running })
        let resumed = RefreshService(env: env).run(RefreshRequest(trigger: .cli), events: { _ in })
        #expect(resumed.exitCode == 0, "\(resumed.summary)")
        #expect(try store.summary().latestSession == (try SessionDate(iso: "2026-11-25")))
        let statuses = try store.runs(last: 2).map(\.status)
        #expect(statuses == [.succeeded, .cancelled])
    }

    @Test func composeAStrategyWithATypoFixItSaveItBacktestItAndOpenATrade() throws {
        let dir = TemporaryDirectory()
        let env = try prepared(dir)
        let ui = try UIJourney(env: env, width: 160, height: 48)
        try ui.waitFor("Watchlist")
        ui.type("S")
        try ui.waitFor("macd_crossover")
        ui.send("down", "down")  // macd_crossover
        ui.send("enter")
        var screen = try ui.waitFor("editing my_macd_crossover")
        #expect(screen.contains("Trigger rule"))
        // The trigger field has the focus: replace it with a typo.
        ui.send("ctrl-u")
        ui.type("macd(12,26,9).macd crosses_abve macd(12,26,9).signal")
        try ui.waitFor("crosses_abve macd(12,26,9).signal")
        screen = try ui.waitFor("unexpected 'crosses_abve'")
        let rows = screen.components(separatedBy: "\n")
        let field = try #require(rows.firstIndex { $0.contains("crosses_abve macd") })
        let word = try #require(rows[field].range(of: "crosses_abve")).lowerBound
        let caret = try #require(rows[field + 1].firstIndex(of: "^"))
        #expect(
            rows[field].distance(from: rows[field].startIndex, to: word)
                == rows[field + 1].distance(from: rows[field + 1].startIndex, to: caret))
        let file = dir.path + "/strategies/my_macd_crossover.json"
        ui.send("ctrl-s")
        try ui.waitFor("not saved")
        #expect(!FileManager.default.fileExists(atPath: file))
        ui.send("ctrl-u")
        ui.type("macd(12,26,9).macd crosses_above macd(12,26,9).signal")
        try ui.waitFor("crosses_above macd(12,26,9).signal")
        try ui.waitFor("✓ valid")
        ui.send("ctrl-s")
        try ui.waitFor("saved my_macd_crossover")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("crosses_above"))
        ui.send("esc")
        ui.type("b")
        screen = try ui.waitFor("Max DD")
        #expect(screen.contains("Backtest · my_macd_crossover"))
        ui.send("enter")
        screen = try ui.waitFor("trade 1:")
        #expect(screen.contains("▲") || screen.contains("▼"))
        #expect(ui.quit())
        #expect(StrategyCatalog(directory: env.strategiesDirectory).items.contains { $0.id == "my_macd_crossover" })
    }

    /// The issue's acceptance journey: from the help screen alone, compose a strategy, backtest
    /// it, see the equity curve and trades, check the picks, refresh the pipeline and read an alert.
    @Test func aNewUserJourneyFromTheHelpScreen() throws {
        let dir = TemporaryDirectory()
        _ = try prepared(dir, now: "2026-10-01T22:00:00Z")
        let ui = try UIJourney(env: try environment(dir, now: "2026-11-25T22:00:00Z"), width: 160, height: 48)
        try ui.waitFor("Watchlist")
        ui.type("?")
        var screen = try ui.waitFor("Keys · Esc closes")
        #expect(screen.contains("strategy composer") && screen.contains("refresh the data now"))
        ui.send("esc")
        ui.type("S")
        try ui.waitFor("golden_cross")
        ui.send("enter")
        try ui.waitFor("editing my_golden_cross")
        ui.send("ctrl-s")
        try ui.waitFor("saved my_golden_cross")
        ui.send("esc")
        ui.type("b")
        screen = try ui.waitFor("Max DD")
        #expect(screen.contains("equity") && screen.contains("buy & hold") && screen.contains("ENTRY"))
        ui.type(":")
        ui.type("alert above 1")
        ui.send("enter")
        try ui.waitFor("alert rule 1 added")
        ui.type("R")
        try ui.waitFor("Refresh succeeded")
        try ui.waitFor("✉ 1")
        ui.type("A")
        screen = try ui.waitFor("● 2026-11-25")
        #expect(screen.contains("above"))
        ui.type("m")
        try ui.waitFor("1 alert marked read")
        ui.type("p")
        try ui.waitFor("Scanner picks")
        ui.type("r")
        try ui.waitFor("scan stored")
        #expect(ui.quit())
    }

    /// Issue 17: a portfolio from the backtest pane at 80×24 lands with its numbers, and another
    /// (over every stored symbol) is cancelled with Esc while it runs.
    @Test func aPortfolioRunsFromTheBacktestPaneAndAnotherIsCancelled() throws {
        let dir = TemporaryDirectory()
        let ui = try UIJourney(env: try prepared(dir), width: 80, height: 24)
        try ui.waitFor("Watchlist")
        ui.type("b")
        try ui.waitFor("Max DD")
        ui.type("P")
        var screen = try ui.waitFor("equal-weight")
        #expect(screen.contains("Portfolio · golden_cross") && screen.contains("Sharpe"))
        ui.type(":")
        ui.type("portfolio universe 10")
        ui.send("enter", "esc")
        screen = try ui.waitFor("portfolio cancelled")
        #expect(screen.contains("Cancelled. Press P to run again."))
        #expect(ui.quit())
    }
}
