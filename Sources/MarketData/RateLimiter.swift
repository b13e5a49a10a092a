import Foundation

/// Paces calls evenly to a calls-per-minute budget (a token bucket of one token, so bursts
/// never exceed the plan's window) and pauses everyone after a 429's Retry-After.
public final class RateLimiter: @unchecked Sendable {
    // `next` and `pausedUntil` are guarded by `lock`.
    private let lock = NSLock()
    private var next: Date = .distantPast
    private var pausedUntil: Date = .distantPast
    public let callsPerMinute: Double

    public init(callsPerMinute: Double) {
        self.callsPerMinute = max(0.01, callsPerMinute)
    }

    public var interval: TimeInterval { 60.0 / callsPerMinute }

    /// Seconds to wait for `calls` more calls from now, for ETAs (`tradlyte refresh --dry-run`).
    public func estimatedSeconds(forCalls calls: Int) -> TimeInterval {
        max(0, Double(calls - 1)) * interval
    }

    /// Blocks until this caller may make a call; returns how long it waited.
    @discardableResult
    public func acquire(cancel: CancellationFlag? = nil) throws(HTTPError) -> TimeInterval {
        let slot: Date = lock.withLock {
            let now = Date()
            let start = max(now, next, pausedUntil)
            next = start.addingTimeInterval(interval)
            return start
        }
        var waited = 0.0
        while true {
            let remaining = slot.timeIntervalSinceNow
            if remaining <= 0 { return waited }
            if cancel?.isCancelled == true { throw .cancelled }
            let step = min(remaining, 0.1)
            Thread.sleep(forTimeInterval: step)
            waited += step
        }
    }

    /// After a 429: nobody calls again before `seconds` have passed.
    public func pause(for seconds: TimeInterval) {
        lock.withLock {
            let until = Date().addingTimeInterval(seconds)
            if until > pausedUntil { pausedUntil = until }
            if next < pausedUntil { next = pausedUntil }
        }
    }
}
