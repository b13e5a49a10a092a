import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteServer
import TradLyteTestSupport

/// The provider key is never in a response, the access log or an event — even on the routes
/// that describe the provider (the plan) or fail talking to it (a quote).
@Suite(.serialized) struct APISecretTests {
    @Test func theProviderKeyIsNeverInAResponseTheLogOrAnEvent() async throws {
        let key = "pk_live_SECRET_4f9a8b7c6d5e4f3a2b1c"
        let cli = try CLIHarness()
        try cli.seedDemo(now: APIHarness.now, backfillYears: 3)
        // Polygon at a port nothing listens on, the key also pasted into the base URL.
        cli.write("config.json", #"{"polygon_base_url": "http://127.0.0.1:9/?apiKey=\#(key)", "retries": 0}"#)
        let env = try AppEnvironment.load([
            "TRADLYTE_HOME": cli.home, "HOME": cli.home, "TRADLYTE_NOW": APIHarness.now, "POLYGON_API_KEY": key,
        ])
        let log = Locked<[String]>([])
        var settings = ServerSettings()
        settings.accessLog = { line in log.withLock { $0.append(line) } }
        let services = try APIServices(env: env, settings: settings, wall: env.clock, monotonic: SystemClock())
        let (events, cancel) = services.hub.subscribe()
        let collected = Locked<[String]>([])
        try await Application(router: APIServer.router(services: services, token: APIHarness.token)).test(.router) {
            client in
            for (method, uri) in [
                (HTTPRequest.Method.get, "/v1/pipeline/plan"), (.get, "/v1/quotes/ACME"),
                (.get, "/v1/quotes?symbols=ACME,BOLT"),
                (.get, "/v1/pipeline/runs"), (.get, "/v1/strategies"), (.get, "/v1/version"),
            ] {
                let reply = try await APIHarness.send(client, method, uri)
                collected.withLock {
                    $0.append(reply.text)
                    $0.append(reply.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
                }
            }
            let refresh = try await APIHarness.send(client, .post, "/v1/pipeline/refresh")
            collected.withLock { $0.append(refresh.text) }
            let id = try #require(try refresh.member("id")?.stringValue)
            let finished = try await APIHarness.finished(client, job: id).text
            collected.withLock { $0.append(finished) }
        }
        cancel()
        var bodies = collected.withLock { $0 }
        for await event in events { bodies.append(event) }
        #expect(bodies.count > 10)
        #expect(
            bodies.allSatisfy { !$0.contains(key) && !$0.contains("SECRET") },
            "\(bodies.filter { $0.contains("SECRET") })")
        #expect(log.withLock { $0 }.allSatisfy { !$0.contains("SECRET") })
        // The plan still says where data comes from, with the key masked.
        #expect(bodies[0].contains("***"), "\(bodies[0].prefix(300))")
    }
}
