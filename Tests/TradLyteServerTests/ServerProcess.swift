import Foundation
import TradLyteCore
import TradLyteTestSupport

/// The built `tradlyte serve` on a free port (`--port 0`; the port is read from its first line),
/// in a home of its own, with a known token; stopped with SIGTERM by the test.
final class ServerProcess {
    static let token = "binary-test-token-" + String(repeating: "z", count: 30)
    let cli: CLIHarness
    let process: ChildProcess
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    init(cli: CLIHarness, arguments: [String] = ["--no-schedule"], environment extra: [String: String] = [:]) throws {
        self.cli = cli
        let env = cli.environment(["TRADLYTE_API_TOKEN": Self.token].merging(extra) { $1 })
        process = try ChildProcess(cli.binary, ["serve", "--port", "0"] + arguments, environment: env)
        var found: Int?
        let started = try process.waitForOutput(timeout: 120) { output in
            guard let range = output.range(of: "TradLyte API on http://127.0.0.1:") else { return false }
            found = Int(output[range.upperBound...].prefix { $0.isNumber })
            return found != nil
        }
        guard started, let found else {
            throw TestSupportError(message: "tradlyte serve did not start: \(process.output)")
        }
        port = found
    }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        process.signal(SIGTERM)
        return process.wait()
    }

    deinit {
        if !process.hasExited {
            process.signal(SIGKILL)
            _ = process.wait()
        }
    }

    /// `curl` against the server: the status, and the body.
    func curl(_ arguments: [String], token: String? = ServerProcess.token) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        process.arguments = args + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}
