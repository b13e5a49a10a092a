import Foundation
import MarketData
import PolygonFake
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// The terminal UI end to end: the built binary in tmux on a demo database, driven by keys.
@Suite(.serialized) struct TUITests {
    static let now = "2026-11-25T15:30:00Z"

    /// A home with the demo market refreshed at a pinned instant.
    func prepared() throws -> CLIHarness {
        let cli = try CLIHarness()
        let r = try cli.run(["refresh"], environment: ["TRADLYTE_NOW": Self.now])
        try #require(r.status == 0, "refresh failed: \(r.stderr)")
        return cli
    }

    func start(_ cli: CLIHarness, env: [String: String] = [:], width: Int = 100, height: Int = 30) throws -> TmuxSession
    {
        var vars = ["TRADLYTE_HOME": cli.home, "TRADLYTE_NOW": Self.now, "LANG": "C.UTF-8", "TERM": "tmux-256color"]
        for (k, v) in env { vars[k] = v }
        let assignments = vars.sorted { $0.key < $1.key }.map { "\($0.key)=\(shellQuoted($0.value))" }.joined(
            separator: " ")
        let command = "env \(assignments) \(shellQuoted(cli.binary)) ui"
        return try TmuxSession(command: command, width: width, height: height)
    }

    @Test func keysSwitchIntervalsZoomSearchShowHelpAndQuitRestoringTheTerminal() throws {
        let cli = try prepared()
        let tui = try start(cli)
        var screen = try tui.waitFor("Watchlist")
        #expect(screen.contains("DEMO"))
        #expect(screen.contains("market open"))
        #expect(screen.contains("data 2026-11-24"))
        #expect(screen.contains("┌"))
        // Interval switch: 5-session bars show their sessions in the info line.
        try tui.type("3")
        screen = try tui.waitFor("forming")
        #expect(screen.contains("5d bars") && screen.contains("/5"))
        try tui.type("7")
        screen = try tui.waitFor("34d bars")
        #expect(screen.contains("/34"))
        // Zoom out to the limit and back.
        for _ in 0..<8 { try tui.type("-") }
        try tui.waitFor("zoom limit")
        try tui.type("+")
        // Search by company name charts the symbol.
        try tui.type("/")
        try tui.waitFor("Search symbols")
        try tui.type("terabyte")
        try tui.send("Enter")
        screen = try tui.waitFor("TERA ·")
        #expect(!screen.contains("Search symbols"))
        // Help lists the keymap; any key closes it.
        try tui.type("?")
        screen = try tui.waitFor("Keys · Esc closes")
        #expect(screen.contains("command palette"))
        try tui.escape()
        try tui.type("i")
        screen = try tui.waitFor("Quote · ")
        #expect(screen.contains("Day range"))
        try tui.type("q")
        screen = try tui.waitFor("EXITED:0")
        #expect(!screen.contains("Watchlist"))  // the alternate screen is gone: the terminal is restored
    }

