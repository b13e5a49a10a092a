import TermRender
import TradLyteCore

/// Portfolio backtests from the UI: `P` in the backtest pane or the composer runs the strategy
/// over the watchlist with one account (`:portfolio universe [N]` over every stored symbol).
extension App {
    static func startPortfolio(_ universe: PortfolioPanel.Universe?, maxPositions: Int? = nil, _ s: inout AppState)
        -> [Effect]
    {
        let choice = universe ?? .watchlist(s.watchlist)
        if case .watchlist(let list) = choice, list.isEmpty {
            s.message = ("the watchlist is empty — add symbols, or :portfolio universe", .warn)
            return []
        }
        var effects = supersededWork(s)
        if let running = s.portfolio, running.running {
            effects.append(.cancelPortfolio(generation: running.generation))
        }
        let generation =
            max(s.portfolio?.generation ?? 0, s.study?.generation ?? 0, s.backtest?.generation ?? 0) + 1
        // The engine's default, as `tradlyte portfolio` uses it (the UI said 5, the CLI 10).
        let positions = maxPositions ?? s.portfolio?.maxPositions ?? PortfolioBacktester.Configuration().maxPositions
        s.portfolio = PortfolioPanel(
            strategy: s.strategy, universe: choice, maxPositions: positions, generation: generation)
        s.pane = .backtest
        s.study = nil
        let symbols: [String]? = if case .watchlist(let list) = choice { list } else { nil }
        return effects + [
            .runPortfolio(
                strategy: s.strategy, universe: symbols, maxPositions: positions,
                parameters: s.parameterOverrides[s.strategy] ?? [:], range: s.backtestRange, generation: generation)
        ]
    }

    /// The portfolio pane's keys; nil when the key is not one of them.
    static func portfolioKey(_ action: Action, _ s: inout AppState) -> [Effect]? {
        guard s.pane == .backtest, var panel = s.portfolio else { return nil }
        switch action {
        case .back:
            if panel.running {
                panel.running = false
                panel.cancelled = true
                s.portfolio = panel
                s.message = ("portfolio cancelled", .info)
                return [.cancelPortfolio(generation: panel.generation)]
            }
            s.portfolio = nil
            return []
        case .listUp, .listDown:
            let count = panel.listed.count
            guard count > 0 else { return [] }
            panel.selected = min(max(0, panel.selected + (action == .listUp ? -1 : 1)), count - 1)
        case .cycleBacktestView:
            panel.showStatistics.toggle()
        case .cellLeft, .cellRight:
            guard let r = panel.result, !r.equity.isEmpty else { return [] }
            let day = panel.day ?? r.equity.count - 1
            panel.day = min(max(0, day + (action == .cellLeft ? -1 : 1)), r.equity.count - 1)
        case .listOpen:
            let listed = panel.listed
            guard listed.indices.contains(panel.selected), let r = panel.result else { return [] }
            let (trade, open) = listed[panel.selected]
            s.interval = r.interval
            chart(trade.symbol.rawValue, &s)
            s.markedTrade = MarkedTrade(
                symbol: trade.symbol.rawValue, interval: r.interval,
                entry: Int32(TradingCalendar.nyse.sessionIndex(trade.trade.entrySession) ?? 0),
                exit: open ? nil : Int32(TradingCalendar.nyse.sessionIndex(trade.trade.exitSession) ?? 0),
                long: trade.trade.isLong)
            if let m = s.markedTrade {
                s.focusTrade = TradeFocus(symbol: m.symbol, interval: m.interval, entry: m.entry, exit: m.exit)
                applyTradeFocus(&s)
            }
            s.message = (
                "\(trade.symbol) \(trade.trade.entrySession) → \(open ? "open" : "\(trade.trade.exitSession)"), "
                    + Format.percent(trade.trade.returnFraction * 100), .info
            )
            return ensureLoaded(&s)
        default:
            return nil
        }
        s.portfolio = panel
        return []
    }
}
