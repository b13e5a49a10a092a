import Foundation
import TradLyteCore

/// The pipeline's port onto the store: coverage, splits, vacuum and alerts.
extension MarketStore: PipelineStore {
    public func coverage() throws -> [Symbol: Coverage] {
        try guarded {
            let stmt = try statement(
                """
                SELECT s.symbol, w.first_session, w.latest_session, w.rows FROM watermarks w JOIN symbols s ON s.id = w.symbol_id
                """)
            var result: [Symbol: Coverage] = [:]
            while try stmt.step() {
                let symbol = try storedSymbol(stmt.text(0), table: "symbols")
                result[symbol] = Coverage(
                    first: try storedDate(stmt.int(1), table: "watermarks"),
                    latest: try storedDate(stmt.int(2), table: "watermarks"), rows: stmt.int(3))
            }
            return result
        }
    }

    public func appliedSplits() throws -> [Split] {
        try guarded {
            let stmt = try statement("SELECT symbol, date, split_from, split_to FROM splits ORDER BY date, symbol")
            var result: [Split] = []
            while try stmt.step() {
                let symbol = try storedSymbol(stmt.text(0), table: "splits")
                let date = try storedDate(stmt.int(1), table: "splits")
                result.append(Split(symbol: symbol, date: date, from: stmt.double(2), to: stmt.double(3)))
            }
            return result
        }
    }

    public func recordSplit(_ split: Split, at now: Date) throws {
        try write {
            let stmt = try statement(
                "INSERT OR IGNORE INTO splits(symbol, date, split_from, split_to, applied_at) VALUES (?, ?, ?, ?, ?)")
            stmt.bind(1, split.symbol.rawValue)
            stmt.bind(2, split.date.yyyymmdd)
            stmt.bind(3, split.from)
            stmt.bind(4, split.to)
            stmt.bind(5, Timestamp.format(now))
            try stmt.run()
        }
    }

    /// Deletes raw rows fetched before `cutoff` whose bar is present in the consolidated table.
    public func vacuumBronze(olderThan cutoff: Date, dryRun: Bool) throws -> VacuumReport {
        try write {
            let stamp = Timestamp.format(cutoff)
            let old = "batch_id IN (SELECT id FROM bronze_batches WHERE fetched_at < '\(stamp)')"
            let eligible = Int(try db.scalarInt("SELECT count(*) FROM bronze_rows WHERE \(old)") ?? 0)
            guard eligible > 0 else { return VacuumReport(eligible: 0, unverified: 0, deleted: 0) }
            let verified = """
                \(old) AND EXISTS (
                    SELECT 1 FROM bars_daily d JOIN symbols s ON s.id = d.symbol_id
                    WHERE s.symbol = bronze_rows.symbol AND d.session = bronze_rows.session)
                """
            let count = Int(try db.scalarInt("SELECT count(*) FROM bronze_rows WHERE \(verified)") ?? 0)
            if !dryRun {
                try db.execute("DELETE FROM bronze_rows WHERE \(verified)")
                try db.execute(
                    "DELETE FROM bronze_batches WHERE fetched_at < '\(stamp)' AND id NOT IN (SELECT DISTINCT batch_id FROM bronze_rows)"
                )
            }
            return VacuumReport(eligible: eligible, unverified: eligible - count, deleted: dryRun ? 0 : count)
        }
    }

    /// Raw rows kept, for `status`.
    public func bronzeRowCount() throws -> Int {
        try guarded { Int(try db.scalarInt("SELECT count(*) FROM bronze_rows") ?? 0) }
    }

    public func flag(_ name: String) throws -> String? {
        try guarded {
            let stmt = try statement("SELECT value FROM engine_flags WHERE name = ?")
            stmt.bind(1, name)
            return try stmt.step() ? stmt.text(0) : nil
        }
    }

    public func setFlag(_ name: String, _ value: String?) throws {
        try write {
            if let value {
                let stmt = try statement(
                    "INSERT OR REPLACE INTO engine_flags(name, value, updated_at) VALUES (?, ?, ?)")
                stmt.bind(1, name)
                stmt.bind(2, value)
                stmt.bind(3, Timestamp.format(clock.now()))
                try stmt.run()
            } else {
                let stmt = try statement("DELETE FROM engine_flags WHERE name = ?")
                stmt.bind(1, name)
                try stmt.run()
            }
        }
    }

    // MARK: - Alerts

