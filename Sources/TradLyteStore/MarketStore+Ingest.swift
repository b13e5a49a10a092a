import Foundation
import TradLyteCore

extension MarketStore {
    /// Stores a batch of daily bars end to end, in one transaction: bronze rows with
    /// provenance, the consolidated daily table (latest fetch wins) and watermarks. Either all of
    /// it lands or none. Fibonacci bars are not stored: readers resample the daily history.
    public func ingest(_ batch: [Symbol: [DailyBar]], provenance: Provenance) throws -> IngestSummary {
        // Validate everything before writing anything.
        for (symbol, bars) in batch {
            for bar in bars {
                guard calendar.isSession(bar.session) else {
                    throw StoreError.invalidData(
                        "\(symbol) \(bar.session) (\(bar.session.weekdayName)) is not an NYSE session")
                }
                if let problem = bar.problem { throw StoreError.invalidData("\(symbol) \(bar.session): \(problem)") }
            }
        }
        let elapsed = self.elapsed
        func seconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e9 }
        return try write {
            var summary = IngestSummary()
            let batchInsert = try statement(
                "INSERT INTO bronze_batches(run_id, provider, endpoint, fetched_at) VALUES (?, ?, ?, ?)")
            batchInsert.bind(1, provenance.runID)
            batchInsert.bind(2, provenance.provider)
            batchInsert.bind(3, provenance.endpoint)
            batchInsert.bind(4, Timestamp.format(provenance.fetchedAt))
            try batchInsert.run()
            let batchID = db.lastInsertRowID
            // Rows are gathered across symbols and written with multi-row statements: a grouped
            // day brings one bar for each of 12,000 symbols, and a statement per symbol per table
            // cost more than the rows themselves.
            var bronze: [(Symbol, DailyBar)] = []
            var daily: [(Int64, DailyBar)] = []
            bronze.reserveCapacity(batch.count)
            daily.reserveCapacity(batch.count)
            var consolidateTime: UInt64 = 0
            for symbol in batch.keys.sorted() {
                var bars = batch[symbol]!
                guard !bars.isEmpty else { continue }
                // Latest fetch wins within the batch too: keep the last bar given for a session.
                bars = Self.dedupeKeepingLast(bars)
                summary.symbols += 1
                summary.rows += bars.count
                let id = try symbolID(symbol, create: true)!
                for bar in bars { bronze.append((symbol, bar)) }

                // Consolidate: compare with what is stored, write only what differs.
                let t1 = elapsed.uptimeNanoseconds()
                let existing = try dailyBars(symbol, in: bars.first!.session...bars.last!.session)
                var stored: [Int32: DailyBar] = [:]
                for bar in existing { stored[bar.session.dayNumber] = bar }
                var changed = false
                var inserted = 0
                for bar in bars {
                    if let old = stored[bar.session.dayNumber] {
                        if old == bar {
                            summary.unchanged += 1
                            continue
                        }
                        summary.changed += 1
                    } else {
                        summary.inserted += 1
                        inserted += 1
                    }
                    daily.append((id, bar))
                    changed = true
                }
                summary.firstSession = min(summary.firstSession ?? bars.first!.session, bars.first!.session)
                summary.lastSession = max(summary.lastSession ?? bars.last!.session, bars.last!.session)
                if changed {
                    try advanceWatermark(
                        symbolID: id, first: bars.first!.session, latest: bars.last!.session,
                        addedRows: inserted, runID: provenance.runID, at: provenance.fetchedAt)
                }
                consolidateTime += elapsed.uptimeNanoseconds() - t1
            }
            let t0 = elapsed.uptimeNanoseconds()
            let bronzeHead =
                "INSERT INTO bronze_rows(batch_id, symbol, session, open, high, low, close, volume, vwap, "
                + "trades)"
            try insertRows(bronzeHead, columns: 10, count: bronze.count) { stmt, p, r in
                let (symbol, bar) = bronze[r]
                stmt.bind(p, batchID)
                stmt.bind(p + 1, symbol.rawValue)
                stmt.bind(p + 2, bar.session.yyyymmdd)
                stmt.bind(p + 3, bar.open)
                stmt.bind(p + 4, bar.high)
                stmt.bind(p + 5, bar.low)
                stmt.bind(p + 6, bar.close)
                stmt.bind(p + 7, bar.volume)
                stmt.bind(p + 8, bar.vwap)
                stmt.bind(p + 9, bar.trades)
            }
            let t1 = elapsed.uptimeNanoseconds()
            try insertRows(
                "INSERT INTO bars_daily(symbol_id, session, open, high, low, close, volume, vwap, trades)",
                columns: 9,
                tail: """
                    ON CONFLICT(symbol_id, session) DO UPDATE SET
                        open = excluded.open, high = excluded.high, low = excluded.low,
                        close = excluded.close, volume = excluded.volume, vwap = excluded.vwap,
                        trades = excluded.trades
                    """, count: daily.count
            ) { stmt, p, r in
                let (id, bar) = daily[r]
                stmt.bind(p, id)
                stmt.bind(p + 1, bar.session.yyyymmdd)
                stmt.bind(p + 2, bar.open)
                stmt.bind(p + 3, bar.high)
                stmt.bind(p + 4, bar.low)
                stmt.bind(p + 5, bar.close)
                stmt.bind(p + 6, bar.volume)
                stmt.bind(p + 7, bar.vwap)
                stmt.bind(p + 8, bar.trades)
            }
            let t2 = elapsed.uptimeNanoseconds()
            summary.bronzeSeconds += seconds(t1 - t0)
            summary.consolidateSeconds += seconds(t2 - t1 + consolidateTime)
            return summary
        }
    }

    static func dedupeKeepingLast(_ bars: [DailyBar]) -> [DailyBar] {
        var last: [Int32: Int] = [:]
        for (i, bar) in bars.enumerated() { last[bar.session.dayNumber] = i }
        return last.values.sorted().map { bars[$0] }.sorted { $0.session < $1.session }
    }
}
