/// Finds where a JSON text stops being JSON, for messages that say "line 3, column 14:
/// expected ',' or '}'" (Foundation's decoder gives no position on every platform).
public enum JSONSyntax {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    /// The first syntax error in `bytes`, or nil when the text is well-formed JSON.
    public static func problem(in bytes: [UInt8]) -> Problem? {
        var scanner = Scanner(bytes: bytes)
        do throws(Problem) {
            scanner.skipSpace()
            guard scanner.index < bytes.count else { throw scanner.fail("the file is empty — write {} at least") }
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index < bytes.count { throw scanner.fail("unexpected text after the end of the JSON value") }
            return nil
        } catch {
            return error
        }
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        func fail(_ message: String) -> Problem {
            var line = 1
            var column = 1
            for b in bytes[..<min(index, bytes.count)] {
                if b == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if b & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return Problem(line: line, column: column, message: message)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
        }

        mutating func expect(_ c: Character) throws(Problem) {
            guard current == c.asciiValue else { throw fail("expected '\(c)'") }
            index += 1
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < 200 else { throw fail("nested more than 200 levels deep") }
            skipSpace()
            guard let b = current else { throw fail("the text ends where a value should be") }
            switch b {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: throw fail("expected a value (a string, number, object, array, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                index += 1
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    if current == UInt8(ascii: "}") { throw fail("a trailing ',' before '}'") }
                    continue
                }
                guard current == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                index += 1
                return
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    if current == UInt8(ascii: "]") { throw fail("a trailing ',' before ']'") }
                    continue
                }
                guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                index += 1
                return
            }
        }

        mutating func string() throws(Problem) {
            index += 1
            while let b = current {
                if b == UInt8(ascii: "\"") {
                    index += 1
                    return
                }
                if b < 0x20 { throw fail("a control character (a raw line break?) inside a string") }
                if b == UInt8(ascii: "\\") {
                    index += 1
                    guard let e = current, "\"\\/bfnrtu".utf8.contains(e) else { throw fail("an unknown escape") }
                }
                index += 1
            }
            throw fail("a string is not closed with '\"'")
        }

        mutating func number() throws(Problem) {
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, digits.contains(first) else { throw fail("a number needs a digit") }
            while let b = current, digits.contains(b) || "+-.eE".utf8.contains(b) { index += 1 }
        }

        mutating func literal(_ word: String) throws(Problem) {
            for c in word.utf8 {
                guard current == c else { throw fail("expected '\(word)' (strings need double quotes)") }
                index += 1
            }
        }
    }
}
