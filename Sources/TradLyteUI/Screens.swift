import Foundation
import TermRender
import TradLyteCore

/// Draws the state into a buffer: the whole screen, headless-testable (a buffer
/// of cells that tests compare as golden text snapshots).
public enum Screens {
    public static let minWidth = 60
    public static let minHeight = 16
    /// Screen row of the first watchlist symbol (header, border, column titles above it).
    public static let watchlistTop = 3

    public static func watchlistWidth(_ width: Int) -> Int {
        width >= 160 ? 46 : width >= 120 ? 40 : width >= 100 ? 34 : 28
    }

    /// Columns the watchlist takes in this state: none when hidden (`\\`) or when the main
    /// pane is zoomed (`z`), the whole width when the watchlist itself is zoomed.
    public static func sidebarWidth(_ s: AppState) -> Int {
        if s.zoomed { return s.focus == .watchlist ? s.width : 0 }
        return s.watchlistHidden ? 0 : watchlistWidth(s.width)
    }

    /// Columns of the price plot (for pan and zoom limits).
    public static func chartColumns(_ s: AppState) -> Int {
        max(1, s.width - sidebarWidth(s) - 2 - PriceChart.axisWidth)
    }

    public struct Context {
        public var theme: Theme
        public var glyphs: Glyphs
        public var calendar: TradingCalendar
        public init(theme: Theme, glyphs: Glyphs, calendar: TradingCalendar = .nyse) {
            self.theme = theme
            self.glyphs = glyphs
            self.calendar = calendar
        }
    }

    public static func render(_ s: AppState, _ ctx: Context) -> Buffer {
        var buf = Buffer(width: s.width, height: s.height, fill: Cell(" ", style: ctx.theme.text))
        guard s.width >= minWidth, s.height >= minHeight else {
            tooSmall(s, ctx, &buf)
            return buf
        }
        let rows = Layout.split(buf.area, .vertical, [.length(1), .fill, .length(1)])
        header(s, ctx, rows[0], &buf)
        let sidebar = sidebarWidth(s)
        let cols = Layout.split(rows[1], .horizontal, [.length(sidebar), .fill])
        if sidebar > 0 { watchlist(s, ctx, cols[0], &buf) }
        switch s.pane {
        case _ where sidebar >= s.width: break
        case .chart: chartPane(s, ctx, cols[1], &buf)
        case .quote: quotePane(s, ctx, cols[1], &buf)
        case .backtest: backtestPane(s, ctx, cols[1], &buf)
        case .picks: picksPane(s, ctx, cols[1], &buf)
        case .alerts: alertsPane(s, ctx, cols[1], &buf)
        case .pipeline: pipelinePane(s, ctx, cols[1], &buf)
        case .strategies: composerPane(s, ctx, cols[1], &buf)
        }
        statusLine(s, ctx, rows[2], &buf)
        if let failed = s.failedBanner {
            // On every screen until acknowledged.
            let text = " ✖ \(failed) — ! acknowledges, P shows the run "
            let banner = ctx.glyphs.unicode ? text : text.replacingOccurrences(of: "✖", with: "x")
            buf.put(DisplayWidth.pad(banner, to: buf.width), x: 0, y: rows[1].y, style: ctx.theme["error"])
        }
        switch s.overlay {
        case .help(let scroll)?: help(scroll: scroll, ctx, buf.area, &buf)
        case .palette(let field, let selected)?: palette(s, field, selected, ctx, buf.area, &buf)
        case .search(let field, let selected, let adding)?: search(s, field, selected, adding, ctx, buf.area, &buf)
        case .settings(let row, let field)?: settings(s, row: row, field, ctx, buf.area, &buf)
        case .filter(let field)?:
            // The filter line over the footer: what is typed filters the list above as you type.
            let y = buf.area.maxY - 1
            buf.put(String(repeating: " ", count: buf.area.width), x: 0, y: y, style: ctx.theme.text)
            buf.put("/", x: 0, y: y, style: ctx.theme.focus)
            let hint = "  Enter keeps · Esc clears"
            let width = max(1, buf.area.width - 1 - DisplayWidth.of(hint))
            field.render(
                Rect(x: 1, y: y, width: width, height: 1), &buf, style: ctx.theme.text,
                cursorStyle: ctx.theme.selection)
            buf.put(hint, x: 1 + width, y: y, style: ctx.theme.muted)
        case nil: break
        }
        // ASCII terminals: the screens' own typographic characters become ASCII too.
        if !ctx.glyphs.unicode { buf.replaceSymbols(Glyphs.asciiStandIns) }
        return buf
    }

