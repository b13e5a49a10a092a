import ArgumentParser
import Foundation
import MarketData
import PolygonFake
import TradLyteCore

/// The fake Polygon server as its own program: the test double never ships inside `tradlyte`.
@main
struct FakePolygonMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradlyte-fake-polygon",
        abstract: "Run the fake Polygon server on 127.0.0.1 (for trying the Polygon path offline).",
        discussion: "Serves the demo market in the service's shapes, under a plan's limits (basic: about 2 years, "
            + "today's grouped day after midnight ET, no snapshots, 5 calls/min; starter: 5 years, 15-minute "
            + "delayed snapshots; advanced: everything, real time). --scenario adds a real market's awkward tickers "
            + "(AMPB and its preferred AMpB, an illiquid ticker, a delisting, a new listing, a split). Point the "
            + "client at it with POLYGON_BASE_URL=http://127.0.0.1:PORT and POLYGON_API_KEY set to --key. "
            + "TRADLYTE_NOW (an ISO 8601 instant) pins the market's clock. Ctrl-C or SIGTERM stops it.")

    @Option(name: .long, help: "Port (0 picks a free one).") var port: UInt16 = 0
    @Option(name: .long, help: "The API key the server accepts.") var key: String = "demo-key"
    @Option(name: .long, help: "The plan.") var plan: FakePlan = .advanced
    @Option(name: .long, help: "Answer 429 past this many calls per minute (default: the plan's).") var rateLimit: Int?
    @Flag(name: .long, help: "Add the real-world scenario tickers.") var scenario = false
    @Option(name: .long, help: "Write the port to this file once listening (for scripts and tests).")
    var portFile: String?

    func run() throws {
        let clock: any WallClock
        if let pinned = ProcessInfo.processInfo.environment["TRADLYTE_NOW"], !pinned.isEmpty {
            guard let instant = Timestamp.parse(pinned) else {
                throw ValidationError(
                    "TRADLYTE_NOW='\(pinned)' is not an ISO 8601 instant such as 2024-03-15T21:00:00Z")
            }
            clock = FixedClock(instant)
        } else {
            clock = SystemClock()
        }
        let market = DemoMarket(clock: { clock.now() })
        let events = scenario ? FakeMarket.Scenario.recent(before: clock.now()) : nil
        let server = FakePolygonServer(apiKey: key, market: market, plan: plan, scenario: events)
        if let rateLimit { server.rateLimitPerMinute = rateLimit }
        // Rate windows follow the host's clock, so real processes are counted in real minutes.
        server.rateClock = SystemClock()
        do {
            try server.start(port: port)
        } catch {
            Self.fail(
                "cannot listen on 127.0.0.1:\(port) (\(error)) — the port may be in use; pick another or --port 0")
        }
        if let portFile {
            do { try String(server.port).write(toFile: portFile, atomically: true, encoding: .utf8) } catch {
                server.stop()
                Self.fail(
                    "cannot write the port to \(portFile) (\((error as NSError).localizedDescription)) — "
                        + "check the directory exists and is writable")
            }
        }
        FileHandle.standardOutput.write(
            Data("fake Polygon (\(plan.rawValue) plan) listening on \(server.baseURL) — Ctrl-C to stop\n".utf8))
        // Runs until SIGINT or SIGTERM, handled on the main queue (no work in a signal handler).
        var sources: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler {
                server.stop()
                Foundation.exit(0)
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}

extension FakePlan: ExpressibleByArgument {}

extension FakePolygonMain {
    /// A runtime failure (not a usage error): the message on stderr, exit 1.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("tradlyte-fake-polygon: error: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
