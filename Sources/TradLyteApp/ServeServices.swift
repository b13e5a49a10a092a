import Foundation
import MarketData
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// When `tradlyte serve` runs the daily refresh: "auto" is the plan's safe time — ten minutes
/// after each session's close (16:10 New York, 13:10 on an early close), or, for a plan that
/// publishes a session only after midnight (the free plan's "today"), 00:15 New York the morning
/// after; "HH:MM" is that New York time every day; "off" never. Each run is `--if-stale`, so
/// a run with nothing to fetch costs nothing.
package enum RefreshSchedule {
    /// The minute of day of "HH:MM" (00:00–23:59), or nil.
    package static func clockTime(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    /// The first instant after `now` the schedule runs at (nil: "off").
    package static func next(
        after now: Date, schedule: String, publishesNextDay: Bool, calendar: TradingCalendar = .nyse
    ) -> Date? {
        if schedule == "off" { return nil }
        let today = NewYorkTime.local(at: now).date
        for offset in 0...14 {
            let day = today.adding(days: offset - 1)
            var candidates: [Date] = []
            if let minute = clockTime(schedule) {
                candidates.append(NewYorkTime.instant(on: day, minuteOfDay: minute))
            } else if let index = calendar.sessionIndex(day) {
                let close = calendar.closeMinute(ofSessionAt: index)
                candidates.append(
                    publishesNextDay
                        ? NewYorkTime.instant(on: day.adding(days: 1), minuteOfDay: 15)
                        : NewYorkTime.instant(on: day, minuteOfDay: close + 10))
            }
            if let first = candidates.filter({ $0 > now }).min() { return first }
        }
        return nil
    }

    /// Whether the store has learned that the plan publishes a session only after midnight.
    package static func publishesNextDay(env: AppEnvironment) -> Bool {
        // Unknown (no store yet, or it cannot be read): the delayed plans' time; the first run learns
        // whether the plan publishes only after midnight.
        guard env.databaseExists, let store = try? env.openStore() else { return false }
        return (try? store.flag(Pipeline.Flag.publishesNextDay)) != nil
    }
}

/// Alert rules checked between refreshes (`tradlyte serve`'s alert schedule), on the latest
/// stored session; what fired is stored like a refresh's alerts and not fired twice.
package enum AlertService {
    package static func check(env: AppEnvironment) throws -> (fired: [Alert], problems: [String]) {
        guard env.databaseExists else { return ([], []) }
        let store = try env.openStore()
        let index = Studies.latestClosed(store, env: env)
        guard index >= 0 else { return ([], []) }
        let latest = TradingCalendar.nyse.sessions[Int(index)]
        let catalog = StrategyCatalog(directory: env.strategiesDirectory)
        return try AlertCheck.run(
            store: store, latest: latest, strategyNamed: { try catalog.strategy($0) }, now: env.now())
    }

    /// The alert as the API and webhooks carry it.
    package static func json(_ a: Alert) -> JSONValue {
        .object([
            ("id", .number(Double(a.id))), ("rule_id", .number(Double(a.ruleID))),
            ("symbol", .string(a.symbol.rawValue)), ("session", .string(a.session.description)),
            ("message", .string(a.message)), ("fired_at", .string(Timestamp.format(a.firedAt, milliseconds: false))),
            ("read", .bool(a.read)),
        ])
    }
}

/// Delivers fired alerts to the configured webhooks: a POST of the alert's JSON, signed with
/// HMAC-SHA256 over "<timestamp>.<body>" (`X-TradLyte-Signature: t=<unix seconds>,v1=<hex>`, as
/// Stripe signs its events, so a receiver can refuse a replay), retried with backoff on a
/// transport error or a 5xx/429, every attempt recorded in the store with its status.
package struct WebhookSender: Sendable {
    package let hooks: [AppConfig.Webhook]
    package let attempts: Int
    /// Seconds each delivery may take.
    package let timeout: Double
    package let backoff: @Sendable (Int) -> Double
    package let sleep: @Sendable (Double) -> Void
    private let client = CurlHTTPClient(userAgent: "tradlyte/\(TradLyteVersion.current) webhook")

    package init(
        hooks: [AppConfig.Webhook], attempts: Int = 5, timeout: Double = 10,
        backoff: @escaping @Sendable (Int) -> Double = { pow(2, Double($0 - 1)) },
        sleep: @escaping @Sendable (Double) -> Void = { _ = SystemClock().sleep($0, isCancelled: { false }) }
    ) {
        self.hooks = hooks
        self.attempts = attempts
        self.timeout = timeout
        self.backoff = backoff
        self.sleep = sleep
    }

    /// The signature header's value for `body` sent at `timestamp`.
    package static func signature(secret: String, timestamp: Int64, body: Data) -> String {
        let mac = SHA256.hmac(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + Array(body))
        return "t=\(timestamp),v1=\(SHA256.hex(mac))"
    }

    /// Sends one alert to every hook, recording each attempt; returns the final status per URL.
    @discardableResult
    package func deliver(_ alert: Alert, store: MarketStore, now: @Sendable () -> Date) -> [String: Int?] {
        let body = Data((AlertService.json(alert).compact()).utf8)
        var outcome: [String: Int?] = [:]
        for hook in hooks {
            var last: Int?
            for attempt in 1...attempts {
                let at = now()
                let stamp = Int64(at.timeIntervalSince1970)
                let request = HTTPRequest(
                    url: hook.url,
                    headers: [
                        ("Content-Type", "application/json"),
                        ("X-TradLyte-Signature", Self.signature(secret: hook.secret, timestamp: stamp, body: body)),
                        ("X-TradLyte-Timestamp", "\(stamp)"),
                    ], connectTimeout: min(5, timeout), timeout: timeout)
                var status: Int?
                var problem: String?
                do { status = try client.post(request, body: body).status } catch { problem = "\(error)" }
                // The delivery log is the record a user checks; a write that fails is said on stderr.
                do {
                    try store.recordDelivery(
                        WebhookDelivery(
                            alertID: alert.id, url: hook.url, attempt: attempt, status: status, error: problem, at: at))
                } catch {
                    emitError("tradlyte serve: a webhook delivery could not be recorded: \(error)")
                }
                last = status
                if let status, status < 500, status != 429 { break }
                if attempt < attempts { sleep(backoff(attempt)) }
            }
            outcome[hook.url] = last
        }
        return outcome
    }
}
