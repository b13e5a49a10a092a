import Foundation
import TradLyteCore

/// Watermarks, pipeline runs and the store summary.
extension MarketStore {
    public struct Watermark: Equatable, Sendable, Codable {
        public var symbol: Symbol
        public var firstSession: SessionDate
        public var latestSession: SessionDate
        public var rows: Int
        public var at: Date
        public var runID: Int64?
    }

    /// Recomputes a symbol's watermark from its daily rows. The latest session never moves
    /// backwards; every change appends a row to the watermark history.
    func refreshWatermark(symbolID id: Int64, runID: Int64?, at now: Date) throws {
        let stats = try statement("SELECT min(session), max(session), count(*) FROM bars_daily WHERE symbol_id = ?")
        stats.bind(1, id)
        guard try stats.step(), !stats.isNull(0) else { return }
        var first = stats.int(0)
        var latest = stats.int(1)
        let rows = stats.int(2)
        let current = try statement("SELECT first_session, latest_session, rows FROM watermarks WHERE symbol_id = ?")
        current.bind(1, id)
        if try current.step() {
            let oldFirst = current.int(0)
            let oldLatest = current.int(1)
            let oldRows = current.int(2)
            latest = max(latest, oldLatest)
            first = min(first, oldFirst)
            if oldFirst == first && oldLatest == latest && oldRows == rows { return }
        }
        try writeWatermark(symbolID: id, first: first, latest: latest, rows: rows, runID: runID, at: now)
    }

    /// Widens a symbol's watermark to cover `first…latest` with `addedRows` new rows, without
    /// counting the table (the ingest hot path). The latest session never moves backwards.
    func advanceWatermark(
        symbolID id: Int64, first: SessionDate, latest: SessionDate, addedRows: Int,
        runID: Int64?, at now: Date
    ) throws {
        var newFirst = first.yyyymmdd
        var newLatest = latest.yyyymmdd
        var rows = addedRows
        let current = try statement("SELECT first_session, latest_session, rows FROM watermarks WHERE symbol_id = ?")
        current.bind(1, id)
        if try current.step() {
            let oldFirst = current.int(0)
            let oldLatest = current.int(1)
            let oldRows = current.int(2)
            newFirst = min(newFirst, oldFirst)
            newLatest = max(newLatest, oldLatest)
            rows += oldRows
            if oldFirst == newFirst && oldLatest == newLatest && oldRows == rows { return }
        }
        current.reset()
        try writeWatermark(symbolID: id, first: newFirst, latest: newLatest, rows: rows, runID: runID, at: now)
    }

