import Foundation
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import TradLyteUI

/// Issue 23 in-process: a config file broken while the UI is open, and a strategy whose
/// declared grid no `Int` can count, through the UI's sweep, walk-forward and portfolio.
@Suite(.serialized) struct RoundTwoTests {
    static let now = "2026-11-25T23:00:00Z"

    func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test func aConfigBrokenWhileTheUIIsOpenIsNeverReplacedAndTheChangeIsKeptForARetry() throws {
        let dir = TemporaryDirectory()
        let config = #"{"watchlist": ["ACME"], "polygon_api_key": "kept-key-1234", "provider": "demo", "retries": 3}"#
        let path = dir.write("config.json", config)
        chmod(path, 0o600)
        let env = try pinnedEnvironment(dir, now: Self.now)
        let session = try UISession(env: env, themeFlag: nil)
        var state = AppState(width: 100, height: 30, now: env.now())
        state.watchlist = ["ACME"]
        state.configuredWatchlist = ["ACME"]
        // An editor's half-written save while the UI is open.
        let broken = #"{"watchlist": ["ACME"], "polygon_api_key": "kept-key-1234", "prov"#
        try Data(broken.utf8).write(to: URL(fileURLWithPath: path))
        state.watchlist.append("NOVA")
        session.run([App.saveWatchlist(&state)], &state, synchronous: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == broken)  // not a byte changed
        #expect(state.message?.level == .error)
        #expect(state.message?.text.contains("not valid JSON") == true, "\(state.message?.text ?? "")")
        #expect(
            state.message?.text.hasPrefix("watchlist kept here, not saved — fix the file, then :save watchlist") == true
        )
        #expect(state.configuredWatchlist == ["ACME", "NOVA"])  // the change is kept in memory
        // Fixed by hand, the palette's retry writes it, keeps every other key and a backup.
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        session.run(Palette.run("save watchlist", &state), &state, synchronous: true)
        let saved = try AppConfig.load(path: path)
        #expect(saved.watchlist == ["ACME", "NOVA"])
        #expect(saved.polygonAPIKey == "kept-key-1234" && saved.retries == 3 && saved.provider == .demo)
        #expect(try String(contentsOfFile: path + ".bak", encoding: .utf8) == config)
        #expect(mode(path) == 0o600 && mode(path + ".bak") == 0o600)
        #expect(state.message?.text.contains("saved the watchlist") == true, "\(state.message?.text ?? "")")
    }

    @Test func aConfigThatIsNotAnObjectOrCannotBeReadIsNotReplaced() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("config.json", "[1, 2]")
        #expect(throws: AppError.self) { try rewriteConfig(path) { $0.append(("theme", .string("mono"))) } }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[1, 2]")
        #expect(!FileManager.default.fileExists(atPath: path + ".bak"))
        // A missing file is simply created (no backup of nothing).
        let fresh = dir.path + "/new.json"
        try rewriteConfig(fresh) { $0.append(("theme", .string("mono"))) }
        #expect(try AppConfig.load(path: fresh).theme == "mono")
        #expect(!FileManager.default.fileExists(atPath: fresh + ".bak"))
    }

    /// 64 parameters of two values each: 2^64 combinations, one more than `Int` holds.
    static let sixtyFour: Strategy = {
        var parameters: [(String, JSONValue)] = []
        for i in 0..<64 {
            parameters.append(
                (
                    "p\(i)",
                    .object([("default", .number(1)), ("min", .number(1)), ("max", .number(2)), ("step", .number(1))])
                ))
        }
        let file = JSONValue.object([
            ("schema", .string("tradlyte.strategy/1")), ("name", .string("P")), ("description", .string("p")),
            ("interval", .number(1)), ("direction", .string("long")), ("parameters", .object(parameters)),
            ("trigger", .object([("rule", .string("close > sma(20)")), ("action", .string("buy"))])),
            ("exit", .object([("rule", .string("close < sma(20)"))])),
        ])
        return try! Strategy.parse(Data(file.rendered().utf8))
    }()

    @Test func aGridNoIntCanCountIsCountedSampledOrRefusedNeverBuilt() throws {
        let ranges = try Studies.declaredRanges(Self.sixtyFour)
        #expect(ranges.count == 64 && Studies.gridSize(ranges) == Int.max)
        #expect(Studies.declaredGridNote(ranges)?.contains("more than 9,223,372,036,854,775,806") == true)
        var walk = RandomWalk(seed: 4)
        let bars = walk.dailyBars(from: try SessionDate(iso: "2020-01-02"), count: 600)
        let daily = try BarSeries(bars)
        let latest = daily.sessionIndex.last!
        let request = StudyRequest(strategy: Self.sixtyFour)
        let universe = [(try Symbol("ACME"), daily)]
        // The UI's h samples 400 combinations of it.
        guard
            case .success(.sweep(let sweep)) = UISession.study(
                .sweep, request, universe: universe, latestClosed: latest)
        else {
            Issue.record("the UI's sweep did not run")
            return
        }
        #expect(sweep.rows.count == Studies.sampleSize && sweep.gridSize == Int.max)
        #expect(Set(sweep.rows.map { $0.parameters }).count == Studies.sampleSize)  // distinct draws
        // The UI's f (and the CLI's walkforward and sweep) refuse it with the count in words.
        guard case .failure(let wf) = UISession.study(.walkForward, request, universe: universe, latestClosed: latest)
        else {
            Issue.record("the walk-forward should refuse the grid")
            return
        }
        #expect(wf.message.contains("over the cap"), "\(wf.message)")
        #expect(throws: AppError.self) {
            try Studies.sweep(request, ranges: ranges, daily: daily, latestClosed: latest)
        }
        // A portfolio sweep over it is refused before any combination is built.
        #expect(throws: AppError.self) { try Portfolios.checkGrid(ranges, positions: [5, 10]) }
    }
}