    @Test func ctrlCQuitsCleanlyAndTheWatchlistIsSaved() throws {
        let cli = try prepared()
        // A config holding a key, readable by its owner only: the UI's save must keep it so.
        let path = cli.write("config.json", #"{"provider": "demo", "polygon_api_key": "secret-key-0600"}"#)
        chmod(path, 0o600)
        let tui = try start(cli)
        try tui.waitFor("Watchlist")
        try tui.type("a")
        try tui.waitFor("Add to watchlist")
        try tui.type("ZEPH")
        try tui.send("Enter")
        try tui.waitFor("added ZEPH")
        try tui.send("C-c")
        try tui.waitFor("EXITED:0")
        let config = try String(contentsOfFile: cli.home + "/config.json", encoding: .utf8)
        #expect(config.contains("\"ZEPH\""))
        #expect(config.contains("secret-key-0600"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func resizingDownToATinyWindowAndBackNeverCrashes() throws {
        let cli = try prepared()
        let tui = try start(cli)
        try tui.waitFor("Watchlist")
        for (w, h) in [(60, 16), (20, 8), (59, 15), (160, 48), (20, 8), (100, 30)] {
            try tui.resize(w, h)
            let small = w < 60 || h < 16
            let screen = try tui.waitFor(description: "a frame at \(w)×\(h)") { screen in
                let tooSmall = screen.contains("too small") || screen.contains("Terminal")
                let drawn = small ? tooSmall : screen.contains("Watchlist")
                return drawn || screen.contains("EXITED")
            }
            #expect(!screen.contains("EXITED"), "the UI died at \(w)×\(h):\n\(screen)")
            if w < 60 || h < 16 {
                #expect(screen.contains("too small") || screen.contains("Terminal"), "\(w)×\(h):\n\(screen)")
            }
        }
        let screen = try tui.waitFor("Watchlist")
        #expect(screen.contains("DEMO"))
        try tui.type("q")
        try tui.waitFor("EXITED:0")
    }

    @Test func aPlainLocaleGetsASCIIAndEightColourAndNoColorTerminalsStayReadable() throws {
        let cli = try prepared()
        let ascii = try start(cli, env: ["LANG": "C", "LC_ALL": "C"])
        var screen = try ascii.waitFor("Watchlist")
        #expect(screen.contains("+ Watchlist"))
        #expect(!screen.contains("┌") && !screen.contains("⠀"))
        #expect(screen.unicodeScalars.allSatisfy { $0.isASCII })
        try ascii.type("q")
        try ascii.waitFor("EXITED:0")

        let basic = try start(cli, env: ["TERM": "xterm"])
        screen = try basic.waitFor("Watchlist")
        #expect(screen.contains("DEMO"))
        let coloured = try basic.capture(colours: true)
        #expect(!coloured.contains("38;5;") && !coloured.contains("38;2;"))  // only the 8 basic colours
        try basic.type("q")
        try basic.waitFor("EXITED:0")

        let mono = try start(cli, env: ["NO_COLOR": "1"])
        screen = try mono.waitFor("Watchlist")
        #expect(screen.contains("DEMO"))
        let plain = try mono.capture(colours: true)
        // No colour selections at all (30–37, 40–47, 90–97, 100–107, 38;…, 48;…); attributes only.
        let colour = try NSRegularExpression(pattern: "\u{1B}\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m")
        #expect(
            colour.firstMatch(in: plain, range: NSRange(plain.startIndex..., in: plain)) == nil, "\(plain.prefix(400))")
        try mono.type("q")
        try mono.waitFor("EXITED:0")
    }

