import Foundation
import TradLyteCore

/// One of `tradlyte serve`'s jobs as stored.
public struct JobRecord: Equatable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        case queued, running, succeeded, failed, cancelled

        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    public var id: String
    public var kind: String
    public var request: String
    public var state: State
    public var done: Int
    public var total: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var result: String?
    public var error: String?

    public init(
        id: String, kind: String, request: String, state: State, done: Int = 0, total: Int = 0, createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil, result: String? = nil, error: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.request = request
        self.state = state
        self.done = done
        self.total = total
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.error = error
    }
}

/// One attempt to deliver an alert to a webhook.
public struct WebhookDelivery: Equatable, Sendable {
    public var alertID: Int64?
    public var url: String
    public var attempt: Int
    public var status: Int?
    public var error: String?
    public var at: Date

    public init(alertID: Int64?, url: String, attempt: Int, status: Int?, error: String?, at: Date) {
        self.alertID = alertID
        self.url = url
        self.attempt = attempt
        self.status = status
        self.error = error
        self.at = at
    }
}

extension MarketStore {
    /// Inserts or replaces a job's row.
    public func saveJob(_ job: JobRecord) throws {
        try write {
            let stmt = try statement(
                """
                INSERT OR REPLACE INTO api_jobs(id, kind, request, state, done, total, created_at, started_at,
                                                finished_at, result, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            stmt.bind(1, job.id)
            stmt.bind(2, job.kind)
            stmt.bind(3, job.request)
            stmt.bind(4, job.state.rawValue)
            stmt.bind(5, job.done)
            stmt.bind(6, job.total)
            stmt.bind(7, Timestamp.format(job.createdAt))
            stmt.bind(8, job.startedAt.map { Timestamp.format($0) })
            stmt.bind(9, job.finishedAt.map { Timestamp.format($0) })
            stmt.bind(10, job.result)
            stmt.bind(11, job.error)
            try stmt.run()
        }
    }

    /// The jobs, newest first (`limit` of them), or the one with `id`.
    public func jobs(id: String? = nil, limit: Int = 100) throws -> [JobRecord] {
        try guarded {
            let stmt = try statement(
                """
                SELECT id, kind, request, state, done, total, created_at, started_at, finished_at, result, error
                FROM api_jobs WHERE ?1 IS NULL OR id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2
                """)
            stmt.bind(1, id)
            stmt.bind(2, limit)
            var out: [JobRecord] = []
            while try stmt.step() {
                let stateText = stmt.text(3) ?? ""
                guard let state = JobRecord.State(rawValue: stateText),
                    let created = Timestamp.parse(stmt.text(6) ?? "")
                else {
                    throw StoreError.invalidData("api_jobs row \(stmt.text(0) ?? "?") has state '\(stateText)'")
                }
                out.append(
                    JobRecord(
                        id: stmt.text(0) ?? "", kind: stmt.text(1) ?? "", request: stmt.text(2) ?? "", state: state,
                        done: Int(stmt.int64(4)), total: Int(stmt.int64(5)), createdAt: created,
                        startedAt: stmt.text(7).flatMap(Timestamp.parse),
                        finishedAt: stmt.text(8).flatMap(Timestamp.parse),
                        result: stmt.text(9), error: stmt.text(10)))
            }
            return out
        }
    }

    /// Records one webhook delivery attempt.
    public func recordDelivery(_ d: WebhookDelivery) throws {
        try write {
            let stmt = try statement(
                """
                INSERT INTO webhook_deliveries(alert_id, url, attempt, status, error, delivered_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            stmt.bind(1, d.alertID)
            stmt.bind(2, d.url)
            stmt.bind(3, d.attempt)
            stmt.bind(4, d.status)
            stmt.bind(5, d.error)
            stmt.bind(6, Timestamp.format(d.at))
            try stmt.run()
        }
    }

    /// The latest webhook deliveries, newest first.
    public func deliveries(limit: Int = 100) throws -> [WebhookDelivery] {
        try guarded {
            let stmt = try statement(
                """
                SELECT alert_id, url, attempt, status, error, delivered_at FROM webhook_deliveries
                ORDER BY id DESC LIMIT ?
                """)
            stmt.bind(1, limit)
            var out: [WebhookDelivery] = []
            while try stmt.step() {
                out.append(
                    WebhookDelivery(
                        alertID: stmt.optionalInt(0).map(Int64.init), url: stmt.text(1) ?? "",
                        attempt: Int(stmt.int64(2)),
                        status: stmt.optionalInt(3), error: stmt.text(4),
                        at: Timestamp.parse(stmt.text(5) ?? "") ?? Date(timeIntervalSince1970: 0)))
            }
            return out
        }
    }
}
