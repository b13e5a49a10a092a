import Foundation
import TermRender
import TradLyteCore

/// What each key action does (the keymap binds keys to these actions).
extension App {
    public static func perform(_ action: Action, _ s: inout AppState) -> [Effect] {
        if let effects = portfolioKey(action, &s) { return effects }
        let columns = max(1, Screens.chartColumns(s))
        let total = barCount(s)
        switch action {
        case .quit:
            // Quitting mid-refresh asks first; Ctrl-C does not ask (it cancels the refresh,
            // which keeps what it fetched, and quits).
            if s.refresh?.running == true {
                s.confirmingQuit = true
                s.message = (
                    "a refresh is running — q again cancels it (what it fetched is kept) and quits; "
                        + "any other key keeps it running", .warn
                )
                return []
            }
            s.quit = true
        case .help: s.overlay = .help(scroll: 0)
        case .accountSettings: s.overlay = .settings(row: 0, settingsField(0, s))
        case .palette: s.overlay = .palette(TextField(), selected: 0)
        case .search:
            // In a list, `/` filters its rows; elsewhere it searches symbols.
            if let current = listFilterText(s) {
                s.overlay = .filter(TextField(current))
            } else {
                s.overlay = .search(TextField(), selected: 0, adding: false)
            }
        case .addSymbol: s.overlay = .search(TextField(), selected: 0, adding: true)
        case .runWatchlist: return startStudy(.watchlist(s.watchlist), &s)
        case .runPortfolio:
            if s.pane == .strategies, s.composer.entries.indices.contains(s.composer.selected),
                s.composer.entries[s.composer.selected].strategy != nil
            {
                s.strategy = s.composer.entries[s.composer.selected].id
            }
            return startPortfolio(nil, &s)
        case .runSweep: return startStudy(.sweep, &s)
        case .runWalkForward: return startStudy(.walkForward, &s)
        case .cellLeft, .cellRight:
            if s.study == nil, var panel = s.backtest, let r = panel.result, !r.equity.isEmpty {
                // The readout cursor on the equity curve and drawdown, from the last bar.
                let day = panel.day ?? r.equity.count
                panel.day = min(max(0, day + (action == .cellLeft ? -1 : 1)), r.equity.count - 1)
                if panel.view != .overview { panel.view = .overview }
                s.backtest = panel
                return []
            }
            guard var st = s.study, let grid = st.grid else { return [] }
            st.column = min(max(0, st.column + (action == .cellLeft ? -1 : 1)), grid.x.values.count - 1)
            s.study = st
        case .nextPair:
            guard var st = s.study, case .sweep(let sw)? = st.outcome, SweepGrid.pairs(sw).count > 1 else {
                s.message = ("the heat map's other pairs need a sweep of three or more parameters", .info)
                return []
            }
            st.pair += 1
            st.row = 0
            st.column = 0
            s.study = st
            if let grid = st.grid { s.message = ("heat map of \(grid.x.name) by \(grid.y.name)", .info) }
        case .cycleMetric:
            guard var st = s.study, case .sweep? = st.outcome else {
                s.message = ("run a sweep first (h)", .info)
                return []
            }
            let order: [BacktestRunner.Metric] = [.sharpe, .return, .sortino, .sqn, .drawdown, .calmar, .winrate]
            st.metric = order[((order.firstIndex(of: st.metric) ?? 0) + 1) % order.count]
            s.study = st
            s.message = ("heat map of \(st.metric.statistic)", .info)
        case .applyBest, .applyCell:
            guard let st = s.study, case .sweep(let sw)? = st.outcome else {
                s.message = ("run a sweep first (h)", .info)
                return []
            }
            var params: [String: Double]?
            if action == .applyBest {
                params = sw.best(by: st.metric)?.parameters
            } else if let row = st.grid?.row(column: st.column, row: st.row) {
                // The cell's best combination (with three or more parameters, the others at their
                // best values for that cell).
                params = row.parameters
            }
            guard let params else {
                s.message = ("no cell to apply", .warn)
                return []
            }
            s.parameterOverrides[st.strategy] = params
            s.message = (
                "applied "
                    + params.sorted { $0.key < $1.key }.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }.joined(
                        separator: " "), .info
            )
            return startBacktest(&s)
        case .back where s.study != nil && s.pane == .backtest:
            if let study = s.study, study.running {
                s.study?.running = false
                s.study?.error = "cancelled"
                s.message = ("cancelled", .info)
                return [.cancelStudy(generation: study.generation)]
            } else {
                s.study = nil
            }
        case .back:
            if s.pane == .backtest, let panel = s.backtest, panel.running {
                s.backtest?.cancelled = true
                s.backtest?.running = false
                s.message = ("backtest cancelled", .info)
                return [.cancelBacktest(generation: panel.generation)]
            } else if s.pane != .chart {
                s.pane = .chart
            } else if s.crosshair != nil {
                s.crosshair = nil
            }
        case .openBacktest, .rerunBacktest: return startBacktest(&s)
        case .nextStrategy, .previousStrategy:
            guard !s.strategies.isEmpty else { return [] }
            let i = s.strategies.firstIndex(of: s.strategy) ?? 0
            s.strategy = s.strategies[(i + (action == .nextStrategy ? 1 : s.strategies.count - 1)) % s.strategies.count]
            return startBacktest(&s)
        case .openPicks:
            s.pane = .picks
            return [.loadPicks]
        case .openAlerts:
            s.pane = .alerts
            return [.loadAlerts]
        case .openPipeline:
            s.pane = .pipeline
            return [.loadRuns, .loadPlan]
        case .openComposer:
            s.pane = .strategies
            return [.loadStrategies]
        case .newStrategy:
            guard s.composer.entries.indices.contains(s.composer.selected),
                let base = s.composer.entries[s.composer.selected].strategy
            else {
                s.message = ("select a strategy that loads to use as the template", .warn)
                return []
            }
            var draft = StrategyDraft(base, id: s.composer.entries[s.composer.selected].id + "_copy")
            draft.fields[.name] = TextField(base.name + " (copy)")
            draft.original = [:]  // new: unsaved until saved
            draft.focused = .id
            s.composer.draft = draft
        case .refresh:
            if s.refresh?.running == true {
                s.message = ("a refresh is already running — P shows its progress", .info)
                return []
            }
            s.refresh = RefreshPanel()
            s.message = ("refreshing in the background — P shows progress, x there cancels", .info)
            return [.startRefresh]
        case .cancelRefresh:
            guard s.refresh?.running == true else {
                s.message = ("no refresh is running", .info)
                return []
            }
            s.refresh?.cancelRequested = true
            s.refresh?.append("cancelling…")
            return [.cancelRefresh]
        case .acknowledge:
            if s.failedBanner == nil { s.message = ("nothing to acknowledge", .info) }
            s.failedBanner = nil
        case .listUp where s.pane == .backtest && s.study?.outcome != nil,
            .listDown where s.pane == .backtest && s.study?.outcome != nil:
            guard var st = s.study else { return [] }
            let count: Int
            switch st.outcome {
            case .watchlist(let rows)?: count = rows.count
            case .walkForward(let w)?: count = w.windows.count
            case .sweep?: count = st.grid?.y.values.count ?? 0
            case nil: count = 0
            }
            st.row = min(max(0, st.row + (action == .listUp ? -1 : 1)), max(0, count - 1))
            s.study = st
        case .listUp, .listDown:
            let count = s.listCount
            guard count > 0 else { return [] }
            s.listSelection = min(max(0, s.listSelection + (action == .listUp ? -1 : 1)), count - 1)
            // In the composer the selection is also the strategy that b backtests.
            if s.pane == .strategies, s.composer.entries[s.composer.selected].strategy != nil {
                s.strategy = s.composer.entries[s.composer.selected].id
            }
        case .sortTrades:
            guard var panel = s.backtest else { return [] }
            let all = BacktestPanel.TradeSort.allCases
            panel.sort = all[(all.firstIndex(of: panel.sort)! + 1) % all.count]
            panel.selected = 0
            s.backtest = panel
            s.message = ("trades by \(panel.sort.rawValue)", .info)
        case .listOpen: return openSelection(&s)
        case .filterPicks:
            let names = Array(Set(s.picks.map(\.strategy))).sorted()
            guard !names.isEmpty else {
                s.message = ("no picks to filter", .info)
                return []
            }
            let options: [String?] = [nil] + names
            let i = options.firstIndex(of: s.pickFilter) ?? 0
            s.pickFilter = options[(i + 1) % options.count]
            s.pickSelected = 0
        case .rescan:
            guard !s.scanning else { return [] }
            s.scanning = true
            s.message = ("scanning the latest session on all cores…", .info)
            return [.runScan]
        case .markRead, .markAllRead:
            if action == .markAllRead { return [.markAlertsRead(nil)] }
            guard s.visibleAlerts.indices.contains(s.alertSelected) else { return [] }
            return [.markAlertsRead([s.visibleAlerts[s.alertSelected].id])]
        case .removeSymbol:
            let list = s.sortedWatchlist
            guard list.indices.contains(s.selected) else { return [] }
            let sym = list[s.selected]
            s.removedSymbol = (sym, s.watchlist.firstIndex(of: sym) ?? s.watchlist.count)
            s.watchlist.removeAll { $0 == sym }
            s.selected = min(s.selected, max(0, s.watchlist.count - 1))
            s.current = nil
            s.message = ("removed \(sym) — u puts it back", .info)
            return [saveWatchlist(&s)] + ensureLoaded(&s)
        case .undoRemove:
            guard let (sym, index) = s.removedSymbol else {
                s.message = ("nothing to put back — u undoes the last d", .info)
                return []
            }
            s.removedSymbol = nil
            if !s.watchlist.contains(sym) { s.watchlist.insert(sym, at: min(index, s.watchlist.count)) }
            s.selected = s.sortedWatchlist.firstIndex(of: sym) ?? s.selected
            s.current = nil
            s.message = ("put \(sym) back", .info)
            return [saveWatchlist(&s)] + ensureLoaded(&s)
        case .moveUp, .moveDown:
            guard s.sort == .manual else {
                s.message = ("reordering needs manual sort — press s until it says manual", .warn)
                return []
            }
            let j = s.selected + (action == .moveUp ? -1 : 1)
            guard s.watchlist.indices.contains(s.selected), s.watchlist.indices.contains(j) else { return [] }
            s.watchlist.swapAt(s.selected, j)
            s.selected = j
            return [saveWatchlist(&s)]
        case .sortNext:
            let all = AppState.WatchSort.allCases
            let current = s.currentSymbol
            s.sort = all[(all.firstIndex(of: s.sort)! + 1) % all.count]
            if let current, let i = s.sortedWatchlist.firstIndex(of: current) { s.selected = i }
            s.message = ("sorted by \(s.sort.rawValue)", .info)
        case .selectUp, .selectDown:
            guard !s.watchlist.isEmpty else { return [] }
            s.selected = (s.selected + (action == .selectUp ? -1 : 1) + s.watchlist.count) % s.watchlist.count
            s.current = nil
            s.crosshair = nil
            s.viewport.pan = 0
            return ensureLoaded(&s) + (s.pane == .quote ? quoteEffect(&s) : [])
        case .focusNext: s.focus = s.focus == .watchlist ? .main : .watchlist
        case .toggleWatchlist:
            s.watchlistHidden.toggle()
            s.zoomed = false
            if s.watchlistHidden { s.focus = .main }
            s.message = (s.watchlistHidden ? "watchlist hidden — \\ shows it" : "watchlist shown", .info)
        case .toggleZoom:
            s.zoomed.toggle()
            s.message = (s.zoomed ? "pane maximised — z restores" : "layout restored", .info)
        case .cycleBacktestView:
            guard var panel = s.backtest, s.study == nil else { return [] }
            let all = BacktestPanel.View.allCases
            panel.view = all[(all.firstIndex(of: panel.view)! + 1) % all.count]
            s.backtest = panel
            s.message = ("showing \(panel.view.rawValue) — v for the next view", .info)
        case .exportBacktest:
            // What is on screen is what is written: the portfolio, the study or the backtest.
            let shown: (running: Bool, done: Bool)
            if let p = s.portfolio {
                shown = (p.running, p.result != nil)
            } else if let study = s.study {
                shown = (study.running, study.outcome != nil)
            } else if let panel = s.backtest {
                shown = (panel.running, panel.result != nil)
            } else {
                shown = (false, false)
            }
            guard shown.done else {
                let text =
                    shown.running
                    ? "still running — e exports the result once it lands"
                    : "nothing to export yet — b backtests, h sweeps, f walks forward, w runs the watchlist, "
                        + "P a portfolio"
                s.message = (text, .info)
                return []
            }
            return [.exportShown]
        case .openChart:
            s.pane = .chart
            return ensureLoaded(&s)
        case .openQuote:
            s.pane = .quote
            return ensureLoaded(&s) + quoteEffect(&s)
        case .refreshQuote:
            s.pane = .quote
            guard let sym = s.currentSymbol else { return [] }
            s.message = ("fetching a fresh quote for \(sym)…", .info)
            s.quoteNotice = (sym, s.message!.text)
            return [.refreshQuote(sym)]
        case .panLeft, .panRight:
            let step = action == .panLeft ? -1 : 1
            if let c = s.crosshair {
                let range = s.viewport.range(total: total, columns: columns)
                let next = min(max(0, c + step * s.viewport.barsPerColumn), max(0, total - 1))
                s.crosshair = next
                if next < range.lowerBound { s.viewport.pan += range.lowerBound - next }
                if next >= range.upperBound { s.viewport.pan = max(0, s.viewport.pan - (next - range.upperBound + 1)) }
            } else {
                let bars = max(1, s.viewport.capacity(columns: columns) / 8)
                s.viewport.pan = min(
                    max(0, s.viewport.pan - step * bars), s.viewport.maxPan(total: total, columns: columns))
            }
        case .pageLeft, .pageRight:
            let bars = s.viewport.capacity(columns: columns)
            s.viewport.pan = min(
                max(0, s.viewport.pan + (action == .pageLeft ? bars : -bars)),
                s.viewport.maxPan(total: total, columns: columns))
        case .oldest: s.viewport.pan = s.viewport.maxPan(total: total, columns: columns)
        case .newest:
            s.viewport.pan = 0
            if s.crosshair != nil { s.crosshair = max(0, total - 1) }
        case .zoomIn, .zoomOut:
            let z = s.viewport.zoom + (action == .zoomIn ? 1 : -1)
            guard z >= 0, z < Viewport.zooms.count else {
                s.message = ("zoom limit", .info)
                return []
            }
            s.viewport.zoom = z
            s.viewport.pan = min(s.viewport.pan, s.viewport.maxPan(total: total, columns: columns))
        case .nextInterval, .previousInterval:
            let i = intervals.firstIndex(of: s.interval) ?? 0
            setInterval(intervals[(i + (action == .nextInterval ? 1 : intervals.count - 1)) % intervals.count], &s)
        case .interval1: setInterval(intervals[0], &s)
        case .interval3: setInterval(intervals[1], &s)
        case .interval5: setInterval(intervals[2], &s)
        case .interval8: setInterval(intervals[3], &s)
        case .interval13: setInterval(intervals[4], &s)
        case .interval21: setInterval(intervals[5], &s)
        case .interval34: setInterval(intervals[6], &s)
        case .cycleMode:
            let all = PriceChart.Mode.allCases
            s.mode = all[(all.firstIndex(of: s.mode)! + 1) % all.count]
            s.message = ("\(s.mode.rawValue) chart", .info)
        case .toggleVolume: s.showVolume.toggle()
        case .cycleOscillator:
            let order: [String?] = ["rsi", "macd", nil]
            let i = order.firstIndex(of: s.oscillator) ?? 2
            s.oscillator = order[(i + 1) % order.count]
        case .toggleCrosshair:
            if s.crosshair == nil {
                let range = s.viewport.range(total: total, columns: columns)
                s.crosshair = range.isEmpty ? nil : range.upperBound - 1
            } else {
                s.crosshair = nil
            }
        case .toggleLog:
            s.logScale.toggle()
            s.message = (s.logScale ? "log price scale" : "linear price scale", .info)
        case .nextTheme:
            guard !s.availableThemes.isEmpty else { return [] }
            let i = s.availableThemes.firstIndex(of: s.themeName) ?? -1
            return [.setTheme(s.availableThemes[(i + 1) % s.availableThemes.count])]
        }
        return []
    }
}