    @Test func headlessRenderAndChartCommands() throws {
        let cli = try prepared()
        let env = ["TRADLYTE_NOW": Self.now]
        var r = try cli.run(
            ["render", "chart", "--symbol", "TERA", "--interval", "5d", "--size", "120x40"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count >= 40)
        #expect(r.stdout.contains("TERA · Terabyte") && r.stdout.contains("forming") && r.stdout.contains("/5"))
        r = try cli.run(["render", "help", "--size", "80x24", "--ascii"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("Keys") && !r.stdout.contains("┌"))
        r = try cli.run(["render", "quote", "--symbol", "acme", "--ansi"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("\u{1B}[") && r.stdout.contains("Day range"))
        r = try cli.run(["render", "chart", "--symbol", "NOPE"], environment: env)
        #expect(r.status == 2 && r.stderr.contains("unknown symbol 'NOPE'"))
        // A screen is a typed argument: a usage error (64) that lists every screen.
        r = try cli.run(["render", "charts"], environment: env)
        #expect(r.status == 64 && r.stderr.contains("'charts' is invalid for '<screen>'"))
        #expect(r.stderr.contains("- watchlist-run") && r.stderr.contains("- strategies"))
        r = try cli.run(["render", "chart", "--size", "100"], environment: env)
        #expect(r.status == 2 && r.stderr.contains("WIDTHxHEIGHT"))
        r = try cli.run(["chart", "ACME", "--interval", "3d", "--rows", "12", "--cols", "60"], environment: env)
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 12)
        r = try cli.run(["chart", "ACME", "--interval", "4d"], environment: env)
        #expect(r.status == 2 && r.stderr.contains("--interval"))
    }

    @Test func backtestPicksAlertsAndPipelineScreensRenderFromTheStore() throws {
        let cli = try prepared()
        let env = ["TRADLYTE_NOW": Self.now]
        var r = try cli.run(
            ["render", "backtest", "--symbol", "TERA", "--strategy", "macd_crossover", "--size", "160x48"],
            environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains("Backtest · macd_crossover · TERA · 1d") && r.stdout.contains("trades ·")
                && r.stdout.contains("Sharpe Ratio"))
        r = try cli.run(["render", "backtest", "--strategy", "nope"], environment: env)
        #expect(r.status == 2 && r.stderr.contains("unknown strategy 'nope'"))
        r = try cli.run(["render", "pipeline", "--size", "120x30"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("succeeded") && r.stdout.contains("consolidate"))
        r = try cli.run(["render", "picks", "--size", "120x30"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("Scanner picks"))
        r = try cli.run(["alerts", "add", "price_above", "ACME", "--value", "1"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        r = try cli.run(["render", "alerts", "--size", "120x30"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("price_above 1"))
    }

    /// Issue 16's journey at 80×24, without leaving the UI, from an empty home: refresh, chart a
    /// symbol at 13d, compose a strategy, backtest it, read its Sharpe and max drawdown, open a
    /// trade, sweep its two parameters and apply the best cell — the one `tradlyte sweep` reports.
    @Test func aNewUserAtEightyByTwentyFourGoesFromNothingToTheBestCell() throws {
        let cli = try CLIHarness()
        let tui = try start(cli, width: 80, height: 24)
        try tui.waitFor("press R to load the offline demo market")
        try tui.type("R")
        try tui.waitFor("Refresh succeeded")
        try tui.type("/")
        try tui.type("ACME")
        try tui.send("Enter")
        try tui.waitFor("ACME · ")
        try tui.type("5")
        var screen = try tui.waitFor(description: "the 13d chart") { $0.contains("forming") && $0.contains("/13") }
        #expect(screen.contains("5:13d"))
        try tui.type("S")
        try tui.waitFor("donchian_breakout")
        try tui.send("Down", "Down", "Down", "Down")
        try tui.send("Enter")
        try tui.waitFor("editing my_donchian")
        try tui.send("C-s")
        try tui.waitFor("saved my_donchian_breakout")
        try tui.escape()
        try tui.type("b")
        screen = try tui.waitFor("Max DD")
        #expect(screen.contains("my_donchian_breakout · ACME · 13d") && screen.contains("Sharpe "))
        try tui.send("Enter")
        screen = try tui.waitFor("trade 1:")
        try tui.type("b")
        try tui.waitFor("Max DD")
        try tui.type("h")
        screen = try tui.waitFor("66 combinations")
        #expect(screen.contains("exit\\entry") || screen.contains("entry\\exit"))
        try tui.type("a")
        screen = try tui.waitFor("applied ")
        let sweep = try cli.run(
            ["sweep", "my_donchian_breakout", "ACME", "--interval", "13", "--json"],
            environment: ["TRADLYTE_NOW": Self.now])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [String: Any])
        let best = try #require((object["rows"] as? [[String: Any]])?.first?["parameters"] as? [String: Double])
        let applied = best.sorted { $0.key < $1.key }.map { "\($0.key)=\(Int($0.value))" }.joined(separator: " ")
        #expect(screen.contains("applied " + applied), "\(applied)\n\(screen)")
        try tui.type("q")
        try tui.waitFor("EXITED:0")
    }

    /// One scan: the refresh's scan stage and `tradlyte scan` (the binaries) store the same
    /// signals, confidences and picks for the same session.
    @Test func theRefreshAndTheScanCommandStoreTheSameScan() throws {
        let cli = try CLIHarness()
        let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z"]
        // A strategy that signals often, with rsi_reversion's long setup: close above its
        // 200-bar average, confirmed on 1-, 3- and 5-session bars (1,000 sessions of history).
        try FileManager.default.createDirectory(atPath: cli.home + "/strategies", withIntermediateDirectories: true)
        _ = cli.write(
            "strategies/up_day.json",
            #"""
            {"schema": "tradlyte.strategy/1", "name": "Up Day", "setup": {"rule": "close > sma(200)"},
             "trigger": {"rule": "close > open"}, "exit": {"max_bars": 3}}
            """#)
        _ = cli.write("config.json", #"{"scan_strategies": ["up_day", "golden_cross", "rsi_reversion"]}"#)
        let refresh = try cli.run(["refresh"], environment: env)
        try #require(refresh.status == 0, "\(refresh.stderr)")
        let session = try SessionDate(iso: "2026-11-25")
        func stored() throws -> (signals: [ScanPick], picks: [ScanPick]) {
            let store = try MarketStore(path: cli.home + "/tradlyte.sqlite")
            return (try store.signals(session: session), try store.picks(session: session))
        }
        let byRefresh = try stored()
        #expect(byRefresh.signals.count >= 5, "too few signals to compare: \(byRefresh.signals)")
        // A scan that read too little history for 5-session bars would lower these confidences.
        #expect(byRefresh.signals.contains { $0.strategy == "Up Day" && $0.confidence == 1 })

        // `scan` without arguments takes the config's strategies and `scan_top` (20), as the refresh did.
        // (more than the 10 `scan` and the UI kept before; every Up Day signal is a pick here).
        let upDay = byRefresh.signals.filter { $0.strategy == "Up Day" }.count
        #expect(upDay > 10)
        #expect(byRefresh.picks.filter { $0.strategy == "Up Day" }.map(\.rank) == Array(1...min(20, upDay)))
        let scan = try cli.run(["scan"], environment: env)
        #expect(scan.status == 0, "\(scan.stderr)")
        let byCommand = try stored()
        #expect(byCommand.signals == byRefresh.signals)
        #expect(byCommand.picks == byRefresh.picks)

        // The UI's rescan is the same service call, compared in-process (AppServicesTests).
    }

    @Test func themesAreListedUserThemesOverrideAndBadColoursAreLocated() throws {
        let cli = try prepared()
        var r = try cli.run(["themes"])
        for name in ["default", "light", "solarized-dark", "gruvbox", "high-contrast", "mono"] {
            #expect(r.stdout.contains(name))
        }
        try FileManager.default.createDirectory(atPath: cli.home + "/themes", withIntermediateDirectories: true)
        _ = cli.write("themes/mine.theme", "bull = #00ff00\nbear = #ff00zz\n")
        r = try cli.run(["render", "chart", "--theme", "mine"], environment: ["TRADLYTE_NOW": Self.now])
        #expect(r.status == 2)
        #expect(r.stderr.contains("mine.theme:2:8") && r.stderr.contains("bad colour '#ff00zz'"))
        _ = cli.write("themes/mine.theme", "bull = #00ff00\n")
        r = try cli.run(["render", "chart", "--theme", "mine", "--ansi"], environment: ["TRADLYTE_NOW": Self.now])
        #expect(r.status == 0 && r.stdout.contains("38;2;0;255;0"))
        r = try cli.run(["render", "chart", "--theme", "nope"], environment: ["TRADLYTE_NOW": Self.now])
        #expect(r.status == 2 && r.stderr.contains("unknown theme 'nope'"))
        r = try cli.run(["render", "chart", "--ansi"], environment: ["TRADLYTE_NOW": Self.now, "NO_COLOR": "1"])
        #expect(r.status == 0 && !r.stdout.contains("38;2;"))
    }
}
