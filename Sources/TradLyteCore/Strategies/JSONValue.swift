import Foundation

/// A JSON document as plain values, for validating files key by key (unknown keys, exact
/// JSON paths) and for writing them back with a stable key order.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys keep their order when written; parsed objects come back sorted by key.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Parses JSON text; the error names the line and column JSONDecoder reports.
    public static func parse(_ data: Data) throws(StrategyError) -> JSONValue {
        do {
            return try JSONDecoder().decode(Decoded.self, from: data).value
        } catch {
            var detail = "\(error)"
            if case DecodingError.dataCorrupted(let context) = error {
                detail = context.debugDescription
                if let underlying = context.underlyingError { detail += " (\(underlying.localizedDescription))" }
            }
            if let problem = JSONSyntax.problem(in: Array(data)) { detail = problem.description }
            throw StrategyError(diagnostics: [StrategyDiagnostic(path: "$", message: "not valid JSON: \(detail)")])
        }
    }

    private struct Decoded: Decodable {
        let value: JSONValue
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        init(from decoder: any Decoder) throws {
            // Decoding tries each JSON shape in turn; the last branch reports a value of none of them.
            if let keyed = try? decoder.container(keyedBy: Key.self) {
                var pairs: [(String, JSONValue)] = []
                for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                    pairs.append((key.stringValue, try keyed.decode(Decoded.self, forKey: key).value))
                }
                value = .object(pairs)
                return
            }
            // As above: the next shape is tried.
            if var list = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !list.isAtEnd { items.append(try list.decode(Decoded.self).value) }
                value = .array(items)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = .null
            } else if let b = try? single.decode(Bool.self) {
                value = .bool(b)
            } else if let d = try? single.decode(Double.self) {
                value = .number(d)
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }

    /// Pretty JSON with two-space indents, keys in their stored order.
    public func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): return Self.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n"
                + pairs.map { inner + Self.quote($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n")
                + "\n\(indent)}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
