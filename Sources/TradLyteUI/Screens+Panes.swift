import Foundation
import TermRender
import TradLyteCore

extension Screens {
    static func paneBlock(_ title: String, _ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) -> Rect {
        let t = ctx.theme
        let block = Block(
            title: title, style: s.focus == .main ? t.focus : t.border, titleStyle: t.text.adding(.bold),
            glyphs: ctx.glyphs)
        block.render(area, &buf)
        return block.inner(area)
    }

    // MARK: - Backtest

    static func backtestPane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        if let portfolio = s.portfolio {
            portfolioPane(portfolio, s, ctx, area, &buf)
            return
        }
        if let study = s.study {
            studyPane(study, s, ctx, area, &buf)
            return
        }
        guard let panel = s.backtest else {
            let inner = paneBlock("Backtest", s, ctx, area, &buf)
            Paragraph(
                "Press b to backtest \(s.strategy) on the selected symbol and interval; n/N change the strategy.",
                style: t.muted
            ).render(inner, &buf)
            return
        }
        let range = panel.range.map { " · \($0.lowerBound) … \($0.upperBound)" } ?? ""
        let account = s.account.title.map { " · " + $0 } ?? ""
        // A filter on the trade list is said where the trades are (the list is shorter for it).
        let filter = panel.filter.isEmpty ? "" : " · trades matching '\(panel.filter)'"
        let inner = paneBlock(
            "Backtest · \(panel.strategy) · \(panel.symbol) · \(panel.interval)\(range)\(account)\(filter)", s, ctx,
            area,
            &buf)
        guard inner.height >= 6, inner.width >= 30 else { return }
        if panel.running {
            buf.putWrapped(
                "Running \(panel.strategy) on \(panel.symbol) \(panel.interval) in the background… (Esc cancels)",
                in: inner, style: t.muted)
            return
        }
        if panel.cancelled {
            buf.putWords("Cancelled. Press b to run again.", x: inner.x, y: inner.y, style: t.muted, width: inner.width)
            return
        }
        if let error = panel.error {
            Paragraph(lines: [[("Backtest failed: ", t["error"]), (error, t.text)]], wrap: true).render(inner, &buf)
            return
        }
        guard let r = panel.result else { return }
        let stats = r.stats
        // The facts a decision needs, most important first, on two lines at every width: each
        // whole or left out (`v` shows the whole table), never cut at the border.
        let open = r.openTrade != nil ? " + 1 open" : ""
        let facts =
            summaryFacts(stats, benchmark: "buy & hold", t) + [
                Fact("\(r.trades.count) trades\(open)", t.muted, priority: 7),
                Fact("\(r.barCount) bars", t.muted, priority: 8),
            ]
        Facts.render(facts, x: inner.x, y: inner.y, width: inner.width, lines: 2, separatorStyle: t.muted, &buf)
        let body = inner.inset(top: 2)
        switch panel.view {
        case .statistics:
            statisticsTable(stats, panel: panel, ctx, body, &buf)
            return
        case .trades:
            tradesTable(panel, r, ctx, body, &buf)
            return
        case .overview: break
        }
        let layout = overviewLayout(body)
        let parts = [layout.curve, layout.axis, layout.drawdown, layout.trades]
        let cols = [layout.curve, layout.statistics]
        let statsWidth = layout.statistics.width
        let ddRows = layout.drawdown.height
        equityPlot(
            equity: r.equity, hold: r.buyAndHold, lastSessions: r.lastSessions,
            entries: r.trades.map(\.entryBar) + (r.openTrade.map { [$0.entryBar] } ?? []),
            exits: r.trades.map(\.exitBar), drawdown: r.drawdown, cursor: panel.day,
            ctx, parts[0], axis: parts[1], &buf)
        if ddRows > 0 { drawdownBand(r.drawdown, deepest: stats["Max. Drawdown [%]"]?.number, ctx, parts[2], &buf) }
        tradesTable(panel, r, ctx, parts[3], &buf)
        if statsWidth > 0 { statisticsTable(stats, panel: nil, ctx, cols[1].inset(left: 1), &buf) }
    }

    /// The statistics both result panes lead with, labelled exactly as what they are, in the order
    /// a decision needs them: return, against the benchmark, Sharpe, max drawdown, win rate, CAGR,
    /// exposure. The numbers are the statistics the CLI's `--json` prints, at two decimals.
    static func summaryFacts(_ stats: BacktestStatistics, benchmark: String, _ t: Theme) -> [Fact] {
        func value(_ name: String) -> Double? { stats[name]?.number.flatMap { $0.isFinite ? $0 : nil } }
        func plain(_ name: String, _ label: String, suffix: String = "") -> String {
            "\(label) " + (value(name).map { PriceScale.fixed($0, decimals: 2) + suffix } ?? "—")
        }
        let ret = value("Return [%]")
        return [
            Fact("return \(Format.percent(ret))", (ret ?? 0) >= 0 ? t.bull : t.bear, priority: 0),
            Fact("vs \(benchmark) \(Format.percent(value("Buy & Hold Return [%]")))", t.muted, priority: 1),
            Fact(plain("Sharpe Ratio", "Sharpe"), t.text, priority: 2),
            Fact(plain("Max. Drawdown [%]", "Max DD", suffix: "%"), t.text, priority: 3),
            Fact(plain("Win Rate [%]", "Win", suffix: "%"), t.text, priority: 4),
            Fact("CAGR \(Format.percent(value("CAGR [%]")))", t.text, priority: 5),
            Fact(plain("Exposure Time [%]", "Exposure", suffix: "%"), t.text, priority: 6),
        ]
    }

    /// The drawdown under an equity plot of the same width: one bar per cell column, the
    /// deepest drawdown of that column's share of bars, and the deepest of all on the axis.
    static func drawdownBand(_ drawdown: [Double], deepest: Double?, _ ctx: Context, _ area: Rect, _ buf: inout Buffer)
    {
        let t = ctx.theme
        let columns = max(1, area.width - PriceChart.axisWidth)
        let perColumn = drawdown.count > columns * 2 ? 1 : max(1, columns / max(1, drawdown.count))
        let per = max(1, Int((Double(drawdown.count) / Double(columns)).rounded(.up)))
        let dd = stride(from: 0, to: drawdown.count, by: per).map {
            -(drawdown[$0..<min(drawdown.count, $0 + per)].max() ?? 0) * 100
        }
        var h = Histogram(values: dd, styles: [t.bear], columnsPerBar: per == 1 ? perColumn : 1, glyphs: ctx.glyphs)
        h.background = t.text
        h.render(area.inset(right: PriceChart.axisWidth), &buf)
        buf.put(
            " dd " + Format.percent(deepest), x: area.maxX - PriceChart.axisWidth, y: area.y, style: t.muted,
            maxWidth: PriceChart.axisWidth)
    }

    /// Where the backtest overview puts its parts in `body` (the pane below its two summary lines).
    static func overviewLayout(
        _ body: Rect
    ) -> (curve: Rect, axis: Rect, drawdown: Rect, trades: Rect, statistics: Rect) {
        let statsWidth = body.width >= 100 ? 38 : 0
        let cols = Layout.split(body, .horizontal, [.fill, .length(statsWidth)])
        let left = cols[0]
        let tradeRows = max(3, left.height * 2 / 5)
        let ddRows = left.height >= 16 ? 3 : (left.height >= 11 ? 2 : 0)
        let parts = Layout.split(left, .vertical, [.fill, .length(1), .length(ddRows), .length(tradeRows)])
        return (parts[0], parts[1], parts[2], parts[3], cols[1])
    }

    /// The main pane's inside (within its border) in this state.
    public static func mainInner(_ s: AppState) -> Rect {
        let x = sidebarWidth(s)
        return Rect(x: x + 1, y: 2, width: s.width - x - 2, height: s.height - 4)
    }

    /// The heat map's label column and cell widths in `area`, and the window of cells shown: all
    /// of them when they fit, else a window that holds the cursor (the rest a scroll away).
    static func heatMapGeometry(
        x: BacktestRunner.ParameterRange, y: BacktestRunner.ParameterRange, _ area: Rect, cursor: (Int, Int) = (0, 0)
    ) -> (label: Int, cell: Int, columns: Range<Int>, rows: Range<Int>) {
        let corner = "\(y.name)\\\(x.name)"
        let label = max(6, min(14, corner.count + 1), (y.values.map { IndicatorSpec.format($0).count }.max() ?? 0) + 1)
        let cell = max(2, min(8, (area.width - label) / max(1, x.values.count)))
        func window(_ count: Int, fits: Int, at cursor: Int) -> Range<Int> {
            let n = max(1, fits)
            guard count > n else { return 0..<count }
            let first = min(max(0, cursor - n / 2), count - n)
            return first..<(first + n)
        }
        // One row for the column labels and one for the legend (below a blank one when all fit).
        let rows = window(
            y.values.count, fits: y.values.count <= area.height - 3 ? area.height - 3 : area.height - 2, at: cursor.1)
        let columns = window(x.values.count, fits: (area.width - label) / cell, at: cursor.0)
        return (label, cell, columns, rows)
    }

    /// The statistics under backtesting.py's names; `panel` scrolls it when it is a view of its own.
    static func statisticsTable(
        _ stats: BacktestStatistics, panel: BacktestPanel?, _ ctx: Context, _ area: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let rows: [[(String, Style?)]] = stats.entries.map { [($0.name, t.muted), ($0.value.display, nil)] }
        let nameWidth = min(24, max(12, area.width - 14))
        Table(
            columns: [
                Table.Column("Statistic", width: nameWidth),
                Table.Column("Value", width: max(8, area.width - nameWidth - 2), .right),
            ],
            rows: rows, selected: panel.map { min($0.statRow, rows.count - 1) }, style: t.text,
            headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
        ).render(area, &buf)
    }

    /// Equity (solid) over buy & hold (dashed), with entry ▲ and exit ▼ marks (bar indexes) and
    /// a date axis.
    static func equityPlot(
        equity rEquity: [Double], hold rHold: [Double], lastSessions: [Int32], entries: [Int], exits: [Int],
        holdLabel: String = "buy & hold", drawdown: [Double] = [], cursor: Int? = nil, _ ctx: Context, _ area: Rect,
        axis: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let barCount = lastSessions.count
        let columns = max(1, area.width - PriceChart.axisWidth)
        let equity = minMaxColumns(rEquity, columns: columns)
        // Buy & hold dashed (two values drawn, two skipped), so the two lines differ without colour.
        let hold = minMaxColumns(rHold, columns: columns).enumerated().map { $0.offset % 4 < 2 ? $0.element : .nan }
        let dense = rEquity.count > columns * 2
        let perColumn = dense ? 1 : max(1, columns / max(1, rEquity.count))
        var curve = LineChart(
            series: [
                PriceChart.Series(values: hold, style: t.muted),
                PriceChart.Series(values: equity, style: t.bull.adding(.bold)),
            ],
            columnsPerBar: perColumn, axis: t.muted, grid: t["grid"], glyphs: ctx.glyphs)
        // The axis spans the whole series' extremes at every width (the peak and the trough read
        // the same at 80 columns as at 160), not those of what fits on screen.
        let finite = (rEquity + rHold).filter(\.isFinite)
        if let lo = finite.min(), let hi = finite.max() { curve.range = (lo, hi) }
        curve.dense = dense
        curve.render(area, &buf)
        let unicode = ctx.glyphs.unicode
        buf.put(unicode ? "━ equity" : "- equity", x: area.x, y: area.y, style: t.bull)
        buf.put((unicode ? "  ┅ " : "  . ") + holdLabel, x: area.x + 8, y: area.y, style: t.muted)
        guard !lastSessions.isEmpty, !axis.isEmpty else { return }
        func column(_ bar: Int) -> Int {
            dense ? bar * columns / max(1, barCount) : min(columns - 1, bar * perColumn + perColumn / 2)
        }
        dateAxis(
            lastSessions, columns: columns, column: column, ctx, Rect(x: axis.x, y: axis.y, width: columns, height: 1),
            &buf)
        // Trade marks on the plot's bottom row, over whatever is drawn there.
        let up = unicode ? "▲" : "^"
        let down = unicode ? "▼" : "v"
        for bar in exits { buf.put(down, x: area.x + column(bar), y: area.maxY - 1, style: t.bear.adding(.bold)) }
        for bar in entries { buf.put(up, x: area.x + column(bar), y: area.maxY - 1, style: t.bull.adding(.bold)) }
        // The readout cursor (←→): a column marked down the plot, and that bar's values whole in
        // place of the legend.
        if let bar = cursor, rEquity.indices.contains(bar) {
            let x = area.x + column(bar)
            for y in area.y..<area.maxY {
                let cell = buf[x, y]
                buf.put(cell.symbol == " " ? (unicode ? "│" : "|") : cell.symbol, x: x, y: y, style: t.selection)
            }
            let date = TradingCalendar.nyse.sessions[Int(lastSessions[min(bar, lastSessions.count - 1)])]
            var facts = [
                Fact("\(date)", t.text.adding(.bold), priority: 0),
                Fact("equity " + PriceScale.fixed(rEquity[bar], decimals: 2), t.bull, priority: 1),
            ]
            if rHold.indices.contains(bar), rHold[bar].isFinite {
                facts.append(Fact(holdLabel + " " + PriceScale.fixed(rHold[bar], decimals: 2), t.muted, priority: 3))
            }
            if drawdown.indices.contains(bar) {
                facts.append(Fact("drawdown " + Format.percent(-drawdown[bar] * 100), t.bear, priority: 2))
            }
            buf.put(String(repeating: " ", count: area.width), x: area.x, y: area.y, style: t.text)
            Facts.render(facts, x: area.x, y: area.y, width: area.width, lines: 1, separatorStyle: t.muted, &buf)
        }
    }

    /// Year-aware date labels under a plot whose bar `i` sits at `column(i)`: the first label and
    /// the first of every year name the year (a January hidden under December's column must not
    /// leave the new year unnamed).
    static func dateAxis(
        _ lastSessions: [Int32], columns: Int, column: (Int) -> Int, _ ctx: Context, _ rect: Rect,
        _ buf: inout Buffer
    ) {
        let sessions = ctx.calendar.sessions
        var labels = [String](repeating: "", count: columns)
        var lastMonth = -1
        var labelledYear = -1
        for bar in lastSessions.indices {
            let p = sessions[Int(lastSessions[bar])].parts
            let c = column(bar)
            guard c < columns, p.month != lastMonth else { continue }
            if labels[c].isEmpty {
                labels[c] = p.year != labelledYear ? "\(p.year)" : Format.months[p.month - 1]
                if p.year != labelledYear { labelledYear = p.year }
            }
            lastMonth = p.month
        }
        // Each label holds until the next one, so the axis sees where they change.
        for c in labels.indices.dropFirst() where labels[c].isEmpty { labels[c] = labels[c - 1] }
        DateAxis(labels: labels, columnsPerBar: 1, style: ctx.theme.muted).render(rect, &buf)
    }

    /// A series squeezed to two values a column (a braille cell is two dots wide): each column's
    /// lowest and highest, in the order they occur, so no peak or trough is lost to sampling.
    static func minMaxColumns(_ v: [Double], columns: Int) -> [Double] {
        guard v.count > columns * 2, columns > 0 else { return v }
        var out: [Double] = []
        out.reserveCapacity(columns * 2)
        for c in 0..<columns {
            let lo = c * v.count / columns
            let hi = max(lo + 1, (c + 1) * v.count / columns)
            var iMin = lo
            var iMax = lo
            for i in lo..<hi {
                if v[i] < v[iMin] { iMin = i }
                if v[i] > v[iMax] { iMax = i }
            }
            out += iMin <= iMax ? [v[iMin], v[iMax]] : [v[iMax], v[iMin]]
        }
        return out
    }

    /// A watchlist run (ranked table), a sweep (heat map, or a ranked table for one or more
    /// than two parameters) or a walk-forward (in-sample vs out-of-sample per window).
    static func studyPane(_ st: StudyPanel, _ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let applied = st.parameters.isEmpty ? "" : " · \(st.parameterText)"
        let range = st.range.map { " · \($0.lowerBound) … \($0.upperBound)" } ?? ""
        let inner = paneBlock(
            "Backtest · \(st.kind.title) · \(st.strategy) · \(st.interval)\(applied)\(range)"
                + (s.account.title.map { " · " + $0 } ?? ""), s, ctx, area, &buf)
        guard inner.height >= 5, inner.width >= 30 else { return }
        if st.running {
            buf.putWrapped(
                "Running the \(st.kind.title) of \(st.strategy) on all cores… (Esc cancels)", in: inner, style: t.muted)
            return
        }
        if let e = st.error {
            Paragraph(lines: [[("The \(st.kind.title) did not finish: ", t["error"]), (e, t.text)]], wrap: true).render(
                inner, &buf)
            return
        }
        func num(_ stats: BacktestStatistics?, _ name: String, decimals: Int = 2) -> String {
            guard let v = stats?[name]?.number, v.isFinite else { return "—" }
            return PriceScale.fixed(v, decimals: decimals)
        }
        switch st.outcome {
        case .watchlist(let rows)?:
            func sharpe(_ r: BacktestRunner.SymbolRow) -> Double {
                r.result.flatMap { BacktestRunner.Metric.sharpe.score($0.stats) } ?? -.infinity
            }
            let ranked = rows.sorted { sharpe($0) > sharpe($1) }
            let table: [[(String, Style?)]] = ranked.enumerated().map { k, r in
                let stats = r.result?.stats
                let ret = stats?["Return [%]"]?.number ?? 0
                return [
                    ("\(k + 1)", t.muted), (r.symbol.rawValue, t.text.adding(.bold)),
                    (num(stats, "Return [%]"), ret >= 0 ? t.bull : t.bear),
                    (num(stats, "Buy & Hold Return [%]"), t.muted), (num(stats, "Sharpe Ratio"), nil),
                    (num(stats, "Max. Drawdown [%]"), t.bear),
                    (stats.map { "\($0["# Trades"]?.number.map { Int($0) } ?? 0)" } ?? "—", nil),
                    (num(stats, "Win Rate [%]", decimals: 0), nil),
                    (r.problem ?? "", t.muted),
                ]
            }
            Table(
                columns: [
                    // When the width is short, the return, Sharpe and trades stay; B&H and win rate go first.
                    Table.Column("#", width: 3, .right, priority: 0), Table.Column("SYMBOL", width: 6, priority: 1),
                    Table.Column("RET%", width: 8, .right, priority: 2),
                    Table.Column("B&H%", width: 8, .right, priority: 6),
                    Table.Column("SHARPE", width: 7, .right, priority: 3),
                    Table.Column("MAXDD%", width: 8, .right, priority: 5),
                    Table.Column("TRADES", width: 6, .right, priority: 4),
                    Table.Column("WIN%", width: 5, .right, priority: 7), Table.Column("", width: 4, priority: 8),
                ],
                rows: table, selected: st.row, style: t.text, headerStyle: t.muted.adding(.bold),
                selectedStyle: t.selection
            ).render(inner, &buf)
        case .sweep(let sw)?:
            let bestRow = sw.best(by: st.metric)
            let bestText =
                bestRow.map { b in
                    b.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }
                        .joined(separator: " ")
                } ?? "—"
            let count =
                sw.rows.count < sw.gridSize
                ? "sampled \(sw.rows.count) of \(BacktestRunner.gridSizeText(sw.gridSize)) combinations "
                    + "(over the 10,000 cap)" : "\(BacktestRunner.gridSizeText(sw.gridSize)) combinations"
            let header = [
                Fact("best \(bestText)", t.text, priority: 0), Fact(count, t.muted, priority: 1),
                Fact("\(st.metric.statistic) (m: next)", t.muted, priority: 2),
                Fact("a applies the best, Space the cell", t.muted, priority: 3),
            ]
            Facts.render(header, x: inner.x, y: inner.y, width: inner.width, separatorStyle: t.muted, &buf)
            guard let grid = st.grid else {
                let rows = sw.rows.compactMap { r -> (text: String, value: Double)? in
                    guard let v = r.stats.flatMap({ st.metric.score($0) }) else { return nil }
                    return (
                        r.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }
                            .joined(separator: " "), v
                    )
                }.sorted { $0.value > $1.value }
                Table(
                    columns: [
                        Table.Column("PARAMETERS", width: max(10, inner.width - 12)),
                        Table.Column(st.metric.rawValue.uppercased(), width: 10, .right),
                    ],
                    rows: rows.map { [($0.text, nil), (PriceScale.fixed($0.value, decimals: 3), nil)] },
                    selected: st.row, style: t.text,
                    headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
                ).render(inner.inset(top: 2), &buf)
                return
            }
            // The selected cell, read out in full.
            var readout = [Fact("\(grid.x.name) × \(grid.y.name)", t.text, priority: 0)]
            if SweepGrid.pairs(sw).count > 1 { readout.append(Fact("x: next pair", t.muted, priority: 4)) }
            if let row = grid.row(column: st.column, row: st.row), let stats = row.stats {
                let cell = row.parameters.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\(IndicatorSpec.format($0.value))" }.joined(separator: " ")
                let value = st.metric.score(stats).map { PriceScale.fixed($0, decimals: 2) } ?? "—"
                readout = [
                    Fact("▸ \(cell)", t.text, priority: 0),
                    Fact("\(st.metric.rawValue) \(value)", t.text, priority: 1),
                    Fact("return \(Format.percent(stats["Return [%]"]?.number))", t.text, priority: 2),
                    Fact("\(stats["# Trades"]?.display ?? "—") trades", t.text, priority: 3),
                ]
            }
            Facts.render(readout, x: inner.x, y: inner.y + 1, width: inner.width, separatorStyle: t.muted, &buf)
            heatMap(
                (grid.x, grid.y, grid.values), metric: st.metric, best: bestRow?.parameters,
                cursor: (st.column, st.row), ctx, inner.inset(top: 2), &buf)
        case .walkForward(let study)?:
            guard !study.windows.isEmpty else {
                buf.putWords("No window produced a result.", x: inner.x, y: inner.y, style: t.muted, width: inner.width)
                return
            }
            // The out-of-sample windows traded back to back, and the efficiency of the optimisation.
            let stitched = study.stitchedEquity
            let total = stitched.last.flatMap { last in stitched.first.map { (last / $0 - 1) * 100 } }
            let efficiency = study.efficiency.map { PriceScale.fixed($0, decimals: 2) } ?? "—"
            let facts = [
                Fact("out of sample \(Format.percent(total))", (total ?? 0) >= 0 ? t.bull : t.bear, priority: 0),
                Fact("efficiency \(efficiency)", t.text, priority: 1),
                Fact(
                    "\(study.windows.count) windows of \(study.inSampleBars) + \(study.outOfSampleBars) bars", t.muted,
                    priority: 2),
            ]
            // Bars after the last window are said, not silently left out.
            let tail =
                study.uncoveredBars > 0
                ? [Fact("last \(study.uncoveredBars) bars in no window", t["warn"], priority: 3)] : []
            Facts.render(
                facts + tail, x: inner.x, y: inner.y, width: inner.width, lines: 2, separatorStyle: t.muted, &buf)
            let curveRows = inner.height >= 14 ? max(3, inner.height / 3) : 0
            let parts = Layout.split(inner.inset(top: 2), .vertical, [.length(curveRows), .fill])
            if curveRows > 0, stitched.count > 1 {
                let columns = max(1, parts[0].width - PriceChart.axisWidth)
                let dense = stitched.count > columns * 2
                var curve = LineChart(
                    series: [
                        PriceChart.Series(
                            values: minMaxColumns(stitched, columns: columns), style: t.bull.adding(.bold))
                    ],
                    columnsPerBar: dense ? 1 : max(1, columns / stitched.count), axis: t.muted, grid: t["grid"],
                    glyphs: ctx.glyphs)
                curve.dense = dense
                if let lo = stitched.min(), let hi = stitched.max() { curve.range = (lo, hi) }
                // The curve over its dates (the out-of-sample windows' sessions, back to back).
                let plot = parts[0].inset(bottom: 1)
                curve.render(plot, &buf)
                buf.put("out-of-sample equity", x: plot.x, y: plot.y, style: t.muted)
                let sessions = study.stitchedSessions
                let perColumn = dense ? 1 : max(1, columns / max(1, stitched.count))
                dateAxis(
                    sessions, columns: columns,
                    column: {
                        dense ? $0 * columns / max(1, sessions.count) : min(columns - 1, $0 * perColumn + perColumn / 2)
                    },
                    ctx, Rect(x: plot.x, y: plot.maxY, width: columns, height: 1), &buf)
            }
            let params = study.windows.map { w in
                w.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }
                    .joined(separator: " ")
            }
            typealias Cell = (String, Style?)
            // Columns in the order shown, each with its priority: the out-of-sample facts first.
            let columns: [(Table.Column, Int, (Int) -> Cell)] = [
                (
                    Table.Column("OUT-OF-SAMPLE", width: 21), 0,
                    { k in
                        ("\(study.windows[k].outOfSample.lowerBound)–\(study.windows[k].outOfSample.upperBound)", nil)
                    }
                ),
                (
                    Table.Column("PARAMETERS", width: min(30, max(10, params.map(\.count).max() ?? 10))), 1,
                    { k in (params[k], nil) }
                ),
                (
                    Table.Column("IS SHARPE", width: 9, .right), 4,
                    { k in (num(study.windows[k].inSampleStats, "Sharpe Ratio"), t.muted) }
                ),
                (
                    Table.Column("OOS SHARPE", width: 10, .right), 2,
                    { k in (num(study.windows[k].outOfSampleStats, "Sharpe Ratio"), nil) }
                ),
                (
                    Table.Column("IS RET%", width: 8, .right), 5,
                    { k in (num(study.windows[k].inSampleStats, "Return [%]"), t.muted) }
                ),
                (
                    Table.Column("OOS RET%", width: 8, .right), 3,
                    { k in
                        let oos = study.windows[k].outOfSampleStats["Return [%]"]?.number ?? 0
                        return (num(study.windows[k].outOfSampleStats, "Return [%]"), oos >= 0 ? t.bull : t.bear)
                    }
                ),
                (
                    Table.Column("IN-SAMPLE", width: 21), 6,
                    { k in ("\(study.windows[k].inSample.lowerBound)–\(study.windows[k].inSample.upperBound)", t.muted)
                    }
                ),
            ]
            var room = parts[1].width
            var keep = Set<Int>()
            for (i, c) in columns.enumerated().sorted(by: { $0.element.1 < $1.element.1 }) where c.0.width <= room {
                keep.insert(i)
                room -= c.0.width + 1
            }
            let shown = columns.indices.filter { keep.contains($0) }.map { columns[$0] }
            Table(
                columns: shown.map(\.0), rows: study.windows.indices.map { k in shown.map { $0.2(k) } },
                selected: st.row, style: t.text, headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
            ).render(parts[1], &buf)
        case nil: break
        }
    }

    /// The statistic over two parameters: a cell per pair coloured on the theme's bear → bull
    /// scale, the best cell starred, the cursor cell reversed.
    static func heatMap(
        _ map: (x: BacktestRunner.ParameterRange, y: BacktestRunner.ParameterRange, values: [[Double?]]),
        metric: BacktestRunner.Metric,
        best: [String: Double]?, cursor: (Int, Int), _ ctx: Context, _ area: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let all = map.values.flatMap { $0 }.compactMap { $0 }
        guard let lo = all.min(), let hi = all.max() else {
            buf.putWords("No combination produced a value.", x: area.x, y: area.y, style: t.muted, width: area.width)
            return
        }
        let corner = "\(map.y.name)\\\(map.x.name)"
        let (labelWidth, cellWidth, shownColumns, shownRows) = heatMapGeometry(x: map.x, y: map.y, area, cursor: cursor)
        buf.put(DisplayWidth.pad(corner, to: labelWidth), x: area.x, y: area.y, style: t.muted)
        // Column labels whole and apart: every k-th column when the cells are narrower than the
        // labels ("5 6 7 8 9101112" ran together).
        let widest = shownColumns.map { DisplayWidth.of(IndicatorSpec.format(map.x.values[$0])) }.max() ?? 1
        let every = max(1, Int((Double(widest + 1) / Double(cellWidth)).rounded(.up)))
        for (k, i) in shownColumns.enumerated() where k % every == 0 {
            let x = area.x + labelWidth + k * cellWidth
            let text = IndicatorSpec.format(map.x.values[i])
            guard x + DisplayWidth.of(text) <= area.maxX else { continue }
            // Over its own cell when every column is labelled; from the cell's left edge otherwise.
            let shown = every == 1 ? DisplayWidth.pad(text, to: cellWidth, alignment: .right) : text
            buf.put(shown, x: x, y: area.y, style: t.muted)
        }
        func blend(_ f: Double) -> Color {
            guard let (br, bg, bb) = t.bear.fg.rgbValue, let (ur, ug, ub) = t.bull.fg.rgbValue else {
                return f >= 0.5 ? t.bull.fg : t.bear.fg
            }
            func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8(Double(a) + (Double(b) - Double(a)) * f) }
            return .rgb(mix(br, ur), mix(bg, ug), mix(bb, ub))
        }
        // Colour where the theme has it; else (mono, NO_COLOR) shade glyphs carry the scale.
        let coloured = t.bull.fg != .default && t.bull.fg != t.bear.fg
        let shades = ctx.glyphs.unicode ? ["░", "▒", "▓", "█"] : [".", ":", "+", "#"]
        for (r, j) in shownRows.enumerated() {
            let yv = map.y.values[j]
            let y = area.y + 1 + r
            guard y < area.maxY else { break }
            buf.put(DisplayWidth.pad(IndicatorSpec.format(yv), to: labelWidth), x: area.x, y: y, style: t.muted)
            for (k, i) in shownColumns.enumerated() {
                let xv = map.x.values[i]
                let x = area.x + labelWidth + k * cellWidth
                guard x + cellWidth <= area.maxX else { break }
                let value = j < map.values.count && i < map.values[j].count ? map.values[j][i] : nil
                let isBest = best?[map.x.name] == xv && best?[map.y.name] == yv
                let f = value.map { hi > lo ? ($0 - lo) / (hi - lo) : 0.5 } ?? 0
                var style = value == nil ? t.muted : coloured ? Style(fg: .default, bg: blend(f)) : t.text
                if cursor == (i, j) { style = style.adding(.reverse).adding(.bold) }
                let number = value.map { PriceScale.fixed($0, decimals: 2) } ?? ""
                var text: String
                if value == nil {
                    text = "·"
                } else if coloured {
                    // Too narrow for the number: the shade glyph says the level without colour too.
                    text = cellWidth >= 6 ? number : shades[min(3, Int(f * 4))]
                } else {
                    let shade = shades[min(3, Int(f * 4))]
                    text =
                        cellWidth >= number.count + 3
                        ? shade + " " + number : String(repeating: shade, count: max(1, cellWidth - 1))
                }
                if isBest { text = (ctx.glyphs.unicode ? "★" : "*") + text }
                buf.put(
                    DisplayWidth.pad(text, to: cellWidth, alignment: .right), x: x, y: y,
                    style: coloured && value != nil ? style.with(fg: .rgb(20, 20, 20)) : style)
            }
        }
        let legendY = min(area.maxY - 1, area.y + 2 + shownRows.count)
        // Cells out of view are said, and so is a best cell among them.
        var window: [Fact] = []
        if shownRows.count < map.y.values.count {
            let text = "rows \(shownRows.lowerBound + 1)–\(shownRows.upperBound) of \(map.y.values.count)"
            window.append(Fact(text, t.muted, priority: 2))
        }
        if shownColumns.count < map.x.values.count {
            let text = "columns \(shownColumns.lowerBound + 1)–\(shownColumns.upperBound) of \(map.x.values.count)"
            window.append(Fact(text, t.muted, priority: 2))
        }
        if let best, let bx = map.x.values.firstIndex(where: { best[map.x.name] == $0 }),
            let by = map.y.values.firstIndex(where: { best[map.y.name] == $0 }),
            !shownColumns.contains(bx) || !shownRows.contains(by)
        {
            window.append(Fact("the best is off screen (a applies it)", t.muted, priority: 1))
        }
        let star = ctx.glyphs.unicode ? "★" : "*"
        let dots = ctx.glyphs.unicode ? "…" : ".."
        let arrows = ctx.glyphs.unicode ? "←→↑↓" : "arrows"
        let low = PriceScale.fixed(lo, decimals: 2)
        let high = PriceScale.fixed(hi, decimals: 2)
        let scale = coloured ? "\(low) \(dots) \(high)" : "\(shades[0]) \(low) \(dots) \(shades[3]) \(high)"
        let legend =
            [Fact("\(metric.statistic): \(scale)", t.muted, priority: 0), Fact("\(star) best", t.muted, priority: 1)]
            + (coloured ? [Fact("bear to bull colours", t.muted, priority: 4)] : []) + window
            + [Fact("\(arrows) move", t.muted, priority: 3)]
        Facts.render(legend, x: area.x, y: legendY, width: area.width, separatorStyle: t.muted, &buf)
    }

    static func tradesTable(
        _ panel: BacktestPanel, _ r: BacktestResult, _ ctx: Context, _ area: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        if r.trades.isEmpty && r.openTrade == nil {
            buf.putWords(
                "No trades: the strategy never entered on these bars.", x: area.x, y: area.y, style: t.muted,
                width: area.width)
            return
        }
        // Columns by priority: as many as the width holds, the reason last.
        typealias Cell = (String, Style?)
        let all: [(Table.Column, (BacktestTrade, Bool) -> Cell)] = [
            (Table.Column("#", width: 4, .right), { _, _ in ("", t.muted) }),
            (Table.Column("ENTRY", width: 10), { tr, _ in ("\(tr.entrySession)", nil) }),
            (
                Table.Column("EXIT", width: 10),
                { tr, open in (open ? "open" : "\(tr.exitSession)", open ? t.muted : nil) }
            ),
            (
                Table.Column("RET%", width: 7, .right),
                { tr, _ in (Format.signed(tr.returnFraction * 100), tr.pnl >= 0 ? t.bull : t.bear) }
            ),
            (
                Table.Column("P&L", width: 9, .right),
                { tr, _ in (Format.signed(tr.pnl), tr.pnl >= 0 ? t.bull : t.bear) }
            ),
            (Table.Column("IN", width: 9, .right), { tr, _ in (Format.price(tr.entryPrice), nil) }),
            (Table.Column("OUT", width: 9, .right), { tr, _ in (Format.price(tr.exitPrice), nil) }),
            (Table.Column("BARS", width: 4, .right), { tr, _ in ("\(tr.barsHeld)", nil) }),
            (Table.Column("SIZE", width: 7, .right), { tr, _ in (Format.compact(abs(tr.size)), nil) }),
            (Table.Column("SIDE", width: 5), { tr, _ in (tr.isLong ? "long" : "short", nil) }),
            (Table.Column("REASON", width: 11), { tr, open in (open ? "open" : tr.exitReason.rawValue, t.muted) }),
        ]
        let shown = all.prefix(Table.fitting(all.map(\.0), width: area.width))
        func row(_ number: String, _ tr: BacktestTrade, open: Bool) -> [Cell] {
            [(number, t.muted)] + shown.dropFirst().map { $0.1(tr, open) }
        }
        var rows = panel.order.map { row("\($0 + 1)", r.trades[$0], open: false) }
        if let open = panel.shownOpenTrade { rows.append(row("open", open, open: true)) }
        Table(
            columns: shown.map(\.0), rows: rows, selected: panel.selected, style: t.text,
            headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
        ).render(area, &buf)
    }

    /// Entry and exit markers of the backtest on the charted symbol and interval, by bar index.
    static func tradeMarkers(_ s: AppState, bars: [FibBar], ctx: Context) -> [(bar: Int, up: Bool, style: Style)] {
        var index: [Int32: Int] = [:]
        for (i, b) in bars.enumerated() { index[b.lastSession] = i }
        // A composer preview of a draft's signals.
        if let p = s.preview, p.symbol == s.currentSymbol, p.interval == s.interval {
            return p.entries.compactMap { index[$0].map { ($0, p.buy, p.buy ? ctx.theme.bull : ctx.theme.bear) } }
                + p.exits.compactMap { index[$0].map { ($0, !p.buy, ctx.theme["accent"]) } }
        }
        // A portfolio trade opened on the chart.
        if let m = s.markedTrade, m.symbol == s.currentSymbol, m.interval == s.interval {
            var out: [(Int, Bool, Style)] = []
            if let i = bars.lastIndex(where: { $0.lastSession <= m.entry }) {
                out.append((i, m.long, m.long ? ctx.theme.bull : ctx.theme.bear))
            }
            if let exit = m.exit, let j = bars.lastIndex(where: { $0.lastSession <= exit }) {
                out.append((j, !m.long, ctx.theme["accent"]))
            }
            return out
        }
        // The trade opened from the backtest pane: its entry and, once closed, its exit.
        guard let k = s.chartTrade, let panel = s.backtest, let r = panel.result, panel.symbol == s.currentSymbol,
            panel.interval == s.interval
        else { return [] }
        let open = k == r.trades.count
        guard let tr = open ? r.openTrade : (r.trades.indices.contains(k) ? r.trades[k] : nil) else { return [] }
        var out: [(Int, Bool, Style)] = []
        if let i = index[r.lastSessions[tr.entryBar]] {
            out.append((i, tr.isLong, tr.isLong ? ctx.theme.bull : ctx.theme.bear))
        }
        if !open, let j = index[r.lastSessions[tr.exitBar]] { out.append((j, !tr.isLong, ctx.theme["accent"])) }
        return out
    }

    // MARK: - Picks

    static func picksPane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let session = s.picks.first.map { " · \($0.session)" } ?? ""
        let filter =
            s.pickFilter.map { " · \($0) only · f: next" } ?? (s.picks.isEmpty ? "" : " · all strategies · f filters")
        let inner = paneBlock("Scanner picks\(session)\(filter)\(s.scanning ? " · scanning…" : "")", s, ctx, area, &buf)
        guard !inner.isEmpty else { return }
        if s.picks.isEmpty {
            Paragraph(
                "No picks stored yet. Press r to scan the latest session now; the refresh's scan stage also stores them (scan_strategies in the config).",
                style: t.muted
            ).render(inner, &buf)
            return
        }
        // The strategy and sector columns as wide as their longest entry. Columns come in order of
        // importance until the width is used — symbol, price, confidence, strategy, rank, cap,
        // sector — and the name takes what is left: a price is never cut ("106.…" was).
        let strategyWidth = min(20, max(8, s.visiblePicks.map(\.strategy.count).max() ?? 8))
        let sectorWidth = min(22, max(6, s.visiblePicks.compactMap { $0.sector?.count }.max() ?? 6))
        typealias Cell = (String, Style?)
        let all: [(column: Table.Column, priority: Int, cell: (ScanPick) -> Cell)] = [
            (Table.Column("#", width: 3, .right), 4, { p in ("\(p.rank)", t.muted) }),
            (Table.Column("STRATEGY", width: strategyWidth), 3, { p in (p.strategy, nil) }),
            (Table.Column("SYMBOL", width: 6), 0, { p in (p.symbol.rawValue, t.text.adding(.bold)) }),
            (Table.Column("NAME", width: 8), 7, { p in (s.info(p.symbol.rawValue)?.name ?? "", t.muted) }),
            (
                Table.Column("CONF", width: 5, .right), 2,
                { p in (PriceScale.fixed(p.confidence * 100, decimals: 0) + "%", p.confidence >= 0.99 ? t.bull : t.text)
                }
            ),
            (Table.Column("PRICE", width: 9, .right), 1, { p in (Format.price(p.price), nil) }),
            (Table.Column("CAP", width: 7, .right), 5, { p in (Format.compact(p.marketCap), t.muted) }),
            (Table.Column("SECTOR", width: sectorWidth), 6, { p in (p.sector ?? "", t.muted) }),
        ]
        var used = 0
        var kept = Set<Int>()
        for i in all.indices.sorted(by: { all[$0].priority < all[$1].priority }) {
            let w = all[i].column.width + (kept.isEmpty ? 0 : 1)
            if used + w <= inner.width {
                used += w
                kept.insert(i)
            }
        }
        var columns = all.indices.filter { kept.contains($0) }.map { all[$0] }
        if let name = columns.firstIndex(where: { $0.column.title == "NAME" }) {
            columns[name].column.width += inner.width - used  // the name takes the rest
        }
        let rows: [[Cell]] = s.visiblePicks.map { p in columns.map { $0.cell(p) } }
        Table(
            columns: columns.map(\.column), rows: rows, selected: s.pickSelected, style: t.text,
            headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
        ).render(inner, &buf)
    }

    // MARK: - Alerts

    static func alertsPane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let inner = paneBlock("Alerts · \(s.unreadAlerts) unread", s, ctx, area, &buf)
        guard inner.height >= 4 else { return }
        let ruleRows = min(max(2, s.alertRules.count + 1), max(2, inner.height / 3))
        let parts = Layout.split(inner, .vertical, [.fill, .length(1), .length(ruleRows)])
        if s.alerts.isEmpty {
            buf.putWrapped(
                "No alerts have fired. Rules are checked after each refresh.", in: parts[0], style: t.muted)
        } else {
            let rows: [[(String, Style?)]] = s.visibleAlerts.map { a in
                [
                    (a.read ? " " : (ctx.glyphs.unicode ? "●" : "*"), t["warn"]), ("\(a.session)", t.muted),
                    (a.symbol.rawValue, t.text.adding(.bold)),
                    (a.message, a.read ? t.muted : t.text),
                ]
            }
            Table(
                columns: [
                    Table.Column("", width: 1), Table.Column("SESSION", width: 10), Table.Column("SYMBOL", width: 6),
                    Table.Column("MESSAGE", width: max(10, parts[0].width - 21)),
                ],
                rows: rows, selected: s.alertSelected, style: t.text, headerStyle: t.muted.adding(.bold),
                selectedStyle: t.selection
            )
            .render(parts[0], &buf)
        }
        // Whole examples only (the line was cut mid-word at 80 columns).
        let examples = "Rules · add: alert above 120 · alert change 5 · alert trigger golden_cross · alert pick"
        buf.put(
            StatusLine.whole(examples + " · remove: alert remove ID", width: parts[1].width), x: parts[1].x,
            y: parts[1].y, style: t.muted)
        let ruleLines: [[(String, Style?)]] = s.alertRules.map { r in
            var what = r.kind.rawValue
            if let v = r.value { what += " \(IndicatorSpec.format(v))" }
            if let n = r.sessions, r.kind == .percentChange { what += " over \(n) session\(n == 1 ? "" : "s")" }
            if let st = r.strategy { what += " \(st)" }
            return [
                ("\(r.id)", t.muted), (r.symbol?.rawValue ?? "any", nil), (what, nil),
                (r.enabled ? "" : "disabled", t.muted),
            ]
        }
        if ruleLines.isEmpty {
            buf.putWords("No rules yet.", x: parts[2].x, y: parts[2].y, style: t.muted, width: parts[2].width)
        } else {
            Table(
                columns: [
                    Table.Column("ID", width: 4, .right), Table.Column("SYMBOL", width: 6),
                    Table.Column("RULE", width: max(10, parts[2].width - 24)),
                    Table.Column("", width: 8),
                ], rows: ruleLines, style: t.text, headerStyle: t.muted.adding(.bold),
                selectedStyle: t.selection
            ).render(parts[2], &buf)
        }
    }

    // MARK: - Pipeline

    static func pipelinePane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        var inner = paneBlock("Pipeline · R refreshes now", s, ctx, area, &buf)
        guard inner.height >= 4 else { return }
        // The refresh in progress (or the last one from this session): a bar per stage and the log.
        if let r = s.refresh {
            let logRows = min(6, max(2, inner.height / 6))
            let height = min(inner.height - 2, r.stages.count + logRows + 1)
            let section = Rect(x: inner.x, y: inner.y, width: inner.width, height: height)
            let title =
                r.running
                ? (r.cancelRequested ? "Refresh: cancelling…" : "Refresh running (x cancels)")
                : (r.summary ?? "Refresh finished")
            buf.putWords(
                title, x: section.x, y: section.y, style: r.failed ? t["error"] : (r.running ? t["warn"] : t["ok"]),
                width: section.width)
            var y = section.y + 1
            for stage in r.stages where y < section.maxY - logRows {
                buf.put(DisplayWidth.pad(stage.name, to: 12), x: section.x, y: y, style: t.text)
                let gaugeWidth = max(10, min(30, section.width / 3))
                let fraction =
                    stage.status == "running"
                    ? (stage.total > 0 ? Double(stage.done) / Double(stage.total) : 0)
                    : (stage.status == "waiting" ? 0 : 1)
                let label = stage.total > 0 ? "\(stage.done)/\(stage.total)" : stage.status
                Gauge(
                    fraction: fraction, label: label, style: t.muted,
                    barStyle: stage.status == "failed" ? t.bear : t.bull, glyphs: ctx.glyphs
                )
                .render(Rect(x: section.x + 13, y: y, width: gaugeWidth, height: 1), &buf)
                var note = stage.status
                if let sec = stage.seconds { note += " in " + PriceScale.fixed(sec, decimals: 2) + " s" }
                if stage.status == "running", let eta = stage.eta, eta > 0 {
                    // One format with the header (it said "15048 s" here beside "4.2 h" there).
                    note += " · ETA " + DurationText.short(eta)
                }
                if !stage.detail.isEmpty { note += " · " + stage.detail }
                buf.put(
                    StatusLine.whole(note, width: max(0, section.maxX - section.x - 14 - gaugeWidth)),
                    x: section.x + 14 + gaugeWidth, y: y, style: stage.status == "failed" ? t.bear : t.muted)
                y += 1
            }
            for line in r.log.suffix(section.maxY - y) {
                buf.putWords(line, x: section.x, y: y, style: t.muted, width: section.width)
                y += 1
            }
            inner = inner.inset(top: height + 1)
        }
        if !s.plan.isEmpty, inner.height >= 6 {
            // Wrapped at words (the plan's lines were cut mid-word at 80 columns), five rows at most.
            let source = Array(s.plan.prefix(3))
            var rows: [(String, Style)] = []
            for (k, line) in source.enumerated() {
                let lead = k == 0 ? "Next run: " : "  "
                var current = lead
                for word in line.split(separator: " ") {
                    let next = current.hasSuffix(" ") ? current + word : current + " " + word
                    if DisplayWidth.of(next) > inner.width, current.count > lead.count {
                        rows.append((current, k == 0 ? t.text : t.muted))
                        current = "    " + word
                    } else {
                        current = next
                    }
                }
                rows.append((current, k == 0 ? t.text : t.muted))
            }
            let shown = rows.prefix(5)
            for (k, row) in shown.enumerated() {
                buf.putWords(row.0, x: inner.x, y: inner.y + k, style: row.1, width: inner.width)
            }
            inner = inner.inset(top: shown.count + 1)
        }
        guard inner.height >= 3 else { return }
        if s.runs.isEmpty {
            Paragraph("No runs yet — press R (or `tradlyte refresh`) to bring the data up to date.", style: t.muted)
                .render(inner, &buf)
            return
        }
        let parts = Layout.split(inner, .vertical, [.percent(45), .fill])
        func statusStyle(_ st: RunStatus) -> Style {
            st == .failed ? t["error"] : st == .succeeded ? t["ok"] : t["warn"]
        }
        func seconds(_ a: Date, _ b: Date?) -> String {
            b.map { PriceScale.fixed($0.timeIntervalSince(a), decimals: 2) + " s" } ?? "…"
        }
        let rows: [[(String, Style?)]] = s.runs.map { r in
            [
                ("\(r.id)", t.muted), (r.status.rawValue, statusStyle(r.status)), (r.trigger.rawValue, t.muted),
                (Format.eastern(r.startedAt), nil), (seconds(r.startedAt, r.finishedAt), nil),
                (r.error ?? r.summary ?? "", r.error == nil ? t.muted : t.bear),
            ]
        }
        Table(
            columns: [
                Table.Column("RUN", width: 4, .right, priority: 0), Table.Column("STATUS", width: 9, priority: 1),
                Table.Column("BY", width: 8, priority: 5), Table.Column("STARTED", width: 20, priority: 2),
                Table.Column("TOOK", width: 9, .right, priority: 3), Table.Column("SUMMARY", width: 10, priority: 4),
            ],
            rows: rows, selected: s.runSelected, style: t.text, headerStyle: t.muted.adding(.bold),
            selectedStyle: t.selection
        ).render(parts[0], &buf)
        guard s.runs.indices.contains(s.runSelected) else { return }
        let run = s.runs[s.runSelected]
        let stageRows: [[(String, Style?)]] = (s.stages[run.id] ?? []).map { st in
            [
                (st.stage, nil), (st.status.rawValue, statusStyle(st.status)), ("\(st.attempts)", t.muted),
                (seconds(st.startedAt, st.finishedAt), nil),
                // The error when there is one, else the counts: one free-text column, last, so
                // it takes the width left and shows whole "name=value" items.
                st.error.map { ($0, t.bear) }
                    ?? (
                        st.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                        t.muted
                    ),
            ]
        }
        Table(
            columns: [
                Table.Column("STAGE \(run.id)", width: 14, priority: 0), Table.Column("STATUS", width: 9, priority: 3),
                Table.Column("TRIES", width: 5, .right, priority: 4),
                Table.Column("TOOK", width: 9, .right, priority: 1),
                Table.Column("COUNTS / ERROR", width: 14, priority: 2),
            ],
            rows: stageRows, style: t.text, headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
        ).render(parts[1].inset(top: 1), &buf)
    }
}
