import Foundation

/// The environment every process a test spawns starts from: nothing of the developer's shell
/// (no POLYGON_API_KEY, POLYGON_BASE_URL, TRADLYTE_*, XDG_*, NO_COLOR), only what a test sets
/// on top of PATH, HOME (the test's scratch home), LANG and TERM.
///
/// One exception is passed through on purpose: libfaketime's variables (LD_PRELOAD naming
/// libfaketime, FAKETIME, FAKETIME_*, DONT_FAKE_MONOTONIC), so a process an in-process suite
/// starts during `make test`'s shifted-clock pass sees the same shifted clock as the suite (the
/// CLI suites are not run under it: the binaries take their time from TRADLYTE_NOW).
public enum CleanEnvironment {
    public static func make(home: String, _ extra: [String: String] = [:]) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var env: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
        ]
        for (key, value) in inherited where isFaketime(key, value) {
            env[key] = value
        }
        for (key, value) in extra {
            env[key] = value
        }
        return env
    }

    static func isFaketime(_ key: String, _ value: String) -> Bool {
        if key == "LD_PRELOAD" {
            return value.contains("faketime")
        }
        return key == "FAKETIME" || key.hasPrefix("FAKETIME_") || key == "DONT_FAKE_MONOTONIC"
    }

    /// `KEY=value` strings for posix_spawn.
    public static func strings(_ env: [String: String]) -> [String] {
        env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}
