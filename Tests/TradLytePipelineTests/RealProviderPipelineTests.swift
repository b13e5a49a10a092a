import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import TradLytePipeline

/// The pipeline through the real Polygon client against the fake server's plans and its
/// real-world scenario, on one manual clock shared by the market, the client's pacing and the
/// pipeline: a free-plan cold start at 16:10 ET, the next days, and what a real market does.
@Suite(.serialized) struct RealProviderPipelineTests {
    /// Tuesday 2026-11-24, 16:10 ET.
    static let coldStart = "2026-11-24T21:10:00Z"
    let calendar = TradingCalendar.nyse

    struct Rig {
        let clock: ManualClock
        let server: FakePolygonServer
        let client: PolygonClient
        let temp: TempStore
        var store: MarketStore { temp.store }

        func pipeline(_ options: PipelineOptions) -> Pipeline {
            Pipeline(store: temp.store, provider: client, options: options, clock: { clock.now() }, elapsed: clock)
        }

        /// Grouped-daily requests made since the last call.
        func takeGroupedCalls() -> [String] {
            let calls = server.requests.filter { $0.contains("/v2/aggs/grouped/") }
            server.clearRequests()
            return calls
        }
    }

    func rig(
        plan: FakePlan, at iso: String = coldStart, scenario: Bool = true, callsPerMinute: Double = 5
    ) throws -> Rig {
        let clock = ManualClock(iso: iso)
        let demo = DemoMarket(clock: { clock.now() })
        let events = scenario ? FakeMarket.Scenario.recent(before: clock.now()) : nil
        let server = FakePolygonServer(apiKey: "plan-key", market: demo, plan: plan, scenario: events)
        try server.start()
        let configuration = PolygonClient.Configuration(
            apiKey: "plan-key", baseURL: server.baseURL, callsPerMinute: callsPerMinute,
            retries: 2, backoff: 0.5, timeout: 10)
        let client = PolygonClient(
            configuration: configuration, transport: CurlHTTPClient(userAgent: "TradLyteTests/1"),
            clock: clock, sleeper: clock, jitter: { 1 })
        return Rig(clock: clock, server: server, client: client, temp: try TempStore())
    }

    func sessions(_ from: SessionDate, _ to: SessionDate) -> [SessionDate] {
        Array(calendar.sessions(in: from...to))
    }

