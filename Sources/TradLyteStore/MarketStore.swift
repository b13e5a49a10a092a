import Foundation
import TradLyteCore

/// The engine's database: one SQLite file in WAL mode with append-only named migrations.
///
/// Callers see intention-revealing methods (upsert daily bars, read a series, ingest a batch,
/// record a run) and never SQL. Prices are stored as REAL, session dates as `yyyymmdd`
/// integers (readable in the sqlite3 shell and ordered like dates). A `MarketStore` is not
/// thread-safe: open one per thread; WAL lets readers run beside one writer.
public final class MarketStore {
    public let path: String
    public let calendar: TradingCalendar
    /// The clocks of the store's own bookkeeping (rows' `updated_at`, ingest timings).
    let clock: any WallClock
    let elapsed: any MonotonicClock
    let db: SQLiteConnection
    private var symbolIDs: [Symbol: Int64] = [:]
    private var statements: [String: SQLiteStatement] = [:]
    private var depth = 0
    /// Transactions this connection committed (an error on a damaged file then says so).
    private var commits = 0

    /// A ticker read back from `table`. The store writes only valid tickers, so one that does
    /// not parse is damage: reported with where it is, never skipped as if the row were not there.
    func storedSymbol(_ text: String?, table: String) throws -> Symbol {
        do { return try Symbol(text ?? "") } catch {
            throw StoreError.invalidData(
                "the \(table) table of \(path) holds '\(text ?? "")', which is not a ticker (\(error)) — "
                    + "the file was changed outside TradLyte; restore a backup or move it aside and refresh")
        }
    }

