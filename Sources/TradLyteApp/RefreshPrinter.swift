import Foundation
import TradLyteCore
import TradLytePipeline

/// How `tradlyte refresh` shows a refresh on stderr: a progress bar per stage on a terminal,
/// plain timestamped lines otherwise (cron, logs); the run's start, alerts and summary on stdout.
package final class RefreshPrinter {
    let interactive: Bool
    private let elapsed: any MonotonicClock
    private var lastLogged: [String: Int] = [:]
    private var barShown = false
    private let started: UInt64

    package init(interactive: Bool, elapsed: any MonotonicClock = SystemClock()) {
        self.interactive = interactive
        self.elapsed = elapsed
        started = elapsed.uptimeNanoseconds()
    }

    /// Prints one event of `RefreshService.run`.
    package func handle(_ event: RefreshEvent) {
        switch event {
        case .started(let source):
            emit("Refreshing from the \(source)…")
        case .notice(let text):
            line(text)
        case .alert(let alert):
            emit("ALERT \(alert.session) \(alert.message)")
        case .planned(_, let lines):
            line("plan: " + lines.joined(separator: "; "))
        case .pipeline(let event):
            handle(event)
        }
    }

    func handle(_ event: PipelineEvent) {
        switch event {
        case .planned:
            break
        case .stageStarted(let name):
            if !interactive { line("\(name): started") }
        case .progress(let stage, let done, let total, let eta):
            guard total > 0 else { return }
            if interactive {
                let width = 30
                let filled = min(width, width * done / total)
                let etaText = eta.map { $0 > 0 ? " ETA \(PipelinePlan.duration($0))" : "" } ?? ""
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                let label = stage.padding(toLength: 12, withPad: " ", startingAt: 0)
                let text = "\r\(label) [\(bar)] \(done)/\(total)\(etaText)   "
                FileHandle.standardError.write(Data(text.utf8))
                barShown = true
            } else {
                let step = max(1, total / 10)
                if done == total || done - (lastLogged[stage] ?? 0) >= step {
                    lastLogged[stage] = done
                    line("\(stage): \(done)/\(total)")
                }
            }
        case .message(let text):
            line(text)
        case .stageFinished(let record):
            let seconds = record.finishedAt.map { $0.timeIntervalSince(record.startedAt) } ?? 0
            let counts = record.countsText
            let took = "\(record.stage): \(record.status.rawValue) in \(String(format: "%.2f", seconds)) s"
            line(took + (counts.isEmpty ? "" : " (\(counts))") + (record.error.map { " — \($0)" } ?? ""))
        }
    }

    func line(_ text: String) {
        if barShown {
            FileHandle.standardError.write(Data("\n".utf8))
            barShown = false
        }
        let stamp = String(format: "%6.2fs", Double(elapsed.uptimeNanoseconds() - started) / 1e9)
        emitError("[\(stamp)] \(text)")
    }

    /// Ends a progress bar left on the line.
    package func finish() { if barShown { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// Ctrl-C, SIGTERM and SIGHUP during a refresh: the run stops after the call in progress (which
/// is interrupted), commits what it fetched and is recorded as interrupted. A second signal
/// quits at once (the next run's lock takeover records the run). Handled through
/// `DispatchSourceSignal` only: nothing runs in a signal handler.
package final class SignalWatch: @unchecked Sendable {
    // `sources` is written only by `init` and read by `deinit`; `caught` is the shared state.
    private let caught = Locked<String?>(nil)
    private var sources: [DispatchSourceSignal] = []

    package init(cancellation: CancellationFlag) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let first = self.caught.withLock { caught -> Bool in
                    defer { if caught == nil { caught = name } }
                    return caught == nil
                }
                guard first else {
                    emitError("tradlyte: \(name) again — quitting now; the next run records this one as interrupted")
                    _exit(130)
                }
                emitError(
                    "tradlyte: \(name) — stopping after the current call and keeping what was fetched "
                        + "(press Ctrl-C again to quit at once)")
                cancellation.cancel()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// The stop a caught signal asks for (nil: none caught).
    package var request: StopRequest? {
        caught.withLock { $0.map { .interrupt($0) } }
    }
}
