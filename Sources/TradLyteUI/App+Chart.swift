import Foundation
import TermRender
import TradLyteCore

/// The chart's symbol and interval, its quote, and the overlay popup.
extension App {
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
        s.quoteNotice = (sym, s.message!.text)
        return [.fetchQuote(sym)]
    }

    // MARK: - Popups

    /// Steps through the palette's history (`step` -1: older, 1: newer; past the newest, empty).
    static func recall(_ step: Int, _ s: inout AppState) {
        let history = s.paletteHistory
        guard !history.isEmpty else { return }
        let index = (s.historyIndex ?? history.count) + step
        if index >= history.count {
            s.historyIndex = nil
            s.overlay = .palette(TextField(), selected: 0)
            return
        }
        let k = max(0, index)
        s.historyIndex = k
        s.overlay = .palette(TextField(history[k]), selected: 0)
    }

    /// The filter of the list on screen (trades, picks, alerts); nil when the pane has no list
    /// `/` filters.
    static func listFilterText(_ s: AppState) -> String? {
        switch s.pane {
        case .backtest
        where s.study == nil && s.portfolio == nil && s.backtest?.result != nil && s.backtest?.view != .statistics:
            return s.backtest?.filter
        case .picks, .alerts: return s.listFilter
        default: return nil
        }
    }

    static func setListFilter(_ text: String, _ s: inout AppState) {
        if s.pane == .backtest {
            s.backtest?.filter = text
            s.backtest?.selected = 0
        } else {
            s.listFilter = text
            s.listSelection = 0
        }
    }

    /// The settings popup's field for `row`: the current value, or empty (the strategy's own).
    static func settingsField(_ row: Int, _ s: AppState) -> TextField {
        TextField(s.account.value(AccountSettings.fields[row].name).map { NumberText.shortest($0) } ?? "")
    }

    static func overlayKey(_ key: KeyEvent, _ s: inout AppState) -> [Effect] {
        switch s.overlay {
        case .help(let scroll)?:
            switch key.key {
            case .down, .char("j"): s.overlay = .help(scroll: scroll + 1)
            case .up, .char("k"): s.overlay = .help(scroll: max(0, scroll - 1))
            // A page is what the popup shows (its height less its border and a line kept).
            case .pageDown, .char(" "): s.overlay = .help(scroll: scroll + max(1, s.height - 5))
            case .pageUp: s.overlay = .help(scroll: max(0, scroll - max(1, s.height - 5)))
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
                    // A search that is not a ticker searches by name as typed.
                    : ((try? typed.get()) ?? field.text.uppercased())
                guard s.info(pick) != nil else {
                    s.message = (
                        "no symbol '\(field.text)' in the store — check the ticker, or refresh/import its data", .error
                    )
                    return []
                }
                s.message = nil
                if adding, s.watchlist.contains(pick) {
                    s.selected = s.sortedWatchlist.firstIndex(of: pick) ?? 0
                    s.current = nil
                    s.message = ("\(pick) is already on the watchlist", .info)
                    return []
                }
                if adding || s.watchlist.isEmpty {
                    s.watchlist.append(pick)
                    s.selected = s.sortedWatchlist.firstIndex(of: pick) ?? 0
                    s.current = nil
                    s.message = ("added \(pick) to the watchlist", .info)
                    return [saveWatchlist(&s)] + ensureLoaded(&s)
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
        case .settings(let row, var field)?:
            let count = AccountSettings.fields.count
            switch key.key {
            case .escape: s.overlay = nil
            case .up, .down, .tab:
                let next = (row + (key.key == .up ? count - 1 : 1)) % count
                s.overlay = .settings(row: next, settingsField(next, s))
            case .enter:
                // Applied as `:account NAME VALUE` is (the CLI's limits); a refusal keeps the popup.
                let name = AccountSettings.fields[row].name
                let effects = Palette.account(["account", name] + (field.text.isEmpty ? [] : [field.text]), &s)
                if s.message?.level == .warn { return effects }
                s.overlay = nil
                return effects
            default:
                if key == .ctrl("c") {
                    s.quit = true
                    return []
                }
                if edit(&field, key) { s.overlay = .settings(row: row, field) }
            }
            return []
        case .filter(var field)?:
            switch key.key {
            case .escape:
                s.overlay = nil
                setListFilter("", &s)
            case .enter:
                s.overlay = nil
                let n = s.listCount
                if !field.text.isEmpty {
                    let rows = n == 1 ? "1 row matches" : "\(n) rows match"
                    s.message = ("\(rows) '\(field.text)' (/ then Esc clears)", .info)
                }
            default:
                if key == .ctrl("c") {
                    s.quit = true
                    return []
                }
                if edit(&field, key) {
                    s.overlay = .filter(field)
                    setListFilter(field.text, &s)
                }
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
                if !command.isEmpty, s.paletteHistory.last != command { s.paletteHistory.append(command) }
                if s.paletteHistory.count > 50 { s.paletteHistory.removeFirst() }
                s.historyIndex = nil
                return Palette.run(command, &s)
            case .up where selected == 0 && !s.paletteHistory.isEmpty:
                // Above the first match: the commands run before, newest first.
                recall(-1, &s)
            case .up: s.overlay = .palette(field, selected: max(0, selected - 1))
            case .down where s.historyIndex != nil: recall(1, &s)
            case .down: s.overlay = .palette(field, selected: min(max(0, matches.count - 1), selected + 1))
            default:
                if key == .ctrl("c") {
                    s.quit = true
                    return []
                }
                if key == .ctrl("p") || key == .ctrl("n") {
                    recall(key == .ctrl("p") ? -1 : 1, &s)
                    return []
                }
                if edit(&field, key) { s.overlay = .palette(field, selected: 0) }
            }
            return []
        case nil:
            return []
        }
    }
}
