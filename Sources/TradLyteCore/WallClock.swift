import Foundation

/// "Now", injected: the program's edge passes the system clock (or a pinned one), tests pass a
/// manual clock. Nothing below the edge reads the host's clock itself.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// Elapsed time, injected: durations, ETAs and batching windows read a clock that never steps
/// (the system's monotonic clock at the edge, a manual one in tests).
public protocol MonotonicClock: Sendable {
    /// Nanoseconds since an arbitrary fixed origin; only differences mean anything.
    func uptimeNanoseconds() -> UInt64
}

/// Waiting, injected alongside the clock: the real sleeper blocks the thread, a manual clock
/// advances its own time and returns at once, so pacing and backoff run in no real time.
public protocol Sleeper: Sendable {
    /// Waits `seconds`; returns false, early, once `isCancelled` answers true.
    func sleep(_ seconds: TimeInterval, isCancelled: () -> Bool) -> Bool
}

/// A clock that always says the same instant (`TRADLYTE_NOW`, reproducible demos).
public struct FixedClock: WallClock {
    public let instant: Date

    public init(_ instant: Date) {
        self.instant = instant
    }

    public func now() -> Date {
        instant
    }
}
