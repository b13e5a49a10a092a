/// A validated ticker symbol: 1–10 characters of A–Z, a–z, 0–9, `.` and `-`.
///
/// Tickers are case-sensitive, as the provider's are: `AMpB` (a preferred share) is not `AMPB`
/// (its common stock), so `Symbol(_:)` keeps the case it is given. What a user types goes
/// through `Symbol(typed:)` (upper-cased) or, where stored symbols are known, a
/// case-insensitive lookup that asks when two securities differ only in case
/// (`MarketStore.resolveSymbol`). Validation happens once, at the edge (CLI arguments, CSV
/// files, provider payloads), so every `Symbol` inside the engine is known to be well formed.
public struct Symbol: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let rawValue: String

    /// Parses a symbol exactly as given (surrounding whitespace trimmed, case kept).
    public init(_ text: String) throws(SymbolError) {
        try self.init(text, upperCased: false)
    }

    /// Parses what a user typed: an all-lower-case ticker becomes upper-case (`brk.b` → `BRK.B`);
    /// one with an upper-case letter is taken as written (`AMpB`).
    public init(typed text: String) throws(SymbolError) {
        let hasUpper = text.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        try self.init(text, upperCased: !hasUpper)
    }

    /// A ticker the program itself spells (a constant, or one built from letters and digits):
    /// an invalid one is a programming error and stops the program at once.
    public init(known text: String) {
        do {
            try self.init(text, upperCased: false)
        } catch {
            preconditionFailure("'\(text)' is not a valid ticker: \(error)")
        }
    }

    private init(_ text: String, upperCased: Bool) throws(SymbolError) {
        // Fast path: already a valid upper-case symbol (what providers send).
        let utf8 = text.utf8
        if !utf8.isEmpty && utf8.count <= 10
            && utf8.allSatisfy({ b in
                (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
            })
        {
            rawValue = text
            return
        }
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.utf8.count <= 10 else { throw .tooLong(trimmed) }
        var out: [UInt8] = []
        out.reserveCapacity(trimmed.utf8.count)
        for (offset, byte) in trimmed.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "-"):
                out.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                out.append(upperCased ? byte - 32 : byte)
            default:
                let scalarIndex = trimmed.utf8.index(trimmed.utf8.startIndex, offsetBy: offset)
                let character = trimmed[scalarIndex...].first.map(String.init) ?? "?"
                throw .invalidCharacter(trimmed, character: character, position: offset + 1)
            }
        }
        rawValue = String(decoding: out, as: UTF8.self)
    }

    /// The key two symbols share when they differ only in case.
    public var folded: String { rawValue.uppercased() }

    public var description: String { rawValue }

    public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public enum SymbolError: Error, Equatable, CustomStringConvertible, Sendable {
    case empty
    case tooLong(String)
    case invalidCharacter(String, character: String, position: Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty symbol — give a ticker such as AAPL or BRK.B"
        case .tooLong(let text):
            return "symbol '\(text)' is \(text.utf8.count) characters long — symbols have 1 to 10 characters"
        case .invalidCharacter(let text, let character, let position):
            return "symbol '\(text)' has '\(character)' at position \(position) — "
                + "symbols use only letters, digits, '.' and '-'"
        }
    }
}

extension String {
    /// Trims spaces, tabs, CR and LF without Foundation.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
