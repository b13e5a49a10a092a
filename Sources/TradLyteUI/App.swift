import Foundation
import TermRender
import TradLyteCore

/// The UI's logic: `update(event)` changes the state and returns effects for the app to run.
/// No I/O happens here, so every key path is testable without a terminal.
public enum App {
    public static let intervals: [FibInterval] = [FibInterval.daily] + FibInterval.standard

    /// Builds the first state and the effects that load its data.
    public static func start(
        width: Int, height: Int, now: Date, symbols: [SymbolInfo], watchlist: [String], demo: Bool,
        latestClosed: Int32, dataThrough: SessionDate?, unreadAlerts: Int, theme: String,
        themes: [String]
    ) -> (AppState, [Effect]) {
        var s = AppState(width: width, height: height, now: now)
        s.symbols = symbols
        s.demo = demo
        s.latestClosed = latestClosed
        s.dataThrough = dataThrough
        s.unreadAlerts = unreadAlerts
        s.themeName = theme
        s.availableThemes = themes
        let known = Set(symbols.map(\.symbol.rawValue))
        s.watchlist = watchlist.filter { known.contains($0) }
        if s.watchlist.isEmpty {
            // No watchlist yet: the largest companies in the store.
            s.watchlist = symbols.sorted {
                ($0.marketCap ?? 0, $1.symbol.rawValue) > ($1.marketCap ?? 0, $0.symbol.rawValue)
            }
            .prefix(10).map(\.symbol.rawValue)
        }
        if symbols.isEmpty {
            s.message = (
                "no data yet — run `tradlyte refresh` (demo market without an API key) or `tradlyte import FILE.csv`",
                .warn
            )
        }
        return (s, s.watchlist.isEmpty ? [] : [.loadSeries(s.watchlist)])
    }