    public func alertRules() throws -> [AlertRule] {
        try guarded {
            let stmt = try statement(
                "SELECT id, kind, symbol, value, sessions, strategy, enabled FROM alert_rules ORDER BY id")
            var rules: [AlertRule] = []
            while try stmt.step() {
                guard let kind = AlertRule.Kind(rawValue: stmt.text(1) ?? "") else {
                    throw StoreError.invalidData(
                        "alert rule #\(stmt.int64(0)) has the kind '\(stmt.text(1) ?? "")', which this version "
                            + "does not know — update TradLyte, or remove the rule with a version that knows it")
                }
                rules.append(
                    AlertRule(
                        id: stmt.int64(0), kind: kind,
                        symbol: try stmt.text(2).map { try storedSymbol($0, table: "alert_rules") },
                        value: stmt.optionalDouble(3), sessions: stmt.optionalInt(4), strategy: stmt.text(5),
                        enabled: stmt.int(6) != 0))
            }
            return rules
        }
    }

    public func addAlertRule(_ rule: AlertRule, at now: Date) throws -> Int64 {
        try write {
            let stmt = try statement(
                """
                INSERT INTO alert_rules(kind, symbol, value, sessions, strategy, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            stmt.bind(1, rule.kind.rawValue)
            stmt.bind(2, rule.symbol?.rawValue)
            stmt.bind(3, rule.value)
            stmt.bind(4, rule.sessions)
            stmt.bind(5, rule.strategy)
            stmt.bind(6, rule.enabled ? 1 : 0)
            stmt.bind(7, Timestamp.format(now))
            try stmt.run()
            return db.lastInsertRowID
        }
    }

    /// Removes a rule and its alerts; false when there is no such rule.
    public func removeAlertRule(_ id: Int64) throws -> Bool {
        try write {
            let alerts = try statement("DELETE FROM alerts WHERE rule_id = ?")
            alerts.bind(1, id)
            try alerts.run()
            let stmt = try statement("DELETE FROM alert_rules WHERE id = ?")
            stmt.bind(1, id)
            try stmt.run()
            return db.changes > 0
        }
    }

    public func addAlerts(_ alerts: [Alert]) throws -> [Alert] {
        try write {
            let stmt = try statement(
                """
                INSERT OR IGNORE INTO alerts(rule_id, symbol, session, message, fired_at, read) VALUES (?, ?, ?, ?, ?, 0)
                """)
            var added: [Alert] = []
            for a in alerts {
                stmt.bind(1, a.ruleID)
                stmt.bind(2, a.symbol.rawValue)
                stmt.bind(3, a.session.yyyymmdd)
                stmt.bind(4, a.message)
                stmt.bind(5, Timestamp.format(a.firedAt))
                try stmt.run()
                if db.changes > 0 {
                    var copy = a
                    copy.id = db.lastInsertRowID
                    added.append(copy)
                }
            }
            return added
        }
    }

    /// The inbox, newest first.
    public func alerts(unreadOnly: Bool = false, limit: Int = 100) throws -> [Alert] {
        try guarded {
            let stmt = try statement(
                """
                SELECT id, rule_id, symbol, session, message, fired_at, read FROM alerts
                WHERE read = 0 OR ? = 0 ORDER BY id DESC LIMIT ?
                """)
            stmt.bind(1, unreadOnly ? 1 : 0)
            stmt.bind(2, limit)
            var result: [Alert] = []
            while try stmt.step() {
                let symbol = try storedSymbol(stmt.text(2), table: "alerts")
                let session = try storedDate(stmt.int(3), table: "alerts")
                result.append(
                    Alert(
                        id: stmt.int64(0), ruleID: stmt.int64(1), symbol: symbol, session: session,
                        message: stmt.text(4) ?? "",
                        firedAt: Timestamp.parse(stmt.text(5) ?? "") ?? Date(timeIntervalSince1970: 0),
                        read: stmt.int(6) != 0))
            }
            return result
        }
    }

    /// Marks alerts read (all when `ids` is nil); returns how many changed.
    public func markAlertsRead(_ ids: [Int64]?) throws -> Int {
        try write {
            if let ids {
                let stmt = try statement("UPDATE alerts SET read = 1 WHERE id = ? AND read = 0")
                var n = 0
                for id in ids {
                    stmt.bind(1, id)
                    try stmt.run()
                    n += db.changes
                }
                return n
            }
            try db.execute("UPDATE alerts SET read = 1 WHERE read = 0")
            return db.changes
        }
    }

    public func unreadAlertCount() throws -> Int {
        try guarded { Int(try db.scalarInt("SELECT count(*) FROM alerts WHERE read = 0") ?? 0) }
    }
}
