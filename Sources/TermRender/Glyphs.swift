/// The glyphs widgets draw with, in Unicode or plain ASCII (for non-UTF-8 terminals).
public struct Glyphs: Sendable, Equatable {
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: String
    /// Candle halves: full body, upper half, lower half, wick, upper-half wick, lower-half wick.
    public var bodyFull, bodyUpper, bodyLower, wick, wickUpper, wickLower: String
    /// Mixed halves: body above a wick, wick above a body.
    public var bodyOverWick, wickOverBody: String
    /// Doji (open == close): a thin horizontal tick.
    public var doji: String
    /// Eighth blocks, 1/8 … 8/8, for histograms and sparklines.
    public var eighths: [String]
    public var up, down, cursor, ellipsis: String
    public var gaugeFull, gaugeEmpty: String
    public var unicode: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        bodyFull: "┃", bodyUpper: "╹", bodyLower: "╻", wick: "│", wickUpper: "╵", wickLower: "╷",
        bodyOverWick: "╿", wickOverBody: "╽",
        doji: "━", eighths: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], up: "▲", down: "▼",
        cursor: "│", ellipsis: "…", gaugeFull: "█", gaugeEmpty: "░", unicode: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        bodyFull: "#", bodyUpper: "#", bodyLower: "#", wick: "|", wickUpper: "'", wickLower: ".",
        bodyOverWick: "#", wickOverBody: "#",
        doji: "=", eighths: [".", ".", "-", "-", "=", "=", "#", "#"], up: "^", down: "v",
        cursor: ":", ellipsis: "~", gaugeFull: "#", gaugeEmpty: ".", unicode: false)

    /// ASCII stand-ins for the typographic characters screens use in their own text
    /// (separators, arrows, dashes, marks): applied to a whole frame when glyphs are ASCII.
    public static let asciiStandIns: [String: String] = [
        "│": "|", "─": "-", "┌": "+", "┐": "+", "└": "+", "┘": "+", "·": "-", "↑": "^", "↓": "v", "←": "<", "→": ">",
        "–": "-", "—": "-", "…": "~", "✉": "@", "★": "*", "●": "*", "⚠": "!", "✎": "*", "✓": "+", "✖": "x", "⟳": "*",
        "▲": "^", "▼": "v", "━": "=", "┈": ".", "×": "x", "▏": "#", "▎": "#", "▍": "#", "▌": "#", "▋": "#", "▊": "#",
        "▉": "#", "◂": "<", "▸": ">", "┅": ".", "†": "*", "║": "X", "░": ":",
    ]
}

extension Buffer {
    /// Replaces every cell's symbol found in `map` (for ASCII terminals).
    public mutating func replaceSymbols(_ map: [String: String]) {
        for y in 0..<height {
            for x in 0..<width {
                if let r = map[self[x, y].symbol] { self[x, y] = Cell(r, style: self[x, y].style) }
            }
        }
    }
}