    public static func update(_ s: inout AppState, _ event: AppEvent) -> [Effect] {
        if case .tick(let now) = event {
            // The clock shows minutes: an idle tick within the same minute draws nothing.
            let minuteChanged = Int(now.timeIntervalSince1970 / 60) != Int(s.now.timeIntervalSince1970 / 60)
            s.now = now
            if minuteChanged { s.revision += 1 }
            return minuteChanged ? autoRefresh(&s) : []
        }
        s.revision += 1
        switch event {
        case .tick:
            return []
        case .seriesLoaded(let loaded, let failures):
            for (k, v) in loaded { s.series[k] = v }
            for k in loaded.keys { s.loading.remove(k) }
            for k in failures.keys { s.loading.remove(k) }
            if let (sym, why) = failures.first { s.message = ("\(sym): \(why)", .error) }
            return []
        case .quoteLoaded(let symbol, let result):
            switch result {
            case .success(let q): s.quotes[symbol] = q
            case .failure(let f): s.message = ("quote \(symbol): \(f.message)", .error)
            }
            return []
        case .backtestFinished(let generation, let result):
            // A superseded or cancelled request's result is dropped.
            guard var panel = s.backtest, panel.generation == generation, !panel.cancelled else { return [] }
            panel.running = false
            switch result {
            case .success(let r):
                panel.result = r
                panel.error = nil
            case .failure(let f): panel.error = f.message
            }
            panel.selected = 0
            s.backtest = panel
            return []
        case .studyFinished(let generation, let result):
            guard var study = s.study, study.generation == generation, study.running else { return [] }
            study.running = false
            switch result {
            case .success(let o):
                study.outcome = o
                if case .sweep(let sw) = o, let best = sw.best, let map = sw.heatmap {
                    // Start the cursor on the best cell.
                    study.column = map.x.values.firstIndex(of: best.parameters[map.x.name] ?? .nan) ?? 0
                    study.row = map.y.values.firstIndex(of: best.parameters[map.y.name] ?? .nan) ?? 0
                }
            case .failure(let f): study.error = f.message
            }
            s.study = study
            return []
        case .picksLoaded(let picks):
            if s.scanning {
                s.scanning = false
                s.message = ("scan stored \(picks.count) pick\(picks.count == 1 ? "" : "s")", .info)
            }
            s.picks = picks
            s.pickSelected = min(s.pickSelected, max(0, picks.count - 1))
            return []
        case .alertsLoaded(let alerts, let rules, let unread):
            s.alerts = alerts
            s.alertRules = rules
            s.unreadAlerts = unread
            s.alertSelected = min(s.alertSelected, max(0, alerts.count - 1))
            return []
        case .runsLoaded(let runs, let stages):
            s.runs = runs
            s.stages = stages
            s.runSelected = min(s.runSelected, max(0, runs.count - 1))
            return []
        case .failed(let message):
            s.scanning = false
            s.message = (message, .error)
            return []
        case .refreshStage(let name, let status, let seconds, let detail):
            guard var r = s.refresh else { return [] }
            let i = r.stage(name)
            r.stages[i].status = status
            r.stages[i].seconds = seconds
            if !detail.isEmpty { r.stages[i].detail = detail }
            if status != "running" {
                r.append(
                    "\(name): \(status)\(seconds.map { " in " + PriceScale.fixed($0, decimals: 2) + " s" } ?? "")\(detail.isEmpty ? "" : " (\(detail))")"
                )
            }
            s.refresh = r
            return []
        case .refreshProgress(let stage, let done, let total, let eta):
            guard var r = s.refresh else { return [] }
            let i = r.stage(stage)
            r.stages[i].done = done
            r.stages[i].total = total
            r.stages[i].eta = eta
            s.refresh = r
            return []
        case .refreshLog(let line):
            s.refresh?.append(line)
            return []
        case .refreshFinished(let summary, let failed, let cancelled):
            if s.refresh == nil { s.refresh = RefreshPanel() }
            s.refresh?.running = false
            s.refresh?.summary = summary
            s.refresh?.failed = failed && !cancelled
            s.refresh?.append(summary)
            if failed && !cancelled { s.failedBanner = summary }
            s.message = (summary, failed && !cancelled ? .error : .info)
            // Every screen shows what the run changed.
            return [.reloadData(Array(s.series.keys).sorted()), .loadRuns, .loadPlan, .loadAlerts, .loadPicks]
        case .planLoaded(let lines):
            s.plan = lines
            return []
        case .strategiesLoaded(let entries):
            s.composer.entries = entries
            s.composer.selected = min(s.composer.selected, max(0, entries.count - 1))
            s.strategies = entries.filter { $0.strategy != nil }.map(\.id)
            return []
        case .strategySaved(let id, let error):
            if let error {
                s.message = ("not saved: \(error)", .error)
                return []
            }
            if var d = s.composer.draft {
                for f in StrategyDraft.Field.allCases { d.original[f] = d.text(f) }
                s.composer.draft = d
            }
            s.strategy = id
            s.message = ("saved \(id) — b backtests it", .info)
            return [.loadStrategies]
        case .dataReloaded(let symbols, let series, let latestClosed, let dataThrough, let unread):
            s.symbols = symbols
            for (k, v) in series { s.series[k] = v }
            s.latestClosed = latestClosed
            s.dataThrough = dataThrough
            s.unreadAlerts = unread
            return []
        case .themeChanged(let name, let error):
            if let error {
                s.message = (error, .error)
            } else {
                s.themeName = name
                s.message = ("theme \(name)", .info)
            }
            return []
        case .input(.resize(let w, let h)):
            s.width = w
            s.height = h
            return []
        case .input(.mouse(let m)):
            switch m.kind {
            case .wheelUp: return perform(.zoomIn, &s)
            case .wheelDown: return perform(.zoomOut, &s)
            case .press:
                // A click on a watchlist row selects it.
                let row = m.y - Screens.watchlistTop
                if m.x < Screens.watchlistWidth(s.width), row >= 0, row < s.watchlist.count {
                    s.selected = row
                    s.current = nil
                    return ensureLoaded(&s)
                }
                return []
            }
        case .input(.key(let key)):
            if s.confirmingQuit {
                s.confirmingQuit = false
                if key == .char("q") || key == .char("y") || key == .ctrl("c") {
                    s.quit = true
                    s.message = ("cancelling the refresh — what it fetched is kept", .warn)
                    return [.cancelRefresh]
                }
                s.message = ("the refresh keeps running — P shows its progress", .info)
                return []
            }
            if key == .ctrl("c"), s.refresh?.running == true {
                s.quit = true
                s.message = ("cancelling the refresh — what it fetched is kept", .warn)
                return [.cancelRefresh]
            }
            if s.overlay != nil { return overlayKey(key, &s) }
            if s.pane == .strategies, s.composer.draft != nil { return composerKey(key, &s) }
            s.message = nil
            guard let action = Keymap.action(for: key, pane: s.pane) else {
                s.message = ("\(key) is not bound — press ? for the keys", .info)
                return []
            }
            return perform(action, &s)
        }
    }

    /// Why a typed symbol resolved to nothing.
    struct TypedSymbolProblem: Error {
        let text: String
    }

