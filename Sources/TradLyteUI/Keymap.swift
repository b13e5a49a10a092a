import TermRender

/// Everything a key can do; the keymap table binds keys to these and generates the help.
public enum Action: String, CaseIterable, Sendable {
    case quit, help, palette, search, addSymbol, removeSymbol, undoRemove, moveUp, moveDown, sortNext
    case toggleWatchlist, toggleZoom, cycleBacktestView, exportBacktest, nextPair, runPortfolio
    case selectUp, selectDown, focusNext, openChart, openQuote, refreshQuote
    case panLeft, panRight, pageLeft, pageRight, oldest, newest, zoomIn, zoomOut
    case nextInterval, previousInterval, interval1, interval3, interval5, interval8, interval13, interval21, interval34
    case cycleMode, toggleVolume, cycleOscillator, toggleCrosshair, toggleLog, nextTheme, back
    case openBacktest, openPicks, openAlerts, openPipeline, refresh, cancelRefresh, acknowledge, openComposer,
        newStrategy, runWatchlist, runSweep, runWalkForward, applyCell, applyBest, cellLeft, cellRight, filterPicks,
        rescan, cycleMetric
    case listUp, listDown, listOpen, sortTrades, nextStrategy, previousStrategy, rerunBacktest, markRead, markAllRead
    case accountSettings
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

    init(keys: [KeyEvent], action: Action, help: String, section: Section) {
        self.keys = keys
        self.action = action
        self.help = help
        self.section = section
    }
}

/// Key lookup and help lines, read from the command table.
public enum Keymap {
    /// The key bindings, from the command table (`Commands.all`), in its order.
    public static let bindings: [KeyBinding] = Commands.all.compactMap { c in
        guard let section = c.section, let action = c.action else { return nil }
        return KeyBinding(keys: c.keys, action: action, help: c.help, section: section)
    }

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