    private func writeWatermark(symbolID id: Int64, first: Int, latest: Int, rows: Int, runID: Int64?, at now: Date)
        throws
    {
        let stamp = Timestamp.format(now)
        let upsert = try statement(
            """
            INSERT INTO watermarks(symbol_id, first_session, latest_session, rows, ingested_at, run_id)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(symbol_id) DO UPDATE SET first_session = excluded.first_session,
                latest_session = excluded.latest_session, rows = excluded.rows,
                ingested_at = excluded.ingested_at, run_id = excluded.run_id
            """)
        upsert.bind(1, id)
        upsert.bind(2, first)
        upsert.bind(3, latest)
        upsert.bind(4, rows)
        upsert.bind(5, stamp)
        upsert.bind(6, runID)
        try upsert.run()
        let history = try statement(
            """
            INSERT INTO watermark_history(symbol_id, first_session, latest_session, rows, valid_from, run_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        history.bind(1, id)
        history.bind(2, first)
        history.bind(3, latest)
        history.bind(4, rows)
        history.bind(5, stamp)
        history.bind(6, runID)
        try history.run()
    }

    public func watermark(_ symbol: Symbol) throws -> Watermark? {
        try watermarkHistory(symbol, currentOnly: true).first
    }

    /// Every watermark a symbol has had, oldest first.
    public func watermarkHistory(_ symbol: Symbol) throws -> [Watermark] {
        try watermarkHistory(symbol, currentOnly: false)
    }

    private func watermarkHistory(_ symbol: Symbol, currentOnly: Bool) throws -> [Watermark] {
        try guarded {
            guard let id = try symbolID(symbol, create: false) else { return [] }
            let stmt = try statement(
                currentOnly
                    ? "SELECT first_session, latest_session, rows, ingested_at, run_id FROM watermarks WHERE symbol_id = ?"
                    : "SELECT first_session, latest_session, rows, valid_from, run_id FROM watermark_history WHERE symbol_id = ? ORDER BY id"
            )
            stmt.bind(1, id)
            var result: [Watermark] = []
            while try stmt.step() {
                guard let first = SessionDate(yyyymmdd: stmt.int(0)), let latest = SessionDate(yyyymmdd: stmt.int(1))
                else { continue }
                result.append(
                    Watermark(
                        symbol: symbol, firstSession: first, latestSession: latest, rows: stmt.int(2),
                        at: Timestamp.parse(stmt.text(3) ?? "") ?? Date(timeIntervalSince1970: 0),
                        runID: stmt.isNull(4) ? nil : stmt.int64(4)))
            }
            return result
        }
    }

    // MARK: - Runs

    /// Records the start of a run (committed at once, so a crash still leaves a trace).
    /// Space a run keeps aside beside the database: enough for its last stage and run records.
    static let reserveBytes = 256 * 1024

    var reservePath: String { path + "-reserve" }

    public func integrityProblem() throws -> String? {
        let answer = try quickCheck()
        return answer == "ok" ? nil : answer
    }

    public func reserveSpace() throws {
        let fd = open(reservePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw errno == EROFS
                ? StoreError.readOnly(path: path, detail: why) : StoreError.cannotOpen(path: path, reason: why)
        }
        defer { close(fd) }
        let zeros = [UInt8](repeating: 0, count: 64 * 1024)
        var written = 0
        while written < Self.reserveBytes {
            let n = zeros.withUnsafeBytes {
                Glibc.write(fd, $0.baseAddress, min($0.count, Self.reserveBytes - written))
            }
            guard n > 0 else {
                unlink(reservePath)
                throw StoreError.diskFull(path: path)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            unlink(reservePath)
            throw StoreError.diskFull(path: path)
        }
        try guarded { try db.execute("PRAGMA wal_autocheckpoint = 1000") }
    }

    /// Gives the space back and stops automatic checkpoints on this connection until the next
    /// `reserveSpace`: a checkpoint after the first small write would copy the whole write-ahead
    /// log into the database file and spend the freed space before the run's record is written
    /// (seen: a 4 MB log on a full disk). The log is checkpointed when the connection closes.
    public func releaseReserve() {
        unlink(reservePath)
        try? db.execute("PRAGMA wal_autocheckpoint = 0")  // best effort: only the order of writes changes
    }

    public func beginRun(trigger: RunTrigger, at now: Date) throws -> Int64 {
        try write {
            let stmt = try statement("INSERT INTO runs(trigger, status, started_at) VALUES (?, 'running', ?)")
            stmt.bind(1, trigger.rawValue)
            stmt.bind(2, Timestamp.format(now))
            try stmt.run()
            return db.lastInsertRowID
        }
    }

    public func recordStage(_ stage: StageRecord) throws {
        try write {
            let counts = try String(decoding: JSONEncoder.sorted.encode(stage.counts), as: UTF8.self)
            let stmt = try statement(
                """
                INSERT INTO run_stages(run_id, stage, status, attempts, started_at, finished_at, counts, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_id, stage) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
                    started_at = excluded.started_at, finished_at = excluded.finished_at,
                    counts = excluded.counts, error = excluded.error
                """)
            stmt.bind(1, stage.runID)
            stmt.bind(2, stage.stage)
            stmt.bind(3, stage.status.rawValue)
            stmt.bind(4, stage.attempts)
            stmt.bind(5, Timestamp.format(stage.startedAt))
            stmt.bind(6, stage.finishedAt.map { Timestamp.format($0) })
            stmt.bind(7, counts)
            stmt.bind(8, stage.error)
            try stmt.run()
        }
    }

    public func finishRun(
        _ id: Int64, status: RunStatus, error: String? = nil, summary: String? = nil,
        at now: Date
    ) throws {
        try write {
            let stmt = try statement("UPDATE runs SET status = ?, finished_at = ?, error = ?, summary = ? WHERE id = ?")
            stmt.bind(1, status.rawValue)
            stmt.bind(2, Timestamp.format(now))
            stmt.bind(3, error)
            stmt.bind(4, summary)
            stmt.bind(5, id)
            try stmt.run()
        }
    }

    /// The most recent runs, newest first.
    public func runs(last count: Int) throws -> [RunRecord] {
        try guarded {
            let stmt = try statement(
                """
                SELECT id, trigger, status, started_at, finished_at, error, summary FROM runs ORDER BY id DESC LIMIT ?
                """)
            stmt.bind(1, count)
            var result: [RunRecord] = []
            while try stmt.step() {
                result.append(
                    RunRecord(
                        id: stmt.int64(0), trigger: RunTrigger(rawValue: stmt.text(1) ?? "") ?? .cli,
                        status: RunStatus(rawValue: stmt.text(2) ?? "") ?? .failed,
                        startedAt: Timestamp.parse(stmt.text(3) ?? "") ?? Date(timeIntervalSince1970: 0),
                        finishedAt: stmt.text(4).flatMap(Timestamp.parse), error: stmt.text(5), summary: stmt.text(6)))
            }
            return result
        }
    }

    public func stages(ofRun id: Int64) throws -> [StageRecord] {
        try guarded {
            let stmt = try statement(
                """
                SELECT stage, status, attempts, started_at, finished_at, counts, error FROM run_stages
                WHERE run_id = ? ORDER BY rowid
                """)
            stmt.bind(1, id)
            var result: [StageRecord] = []
            while try stmt.step() {
                // A stage's counts are informational: ones that do not decode show as none.
                let counts =
                    (try? JSONDecoder().decode([String: Int].self, from: Data((stmt.text(5) ?? "{}").utf8))) ?? [:]
                result.append(
                    StageRecord(
                        runID: id, stage: stmt.text(0) ?? "",
                        status: RunStatus(rawValue: stmt.text(1) ?? "") ?? .failed,
                        attempts: stmt.int(2),
                        startedAt: Timestamp.parse(stmt.text(3) ?? "") ?? Date(timeIntervalSince1970: 0),
                        finishedAt: stmt.text(4).flatMap(Timestamp.parse), counts: counts, error: stmt.text(6)))
            }
            return result
        }
    }

    // MARK: - Summary

    public struct Summary: Equatable, Sendable {
        public var symbols: Int
        public var symbolsWithBars: Int
        public var dailyRows: Int
        public var firstSession: SessionDate?
        public var latestSession: SessionDate?
        public var lastRun: RunRecord?
    }

    /// Counts for `tradlyte status`, read from the watermarks (no table scans).
    public func summary() throws -> Summary {
        try guarded {
            let symbols = Int(try db.scalarInt("SELECT count(*) FROM symbols") ?? 0)
            let stmt = try statement(
                "SELECT count(*), coalesce(sum(rows), 0), min(first_session), max(latest_session) FROM watermarks")
            _ = try stmt.step()
            return Summary(
                symbols: symbols, symbolsWithBars: stmt.int(0), dailyRows: stmt.int(1),
                firstSession: stmt.optionalInt(2).flatMap(SessionDate.init(yyyymmdd:)),
                latestSession: stmt.optionalInt(3).flatMap(SessionDate.init(yyyymmdd:)),
                lastRun: try runs(last: 1).first)
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
