import Foundation
import TermRender
import TradLyteApp
import TradLyteCore
import TradLyteTestSupport

/// A user at the UI, in-process: the real `UIRunner` (its loop, effects on worker threads,
/// redraw policy) on the memory backend. Keys are queued as the terminal would deliver them
/// and `waitFor` steps the loop until the drawn frame shows the text — the tmux journeys'
/// vocabulary without a terminal, a process or a sleep.
final class UIJourney {
    let runner: UIRunner
    let backend: MemoryBackend

    init(env: AppEnvironment, width: Int = 100, height: Int = 30, unicode: Bool = true) throws {
        backend = MemoryBackend(width: width, height: height, unicode: unicode)
        runner = try UIRunner(session: try UISession(env: env, themeFlag: nil), backend: backend, clock: env.clock)
        // A poll with no key returns at once: the loop then ticks, so a wait costs only steps.
        runner.pollMilliseconds = 0
    }

    /// The last frame drawn, as text rows.
    var screen: String { backend.frame?.textRows.joined(separator: "\n") ?? "" }

    /// Types each character as a key press.
    func type(_ text: String) {
        for c in text { backend.input.append(.key(.char(c))) }
        drainInput()
    }

    /// Named keys as keymaps spell them: "enter", "esc", "down", "ctrl-c", "tab".
    func send(_ keys: String...) {
        for spec in keys {
            guard let key = KeyEvent(spec: spec) else { preconditionFailure("no key named \(spec)") }
            backend.input.append(.key(key))
        }
        drainInput()
    }

    /// The terminal changes size (curses reports it as an input event).
    func resize(_ width: Int, _ height: Int) {
        backend.size = (width, height)
        backend.input.append(.resize(width: width, height: height))
        drainInput()
    }

    /// Steps until every queued key has been handled (one key per step, as in the real loop).
    private func drainInput() {
        while !backend.input.isEmpty && runner.step() {}
        runner.draw()
    }

    /// Steps the loop until the drawn frame contains `text`; returns the frame.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 60) throws -> String {
        try waitFor(description: "'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    @discardableResult
    func waitFor(description: String, timeout: Double = 60, _ condition: (String) -> Bool) throws -> String {
        var last = ""
        do {
            try waitUntil(timeout: timeout, description) {
                runner.step()
                runner.draw()
                last = screen
                return condition(last)
            }
        } catch {
            throw TestSupportError(message: "timed out waiting for \(description); the screen was:\n\(last)")
        }
        return last
    }

    /// `q` (and whatever confirmation follows), then the runner's shutdown; true when it quit.
    @discardableResult
    func quit(_ keys: String = "q") -> Bool {
        type(keys)
        return runner.state.quit && runner.shutdown() == nil
    }
}