    /// What a user typed, matched against the stored symbols as the CLI does: an exact match,
    /// else the one symbol equal ignoring case; two securities differing only in case (`AMPB`,
    /// `AMpB`) ask for the exact case.
    static func resolveTyped(_ text: String, in symbols: [SymbolInfo]) -> Result<String, TypedSymbolProblem> {
        let typed = text.trimmingCharacters(in: .whitespaces)
        if symbols.contains(where: { $0.symbol.rawValue == typed }) { return .success(typed) }
        let matches = symbols.map(\.symbol.rawValue).filter { $0.uppercased() == typed.uppercased() }
        if matches.count == 1 { return .success(matches[0]) }
        if matches.isEmpty {
            return .failure(TypedSymbolProblem(text: "no symbol '\(typed)' in the store — check the ticker"))
        }
        let list = matches.sorted().joined(separator: " and ")
        let text = "'\(typed)' matches \(list) (different securities) — type its exact case"
        return .failure(TypedSymbolProblem(text: text))
    }

    static func ensureLoaded(_ s: inout AppState) -> [Effect] {
        guard let sym = s.currentSymbol, s.series[sym] == nil, !s.loading.contains(sym) else { return [] }
        s.loading.insert(sym)
        return [.loadSeries([sym])]
    }

    /// Bars of the current view (for pan limits).
    static func barCount(_ s: AppState) -> Int {
        guard let sym = s.currentSymbol, let series = s.series[sym], series.count > 0 else { return 0 }
        let last = Int(series.sessionIndex[series.count - 1])
        let first = Int(series.sessionIndex[0])
        let n = s.interval.sessions
        return last / n - first / n + 1
    }

