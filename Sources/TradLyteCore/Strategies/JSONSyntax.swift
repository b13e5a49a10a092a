/// The one JSON reader: parses a JSON text into `JSONValue` in one pass, and where the text stops
/// being JSON says so with a position ("line 3, column 14: expected ',' or '}'"), which
/// Foundation's decoder does not give on every platform.
public enum JSONSyntax {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    /// The first syntax error in `bytes`, or nil when the text is well-formed JSON.
    public static func problem(in bytes: [UInt8]) -> Problem? {
        do throws(Problem) {
            _ = try parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// The value `bytes` hold (a UTF-8 byte order mark is skipped); objects come back with their
    /// keys sorted, and a key repeated within one object is refused (which of the two was meant?).
    public static func parse(_ bytes: [UInt8]) throws(Problem) -> JSONValue {
        var scanner = Scanner(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        scanner.skipSpace()
        guard scanner.index < bytes.count else { throw scanner.fail("the file is empty — write {} at least") }
        let value = try scanner.value(depth: 0)
        scanner.skipSpace()
        if scanner.index < bytes.count { throw scanner.fail("unexpected text after the end of the JSON value") }
        return value
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

        mutating func value(depth: Int) throws(Problem) -> JSONValue {
            guard depth < 200 else { throw fail("nested more than 200 levels deep") }
            skipSpace()
            guard let b = current else { throw fail("the text ends where a value should be") }
            switch b {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default: throw fail("expected a value (a string, number, object, array, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(Problem) -> JSONValue {
            index += 1
            skipSpace()
            var members: [String: JSONValue] = [:]
            func done() -> JSONValue { .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }
            if current == UInt8(ascii: "}") {
                index += 1
                return done()
            }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                let keyAt = index
                let key = try string()
                guard members[key] == nil else {
                    index = keyAt
                    throw fail("the key \"\(key)\" appears twice in this object — keep one")
                }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                index += 1
                members[key] = try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    if current == UInt8(ascii: "}") { throw fail("a trailing ',' before '}'") }
                    continue
                }
                guard current == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                index += 1
                return done()
            }
        }

        mutating func array(depth: Int) throws(Problem) -> JSONValue {
            index += 1
            skipSpace()
            var items: [JSONValue] = []
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipSpace()
                    if current == UInt8(ascii: "]") { throw fail("a trailing ',' before ']'") }
                    continue
                }
                guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                index += 1
                return .array(items)
            }
        }

        mutating func string() throws(Problem) -> String {
            index += 1
            var out: [UInt8] = []
            while let b = current {
                if b == UInt8(ascii: "\"") {
                    index += 1
                    guard let text = String(validating: out, as: UTF8.self) else {
                        throw fail("a string that is not valid UTF-8")
                    }
                    return text
                }
                if b < 0x20 { throw fail("a control character (a raw line break?) inside a string") }
                if b == UInt8(ascii: "\\") {
                    index += 1
                    guard let e = current else { break }
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            // A high surrogate must be followed by its low half (\uDC00–\uDFFF).
                            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count,
                                bytes[index + 1] == UInt8(ascii: "u")
                            else { throw fail("a \\u surrogate without its pair") }
                            index += 1
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else {
                                throw fail("a \\u surrogate without its pair")
                            }
                            scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("a \\u escape that is no character") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                        continue
                    default: throw fail("an unknown escape")
                    }
                    index += 1
                    continue
                }
                out.append(b)
                index += 1
            }
            throw fail("a string is not closed with '\"'")
        }

        /// `\u` and four hex digits (the index is on the `u`); leaves the index after them.
        mutating func hex4() throws(Problem) -> UInt32 {
            index += 1
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let b = current,
                    let digit = UInt8(ascii: "0") <= b && b <= UInt8(ascii: "9")
                        ? b - 48
                        : (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b | 0x20) ? (b | 0x20) - 87 : nil
                else { throw fail("\\u needs four hex digits") }
                value = value * 16 + UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func number() throws(Problem) -> Double {
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, digits.contains(first) else { throw fail("a number needs a digit") }
            while let b = current, digits.contains(b) || "+-.eE".utf8.contains(b) { index += 1 }
            guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
                index = start
                throw fail("not a number")
            }
            return value
        }

        mutating func literal(_ word: String) throws(Problem) {
            for c in word.utf8 {
                guard current == c else { throw fail("expected '\(word)' (strings need double quotes)") }
                index += 1
            }
        }
    }
}
