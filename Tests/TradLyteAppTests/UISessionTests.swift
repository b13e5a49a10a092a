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

        // Quotes share one service (one store connection, one provider and rate limiter).
        session.run([.fetchQuote("ACME")], &state, synchronous: true)
        #expect(state.quotes["ACME"]?.price ?? 0 > 0)
        let first = session.quotes.withLock { $0.map { ObjectIdentifier($0.service) } }
        session.run([.fetchQuote("TERA")], &state, synchronous: true)
        #expect(state.quotes["TERA"] != nil)
        #expect(first != nil && session.quotes.withLock { $0.map { ObjectIdentifier($0.service) } } == first)

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
