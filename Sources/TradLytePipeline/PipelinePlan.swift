import Foundation
import TradLyteCore

/// How a refresh fetches bars.
public enum FetchMode: String, Sendable, CaseIterable {
    /// One grouped-daily call per missing session brings every US ticker.
    case market
    /// One range call per watchlist ticker.
    case watchlist
}

public struct PipelineOptions: Sendable {
    public var trigger: RunTrigger
    public var mode: FetchMode
    /// Symbols tracked in watchlist mode; in market mode their history is fetched first on a
    /// cold start (range calls), so charts work long before the market backfill ends.
    public var watchlist: [Symbol]
    /// Restricts this run to these symbols (`refresh --symbols A,B`).
    public var onlySymbols: [Symbol]?
    /// History depth for new symbols and a cold start (clamped to the plan's history window).
    public var backfillYears: Int
    /// Bronze rows older than this are vacuumed once verified.
    public var retentionDays: Int
    /// Seconds of fetching after which grouped days are committed (a provider paced slower than
    /// this commits every day as it arrives); at most `chunkSessions` days a commit.
    public var commitSeconds = 2.0
    /// The most grouped days one commit holds.
    public var chunkSessions: Int
    /// The provider's request budget, for the ETA (nil: no limit).
    public var callsPerMinute: Double?
    /// Minutes after the close before a session counts as closed.
    public var closeGraceMinutes: Int
    /// Grouped days re-fetched once, on a later day than their first fetch, for late corrections:
    /// the sessions just before the newest one (default 1: the previous session).
    public var correctionSessions = 1
    /// Sessions a symbol may be missing from the market's grouped days before it is marked
    /// dormant (delisted, expired or renamed).
    public var dormantSessions = 10
    /// Ticker-detail calls (market cap, sector) per run, for the watchlist, picks and charted symbols.
    public var detailsPerRun = 10
    /// Symbols whose details are wanted (the watchlist, recent picks, charted symbols).
    public var detailSymbols: [Symbol] = []
    /// Days before the ticker list and ticker details are fetched again.
    public var metadataMaxAgeDays = 7
    /// The free plan's documented history (about two years), used when a range call is refused
    /// before the grouped days have found the plan's exact window.
    public var fallbackHistoryDays = 730
    /// Strategies the scan stage runs on the latest session (none: the stage is skipped).
    public var scanStrategies: [Strategy] = []
    /// Picks kept per strategy.
    public var scanTopK = 20

    public init(
        trigger: RunTrigger = .cli, mode: FetchMode = .market, watchlist: [Symbol] = [], onlySymbols: [Symbol]? = nil,
        backfillYears: Int = 5,
        retentionDays: Int = 30, chunkSessions: Int = 63,
        callsPerMinute: Double? = nil, closeGraceMinutes: Int = 5
    ) {
        self.trigger = trigger
        self.mode = mode
        self.watchlist = watchlist
        self.onlySymbols = onlySymbols
        self.backfillYears = backfillYears
        self.retentionDays = retentionDays
        self.chunkSessions = chunkSessions
        self.callsPerMinute = callsPerMinute
        self.closeGraceMinutes = closeGraceMinutes
    }
}

/// What a refresh will do, computed against the calendar: in market mode from the grouped days
/// already fetched (market-wide coverage), in watchlist mode per symbol.
public struct PipelinePlan: Sendable {
    public struct RangeRequest: Sendable, Equatable {
        public var symbol: Symbol
        public var from: SessionDate
        public var to: SessionDate
        public var reason: String
    }

    /// A session not fetched now, and when it will be.
    public struct Deferral: Sendable, Equatable {
        public var session: SessionDate
        public var reason: String
        public var retry: String
    }

    public var latestClosed: SessionDate?
    /// Sessions to fetch with grouped-daily calls (market mode), newest first: recent data is
    /// usable first and a plan's history window shows itself as the first refusal.
    public var groupedSessions: [SessionDate]
    /// Grouped days fetched before on their own day, fetched once more for late corrections.
    public var corrections: [SessionDate] = []
    /// Per-ticker history requests (watchlist mode, watchlist-first on a cold start, new symbols).
    public var ranges: [RangeRequest]
    /// Symbols whose stored history is behind (watchlist mode), with how many sessions they miss.
    public var missingBySymbol: [Symbol: Int]
    public var splits: [Split]
    /// Metadata calls (ticker list, details, splits), estimated.
    public var metadataCalls: Int
    /// Sessions not fetched by this run (not yet published on the plan).
    public var deferred: [Deferral] = []
    /// The oldest session planned; later than the backfill asked for when the plan's history
    /// window is shorter.
    public var historyStart: SessionDate?
    /// Set when `historyStart` was clamped to the plan's history window.
    public var historyClamped = false

    public var ohlcvCalls: Int { groupedSessions.count + corrections.count + ranges.count }
    public var calls: Int { ohlcvCalls + metadataCalls }
    /// No OHLCV to fetch (metadata alone never makes data stale).
    public var isEmpty: Bool { ohlcvCalls == 0 }

    /// Seconds the calls take under a calls-per-minute budget (nil: no limit).
    public func eta(callsPerMinute: Double?) -> TimeInterval {
        guard let cpm = callsPerMinute, cpm > 0 else { return 0 }
        return Double(max(0, calls - 1)) * 60 / cpm
    }

    /// Human-readable lines for `refresh --dry-run`, `status` and the UI's pipeline pane.
    public func describe(callsPerMinute: Double?) -> [String] {
        var lines: [String] = []
        lines.append("Latest closed session: \(latestClosed?.description ?? "none")")
        if isEmpty {
            lines.append("Nothing to fetch: the stored data is up to date.")
        }
        if let newest = groupedSessions.first, let oldest = groupedSessions.last {
            let count = groupedSessions.count
            lines.append("Grouped daily: \(count) session\(count == 1 ? "" : "s") (\(newest) back to \(oldest))")
        }
        if let start = historyStart, historyClamped {
            lines.append("History starts \(start): the plan's history window (found from the provider's refusal)")
        }
        if !corrections.isEmpty {
            let list = corrections.map(\.description).joined(separator: ", ")
            lines.append("Corrections: \(list) fetched once more (late corrections)")
        }
        for r in ranges.prefix(20) { lines.append("Range: \(r.symbol) \(r.from) … \(r.to) (\(r.reason))") }
        if ranges.count > 20 { lines.append("… and \(ranges.count - 20) more ranges") }
        for s in splits {
            let ratio = "\(IndicatorSpec.format(s.to))-for-\(IndicatorSpec.format(s.from))"
            lines.append("Split: \(s.symbol) \(ratio) on \(s.date) → re-fetch history")
        }
        for d in deferred { lines.append("Deferred: \(d.session) — \(d.reason); \(d.retry)") }
        let behind = missingBySymbol.values.filter { $0 > 0 }.count
        if behind > 0 { lines.append("Symbols behind the calendar: \(behind)") }
        let eta = eta(callsPerMinute: callsPerMinute)
        let rate = callsPerMinute.map { " at \(IndicatorSpec.format($0)) calls/min" } ?? ""
        lines.append("Calls: \(calls)\(rate); ETA \(Self.duration(eta))")
        return lines
    }

    public static func duration(_ seconds: TimeInterval) -> String {
        seconds < 1 ? "under a second" : DurationText.short(seconds)
    }
}
