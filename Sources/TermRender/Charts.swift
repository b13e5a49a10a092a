#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C library's natural logarithm (inside `PriceScale`, `log` names the flag).
private func naturalLog(_ x: Double) -> Double { log(x) }

/// Price-to-row mapping with two levels per row (half cells), optionally logarithmic.
public struct PriceScale: Sendable, Equatable {
    public var low: Double, high: Double
    public var rows: Int
    public var log: Bool

    public init(low: Double, high: Double, rows: Int, log: Bool = false) {
        var lo = low
        var hi = high
        if !(hi > lo) {
            lo -= max(abs(lo) * 0.01, 0.5)
            hi += max(abs(hi) * 0.01, 0.5)
        }
        if log && lo <= 0 { self.log = false } else { self.log = log }
        self.low = lo
        self.high = hi
        self.rows = max(1, rows)
    }

    static func ln(_ x: Double) -> Double { naturalLog(x) }

    func t(_ p: Double) -> Double {
        log ? (Self.ln(p) - Self.ln(low)) / (Self.ln(high) - Self.ln(low)) : (p - low) / (high - low)
    }

    /// Half-cell level of a price: 0 is the lower half of the bottom row.
    public func level(_ p: Double) -> Int { Int((t(p) * Double(2 * rows - 1)).rounded()) }
    /// Row (0 = top) of a price.
    public func row(_ p: Double) -> Int { rows - 1 - level(p) / 2 }
    /// Price at the middle of a row.
    public func price(atRow r: Int) -> Double {
        let f = (Double(2 * (rows - 1 - r)) + 0.5) / Double(2 * rows - 1)
        return log ? exp(Self.ln(low) + f * (Self.ln(high) - Self.ln(low))) : low + f * (high - low)
    }

    /// Round tick values (1, 2, 2.5 or 5 × 10ᵏ) about `every` rows apart.
    public func ticks(every: Int = 4) -> [Double] {
        let count = max(1, rows / max(1, every))
        let raw = (high - low) / Double(count)
        guard raw > 0, raw.isFinite else { return [] }
        let mag = pow(10, floor(log10(raw)))
        let step = [1, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var v = ceil(low / step) * step
        var out: [Double] = []
        while v <= high + step * 1e-9 {
            out.append(v)
            v += step
        }
        return out
    }

    /// A price formatted for the axis with enough decimals for the tick step.
    public static func format(_ p: Double, decimals: Int) -> String {
        fixed(p, decimals: abs(p) >= 100_000 ? 0 : decimals)
    }

    /// `v` with exactly `decimals` digits after the point (no Foundation formatter).
    public static func fixed(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "—" : (v > 0 ? "∞" : "-∞") }
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let scaled = (abs(v) * p).rounded()
        guard scaled < 9e18 else { return v > 0 ? "\(Int64(v))" : "-\(Int64(-v))" }
        let n = Int64(scaled)
        let whole = n / Int64(p)
        let frac = n % Int64(p)
        var text = "\(whole)"
        if decimals > 0 {
            let f = "\(frac)"
            text += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return (v < 0 && n != 0 ? "-" : "") + text
    }

    public var decimals: Int {
        let span = high - low
        return span >= 50 ? 0 : span >= 5 ? 1 : span >= 0.5 ? 2 : 3
    }
}

/// Which bars of a series are on screen: zoom as bars per column (zoomed out) or columns per
/// bar (zoomed in), pan as bars back from the newest.
public struct Viewport: Sendable, Equatable {
    /// Zoom steps: (bars per column, columns per bar).
    public static let zooms: [(bars: Int, columns: Int)] = [(8, 1), (4, 1), (2, 1), (1, 1), (1, 2), (1, 3), (1, 4)]
    public static let defaultZoom = 4

    public var zoom: Int
    /// Bars hidden to the right of the view (0: the newest bar is the last one shown).
    public var pan: Int

    public init(zoom: Int = Viewport.defaultZoom, pan: Int = 0) {
        self.zoom = min(max(0, zoom), Viewport.zooms.count - 1)
        self.pan = max(0, pan)
    }

    public var barsPerColumn: Int { Viewport.zooms[zoom].bars }
    public var columnsPerBar: Int { Viewport.zooms[zoom].columns }

    /// Bars shown in `columns` columns.
    public func capacity(columns: Int) -> Int { max(1, columns / columnsPerBar * barsPerColumn) }

