import Foundation
import TradLyteCore

/// Market-wide coverage (grouped days fetched), abandoned runs and dormant symbols.
extension MarketStore {
    /// Every grouped day fetched, by session.
    public func marketSessions() throws -> [SessionDate: MarketSession] {
        try guarded {
            let stmt = try statement(
                "SELECT session, first_fetched_at, last_fetched_at, fetches, tickers FROM market_sessions")
            var result: [SessionDate: MarketSession] = [:]
            while try stmt.step() {
                guard let session = SessionDate(yyyymmdd: stmt.int(0)) else { continue }
                let first = Timestamp.parse(stmt.text(1) ?? "") ?? Date(timeIntervalSince1970: 0)
                let last = Timestamp.parse(stmt.text(2) ?? "") ?? first
                result[session] = MarketSession(
                    session: session, firstFetchedAt: first, lastFetchedAt: last,
                    fetches: stmt.int(3), tickers: stmt.int(4))
            }
            return result
        }
    }

    /// Records that a grouped day was fetched and stored (a re-fetch counts one more).
    public func recordMarketSession(_ session: SessionDate, tickers: Int, at now: Date) throws {
        try write {
            let stmt = try statement(
                """
                INSERT INTO market_sessions(session, first_fetched_at, last_fetched_at, fetches, tickers)
                VALUES (?, ?, ?, 1, ?)
                ON CONFLICT(session) DO UPDATE SET last_fetched_at = excluded.last_fetched_at,
                    fetches = fetches + 1, tickers = excluded.tickers
                """)
            let stamp = Timestamp.format(now)
            stmt.bind(1, session.yyyymmdd)
            stmt.bind(2, stamp)
            stmt.bind(3, stamp)
            stmt.bind(4, tickers)
            try stmt.run()
        }
    }

    /// Marks runs (and their stages) still `running` as interrupted: the caller holds the run
    /// lock, so no process is running them any more (killed, or the machine went down).
    /// Returns the ids reaped.
    public func reapAbandonedRuns(at now: Date) throws -> [Int64] {
        try write {
            let select = try statement("SELECT id FROM runs WHERE status = 'running'")
            var ids: [Int64] = []
            while try select.step() { ids.append(select.int64(0)) }
            guard !ids.isEmpty else { return [] }
            let note =
                "interrupted: the process running it ended without finishing (killed or crashed); "
                + "everything it committed is kept"
            let runs = try statement(
                """
                UPDATE runs SET status = 'interrupted', finished_at = ?, error = coalesce(error, ?)
                WHERE status = 'running'
                """)
            runs.bind(1, Timestamp.format(now))
            runs.bind(2, note)
            try runs.run()
            let stages = try statement(
                """
                UPDATE run_stages SET status = 'interrupted', finished_at = coalesce(finished_at, ?)
                WHERE status = 'running'
                """)
            stages.bind(1, Timestamp.format(now))
            try stages.run()
            return ids
        }
    }

    /// Marks active symbols whose newest bar is older than `before` as dormant (inactive): the
    /// market's grouped days stopped listing them (delisted, expired, renamed). Returns how many.
    public func markDormant(before: SessionDate, at now: Date) throws -> Int {
        try write {
            let stmt = try statement(
                """
                UPDATE symbols SET active = 0, updated_at = ?
                WHERE active = 1 AND id IN (SELECT symbol_id FROM watermarks WHERE latest_session < ?)
                """)
            stmt.bind(1, Timestamp.format(now))
            stmt.bind(2, before.yyyymmdd)
            try stmt.run()
            return db.changes
        }
    }
}
