import Foundation

/// The built binary running in a detached tmux session on its own server socket: keys go in
/// with send-keys, the screen comes back with capture-pane (see NOTES-swift-linux.md).
/// The tmux server (and so the command) starts from a clean environment (`CleanEnvironment`).
public final class TmuxSession {
    let socket: String
    let name = "main"
    let environment: [String: String]
    static let tmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Starts `command` (already quoted for sh) at the given size in `environment` (a clean one
    /// when nil). The command is followed by `echo EXITED:$?` and a pause so tests can see how
    /// it ended.
    public init(command: String, width: Int = 100, height: Int = 30, environment: [String: String]? = nil) throws {
        self.environment = environment ?? CleanEnvironment.make(home: NSTemporaryDirectory())
        guard TmuxSession.tmux != nil else {
            throw TestSupportError(message: "tmux is not installed — `make test` installs it (apt-get install tmux)")
        }
        socket = "tradlyte-test-\(UUID().uuidString.prefix(8))"
        // The server started here keeps its inherited descriptors: give it none to hold open.
        try tmux(
            [
                "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                "\(command); echo EXITED:$?; sleep 30",
            ], output: false)
    }

    deinit { _ = try? tmux(["kill-server"]) }

    @discardableResult
    public func tmux(_ args: [String], output: Bool = true) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TmuxSession.tmux!)
        p.arguments = ["-L", socket] + args
        p.environment = environment
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        guard output else {
            try Self.spawnDetached([TmuxSession.tmux!, "-L", socket] + args, environment: environment)
            return ""
        }
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends keys as tmux names them ("Enter", "Escape", "Left", "C-c") or literal text.
    /// Runs a command that leaves a daemon behind (tmux's server) with only /dev/null on
    /// 0–2 and every other descriptor closed: Foundation's `Process` learns that a child
    /// exited when its inherited socket closes, which a daemon holding it would prevent —
    /// for this launch and for any other test's launch running at the same time.
    static func spawnDetached(_ argv: [String], environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module hides
        // it (a GNU extension), so look it up at run time.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else {
            let message = "this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34+ needed)"
            throw TestSupportError(message: message)
        }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        // Test threads run with most signals blocked and the mask is inherited: give tmux
        // (and so the UI under it, which needs SIGWINCH) an empty mask and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = CleanEnvironment.strings(environment).map { strdup($0) } + [nil]
        defer {
            for a in cArgs { free(a) }
            for e in cEnv { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw TestSupportError(message: "posix_spawn \(argv[0]) failed: \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw TestSupportError(message: "\(argv.joined(separator: " ")) exited with status \(status)")
        }
    }

    public func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
    }

    /// Esc, then a pause: curses waits briefly after Esc for a following key (an Alt
    /// combination), so a key typed at once would arrive as Alt-key.
    public func escape() throws {
        try send("Escape")
        Thread.sleep(forTimeInterval: 0.2)
    }

    public func capture(colours: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", name] + (colours ? ["-e"] : []))
    }

    public func resize(_ width: Int, _ height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen contains `text` and has stopped changing (a capture can land
    /// in the middle of a frame being drawn, or of typed keys being echoed), then returns it.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 20) throws -> String {
        try waitFor(timeout: timeout, description: "'\(text)'") { $0.contains(text) }
    }

    /// Waits until `condition` holds for the screen and the screen has stopped changing.
    @discardableResult
    public func waitFor(timeout: Double = 20, description: String, _ condition: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = try capture()
            if condition(screen) {
                Thread.sleep(forTimeInterval: 0.08)
                let again = try capture()
                if again == screen { return screen }
                continue
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestSupportError(message: "timed out waiting for \(description); the screen was:\n\(screen)")
    }
}

/// Single-quotes a string for sh.
public func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
