import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// A real key's day through the built binary against the fake server: the free plan's cold
/// start and the days after, Ctrl-C and kill -9 during a long backfill, two processes on one
/// key, a key that would inject headers. The binary's clock is pinned (TRADLYTE_NOW) to the
/// fake market's.
@Suite(.serialized) struct RealProviderCLITests {
    /// Tuesday 2026-11-24, 16:10 ET.
    static let coldStart = "2026-11-24T21:10:00Z"

    struct Rig {
        let cli: CLIHarness
        let clock: ManualClock
        let server: FakePolygonServer

        func env(_ extra: [String: String] = [:]) -> [String: String] {
            let iso = ISO8601DateFormatter().string(from: clock.now())
            return ["POLYGON_API_KEY": "cli-plan-key", "POLYGON_BASE_URL": server.baseURL, "TRADLYTE_NOW": iso]
                .merging(extra) { $1 }
        }

        func grouped() -> [String] {
            server.requests.filter { $0.contains("/v2/aggs/grouped/") }
        }
    }

    /// The fake on `plan` with its rate window off (a pinned clock never reaches the next
    /// minute); the binary paced at `callsPerMinute` on the host's clock.
    func rig(_ plan: FakePlan, at iso: String = coldStart, callsPerMinute: Int = 100_000) throws -> Rig {
        let clock = ManualClock(iso: iso)
        let server = FakePolygonServer(apiKey: "cli-plan-key", market: DemoMarket(clock: { clock.now() }), plan: plan)
        server.rateLimitPerMinute = nil
        try server.start()
        let cli = try CLIHarness()
        cli.write("config.json", #"{"calls_per_minute": \#(callsPerMinute), "scan_strategies": []}"#)
        return Rig(cli: cli, clock: clock, server: server)
    }

    @Test func theFreePlansFirstDaysThroughTheBinary() throws {
        let r = try rig(.basic)
        defer { r.server.stop() }
        let first = try r.cli.run(["refresh"], environment: r.env())
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("deferred 2026-11-24"))
        #expect(first.stderr.contains("your plan's history starts at"))
        let store = try MarketStore(path: r.cli.home + "/tradlyte.sqlite")
        let window = TradingCalendar.nyse.sessions(
            in: (try SessionDate(iso: "2024-11-24"))...(try SessionDate(iso: "2026-11-23")))
        #expect(try store.marketSessions().count == window.count)
        // status: up to date, today deferred with when it is tried again, the plan's window.
        let status = try r.cli.run(["status"], environment: r.env())
        #expect(status.stdout.contains("up to date"), "\(status.stdout)")
        #expect(status.stdout.contains("Deferred    2026-11-24"))
        #expect(status.stdout.contains("after 00:00 ET"))
        #expect(status.stdout.contains("your plan's window"))
        // The same day: --if-stale returns at once and a refresh makes no OHLCV call.
        r.server.clearRequests()
        r.clock.advance(by: 600)
        let stale = try r.cli.run(["refresh", "--if-stale"], environment: r.env())
        #expect(stale.status == 0 && stale.stdout.contains("Up to date"))
        #expect(r.server.requests.isEmpty)
        let again = try r.cli.run(["refresh"], environment: r.env())
        #expect(again.status == 0, "\(again.stderr)")
        #expect(r.grouped().isEmpty)
        // An imported CSV symbol the provider never carries leaves --if-stale free.
        let csv = r.cli.write("mine.csv", "date,open,high,low,close,volume\n2025-06-02,10,11,9,10.5,1000\n")
        #expect(try r.cli.run(["import", "csv", csv, "--symbol", "MYCSV"], environment: r.env()).status == 0)
        r.server.clearRequests()
        #expect(try r.cli.run(["refresh", "--if-stale"], environment: r.env()).stdout.contains("Up to date"))
        #expect(r.server.requests.isEmpty)
        // The next day at 16:10 ET: one new grouped day plus the correction window.
        r.clock.advance(by: 86_400 - 600)
        let dry = try r.cli.run(["refresh", "--dry-run"], environment: r.env())
        #expect(dry.stdout.contains("Grouped daily: 1 session"))
        #expect(dry.stdout.contains("Corrections: 2026-11-23"))
        #expect(dry.stdout.contains("Deferred: 2026-11-25"))
        let next = try r.cli.run(["refresh"], environment: r.env())
        #expect(next.status == 0, "\(next.stderr)")
        #expect(r.grouped().count == 2)
    }

