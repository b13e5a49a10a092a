/// Widgets draw into a region of a buffer; they hold no terminal and do no I/O.
public protocol Widget {
    func render(_ area: Rect, _ buffer: inout Buffer)
}

/// A border with an optional title; `inner` is the area left for content.
public struct Block: Widget {
    public var title: String?
    public var style: Style
    public var titleStyle: Style
    public var glyphs: Glyphs

    /// A title that fits: whole " · " items from the first, then " …" when some are left out
    /// (a range's dates or the account were cut mid-number); a name that does not fit whole (an
    /// item without digits) is abbreviated into what is left.
    public static func fitted(_ title: String, to width: Int, ellipsis: String = "…") -> String {
        if DisplayWidth.of(title) <= width { return title }
        let kept = StatusLine.whole(title, width: width - 1 - DisplayWidth.of(ellipsis))
        if kept.isEmpty { return DisplayWidth.truncate(title, to: width, ellipsis: ellipsis) }
        // The next item, when it is a name (no digit), abbreviated into the room left.
        let items = title.split(separator: " · ").map(String.init)
        let next = items[kept.split(separator: " · ").count]
        let room = width - DisplayWidth.of(kept + " · ")
        if !next.contains(where: { $0.isNumber }), room >= 10 {
            // By whole words ("all strategies …"), unless the word that does not fit is a long
            // identifier (a file id: "editing my_donchian_breakou…" says more than "editing …").
            let cut = DisplayWidth.truncate(next, to: room, ellipsis: ellipsis)
            let cutWord = next.split(separator: " ").first { !cut.contains($0) }
            let identifier = (cutWord?.count ?? 0) >= 12
            return kept + " · " + (identifier ? cut : DisplayWidth.fitWords(next, to: room, ellipsis: ellipsis))
        }
        return kept + " " + ellipsis
    }

    public init(title: String? = nil, style: Style, titleStyle: Style? = nil, glyphs: Glyphs = .unicode) {
        self.title = title
        self.style = style
        self.titleStyle = titleStyle ?? style
        self.glyphs = glyphs
    }

    public func inner(_ area: Rect) -> Rect { area.inset(by: 1) }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        guard area.width >= 2, area.height >= 2 else { return }
        let g = glyphs
        for x in area.x + 1..<area.maxX - 1 {
            buffer.set(x, area.y, g.horizontal, style)
            buffer.set(x, area.maxY - 1, g.horizontal, style)
        }
        for y in area.y + 1..<area.maxY - 1 {
            buffer.set(area.x, y, g.vertical, style)
            buffer.set(area.maxX - 1, y, g.vertical, style)
        }
        buffer.set(area.x, area.y, g.topLeft, style)
        buffer.set(area.maxX - 1, area.y, g.topRight, style)
        buffer.set(area.x, area.maxY - 1, g.bottomLeft, style)
        buffer.set(area.maxX - 1, area.maxY - 1, g.bottomRight, style)
        if let title, area.width > 4 {
            buffer.put(
                " " + Block.fitted(title, to: area.width - 4, ellipsis: g.ellipsis) + " ", x: area.x + 1,
                y: area.y,
                style: titleStyle, maxWidth: area.width - 2)
        }
    }
}

/// Wrapped or clipped lines of styled text, with a vertical scroll offset. It draws only its
/// text (cells past a line's end keep what was there), so it can be layered over a fill.
public struct Paragraph: Widget {
    /// Each line is a list of (text, style) spans.
    public var lines: [[(String, Style)]]
    public var wrap: Bool
    public var scroll: Int
    public var alignment: Alignment

    public init(lines: [[(String, Style)]], wrap: Bool = false, scroll: Int = 0, alignment: Alignment = .left) {
        self.lines = lines
        self.wrap = wrap
        self.scroll = scroll
        self.alignment = alignment
    }

    public init(_ text: String, style: Style, wrap: Bool = true) {
        self.init(
            lines: text.split(separator: "\n", omittingEmptySubsequences: false).map { [(String($0), style)] },
            wrap: wrap)
    }

