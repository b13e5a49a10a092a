/// One terminal cell: a grapheme and its style. The cell after a double-width grapheme is a
/// continuation (`symbol` empty) that backends skip.
public struct Cell: Hashable, Sendable {
    public var symbol: String
    public var style: Style

    public init(_ symbol: String = " ", style: Style = .plain) {
        self.symbol = symbol
        self.style = style
    }

    public static let blank = Cell()
    public var isContinuation: Bool { symbol.isEmpty }
}

/// A grid of cells that widgets draw into; the backend flushes the diff between frames.
public struct Buffer: Equatable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Prose in `area`: wrapped at words over its rows; when it needs more rows than there are,
    /// the last row ends with " …". Returns the rows used. Nothing is cut mid-word.
    @discardableResult
    public mutating func putWrapped(_ text: String, in area: Rect, style: Style) -> Int {
        guard !area.isEmpty else { return 0 }
        let rows = Paragraph(text, style: style).laidOut(width: area.width).map { $0.map(\.0).joined() }
        for (k, row) in rows.prefix(area.height).enumerated() {
            let last = k == area.height - 1 && rows.count > area.height
            let line = last ? DisplayWidth.fitWords(row + " …", to: area.width) : row
            put(line, x: area.x, y: area.y + k, style: style, maxWidth: area.width)
        }
        return min(rows.count, area.height)
    }

    /// One line of prose fitted by whole words (" …" when some are left out).
    @discardableResult
    public mutating func putWords(_ text: String, x: Int, y: Int, style: Style, width: Int) -> Int {
        put(DisplayWidth.fitWords(text, to: width), x: x, y: y, style: style, maxWidth: width)
    }

    /// Writes `text` from (x, y), clipped to `maxWidth` columns and the buffer; wide
    /// graphemes that would straddle the edge become a space. Returns columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, maxWidth == .max ? width : x + maxWidth)
        var col = x
        for ch in text {
            // Control characters (C0, DEL, C1) never reach a cell: data from files (a CSV
            // field, a strategy's name) must not smuggle escape sequences to the terminal.
            if ch.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                continue
            }
            let w = DisplayWidth.of(ch)
            if w == 0 {
                // A combining mark attaches to the previous grapheme; controls vanish.
                if ch.unicodeScalars.first!.value >= 0x20, col > 0, col - 1 < limit, col - 1 >= x {
                    var prev = col - 1
                    if prev > 0, self[prev, y].isContinuation { prev -= 1 }
                    cells[y * width + prev].symbol += String(ch)
                }
                continue
            }
            if col + w > limit {
                if w == 2 && col < limit && col >= 0 { self[col, y] = Cell(" ", style: style) }
                break
            }
            if col >= 0 {
                clearWide(at: col, y)
                self[col, y] = Cell(String(ch), style: style)
                if w == 2 {
                    clearWide(at: col + 1, y)
                    self[col + 1, y] = Cell("", style: style)
                }
            }
            col += w
        }
        return max(0, col - x)
    }

    /// Overwriting half of a wide grapheme blanks its other half.
    private mutating func clearWide(at x: Int, _ y: Int) {
        guard x >= 0, x < width else { return }
        let c = self[x, y]
        if c.isContinuation, x > 0 {
            self[x - 1, y].symbol = " "
        } else if DisplayWidth.of(c.symbol) == 2, x + 1 < width, self[x + 1, y].isContinuation {
            self[x + 1, y].symbol = " "
        }
    }

    /// Writes one glyph (a single cell) at (x, y).
    public mutating func set(_ x: Int, _ y: Int, _ symbol: String, _ style: Style) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        clearWide(at: x, y)
        cells[y * width + x] = Cell(symbol, style: style)
    }

    public mutating func fill(_ rect: Rect, with cell: Cell) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY { for x in r.x..<r.maxX { cells[y * width + x] = cell } }
    }

    /// Applies `style` on top of the cells' styles in `rect`.
    public mutating func patchStyle(_ rect: Rect, _ style: Style) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x].style = cells[y * width + x].style.patched(style) }
        }
    }

    public func clip(_ rect: Rect) -> Rect {
        let x0 = max(0, rect.x)
        let y0 = max(0, rect.y)
        let x1 = min(width, rect.maxX)
        let y1 = min(height, rect.maxY)
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// A change for the backend: the cells of one row from `x` on that differ.
    public struct Run: Equatable, Sendable {
        public var x: Int, y: Int
        public var cells: [Cell]
    }

    /// Runs of cells that differ from `previous` (everything when sizes differ).
    public func diff(from previous: Buffer?) -> [Run] {
        var runs: [Run] = []
        let full = previous == nil || previous!.width != width || previous!.height != height
        for y in 0..<height {
            var x = 0
            while x < width {
                let i = y * width + x
                if !full && previous!.cells[i] == cells[i] {
                    x += 1
                    continue
                }
                var run = Run(x: x, y: y, cells: [])
                while x < width && (full || previous!.cells[y * width + x] != cells[y * width + x]) {
                    run.cells.append(cells[y * width + x])
                    x += 1
                }
                // Never start a run on a continuation: include the wide grapheme before it.
                if run.cells.first?.isContinuation == true && run.x > 0 {
                    run.x -= 1
                    run.cells.insert(self[run.x, y], at: 0)
                }
                runs.append(run)
            }
        }
        return runs
    }

    /// The text of each row (continuations skipped, trailing spaces kept).
    public var textRows: [String] {
        (0..<height).map { y in
            var s = ""
            for x in 0..<width where !cells[y * width + x].isContinuation { s += cells[y * width + x].symbol }
            return s
        }
    }

    /// Style runs per row: `row: from-to style`, for snapshots.
    public var styleRuns: [String] {
        var out: [String] = []
        for y in 0..<height {
            var x = 0
            while x < width {
                let style = cells[y * width + x].style
                var end = x
                while end + 1 < width && cells[y * width + end + 1].style == style { end += 1 }
                if style != .plain { out.append("\(y): \(x)-\(end) \(style.description)") }
                x = end + 1
            }
        }
        return out
    }

    /// Text rows then style runs: the golden snapshot format.
    public var snapshot: String {
        textRows.joined(separator: "\n") + "\n--- styles\n" + styleRuns.joined(separator: "\n") + "\n"
    }

    /// The rows with ANSI SGR colours (24-bit), for `tradlyte render --ansi`.
    public var ansiText: String {
        var out = ""
        for y in 0..<height {
            var current: Style?
            for x in 0..<width {
                let c = cells[y * width + x]
                if c.isContinuation { continue }
                if c.style != current {
                    out += Self.sgr(c.style)
                    current = c.style
                }
                out += c.symbol
            }
            out += "\u{1B}[0m\n"
        }
        return out
    }

    static func sgr(_ s: Style) -> String {
        var codes = ["0"]
        if s.attributes.contains(.bold) { codes.append("1") }
        if s.attributes.contains(.dim) { codes.append("2") }
        if s.attributes.contains(.underline) { codes.append("4") }
        if s.attributes.contains(.reverse) { codes.append("7") }
        func color(_ c: Color, _ base: Int) {
            switch c {
            case .default: break
            case .index(let i): codes.append("\(base);5;\(i)")
            case .rgb(let r, let g, let b): codes.append("\(base);2;\(r);\(g);\(b)")
            }
        }
        color(s.fg, 38)
        color(s.bg, 48)
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}