    /// The visible range of `total` bars, with the pan clamped so the view stays full.
    public func range(total: Int, columns: Int) -> Range<Int> {
        let cap = capacity(columns: columns)
        let end = max(0, total - min(pan, max(0, total - cap)))
        return max(0, end - cap)..<end
    }

    /// The largest pan that still fills the view.
    public func maxPan(total: Int, columns: Int) -> Int { max(0, total - capacity(columns: columns)) }
}

/// OHLC columns merged k bars at a time (for zoomed-out views).
public struct OHLCColumns: Sendable {
    public var open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]
    /// Index of the first source bar of each merged bar.
    public var firstBar: [Int]

    public init(open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double], merging k: Int = 1) {
        guard k > 1 else {
            self.open = open
            self.high = high
            self.low = low
            self.close = close
            self.volume = volume
            firstBar = Array(open.indices)
            return
        }
        var o: [Double] = []
        var h: [Double] = []
        var l: [Double] = []
        var c: [Double] = []
        var v: [Double] = []
        var f: [Int] = []
        var i = 0
        while i < open.count {
            let j = min(open.count, i + k)
            o.append(open[i])
            h.append(high[i..<j].max()!)
            l.append(low[i..<j].min()!)
            c.append(close[j - 1])
            v.append(volume.isEmpty ? 0 : volume[i..<j].reduce(0, +))
            f.append(i)
            i = j
        }
        self.open = o
        self.high = h
        self.low = l
        self.close = c
        self.volume = v
        firstBar = f
    }
}

/// Braille dots: 2 × 4 per cell, for lines at sub-cell resolution.
public struct BrailleCanvas: Sendable {
    public let columns: Int, rows: Int
    private var bits: [UInt8]
    private var styles: [Style?]

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        bits = Array(repeating: 0, count: self.columns * self.rows)
        styles = Array(repeating: nil, count: self.columns * self.rows)
    }

    public var dotWidth: Int { columns * 2 }
    public var dotHeight: Int { rows * 4 }

    public mutating func set(_ x: Int, _ y: Int, _ style: Style) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let masks: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        let i = (y / 4) * columns + x / 2
        bits[i] |= masks[x % 2][y % 4]
        styles[i] = style
    }

    /// A line between two dots (Bresenham).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ style: Style) {
        var x = x0
        var y = y0
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        var steps = 0
        while steps < 10_000 {
            set(x, y, style)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy {
                err += dy
                x += sx
            }
            if e2 <= dx {
                err += dx
                y += sy
            }
            steps += 1
        }
    }

    /// A series as a polyline: value i at dot column `x(i)`, scaled to the dot rows; a
    /// non-finite value breaks the line.
    public mutating func polyline(_ values: ArraySlice<Double>, x: (Int) -> Int, scale: PriceScale, style: Style) {
        var previous: (Int, Int)?
        for (i, v) in zip(values.indices, values) {
            guard v.isFinite else {
                previous = nil
                continue
            }
            let px = x(i - values.startIndex)
            let y = Int(((1 - scale.t(v)) * Double(dotHeight - 1)).rounded())
            if let p = previous { line(p.0, p.1, px, y, style) } else { set(px, y, style) }
            previous = (px, y)
        }
    }

    /// Draws dots into the buffer; with `onlyBlank`, cells already drawn are left alone.
    public func render(
        at origin: (x: Int, y: Int), _ buffer: inout Buffer, onlyBlank: Bool = false, ascii: Bool = false
    ) {
        for r in 0..<rows {
            for c in 0..<columns {
                let i = r * columns + c
                guard bits[i] != 0, let style = styles[i] else { continue }
                let x = origin.x + c
                let y = origin.y + r
                guard x >= 0, y >= 0, x < buffer.width, y < buffer.height else { continue }
                if onlyBlank && buffer[x, y].symbol != " " { continue }
                let glyph = ascii ? Self.asciiGlyph(bits[i]) : String(UnicodeScalar(0x2800 + UInt32(bits[i]))!)
                buffer.set(x, y, glyph, buffer[x, y].style.patched(style).with(fg: style.fg))
            }
        }
    }

    /// ASCII fallback: where in the cell the dots sit.
    static func asciiGlyph(_ b: UInt8) -> String {
        let top = b & 0x09 != 0 || b & 0x12 != 0
        let bottom = b & 0x24 != 0 || b & 0xC0 != 0
        return top && bottom ? "|" : top ? "'" : "."
    }
}

