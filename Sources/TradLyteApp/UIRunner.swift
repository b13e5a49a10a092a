import Foundation
import TermCurses
import TermRender
import TradLyteCore
import TradLyteUI

/// The UI's event loop on any terminal backend and clock: ncurses for `tradlyte ui`, the
/// in-memory backend and a manual clock in tests. One `step` drains the background work's
/// events, redraws when the state changed, then waits up to `pollMilliseconds` for a key (a
/// tick when none came). Quitting saves the session's choices and lets a refresh in progress
/// record itself as cancelled.
package final class UIRunner {
    package let session: UISession
    package let backend: any TerminalBackend
    package let clock: any WallClock
    package private(set) var state: AppState
    /// How long one step waits for a key before it ticks.
    package var pollMilliseconds = 100
    /// Frames drawn so far (a frame is drawn only when the state's revision changed).
    package private(set) var frames = 0
    private var drawn = -1
    private let stopRequest = Locked<Bool>(false)

    /// Loads the first state for the backend's size and starts its loads.
    package init(session: UISession, backend: any TerminalBackend, clock: any WallClock) throws {
        self.session = session
        self.backend = backend
        self.clock = clock
        var (state, effects) = try session.start(width: backend.size.width, height: backend.size.height)
        session.run(effects, &state)
        self.state = state
    }

    package var context: Screens.Context {
        Screens.Context(theme: session.theme, glyphs: backend.unicode ? .unicode : .ascii)
    }

    /// Asks the loop to quit at its next step (a signal's handler; any thread).
    package func requestStop() {
        stopRequest.withLock { $0 = true }
    }

    /// One turn of the loop; false once the UI has quit.
    @discardableResult
    package func step() -> Bool {
        if stopRequest.withLock({ $0 }) { state.quit = true }
        guard !state.quit else { return false }
        for event in session.inbox.drain() { session.run(App.update(&state, event), &state) }
        draw()
        if let input = backend.poll(timeoutMilliseconds: pollMilliseconds) {
            session.run(App.update(&state, .input(input)), &state)
        } else {
            session.run(App.update(&state, .tick(clock.now())), &state)
        }
        return !state.quit
    }

    /// Draws the state if it changed since the last frame.
    package func draw() {
        guard state.revision != drawn else { return }
        backend.flush(Screens.render(state, context))
        drawn = state.revision
        frames += 1
    }

    /// Steps until the UI quits, then shuts down (`shutdown`); returns a warning to show after
    /// the terminal is restored, if any.
    package func run() -> String? {
        while step() {}
        return shutdown()
    }

    /// Saves the session's choices, and lets a refresh still running end and record itself
    /// (cancelled, what it fetched kept) before the process does: the cancel interrupts any
    /// wait, so this is short; after `refreshGrace` seconds the next run's lock takeover
    /// records it instead.
    package func shutdown(refreshGrace: TimeInterval = 15) -> String? {
        var warning: String?
        do { try session.remember(state) } catch {
            warning = "tradlyte: warning: the UI's state was not saved: \(error)"
        }
        if state.refresh?.running == true {
            session.refreshCancel.cancel()
            backend.flush(Screens.render(state, context))
            _ = session.refreshes.wait(timeout: SystemClock().deadline(after: refreshGrace))
            for event in session.inbox.drain() { _ = App.update(&state, event) }
        }
        return warning
    }
}

/// `tradlyte ui`: the terminal UI on ncurses.
package enum TerminalUI {
    /// Runs the UI until the user quits (or SIGTERM, SIGHUP, SIGINT arrive: handled through
    /// dispatch sources, so the loop quits cleanly and the terminal is restored by the normal
    /// path). Returns the exit code: 0, or 130 when a signal ended it (as `tradlyte refresh`).
    package static func run(theme: String?, ascii: Bool) throws -> Int32 {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw AppError.badInput(
                "the UI needs a terminal on stdin and stdout — use `tradlyte render SCREEN` for text output")
        }
        let env = try AppEnvironment.load()
        let session = try UISession(env: env, themeFlag: theme)
        let processEnv = ProcessInfo.processInfo.environment
        let noColor = !(processEnv["NO_COLOR"] ?? "").isEmpty
        let terminal: CursesTerminal
        do { terminal = try CursesTerminal(forceASCII: ascii, noColor: noColor, environment: processEnv) } catch {
            throw AppError.failure("\(error)")
        }
        // Said after the terminal is restored (a warning under curses would be wiped).
        var leaving: String?
        defer {
            terminal.stop()
            if let leaving { emitError(leaving) }
        }
        let runner = try UIRunner(session: session, backend: terminal, clock: env.clock)
        let caught = Locked<Int32>(0)
        var sources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGHUP, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                caught.withLock { if $0 == 0 { $0 = number } }
                runner.requestStop()
            }
            source.resume()
            sources.append(source)
        }
        defer { for source in sources { source.cancel() } }
        leaving = runner.run()
        return caught.withLock { $0 } == 0 ? 0 : 130
    }
}