    /// Lines after wrapping at word boundaries to `width`.
    public func laidOut(width: Int) -> [[(String, Style)]] {
        guard wrap, width > 0 else { return lines }
        var out: [[(String, Style)]] = []
        for line in lines {
            var current: [(String, Style)] = []
            var used = 0
            for (text, style) in line {
                for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init).enumerated() {
                    var piece = (word.offset > 0 ? " " : "") + word.element
                    var w = DisplayWidth.of(piece)
                    if used + w > width && used > 0 {
                        out.append(current)
                        current = []
                        used = 0
                        piece = word.element
                        w = DisplayWidth.of(piece)
                    }
                    while w > width {  // a word longer than the line is cut
                        let (head, hw) = DisplayWidth.prefix(piece, fitting: width - used)
                        current.append((head, style))
                        out.append(current)
                        current = []
                        used = 0
                        piece = String(piece.dropFirst(head.count))
                        w -= hw
                    }
                    current.append((piece, style))
                    used += w
                }
            }
            out.append(current)
        }
        return out
    }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        let all = laidOut(width: area.width)
        for (row, line) in all.dropFirst(max(0, scroll)).prefix(area.height).enumerated() {
            let w = line.reduce(0) { $0 + DisplayWidth.of($1.0) }
            var x =
                area.x
                + (alignment == .right
                    ? max(0, area.width - w) : alignment == .center ? max(0, (area.width - w) / 2) : 0)
            for (text, style) in line {
                x += buffer.put(text, x: x, y: area.y + row, style: style, maxWidth: area.maxX - x)
            }
        }
    }
}

/// Rows and columns with alignment, a header and an optional selected row kept in view.
public struct Table: Widget {
    public struct Column: Sendable {
        public var title: String
        public var width: Int
        public var alignment: Alignment
        /// Which columns go first when the width is short: the highest `priority` number (nil:
        /// the column's position, so the rightmost goes first).
        public var priority: Int?
        public init(_ title: String, width: Int, _ alignment: Alignment = .left, priority: Int? = nil) {
            self.title = title
            self.width = width
            self.alignment = alignment
            self.priority = priority
        }
    }

    public var columns: [Column]
    /// Cells as (text, style); a nil style uses `style`.
    public var rows: [[(String, Style?)]]
    public var selected: Int?
    public var style: Style, headerStyle: Style, selectedStyle: Style
    public var offset: Int

