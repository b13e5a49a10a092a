import TermRender
import TradLyteCore

/// One row of the command table: the keys that run it and in which section, its action and
/// help line, its palette name (with arguments and completions), and why it cannot run now.
/// The keymap, the palette with its completion and dispatch, and the help screen are all read
/// from `Commands.all`.
public struct Command: Sendable {
    public var keys: [KeyEvent] = []
    /// Where the keys apply; `nil` for a palette-only command.
    public var section: KeyBinding.Section?
    public var action: Action?
    public var help: String
    /// The palette entry ("chart", "refresh now"); `nil`: reached by keys only.
    public var name: String?
    /// Other words that run it from the palette ("q").
    public var aliases: [String] = []
    /// An example for the help screen's command line ("interval 5d").
    public var example: String?
    /// Whether the palette waits for an argument before running it.
    public var takesArgument = false
    /// What the palette offers for it (default: its name).
    var completions: (@Sendable (AppState) -> [String])?
    /// Runs it from the palette with the typed words (verb first); default: its action.
    var run: (@Sendable ([String], inout AppState) -> [Effect])?
    /// Why it cannot run now; `nil`: it can.
    var disabled: (@Sendable (AppState) -> String?)?

    var verb: String? { name?.split(separator: " ").first.map(String.init) }
    var secondWord: String? {
        guard let words = name?.split(separator: " "), words.count > 1 else { return nil }
        return String(words[1])
    }

    /// A key binding, optionally with its palette name.
    static func key(
        _ specs: [String], _ action: Action, _ help: String, _ section: KeyBinding.Section, palette: String? = nil,
        aliases: [String] = [], run: (@Sendable ([String], inout AppState) -> [Effect])? = nil,
        disabled: (@Sendable (AppState) -> String?)? = nil
    ) -> Command {
        Command(
            keys: specs.map { KeyEvent(spec: $0)! }, section: section, action: action, help: help, name: palette,
            aliases: aliases, run: run, disabled: disabled)
    }

    /// A palette command with its own handler (and no keys).
    static func palette(
        _ name: String, _ help: String, example: String? = nil, takesArgument: Bool = true,
        completions: (@Sendable (AppState) -> [String])? = nil,
        run: @escaping @Sendable ([String], inout AppState) -> [Effect]
    ) -> Command {
        Command(
            help: help, name: name, example: example, takesArgument: takesArgument, completions: completions, run: run)
    }
}

