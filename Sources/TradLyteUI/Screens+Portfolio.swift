import TermRender
import TradLyteCore

extension Screens {
    /// The portfolio backtest: equity over the benchmark, the drawdown band, a strip of positions
    /// held, the holdings on the selected bar, the statistics (from 100 columns) and the trades.
    static func portfolioPane(_ p: PortfolioPanel, _ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let inner = paneBlock(
            // The account before the universe: it changes every number, so it goes last from the title.
            "Portfolio · \(p.strategy)" + (s.account.title.map { " · " + $0 } ?? "")
                + " · \(p.universe.title) · at most \(p.maxPositions) positions", s, ctx, area, &buf)
        guard inner.height >= 6, inner.width >= 30 else { return }
        if p.running {
            let done = p.progress.map { " \($0.done)/\($0.total) bars" } ?? ""
            buf.putWrapped(
                "Running the portfolio on all cores…\(done) (Esc cancels)", in: inner, style: t.muted)
            return
        }
        if p.cancelled {
            buf.putWords("Cancelled. Press P to run again.", x: inner.x, y: inner.y, style: t.muted, width: inner.width)
            return
        }
        if let e = p.error {
            Paragraph(lines: [[("The portfolio did not run: ", t["error"]), (e, t.text)]], wrap: true).render(
                inner, &buf)
            return
        }
        guard let r = p.result, !r.equity.isEmpty else { return }
        let stats = r.stats
        // As the backtest's, against the equal-weight benchmark, plus positions held and turnover.
        let facts =
            summaryFacts(stats, benchmark: "equal-weight", t) + [
                Fact("avg positions " + PriceScale.fixed(r.averagePositions, decimals: 1), t.text, priority: 7),
                Fact("turnover " + PriceScale.fixed(r.turnover, decimals: 1), t.text, priority: 8),
                Fact("\(r.trades.count) trades + \(r.openTrades.count) open", t.muted, priority: 9),
            ]
        Facts.render(facts, x: inner.x, y: inner.y, width: inner.width, lines: 2, separatorStyle: t.muted, &buf)
        let body = inner.inset(top: 2)
        if p.showStatistics {
            statisticsTable(stats, panel: nil, ctx, body, &buf)
            return
        }
        let statsWidth = body.width >= 100 ? 38 : 0
        let cols = Layout.split(body, .horizontal, [.fill, .length(statsWidth)])
        let left = cols[0]
        let listRows = max(3, left.height * 2 / 5)
        let ddRows = left.height >= 14 ? 2 : 0
        let parts = Layout.split(left, .vertical, [.fill, .length(1), .length(ddRows), .length(1), .length(listRows)])
        // Equity over the benchmark, with the date axis.
        equityPlot(
            equity: r.equity, hold: r.benchmark, lastSessions: r.lastSessions, entries: [], exits: [],
            holdLabel: "equal-weight", drawdown: r.drawdown, cursor: p.day, ctx, parts[0], axis: parts[1], &buf)
        let columns = max(1, parts[0].width - PriceChart.axisWidth)
        func perColumn(_ v: [Double], _ pick: ([Double]) -> Double) -> [Double] {
            let per = max(1, Int((Double(v.count) / Double(columns)).rounded(.up)))
            return stride(from: 0, to: v.count, by: per).map { pick(Array(v[$0..<min(v.count, $0 + per)])) }
        }
        if ddRows > 0 { drawdownBand(r.drawdown, deepest: stats["Max. Drawdown [%]"]?.number, ctx, parts[2], &buf) }
        // Positions held, one cell per column in eighths of the limit.
        let held = perColumn(r.positions.map(Double.init)) { $0.max() ?? 0 }
        let strip = held.map { v -> String in
            let k = Int((v / Double(max(1, p.maxPositions)) * 8).rounded())
            return k <= 0 ? " " : ctx.glyphs.eighths[min(7, k - 1)]
        }.joined()
        buf.put(strip, x: parts[3].x, y: parts[3].y, style: t["accent"], maxWidth: columns)
        buf.put(
            " peak \(r.maxPositionsHeld)", x: parts[3].x + columns, y: parts[3].y, style: t.muted,
            maxWidth: PriceChart.axisWidth)
        // The holdings on the selected bar, then the trades.
        let list = Layout.split(parts[4], .horizontal, [.length(min(28, parts[4].width / 3)), .length(1), .fill])
        holdings(p, r, ctx, list[0], &buf)
        portfolioTrades(p, ctx, list[2], &buf)
        if statsWidth > 0 { statisticsTable(stats, panel: nil, ctx, cols[1].inset(left: 1), &buf) }
    }

    /// The positions open at the close of the selected bar (←/→ move it).
    static func holdings(
        _ p: PortfolioPanel, _ r: PortfolioBacktester.Result, _ ctx: Context, _ area: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let day = min(p.day ?? r.equity.count - 1, r.equity.count - 1)
        let date = ctx.calendar.sessions[Int(r.lastSessions[day])]
        // The date is the fact; the key hint only when it fits beside it.
        let held = DisplayWidth.of("Held \(date) (←→)") <= area.width ? "Held \(date) (←→)" : "Held \(date)"
        buf.put(held, x: area.x, y: area.y, style: t.muted.adding(.bold), maxWidth: area.width)
        let open = (r.trades + r.openTrades).filter { $0.trade.entryBar <= day && day <= $0.trade.exitBar }
        let names = open.map(\.symbol.rawValue).sorted()
        for (k, name) in names.prefix(max(0, area.height - 1)).enumerated() {
            buf.putWords(name, x: area.x, y: area.y + 1 + k, style: t.text, width: area.width)
        }
        if names.isEmpty { buf.putWords("nothing", x: area.x, y: area.y + 1, style: t.muted, width: area.width) }
    }

    /// Closed trades newest first, then the open ones (Enter charts the symbol with the trade).
    static func portfolioTrades(_ p: PortfolioPanel, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let rows: [[(String, Style?)]] = p.listed.map { trade, open in
            let style = trade.trade.pnl >= 0 ? t.bull : t.bear
            return [
                (trade.symbol.rawValue, t.text.adding(.bold)), ("\(trade.trade.entrySession)", nil),
                (open ? "open" : "\(trade.trade.exitSession)", open ? t.muted : nil),
                (Format.signed(trade.trade.returnFraction * 100), style), (Format.signed(trade.trade.pnl), style),
                (open ? "open" : trade.trade.exitReason.rawValue, t.muted),
            ]
        }
        let all = [
            Table.Column("SYMBOL", width: 6), Table.Column("ENTRY", width: 10), Table.Column("EXIT", width: 10),
            Table.Column("RET%", width: 7, .right), Table.Column("P&L", width: 9, .right),
            Table.Column("REASON", width: 12),
        ]
        let shown = all.prefix(Table.fitting(all, width: area.width))
        Table(
            columns: Array(shown), rows: rows.map { Array($0.prefix(shown.count)) }, selected: p.selected,
            style: t.text, headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
        ).render(area, &buf)
    }
}
