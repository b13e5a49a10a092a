import Foundation
import TermRender
import TradLyteCore

/// The command palette: every action by name plus parameterised commands.
public enum Palette {
    /// Every palette entry, in the command table's order.
    static func candidates(_ s: AppState) -> [String] {
        Commands.all.flatMap { c in c.completions?(s) ?? (c.name.map { [$0] } ?? []) }
    }

    public static func matches(_ text: String, _ s: AppState) -> [String] {
        let q = text.lowercased().trimmingCharacters(in: .whitespaces)
        let all = candidates(s)
        if q.isEmpty { return all }
        let prefix = all.filter { $0.hasPrefix(q) }
        let fuzzy = all.filter { !$0.hasPrefix(q) && Search.subsequenceGap(q, $0) != nil }
        return prefix + fuzzy
    }

    /// Whether Enter should run `typed` as it stands (a command that takes an argument has one).
    static func isComplete(_ typed: String, _ s: AppState) -> Bool {
        let words = typed.split(separator: " ")
        guard let first = words.first else { return false }
        if let command = Commands.command(verb: String(first).lowercased(), second: nil), command.takesArgument {
            return words.count >= 2
        }
        return candidates(s).contains(typed)
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
        // Not swallowed: the else branch tells the user to pick a symbol.
        guard let sym = s.currentSymbol, let symbol = try? Symbol(sym) else {
            s.message = ("select a symbol first", .warn)
            return []
        }
        let number = words.count > 1 ? NumberText.decimal(words[1]) : nil
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

    /// Runs a palette command from the command table; unknown ones get a message saying what
    /// exists, and a command that cannot run now says why.
    public static func run(_ command: String, _ s: inout AppState) -> [Effect] {
        // Commands are case-insensitive; a ticker keeps its case (tickers are case-sensitive).
        let typed = command.split(separator: " ").map(String.init)
        guard let verb = typed.first?.lowercased() else { return [] }
        let second = typed.count > 1 ? typed[1].lowercased() : nil
        guard let entry = Commands.command(verb: verb, second: second) else {
            s.message = ("unknown command '\(verb)' — press : and Tab to see the commands", .warn)
            return []
        }
        if let reason = entry.disabled?(s) {
            s.message = (reason, .warn)
            return []
        }
        if let run = entry.run { return run(typed, &s) }
        if let action = entry.action { return App.perform(action, &s) }
        return []
    }

    // MARK: - Commands with arguments

    static func rescan(_ typed: [String], _ s: inout AppState) -> [Effect] {
        s.pane = .picks
        return App.perform(.rescan, &s)
    }

    static func add(_ typed: [String], _ s: inout AppState) -> [Effect] {
        guard typed.count > 1 else {
            s.message = ("usage: add SYMBOL", .warn)
            return []
        }
        let sym: String
        switch App.resolveTyped(typed[1], in: s.symbols) {
        case .success(let found): sym = found
        case .failure(let problem):
            s.message = (problem.text, .error)
            return []
        }
        if !s.watchlist.contains(sym) { s.watchlist.append(sym) }
        s.selected = s.sortedWatchlist.firstIndex(of: sym) ?? s.selected
        s.current = nil
        s.message = ("added \(sym) to the watchlist", .info)
        return [App.saveWatchlist(&s)] + App.ensureLoaded(&s)
    }

    static func interval(_ typed: [String], _ s: inout AppState) -> [Effect] {
        // Every interval the engine has (55d too, beyond the tabs), as on the command line.
        guard typed.count > 1, let i = try? FibInterval(parsing: typed[1].lowercased()) else {
            let all = FibInterval.allowedSessions.map { "\($0)d" }.joined(separator: ", ")
            s.message = ("interval must be one of \(all)", .warn)
            return []
        }
        App.setInterval(i, &s)
        return []
    }

    static func mode(_ typed: [String], _ s: inout AppState) -> [Effect] {
        guard typed.count > 1, let m = PriceChart.Mode(rawValue: typed[1].lowercased()) else {
            s.message = ("mode must be candles, ohlc or line", .warn)
            return []
        }
        s.mode = m
        return []
    }

    static func oscillator(_ typed: [String], _ s: inout AppState) -> [Effect] {
        guard typed.count > 1 else {
            s.message = ("usage: osc rsi|macd|stoch|adx|mfi|none", .warn)
            return []
        }
        let arg = typed[1].lowercased()
        if arg == "none" {
            s.oscillator = nil
            return []
        }
        guard let spec = IndicatorRegistry.named(arg), spec.placement == .oscillator else {
            s.message = ("'\(arg)' is not an oscillator — try rsi, macd, stoch, adx or mfi", .warn)
            return []
        }
        s.oscillator = spec.name
        return []
    }

    static func overlay(_ typed: [String], _ s: inout AppState) -> [Effect] {
        let words = typed.map { $0.lowercased() }
        guard words.count > 1 else {
            s.message = ("usage: overlay NAME [PARAMS…] or overlay clear", .warn)
            return []
        }
        let arg = words[1]
        if arg == "clear" {
            s.overlays = []
            return []
        }
        guard let spec = IndicatorRegistry.named(arg) else {
            s.message = ("unknown indicator '\(arg)' — `tradlyte strategy indicators` lists them", .warn)
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
        return []
    }

    static func sort(_ typed: [String], _ s: inout AppState) -> [Effect] {
        guard typed.count > 1, let sort = AppState.WatchSort(rawValue: typed[1].lowercased()) else {
            s.message = ("sort must be manual, symbol, change or last", .warn)
            return []
        }
        s.sort = sort
        return []
    }

    static func theme(_ typed: [String], _ s: inout AppState) -> [Effect] {
        guard typed.count > 1 else {
            s.message = ("usage: theme NAME (\(s.availableThemes.joined(separator: ", ")))", .warn)
            return []
        }
        return [.setTheme(typed[1].lowercased())]
    }

    /// `portfolio [watchlist|universe] [N]`.
    static func portfolio(_ typed: [String], _ s: inout AppState) -> [Effect] {
        let words = typed.dropFirst().map { $0.lowercased() }
        var universe: PortfolioPanel.Universe?
        var positions: Int?
        for word in words {
            if word == "universe" || word == "all" {
                universe = .stored
            } else if word == "watchlist" {
                universe = .watchlist(s.watchlist)
            } else if let n = Int(word), (1...1_000).contains(n) {
                positions = n
            } else {
                s.message = ("portfolio [watchlist|universe] [N positions, 1–1000] — '\(word)' is neither", .warn)
                return []
            }
        }
        return App.startPortfolio(universe, maxPositions: positions, &s)
    }

    static func strategy(_ typed: [String], _ s: inout AppState) -> [Effect] {
        let arg = typed.count > 1 ? typed[1].lowercased() : nil
        guard let arg, s.strategies.contains(arg) else {
            s.message = ("strategy must be one of \(s.strategies.joined(separator: ", "))", .warn)
            return []
        }
        s.strategy = arg
        return App.startBacktest(&s)
    }

    /// `account cash N`, `account commission F` (a fraction: 0.001 is 0.1%), `account slippage
    /// BPS`, `account clear`: the settings `b`, `h`, `f`, `w` and `P` use, checked as the CLI does.
    static func account(_ typed: [String], _ s: inout AppState) -> [Effect] {
        let words = typed.dropFirst().map { $0.lowercased() }
        let usage = "usage: account cash 25000 | account commission 0.001 | account slippage 5 | account clear"
        if words.first == "clear" {
            s.account = AccountSettings()
            s.message = ("studies use each strategy's own cash and costs", .info)
            return s.pane == .backtest ? App.startBacktest(&s) : []
        }
        if words.isEmpty {
            s.overlay = .settings(row: 0, App.settingsField(0, s))
            return []
        }
        if words.count == 1, AccountSettings.fields.contains(where: { $0.name == words[0] }) {
            // An empty value: back to the strategy's own setting for that field.
            switch words[0] {
            case "cash": s.account.cash = nil
            case "commission": s.account.commission = nil
            default: s.account.slippage = nil
            }
            s.message = ("studies use \(s.account.title ?? "the strategy's settings")", .info)
            return s.pane == .backtest ? App.startBacktest(&s) : []
        }
        guard words.count == 2, let value = NumberText.decimal(words[1]) else {
            s.message = (usage, .warn)
            return []
        }
        switch words[0] {
        case "cash" where AccountSettings.allows("cash", value): s.account.cash = value
        case "commission" where AccountSettings.allows("commission", value): s.account.commission = value
        case "slippage" where AccountSettings.allows("slippage", value): s.account.slippage = value
        case "cash", "commission", "slippage":
            let range = ["cash": "above 0 up to 1e15", "commission": "from 0 to below 0.1 (0.001 = 0.1%)"][words[0]]
            s.message = ("\(words[0]) must be \(range ?? "from 0 to 1000 basis points")", .warn)
            return []
        default:
            s.message = (usage, .warn)
            return []
        }
        s.message = ("studies use \(s.account.title ?? "the strategy's settings")", .info)
        return s.pane == .backtest ? App.startBacktest(&s) : []
    }

    static func range(_ typed: [String], _ s: inout AppState) -> [Effect] {
        let words = typed.map { $0.lowercased() }
        if words.count > 1 && words[1] == "clear" {
            s.backtestRange = nil
            s.message = ("backtests use every bar", .info)
            return []
        }
        // Not swallowed: the else branch shows the range's usage.
        guard words.count == 3, let from = try? SessionDate(iso: words[1]),
            let to = try? SessionDate(iso: words[2]), from <= to
        else {
            s.message = ("usage: range FROM TO with dates like 2024-01-02 (FROM not after TO), or range clear", .warn)
            return []
        }
        s.backtestRange = from...to
        s.message = ("backtests from \(from) to \(to)", .info)
        return s.pane == .backtest ? App.startBacktest(&s) : []
    }
}
