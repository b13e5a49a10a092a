import TermRender

/// Everything a key can do; the keymap table binds keys to these and generates the help.
public enum Action: String, CaseIterable, Sendable {
    case quit, help, palette, search, addSymbol, removeSymbol, moveUp, moveDown, sortNext
    case selectUp, selectDown, focusNext, openChart, openQuote, refreshQuote
    case panLeft, panRight, pageLeft, pageRight, oldest, newest, zoomIn, zoomOut
    case nextInterval, previousInterval, interval1, interval3, interval5, interval8, interval13, interval21, interval34
    case cycleMode, toggleVolume, cycleOscillator, toggleCrosshair, toggleLog, nextTheme, back
    case openBacktest, openPicks, openAlerts, openPipeline, refresh, cancelRefresh, acknowledge, openComposer,
        newStrategy, runWatchlist, runSweep, runWalkForward, applyCell, applyBest, cellLeft, cellRight, filterPicks,
        rescan, cycleMetric
    case listUp, listDown, listOpen, sortTrades, nextStrategy, previousStrategy, rerunBacktest, markRead, markAllRead
}

/// One row of the keymap: keys, the action, and the line the help screen shows.
public struct KeyBinding: Sendable {
    public enum Section: String, Sendable, CaseIterable {
        case general = "General"
        case watchlist = "Watchlist"
        case chart = "Chart"
        case backtest = "Backtest pane"
        case picks = "Picks pane"
        case
            alerts = "Alerts pane"
        case pipeline = "Pipeline pane"
        case strategies = "Strategy composer"
        case
            editing = "Strategy composer, editing"
    }
    public var keys: [KeyEvent]
    public var action: Action
    public var help: String
    public var section: Section

    init(_ specs: [String], _ action: Action, _ help: String, _ section: Section) {
        keys = specs.map { KeyEvent(spec: $0)! }
        self.action = action
        self.help = help
        self.section = section
    }
}

