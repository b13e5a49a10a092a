import Foundation
import TradLyteCore

#if canImport(Glibc)
    import Glibc
#endif

/// Paces calls evenly to a calls-per-minute budget (a token bucket of one token, so bursts
/// never exceed the plan's window) and pauses everyone after a 429's Retry-After.
///
/// With a `stateFile` the schedule is shared by every process that uses the same file (one
/// per key and data directory): the next free slot and the pause live in the file, read and
/// advanced under an exclusive `flock`, so a refresh, the UI's quotes and a concurrent CLI
/// command together stay within the plan. Without one it is per process.
///
/// Time comes from the injected clock and waits go through the injected sleeper, so tests
/// drive it with a manual clock and assert on the waits it asked for.
public final class RateLimiter: Sendable {
    /// The next free call slot and the end of a 429's pause.
    private struct Schedule {
        var next: Date = .distantPast
        var pausedUntil: Date = .distantPast
    }

    private let schedule = Locked(Schedule())
    public let callsPerMinute: Double
    public let stateFile: String?
    private let clock: any WallClock
    private let sleeper: any Sleeper

    public init(callsPerMinute: Double, clock: any WallClock, sleeper: any Sleeper, stateFile: String? = nil) {
        self.callsPerMinute = max(0.01, callsPerMinute)
        self.clock = clock
        self.sleeper = sleeper
        self.stateFile = stateFile
    }

    /// Seconds added to the plan's one-minute window: calls spaced exactly 60/N seconds apart
    /// put N+1 calls within 60 s of each other as soon as one arrives a little late (network
    /// jitter), and the plan's window answers 429. A margin of one second keeps every run of N+1
    /// calls over a minute apart, at a cost of under 2% on the free plan.
    public static let windowMargin: TimeInterval = 1

    public var interval: TimeInterval {
        (60.0 + Self.windowMargin) / callsPerMinute
    }

    /// Seconds to wait for `calls` more calls from now, for ETAs (`tradlyte refresh --dry-run`).
    public func estimatedSeconds(forCalls calls: Int) -> TimeInterval {
        max(0, Double(calls - 1)) * interval
    }

    /// Blocks until this caller may make a call; returns how long it waited.
    @discardableResult
    public func acquire(cancel: CancellationFlag? = nil) throws(HTTPError) -> TimeInterval {
        let (now, slot): (Date, Date) = schedule.withLock { s in
            withSharedState(&s) { s in
                let now = clock.now()
                let start = max(now, s.next, s.pausedUntil)
                s.next = start.addingTimeInterval(interval)
                return (now, start)
            }
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
        schedule.withLock { s in
            withSharedState(&s) { s in
                let until = clock.now().addingTimeInterval(seconds)
                if until > s.pausedUntil {
                    s.pausedUntil = until
                }
                if s.next < s.pausedUntil {
                    s.next = s.pausedUntil
                }
            }
        }
    }

    /// Runs `body` with the schedule merged from the state file and writes it back, all under
    /// the file's exclusive lock. Called with the schedule's lock held. A file that cannot be
    /// opened leaves the limiter per-process (pacing still holds for this process).
    private func withSharedState<T>(_ s: inout Schedule, _ body: (inout Schedule) -> T) -> T {
        guard let path = stateFile else { return body(&s) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return body(&s) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return body(&s) }
        defer { flock(fd, LOCK_UN) }
        var stored = [Double](repeating: 0, count: 2)
        let read = stored.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, 0) }
        if read == 16 {
            s.next = max(s.next, Date(timeIntervalSince1970: stored[0]))
            s.pausedUntil = max(s.pausedUntil, Date(timeIntervalSince1970: stored[1]))
        }
        let result = body(&s)
        stored = [s.next.timeIntervalSince1970, s.pausedUntil.timeIntervalSince1970].map { $0.isFinite ? $0 : 0 }
        _ = stored.withUnsafeBytes { pwrite(fd, $0.baseAddress, 16, 0) }
        return result
    }
}

/// Small facts about the key's plan that outlive a process ("this plan has no snapshots"), so
/// each is learned once; the app keeps them in the store's engine flags.
public struct PlanMemory: Sendable {
    public let recall: @Sendable (String) -> String?
    public let remember: @Sendable (String, String?) -> Void

    public init(
        recall: @escaping @Sendable (String) -> String?,
        remember: @escaping @Sendable (String, String?) -> Void
    ) {
        self.recall = recall
        self.remember = remember
    }
}