    public static func perform(_ action: Action, _ s: inout AppState) -> [Effect] {
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
        case .palette: s.overlay = .palette(TextField(), selected: 0)
        case .search: s.overlay = .search(TextField(), selected: 0, adding: false)
        case .addSymbol: s.overlay = .search(TextField(), selected: 0, adding: true)
        case .runWatchlist: return startStudy(.watchlist(s.watchlist), &s)
        case .runSweep: return startStudy(.sweep, &s)
        case .runWalkForward: return startStudy(.walkForward, &s)
        case .cellLeft, .cellRight:
            guard var st = s.study, case .sweep(let sw)? = st.outcome, let map = sw.heatmap else { return [] }
            st.column = min(max(0, st.column + (action == .cellLeft ? -1 : 1)), map.x.values.count - 1)
            s.study = st
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
            } else if let map = sw.heatmap, map.x.values.indices.contains(st.column),
                map.y.values.indices.contains(st.row)
            {
                params = [map.x.name: map.x.values[st.column], map.y.name: map.y.values[st.row]]
                // Other swept parameters keep the best cell's values.
                for (k, v) in sw.best(by: st.metric)?.parameters ?? [:] where params?[k] == nil { params?[k] = v }
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
            s.message = ("refreshing in the background — P shows progress, c there cancels", .info)
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
            case .walkForward(let w)?: count = w.count
            case .sweep(let sw)?: count = sw.heatmap?.y.values.count ?? 0
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
            guard s.alerts.indices.contains(s.alertSelected) else { return [] }
            return [.markAlertsRead([s.alerts[s.alertSelected].id])]
        case .removeSymbol:
            let list = s.sortedWatchlist
            guard list.indices.contains(s.selected) else { return [] }
            let sym = list[s.selected]
            s.watchlist.removeAll { $0 == sym }
            s.selected = min(s.selected, max(0, s.watchlist.count - 1))
            s.current = nil
            s.message = ("removed \(sym)", .info)
            return [.saveWatchlist(s.watchlist)] + ensureLoaded(&s)
        case .moveUp, .moveDown:
            guard s.sort == .manual else {
                s.message = ("reordering needs manual sort — press s until it says manual", .warn)
                return []
            }
            let j = s.selected + (action == .moveUp ? -1 : 1)
            guard s.watchlist.indices.contains(s.selected), s.watchlist.indices.contains(j) else { return [] }
            s.watchlist.swapAt(s.selected, j)
            s.selected = j
            return [.saveWatchlist(s.watchlist)]
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
        case .openChart:
            s.pane = .chart
            return ensureLoaded(&s)
        case .openQuote:
            s.pane = .quote
            return ensureLoaded(&s) + quoteEffect(&s)
        case .refreshQuote:
            s.pane = .quote
            return quoteEffect(&s)
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
        s.study = StudyPanel(
            kind: kind, strategy: s.strategy, symbol: sym, interval: s.interval, generation: generation)
        s.pane = .backtest
        return superseded + [
            .runStudy(kind, strategy: s.strategy, symbol: sym, interval: s.interval, generation: generation)
        ]
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
            guard let panel = s.backtest, let r = panel.result, panel.order.indices.contains(panel.selected) else {
                return []
            }
            let trade = r.trades[panel.order[panel.selected]]
            symbol = panel.symbol
            s.interval = panel.interval
            chart(panel.symbol, &s)
            // Put the crosshair on the entry bar, panned into view.
            let total = barCount(s)
            let columns = max(1, Screens.chartColumns(s))
            s.crosshair = min(trade.entryBar, max(0, total - 1))
            let cap = s.viewport.capacity(columns: columns)
            // End the view a little after the exit, but never so late that the entry scrolls off.
            let end = min(
                total, max(trade.entryBar + 1, min(trade.exitBar + 1 + cap / 4, trade.entryBar + cap - cap / 8)))
            s.viewport.pan = min(max(0, total - end), s.viewport.maxPan(total: total, columns: columns))
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
            guard s.alerts.indices.contains(s.alertSelected) else { return [] }
            symbol = s.alerts[s.alertSelected].symbol.rawValue
        default: return []
        }
        if let symbol { chart(symbol, &s) }
        return ensureLoaded(&s)
    }

    /// Keys while a strategy is being edited: field navigation, editing, save, completion,
    /// preview, and a y/n prompt before unsaved changes are dropped.
    static func composerKey(_ key: KeyEvent, _ s: inout AppState) -> [Effect] {
        guard var d = s.composer.draft else { return [] }
        defer { if s.composer.draft != nil { s.composer.draft = d } }
        if d.confirmingDiscard {
            switch key.key {
            case .char("y"), .char("Y"):
                s.composer.draft = nil
                s.message = ("changes dropped", .info)
                if d.quitAfterDiscard { s.quit = true }
                return []
            default:
                d.confirmingDiscard = false
                d.quitAfterDiscard = false
                return []
            }
        }
        let fields = StrategyDraft.Field.allCases
        let i = fields.firstIndex(of: d.focused) ?? 0
        switch (key.key, key.modifiers) {
        case (.tab, _), (.down, _): d.focused = fields[(i + 1) % fields.count]
        case (.backTab, _), (.up, _): d.focused = fields[(i + fields.count - 1) % fields.count]
        case (.escape, _):
            if d.isDirty { d.confirmingDiscard = true } else { s.composer.draft = nil }
        case (.char("c"), .ctrl):
            // Leaving the app asks too when the draft has unsaved changes.
            if d.isDirty {
                d.confirmingDiscard = true
                d.quitAfterDiscard = true
            } else {
                s.quit = true
            }
        case (.char("s"), .ctrl):
            switch d.compile() {
            case .valid(let strategy):
                return [.saveStrategy(id: d.text(.id), text: strategy.fileText)]
            case .invalid(let problems):
                s.message = (
                    "not saved: \(problems.count) problem\(problems.count == 1 ? "" : "s") — \(problems[0].field.label.trimmingCharacters(in: .whitespaces)): \(problems[0].message)",
                    .error
                )
            }
        case (.char(" "), .ctrl):
            if !d.complete() {
                let c = d.completions().candidates
                s.message = (c.isEmpty ? "no completion here" : c.prefix(12).joined(separator: " "), .info)
            }
        case (.function(5), _):
            switch d.compile() {
            case .valid(let strategy): return previewSignals(strategy, &s)
            case .invalid(let problems):
                s.message = ("fix \(problems.count) problem\(problems.count == 1 ? "" : "s") to preview", .error)
            }
        default:
            guard var field = d.fields[d.focused] else { return [] }
            if edit(&field, key) { d.fields[d.focused] = field }
        }
        return []
    }

    /// Shows a draft's entries and rule exits on the chart of the current symbol at the
    /// draft's interval (the chart draws them as markers).
    static func previewSignals(_ strategy: Strategy, _ s: inout AppState) -> [Effect] {
        guard let sym = s.currentSymbol, let daily = s.series[sym] else {
            s.message = ("select a symbol with data to preview", .warn)
            return []
        }
        let compiled: CompiledStrategy
        do { compiled = try CompiledStrategy(strategy) } catch {
            s.message = ("\(error)", .error)
            return []
        }
        let signals = compiled.signals(daily: daily, latestClosed: s.latestClosed)
        let entries = signals.entries
        let exits = signals.exits
        let sessions = signals.lastSessions
        let setupHolds =
            strategy.setup == nil ? [] : sessions.indices.filter { signals.setup[$0] == Truth.yes }.map { sessions[$0] }
        s.preview = SignalPreview(
            symbol: sym, interval: strategy.interval,
            entries: sessions.indices.filter { entries[$0] }.map { sessions[$0] },
            exits: sessions.indices.filter { exits[$0] }.map { sessions[$0] }, setup: setupHolds,
            buy: strategy.trigger.action == .buy)
        s.interval = strategy.interval
        s.pane = .chart
        s.crosshair = nil
        s.viewport.pan = 0
        s.message = (
            "preview of \(strategy.name) on \(sym): \(s.preview!.entries.count) entries, \(s.preview!.exits.count) rule exits — S returns to the composer",
            .info
        )
        return []
    }

    /// Shows `symbol` on the chart pane (selecting it when it is on the watchlist).
    static func chart(_ symbol: String, _ s: inout AppState) {
        if let i = s.sortedWatchlist.firstIndex(of: symbol) {
            s.selected = i
            s.current = nil
        } else {
            s.current = symbol
        }
        s.pane = .chart
        s.crosshair = nil
        s.viewport.pan = 0
    }

    static func setInterval(_ interval: FibInterval, _ s: inout AppState) {
        guard interval != s.interval else { return }
        s.interval = interval
        s.viewport.pan = 0
        s.crosshair = nil
        s.message = ("\(interval) bars", .info)
    }

    static func quoteEffect(_ s: inout AppState) -> [Effect] {
        guard let sym = s.currentSymbol else { return [] }
        s.message = ("fetching a quote for \(sym)…", .info)
        return [.fetchQuote(sym)]
    }

    // MARK: - Popups

    static func overlayKey(_ key: KeyEvent, _ s: inout AppState) -> [Effect] {
        switch s.overlay {
        case .help(let scroll)?:
            switch key.key {
            case .down, .char("j"): s.overlay = .help(scroll: scroll + 1)
            case .up, .char("k"): s.overlay = .help(scroll: max(0, scroll - 1))
            case .pageDown, .char(" "): s.overlay = .help(scroll: scroll + 10)
            case .pageUp: s.overlay = .help(scroll: max(0, scroll - 10))
            default: s.overlay = nil
            }
            if key == .ctrl("c") { s.quit = true }
            return []
        case .search(var field, let selected, let adding)?:
            let matches = Search.matches(field.text, in: s.symbols)
            switch key.key {
            case .escape: s.overlay = nil
            case .enter:
                s.overlay = nil
                let typed = App.resolveTyped(field.text, in: s.symbols)
                let pick =
                    matches.indices.contains(selected)
                    ? matches[selected].symbol.rawValue
                    : ((try? typed.get()) ?? field.text.uppercased())
                guard s.info(pick) != nil else {
                    s.message = (
                        "no symbol '\(field.text)' in the store — check the ticker, or refresh/import its data", .error
                    )
                    return []
                }
                s.message = nil
                if adding || s.watchlist.isEmpty {
                    if !s.watchlist.contains(pick) { s.watchlist.append(pick) }
                    s.selected = s.sortedWatchlist.firstIndex(of: pick) ?? 0
                    s.current = nil
                    s.message = ("added \(pick) to the watchlist", .info)
                    return [.saveWatchlist(s.watchlist)] + ensureLoaded(&s)
                }
                if let i = s.sortedWatchlist.firstIndex(of: pick) {
                    s.selected = i
                    s.current = nil
                } else {
                    s.current = pick
                }
                s.pane = .chart
                s.viewport.pan = 0
                s.crosshair = nil
                return ensureLoaded(&s)
            case .up: s.overlay = .search(field, selected: max(0, selected - 1), adding: adding)
            case .down:
                s.overlay = .search(field, selected: min(max(0, matches.count - 1), selected + 1), adding: adding)
            default:
                if key == .ctrl("c") {
                    s.quit = true
                    return []
                }
                if edit(&field, key) { s.overlay = .search(field, selected: 0, adding: adding) }
            }
            return []
        case .palette(var field, let selected)?:
            let matches = Palette.matches(field.text, s)
            switch key.key {
            case .escape: s.overlay = nil
            case .tab:
                if let m = matches.indices.contains(selected) ? matches[selected] : matches.first {
                    field = TextField(m.hasSuffix(" ") ? m : m + " ")
                    s.overlay = .palette(field, selected: 0)
                }
            case .enter:
                s.overlay = nil
                let typed = field.text.trimmingCharacters(in: .whitespaces)
                let command =
                    typed.isEmpty || (!matches.isEmpty && !Palette.isComplete(typed, s))
                    ? (matches.indices.contains(selected) ? matches[selected] : typed) : typed
                return Palette.run(command, &s)
            case .up: s.overlay = .palette(field, selected: max(0, selected - 1))
            case .down: s.overlay = .palette(field, selected: min(max(0, matches.count - 1), selected + 1))
            default:
                if key == .ctrl("c") {
                    s.quit = true
                    return []
                }
                if edit(&field, key) { s.overlay = .palette(field, selected: 0) }
            }
            return []
        case nil:
            return []
        }
    }

    /// Text editing keys shared by the popups; false when the key is not an edit.
    static func edit(_ field: inout TextField, _ key: KeyEvent) -> Bool {
        switch (key.key, key.modifiers) {
        case (.char(let c), []), (.char(let c), .shift): field.apply(.insert(c))
        case (.backspace, _): field.apply(.backspace)
        case (.delete, _): field.apply(.delete)
        case (.left, _): field.apply(.left)
        case (.right, _): field.apply(.right)
        case (.home, _), (.char("a"), .ctrl): field.apply(.home)
        case (.end, _), (.char("e"), .ctrl): field.apply(.end)
        case (.char("w"), .ctrl): field.apply(.wordBack)
        case (.char("k"), .ctrl): field.apply(.killToEnd)
        case (.char("u"), .ctrl): field.apply(.killToStart)
        default: return false
        }
        return true
    }
}

