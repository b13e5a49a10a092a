import Foundation
import TradLyteCore

/// The user's command run when a refresh fails (`notify_command` in the config), whoever
/// started it: `RefreshService` calls it for the CLI, the UI and `auto_refresh` alike.
package enum Notifier {
    /// What the command is told, as its last argument and `TRADLYTE_RUN_*` variables.
    package struct Report: Sendable {
        package var runID: Int64?
        package var status: String
        package var stage: String?
        package var error: String?
        package var summary: String
    }

    /// Runs the configured notify command (argv, no shell, the key removed from its
    /// environment) with the outcome's summary as its last argument, stopped after the
    /// configured timeout. Returns a warning to show when it could not run or finish.
    package static func run(env: AppEnvironment, report outcome: Report) -> String? {
        guard let argv = env.config.notifyCommand, let executable = argv.first else { return nil }
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(argv.dropFirst()) + [outcome.summary]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv + [outcome.summary]
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TRADLYTE_RUN_ID"] = outcome.runID.map(String.init) ?? ""
        environment["TRADLYTE_RUN_STATUS"] = outcome.status
        environment["TRADLYTE_RUN_STAGE"] = outcome.stage ?? ""
        environment["TRADLYTE_RUN_ERROR"] = outcome.error ?? ""
        environment["TRADLYTE_RUN_SUMMARY"] = outcome.summary
        environment.removeValue(forKey: "POLYGON_API_KEY")  // the notifier has no business with the key
        process.environment = environment
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try process.run()
            let deadline = SystemClock().deadline(after: env.config.notifyTimeoutSeconds)
            if ended.wait(timeout: deadline) == .timedOut {
                process.terminate()
                let limit = Int(env.config.notifyTimeoutSeconds)
                return "notify_command did not finish within \(limit) s and was stopped"
            }
        } catch {
            return "cannot run notify_command \(executable): \(error.localizedDescription)"
        }
        return nil
    }
}
