import Foundation
import TradLyteCore

/// Checks responses against the served OpenAPI document, so it cannot drift from the server:
/// the operation must exist, the status must be one it lists (or `default`), the content type
/// one that status lists, and a JSON body must match its schema. The schema subset it reads is
/// the one the document uses: type (one or a list), properties, required,
/// additionalProperties, items, enum, const, $ref, oneOf, anyOf, minimum, maximum.
struct OpenAPIValidator {
    let root: [String: JSONValue]
    let schemas: [String: JSONValue]
    /// (method, template segments, operation)
    let operations: [(String, [String], [String: JSONValue])]

    init(text: String) throws {
        guard case .object(let pairs) = try JSONSyntax.parse(Array(text.utf8)) else {
            throw ValidationError(message: "the document is not an object")
        }
        root = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        var schemas: [String: JSONValue] = [:]
        if case .object(let components)? = root["components"],
            case .object(let list)? = components.first(where: { $0.0 == "schemas" })?.1
        {
            for (name, schema) in list { schemas[name] = schema }
        }
        self.schemas = schemas
        var operations: [(String, [String], [String: JSONValue])] = []
        if case .object(let paths)? = root["paths"] {
            for (path, item) in paths {
                guard case .object(let methods) = item else { continue }
                for (method, op) in methods {
                    guard case .object(let fields) = op else { continue }
                    operations.append(
                        (
                            method.uppercased(), path.split(separator: "/").map(String.init),
                            Dictionary(fields) { a, _ in a }
                        ))
                }
            }
        }
        self.operations = operations
    }

    struct ValidationError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Every problem with one response (empty: it conforms).
    func problems(method: String, path: String, status: Int, contentType: String?, body: [UInt8]) -> [String] {
        let segments = path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        guard
            let op = operations.first(where: { candidate in
                candidate.0 == method && candidate.1.count == segments.count
                    && zip(candidate.1, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            })?.2
        else {
            // A route the server does not have is answered with a problem, which the harness checks.
            return status == 404 || status == 405 ? [] : ["\(method) \(path): no such operation in the document"]
        }
        guard case .object(let responses)? = op["responses"] else { return ["\(method) \(path): no responses"] }
        guard
            let response = responses.first(where: { $0.0 == "\(status)" })?.1
                ?? responses.first(where: { $0.0 == "default" })?.1
        else { return ["\(method) \(path): status \(status) is not documented"] }
        let resolved = resolve(response)
        guard case .object(let fields) = resolved else { return [] }
        guard case .object(let content)? = fields.first(where: { $0.0 == "content" })?.1 else {
            return body.isEmpty || status == 304 ? [] : ["\(method) \(path) \(status): a body where none is documented"]
        }
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content.first(where: { $0.0 == type })?.1 else {
            return ["\(method) \(path) \(status): content type '\(type)' is not documented (\(content.map(\.0)))"]
        }
        guard type.hasSuffix("json") else { return [] }
        guard case .object(let mediaFields) = media, let schema = mediaFields.first(where: { $0.0 == "schema" })?.1
        else { return [] }
        let value: JSONValue
        do { value = try JSONSyntax.parse(body) } catch {
            return ["\(method) \(path) \(status): the body is not JSON: \(error)"]
        }
        var out: [String] = []
        check(value, against: schema, at: "$", into: &out)
        return out.map { "\(method) \(path) \(status): \($0)" }
    }

    private func resolve(_ value: JSONValue) -> JSONValue {
        guard case .object(let fields) = value, case .string(let ref)? = fields.first(where: { $0.0 == "$ref" })?.1
        else { return value }
        let parts = ref.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[1] == "components" else { return value }
        if parts[2] == "schemas" { return schemas[parts[3]] ?? value }
        if case .object(let components)? = root["components"],
            case .object(let group)? = components.first(where: { $0.0 == parts[2] })?.1,
            let found = group.first(where: { $0.0 == parts[3] })?.1
        {
            return resolve(found)
        }
        return value
    }

    private func check(_ value: JSONValue, against schema: JSONValue, at path: String, into out: inout [String]) {
        let schema = resolve(schema)
        guard case .object(let list) = schema else { return }
        let s = Dictionary(list) { a, _ in a }
        if case .array(let options)? = s["oneOf"] ?? s["anyOf"] {
            let matches = options.filter { option in
                var sub: [String] = []
                check(value, against: option, at: path, into: &sub)
                return sub.isEmpty
            }
            if matches.isEmpty { out.append("\(path): matches none of the \(options.count) alternatives") }
            if s["oneOf"] != nil, matches.count > 1 {
                // oneOf with overlapping alternatives is common in hand-written documents; anyOf semantics.
            }
        }
        if let type = s["type"] {
            let allowed: [String]
            switch type {
            case .string(let t): allowed = [t]
            case .array(let items):
                allowed = items.compactMap { if case .string(let t) = $0 { return t } else { return nil } }
            default: allowed = []
            }
            if !allowed.isEmpty, !allowed.contains(where: { Self.matches(value, $0) }) {
                out.append("\(path): \(Self.kind(value)) where the document says \(allowed.joined(separator: " or "))")
                return
            }
        }
        if case .array(let options)? = s["enum"], !options.contains(value) {
            out.append("\(path): \(value.compact()) is not one of \(JSONValue.array(options).compact())")
        }
        if let constant = s["const"], constant != value {
            out.append("\(path): \(value.compact()) is not \(constant.compact())")
        }
        if case .number(let n) = value {
            if case .number(let lo)? = s["minimum"], n < lo { out.append("\(path): \(n) is below \(lo)") }
            if case .number(let hi)? = s["maximum"], n > hi { out.append("\(path): \(n) is above \(hi)") }
        }
        if case .object(let members) = value {
            let properties: [(String, JSONValue)]
            if case .object(let p)? = s["properties"] { properties = p } else { properties = [] }
            if case .array(let required)? = s["required"] {
                for case .string(let name) in required where !members.contains(where: { $0.0 == name }) {
                    out.append("\(path): the required member '\(name)' is missing")
                }
            }
            for (name, member) in members {
                if let schema = properties.first(where: { $0.0 == name })?.1 {
                    check(member, against: schema, at: path + "." + name, into: &out)
                } else if let extra = s["additionalProperties"] {
                    if extra == .bool(false) {
                        out.append("\(path): the member '\(name)' is not in the document")
                    } else if case .object = extra {
                        check(member, against: extra, at: path + "." + name, into: &out)
                    }
                }
            }
        }
        if case .array(let items) = value, let itemSchema = s["items"] {
            for (i, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)[\(i)]", into: &out) }
        }
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"),
            (.number, "number"):
            return true
        case (.number(let n), "integer"): return n == n.rounded()
        default: return false
        }
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