    public init(
        columns: [Column], rows: [[(String, Style?)]], selected: Int? = nil, style: Style, headerStyle: Style,
        selectedStyle: Style, offset: Int = 0
    ) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.style = style
        self.headerStyle = headerStyle
        self.selectedStyle = selectedStyle
        self.offset = offset
    }

    /// How many of `columns`, from the first, fit in `width` cells with the one-cell gaps.
    public static func fitting(_ columns: [Column], width: Int) -> Int {
        var used = 0
        return columns.prefix { c in
            defer { used += c.width + 1 }
            return used + c.width <= width
        }.count
    }

    /// The first row shown so that `selected` is visible in `height` rows.
    public static func scrollOffset(selected: Int?, current: Int, visible: Int) -> Int {
        guard let s = selected, visible > 0 else { return max(0, current) }
        if s < current { return s }
        if s >= current + visible { return s - visible + 1 }
        return max(0, current)
    }

    /// The width each column gets in `width` cells (0: left out). A column is drawn whole or not
    /// at all (no number is cut at the border), the least important going first; a last free-text
    /// column's width is its least: it takes what is left and shows whole words.
    public static func widths(_ columns: [Column], width: Int) -> [Int] {
        var kept = Array(columns.indices)
        func rank(_ i: Int) -> Int { columns[i].priority ?? i }
        func need(_ idx: [Int]) -> Int { idx.reduce(0) { $0 + columns[$1].width } + max(0, idx.count - 1) }
        let free = columns.indices.last.flatMap { columns[$0].alignment == .left ? $0 : nil }
        while !kept.isEmpty {
            if need(kept) <= width { break }
            kept.remove(at: kept.indices.max { rank(kept[$0]) < rank(kept[$1]) }!)
        }
        var out = columns.map { _ in 0 }
        for i in kept { out[i] = columns[i].width }
        if let f = free, kept.last == f { out[f] = max(0, width - need(kept.dropLast()) - (kept.count > 1 ? 1 : 0)) }
        return out
    }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let widths = Table.widths(columns, width: area.width)
        func draw(_ cells: [(String, Style?)], y: Int, rowStyle: Style?) {
            var x = area.x
            for (i, w) in widths.enumerated() where w > 0 && x < area.maxX {
                let col = columns[i]
                let (text, s) = i < cells.count ? cells[i] : ("", nil)
                let base = s ?? style
                let fitted = col.alignment == .left ? DisplayWidth.fitWords(text, to: w) : text
                buffer.put(
                    DisplayWidth.pad(fitted, to: w, alignment: col.alignment), x: x, y: y,
                    style: rowStyle.map { base.patched($0) } ?? base)
                x += w
                if x < area.maxX {
                    buffer.put(" ", x: x, y: y, style: rowStyle ?? style)
                    x += 1
                }
            }
            if let rowStyle, x < area.maxX {
                buffer.put(String(repeating: " ", count: area.maxX - x), x: x, y: y, style: rowStyle)
            }
        }
        draw(columns.map { ($0.title, headerStyle) }, y: area.y, rowStyle: nil)
        if widths.contains(0), area.width >= 2, buffer[area.maxX - 1, area.y].symbol == " ",
            buffer[area.maxX - 2, area.y].symbol == " "
        {
            // Columns left out for want of width: the header's last free cell says more exists.
            buffer.put("…", x: area.maxX - 1, y: area.y, style: headerStyle)
        }
        let visible = area.height - 1
        let first = Table.scrollOffset(selected: selected, current: offset, visible: visible)
        for (k, row) in rows.dropFirst(first).prefix(visible).enumerated() {
            let index = first + k
            draw(row, y: area.y + 1 + k, rowStyle: index == selected ? selectedStyle : nil)
        }
    }
}

/// A selectable list of lines.
public struct ListView: Widget {
    public var items: [String]
    public var selected: Int?
    public var style: Style, selectedStyle: Style
    public init(items: [String], selected: Int?, style: Style, selectedStyle: Style) {
        self.items = items
        self.selected = selected
        self.style = style
        self.selectedStyle = selectedStyle
    }
    public func render(_ area: Rect, _ buffer: inout Buffer) {
        let first = Table.scrollOffset(selected: selected, current: 0, visible: area.height)
        for (k, item) in items.dropFirst(first).prefix(area.height).enumerated() {
            let s = first + k == selected ? selectedStyle : style
            buffer.put(DisplayWidth.pad(item, to: area.width), x: area.x, y: area.y + k, style: s)
        }
    }
}

/// A row of tab titles with the active one highlighted.
public struct Tabs: Widget {
    public var titles: [String]
    public var active: Int
    public var style: Style, activeStyle: Style
    public init(titles: [String], active: Int, style: Style, activeStyle: Style) {
        self.titles = titles
        self.active = active
        self.style = style
        self.activeStyle = activeStyle
    }
    public func render(_ area: Rect, _ buffer: inout Buffer) {
        var x = area.x
        for (i, t) in titles.enumerated() where x < area.maxX {
            x += buffer.put(
                " \(t) ", x: x, y: area.y, style: i == active ? activeStyle : style, maxWidth: area.maxX - x)
        }
    }
}

/// A progress bar with a label, in whole and eighth cells.
public struct Gauge: Widget {
    public var fraction: Double
    public var label: String
    public var style: Style, barStyle: Style
    public var glyphs: Glyphs
    public init(fraction: Double, label: String, style: Style, barStyle: Style, glyphs: Glyphs = .unicode) {
        self.fraction = fraction
        self.label = label
        self.style = style
        self.barStyle = barStyle
        self.glyphs = glyphs
    }
    public func render(_ area: Rect, _ buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let cells = f * Double(area.width)
        let full = Int(cells)
        for x in 0..<area.width {
            let glyph: String
            if x < full {
                glyph = glyphs.gaugeFull
            } else if x == full, glyphs.unicode, Int((cells - Double(full)) * 8) > 0 {
                glyph = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"][min(6, Int((cells - Double(full)) * 8) - 1)]
            } else {
                glyph = glyphs.gaugeEmpty
            }
            buffer.set(area.x + x, area.y, glyph, x < full ? barStyle : style)
        }
        let text = DisplayWidth.truncate(label, to: area.width)
        buffer.put(text, x: area.x + (area.width - DisplayWidth.of(text)) / 2, y: area.y, style: style.adding(.bold))
    }
}

