import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TradLyteApp
import TradLyteCore

/// Response helpers: every JSON body is the document the CLI's `--json` prints for the same
/// request, written compactly.
enum Reply {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var out: [UInt8] = []
        out.reserveCapacity(1_024)
        value.compact(into: &out)
        return bytes(out, contentType: "application/json", status: status, headers: headers)
    }

    static func encodable<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        bytes(Array(try compactEncoder.encode(value)), contentType: "application/json", status: status)
    }

    static func bytes(
        _ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A cached body, or 304 when the client holds the same version (`If-None-Match`).
    static func cached(_ body: CachedBody, request: Request) -> Response {
        var fields: HTTPFields = [.eTag: body.etag, .cacheControl: "no-cache"]
        if let match = request.headers[.ifNoneMatch],
            match == "*"
                || match.split(separator: ",").contains(where: {
                    // Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
                    let tag = $0.trimmingCharacters(in: .whitespaces)
                    return (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == body.etag
                })
        {
            return Response(status: .notModified, headers: fields)
        }
        fields[.contentType] = body.contentType
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: body.bytes))
    }

    static let compactEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date, milliseconds: false))
        }
        return encoder
    }()
}

extension Request {
    /// The query's parameters in order, decoded as a form is (`+` is a space, then `%XX`).
    var queryItems: [(String, String)] {
        func decode(_ text: Substring) -> String {
            let spaced = text.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return (uri.query ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Refuses a parameter the route does not take (a typo such as `intreval` must not quietly
    /// give the default) and one given twice.
    /// Returns the parameters by name.
    @discardableResult
    func allowQuery(_ names: Set<String>) throws -> [String: String] {
        guard uri.query?.isEmpty == false else { return [:] }
        var seen: [String: String] = [:]
        for (name, value) in queryItems {
            guard names.contains(name) else {
                let takes = names.isEmpty ? "no query parameters" : names.sorted().joined(separator: ", ")
                throw APIProblem(.badRequest, "unknown query parameter '\(name)' — this route takes \(takes)")
            }
            guard seen.updateValue(value, forKey: name) == nil else {
                throw APIProblem(.badRequest, "the query parameter '\(name)' is given twice")
            }
        }
        return seen
    }

    /// The body read up to `limit` bytes (413 beyond) and parsed as JSON (400 with line and
    /// column when it is not JSON).
    func jsonBody(limit: Int) async throws -> JSONValue {
        guard let value = try await jsonBody(limit: limit, allowEmpty: false) else {
            throw APIProblem(.badRequest, "the body is empty: send a JSON object")
        }
        return value
    }

    /// As `jsonBody(limit:)`; nil for an empty body when `allowEmpty`.
    func jsonBody(limit: Int, allowEmpty: Bool) async throws -> JSONValue? {
        let buffer: ByteBuffer
        do { buffer = try await body.collect(upTo: limit) } catch {
            throw APIProblem(
                .contentTooLarge,
                "the body is over \(NumberText.grouped(limit)) bytes — send less, or raise api_body_limit_bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty {
            if allowEmpty { return nil }
            throw APIProblem(.badRequest, "the body is empty: send a JSON object")
        }
        do throws(JSONSyntax.Problem) {
            return try JSONSyntax.parse(bytes)
        } catch {
            throw APIProblem(
                .badRequest, "the body is not valid JSON: \(error)",
                extra: [("line", .number(Double(error.line))), ("column", .number(Double(error.column)))])
        }
    }
}
