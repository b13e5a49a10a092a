import Foundation

/// The host's clocks and a thread sleeper: what the app passes in at its edge. This file and
/// the test support's clocks are the only places that read the host's time
/// (`scripts/check-clock-reads.sh` fails `make test` on any other).
public struct SystemClock: WallClock, MonotonicClock, Sleeper {
    public init() {}

    public func now() -> Date {
        Date()
    }

    public func uptimeNanoseconds() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }

    /// The dispatch deadline `seconds` from now, for a semaphore or group wait.
    public func deadline(after seconds: TimeInterval) -> DispatchTime {
        .now() + seconds
    }

    /// Sleeps in steps of at most 0.1 s so a cancel is seen within a tenth of a second.
    public func sleep(_ seconds: TimeInterval, isCancelled: () -> Bool) -> Bool {
        var slept = 0.0
        while slept < seconds {
            if isCancelled() {
                return false
            }
            let step = min(0.1, seconds - slept)
            Thread.sleep(forTimeInterval: step)
            slept += step
        }
        return !isCancelled()
    }
}
