/// A bar length in exchange sessions: 1 (daily) or a Fibonacci number — 3, 5, 8, 13, 21, 34,
/// and 55 on request.
public struct FibInterval: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let sessions: Int

    /// Every interval the engine accepts.
    public static let allowedSessions = [1, 3, 5, 8, 13, 21, 34, 55]
    /// The six Fibonacci intervals the pipeline keeps current by default.
    public static let standard: [FibInterval] = [3, 5, 8, 13, 21, 34].map(FibInterval.init(unchecked:))
    public static let daily = FibInterval(unchecked: 1)

    public init(_ sessions: Int) throws(FibIntervalError) {
        guard Self.allowedSessions.contains(sessions) else { throw .notAllowed(sessions) }
        self.sessions = sessions
    }

    init(unchecked sessions: Int) { self.sessions = sessions }

    /// Parses "5", "5d" or "5D".
    public init(parsing text: String) throws(FibIntervalError) {
        var digits = text.trimmingASCIIWhitespace()
        if digits.hasSuffix("d") || digits.hasSuffix("D") { digits.removeLast() }
        guard let n = Int(digits) else { throw .malformed(text) }
        try self.init(n)
    }

    /// Periods per year for annualising statistics on bars of this length.
    public var periodsPerYear: Double { 252.0 / Double(sessions) }

    public var description: String { "\(sessions)d" }

    public static func < (lhs: FibInterval, rhs: FibInterval) -> Bool { lhs.sessions < rhs.sessions }

    public init(from decoder: any Decoder) throws {
        let n = try decoder.singleValueContainer().decode(Int.self)
        do { try self.init(n) } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(sessions)
    }
}

public enum FibIntervalError: Error, Equatable, CustomStringConvertible, Sendable {
    case notAllowed(Int)
    case malformed(String)

    public var description: String {
        let list = FibInterval.allowedSessions.map(String.init).joined(separator: ", ")
        switch self {
        case .notAllowed(let n): return "interval \(n) is not supported — use one of \(list) sessions"
        case .malformed(let text):
            return "'\(text)' is not an interval — use one of \(list) (optionally with a 'd' suffix)"
        }
    }
}
