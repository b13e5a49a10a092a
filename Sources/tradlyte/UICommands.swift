import ArgumentParser
import Foundation
import TermCurses
import TermRender
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteUI

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
        try runReportingErrors {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw AppError.badInput(
                    "the UI needs a terminal on stdin and stdout — use `tradlyte render SCREEN` for text output")
            }
            let env = try AppEnvironment.load()
            let session = try UISession(env: env, themeFlag: theme)
            let processEnv = ProcessInfo.processInfo.environment
            let noColor = !(processEnv["NO_COLOR"] ?? "").isEmpty
            let terminal: CursesTerminal
            do { terminal = try CursesTerminal(forceASCII: ascii, noColor: noColor, environment: processEnv) } catch {
                throw AppError.failure("\(error)")
            }
            // Said after the terminal is restored (a warning under curses would be wiped).
            var leaving: String?
            defer {
                terminal.stop()
                if let leaving { emitError(leaving) }
            }
            let glyphs: Glyphs = terminal.unicode ? .unicode : .ascii
            var (state, effects) = try session.start(width: terminal.size.width, height: terminal.size.height)
            session.run(effects, &state)
            var drawn = -1
            while !state.quit {
                for event in session.inbox.drain() { session.run(App.update(&state, event), &state) }
                if state.revision != drawn {
                    terminal.flush(Screens.render(state, Screens.Context(theme: session.theme, glyphs: glyphs)))
                    drawn = state.revision
                }
                if let input = terminal.poll(timeoutMilliseconds: 100) {
                    effects = App.update(&state, .input(input))
                    session.run(effects, &state)
                } else {
                    session.run(App.update(&state, .tick(env.now())), &state)
                }
            }
            do { try session.remember(state) } catch {
                leaving = "tradlyte: warning: the UI's state was not saved: \(error)"
            }
            // A refresh cancelled on the way out records itself (cancelled, what it fetched kept)
            // before the process ends; the cancel interrupts any wait, so this is short.
            if state.refresh?.running == true {
                terminal.flush(Screens.render(state, Screens.Context(theme: session.theme, glyphs: glyphs)))
                for _ in 0..<300 where state.refresh?.running == true {
                    for event in session.inbox.drain() { _ = App.update(&state, event) }
                    if state.refresh?.running == true { Thread.sleep(forTimeInterval: 0.05) }
                }
            }
        }
    }
}

/// Options shared by the headless screens.
struct ScreenOptions: ParsableArguments {
    @Option(name: .long, help: "Symbol to show (default: the first on the watchlist).") var symbol: String?
    @Option(name: .long, help: "Bar interval: 1d 3d 5d 8d 13d 21d 34d (default 1d).") var interval: String?
    @Option(name: .long, help: "Screen size as WxH.") var size = "100x30"
    @Option(name: .long, help: "Theme name (see `tradlyte themes`).") var theme: String?
    @Flag(name: .long, help: "Print with ANSI colours.") var ansi = false
    @Flag(name: .long, help: "Draw ASCII glyphs only.") var ascii = false

    func dimensions() throws -> (Int, Int) {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...1000).contains(parts[0]), (1...500).contains(parts[1]) else {
            throw AppError.badInput("--size must be WIDTHxHEIGHT such as 100x30 (got '\(size)')")
        }
        return (parts[0], parts[1])
    }
}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print a UI screen as text without a terminal (for scripts, docs and tests).",
        discussion:
            "Screens: watchlist, chart, quote, help, backtest (runs --strategy, default golden_cross, first), trades (its full trade list), sweep, walkforward, watchlist-run and portfolio (each run as the UI's h, f, w and P run them), picks, alerts, pipeline, strategies (with --strategy: its form in the composer). The clock can be pinned with TRADLYTE_NOW."
    )

    @Argument(
        help: ArgumentHelp(
            "watchlist | chart | quote | help | backtest | trades | sweep | walkforward | watchlist-run | portfolio | "
                + "picks | alerts | pipeline | strategies"))
    var screen: String
    @OptionGroup var options: ScreenOptions
    @Option(name: .long, help: "Strategy for the backtest screen (see `tradlyte strategy list`).") var strategy: String?

    func run() throws {
        try runReportingErrors {
            try UISession.check(screen: screen)
            let (w, h) = try options.dimensions()
            let env = try AppEnvironment.load()
            let session = try UISession(env: env, themeFlag: options.theme)
            var state = try session.headless(width: w, height: h)
            try apply(options, to: &state, session)
            try session.open(screen, strategy: strategy, &state)
            let buffer = Screens.render(
                state, Screens.Context(theme: session.theme, glyphs: options.ascii ? .ascii : .unicode))
            emitBuffer(buffer, ansi: options.ansi)
        }
    }
}

/// Applies --symbol and --interval to a fresh state.
func apply(_ options: ScreenOptions, to state: inout AppState, _ session: UISession) throws {
    if let text = options.symbol {
        let sym = try session.store.resolveSymbol(text).rawValue
        guard state.info(sym) != nil else {
            throw AppError.badInput(
                "unknown symbol '\(sym)' — it is not in the store; `tradlyte status` shows what is loaded")
        }
        if let i = state.sortedWatchlist.firstIndex(of: sym) { state.selected = i } else { state.current = sym }
        session.run([.loadSeries([sym])], &state, synchronous: true)
    }
    if let text = options.interval {
        do { state.interval = try FibInterval(parsing: text) } catch {
            throw AppError.badInput("--interval: \(error)")
        }
    }
}

func emitBuffer(_ buffer: Buffer, ansi: Bool) {
    if ansi {
        FileHandle.standardOutput.write(Data(buffer.ansiText.utf8))
    } else {
        emit(
            buffer.textRows.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(
                separator: "\n"))
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
            guard rows >= 6, rows <= 500, cols >= 30, cols <= 1000 else {
                throw AppError.badInput("--rows must be 6–500 and --cols 30–1000")
            }
            guard let m = PriceChart.Mode(rawValue: mode) else {
                throw AppError.badInput("--mode must be candles, ohlc or line")
            }
            let env = try AppEnvironment.load()
            let session = try UISession(env: env, themeFlag: theme)
            var (state, _) = try session.start(width: cols, height: rows)
            var options = try ScreenOptions.parse([])
            options.symbol = symbol
            options.interval = interval
            try apply(options, to: &state, session)
            state.mode = m
            let ctx = Screens.Context(theme: session.theme, glyphs: ascii ? .ascii : .unicode)
            let area = Rect(x: 0, y: 0, width: cols, height: rows)
            guard let model = Screens.chartModel(state, ctx, columns: cols - PriceChart.axisWidth) else {
                throw AppError.badInput(
                    "no bars for \(symbol.uppercased()) — run `tradlyte refresh` or import its history")
            }
            var buffer = Buffer(width: cols, height: rows)
            let volume = rows >= 12 ? max(2, rows / 6) : 0
            let parts = Layout.split(area, .vertical, [.fill, .length(1), .length(volume)])
            let chart = Screens.priceChart(model, state, ctx)
            chart.render(parts[0], &buffer)
            DateAxis(labels: model.labels, columnsPerBar: chart.columnsPerBar, style: session.theme.muted).render(
                parts[1], &buffer)
            if volume > 0 {
                Histogram(
                    values: model.merged.volume, styles: [session.theme["volume"]], columnsPerBar: chart.columnsPerBar,
                    glyphs: ctx.glyphs
                )
                .render(parts[2].inset(right: PriceChart.axisWidth), &buffer)
            }
            emitBuffer(buffer, ansi: ansi)
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
