import Foundation
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteStore

@Suite struct MarketStoreOpeningTests {
    static let migrations = [
        "001_initial_schema", "002_quote_cache", "003_splits_and_alerts",
        "004_bronze_batches_and_flags", "005_scanner", "006_market_sessions",
        "007_fib_bars_computed_on_read", "008_api_jobs_and_webhooks",
    ]

    /// A database from before Fibonacci bars were computed on read loses the stored copy, its
    /// checkpoints and its rebuild flag on upgrade, and keeps every daily bar.
    @Test func upgradingDropsTheStoredFibonacciBarsAndKeepsTheDailyHistory() throws {
        let dir = TemporaryDirectory()
        let aapl = try Symbol("AAPL")
        let bars = makeBars(from: "2024-01-02", count: 30)
        do {
            let store = try MarketStore(path: dir.databasePath)
            _ = try store.ingest([aapl: bars], provenance: provenance())
        }
        // Put the database back at schema 6, as the previous release left it.
        rawSQL(
            dir.databasePath,
            """
            CREATE TABLE bars_fib (
                interval INTEGER NOT NULL, symbol_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
                first_session INTEGER NOT NULL, last_session INTEGER NOT NULL, sessions INTEGER NOT NULL,
                complete INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,
                close REAL NOT NULL, volume REAL NOT NULL, PRIMARY KEY (interval, symbol_id, bucket)
            ) WITHOUT ROWID;
            CREATE INDEX bars_fib_forming ON bars_fib(interval, bucket) WHERE complete = 0;
            INSERT INTO bars_fib VALUES (3, 1, 2800, 20240102, 20240104, 3, 1, 1, 2, 0.5, 1.5, 100);
            CREATE TABLE checkpoints (
                stage TEXT NOT NULL, interval INTEGER NOT NULL, covered_through INTEGER NOT NULL,
                as_of INTEGER, updated_at TEXT NOT NULL, run_id INTEGER, PRIMARY KEY (stage, interval)
            );
            INSERT INTO checkpoints(stage, interval, covered_through, updated_at)
                VALUES ('resample', 3, 20240212, '2024-02-12T21:00:00Z');
            INSERT INTO engine_flags(name, value, updated_at) VALUES ('fib_rebuild_pending', 'run 1', 'x');
            DROP TABLE api_jobs;
            DROP TABLE webhook_deliveries;
            DELETE FROM schema_migrations WHERE version IN (7, 8);
            PRAGMA user_version = 6;
            """)
        let store = try MarketStore(path: dir.databasePath)
        #expect(try store.appliedMigrations() == Self.migrations)
        let tables = "SELECT count(*) FROM sqlite_master WHERE name IN ('bars_fib', 'bars_fib_forming', 'checkpoints')"
        #expect(try store.db.scalarInt(tables) == 0)
        #expect(try store.flag("fib_rebuild_pending") == nil)
        #expect(try store.dailyBars(aapl) == bars)
    }

    @Test func createsTheSchemaOnceAndReopensIdempotently() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try MarketStore(path: dir.databasePath)
            #expect(try store.currentSchemaVersion() == MarketStore.schemaVersion)
            #expect(try store.appliedMigrations() == Self.migrations)
        }
        let again = try MarketStore(path: dir.databasePath)
        #expect(try again.appliedMigrations() == Self.migrations)
        #expect(FileManager.default.fileExists(atPath: dir.databasePath + "-wal"))  // WAL mode
    }

    @Test func refusesADatabaseFromANewerSchemaAndLeavesItAlone() throws {
        let dir = TemporaryDirectory()
        _ = try MarketStore(path: dir.databasePath)
        rawSQL(dir.databasePath, "PRAGMA user_version = 99")
        let before = fingerprint(dir.databasePath)
        do {
            _ = try MarketStore(path: dir.databasePath)
            Issue.record("expected newerSchema")
        } catch let error as StoreError {
            guard case .newerSchema(_, 99, MarketStore.schemaVersion) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(error.description.contains("newer TradLyte"))
        }
        #expect(fingerprint(dir.databasePath) == before)
    }

    @Test func reportsACorruptFileWithoutOverwritingIt() throws {
        let dir = TemporaryDirectory()
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        #expect(FileManager.default.createFile(atPath: dir.databasePath, contents: garbage))
        do {
            _ = try MarketStore(path: dir.databasePath)
            Issue.record("expected notADatabase")
        } catch let error as StoreError {
            guard case .notADatabase = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(error.description.contains("left untouched"))
        }
        #expect(FileManager.default.contents(atPath: dir.databasePath) == garbage)
    }

    @Test func refusesAnotherApplicationsDatabase() throws {
        let dir = TemporaryDirectory()
        rawSQL(dir.databasePath, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        #expect(throws: StoreError.self) { try MarketStore(path: dir.databasePath) }
        #expect(throws: StoreError.self) { try MarketStore(path: dir.databasePath) }  // still refused: nothing was added
    }

    @Test func reportsAMissingDirectoryClearly() {
        do {
            _ = try MarketStore(path: "/nonexistent-dir-\(UUID().uuidString)/x.sqlite")
            Issue.record("expected cannotOpen")
        } catch {
            #expect(String(describing: error).contains("cannot open the database"))
        }
    }
}