    @Test func aFreePlanColdStartStoresItsWindowDefersTodayAndThenMakesOneCallADay() throws {
        let r = try rig(plan: .basic)
        defer { r.server.stop() }
        let today = try SessionDate(iso: "2026-11-24")
        let yesterday = try SessionDate(iso: "2026-11-23")
        var messages: [String] = []
        var progress: [(done: Int, total: Int)] = []
        let first = r.pipeline(PipelineOptions()).run(events: { event in
            if case .message(let m) = event { messages.append(m) }
            if case .progress("fetch_ohlcv", let done, let total, _) = event { progress.append((done, total)) }
        })
        #expect(first.status == .succeeded, "\(first.summary)")
        // The progress ends at its total once the window is reached: it was planned over five
        // years (1,255 sessions) and said "8/1255" with an ETA of hours past the plan's end.
        let planned = try #require(progress.first?.total)
        let last = try #require(progress.last)
        #expect(planned > 1_000 && last.done == last.total && last.total < planned, "\(progress.suffix(3))")
        // Every session of the plan's window through the previous session is stored, each once.
        let window = sessions(today.adding(days: -730), yesterday)
        let stored = try r.store.marketSessions()
        #expect(Set(stored.keys) == Set(window))
        #expect(first.sessionsStored == window.count)
        // Today is deferred (refused before end of day), with when it is tried again.
        #expect(first.deferred.map(\.session) == [today])
        #expect(first.deferred.first?.retry.contains("after 00:00 ET") == true)
        #expect(first.summary.contains("deferred 2026-11-24"))
        // The window was learned from the refusal, said once and remembered.
        #expect(messages.filter { $0.contains("history starts") }.count == 1)
        #expect(try r.store.flag(Pipeline.Flag.historyWindowDays) != nil)
        // One edge from the moment it is learned (issue 23): the session announced is the oldest
        // stored and the one the next plan starts at.
        let oldest = try #require(stored.keys.min())
        #expect(messages.contains { $0.contains("your plan's history starts at \(oldest)") }, "\(messages)")
        #expect(try r.pipeline(PipelineOptions()).plan().historyStart == oldest)
        // Calls: today (refused), the window, the one refused session past its edge; paced at
        // 5 a minute on the manual clock, so the plan's limit was never hit.
        #expect(r.takeGroupedCalls().count == window.count + 2)
        #expect(!r.server.requests.contains { $0.contains("429") })

        // A second run the same day makes no OHLCV call; the plan says there is nothing to do.
        r.clock.advance(by: 600)
        #expect(try r.pipeline(PipelineOptions()).plan().isEmpty)
        let again = r.pipeline(PipelineOptions()).run()
        #expect(again.status == .succeeded)
        #expect(r.takeGroupedCalls().count == 0)
        #expect(again.deferred.map(\.session) == [today])

        // The next day at 16:10 ET: yesterday's session plus the correction of the one before;
        // today is deferred without a call (the plan is known to publish after midnight).
        r.clock.advance(by: 86_400 - 600)
        let plan = try r.pipeline(PipelineOptions()).plan()
        #expect(plan.groupedSessions == [today])
        #expect(plan.corrections == [yesterday])
        // The edge moved a calendar day, never past a session the plan still serves.
        #expect(plan.historyStart.map { $0 >= oldest && $0 <= calendar.nextSession(after: oldest)! } == true)
        let next = r.pipeline(PipelineOptions()).run()
        #expect(next.status == .succeeded, "\(next.summary)")
        let calls = r.takeGroupedCalls()
        #expect(calls.count == 2)
        #expect(calls.contains { $0.contains("2026-11-24") } && calls.contains { $0.contains("2026-11-23") })
        #expect(try r.store.marketSessions()[yesterday]?.fetches == 2)
        #expect(next.deferred.map(\.session) == [try SessionDate(iso: "2026-11-25")])
    }

