import Foundation

/// A seeded input mutator for the fuzz tests: byte flips, deletions, insertions of
/// interesting fragments, duplications and truncations of a seed, the same on every run (the
/// seed is in the test), so a failure found once is found again.
public struct Mutator {
    public var generator: SeededGenerator
    /// Fragments that tend to reach edge cases: separators, quotes, huge and odd numbers,
    /// control characters, unicode, the rule language's operators.
    public var dictionary: [String] = [
        ",", "\"", "\n", "\r", "\r\n", "\t", ";", " ", "\u{1B}[2J", "\u{9B}", "\u{0}", "\u{FEFF}", "禅", "é",
        "1e308", "1e400", "-0", "nan", "inf", "0x1p3", "9999999999999999999", "-1", "0", "0.0000001",
        "(", ")", "[", "]", "[1]", ".", ",", "and", "or", "not", "+", "-", "*", "/", ">", "<", "==", "$",
        "crosses_above", "sma(", "rsi(14)", "{", "}", ":", "null", "true", "[]", "{}", "2039-01-03", "1899-12-29",
    ]

    public init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    public mutating func below(_ n: Int) -> Int {
        n <= 1 ? 0 : Int(generator.next() % UInt64(n))
    }

    /// One to four mutations of `seed`.
    public mutating func mutate(_ seed: String) -> String {
        var bytes = Array(seed.utf8)
        for _ in 0...below(4) {
            let at = below(bytes.count + 1)
            switch below(6) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + below(8))
                bytes.removeSubrange(min(at, end)..<end)
            case 2:
                bytes.insert(contentsOf: Array(dictionary[below(dictionary.count)].utf8), at: at)
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count)
                let end = min(bytes.count, start + 1 + below(16))
                bytes.insert(contentsOf: bytes[start..<end], at: at)
            case 4:
                bytes = Array(bytes.prefix(at))
            default:
                bytes.insert(UInt8(below(256)), at: at)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
