import Foundation
import TradLytePipeline

/// The user's command run after each refresh (`notify_command` in the config).
package enum Notifier {
    /// Runs the configured notify command (argv, no shell, the key removed from its
    /// environment) with the outcome's summary as its last argument, stopped after the
    /// configured timeout. Returns a warning to show when it could not run or finish.
    package static func run(env: AppEnvironment, outcome: RunOutcome) -> String? {
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
        environment["TRADLYTE_RUN_STATUS"] = outcome.status.rawValue
        environment["TRADLYTE_RUN_STAGE"] = outcome.failedStage ?? ""
        environment["TRADLYTE_RUN_ERROR"] = outcome.error ?? ""
        environment["TRADLYTE_RUN_SUMMARY"] = outcome.summary
        environment.removeValue(forKey: "POLYGON_API_KEY")  // the notifier has no business with the key
        process.environment = environment
        do {
            try process.run()
            let deadline = Date().addingTimeInterval(env.config.notifyTimeoutSeconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
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