    @Test func aRealMarketsTickersKeepTheirOwnHistory() throws {
        let r = try rig(plan: .starter, callsPerMinute: 6000)
        defer { r.server.stop() }
        var options = PipelineOptions(backfillYears: 1)
        options.detailSymbols = [try Symbol("AMpB"), try Symbol("ACME")]
        let outcome = r.pipeline(options).run()
        #expect(outcome.status == .succeeded, "\(outcome.summary)")
        // A preferred and its common stock: two securities, two histories.
        let preferred = try r.store.dailyBars(try Symbol("AMpB"))
        let common = try r.store.dailyBars(try Symbol("AMPB"))
        #expect(preferred.count == common.count && preferred.count > 200)
        #expect(preferred.last?.close != common.last?.close)
        let infos = Dictionary(try r.store.symbols().map { ($0.symbol.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(infos["AMpB"]?.type == "PFD" && infos["AMPB"]?.type == "CS")
        #expect(try r.store.resolveSymbol("AMpB").rawValue == "AMpB")
        #expect(throws: StoreError.self) { try r.store.resolveSymbol("ampb") }
        // Details for what users look at: market cap and sector.
        #expect((infos["AMpB"]?.marketCap ?? 0) > 0 && infos["AMpB"]?.industry == "STATE COMMERCIAL BANKS")
        // The delisted ticker is not in the active list; unseen for ten sessions, it is dormant.
        #expect(infos["GONE"]?.active == false)
        // The illiquid ticker traded every third session: its gaps are not re-planned.
        let illiquid = try r.store.dailyBars(try Symbol("ILLQ"))
        #expect(illiquid.count < preferred.count / 2)
        // The new listing starts on its listing session.
        let scenario = FakeMarket.Scenario.recent(before: r.clock.now())
        #expect(try r.store.dailyBars(try Symbol("NEWL")).first?.session == scenario.listing)
        // The split re-fetched SPLT's adjusted history once.
        #expect(try r.store.appliedSplits().contains { $0.symbol.rawValue == "SPLT" && $0.date == scenario.split })
        r.server.clearRequests()
        r.clock.advance(by: 600)
        let again = r.pipeline(options).run()
        #expect(again.status == .succeeded)
        #expect(r.server.requests.filter { $0.contains("/v2/aggs/") }.isEmpty)
        #expect(r.server.requests.filter { $0.contains("/v3/reference/tickers/") }.isEmpty)  // details are weekly
        // The next day: the dry run counts the metadata calls the run makes (the details are
        // fresh, so only the splits; it counted every detail symbol: "Calls: 7", the run made 1).
        r.clock.advance(by: 86_400)
        let nextPlan = try r.pipeline(options).plan()
        r.server.clearRequests()
        #expect(r.pipeline(options).run().status == .succeeded)
        let metadata = r.server.requests.filter { $0.contains("/v3/reference/") || $0.contains("/stocks/v1/splits") }
        #expect(nextPlan.metadataCalls == metadata.count, "\(nextPlan.metadataCalls) planned: \(metadata)")
        // Watchlist mode never plans the delisted ticker's missing sessions.
        var watch = PipelineOptions(
            mode: .watchlist, watchlist: [try Symbol("GONE"), try Symbol("ILLQ")], backfillYears: 1)
        watch.detailSymbols = []
        let watchPlan = try r.pipeline(watch).plan()
        #expect(!watchPlan.ranges.contains { $0.symbol.rawValue == "GONE" })
    }

    @Test func aSessionWhoseFirstAnswerIsEmptyIsDeferredAndFetchedByTheNextRun() throws {
        let clock = ManualClock(iso: "2026-11-24T22:10:00Z")
        let latest = calendar.latestClosedSessionIndex(at: clock.now())
        let empty = calendar.sessions[latest - 3]
        var scenario = FakeMarket.Scenario.recent(before: clock.now())
        scenario.emptyFirstAnswer = empty
        let server = FakePolygonServer(
            apiKey: "k", market: DemoMarket(clock: { clock.now() }), plan: .advanced, scenario: scenario)
        try server.start()
        defer { server.stop() }
        let client = PolygonClient(
            configuration: .init(apiKey: "k", baseURL: server.baseURL, callsPerMinute: 6000),
            transport: CurlHTTPClient(userAgent: "TradLyteTests/1"), clock: clock, sleeper: clock)
        let temp = try TempStore()
        let pipeline = Pipeline(
            store: temp.store, provider: client, options: PipelineOptions(backfillYears: 1), clock: { clock.now() },
            elapsed: clock)
        let first = pipeline.run()
        #expect(first.status == .succeeded)
        #expect(first.deferred.map(\.session) == [empty])
        #expect(try temp.store.marketSessions()[empty] == nil)
        let status = try #require(try temp.store.flag(Pipeline.Flag.deferred))
        #expect(status.contains(empty.description) && status.contains("next run"))
        let second = pipeline.run()
        #expect(second.status == .succeeded && second.deferred.isEmpty)
        #expect(try temp.store.marketSessions()[empty] != nil)
        #expect(try temp.store.flag(Pipeline.Flag.deferred) == nil)
    }

    @Test func aCancelledBackfillKeepsEverySessionItFetchedAndTheNextRunFinishesIt() throws {
        let r = try rig(plan: .basic, scenario: false)
        defer { r.server.stop() }
        var calls = 0
        let cancelled = r.pipeline(PipelineOptions()).run(
            events: { event in
                if case .progress = event { calls += 1 }
            }, stop: { calls >= 40 ? .cancel : nil })
        #expect(cancelled.status == .cancelled)
        // 40 calls: today (refused) and 39 sessions, every one committed.
        #expect(cancelled.sessionsStored == 39)
        #expect(try r.store.marketSessions().count == 39)
        let run = try #require(try r.store.runs(last: 1).first)
        #expect(run.status == .cancelled)
        #expect(try r.store.stages(ofRun: run.id).allSatisfy { $0.status != .running })
        let kept = Set(try r.store.marketSessions().keys.map(\.description))
        r.server.clearRequests()
        let resumed = r.pipeline(PipelineOptions()).run()
        #expect(resumed.status == .succeeded)
        // Nothing fetched before is asked again.
        let asked = Set(r.takeGroupedCalls().compactMap { $0.split(separator: "/").last.map { String($0.prefix(10)) } })
        #expect(asked.isDisjoint(with: kept))
        #expect(try r.store.marketSessions().count == cancelled.sessionsStored + resumed.sessionsStored)
        #expect(resumed.sessionsStored > 400)
    }

    @Test func aRunLeftRunningByAKilledProcessIsReapedByTheNext() throws {
        let temp = try TempStore()
        let now = ISO8601DateFormatter().date(from: Self.coldStart)!
        let orphan = try temp.store.beginRun(trigger: .schedule, at: now)
        try temp.store.recordStage(
            StageRecord(runID: orphan, stage: "fetch_ohlcv", status: .running, attempts: 3, startedAt: now))
        var messages: [String] = []
        let outcome = Pipeline(
            store: temp.store, provider: DemoMarket(clock: { now }), options: PipelineOptions(backfillYears: 1),
            clock: { now }, elapsed: ManualClock.still
        ).run(events: { if case .message(let m) = $0 { messages.append(m) } })
        #expect(outcome.status == .succeeded)
        let runs = try temp.store.runs(last: 5)
        #expect(runs.first { $0.id == orphan }?.status == .interrupted)
        #expect(try temp.store.stages(ofRun: orphan).allSatisfy { $0.status == .interrupted })
        #expect(messages.contains { $0.contains("#\(orphan)") && $0.contains("interrupted") })
    }

    @Test func symbolsTheProviderDoesNotCarryNeverPullTheMarketPlanBack() throws {
        let r = try rig(plan: .advanced, scenario: false, callsPerMinute: 6000)
        defer { r.server.stop() }
        #expect(r.pipeline(PipelineOptions(backfillYears: 1)).run().status == .succeeded)
        // An imported CSV symbol with an old last bar.
        let old = try SessionDate(iso: "2025-06-02")
        let bar = DailyBar(session: old, open: 10, high: 11, low: 9, close: 10.5, volume: 1000)
        let provenance = Provenance(runID: nil, provider: "csv", endpoint: "import", fetchedAt: r.clock.now())
        _ = try r.store.ingest([try Symbol("MYCSV"): [bar]], provenance: provenance)
        #expect(try r.pipeline(PipelineOptions(backfillYears: 1)).plan().isEmpty)
        // Nor does its missing metadata make the ticker list due every day: one more look the
        // next day (a new symbol without metadata), then weekly as usual.
        r.clock.advance(by: 86_400)
        #expect(r.pipeline(PipelineOptions(backfillYears: 1)).run().status == .succeeded)
        let dayAfter = NewYorkTime.local(at: r.clock.now()).date.adding(days: 1)
        #expect(try !r.pipeline(PipelineOptions(backfillYears: 1)).listDue(today: dayAfter))
    }

    @Test func aRunStoppedBeforeTheMetadataIsRepairedByTheNextRun() throws {
        let r = try rig(plan: .advanced, scenario: false, callsPerMinute: 6000)
        defer { r.server.stop() }
        var inMetadata = false
        let stopped = r.pipeline(PipelineOptions(backfillYears: 1)).run(
            events: { event in
                if case .stageStarted("fetch_metadata") = event { inMetadata = true }
            }, stop: { inMetadata ? .interrupt("SIGTERM") : nil })
        #expect(stopped.status == .interrupted)
        #expect(try r.store.symbols().allSatisfy { $0.name == nil })
        r.clock.advance(by: 60)
        r.server.clearRequests()
        let repaired = r.pipeline(PipelineOptions(backfillYears: 1)).run()
        #expect(repaired.status == .succeeded)
        #expect(r.takeGroupedCalls().count == 0)
        #expect(try r.store.symbols().allSatisfy { $0.name != nil && $0.type != nil })
    }

    @Test func picksShowMarketCapAndSectorFromTickerDetails() throws {
        let r = try rig(plan: .advanced, at: "2026-11-25T23:00:00Z", scenario: false, callsPerMinute: 6000)
        defer { r.server.stop() }
        var options = PipelineOptions(backfillYears: 2)
        options.scanStrategies = StrategyLibrary.all.map(\.strategy)
        options.scanTopK = 2
        options.detailsPerRun = 50
        let outcome = r.pipeline(options).run()
        #expect(outcome.status == .succeeded, "\(outcome.summary)")
        // The ticker list carries no market cap; the picks got theirs from the details endpoint.
        let picks = try r.store.picks(session: nil)
        #expect(!picks.isEmpty)
        #expect(picks.allSatisfy { ($0.marketCap ?? 0) > 0 && $0.sector?.isEmpty == false })
        #expect(r.server.requests.contains { $0.hasPrefix("/v3/reference/tickers/") })
        #expect(outcome.stages.contains { $0.stage == "fetch_details" && $0.status == .succeeded })
    }

    @Test func aFreePlanColdStartFetchesTheWatchlistFirst() throws {
        let r = try rig(plan: .basic, scenario: false)
        defer { r.server.stop() }
        let acme = try Symbol("ACME")
        var stopAfter = false
        let outcome = r.pipeline(PipelineOptions(watchlist: [acme])).run(
            events: { event in
                if case .progress(_, let done, _, _) = event, done >= 1 { stopAfter = true }
            }, stop: { stopAfter ? .cancel : nil })
        #expect(outcome.status == .cancelled)
        // The first OHLCV calls were ACME's range: refused for five years, then from the free
        // plan's two (in pages); its chart is usable before any grouped day is fetched.
        let ohlcv = r.server.requests.filter { $0.contains("/v2/aggs/") }
        #expect(ohlcv.count >= 2 && ohlcv.allSatisfy { $0.contains("/ticker/ACME/range/") }, "\(ohlcv)")
        #expect(try r.store.dailyBars(acme).count > 480)
        #expect(try r.store.marketSessions().isEmpty)
    }

    // MARK: - Issue 23: no session lost, stops honoured late, long waits deferred

    @Test func aStopRequestedAfterTheFetchEndsTheRunInterruptedNotSucceeded() throws {
        let r = try rig(plan: .advanced, scenario: false, callsPerMinute: 6000)
        defer { r.server.stop() }
        var fetched = false
        let outcome = r.pipeline(PipelineOptions(backfillYears: 1)).run(
            events: { event in
                if case .stageFinished(let record) = event, record.stage == "fetch_ohlcv" { fetched = true }
            }, stop: { fetched ? .interrupt("SIGTERM") : nil })
        #expect(outcome.status == .interrupted)
        #expect(outcome.error?.contains("SIGTERM") == true)
        let run = try #require(try r.store.runs(last: 1).first)
        #expect(run.status == .interrupted)
        #expect(try r.store.stages(ofRun: run.id).allSatisfy { $0.status != .running })
        #expect(try r.store.marketSessions().count > 200)  // what the fetch stored is kept
    }

    @Test func aRetryAfterOfADayDefersTheRestAndEndsTheRunWithoutWaiting() throws {
        let r = try rig(plan: .advanced, scenario: false, callsPerMinute: 6000)
        defer { r.server.stop() }
        // Ten grouped days arrive, then the provider asks for a day's wait.
        var messages: [String] = []
        var calls = 0
        r.server.inject(
            .status(429, retryAfter: 86_400), count: 1,
            pathPrefix: "/v2/aggs/grouped/locale/us/market/stocks/2026-11-10")
        let outcome = r.pipeline(PipelineOptions(backfillYears: 1)).run(
            events: { event in
                if case .message(let m) = event { messages.append(m) }
                if case .progress = event { calls += 1 }
            })
        #expect(outcome.status == .succeeded, "\(outcome.summary)")
        #expect(r.clock.sleeps.allSatisfy { $0 < 60 }, "\(r.clock.sleeps)")
        let stored = try r.store.marketSessions()
        #expect(stored.count == 10, "\(stored.count)")  // 2026-11-11 … 2026-11-24
        #expect(outcome.deferred.count > 200)
        #expect(outcome.deferred.allSatisfy { $0.reason.contains("86400 s") })
        #expect(messages.contains { $0.contains("deferred to the next run") && $0.contains("max_wait_seconds") })
        #expect(outcome.stages.first { $0.stage == "fetch_metadata" }?.status == .skipped)
        // The next run picks up exactly what was deferred.
        let plan = try r.pipeline(PipelineOptions(backfillYears: 1)).plan()
        #expect(Set(plan.groupedSessions) == Set(outcome.deferred.map(\.session)))
    }
}
