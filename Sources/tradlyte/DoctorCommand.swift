import ArgumentParser
import Foundation
import TradLyteApp

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the API key, provider, rate limits, database, theme, terminal and locale; say what to fix.")

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            var size = winsize()
            let sized = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0
            let terminal = Doctor.Terminal(
                isTTY: isatty(STDOUT_FILENO) == 1, size: sized ? (Int(size.ws_col), Int(size.ws_row)) : nil)
            let checks = Doctor.checks(env: env, environment: ProcessInfo.processInfo.environment, terminal: terminal)
            for c in checks {
                let level = c.level.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)
                emit("[\(level)] \(c.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(c.detail)")
                if let fix = c.fix { emit("       \(String(repeating: " ", count: 11)) → \(fix)") }
            }
            let verdict = Doctor.verdict(checks)
            emit("\n" + verdict.text)
            if verdict.failed { throw ExitCode(1) }
        }
    }
}