/// Fuzzy symbol search over tickers and company names.
public enum Search {
    /// Best matches first: exact ticker, ticker prefix, name word prefix, then subsequences.
    public static func matches(_ query: String, in symbols: [SymbolInfo], limit: Int = 50) -> [SymbolInfo] {
        let q = query.trimmingCharacters(in: .whitespaces).lowercased()
        guard !q.isEmpty else { return Array(symbols.sorted { $0.symbol.rawValue < $1.symbol.rawValue }.prefix(limit)) }
        var scored: [(Int, SymbolInfo)] = []
        for info in symbols {
            let sym = info.symbol.rawValue.lowercased()
            let name = (info.name ?? "").lowercased()
            var score: Int?
            if sym == q {
                score = 0
            } else if sym.hasPrefix(q) {
                score = 10 + sym.count
            } else if name.split(separator: " ").contains(where: { $0.hasPrefix(q) }) {
                score = 100
            } else if name.contains(q) {
                score = 200
            } else if let gap = subsequenceGap(q, sym) {
                score = 300 + gap
            } else if let gap = subsequenceGap(q, name) {
                score = 400 + gap
            }
            if let score { scored.append((score, info)) }
        }
        return scored.sorted { ($0.0, $0.1.symbol.rawValue) < ($1.0, $1.1.symbol.rawValue) }.prefix(limit).map(\.1)
    }

