import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TradLyteApp
import TradLyteCore

/// The API's bearer token: `TRADLYTE_API_TOKEN`, else the config's `api_token`, else one made
/// on first start from the system's CSPRNG and kept in the config (0600). Never printed or logged.
package enum APIToken {
    /// A new token: 32 random bytes from `SystemRandomNumberGenerator` (getrandom(2) on Linux).
    package static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "tl_" + SHA256.hex(bytes)
    }

    /// The token to require and where it lives; makes and stores one when none is set, or a new
    /// one when `rotate`.
    package static func resolve(env: AppEnvironment, process: [String: String], rotate: Bool) throws
        -> (token: String, origin: String)
    {
        if let token = process["TRADLYTE_API_TOKEN"], !token.isEmpty {
            if rotate {
                throw AppError.badInput(
                    "the token comes from TRADLYTE_API_TOKEN — change it there (or unset it to use the config's)")
            }
            guard token.count >= 32 else {
                throw AppError.badInput(
                    "TRADLYTE_API_TOKEN is too short: give at least 32 characters (the server did not start)")
            }
            return (token, "TRADLYTE_API_TOKEN")
        }
        if let token = env.config.apiToken, !rotate { return (token, "api_token in \(env.configPath)") }
        let token = generate()
        try FileManager.default.createDirectory(atPath: env.configDirectory, withIntermediateDirectories: true)
        try rewriteConfig(env.configPath) { pairs in
            pairs.removeAll { $0.0 == "api_token" }
            pairs.append(("api_token", .string(token)))
        }
        // The backup the rewrite keeps must not hold a token that was just replaced.
        let backup = env.configPath + ".bak"
        // A backup that is not a JSON object holds no token to remove.
        if let data = FileManager.default.contents(atPath: backup),
            case .object(var pairs) = try? JSONValue.parse(data),
            pairs.contains(where: { $0.0 == "api_token" })
        {
            pairs.removeAll { $0.0 == "api_token" }
            try replaceConfigFile(backup, with: Data((JSONValue.object(pairs).rendered() + "\n").utf8))
        }
        return (token, "api_token in \(env.configPath)")
    }

    /// The credentials of an `Authorization: Bearer …` header (the scheme is case-insensitive).
    package static func bearer(_ header: String) -> Substring? {
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7).drop { $0 == " " }
    }

    /// Compares in time that depends only on the expected token's length.
    package static func matches(_ given: Substring, _ expected: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { difference |= (i < a.count ? a[i] : 0) ^ b[i] }
        return difference == 0
    }

    /// A short, stable, non-secret name for a token (the access log's and the limiter's key).
    package static func fingerprint(_ token: String) -> String {
        String(SHA256.hex(SHA256.hash(Array(token.utf8))).prefix(8))
    }
}

/// Bearer-token authentication on every route but health, version and the API's description.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let token: String
    let fingerprint: String
    static let open: Set<String> = ["/v1/health", "/v1/version", "/openapi.json", "/docs"]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        if request.method == .options || Self.open.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIProblem(
                .unauthorized, "this route needs the API token: send 'Authorization: Bearer <api_token>'",
                headers: [.wwwAuthenticate: "Bearer realm=\"tradlyte\""])
        }
        guard let given = APIToken.bearer(header), APIToken.matches(given, token) else {
            throw APIProblem(
                .unauthorized, "the API token is wrong — use TRADLYTE_API_TOKEN or api_token from the config",
                headers: [.wwwAuthenticate: "Bearer realm=\"tradlyte\", error=\"invalid_token\""])
        }
        var context = context
        context.tokenID = fingerprint
        return try await next(request, context)
    }
}

/// Per-token limits: a token bucket of `rate` requests a second (burst of one second's worth)
/// and at most `concurrency` requests in flight. Over either: 429 with `Retry-After`.
final class TokenLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: UInt64
        var inFlight: Int
    }

    let rate: Double
    let concurrency: Int
    private let clock: any MonotonicClock
    private let buckets = Locked<[String: Bucket]>([:])

    init(rate: Double, concurrency: Int, clock: any MonotonicClock) {
        self.rate = rate
        self.concurrency = concurrency
        self.clock = clock
    }

    /// Takes a slot for `key`, or says how many seconds to wait.
    func acquire(_ key: String) -> Int? {
        let now = clock.uptimeNanoseconds()
        return buckets.withLock { all in
            var b = all[key] ?? Bucket(tokens: rate, updated: now, inFlight: 0)
            b.tokens = min(rate, b.tokens + Double(now &- b.updated) / 1e9 * rate)
            b.updated = now
            if b.inFlight >= concurrency {
                all[key] = b
                return 1
            }
            guard b.tokens >= 1 else {
                all[key] = b
                return max(1, Int(((1 - b.tokens) / rate).rounded(.up)))
            }
            b.tokens -= 1
            b.inFlight += 1
            all[key] = b
            return nil
        }
    }

    func release(_ key: String) {
        buckets.withLock { $0[key]?.inFlight -= 1 }
    }
}