    /// A session date read back from `table` (stored as yyyymmdd), reported like `storedSymbol`.
    func storedDate(_ value: Int, table: String) throws -> SessionDate {
        guard let date = SessionDate(yyyymmdd: value) else {
            throw StoreError.invalidData(
                "the \(table) table of \(path) holds \(value), which is not a date — the file was changed outside "
                    + "TradLyte; restore a backup or move it aside and refresh")
        }
        return date
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { Migrations.all.count }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// A file that is not a SQLite database, or a database written by a newer schema, is
    /// reported and left exactly as it was.
    /// - Parameters:
    ///   - clock: stamps the store's bookkeeping (`updated_at`, `applied_at`); the system's by default.
    ///   - elapsed: times the ingest's bronze and consolidate steps.
    public init(
        path: String, calendar: TradingCalendar = .nyse, busyTimeoutMilliseconds: Int32 = 5000,
        clock: any WallClock = SystemClock(), elapsed: any MonotonicClock = SystemClock()
    ) throws {
        self.path = path
        self.calendar = calendar
        self.clock = clock
        self.elapsed = elapsed
        do {
            db = try SQLiteConnection(path: path)
        } catch {
            if error.isReadOnly { throw StoreError.cannotOpen(path: path, reason: error.message) }
            throw StoreError.wrap(error, path: path)
        }
        db.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try guarded {
            // Reading the header first: a non-database file fails here, before anything is written.
            // The version and the tables are read from one snapshot: another process may be
            // creating this database at the same moment.
            try db.execute("BEGIN")
            let version: Int
            do {
                version = try inspectBeforeWriting()
                try db.execute("COMMIT")
            } catch {
                // Best effort after a failure: the original error is what is thrown.
                try? db.execute("ROLLBACK")
                throw error
            }
            try db.execute("PRAGMA foreign_keys = ON")
            try enableWAL(timeoutMilliseconds: Int(busyTimeoutMilliseconds))
            try db.execute("PRAGMA synchronous = NORMAL")
            try db.execute("PRAGMA cache_size = -65536")  // 64 MiB page cache
            try db.execute("PRAGMA temp_store = MEMORY")
            try migrate(from: version)
        }
    }

    /// Switches a new database to WAL. The switch needs the file to itself and SQLite answers
    /// "locked" at once (no busy handler) while another process opens the same new database, so
    /// it is retried within the busy timeout; a database already in WAL needs nothing.
    private func enableWAL(timeoutMilliseconds: Int) throws {
        var waited = 0
        while true {
            do {
                if try db.scalarText("PRAGMA journal_mode")?.lowercased() == "wal" { return }
                _ = try db.scalarText("PRAGMA journal_mode = WAL")
                return
            } catch {
                guard error.isBusy, waited < timeoutMilliseconds else { throw error }
            }
            Thread.sleep(forTimeInterval: 0.01)
            waited += 10
        }
    }

    /// The schema version, after checking the file is ours (or new) and not from the future.
    private func inspectBeforeWriting() throws -> Int {
        let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
        if version > Migrations.all.count {
            throw StoreError.newerSchema(path: path, found: version, known: Migrations.all.count)
        }
        // Another application's database is recognised before anything is changed (even the
        // journal mode, which rewrites the header): without a schema version it must have no
        // tables but our ledger; with one, it must have the ledger.
        let tables = "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        let others = try db.scalarInt(tables + " AND name != 'schema_migrations'") ?? 0
        let ledger = try db.scalarInt(tables + " AND name = 'schema_migrations'") ?? 0
        if version == 0 ? others > 0 : ledger == 0 {
            throw StoreError.notADatabase(path: path, detail: "it is a SQLite database of another application")
        }
        return version
    }

    private func migrate(from version: Int) throws {
        if version == 0 {
            // A fresh file (the opening check refused anyone else's): start the ledger.
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
                """)
        }
        // Applied migrations must be the ones this build knows, in the same order.
        for (v, name) in try appliedMigrationRows() where v >= 1 && v <= Migrations.all.count {
            if Migrations.all[v - 1].name != name {
                throw StoreError.migrationMismatch(
                    path: path, version: v, expected: Migrations.all[v - 1].name, found: name)
            }
        }
        for index in version..<Migrations.all.count {
            let migration = Migrations.all[index]
            try write {
                // Under the write lock: a process opening the same new database may have applied it.
                guard Int(try db.scalarInt("PRAGMA user_version") ?? 0) <= index else { return }
                try db.execute(migration.sql)
                let insert = try db.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)")
                insert.bind(1, index + 1)
                insert.bind(2, migration.name)
                insert.bind(3, Timestamp.format(clock.now()))
                try insert.run()
                try db.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    /// The schema version of the open database.
    public func currentSchemaVersion() throws -> Int {
        try guarded { Int(try db.scalarInt("PRAGMA user_version") ?? 0) }
    }

    /// SQLite's `PRAGMA quick_check`: "ok", or the first problem found.
    /// SQLite's `data_version`: it changes when another connection (another process, a refresh
    /// from cron) commits to the database, so a reader can tell its screens are stale.
    public func dataVersion() throws -> Int64 {
        try guarded { try db.scalarInt("PRAGMA data_version") ?? 0 }
    }

    public func quickCheck() throws -> String {
        try guarded { try db.scalarText("PRAGMA quick_check") ?? "no answer" }
    }

    /// Names of the applied migrations, in order.
    public func appliedMigrations() throws -> [String] {
        try guarded { try appliedMigrationRows().map(\.1) }
    }

    private func appliedMigrationRows() throws -> [(Int, String)] {
        let stmt = try db.prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        var rows: [(Int, String)] = []
        while try stmt.step() { rows.append((stmt.int(0), stmt.text(1) ?? "")) }
        return rows
    }

    /// Runs `body` in one write transaction (a savepoint when already inside one): everything
    /// or nothing is committed.
    public func write<T>(_ body: () throws -> T) throws -> T {
        try guarded {
            let nested = db.isInTransaction
            let savepoint = "tradlyte_sp"
            try db.execute(nested ? "SAVEPOINT \(savepoint)" : "BEGIN IMMEDIATE")
            do {
                let result = try body()
                try db.execute(nested ? "RELEASE \(savepoint)" : "COMMIT")
                if !nested { commits += 1 }
                return result
            } catch {
                if nested {
                    // Best effort after a failure: the original error is rethrown below.
                    try? db.execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
                } else {
                    // Best effort after a failure: the original error is rethrown below.
                    try? db.execute("ROLLBACK")
                }
                throw error
            }
        }
    }

    /// The boundary of every public method: converts SQLite errors into `StoreError`s that
    /// name the file and the fix, and, when the outermost call returns, resets the cached
    /// statements — a statement left mid-result would hold a WAL read snapshot open.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        depth += 1
        defer {
            depth -= 1
            if depth == 0 { for stmt in statements.values { stmt.resetKeepingBindings() } }
        }
        do {
            return try body()
        } catch let error as SQLiteError {
            throw StoreError.wrap(error, path: path, touched: commits > 0)
        }
    }

    /// A cached prepared statement.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        let stmt = try db.prepare(sql)
        statements[sql] = stmt
        return stmt
    }

    // MARK: - Symbols

    /// The row id of each symbol, inserting a bare `symbols` row for unknown ones when `create`.
    func symbolID(_ symbol: Symbol, create: Bool) throws -> Int64? {
        if let id = symbolIDs[symbol] { return id }
        let select = try statement("SELECT id FROM symbols WHERE symbol = ?")
        select.bind(1, symbol.rawValue)
        if try select.step() {
            let id = select.int64(0)
            symbolIDs[symbol] = id
            return id
        }
        guard create else { return nil }
        let insert = try statement("INSERT INTO symbols(symbol, active, updated_at) VALUES (?, 1, ?)")
        insert.bind(1, symbol.rawValue)
        insert.bind(2, Timestamp.format(clock.now()))
        try insert.run()
        let id = db.lastInsertRowID
        symbolIDs[symbol] = id
        return id
    }

    /// Resolves what a user typed against the stored symbols: an exact match wins; otherwise a
    /// case-insensitive match when there is one (`amzn` → `AMZN`). Two stored securities that
    /// differ only in case (`AMPB`, `AMpB`) make a lower-case entry ambiguous: the user is asked
    /// for the exact case. A symbol the store does not know is returned as typed (upper-cased
    /// when written in lower case) for the provider to look up.
    public func resolveSymbol(_ text: String) throws -> Symbol {
        let typed = try Symbol(typed: text)
        let exact = try Symbol(text)
        return try guarded {
            let stmt = try statement("SELECT symbol FROM symbols WHERE upper(symbol) = ? ORDER BY symbol")
            stmt.bind(1, typed.folded)
            var matches: [Symbol] = []
            while try stmt.step() {
                matches.append(try storedSymbol(stmt.text(0), table: "symbols"))
            }
            if matches.contains(exact) { return exact }
            if matches.count == 1 { return matches[0] }
            if matches.isEmpty { return typed }
            throw StoreError.ambiguousSymbol(text, candidates: matches.map(\.rawValue))
        }
    }

    func requireSymbolID(_ symbol: Symbol) throws -> Int64 {
        guard let id = try symbolID(symbol, create: false) else { throw StoreError.unknownSymbol(symbol.rawValue) }
        return id
    }

    /// Inserts or updates symbol metadata.
    public func upsertSymbols(_ infos: [SymbolInfo], at now: Date) throws {
        try write {
            let stmt = try statement(
                """
                INSERT INTO symbols(symbol, name, type, exchange, active, market_cap, industry, description,
                                    list_date, delist_date, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(symbol) DO UPDATE SET
                    name = excluded.name, type = excluded.type, exchange = excluded.exchange,
                    active = excluded.active, market_cap = excluded.market_cap, industry = excluded.industry,
                    description = excluded.description, list_date = excluded.list_date,
                    delist_date = excluded.delist_date, updated_at = excluded.updated_at
                """)
            let stamp = Timestamp.format(now)
            for info in infos {
                stmt.bind(1, info.symbol.rawValue)
                stmt.bind(2, info.name)
                stmt.bind(3, info.type)
                stmt.bind(4, info.exchange)
                stmt.bind(5, info.active ? 1 : 0)
                stmt.bind(6, info.marketCap)
                stmt.bind(7, info.industry)
                stmt.bind(8, info.description)
                stmt.bind(9, info.listDate?.yyyymmdd)
                stmt.bind(10, info.delistDate?.yyyymmdd)
                stmt.bind(11, stamp)
                try stmt.run()
            }
        }
    }

    /// Every stored symbol with its metadata, ordered by symbol.
    public func symbols() throws -> [SymbolInfo] {
        try guarded {
            let stmt = try statement(
                """
                SELECT symbol, name, type, exchange, active, market_cap, industry, description, list_date, delist_date
                FROM symbols ORDER BY symbol
                """)
            var result: [SymbolInfo] = []
            while try stmt.step() {
                let symbol = try storedSymbol(stmt.text(0), table: "symbols")
                result.append(
                    SymbolInfo(
                        symbol: symbol, name: stmt.text(1), type: stmt.text(2), exchange: stmt.text(3),
                        active: stmt.int(4) != 0, marketCap: stmt.optionalDouble(5), industry: stmt.text(6),
                        description: stmt.text(7), listDate: stmt.optionalInt(8).flatMap(SessionDate.init(yyyymmdd:)),
                        delistDate: stmt.optionalInt(9).flatMap(SessionDate.init(yyyymmdd:))))
            }
            return result
        }
    }

    // MARK: - Session conversions

    @inline(__always)
    func sessionIndex(yyyymmdd: Int) throws -> Int32 {
        guard let index = calendar.sessionIndex(yyyymmdd: yyyymmdd) else {
            throw StoreError.invalidData(
                "stored session \(yyyymmdd) is not an NYSE session — the database holds data this build cannot read")
        }
        return Int32(index)
    }

    @inline(__always)
    func yyyymmdd(sessionIndex: Int32) -> Int {
        calendar.yyyymmdd(ofSessionAt: Int(sessionIndex))
    }
}
