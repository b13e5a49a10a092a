/// Where a node came from, for diagnostics.
struct RuleSpan: Equatable {
    let line: Int
    let column: Int
    let length: Int

    init(_ token: RuleToken) {
        line = token.line
        column = token.column
        length = token.length
    }

    init(line: Int, column: Int, length: Int) {
        self.line = line
        self.column = column
        self.length = length
    }

    /// From `self` to the end of `other` when both are on one line; else `self`.
    func through(_ other: RuleSpan) -> RuleSpan {
        guard other.line == line, other.column + other.length > column else { return self }
        return RuleSpan(line: line, column: column, length: other.column + other.length - column)
    }
}

/// The rule's syntax tree.
indirect enum RuleNode: Equatable {
    case number(Double, RuleSpan)
    case parameter(String, RuleSpan)
    case name(String, RuleSpan)
    case call(
        name: String, nameSpan: RuleSpan, args: [RuleNode], output: (name: String, span: RuleSpan)?, span: RuleSpan)
    case barsAgo(RuleNode, RuleNode, RuleSpan)
    case negate(RuleNode, RuleSpan)
    case not(RuleNode, RuleSpan)
    case binary(String, RuleNode, RuleNode, RuleSpan)

    static func == (lhs: RuleNode, rhs: RuleNode) -> Bool { String(describing: lhs) == String(describing: rhs) }

    var span: RuleSpan {
        switch self {
        case .number(_, let s), .parameter(_, let s), .name(_, let s), .barsAgo(_, _, let s), .negate(_, let s),
            .not(_, let s), .binary(_, _, _, let s):
            return s
        case .call(_, _, _, _, let s):
            return s
        }
    }
}

/// Recursive-descent parser. Precedence, loosest first: `or`, `and`, `not`, comparisons
/// and crosses (non-associative), `+ -`, `* /`, unary minus, postfix `[n]`.
struct RuleParser {
    private var tokens: [RuleToken]
    private var position = 0
    /// The syntax tree's height so far: nesting and chained operators (`a and b and c …`, a
    /// left-deep tree) both count, so hostile input cannot exhaust the stack of the compiler
    /// or the evaluator, which walk the tree recursively.
    private var depth = 0
    static let maxDepth = 200

    static let comparisonWords = ["crosses_above", "crosses_below"]
    static let keywords = ["and", "or", "not"] + comparisonWords

    static func parse(_ source: String) throws(RuleDiagnostic) -> RuleNode {
        var parser = RuleParser(tokens: try RuleLexer.tokenize(source))
        guard parser.peek.kind != .end else {
            throw RuleDiagnostic(
                line: 1, column: 1, length: 1, message: "the rule is empty — write a condition such as close > sma(200)"
            )
        }
        let node = try parser.expression()
        guard parser.peek.kind == .end else {
            let t = parser.peek
            throw RuleDiagnostic(
                line: t.line, column: t.column, length: t.length,
                message: "unexpected '\(t.text)' — expected 'and', 'or' or the end of the rule")
        }
        return node
    }

    private init(tokens: [RuleToken]) { self.tokens = tokens }

    private var peek: RuleToken { tokens[position] }

