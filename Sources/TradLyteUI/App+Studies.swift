import Foundation
import TermRender
import TradLyteCore

/// Backtests and studies started from the UI, and lists opened from them.
extension App {
    /// During the session, on a plan with snapshots: the watchlist's latest snapshots every five
    /// minutes (LAST stayed at yesterday's close all day on a delayed plan).
    static func watchQuotes(_ s: inout AppState) -> [Effect] {
        guard s.livePrices, !s.watchlist.isEmpty,
            Screens.marketStatus(s.now, calendar: .nyse).0 == "market open"
        else { return [] }
        if let last = s.watchQuotesAt, s.now.timeIntervalSince(last) < 300 { return [] }
        s.watchQuotesAt = s.now
        return [.watchQuotes(s.watchlist)]
    }

    /// With `auto_refresh`, a refresh starts by itself once a session has closed that the
    /// data does not have yet — once per session, and never while one runs.
    static func autoRefresh(_ s: inout AppState) -> [Effect] {
        guard s.autoRefresh, s.refresh?.running != true else { return [] }
        let cal = TradingCalendar.nyse
        let latest = Int32(cal.latestClosedSessionIndex(at: s.now))
        let have = s.dataThrough.flatMap { cal.sessionIndex($0) }.map(Int32.init) ?? -1
        guard latest > have, s.autoRefreshedFor != latest else { return [] }
        s.autoRefreshedFor = latest
        s.refresh = RefreshPanel()
        s.message = ("data is stale after the close — refreshing automatically", .info)
        s.revision += 1
        return [.startRefresh]
    }

    /// Runs the current strategy on the current symbol and interval (in the background; a
    /// newer request supersedes an older one).
    static func startBacktest(_ s: inout AppState) -> [Effect] {
        guard let sym = s.currentSymbol else {
            s.message = ("no symbol selected", .warn)
            return []
        }
        let superseded = supersededWork(s)
        let generation = (s.backtest?.generation ?? 0) + 1
        s.backtest = BacktestPanel(strategy: s.strategy, symbol: sym, interval: s.interval, generation: generation)
        s.backtest?.range = s.backtestRange
        s.backtest?.parameters = s.parameterOverrides[s.strategy] ?? [:]
        s.pane = .backtest
        s.study = nil
        return superseded + [
            .runBacktest(
                strategy: s.strategy, symbol: sym, interval: s.interval,
                parameters: s.parameterOverrides[s.strategy] ?? [:],
                range: s.backtestRange, generation: generation)
        ]
    }

    /// Starts a watchlist run, a sweep or a walk-forward of the current strategy (in the
    /// background; shown in the backtest pane).
    static func startStudy(_ kind: StudyPanel.Kind, _ s: inout AppState) -> [Effect] {
        guard let sym = s.currentSymbol else {
            s.message = ("no symbol selected", .warn)
            return []
        }
        let superseded = s.study.flatMap { $0.running ? [Effect.cancelStudy(generation: $0.generation)] : nil } ?? []
        let generation = max(s.study?.generation ?? 0, s.backtest?.generation ?? 0) + 1
        let parameters = s.parameterOverrides[s.strategy] ?? [:]
        s.study = StudyPanel(
            kind: kind, strategy: s.strategy, symbol: sym, interval: s.interval, generation: generation)
        s.study?.parameters = parameters
        s.study?.range = s.backtestRange
        s.pane = .backtest
        return superseded + [
            .runStudy(
                kind, strategy: s.strategy, symbol: sym, interval: s.interval, parameters: parameters,
                range: s.backtestRange, generation: generation)
        ]
    }

    /// Puts the crosshair on a trade's entry bar and pans the chart so the trade is in view.
    static func showTrade(entryBar: Int, exitBar: Int, _ s: inout AppState) {
        let total = barCount(s)
        let columns = max(1, Screens.chartColumns(s))
        s.crosshair = min(entryBar, max(0, total - 1))
        let cap = s.viewport.capacity(columns: columns)
        // End the view a little after the exit, but never so late that the entry scrolls off.
        let end = min(total, max(entryBar + 1, min(exitBar + 1 + cap / 4, entryBar + cap - cap / 8)))
        s.viewport.pan = min(max(0, total - end), s.viewport.maxPan(total: total, columns: columns))
    }

