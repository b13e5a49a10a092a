import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child started with `posix_spawn` and reaped only by `wait()`: until then its PID stays
/// its own (a zombie at worst), so `signal(_:)` can never reach another test's process — which
/// Foundation's `Process`, reaping in the background, cannot promise. Its stdout and stderr go
/// to one file, read while it runs (`waitForOutput`) to act at a precise point of its work.
public final class ChildProcess {
    public let pid: pid_t
    public let outputPath: String
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        outputPath = NSTemporaryDirectory() + "tradlyte-child-\(UUID().uuidString).log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw TestSupportError(message: "posix_spawn \(executable) failed: \(String(cString: strerror(result)))")
        }
        pid = child
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = wait()
        }
        unlink(outputPath)
    }

    /// What the child has printed so far (stdout and stderr interleaved).
    public var output: String {
        String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }

    /// Whether the child has exited (it is reaped here when it has).
    public var hasExited: Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return false }
        status = Self.decode(raw)
        return true
    }

    /// Sends `signal` unless the child was already reaped (a zombie still owns its PID).
    public func signal(_ signal: Int32) {
        guard status == nil else { return }
        kill(pid, signal)
    }

    /// Waits for the child and returns its exit code (128 + N when signal N ended it).
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(raw)
        status = decoded
        return decoded
    }

    /// Polls the output until `condition` holds (true) or the child exits first (false).
    public func waitForOutput(timeout: Double = 120, _ condition: (String) -> Bool) throws -> Bool {
        var matched = false
        try waitUntil(timeout: timeout, "the child's output") {
            if condition(output) {
                matched = true
                return true
            }
            return hasExited
        }
        return matched || condition(output)
    }

    private static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }
}

extension CLIHarness {
    /// Starts the binary as a `ChildProcess` in this harness's clean environment.
    public func child(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(binary, arguments, environment: environment(extra))
    }
}
