import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// The API's routes. Each decodes its request, calls one app service and answers with the
/// document the CLI prints for the same request (`--json`); errors are problem documents.
struct Routes {
    let services: APIServices
    var env: AppEnvironment { services.env }
    var bodyLimit: Int { env.config.apiBodyLimitBytes }

    /// A GET route and its HEAD (`HeadMiddleware` drops the body).
    private func get(
        _ group: some RouterMethods<APIContext>, _ path: RouterPath,
        use handler: @escaping @Sendable (Request, APIContext) async throws -> Response
    ) {
        group.get(path, use: handler)
        group.head(path, use: handler)
    }

    func add(to router: Router<APIContext>) {
        let v1 = router.group("v1")
        get(v1, "health") { _, _ in Reply.json(.object([("status", .string("ok"))])) }
        get(v1, "version") { _, _ in
            Reply.json(.object([("version", .string(TradLyteVersion.current)), ("api", .string("v1"))]))
        }
        get(router, "openapi.json") { request, _ in
            // The document names the default address; a client reads it from this server.
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
            let host =
                request.head.authority.flatMap { $0.allSatisfy(allowed.contains) ? "http://" + $0 : nil }
                ?? "http://127.0.0.1:8470"
            let text = OpenAPIDocument.text.replacingOccurrences(of: "\"http://127.0.0.1:8470\"", with: "\"\(host)\"")
            return Reply.bytes(Array(text.utf8), contentType: "application/json")
        }
        get(router, "docs") { _, _ in
            Reply.bytes(Array(OpenAPIDocument.html.utf8), contentType: "text/html; charset=utf-8")
        }

        get(v1, "quotes", use: quotes)
        get(v1, "quotes/:symbol", use: quote)
        get(v1, "symbols", use: symbols)
        get(v1, "symbols/search", use: search)
        get(v1, "bars/:symbol", use: bars)
        get(v1, "indicators/:symbol", use: indicator)
        get(v1, "signals/:symbol", use: signals)

        get(v1, "strategies", use: strategies)
        v1.post("strategies/validate", use: validateStrategy)
        get(v1, "strategies/:id", use: strategy)
        v1.put("strategies/:id", use: putStrategy)
        v1.delete("strategies/:id", use: deleteStrategy)

        v1.post("backtests", use: backtest)
        v1.post("jobs", use: submitJob)
        get(v1, "jobs", use: listJobs)
        get(v1, "jobs/:id", use: job)
        v1.delete("jobs/:id", use: cancelJob)

        get(v1, "picks", use: picks)
        v1.post("scans", use: scan)

        get(v1, "alerts", use: alerts)
        v1.post("alerts/read", use: readAlerts)
        get(v1, "alerts/rules", use: alertRules)
        v1.post("alerts/rules", use: addAlertRule)
        v1.delete("alerts/rules/:id", use: removeAlertRule)
        get(v1, "webhooks/deliveries", use: deliveries)

        get(v1, "pipeline/plan", use: plan)
        get(v1, "pipeline/runs", use: runs)
        v1.post("pipeline/refresh", use: refresh)

        // The upgrade itself happens before routing (see `APIServer.application`); a plain GET,
        // or an upgrade without a valid token, gets here.
        v1.get("events") { _, _ -> Response in
            throw APIProblem(
                .upgradeRequired, "/v1/events is a WebSocket: connect with ws://HOST:PORT/v1/events and the token",
                headers: [.upgrade: "websocket"])
        }
    }

    // MARK: - Quotes, symbols, bars