    /// Characters skipped when `q` is a subsequence of `text` (nil when it is not).
    static func subsequenceGap(_ q: String, _ text: String) -> Int? {
        var it = text.makeIterator()
        var gap = 0
        outer: for c in q {
            while let t = it.next() {
                if t == c { continue outer }
                gap += 1
            }
            return nil
        }
        return gap
    }
}

/// The command palette: every action by name plus parameterised commands.
public enum Palette {
    static func candidates(_ s: AppState) -> [String] {
        var out = ["help", "quit", "chart", "quote", "refresh quote", "volume", "log", "crosshair", "add ", "remove"]
        out += App.intervals.map { "interval \($0)" }
        out += PriceChart.Mode.allCases.map { "mode \($0.rawValue)" }
        out += ["osc rsi", "osc macd", "osc stoch", "osc adx", "osc mfi", "osc none"]
        out += [
            "overlay sma 20", "overlay sma 50", "overlay sma 200", "overlay ema 21", "overlay bb 20", "overlay vegas",
            "overlay keltner 20", "overlay donchian 20", "overlay supertrend", "overlay sar", "overlay clear",
        ]
        out += AppState.WatchSort.allCases.map { "sort \($0.rawValue)" }
        out += s.availableThemes.map { "theme \($0)" }
        out +=
            [
                "backtest", "picks", "alerts", "pipeline", "refresh now", "refresh cancel", "strategy ", "range ",
                "range clear",
                "strategies", "new strategy", "sweep", "walkforward", "watchlist run", "metric", "apply best", "rescan",
                "filter picks",
                "acknowledge", "mark read",
            ] + s.strategies.map { "strategy \($0)" }
        out += [
            "alert above ", "alert below ", "alert change ", "alert trigger ", "alert pick", "alert remove ",
            "alerts read",
        ]
        return out
    }

    public static func matches(_ text: String, _ s: AppState) -> [String] {
        let q = text.lowercased().trimmingCharacters(in: .whitespaces)
        let all = candidates(s)
        if q.isEmpty { return all }
        let prefix = all.filter { $0.hasPrefix(q) }
        let fuzzy = all.filter { !$0.hasPrefix(q) && Search.subsequenceGap(q, $0) != nil }
        return prefix + fuzzy
    }

