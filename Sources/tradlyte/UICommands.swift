import ArgumentParser
import TradLyteApp
import TradLyteCore

struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the terminal UI: watchlist, charts at every interval, quotes, search and help.",
        discussion:
            "Press ? inside for the keys. NO_COLOR selects the mono theme; a non-UTF-8 locale (LANG=C) draws ASCII glyphs. Use `tradlyte render` for the same screens without a terminal."
    )

    @Option(name: .long, help: "Theme name (see `tradlyte themes`).") var theme: String?
    @Flag(name: .long, help: "Draw ASCII glyphs only.") var ascii = false

    func run() throws {
        var code: Int32 = 0
        try runReportingErrors { code = try TerminalUI.run(theme: theme, ascii: ascii) }
        if code != 0 { throw ExitCode(code) }
    }
}

/// Options shared by the headless screens.
struct ScreenOptions: ParsableArguments {
    @Option(name: .long, help: "Symbol to show (default: the first on the watchlist).") var symbol: String?
    @Option(name: .long, help: "Bar interval: 1d 3d 5d 8d 13d 21d 34d (default: the UI's last, else 1d).")
    var interval: String?
    @Option(name: .long, help: "Screen size as WxH.") var size = "100x30"
    @Option(name: .long, help: "Theme name (see `tradlyte themes`).") var theme: String?
    @Flag(name: .long, help: "Print with ANSI colours.") var ansi = false
    @Flag(name: .long, help: "Draw ASCII glyphs only.") var ascii = false

    func request() throws -> ScreenRequest {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...1000).contains(parts[0]), (1...500).contains(parts[1]) else {
            throw AppError.badInput("--size must be WIDTHxHEIGHT such as 100x30 (got '\(size)')")
        }
        return ScreenRequest(
            symbol: symbol, interval: interval, width: parts[0], height: parts[1], theme: theme, ascii: ascii)
    }
}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print a UI screen as text without a terminal (for scripts, docs and tests).",
        discussion:
            "Screens: watchlist, chart, quote, help, backtest (runs --strategy, default golden_cross, first), trades (its full trade list), sweep, walkforward, watchlist-run and portfolio (each run as the UI's h, f, w and P run them), picks, alerts, pipeline, strategies (with --strategy: its form in the composer). The clock can be pinned with TRADLYTE_NOW."
    )

    @Argument(help: "The screen to print.") var screen: HeadlessScreen
    @OptionGroup var options: ScreenOptions
    @Option(name: .long, help: "Strategy for the backtest screen (see `tradlyte strategy list`).") var strategy: String?

    func run() throws {
        try runReportingErrors {
            ScreenText.emit(
                try ScreenText.render(screen.rawValue, strategy: strategy, try options.request()), ansi: options.ansi)
        }
    }
}

struct ChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Print a candlestick chart of a symbol to stdout.",
        discussion: "Example: tradlyte chart ACME --interval 5d --rows 20 --cols 100")

    @Argument(help: "Symbol.") var symbol: String
    @Option(name: .long, help: "Bar interval: 1d 3d 5d 8d 13d 21d 34d or 55d.") var interval = "1d"
    @Option(name: .long, help: "Rows (at least 6).") var rows = 20
    @Option(name: .long, help: "Columns (at least 30).") var cols = 100
    @Option(name: .long, help: "candles, ohlc or line.") var mode = "candles"
    @Option(name: .long, help: "Theme for --ansi.") var theme: String?
    @Flag(name: .long, help: "Print with ANSI colours.") var ansi = false
    @Flag(name: .long, help: "Draw ASCII glyphs only.") var ascii = false

    func run() throws {
        try runReportingErrors {
            let request = ScreenRequest(
                symbol: symbol, interval: interval, width: cols, height: rows, theme: theme, ascii: ascii)
            ScreenText.emit(try ScreenText.chart(mode: mode, request), ansi: ansi)
        }
    }
}

struct ThemesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "themes",
        abstract: "List the UI themes (shipped and your own), or print one.",
        discussion:
            "Your themes live in <config>/themes/NAME.theme and override shipped ones; keys you leave out come from the default theme. Pick one with `--theme NAME` or \"theme\" in config.json."
    )

    @Option(name: .long, help: "Print this theme's full definition (a starting point for your own).") var show: String?

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let catalog = ThemeCatalog(env: env)
            if let show {
                emit(try catalog.load(show).fileText)
                return
            }
            let current = env.config.theme ?? "default"
            for (name, origin) in catalog.list() {
                var problem = ""
                do { _ = try catalog.load(name) } catch { problem = "  ERROR: \(error)" }
                emit(
                    "\(name == current ? "*" : " ") \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(origin)\(problem)"
                )
            }
            emit("\nuser themes: \(catalog.userDirectory)/NAME.theme")
        }
    }
}
