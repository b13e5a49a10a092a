import Foundation
import TradLyteCore

/// The host's clock and a thread sleeper: what the executables pass in at their edge.
public struct SystemClock: WallClock, Sleeper {
    public init() {}

    public func now() -> Date {
        Date()
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