/// Values as eighth-block columns, scaled between their min and max, right-aligned.
public struct Sparkline: Widget {
    public var values: [Double]
    public var style: Style
    public var glyphs: Glyphs
    public init(values: [Double], style: Style, glyphs: Glyphs = .unicode) {
        self.values = values
        self.style = style
        self.glyphs = glyphs
    }

    /// The eighth-block level (0…7) of each column, `width` columns at most: with more values
    /// than columns, each column shows the last value of its share of them. Non-finite values
    /// are skipped; a flat series sits in the middle.
    public static func levels(_ values: [Double], width: Int) -> [Int] {
        let all = values.filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max(), width > 0 else { return [] }
        let n = min(width, all.count)
        return (0..<n).map { i in
            let v = all[(i + 1) * all.count / n - 1]
            return hi > lo ? Int(((v - lo) / (hi - lo) * 7).rounded()) : 3
        }
    }

    /// The sparkline as text, for a line of output.
    public static func text(_ values: [Double], width: Int, glyphs: Glyphs = .unicode) -> String {
        levels(values, width: width).map { glyphs.eighths[$0] }.joined()
    }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        let levels = Self.levels(values, width: area.width)
        for (i, level) in levels.enumerated() {
            buffer.set(area.x + area.width - levels.count + i, area.y, glyphs.eighths[level], style)
        }
    }
}

/// Editable single-line text with a cursor (in characters).
public struct TextField: Sendable, Equatable {
    public var text: String
    public var cursor: Int

    public init(_ text: String = "") {
        self.text = text
        cursor = text.count
    }

    public enum Edit: Sendable {
        case insert(Character)
        case backspace, delete, left, right, home, end, wordBack, killToEnd, killToStart
    }

    public mutating func apply(_ edit: Edit) {
        var chars = Array(text)
        switch edit {
        case .insert(let c):
            chars.insert(c, at: cursor)
            cursor += 1
        case .backspace:
            if cursor > 0 {
                chars.remove(at: cursor - 1)
                cursor -= 1
            }
        case .delete: if cursor < chars.count { chars.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = chars.count
        case .wordBack:
            var i = cursor
            while i > 0 && chars[i - 1] == " " { i -= 1 }
            while i > 0 && chars[i - 1] != " " { i -= 1 }
            chars.removeSubrange(i..<cursor)
            cursor = i
        case .killToEnd: chars.removeSubrange(cursor...)
        case .killToStart:
            chars.removeSubrange(..<cursor)
            cursor = 0
        }
        text = String(chars)
    }

    /// Draws the text scrolled so the cursor is visible; the cursor cell is reversed.
    /// The first character shown in `width` columns: the text scrolls so the cursor stays visible.
    public func scrollStart(width: Int) -> Int {
        let chars = Array(text)
        var start = 0
        while DisplayWidth.of(String(chars[start..<cursor])) >= width && start < cursor { start += 1 }
        return start
    }

    public func render(_ area: Rect, _ buffer: inout Buffer, style: Style, cursorStyle: Style) {
        guard !area.isEmpty else { return }
        let chars = Array(text)
        let start = scrollStart(width: area.width)
        let visible = String(chars[start...])
        buffer.put(DisplayWidth.pad(visible, to: area.width), x: area.x, y: area.y, style: style)
        let cx = area.x + DisplayWidth.of(String(chars[start..<cursor]))
        if cx < area.maxX {
            let under = cursor < chars.count ? String(chars[cursor]) : " "
            buffer.put(under, x: cx, y: area.y, style: cursorStyle)
        }
    }
}

/// Clears a centred area and frames it: the base of dialogs, the help overlay and the palette.
public struct Modal {
    public static func frame(
        _ screen: Rect, width: Int, height: Int, title: String, style: Style, borderStyle: Style,
        glyphs: Glyphs, _ buffer: inout Buffer
    ) -> Rect {
        let area = screen.centered(width: width, height: height)
        // The rows it spans are cleared across the screen: no fragment of what is behind (a price
        // cut at the popup's border, a letter of a word) is left beside it.
        buffer.fill(
            Rect(x: screen.x, y: area.y, width: screen.width, height: area.height), with: Cell(" ", style: style))
        Block(title: title, style: borderStyle, titleStyle: borderStyle.adding(.bold), glyphs: glyphs).render(
            area, &buffer)
        return area.inset(left: 2, top: 1, right: 2, bottom: 1)
    }
}

/// One line: left text, right text, filled with the style.
public struct StatusLine: Widget {
    /// As many of the hints' " · "-separated items as fit whole, from the first ("Ctrl-Space
    /// complet" was a hint cut mid-word); the text's own trailing space is kept.
    public static func whole(_ hints: String, width: Int) -> String {
        let trailing = hints.hasSuffix(" ") ? " " : ""
        var core = Substring(hints)
        while core.first == " " { core = core.dropFirst() }
        while core.last == " " { core = core.dropLast() }
        let items = core.split(separator: " · ").map(String.init)
        var out = ""
        for item in items {
            let next = out.isEmpty ? item : out + " · " + item
            guard DisplayWidth.of(next + trailing) <= width else { break }
            out = next
        }
        return out.isEmpty ? "" : out + trailing
    }

