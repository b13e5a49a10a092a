import Foundation
import TradLyteCore

/// Paces calls evenly to a calls-per-minute budget (a token bucket of one token, so bursts
/// never exceed the plan's window) and pauses everyone after a 429's Retry-After.
///
/// Time comes from the injected clock and waits go through the injected sleeper, so tests
/// drive it with a manual clock and assert on the waits it asked for.
public final class RateLimiter: @unchecked Sendable {
    // `next` and `pausedUntil` are guarded by `lock`; the rest is immutable.
    private let lock = NSLock()
    private var next: Date = .distantPast
    private var pausedUntil: Date = .distantPast
    public let callsPerMinute: Double
    private let clock: any WallClock
    private let sleeper: any Sleeper

    public init(callsPerMinute: Double, clock: any WallClock, sleeper: any Sleeper) {
        self.callsPerMinute = max(0.01, callsPerMinute)
        self.clock = clock
        self.sleeper = sleeper
    }

    public var interval: TimeInterval {
        60.0 / callsPerMinute
    }

    /// Seconds to wait for `calls` more calls from now, for ETAs (`tradlyte refresh --dry-run`).
    public func estimatedSeconds(forCalls calls: Int) -> TimeInterval {
        max(0, Double(calls - 1)) * interval
    }

    /// Blocks until this caller may make a call; returns how long it waited.
    @discardableResult
    public func acquire(cancel: CancellationFlag? = nil) throws(HTTPError) -> TimeInterval {
        let (now, slot): (Date, Date) = lock.withLock {
            let now = clock.now()
            let start = max(now, next, pausedUntil)
            next = start.addingTimeInterval(interval)
            return (now, start)
        }
        let wait = slot.timeIntervalSince(now)
        if wait <= 0 {
            return 0
        }
        guard sleeper.sleep(wait, isCancelled: { cancel?.isCancelled == true }) else {
            throw .cancelled
        }
        return wait
    }

    /// After a 429: nobody calls again before `seconds` have passed.
    public func pause(for seconds: TimeInterval) {
        lock.withLock {
            let until = clock.now().addingTimeInterval(seconds)
            if until > pausedUntil {
                pausedUntil = until
            }
            if next < pausedUntil {
                next = pausedUntil
            }
        }
    }
}
