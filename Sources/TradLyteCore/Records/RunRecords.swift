import Foundation

/// What started a pipeline run.
public enum RunTrigger: String, Sendable, Codable, CaseIterable {
    case manual, schedule, cli, tui
    /// `tradlyte serve`'s `POST /v1/pipeline/refresh` (its schedule runs as `schedule`).
    case api
}

/// The state of a run or of one of its stages.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running, succeeded, failed, skipped
    /// Stopped on request (`c` in the UI); what was fetched is kept.
    case cancelled
    /// Stopped by a signal (Ctrl-C, SIGTERM) or found abandoned by a process that is gone.
    case interrupted
}

/// One stage of a run as recorded: attempts, timings, counts and the error, if any.
public struct StageRecord: Equatable, Sendable, Codable {
    public var runID: Int64
    public var stage: String
    public var status: RunStatus
    public var attempts: Int
    public var startedAt: Date
    public var finishedAt: Date?
    /// Named counts, e.g. ["rows": 2500, "symbols": 1].
    public var counts: [String: Int]
    public var error: String?

    /// The counts as logs and the pipeline pane show them: "rows=2500 symbols=1", by name.
    public var countsText: String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    public init(
        runID: Int64, stage: String, status: RunStatus, attempts: Int = 1, startedAt: Date,
        finishedAt: Date? = nil, counts: [String: Int] = [:], error: String? = nil
    ) {
        self.runID = runID
        self.stage = stage
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.error = error
    }
}

/// A pipeline run as recorded.
public struct RunRecord: Equatable, Sendable, Codable {
    public var id: Int64
    public var trigger: RunTrigger
    public var status: RunStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var summary: String?

    public init(
        id: Int64, trigger: RunTrigger, status: RunStatus, startedAt: Date, finishedAt: Date? = nil,
        error: String? = nil, summary: String? = nil
    ) {
        self.id = id
        self.trigger = trigger
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.summary = summary
    }
}
