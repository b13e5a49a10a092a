import Foundation

/// A value shared between threads, reachable only while its lock is held.
public final class Locked<Value>: @unchecked Sendable {
    // Sendable by construction: `value` is private and every access goes through `withLock`.
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