/// The command table (lazygit-style): the single source of the keys, the palette and the help.
public enum Commands {
    public static let all: [Command] = [
        // Palette commands with arguments; their examples make the help screen's command line.
        .palette(
            "interval", "bars of N sessions", example: "interval 5d",
            completions: { _ in App.intervals.map { "interval \($0)" } }, run: Palette.interval),
        .palette(
            "mode", "candles, ohlc or line", example: "mode line",
            completions: { _ in PriceChart.Mode.allCases.map { "mode \($0.rawValue)" } }, run: Palette.mode),
        .palette(
            "overlay", "an indicator over the prices (or clear)", example: "overlay ema 21",
            completions: { _ in
                [
                    "overlay sma 20", "overlay sma 50", "overlay sma 200", "overlay ema 21", "overlay bb 20",
                    "overlay vegas", "overlay keltner 20", "overlay donchian 20", "overlay supertrend", "overlay sar",
                    "overlay clear",
                ]
            }, run: Palette.overlay),
        .palette(
            "osc", "the oscillator pane (or none)", example: "osc macd",
            completions: { _ in ["osc rsi", "osc macd", "osc stoch", "osc adx", "osc mfi", "osc none"] },
            run: Palette.oscillator),
        .palette(
            "theme", "a colour theme", example: "theme gruvbox",
            completions: { s in s.availableThemes.map { "theme \($0)" } }, run: Palette.theme),
        .palette(
            "add", "add a symbol to the watchlist", example: "add MSFT", completions: { _ in ["add "] },
            run: Palette.add),
        .palette(
            "save watchlist", "write the watchlist to the config file again (after a failed save)",
            takesArgument: false, completions: { _ in ["save watchlist"] },
            run: { _, s in
                return [App.saveWatchlist(&s, confirm: true)]
            }),
        .palette(
            "sort", "sort the watchlist", example: "sort change",
            completions: { _ in AppState.WatchSort.allCases.map { "sort \($0.rawValue)" } }, run: Palette.sort),

        // Keys by section, with the palette names of what they do.
        .key(["?", "f1"], .help, "show this help", .general, palette: "help"),
        .key([":"], .palette, "command palette (Tab completes)", .general),
        .key(["$"], .accountSettings, "account settings: cash, commission, slippage for b, w, h, f and P", .general),
        .key(
            ["/"], .search, "search symbols by ticker or name; in trades, picks and alerts: filter the list", .general),
        .key(["tab"], .focusNext, "switch focus between watchlist and chart", .general),
        .key(["\\"], .toggleWatchlist, "hide or show the watchlist", .general, palette: "watchlist toggle"),
        .key(["z"], .toggleZoom, "maximise the focused pane (again: restore)", .general, palette: "zoom"),
        .key(["c"], .openChart, "chart pane", .general, palette: "chart"),
        .key(["i"], .openQuote, "quote pane for the selected symbol", .general, palette: "quote"),
        .key(["r"], .refreshQuote, "refresh the quote", .general, palette: "refresh quote"),
        .key(["t"], .nextTheme, "next theme", .general),
        .key(["b"], .openBacktest, "backtest the strategy on this symbol and interval", .general, palette: "backtest"),
        .key(["p"], .openPicks, "scanner picks of the latest session", .general, palette: "picks"),
        .key(["A"], .openAlerts, "alerts inbox", .general, palette: "alerts"),
        .key(
            ["P"], .openPipeline, "pipeline runs, the next run's plan and refresh progress", .general,
            palette: "pipeline"),
        .key(
            ["S"], .openComposer, "strategy composer: your and the built-in strategies", .general, palette: "strategies"
        ),
        .key(["R"], .refresh, "refresh the data now (in the background)", .general, palette: "refresh now"),
        .key(["!"], .acknowledge, "acknowledge a failed refresh (hides the banner)", .general, palette: "acknowledge"),
        .key(["esc"], .back, "close a popup / back to the chart", .general),
        .key(["q", "ctrl-c"], .quit, "quit", .general, palette: "quit", aliases: ["q"]),
        .key(["up", "k"], .selectUp, "previous symbol", .watchlist),
        .key(["down", "j"], .selectDown, "next symbol", .watchlist),
        .key(["a"], .addSymbol, "add a symbol (search)", .watchlist),
        .key(
            ["d", "delete"], .removeSymbol, "remove the selected symbol (u puts it back)", .watchlist, palette: "remove"
        ),
        .key(["u"], .undoRemove, "put back the symbol d removed", .watchlist, palette: "undo remove"),
        .key(["K", "shift-up"], .moveUp, "move the symbol up", .watchlist),
        .key(["J", "shift-down"], .moveDown, "move the symbol down", .watchlist),
        .key(["s"], .sortNext, "sort: manual, symbol, change %, last", .watchlist),
        .key(["enter"], .openChart, "chart the selected symbol", .watchlist),
        .key(["1"], .interval1, "daily bars", .chart),
        .key(["2"], .interval3, "3-session bars", .chart),
        .key(["3"], .interval5, "5-session bars", .chart),
        .key(["4"], .interval8, "8-session bars", .chart),
        .key(["5"], .interval13, "13-session bars", .chart),
        .key(["6"], .interval21, "21-session bars", .chart),
        .key(["7"], .interval34, "34-session bars", .chart),
        .key(["]"], .nextInterval, "next interval", .chart),
        .key(["["], .previousInterval, "previous interval", .chart),
        .key(["left", "h"], .panLeft, "pan back (crosshair: previous bar)", .chart),
        .key(["right", "l"], .panRight, "pan forward (crosshair: next bar)", .chart),
        .key(["pgup", "H"], .pageLeft, "pan back one screen", .chart),
        .key(["pgdn", "L"], .pageRight, "pan forward one screen", .chart),
        .key(["home", "g"], .oldest, "oldest bars", .chart),
        .key(["end", "G"], .newest, "newest bars", .chart),
        .key(["+", "="], .zoomIn, "zoom in", .chart),
        .key(["-", "_"], .zoomOut, "zoom out", .chart),
        .key(["m"], .cycleMode, "candles, OHLC, line", .chart),
        .key(["v"], .toggleVolume, "volume pane on/off", .chart, palette: "volume"),
        .key(["o"], .cycleOscillator, "oscillator: RSI, MACD, none", .chart),
        .key(["x"], .toggleCrosshair, "crosshair cursor on/off", .chart, palette: "crosshair"),
        .key(["ctrl-l"], .toggleLog, "log price scale on/off", .chart, palette: "log"),
        .key(["up", "k"], .listUp, "previous trade", .backtest),
        .key(["down", "j"], .listDown, "next trade", .backtest),
        .key(["enter"], .listOpen, "show the trade on the chart (entry ▲/▼ and exit markers)", .backtest),
        .key(["s"], .sortTrades, "sort trades: entry, return, P&L, bars held", .backtest),
        .key(["v"], .cycleBacktestView, "view: curve and trades, statistics, trade list", .backtest, palette: "view"),
        .key(
            ["e"], .exportBacktest,
            "export what the pane shows (backtest, sweep, walk-forward, watchlist run, portfolio) as JSON and CSV",
            .backtest,
            palette: "export backtest"),
        .key(["n"], .nextStrategy, "next strategy", .backtest),
        .key(["N"], .previousStrategy, "previous strategy", .backtest),
        .key(["b"], .rerunBacktest, "run again (a single backtest)", .backtest),
        .key(
            ["w"], .runWatchlist, "run the strategy across the watchlist, ranked by Sharpe", .backtest,
            palette: "watchlist run"),
        .key(
            ["h"], .runSweep, "parameter sweep over the declared ranges (heat map for two parameters)", .backtest,
            palette: "sweep"),
        .key(
            ["f"], .runWalkForward, "walk-forward: in-sample vs out-of-sample windows", .backtest,
            palette: "walkforward"),
        .key(["left"], .cellLeft, "heat map: previous column; equity curve: the readout a bar back", .backtest),
        .key(["right"], .cellRight, "heat map: next column; equity curve: the readout a bar on", .backtest),
        .key(["x"], .nextPair, "heat map: the next pair of parameters (three or more swept)", .backtest),
        .key(
            ["P"], .runPortfolio, "portfolio: the strategy over the watchlist with one account (:portfolio universe N)",
            .backtest),
        .key(
            ["a"], .applyBest, "sweep: apply the best cell's parameters and backtest", .backtest,
            palette: "apply best"),
        .key(
            ["m"], .cycleMetric,
            "sweep: statistic of the heat map (Sharpe, return, Sortino, SQN, drawdown, Calmar, win rate)", .backtest,
            palette: "metric"),
        .key(["space"], .applyCell, "sweep: apply the selected cell's parameters and backtest", .backtest),
        .key(["esc"], .back, "cancel a running backtest, else back to the chart", .backtest),
        .key(["up", "k"], .listUp, "previous pick", .picks),
        .key(["down", "j"], .listDown, "next pick", .picks),
        .key(["enter"], .listOpen, "chart the pick", .picks),
        .key(["f"], .filterPicks, "filter by strategy (cycles; all first)", .picks, palette: "filter picks"),
        .key(
            ["r"], .rescan, "scan the latest session again and store the picks", .picks, palette: "rescan",
            run: Palette.rescan),
        .key(["up", "k"], .listUp, "previous alert", .alerts),
        .key(["down", "j"], .listDown, "next alert", .alerts),
        .key(["m"], .markRead, "mark the alert read", .alerts),
        .key(["M"], .markAllRead, "mark every alert read", .alerts, palette: "mark read"),
        .key(["enter"], .listOpen, "chart the alert's symbol", .alerts),
        .key(["up", "k"], .listUp, "previous run", .pipeline),
        .key(["down", "j"], .listDown, "next run", .pipeline),
        .key(
            ["x"], .cancelRefresh, "cancel the running refresh (what is stored stays consistent)", .pipeline,
            palette: "refresh cancel"),
        .key(["up", "k"], .listUp, "previous strategy", .strategies),
        .key(["down", "j"], .listDown, "next strategy", .strategies),
        .key(["enter"], .listOpen, "edit (a built-in is saved as your copy)", .strategies),
        .key(
            ["n"], .newStrategy, "new strategy from the selected one as a template", .strategies,
            palette: "new strategy", disabled: Commands.composerClosed),
        .key(["P"], .runPortfolio, "portfolio: the selected strategy over the watchlist", .strategies),

        // Palette commands for strategies, backtest ranges and alerts.
        .palette(
            "strategy", "backtest with another strategy",
            completions: { s in ["strategy "] + s.strategies.map { "strategy \($0)" } }, run: Palette.strategy),
        .palette(
            "range", "backtest between two dates (or clear)", completions: { _ in ["range ", "range clear"] },
            run: Palette.range),
        .palette(
            "account", "cash, commission and slippage for the studies (alone: the settings popup, as $)",
            example: "account cash 25000",
            completions: { _ in
                ["account", "account cash ", "account commission ", "account slippage ", "account clear"]
            }, run: Palette.account),
        .palette(
            "portfolio", "the strategy over the watchlist or every stored symbol, N positions at most",
            example: "portfolio universe 10",
            completions: { _ in ["portfolio watchlist", "portfolio universe", "portfolio watchlist 5"] },
            run: Palette.portfolio),
        .palette(
            "alert", "an alert rule for the selected symbol (or remove ID)",
            completions: { _ in
                [
                    "alert above ", "alert below ", "alert change ", "alert trigger ", "alert pick", "alert remove ",
                ]
            }, run: { typed, s in Palette.alertCommand(typed.dropFirst().map { $0.lowercased() }, &s) }),
        .palette("alerts read", "mark every alert read", takesArgument: false, run: { _, _ in [.markAlertsRead(nil)] }),
    ]

    /// The command the palette runs for a verb and its second word: the row named by both, else
    /// the first row with that verb (`refresh` alone refreshes the quote).
    static func command(verb: String, second: String?) -> Command? {
        let rows = all.filter { $0.verb == verb || $0.aliases.contains(verb) }
        if let second, let exact = rows.first(where: { $0.secondWord == second }) { return exact }
        return rows.first
    }

    /// Examples of the palette's commands with arguments, for the help screen.
    public static var examples: [String] { all.compactMap(\.example) }

    static let composerClosed: @Sendable (AppState) -> String? = { s in
        s.pane == .strategies
            ? nil : "open the composer first (S, or :strategies), select a template, then :new strategy"
    }
}