    /// Centres the chart on the pending trade once its symbol's bars are loaded: the crosshair on
    /// the entry bar and the view panned to hold entry and exit (found by session).
    static func applyTradeFocus(_ s: inout AppState) {
        guard let f = s.focusTrade, f.symbol == s.currentSymbol, f.interval == s.interval else { return }
        let bars = s.bars()
        guard !bars.isEmpty else { return }  // applied when the series arrives
        s.focusTrade = nil
        guard let entry = bars.lastIndex(where: { $0.lastSession <= f.entry }) else { return }
        let exit = f.exit.flatMap { e in bars.lastIndex { $0.lastSession <= e } } ?? bars.count - 1
        showTrade(entryBar: entry, exitBar: exit, &s)
    }

    /// The running backtest and study a new backtest replaces: cancelled, not just ignored.
    static func supersededWork(_ s: AppState) -> [Effect] {
        var effects: [Effect] = []
        if let panel = s.backtest, panel.running { effects.append(.cancelBacktest(generation: panel.generation)) }
        if let study = s.study, study.running { effects.append(.cancelStudy(generation: study.generation)) }
        return effects
    }

    /// Enter on a list: a trade opens on the chart with its markers; a pick or an alert
    /// charts its symbol.
    static func openSelection(_ s: inout AppState) -> [Effect] {
        var symbol: String?
        switch s.pane {
        case .backtest:
            guard let panel = s.backtest, let r = panel.result else { return [] }
            let trade: BacktestTrade
            if panel.order.indices.contains(panel.selected) {
                trade = r.trades[panel.order[panel.selected]]
                s.chartTrade = panel.order[panel.selected]
            } else if let open = panel.shownOpenTrade, panel.selected == panel.order.count {
                trade = open
                s.chartTrade = r.trades.count
            } else {
                return []
            }
            s.preview = nil
            symbol = panel.symbol
            s.interval = panel.interval
            chart(panel.symbol, &s)
            // The trade's bars are the backtest's (a :range run counts from its first bar): the
            // chart finds them by session, whatever range or history it shows.
            let open = s.chartTrade == r.trades.count
            s.focusTrade = TradeFocus(
                symbol: panel.symbol, interval: panel.interval, entry: r.lastSessions[trade.entryBar],
                exit: open ? nil : r.lastSessions[trade.exitBar])
            applyTradeFocus(&s)
            s.message = (
                "trade \(panel.selected + 1): \(trade.entrySession) → \(trade.exitSession), \(Format.percent(trade.returnFraction * 100))",
                .info
            )
            return ensureLoaded(&s)
        case .strategies:
            guard s.composer.entries.indices.contains(s.composer.selected) else { return [] }
            let entry = s.composer.entries[s.composer.selected]
            guard let strategy = entry.strategy else {
                s.message = ("\(entry.id) does not load: \(entry.problem ?? "") — fix the file", .error)
                return []
            }
            var draft = StrategyDraft(strategy, id: entry.id)
            if entry.builtIn {
                draft.fields[.id] = TextField("my_" + entry.id)
                draft.original[.id] = ""
            }
            s.composer.draft = draft
            s.strategy = entry.id
            return []
        case .picks:
            let picks = s.visiblePicks
            guard picks.indices.contains(s.pickSelected) else { return [] }
            symbol = picks[s.pickSelected].symbol.rawValue
        case .alerts:
            guard s.visibleAlerts.indices.contains(s.alertSelected) else { return [] }
            symbol = s.visibleAlerts[s.alertSelected].symbol.rawValue
        default: return []
        }
        if let symbol { chart(symbol, &s) }
        return ensureLoaded(&s)
    }
}
