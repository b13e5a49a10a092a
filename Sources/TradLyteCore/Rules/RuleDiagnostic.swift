/// A problem in a rule, at a line and column, with a caret under the offending text and a
/// suggestion when a known name is close (a typo gets a "did you mean").
public struct RuleDiagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line and column of the first character.
    public let line: Int
    public let column: Int
    /// Characters to underline (at least 1).
    public let length: Int
    public let message: String

    public init(line: Int, column: Int, length: Int, message: String) {
        self.line = line
        self.column = column
        self.length = max(1, length)
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }

    /// "1:5: message" followed by the source line and a caret line. A long line is shown as a
    /// window of about 80 characters around the column, with "…" where it was cut.
    public func rendered(source: String, indent: String = "  ") -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return description }
        let full = Array(lines[line - 1])
        let window = 80
        var start = 0
        if full.count > window {
            start = max(0, min(column - 1 - window / 2, full.count - window))
        }
        let end = min(full.count, start + window)
        let lead = start > 0 ? "…" : ""
        let text = lead + String(full[start..<end]) + (end < full.count ? "…" : "")
        let offset = max(0, column - 1 - start) + lead.count
        let underline = max(1, min(length, end - (column - 1)))
        let caret = String(repeating: " ", count: offset) + String(repeating: "^", count: underline)
        return "\(description)\n\(indent)\(text)\n\(indent)\(caret)"
    }
}

/// One or more diagnostics from compiling a rule.
public struct RuleError: Error, Equatable, Sendable, CustomStringConvertible {
    public let source: String
    public let diagnostics: [RuleDiagnostic]

    public var description: String {
        diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n")
    }
}

/// "did you mean" support: the closest candidate within a small edit distance.
enum Suggest {
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        // An abbreviation ("sig" for "signal") is the likeliest intent.
        if lower.count >= 2, let prefixed = candidates.first(where: { $0.hasPrefix(lower) && $0 != lower }) {
            return prefixed
        }
        let w = Array(lower)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(w, Array(c))
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (name, d) = best else { return nil }
        let limit = max(1, min(3, w.count / 3 + 1))
        return d <= limit ? name : nil
    }

    /// Damerau–Levenshtein (optimal string alignment) distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    static func hint(_ word: String, in candidates: [String]) -> String {
        nearest(word, in: candidates).map { " — did you mean '\($0)'?" } ?? ""
    }
}
