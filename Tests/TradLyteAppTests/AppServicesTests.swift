import Foundation
import TermRender
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import TradLyteUI

/// Issue 25: every flow through one app service, whoever starts it.
@Suite(.serialized) struct AppServicesTests {
    static let now = "2026-11-25T23:00:00Z"

    /// `notify_command` fired for the UI's refresh too (only `tradlyte refresh` called it before),
    /// with the failed stage and summary, and without the key in its environment.
    @Test func notifyCommandFiresForAFailedRefreshStartedInTheUI() throws {
        let dir = TemporaryDirectory()
        let marker = dir.path + "/notified.txt"
        let script = dir.write(
            "notify.sh",
            "#!/bin/sh\nprintf '%s|%s|%s|%s' \"$TRADLYTE_RUN_STATUS\" \"$TRADLYTE_RUN_STAGE\" \"$POLYGON_API_KEY\" "
                + "\"$1\" > \(marker)\n")
        chmod(script, 0o755)
        dir.write("config.json", #"{"notify_command": ["\#(script)"], "retries": 0, "watchlist": ["ACME"]}"#)
        // Polygon at a port nothing listens on: the fetch stage fails at once.
        let env = try AppEnvironment.load([
            "TRADLYTE_HOME": dir.path, "HOME": dir.path, "TRADLYTE_NOW": Self.now,
            "POLYGON_API_KEY": "secret-key", "POLYGON_BASE_URL": "http://127.0.0.1:9",
        ])
        var finished: (summary: String, failed: Bool)?
        UISession.refresh(
            env: env,
            post: { event in
                if case .refreshFinished(let summary, let failed, _) = event { finished = (summary, failed) }
            }, cancellation: CancellationFlag())
        let ended = try #require(finished)
        #expect(ended.failed && ended.summary.contains("failed in fetch_ohlcv"), "\(ended.summary)")
        let note = try String(contentsOfFile: marker, encoding: .utf8)
        #expect(note.hasPrefix("failed|fetch_ohlcv||refresh failed in fetch_ohlcv"), "\(note)")
        // The same run through the service says so too: exit code 1 and the stage.
        let again = RefreshService(env: env).run(RefreshRequest(trigger: .cli), events: { _ in })
        #expect(again.exitCode == 1 && again.error?.hasPrefix("fetch_ohlcv failed") == true)
        #expect(again.outcome?.status == .failed)
    }

    /// A refresh that finds another holding the lock ends with exit code 3 and runs nothing.
    @Test func aRefreshWhileAnotherHoldsTheLockEndsWithCodeThree() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir, now: Self.now)
        let held = try RunLock(directory: env.dataDirectory, trigger: "cli", at: env.now())
        let result = RefreshService(env: env).run(RefreshRequest(trigger: .tui), events: { _ in })
        withExtendedLifetime(held) {}
        #expect(result.exitCode == 3 && result.outcome == nil)
        #expect(result.summary.contains("already running (pid \(getpid()), cli refresh started 2026-11-25T23:00"))
    }

    /// One scan setting: the refresh's scan stage, `tradlyte scan` (its service) and the UI's
    /// rescan store the same picks — `scan_top` of them per strategy — for the same session.
    @Test func theRefreshTheScanCommandAndTheUIsRescanStoreTheSamePicks() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/strategies", withIntermediateDirectories: true)
        dir.write(
            "strategies/up_day.json",
            #"""
            {"schema": "tradlyte.strategy/1", "name": "Up Day", "setup": {"rule": "close > sma(50)"},
             "trigger": {"rule": "close > open"}, "exit": {"max_bars": 3}}
            """#)
        dir.write("config.json", #"{"scan_strategies": ["up_day", "golden_cross"], "scan_top": 7}"#)
        let env = try pinnedEnvironment(dir, now: Self.now)
        #expect(ScanSettings(config: env.config) == ScanSettings(strategies: ["up_day", "golden_cross"], topK: 7))
        let refresh = RefreshService(env: env).run(RefreshRequest(trigger: .cli), events: { _ in })
        try #require(refresh.exitCode == 0, "\(refresh.summary)")
        let store = try env.openStore()
        let session = try #require(try store.summary().latestSession)
        let byRefresh = try store.picks(session: session)
        let upDay = byRefresh.filter { $0.strategy == "Up Day" }
        #expect(upDay.count == 7 && upDay.map(\.rank) == Array(1...7), "\(upDay)")

        _ = try ScanService.scan(env: env, store: store)  // what `tradlyte scan` runs
        let byCommand = try store.picks(session: session)
        #expect(byCommand == byRefresh)

        let ui = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try ui.start(width: 120, height: 36)
        ui.run(effects, &state, synchronous: true)
        ui.run([.runScan], &state, synchronous: true)
        #expect(try store.picks(session: session) == byRefresh)
        #expect(state.picks == byRefresh, "the picks pane shows what was stored")

        // An empty list turns scanning off for every caller, and the CLI and UI say how to turn it on.
        dir.write("config.json", #"{"scan_strategies": []}"#)
        let off = try pinnedEnvironment(dir, now: Self.now)
        #expect(throws: AppError.self) { _ = try ScanService.scan(env: off, store: store) }
        #expect(try RefreshSetup(env: off, trigger: .cli).options.scanStrategies.isEmpty)
    }

    /// The UI's loop in-process on the memory backend and a manual clock: a frame is drawn only
    /// when the state changed, a tick carries the clock's time, `q` quits, and shutdown saves
    /// the session's choices.
    @Test func theUIRunnerDrawsOnChangeTicksOnTheClockAndQuits() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME", "TERA"], "backfill_years": 2}"#)
        let env = try pinnedEnvironment(dir, now: Self.now)
        _ = RefreshService(env: env).run(RefreshRequest(trigger: .cli), events: { _ in })
        let backend = MemoryBackend(width: 100, height: 30)
        let clock = ManualClock(iso: Self.now)
        let runner = try UIRunner(session: try UISession(env: env, themeFlag: nil), backend: backend, clock: clock)
        runner.pollMilliseconds = 0
        try waitUntil(timeout: 60, "the watchlist's series to load") {
            runner.step()
            return runner.state.series["ACME"] != nil
        }
        let frames = runner.frames
        #expect(frames >= 1)
        #expect(backend.frame?.textRows.joined().contains("ACME") == true)
        runner.step()
        runner.step()
        #expect(runner.frames == frames, "an unchanged state draws no frame")
        backend.input = [.key(.char("3"))]  // 5-session bars
        runner.step()
        runner.step()
        #expect(runner.state.interval == (try FibInterval(5)))
        #expect(runner.frames == frames + 1)
        clock.advance(by: 120)
        runner.step()
        #expect(runner.state.now == clock.now(), "a tick carries the injected clock's time")
        backend.input = [.key(.char("q"))]
        #expect(runner.step() == false && runner.state.quit)
        #expect(runner.shutdown() == nil)
        #expect(FileManager.default.fileExists(atPath: UIMemory.path(env)))
    }

    /// A signal's stop request (SIGTERM, SIGHUP, SIGINT reach the loop through dispatch sources)
    /// quits at the next step, like `q`.
    @Test func aStopRequestQuitsAtTheNextStep() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir, now: Self.now)
        let backend = MemoryBackend(width: 80, height: 24)
        let runner = try UIRunner(
            session: try UISession(env: env, themeFlag: nil), backend: backend, clock: ManualClock(iso: Self.now))
        runner.pollMilliseconds = 0
        #expect(runner.step())
        runner.requestStop()
        #expect(runner.step() == false && runner.state.quit)
    }
}

/// One config key table (issue 25): the loader, the unknown-key message and the README's table
/// of keys all name the same keys.
@Suite struct ConfigKeyTableTests {
    @Test func theReadmeDocumentsExactlyTheKeysTheLoaderTakes() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        // The config section's table: rows "| `key` | meaning |" (two columns).
        let documented = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("| `"), line.components(separatedBy: " | ").count == 2 else { return nil }
                return line.dropFirst(3).split(separator: "`").first.map(String.init)
            })
        #expect(documented == Set(ConfigKey.all.map(\.name)))
        #expect(ConfigKey.all.allSatisfy { !$0.doc.isEmpty })
    }

    @Test func eachKeySaysWhatItsValueMustBe() throws {
        let dir = TemporaryDirectory()
        for (json, message) in [
            (#"{"close_grace_minutes": 2.5}"#, "close_grace_minutes must be a whole number of minutes from 0 to 240"),
            (#"{"scan_top": 0}"#, "scan_top must be a number from 1 to 500"),
            (#"{"mode": "all"}"#, "mode must be \"market\""),
            (#"{"watchlist": ["OK", "B@D"]}"#, "watchlist must be an array of symbols"),
            (#"{"retires": 2}"#, "unknown key 'retires' — did you mean 'retries'?"),
        ] {
            let path = dir.write("config.json", json)
            do {
                _ = try AppConfig.load(path: path)
                Issue.record("\(json) was accepted")
            } catch let error as AppError {
                #expect(error.exitCode == 2 && error.description.contains(message), "\(error)")
            }
        }
    }
}
