import Foundation
import TradLyteCore

/// A GET request: URL, query items (encoded by the client) and headers.
public struct HTTPRequest: Sendable {
    public var url: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    /// Seconds to establish the connection.
    public var connectTimeout: Double
    /// Seconds for the whole transfer.
    public var timeout: Double

    public init(
        url: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        connectTimeout: Double = 10, timeout: Double = 30
    ) {
        self.url = url
        self.query = query
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// The URL with the query appended, percent-encoded (RFC 3986 unreserved characters kept).
    public var fullURL: String {
        guard !query.isEmpty else { return url }
        let encoded = query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + encoded
    }

    static func encode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `Retry-After` in seconds, when given as a number.
    public var retryAfter: Double? {
        headers["retry-after"].flatMap { NumberText.decimal($0.trimmingCharacters(in: .whitespaces)) }.map {
            max(0, $0)
        }
    }
}

/// Everything a transfer can fail with, in one type.
public enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    case dns(host: String, detail: String)
    case connect(String)
    case timeout(String)
    case tls(String)
    case status(Int, bodyExcerpt: String)
    case cancelled
    case transfer(String)

    public var description: String {
        switch self {
        case .dns(let host, let detail):
            return "cannot resolve host \(host) (\(detail)) — check the base URL and your network"
        case .connect(let d): return "cannot connect: \(d) — is the server up and the URL right?"
        case .timeout(let d): return "timed out: \(d)"
        case .tls(let d): return "TLS failed: \(d) — the server's certificate could not be verified"
        case .status(let code, let excerpt): return "HTTP \(code)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        case .cancelled: return "cancelled"
        case .transfer(let d): return "transfer failed: \(d)"
        }
    }

    /// Worth another attempt (timeouts, connection trouble, 429 and 5xx).
    public var isTransient: Bool {
        switch self {
        case .timeout, .connect, .transfer: return true
        case .status(let code, _): return code == 429 || (500...599).contains(code)
        default: return false
        }
    }
}

/// The transport the Polygon client uses; `CurlHTTPClient` is the real one.
public protocol HTTPTransport: Sendable {
    func get(_ request: HTTPRequest, cancel: CancellationFlag?) throws(HTTPError) -> HTTPResponse
}
