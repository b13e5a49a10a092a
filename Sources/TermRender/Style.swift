/// A cell colour: the terminal's default, a palette index (0–255) or 24-bit RGB.
/// Backends map RGB to what the terminal supports (256 colours, 8 colours or none).
public enum Color: Hashable, Sendable {
    case `default`
    case index(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    /// The 16 ANSI names, for theme files.
    public static let names: [String: UInt8] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    /// Parses `#rrggbb`, `default`, a palette index or an ANSI name; nil when none fits.
    public init?(parsing text: String) {
        let t = text.lowercased()
        if t == "default" || t == "none" {
            self = .default
            return
        }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
            return
        }
        if let i = UInt8(t) {
            self = .index(i)
            return
        }
        if let i = Color.names[t] {
            self = .index(i)
            return
        }
        return nil
    }

    /// Nearest xterm-256 palette index (the 6×6×6 cube or the grey ramp).
    public var paletteIndex: UInt8? {
        switch self {
        case .default: return nil
        case .index(let i): return i
        case .rgb(let r, let g, let b):
            func cube(_ v: UInt8) -> Int { v < 48 ? 0 : (v < 115 ? 1 : (Int(v) - 35) / 40) }
            let levels = [0, 95, 135, 175, 215, 255]
            let (cr, cg, cb) = (cube(r), cube(g), cube(b))
            let cubeIndex = 16 + 36 * cr + 6 * cg + cb
            let avg = (Int(r) + Int(g) + Int(b)) / 3
            let greyIndex = avg > 238 ? 23 : max(0, (avg - 3) / 10)
            let grey = 8 + 10 * greyIndex
            func dist(_ a: (Int, Int, Int)) -> Int {
                let dr = a.0 - Int(r)
                let dg = a.1 - Int(g)
                let db = a.2 - Int(b)
                return dr * dr + dg * dg + db * db
            }
            let cubeDist = dist((levels[cr], levels[cg], levels[cb]))
            let greyDist = dist((grey, grey, grey))
            return UInt8(greyDist < cubeDist ? 232 + greyIndex : cubeIndex)
        }
    }

    /// Nearest of the 8 basic colours (for 8-colour terminals such as TERM=xterm).
    public var basicIndex: UInt8? {
        switch self {
        case .default: return nil
        case .index(let i) where i < 16: return i % 8
        default:
            guard let (r, g, b) = rgbValue else { return nil }
            let hi = max(r, g, b)
            if hi < 60 { return 0 }
            let t = Double(hi) * 0.55
            let bits = (Double(r) >= t ? 1 : 0) | (Double(g) >= t ? 2 : 0) | (Double(b) >= t ? 4 : 0)
            return UInt8(bits)
        }
    }

    /// RGB of this colour (palette entries approximated by xterm's defaults).
    public var rgbValue: (UInt8, UInt8, UInt8)? {
        switch self {
        case .default: return nil
        case .rgb(let r, let g, let b): return (r, g, b)
        case .index(let i):
            let basic: [(UInt8, UInt8, UInt8)] = [
                (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
                (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
                (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
            ]
            if i < 16 { return basic[Int(i)] }
            if i >= 232 {
                let v = UInt8(8 + 10 * (Int(i) - 232))
                return (v, v, v)
            }
            let c = Int(i) - 16
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            return (levels[c / 36], levels[(c / 6) % 6], levels[c % 6])
        }
    }

    public var description: String {
        switch self {
        case .default: return "default"
        case .index(let i): return "\(i)"
        case .rgb(let r, let g, let b):
            let hex = (Int(r) << 16) | (Int(g) << 8) | Int(b)
            let s = String(hex, radix: 16)
            return "#" + String(repeating: "0", count: 6 - s.count) + s
        }
    }
}

/// Text attributes.
public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let underline = Attributes(rawValue: 4)
    public static let reverse = Attributes(rawValue: 8)

    static let names: [(String, Attributes)] = [
        ("bold", .bold), ("dim", .dim), ("underline", .underline), ("reverse", .reverse),
    ]
}

/// Foreground, background and attributes of a cell.
public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attributes: Attributes

    public init(fg: Color = .default, bg: Color = .default, _ attributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public static let plain = Style()

    /// This style with `other`'s non-default colours and extra attributes on top.
    public func patched(_ other: Style) -> Style {
        Style(
            fg: other.fg == .default ? fg : other.fg, bg: other.bg == .default ? bg : other.bg,
            attributes.union(other.attributes))
    }

    public func with(fg: Color) -> Style {
        var s = self
        s.fg = fg
        return s
    }
    public func with(bg: Color) -> Style {
        var s = self
        s.bg = bg
        return s
    }
    public func adding(_ a: Attributes) -> Style {
        var s = self
        s.attributes.formUnion(a)
        return s
    }

    /// Compact form for snapshots: `fg/bg+bold`.
    public var description: String {
        var text = "\(fg.description)/\(bg.description)"
        for (name, a) in Attributes.names where attributes.contains(a) { text += "+" + name }
        return text
    }
}
