import TermRender

/// One fact a pane exists to show — "Sharpe 0.84", "return +10.76%" — with its importance.
/// Facts are laid out whole or not at all: a narrow pane leaves out the least important ones and
/// says that more exist, it never cuts a number or a word at the border.
public struct Fact: Equatable, Sendable {
    public var text: String
    public var style: Style
    /// 0 is the most important.
    public var priority: Int

    public init(_ text: String, _ style: Style, priority: Int) {
        self.text = text
        self.style = style
        self.priority = priority
    }
}

public enum Facts {
    /// Shown after the facts when some were left out (the full set is a key away).
    public static let more = "…"

    /// The facts, most important first, on up to `lines` lines of `width` columns, separated by
    /// `separator`: a line takes facts in order of importance until the next does not fit, then
    /// the next line starts; a fact that fits on no line left is left out, and then `more` ends
    /// the last line (taking the place of the least important fact shown when it must).
    public static func layout(
        _ facts: [Fact], width: Int, lines: Int = 1, separator: String = " · "
    ) -> [[Fact]] {
        guard width > 0, lines > 0 else { return [] }
        let sep = DisplayWidth.of(separator)
        let widths = facts.map { DisplayWidth.of($0.text) }
        var rows = [[Int]](repeating: [], count: lines)
        var used = [Int](repeating: 0, count: lines)
        func cost(_ row: Int, _ i: Int) -> Int { (rows[row].isEmpty ? 0 : sep) + widths[i] }
        var dropped = false
        var row = 0
        // Lines fill in order of importance (the first line holds the most important facts), so
        // the screen reads in that order; a fact too wide for what is left is left out.
        for i in facts.indices.sorted(by: { (facts[$0].priority, $0) < (facts[$1].priority, $1) }) {
            if used[row] + cost(row, i) > width, row + 1 < lines, widths[i] <= width { row += 1 }
            guard used[row] + cost(row, i) <= width else {
                dropped = true
                continue
            }
            used[row] += cost(row, i)
            rows[row].append(i)
        }
        // Within a line, the facts keep the order they were given in (the reading order).
        rows = rows.map { $0.sorted() }
        if dropped {
            // `more` (and a space) ends the last line used, in place of its least important facts.
            let last = (0..<lines).last { !rows[$0].isEmpty } ?? 0
            let moreWidth = DisplayWidth.of(more) + 1
            while used[last] + moreWidth > width, !rows[last].isEmpty {
                let victim = rows[last].indices.max { facts[rows[last][$0]].priority < facts[rows[last][$1]].priority }!
                rows[last].remove(at: victim)
                used[last] = rows[last].enumerated().reduce(0) { $0 + ($1.offset == 0 ? 0 : sep) + widths[$1.element] }
            }
            var result = rows.map { $0.map { facts[$0] } }
            if moreWidth <= width { result[last].append(Fact(more, Style.plain, priority: Int.max)) }
            return result
        }
        return rows.map { $0.map { facts[$0] } }
    }

    /// Draws `layout`'s lines from (`x`, `y`), each fact in its style, separators in `separatorStyle`.
    @discardableResult
    public static func render(
        _ facts: [Fact], x: Int, y: Int, width: Int, lines: Int = 1, separator: String = " · ",
        separatorStyle: Style, _ buf: inout Buffer
    ) -> [[Fact]] {
        let rows = layout(facts, width: width, lines: lines, separator: separator)
        for (k, row) in rows.enumerated() {
            var col = x
            for (j, fact) in row.enumerated() {
                let isMore = fact.priority == Int.max
                if j > 0 { col += buf.put(isMore ? " " : separator, x: col, y: y + k, style: separatorStyle) }
                col += buf.put(fact.text, x: col, y: y + k, style: isMore ? separatorStyle : fact.style)
            }
        }
        return rows
    }
}
