/// A flag another thread sets to stop work in flight: a transfer, a backoff wait, a refresh, a
/// sweep's remaining backtests.
public final class CancellationFlag: Sendable {
    private let value = Locked(false)

    public init() {}

    public func cancel() {
        value.withLock { $0 = true }
    }

    /// Clears a cancel, for the next run that shares the flag.
    public func reset() {
        value.withLock { $0 = false }
    }

    public var isCancelled: Bool {
        value.withLock { $0 }
    }
}
