/// Named styles for the semantic roles of the UI. Themes are partial
/// overrides of the compiled-in default: a key a theme leaves out falls back to it.
public struct Theme: Sendable, Equatable {
    public static let keys = [
        "text", "muted", "border", "focus", "selection", "header", "badge", "bull", "bear", "volume", "grid",
        "warn", "error", "ok", "accent", "indicator.1", "indicator.2", "indicator.3", "indicator.4",
        "indicator.5", "indicator.6",
    ]

    public var name: String
    public private(set) var styles: [String: Style]

    public init(name: String, styles: [String: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style for a role; unknown roles get the default theme's text style.
    public subscript(_ key: String) -> Style { styles[key] ?? Theme.default.styles[key] ?? .plain }

    public var text: Style { self["text"] }
    public var muted: Style { self["muted"] }
    public var border: Style { self["border"] }
    public var focus: Style { self["focus"] }
    public var selection: Style { self["selection"] }
    public var bull: Style { self["bull"] }
    public var bear: Style { self["bear"] }
    /// Overlay and series colours, cycling through the six indicator keys.
    public func indicator(_ i: Int) -> Style { self["indicator.\(i % 6 + 1)"] }

    /// The dark default, identical to `themes/default.theme` (a test keeps them in step).
    public static let `default` = Theme(
        name: "default",
        styles: [
            "text": Style(fg: .rgb(0xD0, 0xD4, 0xDC)),
            "muted": Style(fg: .rgb(0x7A, 0x82, 0x8E)),
            "border": Style(fg: .rgb(0x4C, 0x56, 0x6A)),
            "focus": Style(fg: .rgb(0x61, 0xAF, 0xEF), [.bold]),
            "selection": Style(fg: .rgb(0xFF, 0xFF, 0xFF), bg: .rgb(0x2C, 0x4A, 0x6E)),
            "header": Style(fg: .rgb(0xFF, 0xFF, 0xFF), bg: .rgb(0x1F, 0x2A, 0x3A), [.bold]),
            "badge": Style(fg: .rgb(0x1A, 0x1A, 0x1A), bg: .rgb(0xE5, 0xC0, 0x7B), [.bold]),
            "bull": Style(fg: .rgb(0x4E, 0xC9, 0x8B)),
            "bear": Style(fg: .rgb(0xE0, 0x6C, 0x75)),
            "volume": Style(fg: .rgb(0x56, 0x6C, 0x8C)),
            "grid": Style(fg: .rgb(0x3A, 0x40, 0x4C)),
            "warn": Style(fg: .rgb(0xE5, 0xC0, 0x7B)),
            "error": Style(fg: .rgb(0xFF, 0xFF, 0xFF), bg: .rgb(0xA3, 0x2E, 0x3A), [.bold]),
            "ok": Style(fg: .rgb(0x98, 0xC3, 0x79)),
            "accent": Style(fg: .rgb(0xC6, 0x78, 0xDD)),
            "indicator.1": Style(fg: .rgb(0xE5, 0xC0, 0x7B)),
            "indicator.2": Style(fg: .rgb(0x61, 0xAF, 0xEF)),
            "indicator.3": Style(fg: .rgb(0xC6, 0x78, 0xDD)),
            "indicator.4": Style(fg: .rgb(0x56, 0xB6, 0xC2)),
            "indicator.5": Style(fg: .rgb(0xD1, 0x9A, 0x66)),
            "indicator.6": Style(fg: .rgb(0xAB, 0xB2, 0xBF)),
        ])

    /// No colours at all (NO_COLOR): roles told apart by attributes only.
    public static let mono = Theme(
        name: "mono",
        styles: [
            "text": .plain, "muted": Style([.dim]), "border": .plain, "focus": Style([.bold]),
            "selection": Style([.reverse]),
            "header": Style([.reverse]), "badge": Style([.reverse, .bold]), "bull": .plain, "bear": Style([.bold]),
            "volume": Style([.dim]),
            "grid": Style([.dim]), "warn": Style([.bold]), "error": Style([.reverse, .bold]), "ok": .plain,
            "accent": Style([.underline]),
            "indicator.1": .plain, "indicator.2": .plain, "indicator.3": .plain, "indicator.4": .plain,
            "indicator.5": .plain,
            "indicator.6": .plain,
        ])

    /// A problem in a theme file, located for the user.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var file: String, line: Int, column: Int, message: String
        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    /// Parses a theme file: `key = FG [on BG] [bold] [dim] [underline] [reverse]` per line,
    /// colours as `#rrggbb`, a palette index 0–255, an ANSI name or `default`; lines starting
    /// with `#` are comments. Missing keys fall back to `base`.
    public static func parse(_ text: String, name: String, file: String, base: Theme = .default) throws(ParseError)
        -> Theme
    {
        var theme = base
        theme.name = name
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ParseError(
                    file: file, line: number + 1, column: 1, message: "expected 'key = colour', e.g. 'bull = #4ec98b'")
            }
            let key = line[..<eq].trimmingCharacters(in: " \t")
            guard Theme.keys.contains(key) else {
                let column =
                    line.distance(
                        from: line.startIndex, to: line.firstIndex { $0 != " " && $0 != "\t" } ?? line.startIndex) + 1
                throw ParseError(
                    file: file, line: number + 1, column: column,
                    message: "unknown key '\(key)' — keys are \(Theme.keys.joined(separator: ", "))")
            }
            var style = Style()
            var expectBackground = false
            var sawForeground = false
            var index = line.index(after: eq)
            while index < line.endIndex {
                if line[index] == " " || line[index] == "\t" {
                    index = line.index(after: index)
                    continue
                }
                let start = index
                while index < line.endIndex && line[index] != " " && line[index] != "\t" {
                    index = line.index(after: index)
                }
                let word = String(line[start..<index])
                let column = line.distance(from: line.startIndex, to: start) + 1
                if word == "on" {
                    expectBackground = true
                    continue
                }
                if let a = Attributes.names.first(where: { $0.0 == word })?.1 {
                    style.attributes.insert(a)
                    continue
                }
                guard let color = Color(parsing: word) else {
                    throw ParseError(
                        file: file, line: number + 1, column: column,
                        message:
                            "bad colour '\(word)' — use #rrggbb, a palette index 0–255, an ANSI name such as 'red', or 'default'"
                    )
                }
                if expectBackground {
                    style.bg = color
                    expectBackground = false
                } else if !sawForeground {
                    style.fg = color
                    sawForeground = true
                } else {
                    throw ParseError(
                        file: file, line: number + 1, column: column,
                        message: "a second foreground '\(word)' — write 'FG on BG'")
                }
            }
            if expectBackground {
                throw ParseError(
                    file: file, line: number + 1, column: line.count + 1,
                    message: "'on' needs a background colour after it")
            }
            theme.styles[key] = style
        }
        return theme
    }

    /// The theme as file text (every key), for `tradlyte themes --show`.
    public var fileText: String {
        var out = "# TradLyte theme '\(name)': key = FG [on BG] [bold] [dim] [underline] [reverse]\n"
        for key in Theme.keys {
            let s = self[key]
            var parts = [s.fg.description]
            if s.bg != .default { parts += ["on", s.bg.description] }
            for (n, a) in Attributes.names where s.attributes.contains(a) { parts.append(n) }
            out += "\(key) = \(parts.joined(separator: " "))\n"
        }
        return out
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