    /// Several quotes: `?symbols=A,B` (default: the watchlist). The CLI's `quote --json` document;
    /// a symbol that fails is listed under `failures` (the CLI prints it on stderr).
    @Sendable func quotes(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["symbols"])
        let list =
            try query["symbols"].map { try OptionInput.tickers($0, option: "symbols") } ?? env.config.watchlist
        guard !list.isEmpty else {
            throw APIProblem(.badRequest, "name symbols (?symbols=ACME,BOLT) or add a watchlist to \(env.configPath)")
        }
        guard list.count <= 100 else { throw APIProblem(.badRequest, "at most 100 symbols a request") }
        var rows: [JSONValue] = []
        var failures: [JSONValue] = []
        for text in list {
            do {
                rows.append(try await quoteRow(text).0)
            } catch {
                failures.append(
                    .object([("symbol", .string(text)), ("error", .string(APIProblem.from(error).detail))]))
            }
        }
        return Reply.json(.object([("quotes", .array(rows)), ("failures", .array(failures))]))
    }

    /// One quote: the element `quote SYMBOL --json` prints, with `Cache-Control` and `Age`.
    @Sendable func quote(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let symbol = try context.segment("symbol")
        let (row, age) = try await quoteRow(symbol)
        let ttl = Int(services.quotes.ttl)
        return Reply.json(row, headers: [.cacheControl: "max-age=\(max(0, ttl - age))", .age: "\(age)"])
    }

    private func quoteRow(_ symbol: String) async throws -> (JSONValue, Int) {
        let hit = services.quotes.cached(symbol)
        let entry: QuoteCache.Entry
        if let hit { entry = hit } else { entry = try await services.quotes.quote(symbol) }
        let now = env.now()
        let row = QuoteReport.row(entry.result.value, now: now, fromCache: hit != nil ? true : nil)
        let age = max(0, Int(now.timeIntervalSince(entry.result.value.quote.fetchedAt)))
        return (QuoteReport.json(row), age)
    }

    /// `export symbols`: JSON or CSV.
    @Sendable func symbols(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["format"])
        let format = try Self.format(query)
        let body = try services.body("symbols|\(format)") {
            let rows = try Export.symbols(env: env)
            return format == "csv"
                ? (Array((Documents.symbolsCSV(rows) + "\n").utf8), "text/csv; charset=utf-8")
                : (Array(try Reply.compactEncoder.encode(rows)), "application/json")
        }
        return Reply.cached(body, request: request)
    }

    /// Symbols whose ticker starts with, or whose name contains, `q` (case-insensitive).
    @Sendable func search(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["q", "limit"])
        guard let q = query["q"]?.trimmingCharacters(in: .whitespaces), !q.isEmpty else {
            throw APIProblem(.badRequest, "give ?q= with part of a ticker or a name, e.g. ?q=acm")
        }
        let needle = q.lowercased()
        let limit = try Self.int(query, "limit", default: 20, in: 1...500)
        let rows = try Export.symbols(env: env)
        let matches =
            rows.filter { $0.symbol.lowercased().hasPrefix(needle) }
            + rows.filter { !$0.symbol.lowercased().hasPrefix(needle) && ($0.name ?? "").lowercased().contains(needle) }
        return try Reply.encodable(Array(matches.prefix(limit)))
    }

    /// `export bars SYMBOL --interval N --from --to --format json|csv`, with an ETag.
    @Sendable func bars(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["interval", "from", "to", "format"])
        let symbol = try context.segment("symbol")
        let format = try Self.format(query)
        let intervalText = query["interval"] ?? "1"
        let interval = try FibInterval(parsing: intervalText)
        let from = try query["from"].map { try Studies.date($0, option: "from") }
        let to = try query["to"].map { try Studies.date($0, option: "to") }
        if let from, let to, from > to { throw APIProblem(.badRequest, "from \(from) is after to \(to)") }
        let key = "bars|\(symbol)|\(interval.sessions)|\(from?.description ?? "")|\(to?.description ?? "")|\(format)"
        let body = try services.body(key) {
            let rows = try Export.bars(symbol, interval: interval, from: from, to: to, env: env)
            return format == "csv"
                ? (Array((Documents.barsCSV(rows) + "\n").utf8), "text/csv; charset=utf-8")
                : (Array(try Reply.compactEncoder.encode(rows)), "application/json")
        }
        return Reply.cached(body, request: request)
    }

    /// `indicator EXPR SYMBOL --interval N --last K`: rows of the CLI's table as objects (JSON) or its CSV.
    @Sendable func indicator(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["expr", "interval", "last", "format"])
        let symbol = try context.segment("symbol")
        guard let expression = query["expr"], !expression.isEmpty else {
            throw APIProblem(.badRequest, "give ?expr= with an indicator expression, e.g. ?expr=rsi(14)")
        }
        let interval = try FibInterval(parsing: query["interval"] ?? "1")
        let last = try query["last"].map { _ in try Self.int(query, "last", default: 0, in: 1...100_000) }
        let format = try Self.format(query)
        let rows = try Studies.indicator(
            expression, history: try Studies.history(symbol, env: env), interval: interval, last: last)
        if format == "csv" {
            return Reply.bytes(
                Array((rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").utf8),
                contentType: "text/csv; charset=utf-8")
        }
        let header = rows.first ?? []
        let objects: [JSONValue] = rows.dropFirst().map { row in
            .object(zip(header, row).map { ($0, $1.isEmpty ? .null : Double($1).map(JSONValue.number) ?? .string($1)) })
        }
        return Reply.json(.array(objects))
    }

    /// `signals STRATEGY SYMBOL --json [--all]`.
    @Sendable func signals(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["strategy", "interval", "all"])
        let symbol = try context.segment("symbol")
        guard let name = query["strategy"] else {
            throw APIProblem(.badRequest, "give ?strategy= with a strategy id, e.g. ?strategy=golden_cross")
        }
        let s = try services.strategy(name)
        let study = StudyRequest(
            strategy: s, parameters: [:], interval: try query["interval"].map { try FibInterval(parsing: $0) })
        let report = try Studies.signals(
            study, history: try Studies.history(symbol, env: env), all: query["all"] == "true")
        return try Reply.encodable(report.rows)
    }

    // MARK: - Strategies

    @Sendable func strategies(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let items: [JSONValue] = services.strategies().items.map { item in
            var pairs: [(String, JSONValue)] = [("id", .string(item.id)), ("source", .string(item.source.rawValue))]
            switch item.result {
            case .success(let s):
                pairs += [
                    ("name", .string(s.name)), ("interval", .number(Double(s.interval.sessions))),
                    ("direction", .string(s.direction.rawValue)), ("description", .string(s.description)),
                    ("valid", .bool(true)),
                ]
            case .failure(let e):
                pairs += [("valid", .bool(false)), ("problems", Self.problems(e))]
            }
            return .object(pairs)
        }
        return Reply.json(.array(items))
    }

    @Sendable func strategy(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let id = try context.segment("id")
        try APIServices.refusePath(id)
        let catalog = services.strategies()
        let item = try catalog.find(id)
        let s = try catalog.strategy(id)
        return Reply.json(
            .object([
                ("id", .string(item.id)), ("source", .string(item.source.rawValue)),
                ("documentation", item.documentation.map(JSONValue.string) ?? .null), ("strategy", s.json),
            ]))
    }

    /// Checks a strategy document: 200 with `valid: true`, or 422 with every problem (JSON path,
    /// message, and the line and column in the body or in the rule).
    @Sendable func validateStrategy(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let (s, _) = try await Self.strategyBody(request, limit: bodyLimit)
        // A strategy that parses but does not compile with its defaults has no warm-up to give.
        let lookback = (try? CompiledStrategy(s)).map { JSONValue.number(Double($0.lookback)) } ?? .null
        return Reply.json(
            .object([
                ("valid", .bool(true)), ("name", .string(s.name)), ("interval", .number(Double(s.interval.sessions))),
                ("direction", .string(s.direction.rawValue)), ("warm_up_bars", lookback),
                (
                    "declared_grid",
                    Studies.declaredGridNote(try Studies.declaredRanges(s)).map(JSONValue.string) ?? .null
                ),
            ]))
    }

    /// Creates or replaces the user strategy `id` (201 when new); an invalid one is refused with
    /// 422 and nothing is written.
    @Sendable func putStrategy(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let id = try context.segment("id")
        guard (1...64).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
            id != "validate"
        else {
            throw APIProblem(.badRequest, "a strategy id is 1 to 64 letters, digits and _ (and not 'validate')")
        }
        if services.strategies().items.contains(where: { $0.id == id && $0.source == .builtIn }) {
            throw APIProblem(.conflict, "'\(id)' is a built-in strategy's id; give yours another (e.g. my_\(id))")
        }
        let (_, value) = try await Self.strategyBody(request, limit: bodyLimit)
        let catalog = services.strategies()
        let existed = catalog.items.contains { $0.id == id && $0.source == .user }
        // The file keeps the document as sent (re-indented), so a user's key order survives.
        if let problem = catalog.save(id: id, text: value.rendered() + "\n") { throw APIProblem(.badRequest, problem) }
        services.strategiesChanged()
        return Reply.json(
            .object([("id", .string(id)), ("path", .string(env.strategiesDirectory + "/" + id + ".json"))]),
            status: existed ? .ok : .created, headers: [.location: "/v1/strategies/\(id)"])
    }

    @Sendable func deleteStrategy(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let id = try context.segment("id")
        let catalog = services.strategies()
        guard let item = catalog.items.first(where: { $0.id == id }) else {
            throw APIProblem(.notFound, "unknown strategy '\(id)' (GET /v1/strategies lists them)")
        }
        guard item.source == .user, let path = item.path else {
            throw APIProblem(.conflict, "'\(id)' is built in and cannot be deleted; copy it to make your own")
        }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw APIProblem(.internalServerError, "cannot remove \(path): \(error.localizedDescription)")
        }
        services.strategiesChanged()
        return Response(status: .noContent)
    }

    /// The body read once, as a strategy (422 with every problem when it is not one) and as JSON.
    static func strategyBody(_ request: Request, limit: Int) async throws -> (Strategy, JSONValue) {
        let value = try await request.jsonBody(limit: limit)
        do throws(StrategyError) {
            return (try Strategy.parse(Data(value.compact().utf8)), value)
        } catch {
            throw APIProblem(
                .unprocessableContent, "the strategy is invalid: \(error.diagnostics.count) problem(s)",
                extra: [("problems", problems(error))])
        }
    }

    static func problems(_ e: StrategyError) -> JSONValue {
        .array(
            e.diagnostics.map { d in
                .object([
                    ("path", .string(d.path)), ("message", .string(d.rule?.message ?? d.message)),
                    ("line", d.rule.map { .number(Double($0.line)) } ?? .null),
                    ("column", d.rule.map { .number(Double($0.column)) } ?? .null),
                    ("rule", d.ruleSource.map(JSONValue.string) ?? .null),
                ])
            })
    }

    // MARK: - Backtests and jobs

    /// One backtest of one symbol, at once: `backtest STRATEGY SYMBOL --json`.
    @Sendable func backtest(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        var body = try BodyFields(try await request.jsonBody(limit: bodyLimit))
        let name = try body.required("strategy")
        let symbol = try body.required("symbol")
        let options = try body.study()
        let params = try body.params()
        try body.finish()
        let s = try services.strategy(name)
        let study = try options.request(s, parameters: try Studies.parameters(params, strategy: s))
        let history = try services.history(symbol)
        let result = try Studies.backtest(
            study, symbol: history.symbol, daily: history.daily, latestClosed: services.latestClosed)
        return Reply.json(StudyJSON.backtest(result, request: study, symbol: history.symbol))
    }

    /// `POST /v1/jobs {"kind": …, …}` → 202 with the job and `Location`.
    @Sendable func submitJob(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let value = try await request.jsonBody(limit: bodyLimit)
        var fields = try BodyFields(value)
        let kind = try fields.required("kind")
        if kind == "refresh" { try refuseWhileRefreshing() }
        let work = try JobKinds.make(kind, fields: fields, services: services)
        let job = try services.jobs.submit(kind: kind, request: value, work: work)
        return Reply.json(
            JobQueue.json(job, withResult: false), status: .accepted, headers: [.location: "/v1/jobs/\(job.id)"])
    }

    @Sendable func listJobs(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["limit"])
        let limit = try Self.int(query, "limit", default: 50, in: 1...1_000)
        return Reply.json(.array(try services.jobs.list(limit: limit).map { JobQueue.json($0, withResult: false) }))
    }

    @Sendable func job(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let id = try context.segment("id")
        guard let job = try services.jobs.get(id) else { throw APIProblem(.notFound, "no job '\(id)'") }
        return Reply.json(JobQueue.json(job, withResult: true))
    }

    @Sendable func cancelJob(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let id = try context.segment("id")
        guard let job = try services.jobs.cancel(id) else { throw APIProblem(.notFound, "no job '\(id)'") }
        if job.state.isFinished, job.error != "cancelled before it started" {
            throw APIProblem(.conflict, "job '\(id)' has already finished (\(job.state.rawValue))")
        }
        return Reply.json(JobQueue.json(try services.jobs.get(id) ?? job, withResult: false), status: .accepted)
    }

    // MARK: - Picks and scans

    @Sendable func picks(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["session"])
        let session = try query["session"].map { try Studies.date($0, option: "session") }
        guard env.databaseExists else { return Reply.json(.array([])) }
        return Reply.json(Documents.picks(try services.withStore { try $0.picks(session: session) }))
    }

    /// `scan [STRATEGIES] --top N --date D --json`: scans and stores the picks.
    @Sendable func scan(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        var body = try BodyFields(try await request.jsonBody(limit: bodyLimit))
        let names = try body.strings("strategies")
        let top = try body.int("top")
        let date = try body.string("session")
        try body.finish()
        if let top, !ScanSettings.topRange.contains(top) {
            throw APIProblem(
                .badRequest,
                "top must be from \(ScanSettings.topRange.lowerBound) to \(ScanSettings.topRange.upperBound)")
        }
        guard env.databaseExists else { throw APIProblem(.conflict, "no data yet — POST /v1/pipeline/refresh first") }
        let document = try await offload { [services] in
            try services.withStore { store in
                let day = try date.map { text in
                    let d = try Studies.date(text, option: "session")
                    guard store.calendar.isSession(d) else {
                        throw AppError.badInput("session \(d) (\(d.weekdayName)) is not an NYSE session")
                    }
                    return d
                }
                let (list, _, result) = try ScanService.scan(
                    env: services.env, store: store, names: names, top: top, session: day)
                return Documents.picks(list.flatMap { result.picks[$0.name] ?? [] })
            }
        }.get()
        return Reply.json(document)
    }

    // MARK: - Alerts

    @Sendable func alerts(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["unread"])
        let unread = query["unread"] == "true"
        let list = env.databaseExists ? try services.withStore { try $0.alerts(unreadOnly: unread) } : []
        return Reply.json(.array(list.map(AlertService.json)))
    }

    /// Marks alerts read: `{"ids": [3, 4]}`, or every alert for `{}` or an empty body (as
    /// `tradlyte alerts read` without ids).
    @Sendable func readAlerts(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        var numbers: [Int64]?
        if let value = try await request.jsonBody(limit: bodyLimit, allowEmpty: true) {
            var body = try BodyFields(value)
            numbers = try body.ids("ids")
            try body.finish()
        }
        let n = env.databaseExists ? try services.withStore { try $0.markAlertsRead(numbers) } : 0
        return Reply.json(.object([("marked", .number(Double(n)))]))
    }

    @Sendable func alertRules(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let rules = env.databaseExists ? try services.withStore { try $0.alertRules() } : []
        return try Reply.encodable(rules)
    }

    @Sendable func addAlertRule(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        var body = try BodyFields(try await request.jsonBody(limit: bodyLimit))
        let kind = try body.required("kind")
        let symbol = try body.string("symbol")
        let value = try OptionInput.decimal(
            try body.numberText("value"), option: "value", in: -1e15...1e15, example: "120")
        let sessions = try body.int("sessions")
        let strategy = try body.string("strategy")
        try body.finish()
        if let strategy { try APIServices.refusePath(strategy) }
        let (id, rule) = try AlertRules.add(
            kind: kind, symbol: symbol, value: value, sessions: sessions, strategy: strategy, env: env)
        return Reply.json(
            .object([("id", .number(Double(id))), ("summary", .string(rule.summary))]), status: .created,
            headers: [.location: "/v1/alerts/rules/\(id)"])
    }

    @Sendable func removeAlertRule(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let text = try context.segment("id")
        guard let id = Int64(text), env.databaseExists, try services.withStore({ try $0.removeAlertRule(id) }) else {
            throw APIProblem(.notFound, "no alert rule #\(text) — GET /v1/alerts/rules lists them")
        }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let list = env.databaseExists ? try services.withStore { try $0.deliveries(limit: 200) } : []
        return Reply.json(
            .array(
                list.map { d in
                    .object([
                        ("alert_id", d.alertID.map { .number(Double($0)) } ?? .null), ("url", .string(d.url)),
                        ("attempt", .number(Double(d.attempt))),
                        ("status", d.status.map { .number(Double($0)) } ?? .null),
                        ("error", d.error.map(JSONValue.string) ?? .null),
                        ("at", .string(Timestamp.format(d.at, milliseconds: false))),
                    ])
                }))
    }

    // MARK: - Pipeline

    @Sendable func plan(_ request: Request, context: APIContext) async throws -> Response {
        try request.allowQuery([])
        let env = self.env
        let planned = try await offload { try RefreshService(env: env).plan(RefreshRequest(trigger: .manual)) }.get()
        return Reply.json(
            .object([
                ("source", .string(planned.source)), ("lines", .array(planned.lines.map(JSONValue.string))),
                ("metadata_calls", .number(Double(planned.metadataCalls))),
            ]))
    }

    @Sendable func runs(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery(["last"])
        let last = try Self.int(query, "last", default: 5, in: 1...1_000)
        return try Reply.encodable(try RunHistory.rows(last: last, env: env))
    }

    /// Starts a refresh as a job (202); 409 naming the refresh already running.
    @Sendable func refresh(_ request: Request, context: APIContext) async throws -> Response {
        let query = try request.allowQuery([])
        try refuseWhileRefreshing()
        var value: JSONValue = .object([("kind", .string("refresh"))])
        if let body = try await request.jsonBody(limit: bodyLimit, allowEmpty: true) {
            guard case .object(let pairs) = body else {
                throw APIProblem(.badRequest, "the body must be a JSON object, e.g. {\"relearn\": true}")
            }
            value = .object([("kind", .string("refresh"))] + pairs.filter { $0.0 != "kind" })
        }
        var fields = try BodyFields(value)
        _ = try fields.required("kind")
        let work = try JobKinds.make("refresh", fields: fields, services: services)
        let job = try services.jobs.submit(kind: "refresh", request: value, work: work)
        return Reply.json(
            JobQueue.json(job, withResult: false), status: .accepted, headers: [.location: "/v1/jobs/\(job.id)"])
    }

    private func refuseWhileRefreshing() throws {
        if let active = try services.jobs.activeRefresh() {
            throw APIProblem(
                .conflict, "a refresh is already \(active.state.rawValue): job \(active.id)",
                extra: [("job", .string(active.id))], headers: [.location: "/v1/jobs/\(active.id)"])
        }
        if let holder = RunLock.holder(directory: env.dataDirectory) {
            throw APIProblem(.conflict, "another refresh holds the lock: \(holder)")
        }
    }

    // MARK: - Parameters

    static func format(_ query: [String: String]) throws -> String {
        let format = query["format"] ?? "json"
        guard format == "json" || format == "csv" else {
            throw APIProblem(.badRequest, "format must be json or csv, not '\(format)'")
        }
        return format
    }

    static func int(_ query: [String: String], _ name: String, default value: Int, in range: ClosedRange<Int>) throws
        -> Int
    {
        guard let text = query[name] else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw APIProblem(
                .badRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }
}
