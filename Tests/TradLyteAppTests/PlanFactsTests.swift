import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteApp
import TradLyteCore
import TradLytePipeline
import TradLyteStore
import TradLyteTestSupport

/// Issue 24: plans change. Limits learned on the free plan (no snapshots, a two-year window)
/// carry the date they were learned and are learned again with a new key, after a week, and on
/// `refresh --relearn`; `doctor` lists them with their age.
@Suite(.serialized) struct PlanFactsTests {
    /// Wednesday 2026-11-25, 10:30 ET: in session, past the 15 minutes of a delayed snapshot.
    static let inSession = "2026-11-25T15:30:00Z"

    func server(_ plan: FakePlan, key: String, clock: ManualClock) throws -> FakePolygonServer {
        let server = FakePolygonServer(apiKey: key, market: DemoMarket(clock: { clock.now() }), plan: plan)
        server.rateLimitPerMinute = nil
        try server.start()
        return server
    }

    func env(_ dir: TemporaryDirectory, key: String, base: String) throws -> AppEnvironment {
        try AppEnvironment.load([
            "TRADLYTE_HOME": dir.path, "HOME": dir.path, "TRADLYTE_NOW": Self.inSession,
            "POLYGON_API_KEY": key, "POLYGON_BASE_URL": base,
        ])
    }

    @Test func aHomeThatLearnedTheFreePlanQuotesTheDelayedSnapshotWithAStarterKey() throws {
        let clock = ManualClock(iso: Self.inSession)
        let free = try server(.basic, key: "free-key-1", clock: clock)
        let starter = try server(.starter, key: "starter-key-2", clock: clock)
        defer {
            free.stop()
            starter.stop()
        }
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"calls_per_minute": 100000}"#)
        _ = try MarketStore(path: dir.path + "/tradlyte.sqlite")  // the home has a database
        let acme = try Symbol("ACME")
        let first = try env(dir, key: "free-key-1", base: free.baseURL)
        // Through the quote service, so the free plan's answer is cached (60 s, a pinned clock).
        let cache = try MarketStore(path: dir.path + "/tradlyte.sqlite")
        let onFree = try QuoteService(provider: try first.makeProvider(notices: { _ in }), store: cache, ttl: 60)
            .quote(acme, at: clock.now()).quote
        #expect(onFree.source == .previousClose)
        let store = try MarketStore(path: dir.path + "/tradlyte.sqlite")
        let learned = try PlanFacts.known(store)
        let day = try SessionDate(iso: "2026-11-25")
        #expect(learned.map(\.value) == ["none"] && learned.first?.learned == day)
        // The starter key: the facts of the other key are forgotten, said, and the first quote
        // in session is the 15-minute-delayed snapshot.
        let notes = Locked<[String]>([])
        let second = try env(dir, key: "starter-key-2", base: starter.baseURL)
        let provider = try second.makeProvider(notices: { n in notes.withLock { $0.append(n) } })
        // The old key's cached quote is gone with its plan facts.
        let onStarter = try QuoteService(provider: provider, store: cache, ttl: 60).quote(acme, at: clock.now()).quote
        #expect(onStarter.source == .delayed, "\(onStarter.source)")
        let said = notes.withLock { $0 }
        #expect(said.contains { $0.contains("the API key changed") }, "\(said)")
    }

    /// The watchlist's LAST during the session: the starter plan's delayed snapshots; the free
    /// plan's first answer (no snapshot) stops the round after one symbol.
    @Test func theWatchlistsSnapshotsAreDelayedOnStarterAndStopAtTheFirstAnswerOnFree() throws {
        let clock = ManualClock(iso: Self.inSession)
        let free = try server(.basic, key: "free-key-1", clock: clock)
        let starter = try server(.starter, key: "starter-key-2", clock: clock)
        defer {
            free.stop()
            starter.stop()
        }
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"calls_per_minute": 100000}"#)
        _ = try MarketStore(path: dir.path + "/tradlyte.sqlite")
        let onStarter = UISession.watchQuotes(
            ["ACME", "NOVA"], env: try env(dir, key: "starter-key-2", base: starter.baseURL), quotes: QuotePool())
        guard case .watchQuotesLoaded(let quotes, let snapshots) = onStarter else {
            Issue.record("\(onStarter)")
            return
        }
        #expect(snapshots && Set(quotes.keys) == ["ACME", "NOVA"])
        #expect(quotes.values.allSatisfy { $0.source.hasPrefix("delayed") }, "\(quotes)")
        let before = free.requests.count
        let onFree = UISession.watchQuotes(
            ["ACME", "NOVA", "ZEN"], env: try env(dir, key: "free-key-1", base: free.baseURL), quotes: QuotePool())
        guard case .watchQuotesLoaded(let none, let freeSnapshots) = onFree else {
            Issue.record("\(onFree)")
            return
        }
        #expect(!freeSnapshots && none.isEmpty)
        // One symbol's calls (the snapshot refused, then its previous close), not three.
        #expect(free.requests.count - before <= 2, "\(free.requests)")
    }

    @Test func factsAWeekOldAreLearnedAgainAndRelearnForgetsThemAll() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.path + "/tradlyte.sqlite")
        let monday = try SessionDate(iso: "2026-11-23")
        #expect(try PlanFacts.review(store, key: "k1", today: monday).isEmpty)  // the key is noted
        try store.setFlag(Pipeline.Flag.historyWindowDays, "729")
        try store.setFlag(PlanFacts.learnedFlag(Pipeline.Flag.historyWindowDays), monday.description)
        try store.setFlag(PolygonClient.snapshotsFact, "none")  // learned before facts were dated
        #expect(try PlanFacts.review(store, key: "k1", today: monday.adding(days: 3)).isEmpty)
        #expect(try PlanFacts.known(store).count == 2)
        let notes = try PlanFacts.review(store, key: "k1", today: monday.adding(days: 7))
        #expect(notes.count == 1 && notes[0].contains("history window"), "\(notes)")
        #expect(try store.flag(Pipeline.Flag.historyWindowDays) == nil)
        #expect(try store.flag(PolygonClient.snapshotsFact) == "none")  // dated three days later, kept
        try PlanFacts.forget(store)
        #expect(try PlanFacts.known(store).isEmpty)
    }
}
