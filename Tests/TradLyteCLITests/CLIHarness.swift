import Foundation

/// Runs the built `tradlyte` binary with its own TRADLYTE_HOME, like a user in a shell.
final class CLIHarness {
    let home: String
    let binary: String

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    init() throws {
        home = NSTemporaryDirectory() + "tradlyte-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        binary = try Self.locateBinary()
    }

    deinit { try? FileManager.default.removeItem(atPath: home) }

    /// The `tradlyte` executable next to this test bundle (`swift build --build-tests` builds
    /// both into the same directory), or `$TRADLYTE_BIN`.
    static func locateBinary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["TRADLYTE_BIN"] { return explicit }
        var candidates: [String] = []
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("tradlyte").path)
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/tradlyte").path)
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw HarnessError(message: "the tradlyte binary was not found (looked in \(candidates)) — run `swift build` first, or `make test`")
    }

    /// The binary with these arguments, `TRADLYTE_HOME` set to the scratch home.
    private func makeProcess(_ arguments: [String], environment extra: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TRADLYTE_HOME"] = home
        env["NO_COLOR"] = nil  // the test runner may set it; tests that want it say so
        for (k, v) in extra { env[k] = v }
        process.environment = env
        return process
    }

    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let process = makeProcess(arguments, environment: extra)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary without waiting (output discarded), for tests that kill or race it.
    func spawn(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        let process = makeProcess(arguments, environment: extra)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func write(_ name: String, _ text: String) -> String {
        let path = home + "/" + name
        precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
        return path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
