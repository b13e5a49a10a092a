import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteServer
import TradLyteStore
import TradLyteTestSupport

/// Issue 26's pieces on their own: the signature, the schedule, the document, the limiter.
struct ServeUnitTests {
    /// FIPS 180-4's SHA-256 examples and RFC 4231's HMAC-SHA256 test cases 1, 2 and 6.
    @Test func sha256AndHMACMatchThePublishedVectors() {
        #expect(
            SHA256.hex(SHA256.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(SHA256.hash(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let case1 = SHA256.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
        #expect(SHA256.hex(case1) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let case2 = SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(SHA256.hex(case2) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let case6 = SHA256.hmac(
            key: [UInt8](repeating: 0xaa, count: 131),
            message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(SHA256.hex(case6) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func theScheduleRunsAtThePlansSafeTime() throws {
        func at(_ text: String) throws -> Date { try #require(Timestamp.parse(text)) }
        func ny(_ date: Date?) -> String {
            guard let date else { return "never" }
            let local = NewYorkTime.local(at: date)
            return "\(local.date) \(local.secondOfDay / 3600):\(String(format: "%02d", local.secondOfDay / 60 % 60))"
        }
        // A delayed plan: 16:10 New York on each session (Friday 2026-11-27 closes at 13:00: 13:10).
        #expect(
            ny(RefreshSchedule.next(after: try at("2026-11-25T15:00:00Z"), schedule: "auto", publishesNextDay: false))
                == "2026-11-25 16:10")
        #expect(
            ny(RefreshSchedule.next(after: try at("2026-11-25T22:00:00Z"), schedule: "auto", publishesNextDay: false))
                == "2026-11-27 13:10")
        // Saturday: the next session is Monday.
        #expect(
            ny(RefreshSchedule.next(after: try at("2026-11-28T15:00:00Z"), schedule: "auto", publishesNextDay: false))
                == "2026-11-30 16:10")
        // The free plan publishes a session after midnight: 00:15 the morning after each session.
        #expect(
            ny(RefreshSchedule.next(after: try at("2026-11-25T22:00:00Z"), schedule: "auto", publishesNextDay: true))
                == "2026-11-26 0:15")
        #expect(
            ny(RefreshSchedule.next(after: try at("2026-11-25T22:00:00Z"), schedule: "07:30", publishesNextDay: false))
                == "2026-11-26 7:30")
        #expect(
            RefreshSchedule.next(after: try at("2026-11-25T22:00:00Z"), schedule: "off", publishesNextDay: false) == nil
        )
        #expect(RefreshSchedule.clockTime("24:00") == nil && RefreshSchedule.clockTime("7:30") == nil)
    }

    @Test func theServedDocumentIsTheOneInTheRepository() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))
        #expect(try JSONSyntax.parse(Array(file)) == JSONSyntax.parse(Array(OpenAPIDocument.text.utf8)))
        // Every route the server has is in the document.
        let paths = try #require(try JSONSyntax.parse(Array(file))["paths"])
        guard case .object(let listed) = paths else { return }
        let names = Set(listed.map(\.0))
        for path in [
            "/v1/health", "/v1/quotes/{symbol}", "/v1/bars/{symbol}", "/v1/backtests", "/v1/jobs", "/v1/jobs/{id}",
            "/v1/events", "/v1/pipeline/refresh", "/v1/alerts/rules", "/v1/strategies/{id}", "/v1/webhooks/deliveries",
        ] {
            #expect(names.contains(path), "\(path)")
        }
    }

    /// A fired alert is POSTed to the webhook with a signature the receiver can check; a 500 is
    /// retried with backoff, and each attempt is recorded with its status.
    @Test func webhooksAreSignedRetriedAndRecorded() async throws {
        struct Received: Sendable {
            var bodies: [String] = []
            var signatures: [String] = []
        }
        let received = Locked(Received())
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let first = received.withLock { r -> Bool in
                r.bodies.append(String(buffer: body))
                r.signatures.append(request.headers[HTTPField.Name("X-TradLyte-Signature")!] ?? "")
                return r.bodies.count == 1
            }
            return Response(status: first ? .internalServerError : .noContent)
        }
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.path + "/tradlyte.sqlite")
        let alert = Alert(
            id: 7, ruleID: 3, symbol: try Symbol(typed: "ACME"), session: try SessionDate(iso: "2026-11-25"),
            message: "ACME closed above 120", firedAt: try #require(Timestamp.parse("2026-11-25T21:10:00Z")))
        let secret = "a-webhook-secret-of-some-length"
        let sleeps = Locked<[Double]>([])
        let boxed = UncheckedSendable(store)
        try await Application(router: router).test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)/hook"
            let sender = WebhookSender(
                hooks: [AppConfig.Webhook(url: url, secret: secret)], attempts: 3, timeout: 300,
                sleep: { s in sleeps.withLock { $0.append(s) } })
            let outcome = await Task.detached {
                sender.deliver(alert, store: boxed.value, now: { Date(timeIntervalSince1970: 1_764_105_000) })
            }.value
            #expect(outcome[url] == 204)
        }
        let r = received.withLock { $0 }
        #expect(r.bodies.count == 2 && r.bodies[0] == r.bodies[1])
        #expect(try JSONSyntax.parse(Array(r.bodies[0].utf8))["message"]?.stringValue == "ACME closed above 120")
        // The receiver's check: HMAC-SHA256 over "<t>.<body>" with the shared secret.
        let signature = r.signatures[1]
        let parts = Dictionary(
            uniqueKeysWithValues: signature.split(separator: ",").map {
                ($0.prefix { $0 != "=" }, $0.drop { $0 != "=" }.dropFirst())
            })
        let t = try #require(parts["t"])
        let expected = SHA256.hex(
            SHA256.hmac(key: Array(secret.utf8), message: Array("\(t).".utf8) + Array(r.bodies[1].utf8)))
        #expect(parts["v1"].map(String.init) == expected)
        #expect(sleeps.withLock { $0 } == [1])
        let log = try store.deliveries()
        #expect(log.map(\.status) == [204, 500] && log.map(\.attempt) == [2, 1] && log.allSatisfy { $0.alertID == 7 })
    }
}