    static func tooSmall(_ s: AppState, _ ctx: Context, _ buf: inout Buffer) {
        let lines = [
            "Terminal too small: \(s.width)×\(s.height)", "TradLyte needs at least \(minWidth)×\(minHeight).",
            "Enlarge the window, or press q to quit.",
        ]
        let top = max(0, (s.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let text = DisplayWidth.truncate(line, to: s.width, ellipsis: ctx.glyphs.ellipsis)
            buf.put(
                text, x: max(0, (s.width - DisplayWidth.of(text)) / 2), y: top + i,
                style: i == 0 ? ctx.theme["warn"].adding(.bold) : ctx.theme.text)
        }
    }

    /// The account settings popup: each field with its value (or the strategy's own), the row
    /// being edited, and what the studies will use.
    static func settings(
        _ s: AppState, row: Int, _ field: TextField, _ ctx: Context, _ screen: Rect, _ buf: inout Buffer
    ) {
        let t = ctx.theme
        let inner = Modal.frame(
            screen, width: min(64, screen.width - 2), height: min(screen.height - 2, 10), title: "Account settings",
            style: t.text, borderStyle: t.focus, glyphs: ctx.glyphs, &buf)
        for (k, f) in AccountSettings.fields.enumerated() where k + 1 < inner.height {
            let y = inner.y + k
            buf.putWords(f.label, x: inner.x, y: y, style: k == row ? t.focus.adding(.bold) : t.text, width: 27)
            let x = inner.x + 28
            let width = max(1, inner.maxX - x)
            if k == row {
                field.render(Rect(x: x, y: y, width: width, height: 1), &buf, style: t.text, cursorStyle: t.selection)
            } else {
                let value = s.account.value(f.name).map { NumberText.shortest($0) } ?? "the strategy's"
                buf.putWords(value, x: x, y: y, style: t.muted, width: width)
            }
        }
        let note = "Used by b, w, h, f and P, and shown in their titles. An empty value is the strategy's own."
        buf.putWrapped(note, in: Rect(x: inner.x, y: inner.y + 4, width: inner.width, height: 2), style: t.muted)
        if inner.height >= 8 {
            buf.putWords(
                StatusLine.whole("↑↓ field · Enter apply · Esc close", width: inner.width), x: inner.x,
                y: inner.maxY - 1, style: t.muted, width: inner.width)
        }
    }

    // MARK: - Header and status

    /// "open", "pre-market", "after hours" or "closed" at `now`, with the clock in ET.
    public static func marketStatus(_ now: Date, calendar: TradingCalendar) -> (String, String) {
        let local = NewYorkTime.local(at: now)
        let minute = local.secondOfDay / 60
        let clock = Format.clock(now)
        guard let index = calendar.sessionIndex(local.date) else { return ("market closed", clock) }
        let open = calendar.openMinute(ofSessionAt: index)
        let close = calendar.closeMinute(ofSessionAt: index)
        if minute >= open && minute < close { return ("market open", clock) }
        if minute >= 240 && minute < open { return ("pre-market", clock) }
        if minute >= close && minute < 20 * 60 { return ("after hours", clock) }
        return ("market closed", clock)
    }

    static func header(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        buf.fill(area, with: Cell(" ", style: t["header"]))
        // The right side (freshness, alerts, DEMO) is never cut; the left side gives way.
        var right: [(String, Style)] = []
        if let d = s.dataThrough {
            right.append((" data \(d) ", t["header"]))
        } else {
            right.append((" no data ", t["header"].patched(t["warn"])))
        }
        if let r = s.refresh, r.running {
            let stage = r.stages.last { $0.status == "running" }
            let progress =
                stage.map { st -> String in
                    guard st.total > 0 else { return " \(st.name)" }
                    // The ETA comes from the observed pace (never faster than the plan allows).
                    let eta = st.eta.map { $0 >= 1 ? " ETA \(DurationText.short($0))" : "" } ?? ""
                    return " \(st.name) \(st.done)/\(st.total)\(eta)"
                } ?? ""
            right.append((" \(ctx.glyphs.unicode ? "⟳" : "*") refreshing\(progress) ", t["header"].patched(t["warn"])))
        }
        if s.unreadAlerts > 0 {
            right.append((" \(ctx.glyphs.unicode ? "✉" : "@") \(s.unreadAlerts) ", t["header"].patched(t["warn"])))
        }
        if s.demo { right.append((" DEMO ", t["badge"])) }
        let width = right.reduce(0) { $0 + DisplayWidth.of($1.0) }
        let (status, clock) = marketStatus(s.now, calendar: ctx.calendar)
        // The longest of these that fits whole ("market open ·…" was cut during a refresh).
        let room = max(0, area.width - width - 1)
        let left =
            [
                " TradLyte │ \(status) · \(s.now.formattedDay) \(clock)", " \(status) · \(s.now.formattedDay) \(clock)",
                " \(status) · \(clock)", " \(clock)",
            ].first { DisplayWidth.of($0) <= room } ?? ""
        buf.put(left, x: area.x, y: area.y, style: t["header"])
        var rx = max(area.x, area.maxX - width)
        for (text, style) in right { rx += buf.put(text, x: rx, y: area.y, style: style, maxWidth: area.maxX - rx) }
    }

    static func statusLine(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let hints: String =
            switch (s.overlay, s.pane) {
            case (.help?, _): "Esc close · ↑↓ scroll · PgUp/PgDn page"
            case (.palette?, _): "Esc close · Enter run · Tab complete · ↑↓ select"
            case (.search(_, _, let adding)?, _): "Esc close · Enter \(adding ? "add" : "chart") · ↑↓ select"
            case (_, .backtest) where s.portfolio != nil:
                "↑↓ trades · Enter chart · ←→ day · v statistics · e export · Esc back"
            case (_, .backtest) where s.study?.kind == .sweep:
                "←→↑↓ cell · m metric · a best · Space cell · x pair · e export · Esc back"
            case (_, .backtest) where s.study != nil: "↑↓ rows · e export · Esc back"
            case (_, .backtest):
                "↑↓ trades · Enter chart · v view · e export · h sweep · f walk-fwd · n/N strategy · b rerun"
            case (_, .picks): "↑↓ select · Enter chart · f filter · r rescan · Esc back"
            case (_, .alerts): "↑↓ select · m read · M all read · Enter chart · Esc back"
            case (_, .pipeline): "↑↓ runs · R refresh · x cancel · Esc back"
            case (_, .strategies):
                s.composer.draft == nil
                    ? "↑↓ select · Enter edit · n new · b backtest · Esc back"
                    : "editing: Tab fields · Ctrl-S save · F5 preview · Esc done"
            default: "? help · / search · : commands · 1-7 interval · b backtest · q quit"
            }
        var left: [(String, Style)] = []
        if let m = s.message {
            let style = m.level == .error ? t["error"] : m.level == .warn ? t.muted.patched(t["warn"]) : t.text
            // The message's end is cut (with an ellipsis), never its start.
            let text = DisplayWidth.truncate(" " + m.text + " ", to: area.width, ellipsis: ctx.glyphs.ellipsis)
            left.append((text, style))
        } else if let sym = s.currentSymbol, s.loading.contains(sym) {
            left.append((" loading \(sym)… ", t.muted))
        }
        StatusLine(left: left, right: hints + " ", style: t.muted).render(area, &buf)
    }

    // MARK: - Watchlist

    static func watchlist(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let focused = s.focus == .watchlist
        let block = Block(
            title: "Watchlist" + (s.sort == .manual ? "" : " · \(s.sort.rawValue)"),
            style: focused ? t.focus : t.border,
            titleStyle: focused ? t.focus : t.border.patched(t.text), glyphs: ctx.glyphs)
        block.render(area, &buf)
        let inner = block.inner(area)
        guard !inner.isEmpty else { return }
        // Configured symbols the store does not hold yet are listed too: "loading…" while a
        // refresh runs, else what brings them.
        let known = Set(s.watchlist)
        let pending = s.configuredWatchlist.filter { !known.contains($0) }
        let waiting = s.refresh?.running == true ? "loading…" : "no data"
        if s.watchlist.isEmpty && pending.isEmpty {
            Paragraph("Empty. Press a to add a symbol, / to search.", style: t.muted).render(inner, &buf)
            return
        }
        // Columns that fit: symbol, last, change %, then change and the sparkline when wide.
        // During the session on a plan with snapshots, LAST is the latest snapshot, labelled.
        let snapshot = s.watchlist.contains { s.sessionQuote($0) != nil }
        let lastTitle =
            snapshot
            ? (s.watchlist.contains { s.sessionQuote($0)?.source.hasPrefix("live") == true }
                ? "LIVE" : "DELAYED") : "LAST"
        var columns = [
            Table.Column("SYM", width: 6), Table.Column(lastTitle, width: 8, .right),
            Table.Column("CHG%", width: 7, .right),
        ]
        var used = 6 + 8 + 7 + 3
        let showChange = inner.width - used >= 7 + 1 + 12
        if showChange {
            columns.insert(Table.Column("CHG", width: 6, .right), at: 2)
            used += 7
        }
        let sparkWidth = inner.width - used - 1
        if sparkWidth >= 4 { columns.append(Table.Column("30d", width: sparkWidth)) }
        let rows: [[(String, Style?)]] = s.sortedWatchlist.map { sym in
            let series = s.series[sym]
            // A delisted symbol is marked and greyed: its last price is history, not a quote.
            let delisted = s.info(sym).map { !$0.active || $0.delistDate != nil } ?? false
            let quote = delisted ? nil : s.sessionQuote(sym)
            let change =
                quote.map { q in q.change.flatMap { c in q.changePercent.map { (c, $0) } } } ?? s.dayChange(sym)
            let style = delisted ? t.muted : change.map { $0.0 >= 0 ? t.bull : t.bear }
            let mark = ctx.glyphs.unicode ? "†" : "*"
            var row: [(String, Style?)] = [
                (delisted ? sym + mark : sym, delisted ? t.muted : nil),
                (Format.price(quote?.price ?? series?.close.last), delisted ? t.muted : nil),
            ]
            if showChange { row.append((delisted ? "" : Format.signed(change?.0), style)) }
            let percent = series == nil ? (s.loading.contains(sym) ? "…" : "") : Format.percent(change?.1)
            row.append((delisted ? "delist" : percent, style))
            if sparkWidth >= 4, let series {
                row.append(
                    (Sparkline.text(Array(series.close.suffix(30)), width: sparkWidth, glyphs: ctx.glyphs), style))
            }
            return row
        }
        let pendingRows: [[(String, Style?)]] = pending.map { sym in
            [(sym, t.muted), (waiting, t.muted)] + Array(repeating: ("", t.muted), count: columns.count - 2)
        }
        Table(
            columns: columns, rows: rows + pendingRows, selected: s.current == nil && !rows.isEmpty ? s.selected : nil,
            style: t.text,
            headerStyle: t.muted.adding(.bold), selectedStyle: t.selection
        ).render(inner, &buf)
    }

}

extension Date {
    /// "Thu 26 Nov" in New York.
    var formattedDay: String {
        let d = NewYorkTime.local(at: self).date
        let p = d.parts
        return "\(d.weekdayName.prefix(3)) \(p.day) \(Format.months[p.month - 1])"
    }
}
