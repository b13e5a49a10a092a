import Foundation
import TradLyteApp
import TradLyteCore

/// A JSON request body's members, read by name with messages that name the member and what it
/// must be; `finish()` refuses members nobody read (a typo is an error, never ignored).
struct BodyFields {
    private let members: [(String, JSONValue)]
    private var used: Set<String> = []

    init(_ value: JSONValue) throws {
        guard case .object(let pairs) = value else {
            throw APIProblem(.badRequest, "the body must be a JSON object, e.g. {\"strategy\": \"golden_cross\"}")
        }
        members = pairs
    }

    private mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let v = members.first(where: { $0.0 == key })?.1, v != .null else { return nil }
        return v
    }

    mutating func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw APIProblem(.badRequest, "'\(key)' must be a string") }
        return s
    }

    mutating func required(_ key: String) throws -> String {
        guard let s = try string(key), !s.isEmpty else {
            throw APIProblem(.badRequest, "the body needs '\(key)'")
        }
        return s
    }

    /// A number or a numeric string, as text for the CLI's parsers (`"cash": 5000` → "5000").
    mutating func numberText(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        switch v {
        case .number(let n): return NumberText.shortest(n)
        case .string(let s): return s
        default: throw APIProblem(.badRequest, "'\(key)' must be a number")
        }
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e12 else {
            throw APIProblem(.badRequest, "'\(key)' must be a whole number")
        }
        return Int(n)
    }

    mutating func bool(_ key: String) throws -> Bool {
        guard let v = value(key) else { return false }
        guard case .bool(let b) = v else { throw APIProblem(.badRequest, "'\(key)' must be true or false") }
        return b
    }

    mutating func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw APIProblem(.badRequest, "'\(key)' must be an array of strings") }
        return try items.map { item in
            guard case .string(let s) = item else {
                throw APIProblem(.badRequest, "'\(key)' must be an array of strings")
            }
            return s
        }
    }

    /// Ids as numbers (or numeric strings): `"ids": [3, 4]`.
    mutating func ids(_ key: String) throws -> [Int64]? {
        guard let v = value(key) else { return nil }
        let mustBe = "'\(key)' must be an array of alert ids, e.g. [3, 4]"
        guard case .array(let items) = v else { throw APIProblem(.badRequest, mustBe) }
        return try items.map { item in
            switch item {
            case .number(let n) where n == n.rounded() && n >= 0 && n < 9e15: return Int64(n)
            case .string(let s): if let id = Int64(s) { return id }
            default: break
            }
            throw APIProblem(.badRequest, mustBe)
        }
    }

    /// `"params": {"fast": 50, "slow": "100:200:50"}` as the CLI's `--param NAME=VALUE` items.
    mutating func params() throws -> [String] {
        guard let v = value("params") else { return [] }
        guard case .object(let pairs) = v else {
            throw APIProblem(.badRequest, "'params' must be an object such as {\"fast\": 50, \"slow\": \"100:200:50\"}")
        }
        return try pairs.map { name, value in
            switch value {
            case .number(let n): return "\(name)=\(NumberText.shortest(n))"
            case .string(let s): return "\(name)=\(s)"
            default: throw APIProblem(.badRequest, "params.\(name) must be a number or a range such as \"10:50:10\"")
            }
        }
    }

    mutating func metric(_ key: String = "metric") throws -> BacktestRunner.Metric {
        guard let text = try string(key) else { return .sharpe }
        do { return try Studies.metric(text, option: key) } catch { throw APIProblem(.badRequest, error.description) }
    }

    /// The study options every study takes (`interval`, `from`, `to`, `cash`, …).
    mutating func study() throws -> StudyOptions {
        StudyOptions(
            interval: try numberText("interval"), from: try string("from"), to: try string("to"),
            cash: try numberText("cash"), commission: try numberText("commission"),
            commissionFixed: try numberText("commission_fixed"), slippage: try numberText("slippage"),
            fillClose: try bool("fill_close"), fractional: try bool("fractional"), closeAtEnd: try bool("close_at_end"))
    }

    /// Refuses members nobody read.
    func finish() throws {
        let unknown = members.map(\.0).filter { !used.contains($0) }
        guard unknown.isEmpty else {
            throw APIProblem(
                .badRequest,
                "unknown member\(unknown.count == 1 ? "" : "s") " + unknown.map { "'\($0)'" }.joined(separator: ", ")
                    + " — this request takes " + used.sorted().map { "'\($0)'" }.joined(separator: ", "))
        }
    }
}