@Suite struct MarketStoreBarsTests {
    let aapl = try! Symbol("AAPL")
    let msft = try! Symbol("MSFT")
    let cal = TradingCalendar.nyse

    @Test func bulkUpsertThenReadRoundTripsEveryField() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let a = try BarSeries(makeBars(from: "2020-01-02", count: 300, seed: 1))
        let m = try BarSeries(makeBars(from: "2021-06-01", count: 100, seed: 2))
        let both: [MarketStore.SymbolSeries] = [.init(symbol: aapl, series: a), .init(symbol: msft, series: m)]
        #expect(try store.upsertDailyBars(both, at: pinnedNow) == 400)
        #expect(try store.dailySeries(aapl) == a)
        #expect(try store.dailySeries(msft) == m)
        let window = try SessionDate(iso: "2020-02-03")...(try SessionDate(iso: "2020-02-07"))
        #expect(try store.dailySeries(aapl, in: window).count == 5)
        let latest = try store.latestSessions()
        #expect(latest[aapl] == cal.sessions[Int(a.sessionIndex.last!)])
        #expect(latest[msft] == cal.sessions[Int(m.sessionIndex.last!)])

        let universe = try store.universe()
        #expect(universe.symbols == [aapl, msft] && universe.offsets == [0, 300, 400])
        #expect(universe.series(at: 1) == m)
    }

    @Test func bulkUpsertReplacesStoredBarsForTheSameSessions() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let first = try BarSeries(makeBars(from: "2020-01-02", count: 200, seed: 1))
        let second = try BarSeries(makeBars(from: "2020-01-02", count: 150, seed: 5))  // overlaps, new values
        try store.upsertDailyBars([.init(symbol: aapl, series: first)], at: pinnedNow)
        try store.upsertDailyBars([.init(symbol: aapl, series: second)], at: pinnedNow)
        let stored = try store.dailySeries(aapl)
        #expect(stored.count == 200)
        #expect(
            Array(stored.close[..<150]) == second.close && Array(stored.close[150...]) == Array(first.close[150...]))
        #expect(try store.watermark(aapl)?.rows == 200)
    }

    @Test func unknownSymbolsAreReportedByName() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        do {
            _ = try store.dailySeries(try Symbol("ZZZZ"))
            Issue.record("expected unknownSymbol")
        } catch {
            #expect(String(describing: error).contains("unknown symbol 'ZZZZ'"))
        }
    }

    @Test func ingestKeepsProvenanceDailyBarsAndWatermarksConsistent() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let bars = makeBars(from: "2023-01-03", count: 250)
        let asOf = Int32(cal.sessionIndex(bars.last!.session)!)
        let summary = try store.ingest([aapl: bars], provenance: provenance())
        #expect(summary.rows == 250 && summary.inserted == 250 && summary.changed == 0)
        #expect(try store.dailyBars(aapl) == bars)  // vwap and trades too, prices unrounded
        let series = try BarSeries(bars)
        for interval in FibInterval.standard {
            let expected = FibResampler.resample(series, interval: interval, latestClosed: asOf)
            #expect(try store.bars(aapl, interval: interval, latestClosed: asOf) == expected, "interval \(interval)")
        }
        let watermark = try #require(try store.watermark(aapl))
        #expect(watermark.firstSession == bars.first!.session)
        #expect(watermark.latestSession == bars.last!.session)
        #expect(watermark.rows == 250)
        let bronze = try store.db.scalarInt(
            """
            SELECT count(*) FROM bronze_rows r JOIN bronze_batches b ON b.id = r.batch_id
            WHERE b.provider = 'test' AND r.symbol = 'AAPL'
            """)
        #expect(bronze == 250)
    }

    @Test func reingestingTheSameBarsChangesNothing() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let bars = makeBars(from: "2023-01-03", count: 60)
        _ = try store.ingest([aapl: bars], provenance: provenance())
        let history = try store.watermarkHistory(aapl).count
        let again = try store.ingest([aapl: bars], provenance: provenance())
        #expect(again.unchanged == 60 && again.inserted == 0 && again.changed == 0)
        #expect(try store.watermarkHistory(aapl).count == history)
    }

    /// Fibonacci bars are resampled from the daily table on read, so uneven deliveries, a late
    /// backfilled hole and a correction give exactly the bars of the whole history at once.
    @Test func incrementalIngestsReadAsTheWholeHistory() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        var all = makeBars(from: "2022-03-01", count: 400, seed: 9)
        // Deliver in uneven chunks, days late, with a backfilled hole and a correction.
        let hole = Array(all[100..<110])
        var position = 0
        for chunk in [37, 1, 1, 55, 8, 120, 3, 175] {
            var part = Array(all[position..<min(all.count, position + chunk)])
            part.removeAll { bar in hole.contains(bar) }
            position += chunk
            _ = try store.ingest([aapl: part], provenance: provenance())
        }
        _ = try store.ingest([aapl: hole], provenance: provenance())
        all[205].close = all[205].high  // a corrected print
        _ = try store.ingest([aapl: [all[205]]], provenance: provenance())

        let series = try BarSeries(all)
        #expect(try store.dailySeries(aapl) == series)
        let asOf = Int32(cal.sessionIndex(all.last!.session)!)
        // The newest bars are forming at the last session and complete 40 sessions later.
        for latest in [asOf, asOf + 40] {
            for interval in FibInterval.standard {
                let expected = FibResampler.resample(series, interval: interval, latestClosed: latest)
                #expect(try store.bars(aapl, interval: interval, latestClosed: latest) == expected)
            }
        }
        #expect(try store.bars(aapl, interval: FibInterval(34), latestClosed: asOf).last?.complete == false)
    }

    /// A range keeps the bars that end inside it, each with all of its sessions (a bar that
    /// starts before the range is not cut).
    @Test func aRangeKeepsWholeBarsEndingInIt() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let all = makeBars(from: "2023-01-03", count: 120, seed: 4)
        _ = try store.ingest([aapl: all], provenance: provenance())
        let asOf = Int32(cal.sessionIndex(all.last!.session)!)
        let eight = try FibInterval(8)
        let whole = FibResampler.resample(try BarSeries(all), interval: eight, latestClosed: asOf)
        let range = all[50].session...all[90].session
        let first = Int32(cal.sessionIndex(range.lowerBound)!)
        let last = Int32(cal.sessionIndex(range.upperBound)!)
        let inRange = try store.bars(aapl, interval: eight, latestClosed: asOf, in: range)
        #expect(inRange == whole.filter { $0.lastSession >= first && $0.lastSession <= last })
        #expect(!inRange.isEmpty)
        #expect(inRange.allSatisfy { $0.sessionsPresent == 8 })
    }

    @Test func aRejectedIngestWritesNothing() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let good = makeBars(from: "2023-01-03", count: 20)
        _ = try store.ingest([aapl: good], provenance: provenance())
        var bad = makeBars(from: "2023-02-01", count: 5)
        bad[3].low = bad[3].high * 2
        #expect(throws: StoreError.self) {
            try store.ingest([aapl: bad, msft: makeBars(from: "2023-01-03", count: 5)], provenance: provenance())
        }
        #expect(try store.dailyBars(aapl) == good)
        #expect(try store.latestSessions()[msft] == nil)
    }

    @Test func watermarksNeverMoveBackwardsAndKeepTheirHistory() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let recent = makeBars(from: "2024-01-02", count: 10)
        let older = makeBars(from: "2023-06-01", count: 10)
        _ = try store.ingest([aapl: recent], provenance: provenance())
        _ = try store.ingest([aapl: older], provenance: provenance())  // a backfill
        let history = try store.watermarkHistory(aapl)
        #expect(history.count == 2)
        #expect(history.map(\.latestSession) == [recent.last!.session, recent.last!.session])
        #expect(history.last!.firstSession == older.first!.session && history.last!.rows == 20)
    }

    @Test func recordsRunsAndStages() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)
        let run = try store.beginRun(trigger: .cli, at: t0)
        try store.recordStage(
            StageRecord(
                runID: run, stage: "fetch", status: .failed, attempts: 3, startedAt: t0,
                finishedAt: t0.addingTimeInterval(1.5), counts: ["calls": 3], error: "HTTP 503"))
        try store.finishRun(run, status: .failed, error: "fetch: HTTP 503", at: t0.addingTimeInterval(2))
        let record = try #require(try store.runs(last: 5).first)
        #expect(
            record.id == run && record.status == .failed && record.trigger == .cli && record.error == "fetch: HTTP 503")
        #expect(record.startedAt == t0)
        let stages = try store.stages(ofRun: run)
        #expect(
            stages == [
                StageRecord(
                    runID: run, stage: "fetch", status: .failed, attempts: 3, startedAt: t0,
                    finishedAt: t0.addingTimeInterval(1.5), counts: ["calls": 3], error: "HTTP 503")
            ])
        #expect(try store.summary().lastRun?.id == run)
    }

    @Test func storesSymbolMetadata() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let info = SymbolInfo(
            symbol: aapl, name: "Apple Inc.", type: "CS", exchange: "XNAS", marketCap: 3.1e12,
            industry: "Electronic Computers", listDate: try SessionDate(iso: "1980-12-12"))
        try store.upsertSymbols([info], at: pinnedNow)
        #expect(try store.symbols() == [info])
    }
}