struct LimitMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let limiter: TokenLimiter

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let key = context.tokenID else { return try await next(request, context) }
        if let wait = limiter.acquire(key) {
            throw APIProblem(
                .tooManyRequests,
                "over this token's limit (\(IndicatorSpec.format(limiter.rate)) requests a second, "
                    + "\(limiter.concurrency) at once) — retry after \(wait) s, or raise api_rate_per_second "
                    + "/ api_concurrency in the config",
                headers: [.retryAfter: "\(wait)"])
        }
        defer { limiter.release(key) }
        return try await next(request, context)
    }
}

/// CORS for the configured origins only; without any, no CORS headers are sent (browsers then
/// refuse cross-origin calls).
struct CORSGate: RouterMiddleware {
    typealias Context = APIContext
    let origins: [String]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let origin = request.headers[.origin], origins.contains(origin) || origins.contains("*") else {
            return try await next(request, context)
        }
        var response: Response
        if request.method == .options {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-None-Match"
            response.headers[.accessControlMaxAge] = "600"
        } else {
            do { response = try await next(request, context) } catch let error as APIProblem {
                response = try error.response(from: request, context: context)
            }
        }
        response.headers[.accessControlAllowOrigin] = origins.contains("*") ? "*" : origin
        response.headers[.vary] = "Origin"
        return response
    }
}

/// One JSON line per request on stderr: time, method, path (no query: it may carry a symbol
/// list but never a secret, and the token is a header, which is never logged), status, bytes,
/// milliseconds and the token's fingerprint.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let token: String
    let fingerprint: String
    let clock: any MonotonicClock
    let wall: any WallClock
    let sink: @Sendable (String) -> Void

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        let started = clock.uptimeNanoseconds()
        // The token's fingerprint when the request carries the right one ("invalid" when it
        // carries another); the token itself is never written.
        let who: JSONValue =
            request.headers[.authorization].map { header in
                APIToken.bearer(header).map { APIToken.matches($0, token) } ?? false
                    ? .string(fingerprint) : .string("invalid")
            } ?? .null
        var status = 500
        var bytes: Int?
        defer {
            let ms = Double(clock.uptimeNanoseconds() - started) / 1e6
            let line: JSONValue = .object([
                ("at", .string(Timestamp.format(wall.now(), milliseconds: true))),
                ("method", .string(request.method.rawValue)), ("path", .string(request.uri.path)),
                ("status", .number(Double(status))), ("bytes", bytes.map { .number(Double($0)) } ?? .null),
                ("ms", .number((ms * 100).rounded() / 100)), ("token", who),
            ])
            sink(line.compact())
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            bytes = response.body.contentLength
            return response
        } catch let error as HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }
}

/// The access log's writer: lines are gathered and written to stderr in batches by one thread
/// (every 200 ms, or at 64 KB), so logging costs a request no system call.
package final class BufferedLog: Sendable {
    private let pending = Locked<[UInt8]>([])
    private let wake = DispatchSemaphore(value: 0)
    private let write: @Sendable ([UInt8]) -> Void

    package init(
        write: @escaping @Sendable ([UInt8]) -> Void = { bytes in
            bytes.withUnsafeBytes { raw in _ = Glibc.write(2, raw.baseAddress, raw.count) }
        }
    ) {
        self.write = write
        let thread = Thread { [self] in
            while true {
                _ = wake.wait(timeout: SystemClock().deadline(after: 0.2))
                flush()
            }
        }
        thread.start()
    }

    package func append(_ line: String) {
        let size = pending.withLock { buffer -> Int in
            buffer.append(contentsOf: line.utf8)
            buffer.append(10)
            return buffer.count
        }
        if size >= 65_536 { wake.signal() }
    }

    /// The one writer for stderr.
    package static let standardError = BufferedLog()

    package func flush() {
        let bytes = pending.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        if !bytes.isEmpty { write(bytes) }
    }
}
