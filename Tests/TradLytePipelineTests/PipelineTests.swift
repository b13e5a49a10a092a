import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import TradLytePipeline

/// A store in a temporary directory.
final class TempStore {
    let dir: String
    let store: MarketStore
    init() throws {
        dir = NSTemporaryDirectory() + "tradlyte-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try MarketStore(path: dir + "/tradlyte.sqlite")
    }
    deinit { try? FileManager.default.removeItem(atPath: dir) }
}

/// Everything a run is meant to produce, as text: symbols, daily bars and current watermarks
/// (not run records, raw rows or watermark history, which record how; Fibonacci bars are read
/// from the daily bars).
func contentDigest(_ store: MarketStore) throws -> [String] {
    var lines: [String] = []
    for info in try store.symbols() {
        lines.append(
            "S \(info.symbol) \(info.name ?? "") \(info.type ?? "") \(info.active) \(info.marketCap ?? 0) \(info.industry ?? "")"
        )
        guard let w = try store.watermark(info.symbol) else { continue }
        lines.append("W \(w.firstSession) \(w.latestSession) \(w.rows)")
        for b in try store.dailyBars(info.symbol) { lines.append("D \(b)") }
    }
    return lines
}

@Suite struct PipelineTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func pipeline(
        _ store: MarketStore, now: Date, options: PipelineOptions = PipelineOptions(backfillYears: 1),
        provider: MarketDataProvider? = nil
    ) -> Pipeline {
        Pipeline(
            store: store, provider: provider ?? DemoMarket(clock: { now }), options: options, clock: { now },
            elapsed: ManualClock.still)
    }

    @Test func aColdStartBuildsTheDatabaseAndASecondRunIsANoOp() throws {
        let t = try TempStore()
        let now = Self.at("2026-11-25T23:00:00Z")
        let first = pipeline(t.store, now: now).run()
        #expect(first.status == .succeeded, "\(first.summary)")
        #expect(first.ingest.inserted > 40 * 250)
        let expectedStages = [
            "plan", "fetch_ohlcv", "fetch_metadata", "bronze", "consolidate", "scan", "alerts", "vacuum",
        ]
        #expect(Set(first.stages.map(\.stage)) == Set(expectedStages))
        let coverage = try t.store.coverage()
        #expect(coverage.count == 43)  // the delisted ticker ended before the backfill window
        #expect(coverage.values.allSatisfy { $0.latest == (try! SessionDate(iso: "2026-11-25")) })
        #expect((try t.store.symbols()).count == 44)
        let second = pipeline(t.store, now: now).run()
        #expect(second.status == .succeeded && second.ingest.rows == 0)
        #expect(second.plan?.isEmpty == true)
        let stages = try t.store.stages(ofRun: second.runID!)
        #expect(stages.map(\.stage).contains("vacuum") && stages.first { $0.stage == "scan" }?.status == .skipped)
    }

    @Test func theScanStageStoresPicksForTheLatestSession() throws {
        let t = try TempStore()
        let now = Self.at("2026-11-25T23:00:00Z")
        var options = PipelineOptions(backfillYears: 2)
        options.scanStrategies = StrategyLibrary.all.map(\.strategy)
        options.scanTopK = 2
        let outcome = pipeline(t.store, now: now, options: options).run()
        #expect(outcome.status == .succeeded)
        let scan = try #require(outcome.stages.first { $0.stage == "scan" })
        #expect(scan.status == .succeeded && scan.counts["symbols"] == 43)
        let picks = try t.store.picks()
        #expect(picks.count == scan.counts["picks"])
        // A new_pick rule fires once per picked symbol of the session (the inbox keeps one
        // alert per rule, symbol and session, so a symbol picked by two strategies fires once).
        _ = try t.store.addAlertRule(AlertRule(kind: .newPick, symbol: nil), at: now)
        let again = pipeline(t.store, now: now, options: options).run()
        #expect(!picks.isEmpty)
        #expect(Set(again.newAlerts.map(\.symbol)) == Set(picks.map(\.symbol)))
        #expect(again.newAlerts.count == Set(picks.map(\.symbol)).count)
        #expect(again.newAlerts.allSatisfy { $0.message.contains("picked") })
        #expect(pipeline(t.store, now: now, options: options).run().newAlerts.isEmpty)
        #expect(picks.allSatisfy { $0.session == (try! SessionDate(iso: "2026-11-25")) && $0.rank <= 2 })
    }

    @Test func incrementalRunsEqualAFreshRunAndPlanPerSymbol() throws {
        let incremental = try TempStore()
        let t1 = Self.at("2026-10-20T23:00:00Z")
        let t2 = Self.at("2026-11-25T23:00:00Z")
        #expect(pipeline(incremental.store, now: t1).run().status == .succeeded)
        let plan = try pipeline(incremental.store, now: t2).plan()
        #expect(
            plan.groupedSessions.count
                == TradingCalendar.nyse.sessions(
                    in: try SessionDate(iso: "2026-10-21")...(try SessionDate(iso: "2026-11-25"))
                ).count)
        // Market mode plans from the grouped days fetched, not from each symbol's watermark.
        #expect(plan.missingBySymbol.isEmpty)
        #expect(plan.groupedSessions.first == (try SessionDate(iso: "2026-11-25")))
        #expect(pipeline(incremental.store, now: t2).run().status == .succeeded)
        // The same window from scratch at t2, with the backfill reaching back to t1's start.
        let fresh = try TempStore()
        let options = PipelineOptions(backfillYears: 1)
        #expect(pipeline(fresh.store, now: t1, options: options).run().status == .succeeded)
        #expect(pipeline(fresh.store, now: t2, options: options).run().status == .succeeded)
        #expect(try contentDigest(incremental.store) == contentDigest(fresh.store))
        // Forming Fibonacci bars closed as time moved on.
        let latest = Int32(TradingCalendar.nyse.latestClosedSessionIndex(at: t2))
        let bars = try incremental.store.bars(try Symbol("ACME"), interval: try FibInterval(34), latestClosed: latest)
        #expect(bars.dropLast().allSatisfy { $0.complete })
    }

    @Test func aSplitRefetchesTheAdjustedHistoryOnce() throws {
        let t = try TempStore()
        let before = Self.at("2021-07-30T23:00:00Z")
        let after = Self.at("2021-08-10T23:00:00Z")
        #expect(pipeline(t.store, now: before).run().status == .succeeded)
        let day = try SessionDate(iso: "2021-07-29")
        let raw = try #require(try t.store.dailyBars(DemoMarket.splitSymbol, in: day...day).first)
        let outcome = pipeline(t.store, now: after).run()
        #expect(outcome.status == .succeeded && outcome.plan?.splits.count == 1)
        let adjusted = try #require(try t.store.dailyBars(DemoMarket.splitSymbol, in: day...day).first)
        #expect(abs(adjusted.close - raw.close / 4) < 0.0002)
        #expect(try t.store.appliedSplits().count == 1)
        let again = pipeline(t.store, now: after).run()
        #expect(again.plan?.splits.isEmpty == true)
    }

    @Test func alertsFireOncePerRuleSymbolAndSession() throws {
        let t = try TempStore()
        let now = Self.at("2026-11-25T23:00:00Z")
        let acme = try Symbol("ACME")
        _ = try t.store.addAlertRule(AlertRule(kind: .priceAbove, symbol: acme, value: 1), at: now)
        _ = try t.store.addAlertRule(AlertRule(kind: .priceBelow, symbol: acme, value: 1), at: now)
        let anyMove = AlertRule(kind: .percentChange, symbol: nil, value: 0.000001, sessions: 1)
        _ = try t.store.addAlertRule(anyMove, at: now)
        let first = pipeline(t.store, now: now).run()
        #expect(first.status == .succeeded)
        #expect(first.newAlerts.contains { $0.symbol == acme && $0.message.contains("above 1.00") })
        #expect(!first.newAlerts.contains { $0.message.contains("below") })
        #expect(first.newAlerts.filter { $0.message.contains("moved") }.count == 43)
        let second = pipeline(t.store, now: now).run()
        #expect(second.newAlerts.isEmpty)
        #expect(try t.store.unreadAlertCount() == first.newAlerts.count)
        #expect(try t.store.markAlertsRead(nil) == first.newAlerts.count && t.store.unreadAlertCount() == 0)
    }

    @Test func vacuumDeletesOnlyOldVerifiedBronzeRows() throws {
        let t = try TempStore()
        let acme = try Symbol("ACME")
        let old = Self.at("2026-01-05T23:00:00Z")
        let bars = try DemoMarket(clock: { old }).dailyBars(
            acme, from: try SessionDate(iso: "2025-12-01"), to: try SessionDate(iso: "2025-12-31"))
        let provenance = Provenance(runID: nil, provider: "demo", endpoint: "t", fetchedAt: old)
        _ = try t.store.ingest([acme: bars], provenance: provenance)
        let dry = try t.store.vacuumBronze(olderThan: Self.at("2026-06-01T00:00:00Z"), dryRun: true)
        #expect(dry.eligible == bars.count && dry.deleted == 0 && dry.unverified == 0)
        let done = try t.store.vacuumBronze(olderThan: Self.at("2026-06-01T00:00:00Z"), dryRun: false)
        #expect(done.deleted == bars.count)
        #expect(try t.store.bronzeRowCount() == 0)
        #expect(try t.store.dailyBars(acme).count == bars.count)
    }

    @Test func providerFailuresFailTheRunWithTheStageAndKeepTheDataIntact() throws {
        let server = FakePolygonServer(apiKey: "k", market: DemoMarket(clock: { Self.at("2026-11-25T23:00:00Z") }))
        try server.start()
        defer { server.stop() }
        let t = try TempStore()
        let acme = try Symbol("ACME")
        let clock = ManualClock(iso: "2026-11-25T23:00:00Z")
        let client = PolygonClient(
            configuration: .init(apiKey: "k", baseURL: server.baseURL, callsPerMinute: 6000, retries: 0, backoff: 0.01),
            transport: CurlHTTPClient(userAgent: "t"), clock: clock, sleeper: clock)
        let options = PipelineOptions(mode: .watchlist, watchlist: [acme, try Symbol("TERA")], backfillYears: 1)
        let early = Self.at("2026-11-20T23:00:00Z")
        let ok = Pipeline(
            store: t.store, provider: client, options: options, clock: { early }, elapsed: ManualClock.still
        ).run()
        #expect(ok.status == .succeeded, "\(ok.summary)")
        let before = try contentDigest(t.store)
        server.inject(.status(503), count: 10, pathPrefix: "/v2/aggs/ticker")
        let failed = Pipeline(
            store: t.store, provider: client, options: options, clock: { Self.at("2026-11-25T23:00:00Z") },
            elapsed: ManualClock.still
        ).run()
        #expect(failed.status == .failed && failed.failedStage == "fetch_ohlcv")
        #expect(failed.error?.contains("HTTP 503") == true)
        #expect(try t.store.runs(last: 1).first?.status == .failed)
        #expect(try contentDigest(t.store) == before)
        server.clearFaults()
        server.inject(.wrongTypes, pathPrefix: "/v2/aggs/ticker")
        let garbage = Pipeline(
            store: t.store, provider: client, options: options, clock: { Self.at("2026-11-25T23:00:00Z") },
            elapsed: ManualClock.still
        ).run()
        #expect(garbage.status == .failed && garbage.error?.contains("is not a number") == true)
        #expect(try contentDigest(t.store) == before)
        let recovered = Pipeline(
            store: t.store, provider: client, options: options, clock: { Self.at("2026-11-25T23:00:00Z") },
            elapsed: ManualClock.still
        ).run()
        #expect(recovered.status == .succeeded)
    }

    @Test func cancellingLeavesAConsistentDatabaseThatTheNextRunCompletes() throws {
        let t = try TempStore()
        let now = Self.at("2026-11-25T23:00:00Z")
        var options = PipelineOptions(backfillYears: 2)
        options.chunkSessions = 20
        var sessions = 0
        let cancelled = pipeline(t.store, now: now, options: options).run(
            events: { event in
                if case .progress = event { sessions += 1 }
            }, isCancelled: { sessions >= 150 })
        #expect(cancelled.status == .cancelled && cancelled.cancelled)
        // Every grouped day fetched before the cancel was committed as it arrived and is kept.
        #expect(cancelled.sessionsStored == 150)
        #expect(try t.store.marketSessions().count == 150)
        #expect(cancelled.summary.contains("150 sessions stored and kept"))
        let run = try #require(try t.store.runs(last: 1).first)
        #expect(run.status == .cancelled)
        #expect(try t.store.stages(ofRun: run.id).allSatisfy { $0.status != .running })
        #expect(try t.store.quickCheck() == "ok")
        #expect(pipeline(t.store, now: now, options: options).run().status == .succeeded)
        let reference = try TempStore()
        #expect(pipeline(reference.store, now: now, options: options).run().status == .succeeded)
        #expect(try contentDigest(t.store) == contentDigest(reference.store))
    }
}