/// Candlesticks, OHLC bars or a close line with overlays, markers, a crosshair and a price
/// axis on the right; fed plain arrays (the visible bars only).
public struct PriceChart: Widget {
    public enum Mode: String, Sendable, CaseIterable { case candles, ohlc, line }
    public struct Series: Sendable {
        public var values: [Double]
        public var style: Style
        public init(values: [Double], style: Style) {
            self.values = values
            self.style = style
        }
    }
    public struct Marker: Sendable {
        public var bar: Int
        public var up: Bool
        public var style: Style
        public init(bar: Int, up: Bool, style: Style) {
            self.bar = bar
            self.up = up
            self.style = style
        }
    }

    public var bars: OHLCColumns
    public var mode: Mode = .candles
    public var columnsPerBar = 1
    public var overlays: [Series] = []
    public var markers: [Marker] = []
    public var crosshair: Int?
    /// Bars to shade (a strategy's setup holding), drawn as a background under everything.
    public var shaded: [Bool] = []
    public var shadeStyle = Style([.dim])
    /// The last bar is still forming: drawn dim with a shaded (hollow) body, and `formingTag`
    /// (e.g. `3/5`, sessions in over sessions it will hold) printed above it.
    public var partialLast = false
    public var formingTag: String?
    /// Down bodies drawn with a glyph of their own (`║`, ASCII `X`), for themes whose bull and bear
    /// share a colour (mono, NO_COLOR): the direction must not rest on bold alone.
    public var distinctBearBody = false
    public var logScale = false
    public var bull: Style, bear: Style, axis: Style, grid: Style, crosshairStyle: Style
    public var glyphs: Glyphs = .unicode
    /// The chart owns its area: it is cleared to this style first.
    public var background = Style.plain
    public static let axisWidth = 10

    public init(bars: OHLCColumns, bull: Style, bear: Style, axis: Style, grid: Style, crosshairStyle: Style) {
        self.bars = bars
        self.bull = bull
        self.bear = bear
        self.axis = axis
        self.grid = grid
        self.crosshairStyle = crosshairStyle
    }

    /// The price range shown: bars and overlays.
    public var range: (Double, Double) {
        var lo = Double.infinity
        var hi = -Double.infinity
        for i in bars.close.indices {
            if mode == .line {
                lo = min(lo, bars.close[i])
                hi = max(hi, bars.close[i])
            } else {
                lo = min(lo, bars.low[i])
                hi = max(hi, bars.high[i])
            }
        }
        for s in overlays {
            for v in s.values where v.isFinite {
                lo = min(lo, v)
                hi = max(hi, v)
            }
        }
        return lo.isFinite ? (lo, hi) : (0, 1)
    }

