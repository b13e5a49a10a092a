import Foundation

/// Runs the built `tradlyte` binary with its own TRADLYTE_HOME, like a user in a shell, from a
/// clean environment (`CleanEnvironment`): the developer's key, base URL and settings never leak
/// into a test.
public final class CLIHarness {
    private let directory = TemporaryDirectory(prefix: "tradlyte-cli")
    public let binary: String

    public var home: String {
        directory.path
    }

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public init() throws {
        binary = try Self.locateBinary()
    }

    /// The `tradlyte` executable next to this test bundle (`swift build --build-tests` builds
    /// both into the same directory), or `$TRADLYTE_BIN`.
    public static func locateBinary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["TRADLYTE_BIN"] {
            return explicit
        }
        var candidates: [String] = []
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
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
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw TestSupportError(
            message: "the tradlyte binary was not found (looked in \(candidates)) — "
                + "run `swift build` first, or `make test`")
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
        // stdout through a pipe, stderr into a file: a child that fills one pipe while the
        // test drains the other would block for good.
        let out = Pipe()
        let errPath = NSTemporaryDirectory() + "tradlyte-stderr-\(UUID().uuidString)"
        precondition(FileManager.default.createFile(atPath: errPath, contents: nil), "cannot create \(errPath)")
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try err.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the binary without waiting (output discarded), for tests that kill or race it.
    public func spawn(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        let process = makeProcess(arguments, environment: extra)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        directory.write(name, text)
    }

    /// Fills this home with the demo market as `tradlyte refresh --backfill YEARS` leaves it at
    /// `now` (TRADLYTE_NOW): the database is built once per process for each (now, years) by
    /// the binary itself, then copied — the set-up most CLI tests share, without a refresh each.
    public func seedDemo(now: String, backfillYears years: Int) throws {
        let source = try DemoFixtures.shared.home(binary: binary, now: now, years: years)
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasPrefix("tradlyte.sqlite")
        {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: home + "/" + name)
        }
    }
}

/// The demo databases `seedDemo` copies, built on first use (one at a time per key).
final class DemoFixtures: @unchecked Sendable {
    static let shared = DemoFixtures()
    // `built` and `directories` are guarded by `lock`; a fixture is built while holding it.
    private let lock = NSLock()
    private var built: [String: String] = [:]
    private var directories: [TemporaryDirectory] = []

    func home(binary: String, now: String, years: Int) throws -> String {
        try lock.withLock {
            let key = "\(now) \(years)"
            if let path = built[key] { return path }
            let directory = TemporaryDirectory(prefix: "tradlyte-demo-fixture")
            directories.append(directory)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["refresh", "--backfill", "\(years)"]
            process.environment = CleanEnvironment.make(
                home: directory.path, ["TRADLYTE_HOME": directory.path, "TRADLYTE_NOW": now])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestSupportError(
                    message: "the demo fixture's refresh (\(key)) exited \(process.terminationStatus)")
            }
            built[key] = directory.path
            return directory.path
        }
    }
}

/// What the test support reports when a test cannot be set up or a wait ran out.
public struct TestSupportError: Error, CustomStringConvertible {
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
    throw TestSupportError(message: "timed out after \(timeout) s waiting for \(what)")
}
