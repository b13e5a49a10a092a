import Foundation
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import TradLyteUI

/// The app layer in-process (no spawned binary): the environment from a pinned process
/// environment, the UI's manual refresh, and the UI's effects against the store.
@Suite(.serialized) struct UISessionTests {
    static let now = "2026-11-25T23:00:00Z"

    func environment(_ dir: TemporaryDirectory) throws -> AppEnvironment {
        try pinnedEnvironment(dir, now: Self.now)
    }

    @Test func theRefreshAndTheUIsEffectsRunInProcess() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME", "TERA"]}"#)
        let env = try environment(dir)
        #expect(env.dataDirectory == dir.path && env.apiKey == nil)
        var events: [AppEvent] = []
        UISession.refresh(env: env, post: { events.append($0) }, cancellation: CancellationFlag())
        guard case .refreshFinished(let summary, let failed, let cancelled)? = events.last else {
            Issue.record("the refresh did not finish: \(events.count) events")
            return
        }
        #expect(!failed && !cancelled, "\(summary)")
        #expect(events.contains { if case .refreshStage("scan", "succeeded", _, _) = $0 { true } else { false } })

        let session = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try session.start(width: 120, height: 36)
        session.run(effects, &state, synchronous: true)
        #expect(state.series["ACME"]?.count ?? 0 > 1_000)
        #expect(state.dataThrough == (try SessionDate(iso: "2026-11-25")))

        // The picks pane's rescan stores what the refresh's scan stage stored.
        let store = try env.openStore()
        let session1125 = try SessionDate(iso: "2026-11-25")
        let byRefresh = try store.signals(session: session1125)
        session.run([.runScan], &state, synchronous: true)
        #expect(try store.signals(session: session1125) == byRefresh)
        #expect(state.picks == (try store.picks()))

        // Quotes one after another reuse one service (one store connection and provider).
        session.run([.fetchQuote("ACME")], &state, synchronous: true)
        #expect(state.quotes["ACME"]?.price ?? 0 > 0)
        session.run([.fetchQuote("TERA")], &state, synchronous: true)
        #expect(state.quotes["TERA"] != nil)
        #expect(session.quotes.count == 1)

        // A backtest and a study run as effects and land as events in the state.
        session.run(App.startBacktest(&state), &state, synchronous: true)
        #expect(state.backtest?.running == false)
        #expect((state.backtest?.result?.barCount ?? 0) > 1_000, "\(state.backtest?.error ?? "")")
    }

    @Test func cancelEffectsSetTheRunningJobsFlag() throws {
        let dir = TemporaryDirectory()
        let session = try UISession(env: try environment(dir), themeFlag: nil)
        var state = AppState(width: 80, height: 24, now: Date(timeIntervalSince1970: 0))
        let study = session.started(.study(7))
        let backtest = session.started(.backtest(7))
        session.run([.cancelStudy(generation: 7)], &state)
        #expect(study.isCancelled && !backtest.isCancelled)
        session.run([.cancelBacktest(generation: 7), .cancelStudy(generation: 8)], &state)
        #expect(backtest.isCancelled)
    }
}

/// The first run from the UI, and screens that follow a refresh made elsewhere.
@Suite(.serialized) struct FirstRunTests {
    static let now = "2026-11-25T23:00:00Z"

    @Test func theFirstRefreshFillsTheWatchlistAndTheChartAndAddingKeepsTheConfiguredList() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME", "TERA", "LMNA", "LATER"], "backfill_years": 2}"#)
        let env = try pinnedEnvironment(dir, now: Self.now)
        let session = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try session.start(width: 80, height: 24)
        session.run(effects, &state, synchronous: true)
        #expect(state.watchlist.isEmpty && state.currentSymbol == nil)
        session.run(App.perform(.refresh, &state), &state, synchronous: true)
        #expect(state.refresh?.running == false && state.refresh?.failed == false, "\(state.refresh?.summary ?? "")")
        #expect(state.watchlist == ["ACME", "TERA", "LMNA"])
        #expect(state.currentSymbol == "ACME" && (state.series["ACME"]?.count ?? 0) > 400)
        #expect(!state.picks.isEmpty)  // the first refresh's scan runs every built-in strategy
        // Adding a symbol keeps the configured ones, including one the store does not hold yet.
        session.run(Palette.run("add NOVA", &state), &state, synchronous: true)
        let saved = try AppEnvironment.load(["TRADLYTE_HOME": dir.path, "HOME": dir.path]).config.watchlist
        #expect(saved == ["ACME", "TERA", "LMNA", "NOVA", "LATER"])
        // d removes, u puts back, and both are saved.
        state.selected = state.sortedWatchlist.firstIndex(of: "TERA")!
        session.run(App.perform(.removeSymbol, &state), &state, synchronous: true)
        #expect(!state.watchlist.contains("TERA"))
        session.run(App.perform(.undoRemove, &state), &state, synchronous: true)
        #expect(state.watchlist == ["ACME", "TERA", "LMNA", "NOVA"])
        let restored = try AppEnvironment.load(["TRADLYTE_HOME": dir.path, "HOME": dir.path]).config.watchlist
        #expect(restored == ["ACME", "TERA", "LMNA", "NOVA", "LATER"])
    }

    @Test func aRefreshByAnotherProcessUpdatesTheOpenScreens() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME"], "backfill_years": 1}"#)
        let env = try pinnedEnvironment(dir, now: Self.now)
        var events: [AppEvent] = []
        UISession.refresh(env: env, post: { events.append($0) }, cancellation: CancellationFlag())
        let session = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try session.start(width: 80, height: 24)
        session.run(effects, &state, synchronous: true)
        let symbols = state.symbols.count
        // Idle ticks look for new data every 20 ticks; the first look only notes the version.
        var asked: [Effect] = []
        for _ in 0..<20 { asked += App.update(&state, .tick(state.now)) }
        #expect(asked == [.checkForNewData])
        session.run(asked, &state, synchronous: true)
        #expect(state.message?.text.contains("another refresh") != true)
        // The session's own writes (a quote cached through the quote service's connection) are not news.
        session.run([.fetchQuote("ACME"), .checkForNewData], &state, synchronous: true)
        #expect(state.quotes["ACME"] != nil && state.message?.text.contains("another refresh") != true)
        // A second look within the cache's life is the cached quote; `r` asks again, and the
        // "fetching" line clears when it lands.
        session.run([.fetchQuote("ACME")], &state, synchronous: true)
        #expect(state.quotes["ACME"]?.source.hasSuffix("(cached)") == true)
        state.pane = .chart
        state.focus = .main
        session.run(App.perform(.refreshQuote, &state), &state, synchronous: true)
        #expect(state.quotes["ACME"]?.source.hasSuffix("(cached)") == false)
        #expect(state.message?.text.hasPrefix("fetching") != true)
        session.run([.checkForNewData], &state, synchronous: true)  // the next idle look
        #expect(state.message?.text.contains("another refresh") != true)
        // Another process (here: another connection) stores a new symbol.
        let file = dir.write("ZZZ.csv", "date,open,high,low,close,volume\n2026-11-24,1,2,0.5,1.5,100\n")
        _ = try CSVImport.run(file: file, symbol: nil, env: env)
        session.run([.checkForNewData], &state, synchronous: true)
        #expect(state.symbols.count == symbols + 1 && state.symbols.contains { $0.symbol.rawValue == "ZZZ" })
        #expect(state.message?.text.contains("another refresh") == true)
    }
}
