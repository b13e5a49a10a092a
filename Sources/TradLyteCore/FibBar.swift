/// A bar of N consecutive exchange sessions: bucket `b` covers session indexes
/// `b·N … b·N + N − 1`, the same for every symbol (global anchoring).
public struct FibBar: Equatable, Sendable {
    public var bucket: Int32
    /// Session index of the first and last session that actually has a daily bar.
    public var firstSession: Int32
    public var lastSession: Int32
    public var sessionsPresent: Int32
    /// True when the bucket's last calendar session has closed (whether or not every session
    /// had a bar); the newest bar is usually still forming.
    public var complete: Bool
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(
        bucket: Int32, firstSession: Int32, lastSession: Int32, sessionsPresent: Int32, complete: Bool,
        open: Double, high: Double, low: Double, close: Double, volume: Double
    ) {
        self.bucket = bucket
        self.firstSession = firstSession
        self.lastSession = lastSession
        self.sessionsPresent = sessionsPresent
        self.complete = complete
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// The session indexes the bucket covers on the calendar.
    public func calendarSessions(interval: FibInterval) -> ClosedRange<Int32> {
        let n = Int32(interval.sessions)
        return bucket * n...bucket * n + n - 1
    }
}