    /// Column of the centre of bar i in the plot.
    public func column(of bar: Int) -> Int { bar * columnsPerBar + (columnsPerBar - 1) / 2 }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        let plot = Rect(x: area.x, y: area.y, width: max(0, area.width - PriceChart.axisWidth), height: area.height)
        guard plot.width > 0, plot.height > 0 else { return }
        buffer.fill(area, with: Cell(" ", style: background))
        let (lo, hi) = range
        let scale = PriceScale(low: lo, high: hi, rows: plot.height, log: logScale)
        // Grid and axis.
        let decimals = scale.decimals
        for tick in scale.ticks(every: 3) {
            let r = scale.row(tick)
            guard r >= 0, r < plot.height else { continue }
            for x in plot.x..<plot.maxX where buffer[x, plot.y + r].symbol == " " {
                buffer.set(x, plot.y + r, glyphs.unicode ? "┈" : ".", grid)
            }
            buffer.put(
                " " + PriceScale.format(tick, decimals: decimals), x: plot.maxX, y: plot.y + r, style: axis,
                maxWidth: PriceChart.axisWidth)
        }
        // Shaded bars under everything else.
        for (i, on) in shaded.enumerated() where on {
            for c in 0..<columnsPerBar {
                let x = plot.x + i * columnsPerBar + c
                guard x < plot.maxX else { break }
                for y in plot.y..<plot.maxY { buffer[x, y].style = buffer[x, y].style.patched(shadeStyle) }
            }
        }
        // Crosshair column under everything else.
        if let c = crosshair, c >= 0, c < bars.close.count {
            let x = plot.x + column(of: c)
            for y in plot.y..<plot.maxY { buffer.set(x, y, glyphs.cursor, crosshairStyle) }
        }
        let n = min(bars.close.count, plot.width / max(1, columnsPerBar))
        switch mode {
        case .line:
            var canvas = BrailleCanvas(columns: plot.width, rows: plot.height)
            line(bars.close, n: n, scale: scale, style: bull, &canvas)
            canvas.render(at: (plot.x, plot.y), &buffer, ascii: !glyphs.unicode)
        case .candles, .ohlc:
            for i in 0..<n { drawBar(i, x: plot.x + column(of: i), scale: scale, top: plot.y, &buffer) }
        }
        if !overlays.isEmpty {
            var canvas = BrailleCanvas(columns: plot.width, rows: plot.height)
            for s in overlays { line(s.values, n: n, scale: scale, style: s.style, &canvas) }
            canvas.render(at: (plot.x, plot.y), &buffer, onlyBlank: true, ascii: !glyphs.unicode)
        }
        if partialLast, let tag = formingTag, n > 0, n == bars.close.count {
            let x = plot.x + column(of: n - 1)
            let r = max(0, scale.row(bars.high[n - 1]) - 1)
            buffer.put(
                tag, x: max(plot.x, min(x - DisplayWidth.of(tag) / 2, plot.maxX - DisplayWidth.of(tag))),
                y: plot.y + r, style: axis.adding(.bold))
        }
        for m in markers where m.bar >= 0 && m.bar < n {
            let x = plot.x + column(of: m.bar)
            let r = m.up ? scale.row(bars.low[m.bar]) + 1 : scale.row(bars.high[m.bar]) - 1
            buffer.set(
                x, plot.y + min(max(0, r), plot.height - 1), m.up ? glyphs.up : glyphs.down, m.style.adding(.bold))
        }
        // The crosshair bar's close on the axis.
        if let c = crosshair, c >= 0, c < n {
            let r = scale.row(bars.close[c])
            if r >= 0 && r < plot.height {
                buffer.put(
                    DisplayWidth.pad(
                        " " + PriceScale.format(bars.close[c], decimals: max(2, decimals)), to: PriceChart.axisWidth),
                    x: plot.maxX, y: plot.y + r, style: crosshairStyle.adding(.reverse))
            }
        }
    }

    /// A series as a braille polyline through bar centres (NaN breaks the line).
    func line(_ values: [Double], n: Int, scale: PriceScale, style: Style, _ canvas: inout BrailleCanvas) {
        canvas.polyline(
            values.prefix(n), x: { column(of: $0) * 2 + (columnsPerBar == 1 ? 0 : 1) }, scale: scale, style: style)
    }

    func drawBar(_ i: Int, x: Int, scale: PriceScale, top: Int, _ buffer: inout Buffer) {
        let o = bars.open[i]
        let h = bars.high[i]
        let l = bars.low[i]
        let c = bars.close[i]
        guard o.isFinite, h.isFinite, l.isFinite, c.isFinite else { return }
        var style = c >= o ? bull : bear
        let forming = partialLast && i == bars.close.count - 1
        if forming { style = style.adding(.dim) }
        let hiL = scale.level(h)
        let loL = scale.level(l)
        let g = glyphs
        if mode == .ohlc {
            let oRow = scale.row(o)
            let cRow = scale.row(c)
            for r in scale.row(h)...max(scale.row(h), scale.row(l)) {
                let glyph =
                    r == oRow && r == cRow
                    ? (g.unicode ? "┼" : "+")
                    : r == oRow ? (g.unicode ? "┤" : "|") : r == cRow ? (g.unicode ? "├" : "|") : g.wick
                buffer.set(x, top + r, glyph, style)
            }
            return
        }
        let bodyTop = scale.level(max(o, c))
        let bodyBottom = scale.level(min(o, c))
        let doji = abs(c - o) <= (h - l) * 0.02 || abs(c - o) <= abs(c) * 1e-6
        enum Part { case none, wick, body }
        func part(_ level: Int) -> Part {
            if !doji && level >= bodyBottom && level <= bodyTop { return .body }
            return level >= loL && level <= hiL ? .wick : .none
        }
        let dojiRow = scale.row(c)
        for r in scale.row(h)...max(scale.row(h), scale.row(l)) {
            if doji && r == dojiRow {
                buffer.set(x, top + r, g.doji, style)
                continue
            }
            let upper = part(2 * (scale.rows - 1 - r) + 1)
            let lower = part(2 * (scale.rows - 1 - r))
            let glyph: String? =
                switch (upper, lower) {
                case (.body, .body): g.bodyFull
                case (.body, .none): g.bodyUpper
                case (.none, .body): g.bodyLower
                case (.body, .wick): g.bodyOverWick
                case (.wick, .body): g.wickOverBody
                case (.wick, .wick): g.wick
                case (.wick, .none): g.wickUpper
                case (.none, .wick): g.wickLower
                case (.none, .none): nil
                }
            // A forming bar's body is shaded, not solid: it reads as unfinished without colour.
            let shaded = forming && (upper == .body || lower == .body) ? (g.unicode ? "░" : ":") : nil
            let bear = distinctBearBody && c < o && upper == .body && lower == .body ? (g.unicode ? "║" : "X") : nil
            if let glyph = shaded ?? bear ?? glyph { buffer.set(x, top + r, glyph, style) }
        }
    }
}

