import TermRender
import TradLyteCore

extension Screens {
    static func composerPane(_ s: AppState, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let c = s.composer
        let title =
            c.draft.map { "Strategy composer · editing \($0.text(.id))\($0.isDirty ? " *" : "")" }
            ?? "Strategy composer"
        let inner = paneBlock(title, s, ctx, area, &buf)
        guard inner.height >= 6, inner.width >= 40 else { return }
        let (broken, mine) = ctx.glyphs.unicode ? (" ⚠", " ✎") : (" !", " *")
        let items = c.entries.map { e in e.id + (e.strategy == nil ? broken : (e.builtIn ? "" : mine)) }
        // As wide as the longest id (so none is cut), up to two fifths of the pane.
        let longest = items.map { DisplayWidth.of($0) }.max() ?? 12
        // While a draft is edited on a narrow pane, the form takes the width.
        let listWidth = c.draft != nil && inner.width < 90 ? 0 : min(max(12, longest + 1), inner.width * 2 / 5)
        let cols = Layout.split(inner, .horizontal, [.length(listWidth), .length(listWidth > 0 ? 1 : 0), .fill])
        if listWidth > 0 {
            ListView(
                items: items, selected: c.draft == nil ? c.selected : nil, style: t.text, selectedStyle: t.selection
            ).render(cols[0], &buf)
            for y in cols[1].y..<cols[1].maxY { buf.set(cols[1].x, y, ctx.glyphs.vertical, t.border) }
        }
        let right = listWidth > 0 ? cols[2].inset(left: 1) : cols[2]
        if let draft = c.draft {
            form(draft, ctx, right, &buf)
            if draft.confirmingDiscard {
                let box = Modal.frame(
                    right, width: 44, height: 5, title: "Unsaved changes", style: t.text, borderStyle: t["warn"],
                    glyphs: ctx.glyphs, &buf)
                buf.putWords(
                    "Drop your changes? y drops, any other key keeps", x: box.x, y: box.y + 1, style: t.text,
                    width: box.width)
            }
            return
        }
        guard c.entries.indices.contains(c.selected) else {
            Paragraph("No strategies loaded.", style: t.muted).render(right, &buf)
            return
        }
        let e = c.entries[c.selected]
        var lines: [[(String, Style)]] = [
            [(e.id, t.text.adding(.bold)), (e.builtIn ? "  built-in" : "  yours", t.muted)]
        ]
        if let st = e.strategy {
            lines.append([(st.name + " — " + st.description, t.text)])
            lines.append([])
            lines.append([
                ("interval ", t.muted), (st.interval.description, t.text), ("  direction ", t.muted),
                (st.direction.rawValue, t.text),
            ])
            if let setup = st.setup { lines.append([("setup    ", t.muted), (setup.rule, t.text)]) }
            lines.append([
                ("trigger  ", t.muted), (st.trigger.rule, t.text), ("  → \(st.trigger.action.rawValue)", t.muted),
            ])
            if let exit = st.exit.rule { lines.append([("exit     ", t.muted), (exit.rule, t.text)]) }
        } else {
            lines.append([("does not load: ", t["error"]), (e.problem ?? "", t.text)])
        }
        lines.append([])
        lines.append([
            (
                "Enter edit\(e.builtIn ? " (saved as your copy)" : "") · n new from this · b backtest it · F5 in the form previews",
                t.muted
            )
        ])
        Paragraph(lines: lines, wrap: true).render(right, &buf)
    }