    static func isComplete(_ typed: String, _ s: AppState) -> Bool {
        let words = typed.split(separator: " ")
        guard let first = words.first else { return false }
        switch first {
        case "add", "overlay", "osc", "interval", "mode", "sort", "theme", "strategy", "range": return words.count >= 2
        case "alert": return words.count >= 2
        default: return candidates(s).contains(typed)
        }
    }

    /// `alert above 120`, `alert below 90`, `alert change 5 [sessions]`, `alert trigger STRATEGY`,
    /// `alert pick [STRATEGY]` (all for the selected symbol), `alert remove ID`.
    static func alertCommand(_ words: [String], _ s: inout AppState) -> [Effect] {
        let usage =
            "usage: alert above|below PRICE, alert change PERCENT [SESSIONS], alert trigger STRATEGY, alert pick [STRATEGY], alert remove ID"
        guard let kind = words.first else {
            s.message = (usage, .warn)
            return []
        }
        if kind == "remove" {
            guard words.count > 1, let id = Int64(words[1]) else {
                s.message = ("usage: alert remove ID (the rule ids are in the alerts pane)", .warn)
                return []
            }
            s.pane = .alerts
            return [.removeAlertRule(id)]
        }
        guard let sym = s.currentSymbol, let symbol = try? Symbol(sym) else {
            s.message = ("select a symbol first", .warn)
            return []
        }
        let number = words.count > 1 ? Double(words[1]) : nil
        let rule: AlertRule
        switch kind {
        case "above", "below":
            guard let v = number, v > 0 else {
                s.message = ("alert \(kind) needs a price, e.g. alert \(kind) 120", .warn)
                return []
            }
            rule = AlertRule(kind: kind == "above" ? .priceAbove : .priceBelow, symbol: symbol, value: v)
        case "change":
            guard let v = number, v > 0 else {
                s.message = ("alert change needs a percent, e.g. alert change 5", .warn)
                return []
            }
            let sessions = words.count > 2 ? Int(words[2]) : nil
            rule = AlertRule(kind: .percentChange, symbol: symbol, value: v, sessions: sessions ?? 1)
        case "trigger":
            guard words.count > 1, s.strategies.contains(words[1]) else {
                s.message = ("alert trigger needs a strategy: \(s.strategies.joined(separator: ", "))", .warn)
                return []
            }
            rule = AlertRule(kind: .strategyTrigger, symbol: symbol, strategy: words[1])
        case "pick":
            rule = AlertRule(kind: .newPick, symbol: symbol, strategy: words.count > 1 ? words[1] : nil)
        default:
            s.message = (usage, .warn)
            return []
        }
        s.pane = .alerts
        return [.addAlertRule(rule)]
    }