@Suite struct MarketStoreConcurrencyTests {
    /// Two commands started together on a new data directory (a refresh and a quote, say) both
    /// open it: the migrations run once, under the write lock, and nobody sees a half-made schema.
    @Test func connectionsCreatingTheSameNewDatabaseTogetherAllSucceed() throws {
        for _ in 0..<5 {
            let dir = TemporaryDirectory()
            let path = dir.databasePath
            let failures = FailureBox()
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do {
                    let store = try MarketStore(path: path)
                    _ = try store.appliedMigrations()
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            #expect(try MarketStore(path: path).appliedMigrations().count == MarketStore.schemaVersion)
        }
    }

    @Test func aReaderSeesWritesCommittedByAnotherConnection() throws {
        let dir = TemporaryDirectory()
        let reader = try MarketStore(path: dir.databasePath)
        let writer = try MarketStore(path: dir.databasePath)
        let aapl = try Symbol("AAPL")
        _ = try writer.ingest([aapl: makeBars(from: "2024-01-02", count: 5)], provenance: provenance())
        #expect(try reader.dailySeries(aapl).count == 5)
        _ = try writer.ingest([aapl: makeBars(from: "2024-01-02", count: 8)], provenance: provenance())
        #expect(try reader.dailySeries(aapl).count == 8)  // no stale snapshot left open by a cached statement
    }
}

@Suite struct MarketStoreVacuumTests {
    @Test func keepsOldRawRowsWhoseBarIsNotConsolidated() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath)
        let aapl = try Symbol("AAPL")
        let bars = makeBars(from: "2024-01-02", count: 5)
        _ = try store.ingest([aapl: bars], provenance: provenance())
        rawSQL(
            dir.databasePath,
            """
            INSERT INTO bronze_rows(batch_id, symbol, session, open, high, low, close, volume)
            VALUES ((SELECT min(id) FROM bronze_batches), 'ORPHAN', 20240102, 1, 2, 0.5, 1.5, 10)
            """)
        let cutoff = Date(timeIntervalSince1970: 1_800_000_000)
        let report = try store.vacuumBronze(olderThan: cutoff, dryRun: false)
        #expect(report.eligible == 6 && report.deleted == 5 && report.unverified == 1)
        #expect(try store.bronzeRowCount() == 1)
    }
}

