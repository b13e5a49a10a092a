import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteServer
import TradLyteStore
import TradLyteTestSupport

/// Issue 26: every route in-process (Hummingbird's router test client), with its auth, limits
/// and errors, each response checked against the OpenAPI document.
@Suite(.serialized) struct APIRouteTests {
    typealias H = APIHarness

    @Test func healthVersionAndTheDocumentAreOpenEverythingElseNeedsTheToken() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            #expect(try await H.send(client, .get, "/v1/health", token: nil).status == 200)
            let version = try await H.send(client, .get, "/v1/version", token: nil)
            #expect(try version.member("version")?.stringValue == TradLyteVersion.current)
            let doc = try await H.send(client, .get, "/openapi.json", token: nil)
            #expect(try doc.member("openapi")?.stringValue == "3.1.0")
            let docs = try await H.send(client, .get, "/docs", token: nil)
            #expect(docs.text.contains("/v1/bars/{symbol}") && !docs.text.contains("https://"))

            let missing = try await H.send(client, .get, "/v1/quotes/ACME", token: nil)
            #expect(missing.status == 401 && missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try missing.member("detail")?.stringValue?.contains("Authorization: Bearer") == true)
            let wrong = try await H.send(
                client, .get, "/v1/quotes/ACME", token: "nope-" + String(repeating: "y", count: 40))
            #expect(try wrong.status == 401 && wrong.member("status") == .number(401))
            let prefixOnly = try await H.send(client, .get, "/v1/quotes/ACME", token: String(H.token.dropLast()))
            #expect(prefixOnly.status == 401)
        }
        // The access log names the token by its fingerprint, never the token.
        let lines = h.log.withLock { $0 }
        #expect(lines.count >= 7)
        #expect(!lines.joined().contains(H.token))
        #expect(lines.contains { $0.contains("\"token\":\"invalid\"") && $0.contains("\"status\":401") })
    }

    @Test func unknownRoutesWrongMethodsMalformedJSONAndHugeBodiesGetProblems() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            let unknown = try await H.send(client, .get, "/v1/nothing-here")
            #expect(try unknown.status == 404 && unknown.member("detail")?.stringValue?.contains("/docs") == true)
            let malformed = try await H.send(
                client, .post, "/v1/backtests", body: "{\"strategy\": \"golden_cross\",\n  \"symbol\" ACME}")
            #expect(malformed.status == 400)
            #expect(try malformed.member("line") == .number(2) && malformed.member("column") != nil)
            let huge = "{\"strategy\": \"" + String(repeating: "a", count: 10 << 20) + "\"}"
            let tooLarge = try await H.send(client, .post, "/v1/backtests", body: huge)
            #expect(tooLarge.status == 413, "\(tooLarge.text.prefix(200))")
            let typo = try await H.send(
                client, .post, "/v1/backtests", body: #"{"strategy": "golden_cross", "symbol": "ACME", "cahs": 5}"#)
            #expect(typo.status == 400 && typo.text.contains("'cahs'"))
            let empty = try await H.send(client, .post, "/v1/backtests", body: "")
            #expect(empty.status == 400)
        }
    }

    @Test func aTokenOverItsRateOrConcurrencyGets429WithRetryAfter() async throws {
        let h = try APIHarness(config: #"{"api_rate_per_second": 3}"#)
        try await h.application.test(.router) { client in
            var statuses: [Int] = []
            var retry: String?
            for _ in 0..<8 {
                let r = try await H.send(client, .get, "/v1/strategies")
                statuses.append(r.status)
                if r.status == 429 { retry = r.headers[.retryAfter] }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 }, "\(statuses)")
            #expect(statuses.contains(429), "\(statuses)")
            #expect(retry.flatMap(Int.init).map { $0 >= 1 } == true)
            // Health stays open to a client that is over its limit.
            #expect(try await H.send(client, .get, "/v1/health", token: nil).status == 200)
        }
    }

    @Test func quotesAreCachedForTheTTLAndConcurrentRequestsMakeOneProviderCall() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 { group.addTask { try await H.send(client, .get, "/v1/quotes/ACME").status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(h.services.quotes.calls.withLock { $0 } == 1)
            let again = try await H.send(client, .get, "/v1/quotes/ACME")
            #expect(again.headers[.cacheControl]?.hasPrefix("max-age=") == true && again.headers[.age] != nil)
            #expect(try again.member("source")?.stringValue == "demo (cached)")
            let several = try await H.send(client, .get, "/v1/quotes?symbols=ACME,BOLT,NOPE")
            #expect(try several.member("quotes")?.arrayValue.count == 2)
            #expect(try several.member("failures")?.arrayValue.first?["symbol"]?.stringValue == "NOPE")
            let unknown = try await H.send(client, .get, "/v1/quotes/NOPE")
            #expect(unknown.status == 404)
        }
    }

    @Test func symbolsSearchBarsIndicatorsAndSignals() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            let symbols = try await H.send(client, .get, "/v1/symbols")
            #expect(try symbols.json().arrayValue.count >= 10)
            let csv = try await H.send(client, .get, "/v1/symbols?format=csv")
            #expect(csv.text.hasPrefix("symbol,name,type") && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let found = try await H.send(client, .get, "/v1/symbols/search?q=acm")
            #expect(try found.json().arrayValue.first?["symbol"]?.stringValue == "ACME")
            #expect(try await H.send(client, .get, "/v1/symbols/search").status == 400)

            let bars = try await H.send(client, .get, "/v1/bars/ACME?interval=13&from=2025-01-01")
            let rows = try bars.json().arrayValue
            #expect(!rows.isEmpty && rows.allSatisfy { $0["interval"] == .number(13) })
            let etag = try #require(bars.headers[.eTag])
            let notModified = try await H.send(
                client, .get, "/v1/bars/ACME?interval=13&from=2025-01-01", headers: [.ifNoneMatch: etag])
            #expect(notModified.status == 304 && notModified.bytes.isEmpty)
            let barsCSV = try await H.send(client, .get, "/v1/bars/ACME?interval=5&format=csv")
            #expect(barsCSV.text.hasPrefix("symbol,interval,bucket"))
            #expect(try await H.send(client, .get, "/v1/bars/ACME?interval=4").status == 400)
            #expect(try await H.send(client, .get, "/v1/bars/ACME?format=xml").status == 400)
            #expect(try await H.send(client, .get, "/v1/bars/NOPE").status == 404)
            #expect(try await H.send(client, .get, "/v1/bars/ACME?from=2025-02-01&to=2025-01-01").status == 400)

            let rsi = try await H.send(client, .get, "/v1/indicators/ACME?expr=rsi(14)&last=5")
            #expect(try rsi.json().arrayValue.count == 5)
            let rsiCSV = try await H.send(client, .get, "/v1/indicators/ACME?expr=rsi(14)&last=5&format=csv")
            #expect(rsiCSV.text.split(separator: "\n").count == 6)
            #expect(try await H.send(client, .get, "/v1/indicators/ACME?expr=rsi(").status == 400)
            let signals = try await H.send(client, .get, "/v1/signals/ACME?strategy=golden_cross")
            #expect(signals.status == 200)
            #expect(try await H.send(client, .get, "/v1/signals/ACME?strategy=nope").status == 404)
        }
    }

    @Test func strategiesListGetValidateCreateReplaceAndDelete() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            let list = try await H.send(client, .get, "/v1/strategies")
            #expect(try list.json().arrayValue.contains { $0["id"]?.stringValue == "golden_cross" })
            let one = try await H.send(client, .get, "/v1/strategies/golden_cross")
            let strategyJSON = try #require(try one.member("strategy"))
            #expect(try await H.send(client, .get, "/v1/strategies/nope").status == 404)

            let valid = try await H.send(client, .post, "/v1/strategies/validate", body: strategyJSON.compact())
            #expect(try valid.status == 200 && valid.member("valid") == .bool(true))
            // A rule with a typo: 422, the problem at its line and column in the rule.
            let broken = strategyJSON.compact().replacingOccurrences(of: "sma(", with: "smaa(")
            let invalid = try await H.send(client, .post, "/v1/strategies/validate", body: broken)
            #expect(invalid.status == 422)
            let problem = try #require(try invalid.member("problems")?.arrayValue.first)
            #expect(problem["line"] == .number(1) && problem["column"] != .null && problem["column"] != nil)

            let created = try await H.send(client, .put, "/v1/strategies/my_cross", body: strategyJSON.compact())
            #expect(created.status == 201 && created.headers[.location] == "/v1/strategies/my_cross")
            #expect(FileManager.default.fileExists(atPath: h.env.strategiesDirectory + "/my_cross.json"))
            let replaced = try await H.send(client, .put, "/v1/strategies/my_cross", body: strategyJSON.compact())
            #expect(replaced.status == 200)
            let refused = try await H.send(client, .put, "/v1/strategies/my_cross", body: broken)
            #expect(refused.status == 422)
            #expect(try await H.send(client, .get, "/v1/strategies/my_cross").status == 200)
            #expect(try await H.send(client, .delete, "/v1/strategies/golden_cross").status == 409)
            #expect(try await H.send(client, .delete, "/v1/strategies/my_cross").status == 204)
            #expect(try await H.send(client, .delete, "/v1/strategies/my_cross").status == 404)
        }
    }

    @Test func aBacktestIsTheCLIsDocumentAndBadInputIsRefused() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            let body = #"{"strategy": "golden_cross", "symbol": "ACME", "cash": 5000, "params": {"fast": 20}}"#
            let reply = try await H.send(client, .post, "/v1/backtests", body: body)
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let cli = try h.cliJSON([
                "backtest", "golden_cross", "ACME", "--cash", "5000", "--param", "fast=20", "--json",
            ])
            #expect(try reply.json() == cli)
            let unknown = try await H.send(
                client, .post, "/v1/backtests", body: #"{"strategy": "golden_cross", "symbol": "NOPE"}"#)
            #expect(unknown.status == 404)
            let badCash = try await H.send(
                client, .post, "/v1/backtests", body: #"{"strategy": "golden_cross", "symbol": "ACME", "cash": -5}"#)
            #expect(badCash.status == 400 && badCash.text.contains("--cash"))
            let noStrategy = try await H.send(
                client, .post, "/v1/backtests", body: #"{"strategy": "nope", "symbol": "ACME"}"#)
            #expect(noStrategy.status == 404)
        }
    }

    @Test func jobsRunQueueCancelAndKeepTheirResults() async throws {
        let h = try APIHarness(settings: { $0.jobSlots = 1 })
        try await h.application.test(.router) { client in
            let sweep =
                #"{"kind": "sweep", "strategy": "golden_cross", "symbol": "ACME", "params": {"fast": "10:30:10", "slow": "100,150"}}"#
            let posted = try await H.send(client, .post, "/v1/jobs", body: sweep)
            #expect(posted.status == 202)
            let id = try #require(try posted.member("id")?.stringValue)
            #expect(posted.headers[.location] == "/v1/jobs/\(id)")
            // A second job waits for the only slot; cancelled while queued, it never runs.
            let queued = try await H.send(client, .post, "/v1/jobs", body: sweep)
            let second = try #require(try queued.member("id")?.stringValue)
            let cancel = try await H.send(client, .delete, "/v1/jobs/\(second)")
            #expect(cancel.status == 202)
            let done = try await H.finished(client, job: id)
            #expect(try done.member("state")?.stringValue == "succeeded", "\(done.text.prefix(400))")
            let cli = try h.cliJSON([
                "sweep", "golden_cross", "ACME", "--param", "fast=10:30:10", "--param", "slow=100,150", "--json",
            ])
            #expect(try done.member("result") == cli)
            #expect(try await H.finished(client, job: second).member("state")?.stringValue == "cancelled")
            let list = try await H.send(client, .get, "/v1/jobs")
            #expect(try list.json().arrayValue.count == 2)
            #expect(try await H.send(client, .delete, "/v1/jobs/\(id)").status == 409)
            #expect(try await H.send(client, .get, "/v1/jobs/j_nope").status == 404)
            let unknownKind = try await H.send(client, .post, "/v1/jobs", body: #"{"kind": "mine"}"#)
            #expect(unknownKind.status == 400 && unknownKind.text.contains("sweep"))
            let badStrategy = try await H.send(
                client, .post, "/v1/jobs", body: #"{"kind": "sweep", "strategy": "nope", "symbol": "ACME"}"#)
            #expect(badStrategy.status == 404)

            let walk = try await H.send(
                client, .post, "/v1/jobs",
                body:
                    #"{"kind": "walkforward", "strategy": "golden_cross", "symbol": "ACME", "params": {"fast": "10,20"}}"#
            )
            let walked = try await H.finished(client, job: try #require(try walk.member("id")?.stringValue))
            let walkCLI = try h.cliJSON(["walkforward", "golden_cross", "ACME", "--param", "fast=10,20", "--json"])
            #expect(try walked.member("result") == walkCLI)

            let ranked = try await H.send(
                client, .post, "/v1/jobs", body: #"{"kind": "universe_run", "strategy": "golden_cross"}"#)
            let rankedDone = try await H.finished(client, job: try #require(try ranked.member("id")?.stringValue))
            #expect(try rankedDone.member("result") == h.cliJSON(["backtest", "golden_cross", "--universe", "--json"]))

            let portfolio = try await H.send(
                client, .post, "/v1/jobs",
                body: #"{"kind": "portfolio", "strategy": "golden_cross", "universe": true, "max_positions": 5}"#)
            let portfolioDone = try await H.finished(client, job: try #require(try portfolio.member("id")?.stringValue))
            let portfolioCLI = try h.cliJSON([
                "portfolio", "golden_cross", "--universe", "--max-positions", "5", "--json",
            ])
            #expect(try portfolioDone.member("result") == portfolioCLI)

            let portfolioSweep = try await H.send(
                client, .post, "/v1/jobs",
                body: #"{"kind": "portfolio", "strategy": "golden_cross", "universe": true, "max_positions": "3,6"}"#)
            let sweptDone = try await H.finished(
                client, job: try #require(try portfolioSweep.member("id")?.stringValue))
            let sweptCLI = try h.cliJSON([
                "portfolio", "golden_cross", "--universe", "--max-positions", "3,6", "--json",
            ])
            #expect(try sweptDone.member("result") == sweptCLI)
        }
    }

    @Test func picksScansAlertsAndDeliveries() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            let scanned = try await H.send(
                client, .post, "/v1/scans", body: #"{"top": 5}"#)
            #expect(scanned.status == 200, "\(scanned.text.prefix(300))")
            let picks = try await H.send(client, .get, "/v1/picks")
            // Every strategy was scanned, so the stored picks are the scan's, and the CLI scans the same.
            func sorted(_ v: JSONValue) -> [String] { v.arrayValue.map { $0.compact() }.sorted() }
            let stored = try picks.json()
            #expect(try sorted(stored) == sorted(scanned.json()) && !stored.arrayValue.isEmpty)
            let cli = try h.cliJSON(["scan", "--top", "5", "--json"])
            #expect(try scanned.json() == cli, "\(scanned.text.prefix(300)) vs \(cli.compact().prefix(300))")
            #expect(try await H.send(client, .post, "/v1/scans", body: #"{"top": 0}"#).status == 400)

            let added = try await H.send(
                client, .post, "/v1/alerts/rules", body: #"{"kind": "price_above", "symbol": "ACME", "value": 1}"#)
            #expect(added.status == 201)
            let ruleID = try #require(try added.member("id"))
            let rules = try await H.send(client, .get, "/v1/alerts/rules")
            #expect(try rules.json().arrayValue.count == 1)
            let badRule = try await H.send(client, .post, "/v1/alerts/rules", body: #"{"kind": "price_above"}"#)
            #expect(badRule.status == 400)
            // The alert check (the server's own schedule runs it) fires the rule once.
            let (fired, _) = try AlertService.check(env: h.env)
            #expect(fired.count == 1)
            let inbox = try await H.send(client, .get, "/v1/alerts?unread=true")
            let alert = try #require(try inbox.json().arrayValue.first)
            #expect(alert["symbol"]?.stringValue == "ACME" && alert["read"] == .bool(false))
            let id = try #require(alert["id"]).compact()
            let read = try await H.send(client, .post, "/v1/alerts/read", body: "{\"ids\": [\"\(id)\"]}")
            #expect(try read.member("marked") == .number(1))
            #expect(try await H.send(client, .get, "/v1/alerts?unread=true").json().arrayValue.isEmpty)
            #expect(try await H.send(client, .get, "/v1/webhooks/deliveries").status == 200)
            #expect(try await H.send(client, .delete, "/v1/alerts/rules/\(ruleID.compact())").status == 204)
            #expect(try await H.send(client, .delete, "/v1/alerts/rules/999").status == 404)
        }
    }

    @Test func thePipelinePlanRunsAndARefreshJobWith409WhileItRuns() async throws {
        let h = try APIHarness(seed: false)
        try await h.application.test(.router) { client in
            let plan = try await H.send(client, .get, "/v1/pipeline/plan")
            #expect(try plan.status == 200 && plan.member("source")?.stringValue?.contains("DEMO") == true)
            let (events, cancel) = h.services.hub.subscribe()
            let started = try await H.send(client, .post, "/v1/pipeline/refresh", body: #"{"backfill": 1}"#)
            #expect(started.status == 202)
            let id = try #require(try started.member("id")?.stringValue)
            let again = try await H.send(client, .post, "/v1/pipeline/refresh")
            let conflict = again.status == 409
            if conflict { #expect(try again.member("job")?.stringValue == id) }
            let done = try await H.finished(client, job: id)
            #expect(try done.member("state")?.stringValue == "succeeded", "\(done.text.prefix(400))")
            cancel()
            var types: [String] = []
            for await text in events {
                types.append((try? JSONSyntax.parse(Array(text.utf8)))?["type"]?.stringValue ?? "")
            }
            #expect(
                types.contains("refresh.started") && types.contains("refresh.stage") && types.contains("job.finished"))
            #expect(types.contains("data.updated"))
            let runs = try await H.send(client, .get, "/v1/pipeline/runs?last=3")
            let run = try #require(try runs.json().arrayValue.first)
            #expect(run["trigger"]?.stringValue == "api" && run["status"]?.stringValue == "succeeded")
            #expect(try await H.send(client, .get, "/v1/pipeline/runs?last=0").status == 400)
        }
    }

    /// What a drill found: files through the strategy member, typos in the query, the scheme's
    /// case, weak ETags, percent-encoded segments, a built-in's id, ids as numbers, bad jobs.
    @Test func theDrillsFindingsStayFixed() async throws {
        let h = try APIHarness()
        try await h.application.test(.router) { client in
            for body in [
                #"{"strategy": "/etc/hostname", "symbol": "ACME"}"#, #"{"strategy": "../x.json", "symbol": "ACME"}"#,
            ] {
                let file = try await H.send(client, .post, "/v1/backtests", body: body)
                #expect(file.status == 400 && file.text.contains("looks like a file"), "\(file.text)")
            }
            let typo = try await H.send(client, .get, "/v1/bars/ACME?intreval=5")
            #expect(typo.status == 400 && typo.text.contains("'intreval'"))
            #expect(try await H.send(client, .get, "/v1/bars/ACME?interval=5&interval=8").status == 400)
            let plus = try await H.send(client, .get, "/v1/indicators/ACME?expr=close+%3E+sma(50)&last=3")
            #expect(plus.status == 200, "\(plus.text)")
            let lower = try await H.send(
                client, .get, "/v1/strategies", token: nil, headers: [.authorization: "bearer \(H.token)"])
            #expect(lower.status == 200)
            let bars = try await H.send(client, .get, "/v1/bars/ACME?interval=8")
            let weak = try await H.send(
                client, .get, "/v1/bars/ACME?interval=8", headers: [.ifNoneMatch: "W/" + (bars.headers[.eTag] ?? "")])
            #expect(weak.status == 304)
            #expect(try await H.send(client, .get, "/v1/strategies/Golden%20Cross").status == 200)
            let one = try await H.send(client, .get, "/v1/strategies/golden_cross")
            let doc = try #require(try one.member("strategy")).compact()
            #expect(try await H.send(client, .put, "/v1/strategies/golden_cross", body: doc).status == 409)
            let reserved = try await H.send(client, .put, "/v1/strategies/validate", body: doc).status
            #expect(reserved >= 400 && reserved < 500)
            let valid = try await H.send(client, .post, "/v1/strategies/validate", body: doc)
            #expect(try valid.member("warm_up_bars") != nil && valid.member("interval") == .number(1))

            _ = try await H.send(
                client, .post, "/v1/alerts/rules", body: #"{"kind": "price_above", "symbol": "ACME", "value": 1}"#)
            _ = try AlertService.check(env: h.env)
            let inbox = try await H.send(client, .get, "/v1/alerts")
            let id = try #require(try inbox.json().arrayValue.first?["id"])
            let read = try await H.send(client, .post, "/v1/alerts/read", body: "{\"ids\": [\(id.compact())]}")
            #expect(try read.member("marked") == .number(1))
            #expect(try await H.send(client, .post, "/v1/alerts/read").status == 200)
            // The CLI lists the same documents.
            let now = try await H.send(client, .get, "/v1/alerts")
            #expect(try now.json() == h.cliJSON(["alerts", "list", "--json"]))

            for body in [
                #"{"kind": "portfolio", "strategy": "golden_cross", "universe": true, "watchlist": true}"#,
                #"{"kind": "portfolio", "strategy": "golden_cross", "universe": true, "fill_close": true}"#,
                #"{"kind": "portfolio", "strategy": "golden_cross", "symbols": []}"#,
                #"{"kind": "sweep", "strategy": "golden_cross", "symbol": "ACME", "params": {"fast": "10:100:1"}, "max": 5}"#,
            ] {
                let refused = try await H.send(client, .post, "/v1/jobs", body: body)
                #expect(refused.status == 400, "\(body): \(refused.text)")
            }
            #expect(try await H.send(client, .get, "/v1/jobs").json().arrayValue.isEmpty)

            let head = try await H.send(client, .head, "/v1/bars/ACME?interval=13", validate: false)
            #expect(
                head.status == 200 && head.bytes.isEmpty && head.headers[.eTag] != nil,
                "\(head.status) \(head.text.prefix(200)) \(head.headers)")
            #expect(head.headers[.contentLength].flatMap(Int.init).map { $0 > 1_000 } == true)
            let headDenied = try await H.send(client, .head, "/v1/bars/ACME", token: nil, validate: false)
            #expect(headDenied.status == 401 && headDenied.bytes.isEmpty)
            let wrongMethod = try await H.send(client, .delete, "/v1/quotes/ACME")
            #expect(wrongMethod.status == 405 && wrongMethod.headers[.allow] == "GET")
        }
    }

    /// No CORS headers unless `cors_origins` lists the page's origin; then preflights and
    /// responses (errors too) carry them.
    @Test func corsOnlyForTheConfiguredOrigins() async throws {
        let origin: HTTPFields = [.origin: "http://localhost:3000"]
        let closed = try APIHarness()
        try await closed.application.test(.router) { client in
            let r = try await H.send(client, .get, "/v1/strategies", headers: origin)
            #expect(r.status == 200 && r.headers[.accessControlAllowOrigin] == nil)
        }
        let open = try APIHarness(config: #"{"cors_origins": ["http://localhost:3000"]}"#)
        try await open.application.test(.router) { client in
            var ask = origin
            ask[.accessControlRequestMethod] = "POST"
            let preflight = try await H.send(
                client, .options, "/v1/backtests", token: nil, headers: ask, validate: false)
            #expect(preflight.status == 204 && preflight.headers[.accessControlAllowOrigin] == "http://localhost:3000")
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let denied = try await H.send(client, .get, "/v1/strategies", token: nil, headers: origin)
            #expect(denied.status == 401 && denied.headers[.accessControlAllowOrigin] == "http://localhost:3000")
            let other = try await H.send(client, .get, "/v1/strategies", headers: [.origin: "https://evil.example"])
            #expect(other.status == 200 && other.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
