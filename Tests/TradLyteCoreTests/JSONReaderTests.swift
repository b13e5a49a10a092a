import Foundation
import Testing
import TradLyteCore

/// The one JSON reader (issue 25): values, escapes and positions from one pass.
@Suite struct JSONReaderTests {
    func parse(_ text: String) throws -> JSONValue { try JSONSyntax.parse(Array(text.utf8)) }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(
            #"\#u{FEFF}{"b": [1, -2.5e3, true, false, null], "a": "last"}"#)
        #expect(
            value
                == .object([
                    ("a", .string("last")),
                    ("b", .array([.number(1), .number(-2500), .bool(true), .bool(false), .null])),
                ]))
        #expect(try parse(#""x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("x\"\\/\u{08}\u{0C}\n\r\té😀"))
        #expect(try parse("  {}  ") == .object([]) && (try parse("[]")) == .array([]))
    }

    @Test func saysWhereTheTextStopsBeingJSON() {
        for (text, problem) in [
            ("{\"a\": 1,}", "line 1, column 9: a trailing ',' before '}'"),
            ("{\n  \"a\" 1\n}", "line 2, column 7: expected ':' after the key"),
            ("[1, 2", "line 1, column 6: expected ',' or ']'"),
            ("\"\\ud83d\"", "line 1, column 8: a \\u surrogate without its pair"),
            ("\"\\x\"", "line 1, column 3: an unknown escape"),
            ("[1e999]", "line 1, column 2: not a number"),
            ("{} x", "line 1, column 4: unexpected text after the end of the JSON value"),
            ("{\"a\": 1,\n \"a\": 2}", "line 2, column 2: the key \"a\" appears twice in this object — keep one"),
            ("", "line 1, column 1: the file is empty — write {} at least"),
        ] {
            #expect(JSONSyntax.problem(in: Array(text.utf8))?.description == problem, "\(text)")
        }
        #expect(JSONSyntax.problem(in: [0x22, 0xFF, 0x22]) != nil)  // not UTF-8
    }
}