/// Errors gathered from concurrent work.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}

/// The words of store errors (issue 23: the `-shm` file is not "the write-ahead log").
@Suite struct StoreErrorWordsTests {
    @Test func eachSidecarIsNamedForWhatItIs() {
        let shm = StoreError.readOnlySidecar(path: "/d/tradlyte.sqlite-shm", database: "/d/tradlyte.sqlite")
        #expect(shm.description.contains("shared-memory index of the write-ahead log"))
        let wal = StoreError.readOnlySidecar(path: "/d/tradlyte.sqlite-wal", database: "/d/tradlyte.sqlite")
        #expect(wal.description.contains("(the write-ahead log beside"))
        #expect(StoreError.notADatabase(path: "x", detail: "d").description.contains("left untouched"))
        #expect(!StoreError.notADatabase(path: "x", detail: "d", touched: true).description.contains("untouched"))
    }
}

/// Issue 25: a reader never skips a row it cannot parse as if it were not there.
@Suite struct StoreReadersReportDamageTests {
    @Test func aRowThatIsNotATickerIsReportedWithItsTable() throws {
        let dir = TemporaryDirectory()
        let store = try MarketStore(path: dir.databasePath, clock: ManualClock(iso: "2026-11-25T23:00:00Z"))
        let bars = try BarSeries(makeBars(from: "2026-11-02", count: 5))
        try store.upsertDailyBars([.init(symbol: Symbol(known: "ACME"), series: bars)], at: pinnedNow)
        #expect(try store.symbols().map(\.symbol) == [Symbol(known: "ACME")])
        rawSQL(dir.databasePath, "INSERT INTO symbols(symbol, active, updated_at) VALUES ('not a ticker!', 1, 'x')")
        let reopened = try MarketStore(path: dir.databasePath)
        do {
            _ = try reopened.symbols()
            Issue.record("a damaged row was skipped")
        } catch let error as StoreError {
            #expect("\(error)".contains("the symbols table"), "\(error)")
            #expect("\(error)".contains("'not a ticker!'"), "\(error)")
        }
    }
}
