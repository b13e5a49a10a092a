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
        s.configuredWatchlist = watchlist
        fillWatchlist(&s)
        if symbols.isEmpty {
            // Said for this set-up: the offline demo market, or the provider a key reaches.
            let source =
                demo
                ? "press R to load the offline demo market (set POLYGON_API_KEY for real data)"
                : "press R to refresh from your provider (the watchlist's history comes first)"
            s.message = ("no data yet — \(source), or `tradlyte import csv FILE.csv`", .warn)
        }
        return (s, s.watchlist.isEmpty ? [] : [.loadSeries(s.watchlist)])
    }

    /// The watchlist from the config's symbols the store holds, in their order; with none, the
    /// largest companies in the store. Symbols added in this session stay.
    static func fillWatchlist(_ s: inout AppState) {
        let configured = watchlist(configured: s.configuredWatchlist, stored: s.symbols)
        let known = Set(s.symbols.map(\.symbol.rawValue))
        let added = s.watchlist.filter { known.contains($0) && !configured.contains($0) }
        s.watchlist = configured + added
        s.selected = min(s.selected, max(0, s.watchlist.count - 1))
    }

    /// The watchlist every command uses — the UI, `backtest --watchlist`, `portfolio
    /// --watchlist`: the configured symbols the store holds, in their order; with none (a fresh
    /// home), the ten largest stored companies.
    public static func watchlist(configured: [String], stored: [SymbolInfo]) -> [String] {
        let known = Set(stored.map(\.symbol.rawValue))
        let held = configured.filter { known.contains($0) }
        guard held.isEmpty else { return held }
        return stored.sorted { ($0.marketCap ?? 0, $1.symbol.rawValue) > ($1.marketCap ?? 0, $0.symbol.rawValue) }
            .prefix(10).map(\.symbol.rawValue)
    }

    /// Saves the watchlist shown, keeping configured symbols the store does not hold yet.
    static func saveWatchlist(_ s: inout AppState, confirm: Bool = false) -> Effect {
        let known = Set(s.symbols.map(\.symbol.rawValue))
        let pending = s.configuredWatchlist.filter { !known.contains($0) && !s.watchlist.contains($0) }
        s.configuredWatchlist = s.watchlist + pending
        return .saveWatchlist(s.configuredWatchlist, confirm: confirm)
    }

    public static func update(_ s: inout AppState, _ event: AppEvent) -> [Effect] {
        let effects = handle(&s, event)
        // Markers belong to the chart view that showed them: a draft's preview and an opened
        // trade go when the chart does.
        if s.pane != .chart {
            s.preview = nil
            s.chartTrade = nil
            s.markedTrade = nil
        }
        return effects
    }

    static func handle(_ s: inout AppState, _ event: AppEvent) -> [Effect] {
        if case .tick(let now) = event {
            // The clock shows minutes: an idle tick within the same minute draws nothing.
            let minuteChanged = Int(now.timeIntervalSince1970 / 60) != Int(s.now.timeIntervalSince1970 / 60)
            s.now = now
            if minuteChanged { s.revision += 1 }
            s.idleTicks += 1
            // An information line goes after about five quiet seconds; warnings and errors stay
            // until the next key.
            if s.message?.level == .info, s.idleTicks - s.messageTick >= 50 {
                s.message = nil
                s.revision += 1
            }
            // About every two seconds: has a refresh elsewhere stored new data? While this UI's own
            // refresh runs, the screens read what it has committed so far (a cold start on the
            // free plan takes a hundred minutes; the watchlist's history arrives in the first calls).
            var check: [Effect] = []
            if s.idleTicks % 20 == 0 {
                check = s.refresh?.running == true ? [.reloadData(Array(s.series.keys).sorted())] : [.checkForNewData]
            }
            return (minuteChanged ? autoRefresh(&s) + watchQuotes(&s) : []) + check
        }
        s.revision += 1
        s.messageTick = s.idleTicks
        switch event {
        case .tick:
            return []
        case .seriesLoaded(let loaded, let failures):
            for (k, v) in loaded { s.series[k] = v }
            for k in loaded.keys { s.loading.remove(k) }
            for k in failures.keys { s.loading.remove(k) }
            if let (sym, why) = failures.first { s.message = ("\(sym): \(why)", .error) }
            applyTradeFocus(&s)
            return []
        case .watchQuotesLoaded(let loaded, let snapshots):
            for (k, v) in loaded { s.quotes[k] = v }
            if !snapshots { s.livePrices = false }
            return []
        case .quoteLoaded(let symbol, let result):
            switch result {
            case .success(let q):
                s.quotes[symbol] = q
                // The "fetching…" line goes once its quote is in (unless another message replaced it).
                if let notice = s.quoteNotice, notice.symbol == symbol {
                    if s.message?.text == notice.text { s.message = nil }
                    s.quoteNotice = nil
                }
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
        case .portfolioProgress(let generation, let done, let total):
            guard s.portfolio?.generation == generation, s.portfolio?.running == true else { return [] }
            s.portfolio?.progress = (done, total)
            return []
        case .portfolioFinished(let generation, let result):
            guard var panel = s.portfolio, panel.generation == generation, panel.running else { return [] }
            panel.running = false
            switch result {
            case .success(let r): panel.result = r
            case .failure(let f): panel.error = f.message
            }
            s.portfolio = panel
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
            let hadData = !s.symbols.isEmpty
            s.symbols = symbols
            for (k, v) in series { s.series[k] = v }
            s.latestClosed = latestClosed
            s.dataThrough = dataThrough
            s.unreadAlerts = unread
            // A first refresh (or one that brought configured symbols) fills the watchlist and
            // the chart without a restart.
            fillWatchlist(&s)
            if !hadData && !symbols.isEmpty, s.message?.level == .warn { s.message = nil }
            // Every watchlist row gets its prices, not only the charted one.
            let missing = s.watchlist.filter { s.series[$0] == nil && !s.loading.contains($0) }
            s.loading.formUnion(missing)
            return missing.isEmpty ? [] : [.loadSeries(missing)]
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
            return mouse(m, &s)
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