/// Bars growing from zero in eighth blocks (volume, MACD histogram); negative values grow
/// down from the zero line in half cells.
public struct Histogram: Widget {
    public var values: [Double]
    public var styles: [Style]
    public var columnsPerBar: Int
    public var glyphs: Glyphs
    public init(values: [Double], styles: [Style], columnsPerBar: Int = 1, glyphs: Glyphs = .unicode) {
        self.values = values
        self.styles = styles
        self.columnsPerBar = max(1, columnsPerBar)
        self.glyphs = glyphs
    }

    public var background = Style.plain

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.fill(area, with: Cell(" ", style: background))
        let finite = values.filter { $0.isFinite }
        let maxUp = max(0, finite.max() ?? 0)
        let maxDown = max(0, -(finite.min() ?? 0))
        let total = maxUp + maxDown
        guard total > 0 else { return }
        let upRows = maxDown == 0 ? area.height : Int((Double(area.height) * maxUp / total).rounded())
        let zeroY = area.y + upRows  // first row below the zero line
        for (i, v) in values.enumerated() where v.isFinite {
            let x = area.x + i * columnsPerBar + (columnsPerBar - 1) / 2
            guard x < area.maxX else { break }
            let style = i < styles.count ? styles[i] : styles.last ?? .plain
            if v >= 0 {
                var eighths = maxUp > 0 ? Int((v / maxUp * Double(upRows * 8)).rounded()) : 0
                if v > 0 && eighths == 0 { eighths = 1 }
                var y = zeroY - 1
                while eighths > 0 && y >= area.y {
                    buffer.set(x, y, glyphs.eighths[min(8, eighths) - 1], style)
                    eighths -= 8
                    y -= 1
                }
            } else {
                let downRows = area.height - upRows
                var halves = Int((-v / maxDown * Double(downRows * 2)).rounded())
                if halves == 0 { halves = 1 }
                var y = zeroY
                while halves > 0 && y < area.maxY {
                    buffer.set(x, y, halves >= 2 ? glyphs.gaugeFull : (glyphs.unicode ? "▀" : "'"), style)
                    halves -= 2
                    y += 1
                }
            }
        }
    }
}

/// Braille lines over a fixed or automatic range, with optional horizontal guides and a
/// right-hand axis: oscillators and equity curves. It draws only its dots, guides and labels,
/// so it can be layered over a histogram (MACD).
public struct LineChart: Widget {
    public var series: [PriceChart.Series]
    public var range: (Double, Double)?
    public var guides: [Double]
    public var columnsPerBar: Int
    public var axis: Style, grid: Style
    public var axisWidth: Int
    public var glyphs: Glyphs
    /// One value per braille dot column (two per cell) instead of one per bar column: for
    /// long curves such as equity, already resampled to `2 × width` points.
    public var dense = false
    public init(
        series: [PriceChart.Series], range: (Double, Double)? = nil, guides: [Double] = [], columnsPerBar: Int = 1,
        axis: Style, grid: Style, axisWidth: Int = PriceChart.axisWidth, glyphs: Glyphs = .unicode
    ) {
        self.series = series
        self.range = range
        self.guides = guides
        self.columnsPerBar = max(1, columnsPerBar)
        self.axis = axis
        self.grid = grid
        self.axisWidth = axisWidth
        self.glyphs = glyphs
    }

