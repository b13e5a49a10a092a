/// Terminal display width from a table generated from the Unicode database
/// (`scripts/make_width_table.py`), never `wcwidth`: East Asian Wide/Fullwidth and emoji take
/// two cells, combining marks and joiners none, so results do not depend on the locale.
public enum DisplayWidth {
    static func search(_ table: [(UInt32, UInt32)], _ v: UInt32) -> Bool {
        var lo = 0
        var hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < table[mid].0 { hi = mid - 1 } else if v > table[mid].1 { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// Width of one scalar: 0 for controls and zero-width characters, 2 for wide ones, else 1.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }  // ASCII and Latin-1: the common case
        if search(DisplayWidthTable.zeroWidth, v) { return 0 }
        return search(DisplayWidthTable.doubleWidth, v) ? 2 : 1
    }

    /// Width of a grapheme cluster: its first visible scalar's width, or 2 for an emoji
    /// presentation sequence (VS16) or a joined emoji sequence.
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        if scalars.count == 1 { return of(scalars.first!) }
        var width = 0
        for s in scalars {
            if s.value == 0xFE0F { return 2 }
            if width == 0 { width = of(s) }
        }
        return width
    }

    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

    /// The longest prefix of `s` that fits in `columns`, with its width.
    public static func prefix(_ s: String, fitting columns: Int) -> (String, Int) {
        var used = 0
        var end = s.startIndex
        for i in s.indices {
            let w = of(s[i])
            if used + w > columns { break }
            used += w
            end = s.index(after: i)
        }
        return (String(s[..<end]), used)
    }

    /// `s` cut to `columns` with an ellipsis when it does not fit.
    public static func truncate(_ s: String, to columns: Int, ellipsis: String = "…") -> String {
        if of(s) <= columns { return s }
        guard columns > 0 else { return "" }
        let e = of(ellipsis)
        return prefix(s, fitting: max(0, columns - e)).0 + (columns >= e ? ellipsis : "")
    }

    /// `s` when it fits in `columns`; otherwise the whole words that fit followed by " …", so no
    /// word or number is cut at a border. A first word longer than `columns` is abbreviated with
    /// "…" (a long name), which is the only cut this allows.
    public static func fitWords(_ s: String, to columns: Int, ellipsis: String = "…") -> String {
        if of(s) <= columns { return s }
        guard columns > 0 else { return "" }
        let mark = " " + ellipsis
        var kept = ""
        for word in s.split(separator: " ", omittingEmptySubsequences: false) {
            let next = kept.isEmpty ? String(word) : kept + " " + word
            if of(next) + of(mark) > columns { break }
            kept = next
        }
        var trimmed = Substring(kept)
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty { return truncate(s, to: columns, ellipsis: ellipsis) }
        return trimmed + mark
    }

    /// `s` padded with spaces (or cut) to exactly `columns`, aligned.
    public static func pad(_ s: String, to columns: Int, alignment: Alignment = .left) -> String {
        let cut = truncate(s, to: columns)
        let gap = max(0, columns - of(cut))
        switch alignment {
        case .left: return cut + String(repeating: " ", count: gap)
        case .right: return String(repeating: " ", count: gap) + cut
        case .center: return String(repeating: " ", count: gap / 2) + cut + String(repeating: " ", count: gap - gap / 2)
        }
    }
}

public enum Alignment: Sendable { case left, center, right }