/// The key table (lazygit-style): the single source of the bindings and of the help overlay.
public enum Keymap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(["?", "f1"], .help, "show this help", .general),
        KeyBinding([":"], .palette, "command palette (Tab completes)", .general),
        KeyBinding(["/"], .search, "search symbols by ticker or name", .general),
        KeyBinding(["tab"], .focusNext, "switch focus between watchlist and chart", .general),
        KeyBinding(["c"], .openChart, "chart pane", .general),
        KeyBinding(["i"], .openQuote, "quote pane for the selected symbol", .general),
        KeyBinding(["r"], .refreshQuote, "refresh the quote", .general),
        KeyBinding(["t"], .nextTheme, "next theme", .general),
        KeyBinding(["b"], .openBacktest, "backtest the strategy on this symbol and interval", .general),
        KeyBinding(["p"], .openPicks, "scanner picks of the latest session", .general),
        KeyBinding(["A"], .openAlerts, "alerts inbox", .general),
        KeyBinding(["P"], .openPipeline, "pipeline runs, the next run's plan and refresh progress", .general),
        KeyBinding(["S"], .openComposer, "strategy composer: your and the built-in strategies", .general),
        KeyBinding(["R"], .refresh, "refresh the data now (in the background)", .general),
        KeyBinding(["!"], .acknowledge, "acknowledge a failed refresh (hides the banner)", .general),
        KeyBinding(["esc"], .back, "close a popup / back to the chart", .general),
        KeyBinding(["q", "ctrl-c"], .quit, "quit", .general),
        KeyBinding(["up", "k"], .selectUp, "previous symbol", .watchlist),
        KeyBinding(["down", "j"], .selectDown, "next symbol", .watchlist),
        KeyBinding(["a"], .addSymbol, "add a symbol (search)", .watchlist),
        KeyBinding(["d", "delete"], .removeSymbol, "remove the selected symbol", .watchlist),
        KeyBinding(["K", "shift-up"], .moveUp, "move the symbol up", .watchlist),
        KeyBinding(["J", "shift-down"], .moveDown, "move the symbol down", .watchlist),
        KeyBinding(["s"], .sortNext, "sort: manual, symbol, change %, last", .watchlist),
        KeyBinding(["enter"], .openChart, "chart the selected symbol", .watchlist),
        KeyBinding(["1"], .interval1, "daily bars", .chart),
        KeyBinding(["2"], .interval3, "3-session bars", .chart),
        KeyBinding(["3"], .interval5, "5-session bars", .chart),
        KeyBinding(["4"], .interval8, "8-session bars", .chart),
        KeyBinding(["5"], .interval13, "13-session bars", .chart),
        KeyBinding(["6"], .interval21, "21-session bars", .chart),
        KeyBinding(["7"], .interval34, "34-session bars", .chart),
        KeyBinding(["]"], .nextInterval, "next interval", .chart),
        KeyBinding(["["], .previousInterval, "previous interval", .chart),
        KeyBinding(["left", "h"], .panLeft, "pan back (crosshair: previous bar)", .chart),
        KeyBinding(["right", "l"], .panRight, "pan forward (crosshair: next bar)", .chart),
        KeyBinding(["pgup", "H"], .pageLeft, "pan back one screen", .chart),
        KeyBinding(["pgdn", "L"], .pageRight, "pan forward one screen", .chart),
        KeyBinding(["home", "g"], .oldest, "oldest bars", .chart),
        KeyBinding(["end", "G"], .newest, "newest bars", .chart),
        KeyBinding(["+", "="], .zoomIn, "zoom in", .chart),
        KeyBinding(["-", "_"], .zoomOut, "zoom out", .chart),
        KeyBinding(["m"], .cycleMode, "candles, OHLC, line", .chart),
        KeyBinding(["v"], .toggleVolume, "volume pane on/off", .chart),
        KeyBinding(["o"], .cycleOscillator, "oscillator: RSI, MACD, none", .chart),
        KeyBinding(["x"], .toggleCrosshair, "crosshair cursor on/off", .chart),
        KeyBinding(["ctrl-l"], .toggleLog, "log price scale on/off", .chart),
        KeyBinding(["up", "k"], .listUp, "previous trade", .backtest),
        KeyBinding(["down", "j"], .listDown, "next trade", .backtest),
        KeyBinding(["enter"], .listOpen, "show the trade on the chart (entry ▲/▼ and exit markers)", .backtest),
        KeyBinding(["s"], .sortTrades, "sort trades: entry, return, P&L, bars held", .backtest),
        KeyBinding(["n"], .nextStrategy, "next strategy", .backtest),
        KeyBinding(["N"], .previousStrategy, "previous strategy", .backtest),
        KeyBinding(["b"], .rerunBacktest, "run again (a single backtest)", .backtest),
        KeyBinding(["w"], .runWatchlist, "run the strategy across the watchlist, ranked by Sharpe", .backtest),
        KeyBinding(
            ["h"], .runSweep, "parameter sweep over the declared ranges (heat map for two parameters)", .backtest),
        KeyBinding(["f"], .runWalkForward, "walk-forward: in-sample vs out-of-sample windows", .backtest),
        KeyBinding(["left"], .cellLeft, "heat map: previous column", .backtest),
        KeyBinding(["right"], .cellRight, "heat map: next column", .backtest),
        KeyBinding(["a"], .applyBest, "sweep: apply the best cell's parameters and backtest", .backtest),
        KeyBinding(
            ["m"], .cycleMetric,
            "sweep: statistic of the heat map (Sharpe, return, Sortino, SQN, drawdown, Calmar, win rate)", .backtest),
        KeyBinding(["space"], .applyCell, "sweep: apply the selected cell's parameters and backtest", .backtest),
        KeyBinding(["esc"], .back, "cancel a running backtest, else back to the chart", .backtest),
        KeyBinding(["up", "k"], .listUp, "previous pick", .picks),
        KeyBinding(["down", "j"], .listDown, "next pick", .picks),
        KeyBinding(["enter"], .listOpen, "chart the pick", .picks),
        KeyBinding(["f"], .filterPicks, "filter by strategy (cycles; all first)", .picks),
        KeyBinding(["r"], .rescan, "scan the latest session again and store the picks", .picks),
        KeyBinding(["up", "k"], .listUp, "previous alert", .alerts),
        KeyBinding(["down", "j"], .listDown, "next alert", .alerts),
        KeyBinding(["m"], .markRead, "mark the alert read", .alerts),
        KeyBinding(["M"], .markAllRead, "mark every alert read", .alerts),
        KeyBinding(["enter"], .listOpen, "chart the alert's symbol", .alerts),
        KeyBinding(["up", "k"], .listUp, "previous run", .pipeline),
        KeyBinding(["down", "j"], .listDown, "next run", .pipeline),
        KeyBinding(["c"], .cancelRefresh, "cancel the running refresh (what is stored stays consistent)", .pipeline),
        KeyBinding(["up", "k"], .listUp, "previous strategy", .strategies),
        KeyBinding(["down", "j"], .listDown, "next strategy", .strategies),
        KeyBinding(["enter"], .listOpen, "edit (a built-in is saved as your copy)", .strategies),
        KeyBinding(["n"], .newStrategy, "new strategy from the selected one as a template", .strategies),
    ]

    /// Pane sections take precedence over the general ones while their pane is shown.
    static func table(_ sections: Set<KeyBinding.Section>) -> [KeyEvent: Action] {
        var t: [KeyEvent: Action] = [:]
        for b in bindings where sections.contains(b.section) { for k in b.keys where t[k] == nil { t[k] = b.action } }
        return t
    }

    static let general = table([.general, .watchlist, .chart])
    static let panes: [KeyBinding.Section: [KeyEvent: Action]] = [
        .backtest: table([.backtest]), .picks: table([.picks]), .alerts: table([.alerts]),
        .pipeline: table([.pipeline]),
        .strategies: table([.strategies]),
    ]

    /// Keys of the composer's editing mode (handled by the form, listed for the help screen).
    public static let editingHelp: [(keys: String, help: String)] = [
        ("Tab ↓ / Shift-Tab ↑", "next / previous field"),
        ("Ctrl-S", "save to your strategies directory (only when valid)"),
        ("Ctrl-Space", "complete an indicator, field or output name"),
        ("F5", "preview the signals on the chart (▲▼ entries, exits)"),
        ("Esc", "stop editing (asks before dropping unsaved changes)"),
    ]

    public static func action(for key: KeyEvent, pane: AppState.Pane = .chart) -> Action? {
        let section: KeyBinding.Section? =
            switch pane {
            case .backtest: .backtest
            case .picks: .picks
            case .alerts: .alerts
            case .pipeline: .pipeline
            case .strategies: .strategies
            default: nil
            }
        if let section, let a = panes[section]?[key] { return a }
        return general[key]
    }

    /// Help lines per section: "keys  description".
    public static func helpLines() -> [(section: String, keys: String, help: String)] {
        KeyBinding.Section.allCases.flatMap { section in
            section == .editing
                ? editingHelp.map { (section.rawValue, $0.keys, $0.help) }
                : bindings.filter { $0.section == section }.map {
                    (section.rawValue, $0.keys.map(\.description).joined(separator: " "), $0.help)
                }
        }
    }
}