    /// The form: a row per field, the focused one editable; every problem under its field
    /// with a caret at the column it concerns.
    static func form(_ d: StrategyDraft, _ ctx: Context, _ area: Rect, _ buf: inout Buffer) {
        let t = ctx.theme
        let labelWidth = 15
        let validation = d.compile()
        var problems: [StrategyDraft.Field: [StrategyDraft.Problem]] = [:]
        if case .invalid(let list) = validation { for p in list { problems[p.field, default: []].append(p) } }
        var y = area.y
        let fieldWidth = max(10, area.width - labelWidth)
        // Keep the focused field on screen: skip rows from the top when the form is taller.
        let fields = StrategyDraft.Field.allCases
        let rowsNeeded = fields.count + problems.values.reduce(0) { $0 + $1.count } + 3
        var skip = 0
        if rowsNeeded > area.height, let fi = fields.firstIndex(of: d.focused) {
            skip = max(0, min(fi - 2, rowsNeeded - area.height))
        }
        for (n, f) in fields.enumerated() where n >= skip {
            guard y < area.maxY - 3 else { break }
            let focused = f == d.focused
            buf.put(DisplayWidth.pad(f.label, to: labelWidth - 1), x: area.x, y: y, style: focused ? t.focus : t.muted)
            let field = d.fields[f] ?? TextField()
            let rect = Rect(x: area.x + labelWidth, y: y, width: fieldWidth, height: 1)
            if focused {
                field.render(rect, &buf, style: t.text.adding(.underline), cursorStyle: t.selection)
            } else {
                buf.put(
                    DisplayWidth.truncate(field.text, to: fieldWidth, ellipsis: ctx.glyphs.ellipsis), x: rect.x, y: y,
                    style: problems[f] == nil ? t.text : t.bear)
            }
            y += 1
            for p in problems[f] ?? [] where y < area.maxY - 3 {
                // The caret sits under the column the problem concerns, in the field as scrolled; a
                // column scrolled out of view gets an arrow at the edge it lies beyond.
                let shown = p.column - (focused ? field.scrollStart(width: fieldWidth) : 0)
                let col = min(max(0, shown), max(0, fieldWidth - 1))
                let mark = shown < 0 ? "◂" : shown >= fieldWidth ? "▸" : "^"
                let caret =
                    String(repeating: " ", count: col) + mark
                    + String(repeating: "~", count: mark == "^" ? max(0, min(p.length, fieldWidth - col) - 1) : 0)
                buf.put(caret, x: rect.x, y: y, style: t.bear.adding(.bold), maxWidth: fieldWidth)
                let msgX = rect.x + min(fieldWidth - 1, caret.count + 1)
                if area.maxX - msgX >= min(DisplayWidth.of(p.message), 40) {
                    buf.putWords(p.message, x: msgX, y: y, style: t.bear, width: max(0, area.maxX - msgX))
                } else if y + 1 < area.maxY - 3 {
                    // Too little room beside the caret: the message goes on its own line.
                    y += 1
                    buf.putWords(p.message, x: rect.x, y: y, style: t.bear, width: fieldWidth)
                }
                y += 1
            }
        }
        // Hint, completions, validity.
        var status: [(String, Style)] = []
        switch validation {
        case .valid: status.append(((ctx.glyphs.unicode ? "✓" : "OK:") + " valid", t["ok"]))
        case .invalid(let list):
            status.append(
                ((ctx.glyphs.unicode ? "✖" : "x") + " \(list.count) problem\(list.count == 1 ? "" : "s")", t.bear))
        }
        // The keys as whole items, as many as the width left by the verdict holds.
        let verdictWidth = status.reduce(0) { $0 + DisplayWidth.of($1.0) }
        let keys = StatusLine.whole(
            "Tab next · Ctrl-S save · Ctrl-Space complete · F5 preview · Esc done", width: area.width - verdictWidth - 2
        )
        if !keys.isEmpty { status.append(("  " + keys, t.muted)) }
        let hintY = area.maxY - 3
        buf.putWords(d.focused.hint, x: area.x, y: hintY, style: t.muted, width: area.width)
        let completions = d.completions().candidates
        if !completions.isEmpty {
            buf.putWords(
                "→ " + completions.prefix(10).joined(separator: " "), x: area.x, y: hintY + 1, style: t["accent"],
                width: area.width)
        }
        var x = area.x
        for (text, style) in status where x < area.maxX {
            x += buf.put(text, x: x, y: area.maxY - 1, style: style, maxWidth: area.maxX - x)
        }
    }
}
