import Foundation
import TradLyteCore

/// A clock that moves only when told: `advance(by:)`, or a `sleep` asked of it, which returns
/// at once after moving the clock forward by the time asked. Tests share one between the code
/// under test and the fake servers, then assert on `now()` and on `sleeps` (the waits that were
/// requested) instead of on the host's clock.
public final class ManualClock: WallClock, MonotonicClock, Sleeper, @unchecked Sendable {
    // `current`, `requested` and `hook` are guarded by `lock`.
    private let lock = NSLock()
    private let start: Date
    private var current: Date
    private var requested: [TimeInterval] = []
    private var hook: (@Sendable (TimeInterval) -> Void)?

    public init(_ start: Date) {
        self.start = start
        current = start
    }

    /// A clock nothing advances: elapsed time for code whose durations a test does not look at.
    public static var still: ManualClock { ManualClock(Date(timeIntervalSince1970: 0)) }

    /// The time advanced since the clock was made (it never goes back: `advance` takes only
    /// what tests give it, and sleeps move it forward).
    public func uptimeNanoseconds() -> UInt64 {
        UInt64(max(0, now().timeIntervalSince(start)) * 1e9)
    }

    /// A clock at an ISO 8601 instant such as "2026-11-25T21:10:00Z".
    public convenience init(iso: String) {
        guard let date = ISO8601DateFormatter().date(from: iso) else {
            preconditionFailure("ManualClock: '\(iso)' is not an ISO 8601 instant")
        }
        self.init(date)
    }

    public func now() -> Date {
        lock.withLock { current }
    }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    /// Every sleep asked of this clock, in order.
    public var sleeps: [TimeInterval] {
        lock.withLock { requested }
    }

    /// Runs after each sleep has moved the clock (to cancel a run "during" a wait, say).
    public func onSleep(_ body: @escaping @Sendable (TimeInterval) -> Void) {
        lock.withLock { hook = body }
    }

    public func sleep(_ seconds: TimeInterval, isCancelled: () -> Bool) -> Bool {
        if isCancelled() {
            return false
        }
        let after: (@Sendable (TimeInterval) -> Void)? = lock.withLock {
            requested.append(seconds)
            current = current.addingTimeInterval(max(0, seconds))
            return hook
        }
        after?(seconds)
        return !isCancelled()
    }
}
