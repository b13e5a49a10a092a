import Foundation
import TermRender
import TradLyteCore

extension Screens {
    /// What the chart pane shows for the current symbol and interval, computed from the
    /// daily series (resampled by `AppState.bars`, which keeps the result between frames).
    public struct ChartModel {
        public var bars: [FibBar]
        public var range: Range<Int>
        public var merged: OHLCColumns
        public var overlays: [(label: String, values: [Double], style: Style)]
        /// Each overlay's default output over every bar, for the info line's readout.
        public var readouts: [(label: String, values: [Double])]
        public var oscillator:
            (
                label: String, lines: [(String, [Double], Style)], histogram: [Double]?, guides: [Double],
                range: (Double, Double)?
            )?
        public var crosshair: Int?
        public var labels: [String]
    }

    /// The price chart of `model` as the chart pane draws it (`tradlyte chart` prints the same).
    public static func priceChart(_ model: ChartModel, _ s: AppState, _ ctx: Context) -> PriceChart {
        let t = ctx.theme
        var chart = PriceChart(
            bars: model.merged, bull: t.bull, bear: t.bear, axis: t.muted, grid: t["grid"], crosshairStyle: t.focus)
        chart.mode = s.mode
        chart.columnsPerBar = s.viewport.columnsPerBar
        chart.glyphs = ctx.glyphs
        chart.background = t.text
        chart.logScale = s.logScale
        chart.crosshair = model.crosshair
        chart.partialLast = model.range.upperBound == model.bars.count && model.bars.last?.complete == false
        chart.distinctBearBody = t.bull.fg == t.bear.fg
        if chart.partialLast, let last = model.bars.last, s.interval.sessions > 1, s.viewport.barsPerColumn == 1 {
            chart.formingTag = "\(last.sessionsPresent)/\(s.interval.sessions)"
        }
        chart.overlays = model.overlays.map { PriceChart.Series(values: $0.values, style: $0.style) }
        return chart
    }

    public static func chartModel(_ s: AppState, _ ctx: Context, columns: Int) -> ChartModel? {
        let bars = s.bars()
        guard !bars.isEmpty else { return nil }
        let vp = s.viewport
        let range = vp.range(total: bars.count, columns: columns)
        let k = vp.barsPerColumn
        let visible = bars[range]
        let merged = OHLCColumns(
            open: visible.map(\.open), high: visible.map(\.high), low: visible.map(\.low), close: visible.map(\.close),
            volume: visible.map(\.volume), merging: k)
        func slice(_ values: [Double]) -> [Double] {
            let part = Array(values[range])
            guard k > 1 else { return part }
            return stride(from: 0, to: part.count, by: k).map { part[min(part.count - 1, $0 + k - 1)] }
        }
        let inputs = IndicatorInputs(bars)
        var overlays: [(String, [Double], Style)] = []
        var readouts: [(String, [Double])] = []
        var colour = 0
        for choice in s.overlays {
            guard let spec = IndicatorRegistry.named(choice.name) else { continue }
            let outputs = spec(inputs, choice.parameters)
            readouts.append((choice.label, outputs[spec.defaultOutput]))
            for line in spec.lines {
                let i = line.output
                overlays.append(
                    (
                        spec.outputs.count > 1 ? "\(choice.label).\(line.label)" : choice.label, slice(outputs[i]),
                        ctx.theme.indicator(colour)
                    ))
                if spec.outputs.count <= 2 || i == spec.outputs.count - 1 { colour += 1 }
            }
        }
        var osc: (String, [(String, [Double], Style)], [Double]?, [Double], (Double, Double)?)?
        if let name = s.oscillator, let spec = IndicatorRegistry.named(name) {
            let out = spec(inputs, [])
            let label =
                "\(spec.name.uppercased())(\(spec.resolved([]).map { IndicatorSpec.format($0) }.joined(separator: ",")))"
            // How it is drawn comes from the registry (lines, histogram, guides, scale).
            let display = spec.display
            osc = (
                label, spec.lines.map { ($0.label, slice(out[$0.output]), ctx.theme.indicator($0.colour)) },
                display.histogram.map { slice(out[$0]) }, display.guides,
                display.bounds.map { ($0.lowerBound, $0.upperBound) }
            )
        }
        let cross = s.crosshair.flatMap { c -> Int? in range.contains(c) ? (c - range.lowerBound) / k : nil }
        let sessions = ctx.calendar.sessions
        let labels: [String] = merged.firstBar.map { i in
            let d = sessions[Int(visible[visible.startIndex + i].firstSession)]
            let p = d.parts
            if s.interval.sessions >= 13 || k >= 4 { return "\(p.year)" }
            // The first label and every January name the year.
            return p.month == 1 || i == merged.firstBar.first ? "\(p.year)" : Format.months[p.month - 1]
        }
        return ChartModel(
            bars: bars, range: range, merged: merged, overlays: overlays, readouts: readouts, oscillator: osc,
            crosshair: cross,
            labels: labels)
    }

