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
    /// Symbols tracked in watchlist mode (and the only ones refreshed when `onlySymbols` is set).
    public var watchlist: [Symbol]
    /// Restricts this run to these symbols (`refresh --symbols A,B`).
    public var onlySymbols: [Symbol]?
    /// History depth for new symbols and a cold start.
    public var backfillYears: Int
    /// Rebuild every Fibonacci bar from the daily table after fetching.
    public var fullRebuild: Bool
    public var intervals: [FibInterval]
    /// Bronze rows older than this are vacuumed once verified.
    public var retentionDays: Int
    /// Grouped sessions fetched and stored per transaction.
    public var chunkSessions: Int
    /// The provider's request budget, for the ETA (nil: no limit).
    public var callsPerMinute: Double?
    /// Minutes after the close before a session counts as closed.
    public var closeGraceMinutes: Int
    /// Strategies the scan stage runs on the latest session (none: the stage is skipped).
    public var scanStrategies: [Strategy] = []
    /// Daily bars per symbol the scan reads (enough for a 200-session average and a crossing).
    public var scanSessions = 300
    /// Picks kept per strategy.
    public var scanTopK = 20

    public init(trigger: RunTrigger = .cli, mode: FetchMode = .market, watchlist: [Symbol] = [], onlySymbols: [Symbol]? = nil,
                backfillYears: Int = 5, fullRebuild: Bool = false, intervals: [FibInterval] = FibInterval.standard,
                retentionDays: Int = 30, chunkSessions: Int = 63,
                callsPerMinute: Double? = nil, closeGraceMinutes: Int = 5) {
        self.trigger = trigger
        self.mode = mode
        self.watchlist = watchlist
        self.onlySymbols = onlySymbols
        self.backfillYears = backfillYears
        self.fullRebuild = fullRebuild
        self.intervals = intervals
        self.retentionDays = retentionDays
        self.chunkSessions = chunkSessions
        self.callsPerMinute = callsPerMinute
        self.closeGraceMinutes = closeGraceMinutes
    }
}

/// What a refresh will do, computed per symbol against the calendar (never one global date).
public struct PipelinePlan: Sendable {
    public struct RangeRequest: Sendable, Equatable {
        public var symbol: Symbol
        public var from: SessionDate
        public var to: SessionDate
        public var reason: String
    }

    public var latestClosed: SessionDate?
    /// Sessions to fetch with grouped-daily calls (market mode), oldest first.
    public var groupedSessions: [SessionDate]
    /// Per-ticker history requests (watchlist mode, new symbols, splits).
    public var ranges: [RangeRequest]
    /// Symbols whose stored history is behind, with how many sessions they miss.
    public var missingBySymbol: [Symbol: Int]
    public var splits: [Split]
    /// Metadata calls (ticker list).
    public var metadataCalls: Int

    public var calls: Int { groupedSessions.count + ranges.count + metadataCalls }
    public var isEmpty: Bool { groupedSessions.isEmpty && ranges.isEmpty }

    /// Seconds the calls take under a calls-per-minute budget (nil: no limit).
    public func eta(callsPerMinute: Double?) -> TimeInterval {
        guard let cpm = callsPerMinute, cpm > 0 else { return 0 }
        return Double(max(0, calls - 1)) * 60 / cpm
    }

    /// Human-readable lines for `refresh --dry-run`.
    public func describe(callsPerMinute: Double?) -> [String] {
        var lines: [String] = []
        lines.append("Latest closed session: \(latestClosed?.description ?? "none")")
        if isEmpty {
            lines.append("Nothing to fetch: every tracked symbol is up to date.")
        }
        if let first = groupedSessions.first, let last = groupedSessions.last {
            lines.append("Grouped daily: \(groupedSessions.count) session\(groupedSessions.count == 1 ? "" : "s") (\(first) … \(last))")
        }
        for r in ranges.prefix(20) { lines.append("Range: \(r.symbol) \(r.from) … \(r.to) (\(r.reason))") }
        if ranges.count > 20 { lines.append("… and \(ranges.count - 20) more ranges") }
        for s in splits { lines.append("Split: \(s.symbol) \(IndicatorSpec.format(s.to))-for-\(IndicatorSpec.format(s.from)) on \(s.date) → re-fetch history") }
        let behind = missingBySymbol.values.filter { $0 > 0 }.count
        if behind > 0 { lines.append("Symbols behind the calendar: \(behind)") }
        let eta = eta(callsPerMinute: callsPerMinute)
        let rate = callsPerMinute.map { " at \(IndicatorSpec.format($0)) calls/min" } ?? ""
        lines.append("Calls: \(calls)\(rate); ETA \(Self.duration(eta))")
        return lines
    }

    public static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "under a second" }
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
        return String(format: "%.1f h", seconds / 3600)
    }
}
