import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// Issue 23: a free-plan cold start killed with SIGKILL at any point — at each kind of line it
/// logs, and after a random number of the provider's answers — and then resumed ends with
/// exactly the store of a run never interrupted: no session lost, none twice, the same learned
/// history window. The clock is pinned through TRADLYTE_NOW, so the shifted-clock pass (which
/// moves only the host's clock) would repeat it unchanged and skips it.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FAKETIME"] == nil))
struct KillPropertyCLITests {
    /// Tuesday 2026-11-24, 16:10 ET.
    static let coldStart = "2026-11-24T21:10:00Z"
    static let config = #"{"calls_per_minute": 100000, "scan_strategies": []}"#

    let clock = ManualClock(iso: coldStart)

    func environment(_ server: FakePolygonServer) -> [String: String] {
        ["POLYGON_API_KEY": "kill-key", "POLYGON_BASE_URL": server.baseURL, "TRADLYTE_NOW": Self.coldStart]
    }

    /// What the run is for: every symbol, daily bar and watermark, the grouped days recorded,
    /// the plan's learned window and what is deferred.
    func digest(_ home: String) throws -> [String] {
        let store = try MarketStore(path: home + "/tradlyte.sqlite")
        var lines = try contentLines(store)
        lines += try store.marketSessions().keys.sorted().map { "M \($0)" }
        lines.append("F \(try store.flag("plan.history_window_days") ?? "-")")
        return lines
    }

    func contentLines(_ store: MarketStore) throws -> [String] {
        var lines: [String] = []
        for info in try store.symbols() {
            lines.append("S \(info.symbol) \(info.active)")
            if let w = try store.watermark(info.symbol) {
                lines.append("W \(w.firstSession) \(w.latestSession) \(w.rows)")
            }
            for b in try store.dailyBars(info.symbol) { lines.append("D \(b)") }
        }
        return lines
    }

    /// A log line with its timestamp cut and its numbers blanked: "fetch_ohlcv: #/#".
    static func kind(_ line: String) -> String {
        let text = line.firstIndex(of: "]").map { String(line[line.index(after: $0)...]) } ?? line
        return String(text.map { $0.isNumber ? "#" : $0 }).trimmingCharacters(in: .whitespaces)
    }

    /// Kills a fresh cold start when `reached` holds, resumes it, and returns the final digest.
    func killAndResume(
        _ server: FakePolygonServer, _ what: String, reached: @escaping (ChildProcess) -> Bool
    ) throws -> [String] {
        let cli = try CLIHarness()
        cli.write("config.json", Self.config)
        server.clearRequests()
        let child = try cli.child(["refresh"], environment: environment(server))
        _ = try child.waitForOutput(timeout: 120) { _ in reached(child) }
        child.signal(SIGKILL)
        child.wait()
        let resumed = try cli.run(["refresh"], environment: environment(server))
        #expect(resumed.status == 0, "resumed after a kill at \(what): \(resumed.stderr)")
        return try digest(cli.home)
    }

    @Test func aColdStartKilledAtAnyLineOrAnswerResumesToTheUninterruptedStore() throws {
        let clock = self.clock
        let server = FakePolygonServer(apiKey: "kill-key", market: DemoMarket(clock: { clock.now() }), plan: .basic)
        server.rateLimitPerMinute = nil
        try server.start()
        defer { server.stop() }

        let reference = try CLIHarness()
        reference.write("config.json", Self.config)
        let whole = try reference.run(["refresh"], environment: environment(server))
        #expect(whole.status == 0, "\(whole.stderr)")
        let expected = try digest(reference.home)
        #expect(expected.filter { $0.hasPrefix("M ") }.count == 500)
        let log = (whole.stdout + whole.stderr).split(separator: "\n").map(String.init)
        var kinds: [String] = []
        for line in log.map(Self.kind) where !kinds.contains(line) { kinds.append(line) }
        #expect(kinds.contains { $0.contains("your plan's history starts at") })

        // At each kind of line the run logs (its first appearance).
        for kind in kinds {
            let final = try killAndResume(server, "'\(kind)'") { child in
                child.output.split(separator: "\n").contains { Self.kind(String($0)) == kind }
            }
            #expect(final == expected, "killed at '\(kind)': \(final.count) lines, expected \(expected.count)")
        }
        // After a random number of the provider's answers (seeded), and at the window's edge.
        var random = SeededRandom(seed: 23)
        let grouped = { server.requests.filter { $0.contains("/v2/aggs/grouped/") }.count }
        for answers in [Int(random.next() % 500) + 1, Int(random.next() % 500) + 1, 501, 502] {
            let final = try killAndResume(server, "\(answers) grouped answers") { _ in grouped() >= answers }
            #expect(final == expected, "killed after \(answers) grouped answers")
        }
    }
}