    public func render(_ area: Rect, _ buffer: inout Buffer) {
        let plot = Rect(x: area.x, y: area.y, width: max(0, area.width - axisWidth), height: area.height)
        guard plot.width > 0, plot.height > 0 else { return }
        var lo = Double.infinity
        var hi = -Double.infinity
        if let range {
            (lo, hi) = range
        } else {
            for s in series {
                for v in s.values where v.isFinite {
                    lo = min(lo, v)
                    hi = max(hi, v)
                }
            }
            for g in guides {
                lo = min(lo, g)
                hi = max(hi, g)
            }
        }
        guard lo.isFinite else { return }
        let scale = PriceScale(low: lo, high: hi, rows: plot.height)
        for g in guides {
            let r = scale.row(g)
            guard r >= 0, r < plot.height else { continue }
            for x in plot.x..<plot.maxX { buffer.set(x, plot.y + r, glyphs.unicode ? "┈" : ".", grid) }
            buffer.put(
                " " + PriceScale.format(g, decimals: scale.decimals), x: plot.maxX, y: plot.y + r, style: axis,
                maxWidth: axisWidth)
        }
        if guides.isEmpty {
            buffer.put(
                " " + PriceScale.format(scale.high, decimals: scale.decimals), x: plot.maxX, y: plot.y, style: axis,
                maxWidth: axisWidth)
            if plot.height > 1 {
                buffer.put(
                    " " + PriceScale.format(scale.low, decimals: scale.decimals), x: plot.maxX, y: plot.maxY - 1,
                    style: axis, maxWidth: axisWidth)
            }
        }
        var canvas = BrailleCanvas(columns: plot.width, rows: plot.height)
        // Dense: a value per dot column; else a value per bar, at the bar's centre column.
        let cpb = columnsPerBar
        let dotsPerCell = 2
        for s in series {
            if dense {
                canvas.polyline(s.values.prefix(canvas.dotWidth), x: { $0 }, scale: scale, style: s.style)
            } else {
                canvas.polyline(
                    s.values.prefix(plot.width / cpb),
                    x: { ($0 * cpb + (cpb - 1) / 2) * dotsPerCell + (cpb == 1 ? 0 : 1) },
                    scale: scale, style: s.style)
            }
        }
        canvas.render(at: (plot.x, plot.y), &buffer, ascii: !glyphs.unicode)
    }
}

/// Date labels along the bottom: a label where the caller's label changes (a new month, a
/// new year). Years are placed first, shortened to `'25` where the full year does not fit, so
/// no year is skipped for a month; months fill the room left.
public struct DateAxis: Widget {
    public var labels: [String]
    public var columnsPerBar: Int
    public var style: Style
    public init(labels: [String], columnsPerBar: Int, style: Style) {
        self.labels = labels
        self.columnsPerBar = max(1, columnsPerBar)
        self.style = style
    }
    public func render(_ area: Rect, _ buffer: inout Buffer) {
        var taken = [Bool](repeating: false, count: max(0, area.width))
        func free(_ x: Int, _ w: Int) -> Bool {
            let lo = max(0, x - area.x - 1)
            let hi = min(taken.count, x - area.x + w + 1)
            return x >= area.x && x + w <= area.maxX && lo < hi && !taken[lo..<hi].contains(true)
        }
        func place(_ label: String, _ x: Int) -> Bool {
            let w = DisplayWidth.of(label)
            guard free(x, w) else { return false }
            buffer.put(label, x: x, y: area.y, style: style)
            for k in (x - area.x)..<(x - area.x + w) { taken[k] = true }
            return true
        }
        let changes = labels.indices.filter { $0 == 0 || labels[$0] != labels[$0 - 1] }
        let isYear = { (label: String) in label.count == 4 && label.allSatisfy(\.isNumber) }
        // New years first, the first label's year after them (it only names where the view starts).
        for i in changes.dropFirst().filter({ isYear(labels[$0]) }) + changes.prefix(1).filter({ isYear(labels[$0]) }) {
            let x = area.x + i * columnsPerBar
            if !place(labels[i], x) { _ = place("'" + labels[i].suffix(2), x) }
        }
        for i in changes where !isYear(labels[i]) { _ = place(labels[i], area.x + i * columnsPerBar) }
    }
}
