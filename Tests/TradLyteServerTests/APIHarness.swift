import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteServer
import TradLyteTestSupport

/// A demo home (the binary's own refresh, copied), the API's services over it, and requests
/// through Hummingbird's router test client — each response checked against the OpenAPI
/// document before the test sees it.
final class APIHarness: @unchecked Sendable {
    static let now = "2026-11-25T23:00:00Z"
    static let token = "test-token-" + String(repeating: "x", count: 32)
    static let validator: OpenAPIValidator = {
        do { return try OpenAPIValidator(text: OpenAPIDocument.text) } catch {
            fatalError("the OpenAPI document does not parse: \(error)")
        }
    }()

    let cli: CLIHarness
    let env: AppEnvironment
    let services: APIServices
    let log = Locked<[String]>([])

    /// - Parameter config: config.json text for the home (before the services start).
    init(config: String? = nil, seed: Bool = true, settings adjust: (inout ServerSettings) -> Void = { _ in }) throws {
        cli = try CLIHarness()
        if seed { try cli.seedDemo(now: Self.now, backfillYears: 3) }
        if let config { cli.write("config.json", config) }
        env = try AppEnvironment.load(["TRADLYTE_HOME": cli.home, "HOME": cli.home, "TRADLYTE_NOW": Self.now])
        var settings = ServerSettings()
        settings.jobSlots = 2
        let log = self.log
        settings.accessLog = { line in log.withLock { $0.append(line) } }
        adjust(&settings)
        services = try APIServices(env: env, settings: settings, wall: env.clock, monotonic: SystemClock())
    }

    var application: some ApplicationProtocol {
        Application(router: APIServer.router(services: services, token: Self.token))
    }

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPFields
        let bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        func json() throws -> JSONValue { try JSONSyntax.parse(bytes) }
        func member(_ name: String) throws -> JSONValue? {
            guard case .object(let pairs) = try json() else { return nil }
            return pairs.first { $0.0 == name }?.1
        }
    }

    /// One request; `token` nil sends none. The response is checked against the document.
    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
        token: String? = APIHarness.token, headers extra: HTTPFields = [:], validate: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let reply = Reply(
            status: Int(response.status.code), headers: response.headers, bytes: Array(response.body.readableBytesView))
        let path = String(uri.split(separator: "?").first ?? "")
        guard validate else { return reply }
        for problem in validator.problems(
            method: method.rawValue, path: path, status: reply.status, contentType: response.headers[.contentType],
            body: reply.bytes)
        {
            Issue.record("OpenAPI: \(problem)", sourceLocation: sourceLocation)
        }
        if reply.status >= 400, reply.status != 404 || path.hasPrefix("/v1") {
            #expect(
                response.headers[.contentType] == "application/problem+json", "\(method) \(uri) \(reply.status)",
                sourceLocation: sourceLocation)
        }
        return reply
    }

    /// Polls a job until it has finished (or fails the test after `seconds`).
    static func finished(_ client: some TestClientProtocol, job id: String, seconds: Double = 300) async throws -> Reply
    {
        let deadline = SystemClock().deadline(after: seconds)
        while true {
            let reply = try await send(client, .get, "/v1/jobs/\(id)")
            if case .string(let state)? = try reply.member("state"),
                ["succeeded", "failed", "cancelled"].contains(state)
            {
                return reply
            }
            guard DispatchTime.now() < deadline else {
                Issue.record("job \(id) did not finish: \(reply.text)")
                return reply
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// The CLI's `--json` for the same request, parsed.
    func cliJSON(_ arguments: [String]) throws -> JSONValue {
        let result = try cli.run(arguments, environment: ["TRADLYTE_NOW": Self.now])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONSyntax.parse(Array(result.stdout.utf8))
    }
}

extension JSONValue {
    /// The member `name` of an object.
    subscript(_ name: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == name }?.1
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var arrayValue: [JSONValue] {
        if case .array(let a) = self { return a }
        return []
    }
}
