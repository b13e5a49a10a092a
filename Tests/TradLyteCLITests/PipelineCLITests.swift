import Foundation
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// `tradlyte refresh` end to end: crash safety under kill -9, the single-instance lock,
/// read-only and full disks, alerts and the failure notifier.
@Suite(.serialized) struct PipelineCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z", "POLYGON_API_KEY": ""]

    func digest(_ home: String) throws -> [String] {
        let store = try MarketStore(path: home + "/tradlyte.sqlite")
        var lines: [String] = []
        for info in try store.symbols() {
            lines.append("S \(info.symbol) \(info.active) \(info.marketCap ?? 0)")
            if let w = try store.watermark(info.symbol) {
                lines.append("W \(w.firstSession) \(w.latestSession) \(w.rows)")
            }
            for b in try store.dailyBars(info.symbol) { lines.append("D \(b)") }
        }
        return lines
    }

    @Test func killedRunsResumeToExactlyTheUninterruptedDatabase() throws {
        let reference = try CLIHarness()
        let done = try reference.run(["refresh", "--backfill", "2"], environment: Self.env)
        #expect(done.status == 0, "\(done.stderr)")
        let expected = try digest(reference.home)
        #expect(expected.count > 20_000)
        // Killed at points of the run's own log (a condition, not a delay: on a fast machine a
        // delay lands after the run ended and tests nothing), each resumed by the next run.
        let points = ["plan:", "fetch_ohlcv: started", "fetch_ohlcv: succeeded", "scan: started", "alerts: started"]
        var landed = 0
        for point in points {
            let cli = try CLIHarness()
            let child = try cli.child(["refresh", "--backfill", "2"], environment: Self.env)
            let seen = try child.waitForOutput { $0.contains(point) }
            #expect(seen, "the run never logged '\(point)': \(child.output)")
            // A `ChildProcess` is reaped only by `wait`: the PID is still its own here.
            if !child.hasExited {
                child.signal(SIGKILL)
                landed += 1
            }
            child.wait()
            let resumed = try cli.run(["refresh", "--backfill", "2"], environment: Self.env)
            #expect(resumed.status == 0, "after a kill at '\(point)': \(resumed.stderr)")
            #expect(try digest(cli.home) == expected, "after a kill at '\(point)'")
        }
        // The run cannot outpace the test by the first points: their kills land while it runs.
        #expect(landed >= 2)
    }

    @Test func aSecondRefreshSaysWhoHoldsTheLockAndExitsThree() throws {
        let cli = try CLIHarness()
        let first = try cli.spawn(["refresh"], environment: Self.env)
        // Wait until the first run holds the lock (its pid is in the lock file).
        try waitUntil("the first refresh to take the lock") {
            let holder = (try? String(contentsOfFile: cli.home + "/tradlyte.lock", encoding: .utf8)) ?? ""
            return holder.contains("pid \(first.processIdentifier),")
        }
        let second = try cli.run(["refresh"], environment: Self.env)
        first.waitUntilExit()
        #expect(second.status == 3, "\(second.stderr)")
        #expect(second.stderr.contains("a refresh is already running (pid \(first.processIdentifier)"))
        #expect(first.terminationStatus == 0)
        // The lock is free again, and a lock left by a killed process is taken over.
        #expect(try cli.run(["refresh", "--if-stale"], environment: Self.env).stdout.contains("Up to date"))
    }

    @Test func dryRunShowsThePlanAndChangesNothing() throws {
        let cli = try CLIHarness()
        let plan = try cli.run(["refresh", "--dry-run"], environment: Self.env)
        #expect(plan.status == 0)
        // The demo market's ten years (a real provider's default is five).
        #expect(plan.stdout.contains("Grouped daily: 2514 sessions (2026-11-25 back to 2016-11-25)"))
        #expect(plan.stdout.contains("ETA"))
        let exists = FileManager.default.fileExists(atPath: cli.home + "/tradlyte.sqlite")
        let empty = exists ? try digest(cli.home).isEmpty : true
        #expect(empty)
        let free = try cli.run(
            ["refresh", "--dry-run", "--symbols", "ACME,TERA"],
            environment: Self.env.merging(["POLYGON_API_KEY": "k", "POLYGON_BASE_URL": "http://127.0.0.1:9"]) { $1 })
        #expect(free.stdout.contains("Range: ACME") && free.stdout.contains("at 5 calls/min; ETA"))
    }

    @Test func alertsAreAddedFiredListedAndRead() throws {
        let cli = try CLIHarness()
        #expect(
            try cli.run(["alerts", "add", "price_above", "ACME", "--value", "1"], environment: Self.env).status == 0)
        #expect(
            try cli.run(["alerts", "add", "strategy_trigger", "--strategy", "nope"], environment: Self.env).status == 2)
        let refresh = try cli.run(["refresh", "--backfill", "1"], environment: Self.env)
        #expect(refresh.stdout.contains("ALERT 2026-11-25 ACME closed at"))
        let list = try cli.run(["alerts", "list", "--unread"], environment: Self.env)
        #expect(list.stdout.contains("NEW") && list.stdout.contains("ACME"))
        #expect(try cli.run(["alerts", "read"], environment: Self.env).stdout.contains("Marked 1 alert read"))
        #expect(try cli.run(["alerts", "list", "--unread"], environment: Self.env).stdout.contains("No unread alerts"))
        let status = try cli.run(["runs", "--last", "1", "--json"], environment: Self.env)
        let runs = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [[String: Any]]
        #expect(runs.first?["status"] as? String == "succeeded")
    }

    @Test func aFailedRunCallsTheNotifierAndExitsOne() throws {
        let cli = try CLIHarness()
        let marker = cli.home + "/notified.txt"
        let script = cli.write(
            "notify.sh",
            "#!/bin/sh\nprintf '%s|%s|%s' \"$TRADLYTE_RUN_STATUS\" \"$TRADLYTE_RUN_STAGE\" \"$1\" > \(marker)\n")
        chmod(script, 0o755)
        _ = cli.write("config.json", #"{"notify_command": ["\#(script)"], "retries": 0}"#)
        // Polygon at a port nothing listens on: the fetch stage fails after its retries.
        let env = Self.env.merging(["POLYGON_API_KEY": "k", "POLYGON_BASE_URL": "http://127.0.0.1:9"]) { $1 }
        let result = try cli.run(["refresh", "--symbols", "ACME"], environment: env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("fetch_ohlcv failed") && result.stderr.contains("cannot connect"))
        let note = try String(contentsOfFile: marker, encoding: .utf8)
        #expect(note.hasPrefix("failed|fetch_ohlcv|refresh failed in fetch_ohlcv"))
        #expect(!note.contains("POLYGON"))
    }

    static let isRoot = getuid() == 0

    /// Disks filling at six points of a five-year backfill (issue 23: at three of six sizes the
    /// failed run was left `running`): the run records its own failure every time.
    @Test(
        .enabled(if: isRoot, "mounting a small tmpfs needs root"), arguments: [768, 1_024, 1_536, 2_304, 3_072, 4_608])
    func aFullDiskAtAnySizeIsRecordedFailedByTheRunItself(kilobytes: Int) throws {
        let cli = try CLIHarness()
        let mountPoint = cli.home + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard Self.sh("mount -t tmpfs -o size=\(kilobytes)k tmpfs \(mountPoint)") == 0 else {
            Issue.record("mount failed: the disk-full test needs a tmpfs")
            return
        }
        defer { _ = Self.sh("umount -l \(mountPoint)") }
        let env = Self.env.merging(["TRADLYTE_HOME": mountPoint]) { $1 }
        let full = try cli.run(["refresh", "--backfill", "5"], environment: env)
        #expect(full.status == 1, "\(kilobytes) KB: \(full.stdout)")
        #expect(full.stderr.contains("is full"), "\(kilobytes) KB: \(full.stderr)")
        guard FileManager.default.fileExists(atPath: mountPoint + "/tradlyte.sqlite") else { return }
        let store = try MarketStore(path: mountPoint + "/tradlyte.sqlite")
        #expect(try store.quickCheck() == "ok")
        // Either no run began (too little room even to start) or the run recorded `failed` itself.
        let runs = try store.runs(last: 5)
        #expect(runs.allSatisfy { $0.status == .failed }, "\(kilobytes) KB: \(runs.map(\.status))")
        #expect(!FileManager.default.fileExists(atPath: mountPoint + "/tradlyte.sqlite-reserve"))
    }

    static func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test(.enabled(if: isRoot, "mounting a small tmpfs needs root"))
    func aFullDiskAndAReadOnlyDiskEndWithAClearMessageAndAConsistentDatabase() throws {
        let cli = try CLIHarness()
        let mountPoint = cli.home + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        func sh(_ args: [String]) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", args.joined(separator: " ")]
            try? p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        guard sh(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", mountPoint]) == 0 else {
            Issue.record("mount failed: the disk-full test needs a tmpfs")
            return
        }
        defer { _ = sh(["umount", "-l", mountPoint]) }
        let env = Self.env.merging(["TRADLYTE_HOME": mountPoint]) { $1 }
        let full = try cli.run(["refresh", "--backfill", "5"], environment: env)
        #expect(full.status == 1, "\(full.stdout)")
        #expect(full.stderr.contains("is full"), "\(full.stderr)")
        do {
            let store = try MarketStore(path: mountPoint + "/tradlyte.sqlite")
            #expect(try store.quickCheck() == "ok")
            #expect(try store.runs(last: 1).first?.status == .failed)
        }  // closed before the remount
        // Read-only: remount and try again.
        #expect(sh(["mount", "-o", "remount,ro", mountPoint]) == 0)
        let ro = try cli.run(["refresh"], environment: env)
        #expect(ro.status != 0)
        #expect(ro.stderr.contains("read-only"), "\(ro.stderr)")
    }
}