    @Test func ctrlCDuringABackfillKeepsWhatWasFetchedAndRecordsTheRunAsInterrupted() throws {
        let r = try rig(.basic, callsPerMinute: 300)
        defer { r.server.stop() }
        // A `ChildProcess` is reaped only by `wait`, so the signal cannot reach a reused PID.
        let process = try r.cli.child(["refresh"], environment: r.env())
        try waitUntil(timeout: 60, "twenty grouped days fetched") { r.grouped().count >= 20 }
        process.signal(SIGINT)
        #expect(process.wait() == 130)
        let store = try MarketStore(path: r.cli.home + "/tradlyte.sqlite")
        // Twenty requests: today's refusal, the sessions stored, and at most one cut short by the signal.
        let kept = try store.marketSessions()
        #expect(kept.count >= 18)
        let run = try #require(try store.runs(last: 1).first)
        #expect(run.status == .interrupted)
        #expect(run.error?.contains("SIGINT") == true)
        #expect(try store.stages(ofRun: run.id).allSatisfy { $0.status != .running })
        // The next run asks for none of the kept sessions again.
        r.server.clearRequests()
        let resumed = try r.cli.run(["refresh", "--dry-run"], environment: r.env())
        #expect(!kept.keys.contains { resumed.stdout.contains("(\($0) back to") })
    }

    @Test func aKilledRefreshIsRecordedInterruptedByTheNextAndLosesNothing() throws {
        // Paced like a real plan (3 s a call), so every grouped day is committed as it arrives.
        let r = try rig(.basic, callsPerMinute: 20)
        defer { r.server.stop() }
        let process = try r.cli.child(["refresh"], environment: r.env())
        try waitUntil(timeout: 60, "four grouped days asked for") { r.grouped().count >= 4 }
        process.signal(SIGKILL)
        process.wait()
        let store = try MarketStore(path: r.cli.home + "/tradlyte.sqlite")
        // Four requests: today's refusal, two days answered and stored, at most one in flight.
        let kept = Set(try store.marketSessions().keys.map(\.description))
        #expect(kept.count >= 2)
        #expect(try store.runs(last: 1).first?.status == .running)
        r.server.clearRequests()
        r.cli.write("config.json", #"{"calls_per_minute": 100000, "scan_strategies": []}"#)
        let next = try r.cli.run(["refresh"], environment: r.env())
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("recorded as interrupted"))
        let asked = Set(r.grouped().compactMap { $0.split(separator: "/").last.map { String($0.prefix(10)) } })
        #expect(asked.isDisjoint(with: kept))
        let runs = try store.runs(last: 2)
        #expect(runs.map(\.status) == [.succeeded, .interrupted])
    }

    @Test func twoProcessesOnOneKeyShareItsBudget() throws {
        let r = try rig(.advanced, at: "2026-11-25T16:00:00Z", callsPerMinute: 600)
        defer { r.server.stop() }
        r.server.rateClock = SystemClock()
        // Different symbols, so neither answers from the other's quote cache.
        let first = ["ACME", "BOLT", "CRSP", "DYNA", "ELMR", "FJRD", "GLNT", "HRZN"]
        let second = ["IONX", "JUNO", "KSTL", "LMNA", "MRDN", "NOVA", "OKRA", "PLSR"]
        let a = try r.cli.spawn(["quote"] + first, environment: r.env())
        let b = try r.cli.spawn(["quote"] + second, environment: r.env())
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        // 600 calls a minute is 10 a second, for both processes together: count every second.
        let times = r.server.arrivalTimes.map(\.timeIntervalSince1970).sorted()
        #expect(times.count == 16)
        var busiest = 0
        for (i, start) in times.enumerated() {
            busiest = max(busiest, times[i...].prefix { $0 < start + 1 }.count)
        }
        #expect(busiest <= 11, "\(busiest) requests within one second")
    }

    @Test func aKeyThatWouldInjectHeadersIsRefusedBeforeAnythingIsSent() throws {
        let r = try rig(.advanced)
        defer { r.server.stop() }
        let result = try r.cli.run(
            ["quote", "ACME"], environment: r.env(["POLYGON_API_KEY": "cli-plan-key\r\nX-Evil: 1"]))
        #expect(result.status == 2)
        #expect(result.stderr.contains("line break") && result.stderr.contains("POLYGON_API_KEY"))
        #expect(!result.stderr.contains("cli-plan-key"))
        #expect(r.server.requests.isEmpty)
    }
}
