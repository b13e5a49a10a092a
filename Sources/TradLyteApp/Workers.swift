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

extension Workers {
    /// `allCores`, reporting each item done to `progress` (done, total): a study's progress for
    /// the API's jobs. `total` is what the whole study will run (a call may run only a part).
    package static func reporting(total: Int, _ progress: @escaping @Sendable (Int, Int) -> Void)
        -> BacktestRunner.Executor
    {
        let done = Locked(0)
        return { n, body in
            allCores(n) { i in
                body(i)
                let count = done.withLock { d -> Int in
                    d += 1
                    return d
                }
                progress(min(count, max(total, count)), max(total, count))
            }
        }
    }
}

/// Carries a closure into `concurrentPerform`; see `Workers.allCores` for why it is sound.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