    static func chartPane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let g = ctx.glyphs
        let focused = s.focus == .main
        let sym = s.currentSymbol
        let name = sym.flatMap { s.info($0)?.name }
        let delisted = sym.flatMap { s.info($0) }.flatMap { info in
            info.active && info.delistDate == nil ? nil : "DELISTED" + (info.delistDate.map { " \($0)" } ?? "")
        }
        let block = Block(
            title: [sym, name, delisted].compactMap { $0 }.joined(separator: " · "),
            style: focused ? t.focus : t.border,
            titleStyle: (focused ? t.focus : t.text).adding(.bold), glyphs: g)
        block.render(area, &buf)
        let inner = block.inner(area)
        guard inner.height >= 4, inner.width >= 20 else { return }
        // Interval tabs and legend.
        // Each tab names its key, so `5` (13d) is no surprise.
        let tabs = App.intervals.enumerated().map { "\($0.offset + 1):\($0.element)" }
        Tabs(
            titles: tabs, active: App.intervals.firstIndex(of: s.interval) ?? -1, style: t.muted,
            activeStyle: t.selection.adding(.bold)
        )
        .render(inner.row(0), &buf)
        guard let sym else {
            Paragraph("No symbol selected.", style: t.muted).render(inner.inset(top: 2), &buf)
            return
        }
        let columns = inner.width - PriceChart.axisWidth
        guard let model = chartModel(s, ctx, columns: columns) else {
            let text =
                s.loading.contains(sym)
                ? "Loading \(sym)…" : "No bars for \(sym) yet — run `tradlyte refresh` or import a CSV."
            Paragraph(text, style: t.muted).render(inner.inset(top: 2), &buf)
            return
        }
        var legendX = inner.x + tabs.reduce(0) { $0 + DisplayWidth.of($1) + 2 } + 1
        var legend: [(String, Style)] = [(s.mode.rawValue + (s.logScale ? " log" : ""), t.muted)]
        legend += model.overlays.filter {
            !$0.label.contains(".") || $0.label.hasSuffix(".middle") || $0.label.hasSuffix(".upper")
                || $0.label.hasSuffix(".ema1") || $0.label.hasSuffix(".line")
        }
        .map { ($0.label.split(separator: ".").first.map(String.init) ?? $0.label, $0.style) }
        // One entry per indicator (a band's upper and middle lines share its label).
        var seen = Set<String>()
        legend = legend.filter { seen.insert($0.0).inserted }
        // Each legend entry whole or not at all ("cand" was "candles" cut at the border).
        for (text, style) in legend where legendX + DisplayWidth.of(text) <= inner.maxX {
            legendX += buf.put(text + " ", x: legendX, y: inner.y, style: style, maxWidth: inner.maxX - legendX)
        }

