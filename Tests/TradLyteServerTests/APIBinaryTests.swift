import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteServer
import TradLyteTestSupport

/// Issue 26 through the built binary: `tradlyte serve` on a free port, `curl` with and without
/// the token, the CLI's documents, the event stream, a restart, and the drills.
@Suite(.serialized) struct APIBinaryTests {
    static let now = APIHarness.now

    func seeded() throws -> CLIHarness {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.now, backfillYears: 3)
        return cli
    }

    @Test func curlWithAndWithoutTheTokenAndTheCLIsDocuments() throws {
        let cli = try seeded()
        let server = try ServerProcess(cli: cli, environment: ["TRADLYTE_NOW": Self.now])
        defer { server.stop() }
        #expect(try server.curl([server.base + "/v1/health"], token: nil).status == 200)
        let refused = try server.curl([server.base + "/v1/quotes/ACME"], token: nil)
        #expect(refused.status == 401 && refused.body.contains("\"status\":401"))
        let wrong = try server.curl(
            [server.base + "/v1/quotes/ACME"], token: "wrong-" + String(repeating: "w", count: 40))
        #expect(wrong.status == 401)

        // The same quote as `tradlyte quote ACME --json` (both served from the quote cache).
        let first = try server.curl([server.base + "/v1/quotes/ACME"])
        #expect(first.status == 200)
        let cliQuote = try cli.run(["quote", "ACME", "--json"], environment: ["TRADLYTE_NOW": Self.now])
        let cliRow = try #require(try JSONSyntax.parse(Array(cliQuote.stdout.utf8)).arrayValue.first)
        let apiRow = try JSONSyntax.parse(Array(try server.curl([server.base + "/v1/quotes/ACME"]).body.utf8))
        #expect(apiRow == cliRow, "\(apiRow.compact()) vs \(cliRow.compact())")

        // Bars at every interval, JSON and CSV, as `tradlyte export bars` prints them.
        for interval in FibInterval.allowedSessions {
            let api = try server.curl([server.base + "/v1/bars/ACME?interval=\(interval)"])
            let exported = try cli.run(
                ["export", "bars", "ACME", "--interval", "\(interval)", "--format", "json"],
                environment: ["TRADLYTE_NOW": Self.now])
            #expect(
                try JSONSyntax.parse(Array(api.body.utf8)) == JSONSyntax.parse(Array(exported.stdout.utf8)),
                "interval \(interval)")
            let csv = try server.curl([server.base + "/v1/bars/ACME?interval=\(interval)&format=csv"])
            let exportedCSV = try cli.run(
                ["export", "bars", "ACME", "--interval", "\(interval)"], environment: ["TRADLYTE_NOW": Self.now])
            #expect(csv.body.trimmingCharacters(in: .newlines) == exportedCSV.stdout.trimmingCharacters(in: .newlines))
        }

        // A backtest, POSTed.
        let backtest = try server.curl([
            "-X", "POST", "-H", "Content-Type: application/json", "-d",
            #"{"strategy": "golden_cross", "symbol": "ACME", "interval": 3}"#, server.base + "/v1/backtests",
        ])
        let cliBacktest = try cli.run(
            ["backtest", "golden_cross", "ACME", "--interval", "3", "--json"], environment: ["TRADLYTE_NOW": Self.now])
        #expect(try JSONSyntax.parse(Array(backtest.body.utf8)) == JSONSyntax.parse(Array(cliBacktest.stdout.utf8)))

        // The failures a careless client meets, each with its status and a problem document.
        let malformed = try server.curl([
            "-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"strategy\": ",
            server.base + "/v1/backtests",
        ])
        #expect(malformed.status == 400 && malformed.body.contains("not valid JSON"))
        let big = cli.write("big.json", "{\"strategy\": \"" + String(repeating: "b", count: 10 << 20) + "\"}")
        let tooLarge = try server.curl([
            "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@" + big,
            server.base + "/v1/backtests",
        ])
        #expect(
            tooLarge.status == 413 && tooLarge.body.contains("\"status\":413"),
            "\(tooLarge.status) \(tooLarge.body.prefix(200))")
        let unknown = try server.curl([server.base + "/v1/no/such/route"])
        #expect(unknown.status == 404 && unknown.body.contains("/docs"))

        // `status` and `doctor` name the running server.
        let status = try cli.run(["status"])
        #expect(status.stdout.contains("API server") && status.stdout.contains("127.0.0.1:\(server.port)"))
        let doctor = try cli.run(["doctor"])
        #expect(doctor.stdout.contains("running at http://127.0.0.1:\(server.port)"))
        #expect(server.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: cli.home + "/serve.json"))
        // The token is never in the server's output or log.
        #expect(!server.process.output.contains(ServerProcess.token))
    }

    @Test func aTokenIsMadeOnFirstStartKeptAt0600AndRotated() throws {
        let cli = try CLIHarness()
        let process = try ChildProcess(
            cli.binary, ["serve", "--port", "0", "--no-schedule"], environment: cli.environment())
        #expect(try process.waitForOutput(timeout: 120) { $0.contains("TradLyte API on") })
        process.signal(SIGTERM)
        #expect(process.wait() == 0)
        let config = cli.home + "/config.json"
        var info = stat()
        #expect(stat(config, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let first = try AppEnvironment.load(["TRADLYTE_HOME": cli.home, "HOME": cli.home]).config.apiToken
        #expect(first?.count == 67 && !process.output.contains(first ?? "-"))
        let rotated = try cli.run(["serve", "--rotate-token"])
        #expect(rotated.status == 0 && rotated.stdout.contains("new API token"))
        let second = try AppEnvironment.load(["TRADLYTE_HOME": cli.home, "HOME": cli.home]).config.apiToken
        #expect(second != nil && second != first && !rotated.stdout.contains(second!))
        #expect(stat(config, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let remote = try cli.run(["serve", "--host", "0.0.0.0", "--port", "0"])
        #expect(remote.status == 2 && remote.stderr.contains("--allow-remote"))
    }

    /// A refresh started through the API streams its stages on `/v1/events`; a finished job
    /// survives a restart; a job running at SIGTERM is recorded as cancelled.
    @Test func aRefreshStreamsItsStagesAndAJobSurvivesARestart() async throws {
        let cli = try seeded()
        var server = try ServerProcess(cli: cli, environment: ["TRADLYTE_NOW": Self.now])
        let received = Locked<[String]>([])
        let logger = Logger(label: "test")
        let url = "ws://127.0.0.1:\(server.port)/v1/events"
        let base = server.base
        let listener = Task {
            try await WebSocketClient.connect(
                url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(ServerProcess.token)"]),
                logger: logger
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    received.withLock { $0.append(text) }
                    if text.contains("\"type\":\"refresh.finished\"") { return }
                }
            }
        }
        // The subscription is live once a refresh POSTed now is seen start on it.
        var job = ""
        for _ in 0..<200 where job.isEmpty {
            try await Task.sleep(nanoseconds: 50_000_000)
            if received.withLock({ !$0.isEmpty }) { break }
            let posted = try server.curl(["-X", "POST", base + "/v1/pipeline/refresh"])
            if posted.status == 202, let id = try JSONSyntax.parse(Array(posted.body.utf8))["id"]?.stringValue {
                job = id
            }
        }
        _ = try await listener.value
        let events = received.withLock { $0 }.compactMap { try? JSONSyntax.parse(Array($0.utf8)) }
        let types = events.compactMap { $0["type"]?.stringValue }
        #expect(types.contains("refresh.started") && types.contains("refresh.finished"), "\(types)")
        let stages = Set(
            events.filter { $0["type"]?.stringValue == "refresh.stage" }.compactMap {
                $0["data"]?["stage"]?.stringValue
            })
        #expect(stages.isSuperset(of: ["plan", "fetch_ohlcv", "consolidate", "alerts"]), "\(stages)")
        #expect(!received.withLock { $0.joined() }.contains(ServerProcess.token))

        // A sweep, finished, then the server restarts: the result is still there, unchanged.
        let sweep = try server.curl([
            "-X", "POST", "-d",
            #"{"kind": "sweep", "strategy": "golden_cross", "symbol": "ACME", "params": {"fast": "10:40:10"}}"#,
            base + "/v1/jobs",
        ])
        let id = try #require(try JSONSyntax.parse(Array(sweep.body.utf8))["id"]?.stringValue)
        var finished: JSONValue = .null
        for _ in 0..<2_400 {
            finished = try JSONSyntax.parse(Array(try server.curl([base + "/v1/jobs/\(id)"]).body.utf8))
            if finished["state"]?.stringValue == "succeeded" { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(finished["state"]?.stringValue == "succeeded")
        // A long job left running when the server stops is cancelled and recorded.
        let long = try server.curl([
            "-X", "POST", "-d",
            #"{"kind": "sweep", "strategy": "golden_cross", "symbol": "ACME", "params": {"fast": "10:65:1", "slow": "100:249:1"}}"#,
            base + "/v1/jobs",
        ])
        let longID = try #require(try JSONSyntax.parse(Array(long.body.utf8))["id"]?.stringValue)
        for _ in 0..<2_400 {
            let state = try JSONSyntax.parse(Array(try server.curl([base + "/v1/jobs/\(longID)"]).body.utf8))["state"]
            if state?.stringValue == "running" { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        // Queued behind the running jobs (one per core), a job waits for the restart.
        var queued: [String] = []
        for _ in 0..<ProcessInfo.processInfo.activeProcessorCount {
            let more = try server.curl([
                "-X", "POST", "-d",
                #"{"kind": "sweep", "strategy": "golden_cross", "symbol": "ACME", "params": {"fast": "10:65:1", "slow": "100:249:1"}}"#,
                base + "/v1/jobs",
            ])
            queued.append(try #require(try JSONSyntax.parse(Array(more.body.utf8))["id"]?.stringValue))
        }
        // A second server on the same data is refused.
        let second = try cli.run(["serve", "--port", "0"], environment: ["TRADLYTE_API_TOKEN": ServerProcess.token])
        #expect(second.status == 2 && second.stderr.contains("already serves this data"), "\(second.stderr)")
        #expect(server.stop() == 0)
        server = try ServerProcess(cli: cli, environment: ["TRADLYTE_NOW": Self.now])
        defer { server.stop() }
        let after = try JSONSyntax.parse(Array(try server.curl([server.base + "/v1/jobs/\(id)"]).body.utf8))
        #expect(after["state"]?.stringValue == "succeeded" && after["result"] == finished["result"])
        #expect(after["result"] != nil && after["result"] != .null)
        let stopped = try JSONSyntax.parse(Array(try server.curl([server.base + "/v1/jobs/\(longID)"]).body.utf8))
        #expect(stopped["state"]?.stringValue == "cancelled", "\(stopped.compact().prefix(300))")
        let last = try JSONSyntax.parse(Array(try server.curl([server.base + "/v1/jobs/\(queued.last!)"]).body.utf8))
        #expect(
            ["queued", "running", "succeeded"].contains(last["state"]?.stringValue ?? ""),
            "\(last.compact().prefix(300))")
    }
}
