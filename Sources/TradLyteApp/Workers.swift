import Dispatch
import TradLyteCore

/// The app's threads for the core's many-item work (scans, sweeps, runs across symbols): the
/// core takes an executor and owns none.
package enum Workers {
    /// Spreads the items over every core with GCD's `concurrentPerform`.
    package static let allCores: BacktestRunner.Executor = { n, body in
        withoutActuallyEscaping(body) { body in
            // Sound: `concurrentPerform` returns only after every item ran, so the closure does
            // not outlive this call, and each item writes only its own result slot (under a
            // `Locked`), which is the executor's contract.
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: n) { box.value($0) }
        }
    }
}

/// Carries a closure into `concurrentPerform`; see `Workers.allCores` for why it is sound.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
