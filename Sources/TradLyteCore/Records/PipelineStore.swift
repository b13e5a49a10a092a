import Foundation

/// The storage the pipeline needs (`MarketStore` implements it; a shared PostgreSQL store
/// could later). Every method commits its own transaction, so a killed run leaves only
/// whole steps behind.
public protocol PipelineStore: AnyObject {
    var calendar: TradingCalendar { get }
    func coverage() throws -> [Symbol: Coverage]
    func symbols() throws -> [SymbolInfo]
    func upsertSymbols(_ infos: [SymbolInfo], at now: Date) throws
    func ingest(_ batch: [Symbol: [DailyBar]], provenance: Provenance) throws -> IngestSummary
    /// Splits already handled (so a split re-fetches a symbol once).
    func appliedSplits() throws -> [Split]
    func recordSplit(_ split: Split, at now: Date) throws
    func dailySeries(_ symbol: Symbol, in range: ClosedRange<SessionDate>?) throws -> BarSeries

    /// What SQLite's quick integrity check finds wrong with the file (nil: nothing). A run checks
    /// first, so it never writes into a damaged database.
    func integrityProblem() throws -> String?
    /// Sets disk space aside for the run's final records (a full disk must still let the run
    /// record its own failure); `releaseReserve` gives it back before those records are written.
    func reserveSpace() throws
    func releaseReserve()
    func beginRun(trigger: RunTrigger, at now: Date) throws -> Int64
    func recordStage(_ stage: StageRecord) throws
    func finishRun(_ id: Int64, status: RunStatus, error: String?, summary: String?, at now: Date) throws

    func vacuumBronze(olderThan cutoff: Date, dryRun: Bool) throws -> VacuumReport

    /// A small named engine state (e.g. "history_window_days"); `nil` clears it.
    func flag(_ name: String) throws -> String?
    func setFlag(_ name: String, _ value: String?) throws

    /// Each symbol's (or each of `symbols`') last `sessions` daily bars through `through`
    /// (what a scan needs).
    func dailyTails(sessions: Int, through: SessionDate, symbols: [Symbol]?) throws -> [(Symbol, BarSeries)]
    /// Replaces the stored signals and picks of the scanned session for these strategies.
    func saveScan(_ result: UniverseScanner.Result, strategies: [String], at now: Date) throws
    /// Copies market cap and sector from the symbols' metadata into a session's picks that lack them.
    func fillPickMetadata(session: SessionDate) throws
    /// Stored picks of a scan session, by strategy then rank.
    func picks(session: SessionDate?) throws -> [ScanPick]

    /// Grouped days fetched (market-wide coverage) and recording one.
    func marketSessions() throws -> [SessionDate: MarketSession]
    func recordMarketSession(_ session: SessionDate, tickers: Int, at now: Date) throws
    /// Runs left `running` by a process that is gone become `interrupted`; returns their ids.
    func reapAbandonedRuns(at now: Date) throws -> [Int64]
    /// Active symbols whose newest bar is older than `before` become inactive (dormant).
    func markDormant(before: SessionDate, at now: Date) throws -> Int

    func alertRules() throws -> [AlertRule]
    /// Adds alerts not already in the inbox (same rule, symbol and session); returns the new ones.
    func addAlerts(_ alerts: [Alert]) throws -> [Alert]
}

/// A symbol's stored coverage.
public struct Coverage: Equatable, Sendable {
    public var first: SessionDate
    public var latest: SessionDate
    public var rows: Int

    public init(first: SessionDate, latest: SessionDate, rows: Int) {
        self.first = first
        self.latest = latest
        self.rows = rows
    }
}

/// A grouped day fetched for the whole market.
public struct MarketSession: Equatable, Sendable {
    public var session: SessionDate
    public var firstFetchedAt: Date
    public var lastFetchedAt: Date
    /// 1 after the first fetch, 2 once re-fetched for late corrections.
    public var fetches: Int
    public var tickers: Int

    public init(session: SessionDate, firstFetchedAt: Date, lastFetchedAt: Date, fetches: Int, tickers: Int) {
        self.session = session
        self.firstFetchedAt = firstFetchedAt
        self.lastFetchedAt = lastFetchedAt
        self.fetches = fetches
        self.tickers = tickers
    }
}

/// What vacuum removed (or would remove, in a dry run).
public struct VacuumReport: Equatable, Sendable {
    public var eligible: Int
    /// Old rows kept because their bar is not in the consolidated table.
    public var unverified: Int
    public var deleted: Int

    public init(eligible: Int, unverified: Int, deleted: Int) {
        self.eligible = eligible
        self.unverified = unverified
        self.deleted = deleted
    }
}