/// Issue 24: the UI's state is kept across restarts (theme, strategy, applied parameters,
/// interval, layout), beside the config with its permissions; a broken file is set aside.
@Suite(.serialized) struct UIMemoryTests {
    @Test func theThemeStrategyParametersIntervalAndLayoutComeBackAfterARestart() throws {
        let dir = TemporaryDirectory()
        let config = dir.write("config.json", #"{"watchlist": ["ACME"]}"#)
        chmod(config, 0o600)
        let env = try pinnedEnvironment(dir, now: "2026-11-25T23:00:00Z")
        let first = try UISession(env: env, themeFlag: nil)
        var (state, _) = try first.start(width: 100, height: 30)
        state.strategy = "rsi_reversion"
        state.interval = try FibInterval(13)
        state.parameterOverrides = ["golden_cross": ["fast": 20, "slow": 150]]
        state.watchlistHidden = true
        state.themeName = "gruvbox"
        try first.remember(state)
        var info = stat()
        #expect(stat(UIMemory.path(env), &info) == 0 && info.st_mode & 0o777 == 0o600)
        let second = try UISession(env: env, themeFlag: nil)
        let (back, _) = try second.start(width: 100, height: 30)
        #expect(back.strategy == "rsi_reversion" && back.interval.sessions == 13)
        #expect(back.parameterOverrides == ["golden_cross": ["fast": 20, "slow": 150]] && back.watchlistHidden)
        #expect(back.themeName == "gruvbox" && second.theme.name == "gruvbox")
        // --theme wins over the remembered theme.
        let flagged = try UISession(env: env, themeFlag: "mono")
        #expect(try flagged.start(width: 100, height: 30).0.themeName != "gruvbox")
        // A broken file is moved aside with a message; the UI starts with its defaults.
        try Data("{\"strategy\": ".utf8).write(to: URL(fileURLWithPath: UIMemory.path(env)))
        let (fresh, _) = try UISession(env: env, themeFlag: nil).start(width: 100, height: 30)
        #expect(fresh.message?.text.contains("ui-state.json.bad") == true)
        #expect(FileManager.default.fileExists(atPath: UIMemory.path(env) + ".bad"))
    }
}

/// Issue 24: cash and costs for the UI's studies (`:account`), used by `b`, `h`, `f`, `w` and `P`,
/// named in the titles, equal to the CLI's `--cash`/`--commission`/`--slippage`, and remembered.
@Suite(.serialized) struct AccountSettingsTests {
    @Test func theAccountCommandSetsCashAndCostsForEveryStudyAsTheCLIDoes() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME", "TERA"], "backfill_years": 3}"#)
        let env = try pinnedEnvironment(dir, now: "2026-11-25T23:00:00Z")
        UISession.refresh(env: env, post: { _ in }, cancellation: CancellationFlag())
        let session = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try session.start(width: 120, height: 36)
        session.run(effects, &state, synchronous: true)
        state.strategy = "golden_cross"
        session.run(Palette.run("account cash 25000", &state), &state, synchronous: true)
        session.run(Palette.run("account commission 0.001", &state), &state, synchronous: true)
        session.run(Palette.run("account slippage 5", &state), &state, synchronous: true)
        #expect(Palette.run("account cash inf", &state).isEmpty && state.message?.level == .warn)
        #expect(state.account == AccountSettings(cash: 25_000, commission: 0.001, slippage: 5))
        session.run(App.startBacktest(&state), &state, synchronous: true)
        let result = try #require(state.backtest?.result, "\(state.backtest?.error ?? "")")
        #expect(result.equity.first == 25_000)
        // The same as the CLI's flags.
        let strategy = try session.catalog.strategy("golden_cross")
        let cli = StudyRequest(
            strategy: strategy,
            configuration: try BacktestOverrides(cash: 25_000, commission: 0.001, slippage: 5).configuration(
                for: strategy))
        let acme = try Symbol(state.currentSymbol ?? "ACME")
        let expected = try Studies.backtest(
            cli, symbol: acme, daily: try session.store.dailySeries(acme), latestClosed: state.latestClosed)
        #expect(result.stats["Return [%]"]?.number == expected.stats["Return [%]"]?.number)
        let title = Screens.render(state, Screens.Context(theme: .default, glyphs: .unicode)).textRows[1]
        #expect(title.contains("cash 25000"), "\(title)")
        // Remembered across a restart.
        try session.remember(state)
        let (back, _) = try UISession(env: env, themeFlag: nil).start(width: 120, height: 36)
        #expect(back.account == state.account)
        _ = Palette.run("account clear", &state)
        #expect(state.account.isDefault)
    }
}
