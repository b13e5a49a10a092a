import Foundation
import TermRender
import TradLyteCore

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