        // Panes: price (with its date axis), volume, oscillator, info line.
        let body = inner.inset(top: 1, bottom: 1)
        let oscHeight = model.oscillator != nil && body.height >= 13 ? max(3, body.height / 5) : 0
        let volHeight = s.showVolume && body.height >= 9 ? max(2, body.height / 7) : 0
        let parts = Layout.split(body, .vertical, [.fill, .length(1), .length(volHeight), .length(oscHeight)])
        let cpb = s.viewport.columnsPerBar
        var chart = priceChart(model, s, ctx)
        // Trades of the last backtest on this symbol and interval, mapped onto the view.
        let k = s.viewport.barsPerColumn
        chart.markers = tradeMarkers(s, bars: model.bars, ctx: ctx).compactMap { m in
            model.range.contains(m.bar)
                ? PriceChart.Marker(bar: (m.bar - model.range.lowerBound) / k, up: m.up, style: m.style) : nil
        }
        if let p = s.preview, p.symbol == sym, p.interval == s.interval, !p.setup.isEmpty {
            // The draft's setup, shaded bar by bar (a merged column is shaded when any of its bars is).
            let holds = Set(p.setup)
            var shaded = [Bool](repeating: false, count: model.merged.close.count)
            for i in model.range where holds.contains(model.bars[i].lastSession) {
                shaded[(i - model.range.lowerBound) / k] = true
            }
            chart.shaded = shaded
            chart.shadeStyle = Style(
                bg: t.selection.bg == .default ? .default : t["grid"].fg, t.selection.bg == .default ? [.underline] : []
            )
        }
        chart.render(parts[0], &buf)
        DateAxis(labels: model.labels, columnsPerBar: cpb, style: t.muted).render(parts[1], &buf)
        if volHeight > 0 {
            let styles = zip(model.merged.open, model.merged.close).map {
                $1 >= $0 ? t.bull.patched(t["volume"]).with(fg: t["volume"].fg) : t["volume"]
            }
            let volArea = parts[2].inset(right: PriceChart.axisWidth)
            var volume = Histogram(values: model.merged.volume, styles: styles, columnsPerBar: cpb, glyphs: g)
            volume.background = t.text
            volume.render(volArea, &buf)
            buf.put(
                " vol " + Format.compact(model.merged.volume.max()), x: volArea.maxX, y: parts[2].y, style: t.muted,
                maxWidth: PriceChart.axisWidth)
        }
        if oscHeight > 0, let osc = model.oscillator {
            let oscArea = parts[3]
            var range = osc.range
            var guides = osc.guides
            if let hist = osc.histogram {
                // Lines and histogram on one scale about one zero line (MACD's histogram is the
                // lines' difference, so a scale of its own would misstate it).
                let values = (hist + osc.lines.flatMap(\.1)).filter(\.isFinite)
                let lo = min(0, values.min() ?? 0)
                let hi = max(0, values.max() ?? 0)
                range = (lo, hi)
                guides = [0]
            }
            LineChart(
                series: osc.lines.map { PriceChart.Series(values: $0.1, style: $0.2) }, range: range,
                guides: guides, columnsPerBar: cpb, axis: t.muted, grid: t["grid"], glyphs: g
            ).render(oscArea, &buf)
            if let hist = osc.histogram, let range {
                signedBars(
                    hist, scale: PriceScale(low: range.0, high: range.1, rows: oscArea.height), columnsPerBar: cpb,
                    ctx, oscArea.inset(right: PriceChart.axisWidth), &buf)
            }
            buf.put(osc.label, x: oscArea.x, y: oscArea.y, style: t.muted)
        }
        infoLine(s, model, ctx, inner.row(inner.height - 1), &buf)
    }

    /// Bars from the zero line up (positive) or down (negative) in half cells, on `scale`.
    static func signedBars(
        _ values: [Double], scale: PriceScale, columnsPerBar cpb: Int, _ ctx: Context, _ area: Rect,
        _ buf: inout Buffer
    ) {
        let zero = scale.level(0)
        for (i, v) in values.enumerated() where v.isFinite && v != 0 {
            // From just off the zero line to the value: a value within half a cell of zero draws nothing.
            let level = scale.level(v)
            guard level != zero else { continue }
            let (lo, hi) = level > zero ? (zero + 1, level) : (level, zero - 1)
            let style = v > 0 ? ctx.theme.bull : ctx.theme.bear
            for r in 0..<area.height {
                let lower = 2 * (area.height - 1 - r)
                let hasLower = lower >= lo && lower <= hi
                let hasUpper = lower + 1 >= lo && lower + 1 <= hi
                guard hasLower || hasUpper else { continue }
                let glyph =
                    hasLower && hasUpper
                    ? (ctx.glyphs.unicode ? "█" : "#")
                    : hasUpper ? (ctx.glyphs.unicode ? "▀" : "'") : (ctx.glyphs.unicode ? "▄" : ".")
                // Under the lines: only blank cells and the zero line are drawn over.
                for c in 0..<cpb where area.x + i * cpb + c < area.maxX {
                    let x = area.x + i * cpb + c
                    guard [" ", "┈", "."].contains(buf[x, area.y + r].symbol) else { continue }
                    buf.put(glyph, x: x, y: area.y + r, style: style)
                }
            }
        }
    }

    /// The crosshair bar (or the newest bar): its sessions, OHLCV, change and indicator values.
    static func infoLine(_ s: AppState, _ model: ChartModel, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let index = s.crosshair.map { min(max(0, $0), model.bars.count - 1) } ?? model.bars.count - 1
        let bar = model.bars[index]
        let sessions = ctx.calendar.sessions
        let first = sessions[Int(bar.firstSession)]
        let last = sessions[Int(bar.lastSession)]
        let n = Int32(s.interval.sessions)
        // Facts in reading order, each whole or left out (most important kept): the dates, the
        // close and its change, then open, high, low, volume, the bar's sessions and the overlays.
        var facts: [Fact] = []
        let dates = s.interval.sessions == 1 ? "\(last)" : "\(first)–\(last)"
        facts.append(Fact(dates, t.text.adding(.bold), priority: 0))
        if s.interval.sessions > 1 {
            let text =
                bar.complete ? "\(bar.sessionsPresent)/\(n) sessions" : "forming \(bar.sessionsPresent)/\(n)"
            // A forming bar's close is provisional: that it is forming outranks its change.
            facts.append(Fact(text, bar.complete ? t.muted : t["warn"], priority: bar.complete ? 8 : 2))
        } else if !bar.complete {
            facts.append(Fact("forming", t["warn"], priority: 2))
        }
        let prev = index > 0 ? model.bars[index - 1].close : bar.open
        let change = bar.close - prev
        facts += [
            Fact("O \(Format.price(bar.open))", t.text, priority: 4),
            Fact("H \(Format.price(bar.high))", t.text, priority: 5),
            Fact("L \(Format.price(bar.low))", t.text, priority: 5),
            Fact("C \(Format.price(bar.close))", t.text, priority: 1),
            Fact("V \(Format.compact(bar.volume))", t.text, priority: 6),
            Fact(
                "\(Format.signed(change)) (\(Format.percent(prev != 0 ? change / prev * 100 : nil)))",
                change >= 0 ? t.bull : t.bear, priority: 3),
        ]
        for (k, (label, values)) in model.readouts.enumerated() {
            let v = values[index]
            facts.append(Fact("\(label) \(Format.price(v.isFinite ? v : nil))", t.muted, priority: 9 + k))
        }
        Facts.render(facts, x: area.x, y: area.y, width: area.width, separator: " ", separatorStyle: t.muted, &buf)
    }

    // MARK: - Quote

    static func quotePane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let sym = s.currentSymbol ?? "—"
        let info = s.info(sym)
        let block = Block(
            title: "Quote · \(sym)", style: s.focus == .main ? t.focus : t.border, titleStyle: t.text.adding(.bold),
            glyphs: ctx.glyphs)
        block.render(area, &buf)
        let inner = block.inner(area).inset(left: 1, right: 1)
        guard !inner.isEmpty else { return }
        let series = s.series[sym]
        // The fetched quote, else the newest local bar.
        var q = s.quotes[sym]
        // Symbols on screen came from the store and parse; the line is simply not drawn otherwise.
        if q == nil, let series, series.count > 0, let symbol = try? Symbol(sym) {
            let i = series.count - 1
            let bar = DailyBar(
                session: ctx.calendar.sessions[Int(series.sessionIndex[i])], open: series.open[i],
                high: series.high[i], low: series.low[i], close: series.close[i], volume: series.volume[i])
            let quote = Quote.endOfDay(
                symbol, bar: bar, previousClose: i > 0 ? series.close[i - 1] : nil, calendar: ctx.calendar,
                fetchedAt: s.now)
            q = QuoteView(quote)
        }
        var lines: [[(String, Style)]] = []
        lines.append([(info?.name ?? sym, t.text.adding(.bold))])
        if let info {
            var facts: [String] = []
            if let e = info.exchange { facts.append(e) }
            if let i = info.industry { facts.append(i) }
            if let m = info.marketCap { facts.append("market cap \(Format.compact(m))") }
            lines.append([(facts.joined(separator: " · "), t.muted)])
        }
        lines.append([])
        guard let q else {
            lines.append([(s.loading.contains(sym) ? "Loading…" : "No price yet — press r to fetch a quote.", t.muted)])
            Paragraph(lines: lines, wrap: true).render(inner, &buf)
            return
        }
        let up = (q.change ?? 0) >= 0
        lines.append([
            (Format.price(q.price) + "  ", t.text.adding(.bold)),
            (
                "\(Format.signed(q.change))  \(Format.percent(q.changePercent))",
                up ? t.bull.adding(.bold) : t.bear.adding(.bold)
            ),
        ])
        lines.append([])
        func row(_ label: String, _ value: String) -> [(String, Style)] {
            [(DisplayWidth.pad(label, to: 14), t.muted), (value, t.text)]
        }
        lines.append(row("Day range", "\(Format.price(q.dayLow)) – \(Format.price(q.dayHigh))"))
        lines.append(row("Volume", Format.compact(q.volume)))
        if let series, series.count > 0 {
            let year = series.count >= 252 ? 252 : series.count
            let hi = series.high.suffix(year).max()
            let lo = series.low.suffix(year).min()
            lines.append(
                row(
                    series.count >= 252 ? "52-week range" : "\(year)-day range",
                    "\(Format.price(lo)) – \(Format.price(hi))"))
            if let lo, let hi, hi > lo {
                let pos = (q.price - lo) / (hi - lo)
                lines.append(row("", ""))
                Gauge(fraction: pos, label: "", style: t.muted, barStyle: up ? t.bull : t.bear, glyphs: ctx.glyphs)
                    .render(
                        Rect(
                            x: inner.x + 14, y: inner.y + lines.count - 1, width: min(30, inner.width - 14), height: 1),
                        &buf)
            }
        }
        lines.append(row("Source", q.source))
        lines.append(row("As of", "\(Format.age(s.now.timeIntervalSince(q.asOf)))"))
        lines.append([])
        lines.append([("r refresh · c chart · ↑↓ other symbols", t.muted)])
        for (i, line) in lines.enumerated() where i < inner.height {
            var x = inner.x
            if line.count == 2, line[0].0.trimmingCharacters(in: .whitespaces).isEmpty, line[1].0.isEmpty { continue }
            for (text, style) in line {
                x += buf.put(text, x: x, y: inner.y + i, style: style, maxWidth: inner.maxX - x)
            }
        }
    }

    // MARK: - Popups

    static func help(scroll: Int, _ ctx: Context, _ screen: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let inner = Modal.frame(
            screen, width: min(110, screen.width - 4), height: screen.height - 2, title: "Keys · Esc closes",
            style: t.text, borderStyle: t.focus, glyphs: ctx.glyphs, &buf)
        var lines: [[(String, Style)]] = []
        var section = ""
        // Descriptions wrap under themselves (a hanging indent past the keys), within the scrollbar.
        let textWidth = max(10, inner.width - 19)
        for (sec, keys, text) in Keymap.helpLines() {
            if sec != section {
                if !section.isEmpty { lines.append([]) }
                lines.append([(sec, t.focus)])
                section = sec
            }
            var pieces: [String] = []
            for word in text.split(separator: " ") {
                if let last = pieces.last, DisplayWidth.of(last) + 1 + word.count <= textWidth {
                    pieces[pieces.count - 1] = last + " " + word
                } else {
                    pieces.append(String(word))
                }
            }
            for (k, piece) in pieces.enumerated() {
                lines.append([(DisplayWidth.pad(k == 0 ? keys : "", to: 18), t["accent"]), (piece, t.text)])
            }
        }
        lines.append([])
        lines.append([
            ("Commands (:) ", t.focus),
            (Commands.examples.joined(separator: " · "), t.muted),
        ])
        ScrollView(
            content: Paragraph(lines: lines, wrap: true, scroll: scroll), scrollbarStyle: t.muted, glyphs: ctx.glyphs
        ).render(inner, &buf)
    }

    static func palette(
        _ s: AppState, _ field: TextField, _ selected: Int, _ ctx: Context, _ screen: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let matches = Palette.matches(field.text, s)
        let height = min(screen.height - 4, min(12, matches.count) + 4)
        let inner = Modal.frame(
            Rect(x: screen.x, y: screen.y + 1, width: screen.width, height: height + 2),
            width: min(60, screen.width - 4),
            height: height, title: "Command", style: t.text, borderStyle: t.focus, glyphs: ctx.glyphs, &buf)
        buf.put(":", x: inner.x, y: inner.y, style: t.focus)
        field.render(
            Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: 1), &buf, style: t.text,
            cursorStyle: t.selection)
        ListView(
            items: matches, selected: matches.isEmpty ? nil : min(selected, matches.count - 1), style: t.muted,
            selectedStyle: t.selection
        )
        .render(inner.inset(top: 2), &buf)
    }

    static func search(
        _ s: AppState, _ field: TextField, _ selected: Int, _ adding: Bool, _ ctx: Context, _ screen: Rect,
        _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let matches = Search.matches(field.text, in: s.symbols)
        let inner = Modal.frame(
            screen, width: min(70, screen.width - 4), height: min(screen.height - 2, 18),
            title: adding ? "Add to watchlist" : "Search symbols", style: t.text, borderStyle: t.focus,
            glyphs: ctx.glyphs, &buf)
        buf.put("/", x: inner.x, y: inner.y, style: t.focus)
        field.render(
            Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: 1), &buf, style: t.text,
            cursorStyle: t.selection)
        if matches.isEmpty {
            buf.putWords(
                "no match — try part of the ticker or the company name", x: inner.x, y: inner.y + 2, style: t.muted,
                width: inner.width)
            return
        }
        // When adding, the symbols already on the watchlist are marked (and Enter says so).
        let listed = adding ? Set(s.watchlist) : []
        let mark = ctx.glyphs.unicode ? "✓" : "*"
        let rows: [[(String, Style?)]] = matches.map {
            [
                (listed.contains($0.symbol.rawValue) ? mark : " ", t["ok"]), ($0.symbol.rawValue, nil),
                ($0.name ?? "", nil), ($0.marketCap.map(Format.compact) ?? "", t.muted),
            ]
        }
        Table(
            columns: [
                Table.Column("", width: 1), Table.Column("SYMBOL", width: 7),
                Table.Column("NAME", width: max(8, inner.width - 2 - 7 - 8 - 2)), Table.Column("CAP", width: 6, .right),
            ],
            rows: rows, selected: min(selected, matches.count - 1), style: t.text, headerStyle: t.muted.adding(.bold),
            selectedStyle: t.selection
        )
        .render(inner.inset(top: 2), &buf)
    }
}
