import Foundation
import TradLyteCore

/// `tradlyte-bench serve`: the release `tradlyte serve` under wrk (64 connections, loopback) for
/// a cached quote, 2,500 daily bars, 13-session bars and a golden-cross backtest, beside the
/// original design's stack — FastAPI on uvicorn (scripts/bench_fastapi.py) serving the same
/// reads from the same SQLite file — in the same run; requests/s, p50/p99 and the server's peak
/// resident memory.
enum ServeBench {
    static let token = "bench-token-" + String(repeating: "b", count: 32)
    static let seconds = 10

    struct WrkResult {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var errors: Int
    }

    static func run() {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tradlyte").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            report([
                "benchmark": "serve", "pass": NSNull(),
                "note": "build the release CLI first: swift build -c release --product tradlyte (make bench does)",
            ])
            return
        }
        guard let wrk = which("wrk") else {
            report(["benchmark": "serve", "pass": NSNull(), "note": "wrk is missing: apt-get install wrk"])
            return
        }
        let dir = NSTemporaryDirectory() + "tradlyte-bench-serve-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var env = ProcessInfo.processInfo.environment
        env["TRADLYTE_HOME"] = dir
        env["TRADLYTE_NOW"] = "2026-11-25T23:00:00Z"
        env["TRADLYTE_API_TOKEN"] = token
        env.removeValue(forKey: "POLYGON_API_KEY")
        // Ten years of the demo market (2,500 daily bars a symbol); limits out of the way.
        let config = #"{"api_rate_per_second": 10000000, "api_concurrency": 100000, "provider": "demo"}"#
        FileManager.default.createFile(atPath: dir + "/config.json", contents: Data(config.utf8))
        guard runQuietly(exe, ["refresh", "--backfill", "10"], env: env) == 0 else {
            report(["benchmark": "serve", "pass": NSNull(), "note": "the demo refresh failed"])
            return
        }
        let sessions = TradingCalendar.nyse.sessions.map { String($0.yyyymmdd) }.joined(separator: "\n")
        FileManager.default.createFile(atPath: dir + "/sessions.txt", contents: Data(sessions.utf8))
        let post = dir + "/backtest.lua"
        let body = #"{"strategy": "golden_cross", "symbol": "ACME"}"#
        let lua = "wrk.method = \"POST\"\nwrk.body = '\(body)'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        FileManager.default.createFile(atPath: post, contents: Data(lua.utf8))

        // Ours.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: exe)
        server.arguments = ["serve", "--port", "0", "--no-schedule"]
        server.environment = env
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        guard (try? server.run()) != nil, let port = readPort(out) else {
            report(["benchmark": "serve", "pass": NSNull(), "note": "tradlyte serve did not start"])
            return
        }
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        let cases: [(name: String, path: String, lua: String?, target: Double, p99: Double?)] = [
            ("serve_cached_quote", "/v1/quotes/ACME", nil, 20_000, 10),
            ("serve_daily_bars_2500", "/v1/bars/ACME?interval=1", nil, 5_000, nil),
            ("serve_13_session_bars", "/v1/bars/ACME?interval=13", nil, 5_000, nil),
            ("serve_golden_cross_backtest", "/v1/backtests", post, 2_000, nil),
        ]
        var ours: [String: WrkResult] = [:]
        for c in cases {
            _ = wrkRun(wrk, base + c.path, lua: c.lua, seconds: 2)  // warm the caches and the connections
            ours[c.name] = wrkRun(wrk, base + c.path, lua: c.lua, seconds: seconds)
        }
        let rss = peakResident(server.processIdentifier)
        let dailyBytes = bodySize(base + "/v1/bars/ACME?interval=1")

        // The peer, on the same file.
        var peerResults: [String: WrkResult] = [:]
        var peerNote = "FastAPI on uvicorn, 2 workers (scripts/bench_fastapi.py)"
        let peerPort = port + 1
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts").path
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.arguments = [
            "python3", "-m", "uvicorn", "bench_fastapi:app", "--app-dir", script, "--host", "127.0.0.1", "--port",
            "\(peerPort)", "--workers", "2", "--no-access-log", "--log-level", "warning",
        ]
        var peerEnv = env
        peerEnv["TRADLYTE_DB"] = dir + "/tradlyte.sqlite"
        peerEnv["TRADLYTE_SESSIONS"] = dir + "/sessions.txt"
        peer.environment = peerEnv
        peer.standardOutput = FileHandle.nullDevice
        peer.standardError = FileHandle.nullDevice
        if (try? peer.run()) != nil, waitFor("http://127.0.0.1:\(peerPort)/v1/quotes/ACME") {
            for c in cases where c.lua == nil {
                let url = "http://127.0.0.1:\(peerPort)" + c.path
                _ = wrkRun(wrk, url, lua: nil, seconds: 2)
                peerResults[c.name] = wrkRun(wrk, url, lua: nil, seconds: seconds)
            }
            peer.terminate()
            peer.waitUntilExit()
        } else {
            peerNote = "the peer did not start: pip install fastapi uvicorn"
        }

        for c in cases {
            guard let r = ours[c.name] else {
                report(["benchmark": c.name, "pass": false, "note": "wrk gave no result"])
                continue
            }
            var fields: [String: Any] = [
                "benchmark": c.name, "connections": 64, "seconds": seconds,
                "requests_per_s": rounded(r.requestsPerSecond, 0), "p50_ms": rounded(r.p50, 3),
                "p99_ms": rounded(r.p99, 3), "errors": r.errors, "target_requests_per_s": c.target,
            ]
            var pass = r.requestsPerSecond >= c.target && r.errors == 0
            if let p99 = c.p99 {
                fields["target_p99_ms"] = p99
                pass = pass && r.p99 <= p99
            }
            if let p = peerResults[c.name] {
                let ratio = r.requestsPerSecond / max(p.requestsPerSecond, 1e-9)
                fields["peer"] = peerNote
                fields["peer_requests_per_s"] = rounded(p.requestsPerSecond, 0)
                fields["peer_p50_ms"] = rounded(p.p50, 3)
                fields["peer_p99_ms"] = rounded(p.p99, 3)
                fields["times_peer"] = rounded(ratio, 1)
                pass = pass && ratio >= 10
            } else if c.lua == nil {
                fields["peer"] = peerNote
            } else {
                fields["peer"] = "none: the original design's peer serves reads only"
            }
            if c.name == "serve_daily_bars_2500" { fields["body_bytes"] = dailyBytes }
            fields["pass"] = pass
            report(fields)
        }
        report([
            "benchmark": "serve_peak_resident_memory", "bytes": rss, "target_bytes": 250 << 20,
            "pass": rss > 0 && rss <= 250 << 20,
        ])
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func runQuietly(_ exe: String, _ args: [String], env: [String: String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// The port from the server's first line ("TradLyte API on http://127.0.0.1:PORT …").
    static func readPort(_ pipe: Pipe) -> Int? {
        var text = ""
        while !text.contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func curl(_ url: String, output: String = "/dev/null") -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "curl", "-s", "-o", output, "-w", "%{http_code} %{size_download}", "-H", "Authorization: Bearer \(token)",
            url,
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return (-1, "") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func waitFor(_ url: String) -> Bool {
        for _ in 0..<100 {
            if curl(url).1.hasPrefix("200") { return true }
            usleep(100_000)
        }
        return false
    }

    static func bodySize(_ url: String) -> Int {
        Int(curl(url).1.split(separator: " ").last ?? "") ?? 0
    }

    /// One wrk run: 2 threads, 64 connections, the token; requests/s, p50 and p99 in ms.
    static func wrkRun(_ wrk: String, _ url: String, lua: String?, seconds: Int) -> WrkResult? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrk)
        var args = ["-t2", "-c64", "-d\(seconds)s", "--latency", "-H", "Authorization: Bearer \(token)"]
        if let lua { args += ["-s", lua] }
        p.arguments = args + [url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        func millis(_ label: String) -> Double? {
            guard
                let line = text.split(separator: "\n").first(where: {
                    $0.trimmingCharacters(in: .whitespaces).hasPrefix(label)
                })
            else { return nil }
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            let number = Double(value.prefix { $0.isNumber || $0 == "." }) ?? .nan
            if value.hasSuffix("us") { return number / 1000 }
            if value.hasSuffix("ms") { return number }
            if value.hasSuffix("s") { return number * 1000 }
            return nil
        }
        guard let rpsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rps = Double(rpsLine.split(separator: " ").last ?? "")
        else { return nil }
        var errors = 0
        if let line = text.split(separator: "\n").first(where: { $0.contains("Non-2xx or 3xx responses:") }) {
            errors += Int(line.split(separator: " ").last ?? "") ?? 0
        }
        if let line = text.split(separator: "\n").first(where: { $0.contains("Socket errors:") }) {
            // "connect 0, read 0, write 0, timeout 0"
            errors += line.split(separator: ",").compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        return WrkResult(requestsPerSecond: rps, p50: millis("50%") ?? .nan, p99: millis("99%") ?? .nan, errors: errors)
    }

    static func peakResident(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = line.split(separator: " ").compactMap({ Int($0) }).first
        else { return 0 }
        return kb * 1024
    }
}