    /// Runs a palette command; unknown ones get a message saying what exists.
    public static func run(_ command: String, _ s: inout AppState) -> [Effect] {
        // Commands are case-insensitive; a ticker keeps its case (tickers are case-sensitive).
        let typed = command.split(separator: " ").map(String.init)
        let words = typed.map { $0.lowercased() }
        guard let verb = words.first else { return [] }
        let arg = words.count > 1 ? words[1] : nil
        let tickerArg = typed.count > 1 ? typed[1] : nil
        switch verb {
        case "help": return App.perform(.help, &s)
        case "quit", "q": return App.perform(.quit, &s)
        case "chart": return App.perform(.openChart, &s)
        case "quote": return App.perform(.openQuote, &s)
        case "refresh":
            if arg == "now" { return App.perform(.refresh, &s) }
            if arg == "cancel" { return App.perform(.cancelRefresh, &s) }
            return App.perform(.refreshQuote, &s)
        case "volume": return App.perform(.toggleVolume, &s)
        case "log": return App.perform(.toggleLog, &s)
        case "crosshair": return App.perform(.toggleCrosshair, &s)
        case "remove": return App.perform(.removeSymbol, &s)
        case "add":
            guard let tickerArg else {
                s.message = ("usage: add SYMBOL", .warn)
                return []
            }
            let sym: String
            switch App.resolveTyped(tickerArg, in: s.symbols) {
            case .success(let found): sym = found
            case .failure(let problem):
                s.message = (problem.text, .error)
                return []
            }
            if !s.watchlist.contains(sym) { s.watchlist.append(sym) }
            s.selected = s.sortedWatchlist.firstIndex(of: sym) ?? s.selected
            s.current = nil
            s.message = ("added \(sym) to the watchlist", .info)
            return [.saveWatchlist(s.watchlist)] + App.ensureLoaded(&s)
        case "interval":
            guard let arg, let i = try? FibInterval(parsing: arg), App.intervals.contains(i) else {
                s.message = (
                    "interval must be one of \(App.intervals.map(\.description).joined(separator: ", "))", .warn
                )
                return []
            }
            App.setInterval(i, &s)
        case "mode":
            guard let arg, let m = PriceChart.Mode(rawValue: arg) else {
                s.message = ("mode must be candles, ohlc or line", .warn)
                return []
            }
            s.mode = m
        case "osc":
            guard let arg else {
                s.message = ("usage: osc rsi|macd|stoch|adx|mfi|none", .warn)
                return []
            }
            if arg == "none" {
                s.oscillator = nil
                return []
            }
            guard let spec = IndicatorRegistry.named(arg), spec.placement == .oscillator else {
                s.message = ("'\(arg)' is not an oscillator — try rsi, macd, stoch, adx or mfi", .warn)
                return []
            }
            s.oscillator = spec.name
        case "overlay":
            guard let arg else {
                s.message = ("usage: overlay NAME [PARAMS…] or overlay clear", .warn)
                return []
            }
            if arg == "clear" {
                s.overlays = []
                return []
            }
            guard let spec = IndicatorRegistry.named(arg) else {
                s.message = ("unknown indicator '\(arg)' — `tradlyte indicator list` shows them", .warn)
                return []
            }
            guard spec.placement == .overlay || ["sma", "ema", "wma", "dema", "tema"].contains(spec.name) else {
                s.message = ("\(spec.name) is not drawn over prices — use `osc \(spec.name)`", .warn)
                return []
            }
            let params = words.dropFirst(2).compactMap(Double.init)
            for (p, v) in zip(spec.parameters, params) {
                if let problem = p.problem(with: v) {
                    s.message = ("\(spec.name): \(problem)", .warn)
                    return []
                }
            }
            s.overlays.append(OverlayChoice(spec.name, params))
            if s.overlays.count > 4 { s.overlays.removeFirst() }
        case "sort":
            guard let arg, let sort = AppState.WatchSort(rawValue: arg) else {
                s.message = ("sort must be manual, symbol, change or last", .warn)
                return []
            }
            s.sort = sort
        case "theme":
            guard let arg else {
                s.message = ("usage: theme NAME (\(s.availableThemes.joined(separator: ", ")))", .warn)
                return []
            }
            return [.setTheme(arg)]
        case "backtest": return App.perform(.openBacktest, &s)
        case "strategies": return App.perform(.openComposer, &s)
        case "new":
            guard s.pane == .strategies else {
                s.message = (
                    "open the composer first (S, or :strategies), select a template, then :new strategy", .warn
                )
                return []
            }
            return App.perform(.newStrategy, &s)
        case "sweep": return App.perform(.runSweep, &s)
        case "walkforward": return App.perform(.runWalkForward, &s)
        case "watchlist": return App.perform(.runWatchlist, &s)
        case "metric": return App.perform(.cycleMetric, &s)
        case "apply": return App.perform(.applyBest, &s)
        case "rescan":
            s.pane = .picks
            return App.perform(.rescan, &s)
        case "filter": return App.perform(.filterPicks, &s)
        case "acknowledge": return App.perform(.acknowledge, &s)
        case "mark": return App.perform(.markAllRead, &s)
        case "picks": return App.perform(.openPicks, &s)
        case "alerts":
            if arg == "read" { return [.markAlertsRead(nil)] }
            return App.perform(.openAlerts, &s)
        case "pipeline": return App.perform(.openPipeline, &s)
        case "strategy":
            guard let arg, s.strategies.contains(arg) else {
                s.message = ("strategy must be one of \(s.strategies.joined(separator: ", "))", .warn)
                return []
            }
            s.strategy = arg
            return App.startBacktest(&s)
        case "alert": return alertCommand(Array(words.dropFirst()), &s)
        case "range":
            if arg == "clear" {
                s.backtestRange = nil
                s.message = ("backtests use every bar", .info)
                return []
            }
            guard words.count == 3, let from = try? SessionDate(iso: words[1]),
                let to = try? SessionDate(iso: words[2]), from <= to
            else {
                s.message = (
                    "usage: range FROM TO with dates like 2024-01-02 (FROM not after TO), or range clear", .warn
                )
                return []
            }
            s.backtestRange = from...to
            s.message = ("backtests from \(from) to \(to)", .info)
            return s.pane == .backtest ? App.startBacktest(&s) : []
        default:
            s.message = ("unknown command '\(verb)' — press : and Tab to see the commands", .warn)
        }
        return []
    }
}
