import Foundation

/// Where a batch of bars came from.
public struct Provenance: Sendable {
    public var runID: Int64?
    public var provider: String
    public var endpoint: String
    public var fetchedAt: Date

    public init(runID: Int64?, provider: String, endpoint: String, fetchedAt: Date) {
        self.runID = runID
        self.provider = provider
        self.endpoint = endpoint
        self.fetchedAt = fetchedAt
    }
}

/// What an ingest changed.
public struct IngestSummary: Equatable, Sendable, Codable {
    /// Seconds spent writing raw rows and consolidating.
    public var bronzeSeconds = 0.0
    public var consolidateSeconds = 0.0
    public var symbols = 0
    /// Rows received.
    public var rows = 0
    /// Rows for sessions the store did not have.
    public var inserted = 0
    /// Rows that replaced a stored bar with different values.
    public var changed = 0
    /// Rows identical to what was stored (nothing to do).
    public var unchanged = 0
    public var firstSession: SessionDate?
    public var lastSession: SessionDate?

    public init() {}
}