    public var left: [(String, Style)]
    public var right: String
    public var style: Style
    public init(left: [(String, Style)], right: String, style: Style) {
        self.left = left
        self.right = right
        self.style = style
    }
    public func render(_ area: Rect, _ buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.fill(area.row(0), with: Cell(" ", style: style))
        // A message wins over the hints: they get what it leaves, or nothing.
        let leftWidth = left.reduce(0) { $0 + DisplayWidth.of($1.0) }
        let room = area.width - leftWidth - 1
        let r = Self.whole(right, width: leftWidth == 0 ? area.width : room >= 12 ? room : 0)
        let rw = DisplayWidth.of(r)
        var x = area.x
        let leftEnd = rw > 0 ? area.maxX - rw - 1 : area.maxX
        for (text, s) in left where x < leftEnd {
            x += buffer.put(text, x: x, y: area.y, style: s, maxWidth: leftEnd - x)
        }
        buffer.put(r, x: area.maxX - rw, y: area.y, style: style)
    }
}

/// Lines taller than their area, scrolled, with a scrollbar on the right edge when they
/// overflow (help, logs, long tables).
public struct ScrollView: Widget {
    public var content: Paragraph
    public var scrollbarStyle: Style
    public var glyphs: Glyphs

    public init(content: Paragraph, scrollbarStyle: Style, glyphs: Glyphs = .unicode) {
        self.content = content
        self.scrollbarStyle = scrollbarStyle
        self.glyphs = glyphs
    }

    /// The largest useful scroll offset for an area of this size.
    public func maxScroll(_ area: Rect) -> Int {
        max(0, content.laidOut(width: max(1, area.width - 1)).count - area.height)
    }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        guard area.width >= 2, area.height >= 1 else { return }
        let textArea = area.inset(right: 1)
        let total = content.laidOut(width: textArea.width).count
        var p = content
        p.scroll = min(max(0, content.scroll), max(0, total - area.height))
        p.render(textArea, &buffer)
        guard total > area.height else { return }
        // Thumb size and position proportional to the visible share.
        let thumb = max(1, area.height * area.height / total)
        let top = (area.height - thumb) * p.scroll / max(1, total - area.height)
        for y in 0..<area.height {
            let inThumb = y >= top && y < top + thumb
            buffer.set(
                area.maxX - 1, area.y + y, inThumb ? (glyphs.unicode ? "┃" : "#") : (glyphs.unicode ? "│" : "|"),
                scrollbarStyle)
        }
    }
}
