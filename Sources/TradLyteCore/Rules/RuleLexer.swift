/// A position-tagged token of the rule language.
struct RuleToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case identifier(String)  // lower-cased
        case parameter(String)  // `$fast` → "fast"
        case op(String)  // + - * / > < >= <= == !=
        case leftParen, rightParen, leftBracket, rightBracket, comma, dot
        case end
    }

    let kind: Kind
    let line: Int
    let column: Int
    let length: Int
    let text: String
}

/// Splits rule text into tokens; reports the first character it cannot read.
struct RuleLexer {
    static func tokenize(_ source: String) throws(RuleDiagnostic) -> [RuleToken] {
        let chars = Array(source.unicodeScalars)
        var tokens: [RuleToken] = []
        var i = 0
        var line = 1
        var column = 1
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }
        func text(_ from: Int, _ to: Int) -> String { String(String.UnicodeScalarView(chars[from..<to])) }

        while i < chars.count {
            let c = chars[i]
            if c == "\n" {
                i += 1
                line += 1
                column = 1
                continue
            }
            if c == " " || c == "\t" || c == "\r" {
                i += 1
                column += 1
                continue
            }
            // Comments: `#` to the end of the line.
            if c == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            let start = i
            let startColumn = column
            func add(_ kind: RuleToken.Kind, _ length: Int) {
                tokens.append(
                    RuleToken(
                        kind: kind, line: line, column: startColumn, length: length, text: text(start, start + length)))
                i += length
                column += length
            }
            if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                var j = i
                while j < chars.count && isDigit(chars[j]) { j += 1 }
                if j < chars.count && chars[j] == "." && j + 1 < chars.count && isDigit(chars[j + 1]) {
                    j += 1
                    while j < chars.count && isDigit(chars[j]) { j += 1 }
                }
                if j < chars.count && isIdentStart(chars[j]) {
                    throw RuleDiagnostic(
                        line: line, column: startColumn, length: j - i + 1,
                        message:
                            "'\(text(i, j + 1))' is not a number — separate numbers and names with a space or operator")
                }
                guard let value = Double(text(i, j)) else {
                    throw RuleDiagnostic(
                        line: line, column: startColumn, length: j - i, message: "'\(text(i, j))' is not a number")
                }
                add(.number(value), j - i)
                continue
            }
            if isIdentStart(c) {
                var j = i
                while j < chars.count && isIdent(chars[j]) { j += 1 }
                add(.identifier(text(i, j).lowercased()), j - i)
                continue
            }
            if c == "$" {
                var j = i + 1
                while j < chars.count && isIdent(chars[j]) { j += 1 }
                guard j > i + 1 else {
                    throw RuleDiagnostic(
                        line: line, column: startColumn, length: 1,
                        message: "'$' must be followed by a parameter name, e.g. $fast")
                }
                add(.parameter(text(i + 1, j).lowercased()), j - i)
                continue
            }
            let two = i + 1 < chars.count ? text(i, i + 2) : ""
            switch two {
            case ">=", "<=", "==", "!=":
                add(.op(two), 2)
                continue
            case "&&", "||":
                throw RuleDiagnostic(
                    line: line, column: startColumn, length: 2,
                    message: "unexpected '\(two)' — write '\(two == "&&" ? "and" : "or")'")
            default: break
            }
            switch c {
            case "+", "-", "*", "/", ">", "<": add(.op(String(c)), 1)
            case "(": add(.leftParen, 1)
            case ")": add(.rightParen, 1)
            case "[": add(.leftBracket, 1)
            case "]": add(.rightBracket, 1)
            case ",": add(.comma, 1)
            case ".": add(.dot, 1)
            case "=":
                throw RuleDiagnostic(
                    line: line, column: startColumn, length: 1, message: "unexpected '=' — compare with '=='")
            case "!":
                throw RuleDiagnostic(
                    line: line, column: startColumn, length: 1,
                    message: "unexpected '!' — write 'not', or '!=' to compare")
            default:
                throw RuleDiagnostic(line: line, column: startColumn, length: 1, message: "unexpected character '\(c)'")
            }
        }
        tokens.append(RuleToken(kind: .end, line: line, column: column, length: 1, text: ""))
        return tokens
    }
}
