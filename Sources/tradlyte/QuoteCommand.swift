import ArgumentParser
import Foundation
import MarketData
import PolygonFake
import TradLyteApp
import TradLyteCore
import TradLyteStore

struct QuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Show the latest price of one or more symbols, with its source and age.",
        discussion:
            "Sources, in order: the local cache (fresh for quote_ttl_seconds, default 60), the provider (Polygon snapshot, then its previous close; or the DEMO market), then the latest stored daily bar (local EOD). An unknown symbol is reported by name; the others still print."
    )

    @Argument(help: "Symbols (default: the watchlist).") var symbols: [String] = []
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let list = symbols.isEmpty ? env.config.watchlist : symbols
            guard !list.isEmpty else {
                throw AppError.badInput(
                    "name a symbol (tradlyte quote ACME), or add a \"watchlist\" to \(env.configPath) to quote it")
            }
            let (rows, failures) = try QuoteReport.quotes(list, env: env)
            if json {
                emit(try jsonText(rows))
            } else if !rows.isEmpty {
                var t = [["SYMBOL", "PRICE", "CHANGE", "CHG%", "DAY RANGE", "VOLUME", "SOURCE", "AGE"]]
                for r in rows {
                    t.append([
                        r.symbol, String(format: "%.2f", r.price), r.change.map { String(format: "%+.2f", $0) } ?? "",
                        r.change_percent.map { String(format: "%+.2f%%", $0) } ?? "",
                        (r.day_low.map { String(format: "%.2f", $0) } ?? "") + "–"
                            + (r.day_high.map { String(format: "%.2f", $0) } ?? ""),
                        r.volume.map { NumberText.grouped(Int($0)) } ?? "",
                        r.source.uppercased() == "DEMO" ? "DEMO" : r.source,
                        age(r.age_seconds),
                    ])
                }
                emit(table(t))
                for r in rows { if let note = r.note { emit("note: \(r.symbol): \(note)") } }
            }
            if !failures.isEmpty {
                emitError(failures.map { "tradlyte: error: \($0)" }.joined(separator: "\n"))
                throw ExitCode(2)
            }
        }
    }

    func age(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86_400)d"
    }
}

struct FakePolygonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-polygon",
        abstract: "Run the fake Polygon server on 127.0.0.1 (for trying the Polygon path offline).",
        discussion: "Serves the demo market in the service's shapes, under a plan's limits (basic: about 2 years, "
            + "today's grouped day after midnight ET, no snapshots, 5 calls/min; starter: 5 years, 15-minute "
            + "delayed snapshots; advanced: everything, real time). --scenario adds a real market's awkward tickers "
            + "(AMPB and its preferred AMpB, an illiquid ticker, a delisting, a new listing, a split). Point the "
            + "client at it with "
            + "POLYGON_BASE_URL=http://127.0.0.1:PORT and POLYGON_API_KEY set to --key.",
        shouldDisplay: false)

    @Option(name: .long, help: "Port (0 picks a free one).") var port: UInt16 = 0
    @Option(name: .long, help: "The API key the server accepts.") var key: String = "demo-key"
    @Option(name: .long, help: "The plan: basic, starter or advanced.") var plan: String = "advanced"
    @Option(name: .long, help: "Answer 429 past this many calls per minute (default: the plan's).") var rateLimit: Int?
    @Flag(name: .long, help: "Add the real-world scenario tickers.") var scenario = false
    @Option(name: .long, help: ArgumentHelp("Write the port to this file once listening.", visibility: .hidden))
    var portFile: String?

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            guard let chosen = FakePlan(rawValue: plan) else {
                throw AppError.badInput("--plan must be basic, starter or advanced")
            }
            let clock = env.clock
            let market = DemoMarket(clock: { clock.now() })
            let events = scenario ? FakeMarket.Scenario.recent(before: clock.now()) : nil
            let server = FakePolygonServer(apiKey: key, market: market, plan: chosen, scenario: events)
            if let rateLimit { server.rateLimitPerMinute = rateLimit }
            // Rate windows follow the host's clock, so real processes are counted in real minutes.
            server.rateClock = SystemClock()
            try server.start(port: port)
            if let portFile {
                try String(server.port).write(toFile: portFile, atomically: true, encoding: .utf8)
            }
            emit("fake Polygon (\(chosen.rawValue) plan) listening on \(server.baseURL) — Ctrl-C to stop")
            while true { Thread.sleep(forTimeInterval: 3600) }
        }
    }
}
