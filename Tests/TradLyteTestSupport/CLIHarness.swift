import Foundation

/// Runs the built `tradlyte` binary with its own TRADLYTE_HOME, like a user in a shell, from a
/// clean environment (`CleanEnvironment`): the developer's key, base URL and settings never leak
/// into a test.
public final class CLIHarness {
    public let home: String
    public let binary: String

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public init() throws {
        home = NSTemporaryDirectory() + "tradlyte-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        binary = try Self.locateBinary()
    }

    deinit { try? FileManager.default.removeItem(atPath: home) }

    /// The `tradlyte` executable next to this test bundle (`swift build --build-tests` builds
    /// both into the same directory), or `$TRADLYTE_BIN`.
    public static func locateBinary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["TRADLYTE_BIN"] { return explicit }
        var candidates: [String] = []
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("tradlyte").path)
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/tradlyte").path)
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw HarnessError(message: "the tradlyte binary was not found (looked in \(candidates)) — run `swift build` first, or `make test`")
    }

    /// The clean environment with `TRADLYTE_HOME` set to the scratch home, plus `extra`.
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        CleanEnvironment.make(home: home, ["TRADLYTE_HOME": home].merging(extra) { $1 })
    }

    /// The binary with these arguments in the clean environment.
    private func makeProcess(_ arguments: [String], environment extra: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment(extra)
        return process
    }

    @discardableResult
    public func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let process = makeProcess(arguments, environment: extra)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes at once before waiting: a child filling one pipe while the other is
        // being drained would block for good.
        let errBox = Locked(Data())
        let reader = Thread {
            errBox.set(err.fileHandleForReading.readDataToEndOfFile())
        }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        while !reader.isFinished {
            Thread.sleep(forTimeInterval: 0.001)
        }
        let errData = errBox.get()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary without waiting, for tests that kill or race it. Its output goes to
    /// `log` (a file in the home, for tests that wait for a line) or is discarded.
    public func spawn(_ arguments: [String], environment extra: [String: String] = [:], log: String? = nil) throws -> Process {
        let process = makeProcess(arguments, environment: extra)
        if let log {
            let path = home + "/" + log
            FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// What a spawned process has written to `log` so far.
    public func read(_ log: String) -> String {
        (try? String(contentsOfFile: home + "/" + log, encoding: .utf8)) ?? ""
    }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let path = home + "/" + name
        precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
        return path
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String {
        message
    }
}

/// Polls `condition` until it holds, failing after `timeout` seconds (a generous deadline on
/// the monotonic clock: the condition, not the time, is what a test asserts).
public func waitUntil(timeout: Double = 30, _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while ContinuousClock.now < deadline {
        if try condition() {
            return
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    throw HarnessError(message: "timed out after \(timeout) s waiting for \(what)")
}

/// A value shared between threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func get() -> Value {
        lock.withLock { value }
    }

    func set(_ newValue: Value) {
        lock.withLock { value = newValue }
    }
}