    private mutating func advance() -> RuleToken {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    private func isWord(_ word: String) -> Bool { peek.kind == .identifier(word) }

    /// One more level of tree height at `token`, or a located diagnostic past the limit.
    private mutating func deepen(at token: RuleToken) throws(RuleDiagnostic) {
        depth += 1
        if depth > Self.maxDepth {
            let message =
                "the rule nests or chains too deeply (over \(Self.maxDepth) levels of operators) — "
                + "split it into setup, trigger and exit rules or simplify it"
            throw RuleDiagnostic(line: token.line, column: token.column, length: max(1, token.length), message: message)
        }
    }

    private mutating func expression() throws(RuleDiagnostic) -> RuleNode {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth {
            throw RuleDiagnostic(
                line: peek.line, column: peek.column, length: 1,
                message: "the rule nests too deeply (over \(Self.maxDepth) levels)")
        }
        return try orExpression()
    }

    private mutating func orExpression() throws(RuleDiagnostic) -> RuleNode {
        let base = depth
        defer { depth = base }
        var left = try andExpression()
        while isWord("or") {
            try deepen(at: advance())
            let right = try andExpression()
            left = .binary("or", left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func andExpression() throws(RuleDiagnostic) -> RuleNode {
        let base = depth
        defer { depth = base }
        var left = try notExpression()
        while isWord("and") {
            try deepen(at: advance())
            let right = try notExpression()
            left = .binary("and", left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func notExpression() throws(RuleDiagnostic) -> RuleNode {
        if isWord("not") {
            let t = advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maxDepth {
                throw RuleDiagnostic(
                    line: t.line, column: t.column, length: t.length, message: "the rule nests too deeply")
            }
            let operand = try notExpression()
            return .not(operand, RuleSpan(t).through(operand.span))
        }
        return try comparison()
    }

    private mutating func comparison() throws(RuleDiagnostic) -> RuleNode {
        let left = try sum()
        let op: String
        switch peek.kind {
        case .op(let o) where [">", "<", ">=", "<=", "==", "!="].contains(o): op = o
        case .identifier(let w) where Self.comparisonWords.contains(w): op = w
        default: return left
        }
        _ = advance()
        let right = try sum()
        if case .op(let o) = peek.kind, [">", "<", ">=", "<=", "==", "!="].contains(o) {
            throw RuleDiagnostic(
                line: peek.line, column: peek.column, length: peek.length,
                message: "comparisons cannot be chained — join them with 'and'")
        }
        return .binary(op, left, right, left.span.through(right.span))
    }

    private mutating func sum() throws(RuleDiagnostic) -> RuleNode {
        let base = depth
        defer { depth = base }
        var left = try product()
        while case .op(let o) = peek.kind, o == "+" || o == "-" {
            try deepen(at: advance())
            let right = try product()
            left = .binary(o, left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func product() throws(RuleDiagnostic) -> RuleNode {
        let base = depth
        defer { depth = base }
        var left = try unary()
        while case .op(let o) = peek.kind, o == "*" || o == "/" {
            try deepen(at: advance())
            let right = try unary()
            left = .binary(o, left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func unary() throws(RuleDiagnostic) -> RuleNode {
        if case .op("-") = peek.kind {
            let t = advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maxDepth {
                throw RuleDiagnostic(line: t.line, column: t.column, length: 1, message: "the rule nests too deeply")
            }
            let operand = try unary()
            return .negate(operand, RuleSpan(t).through(operand.span))
        }
        return try postfix()
    }

    private mutating func postfix() throws(RuleDiagnostic) -> RuleNode {
        let base = depth
        defer { depth = base }
        var node = try primary()
        while peek.kind == .leftBracket {
            let open = advance()
            try deepen(at: open)
            let offset = try expression()
            guard peek.kind == .rightBracket else {
                throw RuleDiagnostic(
                    line: peek.line, column: peek.column, length: peek.length,
                    message: "expected ']' to close the '[' at \(open.line):\(open.column)")
            }
            let close = advance()
            node = .barsAgo(node, offset, node.span.through(RuleSpan(close)))
        }
        return node
    }

    private mutating func primary() throws(RuleDiagnostic) -> RuleNode {
        let t = peek
        switch t.kind {
        case .number(let v):
            _ = advance()
            return .number(v, RuleSpan(t))
        case .parameter(let name):
            _ = advance()
            return .parameter(name, RuleSpan(t))
        case .leftParen:
            _ = advance()
            let inner = try expression()
            guard peek.kind == .rightParen else {
                throw RuleDiagnostic(
                    line: peek.line, column: peek.column, length: peek.length,
                    message: "expected ')' to close the '(' at \(t.line):\(t.column)")
            }
            _ = advance()
            return inner
        case .identifier(let word):
            if Self.keywords.contains(word) {
                throw RuleDiagnostic(
                    line: t.line, column: t.column, length: t.length,
                    message: "'\(word)' needs a value before it — e.g. close > open \(word) …")
            }
            _ = advance()
            guard peek.kind == .leftParen else { return .name(word, RuleSpan(t)) }
            _ = advance()
            var args: [RuleNode] = []
            if peek.kind != .rightParen {
                while true {
                    args.append(try expression())
                    if peek.kind == .comma {
                        _ = advance()
                        continue
                    }
                    break
                }
            }
            guard peek.kind == .rightParen else {
                throw RuleDiagnostic(
                    line: peek.line, column: peek.column, length: peek.length,
                    message: "expected ',' or ')' in the arguments of \(word)(")
            }
            var end = RuleSpan(advance())
            var output: (String, RuleSpan)?
            if peek.kind == .dot {
                _ = advance()
                guard case .identifier(let name) = peek.kind else {
                    throw RuleDiagnostic(
                        line: peek.line, column: peek.column, length: peek.length,
                        message: "expected an output name after '.', e.g. macd(12,26,9).signal")
                }
                let o = advance()
                output = (name, RuleSpan(o))
                end = RuleSpan(o)
            }
            return .call(name: word, nameSpan: RuleSpan(t), args: args, output: output, span: RuleSpan(t).through(end))
        case .end:
            throw RuleDiagnostic(
                line: t.line, column: t.column, length: 1, message: "the rule ends too early — a value is missing")
        default:
            throw RuleDiagnostic(
                line: t.line, column: t.column, length: t.length, message: "unexpected '\(t.text)' — expected a value")
        }
    }
}
