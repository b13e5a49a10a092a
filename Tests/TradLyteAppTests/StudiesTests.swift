import Foundation
import TermRender
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

@testable import TradLyteUI

/// The studies behind `backtest`, `sweep`, `walkforward`, `signals` and `indicator`, in-process,
/// on 600 sessions of a seeded random walk imported as TEST.
@Suite struct StudiesTests {
    let cal = TradingCalendar.nyse

    /// A pinned home holding TEST; returns the environment and the series.
    func seeded(_ dir: TemporaryDirectory) throws -> (AppEnvironment, BarSeries) {
        let env = try pinnedEnvironment(dir)
        var walk = RandomWalk(seed: 11)
        walk.closeCentre = 0.49
        let bars = walk.dailyBars(from: try SessionDate(iso: "2020-01-02"), count: 600, calendar: cal)
        _ = try CSVImport.run(file: dir.write("TEST.csv", RandomWalk.csv(bars)), symbol: nil, env: env)
        return (env, try BarSeries(bars))
    }

    func strategy(_ id: String) throws -> Strategy {
        try #require(StrategyLibrary.named(id)).strategy
    }

    @Test func indicatorRowsAreTheLibrarysValuesPerBar() throws {
        let dir = TemporaryDirectory()
        let (env, series) = try seeded(dir)
        let history = try Studies.history("test", env: env)
        #expect(history.symbol.rawValue == "TEST")
        let rows = try Studies.indicator("macd(12,26,9)", history: history, interval: .daily)
        #expect(rows[0] == ["session", "macd", "signal", "hist"])
        #expect(rows.count == 601)
        let m = Indicators.macd(series.close, fast: 12, slow: 26, signal: 9)
        for i in 0..<600 {
            let row = rows[i + 1]
            #expect(row[0] == cal.sessions[Int(series.sessionIndex[i])].description)
            #expect(m.signal[i].isNaN ? row[2] == "" : Double(row[2]) == m.signal[i])
        }
        #expect(try Studies.indicator("rsi(14)", history: history, interval: try FibInterval(5), last: 2).count == 3)
        #expect(throws: AppError.self) { try Studies.indicator("rsi(14", history: history, interval: .daily) }
        do {
            _ = try Studies.indicator("rsi(14", history: history, interval: .daily)
        } catch {
            #expect(error.description.contains("1:7: expected ',' or ')'"))
        }
    }

    @Test func signalsListEntriesAndExitsAndRefuseAShortHistory() throws {
        let dir = TemporaryDirectory()
        let (env, _) = try seeded(dir)
        let history = try Studies.history("TEST", env: env)
        let report = try Studies.signals(
            StudyRequest(strategy: try strategy("macd_crossover")), history: history, all: false)
        #expect(report.entries > 0 && report.ruleExits > 0 && report.buys)
        #expect(report.rows.allSatisfy { $0.entry || $0.exit == 1 })
        let every = try Studies.signals(
            StudyRequest(strategy: try strategy("macd_crossover")), history: history, all: true)
        #expect(every.rows.count == 600)
        let vegas = StudyRequest(strategy: try strategy("vegas_channel"), interval: try FibInterval(21))
        #expect(throws: AppError.self) { try Studies.signals(vegas, history: history, all: false) }
        #expect(
            throws: AppError.badInput("--param fats=10: Golden Cross has no parameter 'fats' (parameters: fast, slow)")
        ) {
            try Studies.parameters(["fats=10"], strategy: try strategy("golden_cross"))
        }
    }

    @Test func aBacktestIsCheckedAndItsJSONCountsTheClosedTradesAndMarksTheOpenOne() throws {
        let dir = TemporaryDirectory()
        let (env, _) = try seeded(dir)
        let history = try Studies.history("TEST", env: env)
        let golden = try strategy("golden_cross")
        let request = StudyRequest(strategy: golden, parameters: ["fast": 10, "slow": 30])
        let result = try Studies.backtest(
            request, symbol: history.symbol, daily: history.daily, latestClosed: history.latestClosed)
        let json = StudyJSON.backtest(result, request: request, symbol: history.symbol)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.rendered().utf8)) as? [String: Any])
        let stats = try #require(object["stats"] as? [String: Any])
        #expect((object["trades"] as? [Any])?.count == Int(stats["# Trades"] as? Double ?? -1))
        #expect((object["parameters"] as? [String: Double]) == ["fast": 10, "slow": 30])
        if let open = result.openTrade {
            #expect((object["open_trade"] as? [String: Any])?["exit_reason"] as? String == "open")
            #expect(open.entryBar > (result.trades.last?.exitBar ?? -1) - 1)
        } else {
            #expect(object["open_trade"] is NSNull)
        }

        func refusal(_ request: StudyRequest) -> String {
            do {
                _ = try Studies.backtest(
                    request, symbol: history.symbol, daily: history.daily, latestClosed: history.latestClosed)
                return "no error"
            } catch {
                return error.description
            }
        }
        var late = request
        late.range = try Studies.dateRange(from: "2030-01-01", to: nil)
        #expect(refusal(late).contains("no 1d bars of TEST from 2030-01-01"))
        #expect(refusal(StudyRequest(strategy: golden, interval: try FibInterval(34))).contains("needs more than"))
        #expect(throws: AppError.badInput("--from 2025-02-01 is after --to 2025-01-01")) {
            try Studies.dateRange(from: "2025-02-01", to: "2025-01-01")
        }
        #expect(throws: AppError.self) { try BacktestOverrides(cash: 1e400).configuration(for: golden) }
        #expect(try BacktestOverrides(commission: 0.001, fillClose: true).configuration(for: golden).fill == .close)
    }

    @Test func aSweepHoldsTheAppliedParametersItDoesNotVaryAndRefusesAGridOverTheCap() throws {
        let dir = TemporaryDirectory()
        let (env, _) = try seeded(dir)
        let history = try Studies.history("TEST", env: env)
        let golden = try strategy("golden_cross")
        let declared = try Studies.declaredRanges(golden)
        #expect(declared.map(\.name) == ["fast", "slow"] && Studies.gridSize(declared) == 19 * 21)
        let request = StudyRequest(strategy: golden, parameters: ["slow": 40], metric: .return)
        let ranges = try Studies.ranges(["fast=10:30:10"], strategy: golden)
        let sweep = try Studies.sweep(request, ranges: ranges, daily: history.daily, latestClosed: history.latestClosed)
        #expect(sweep.rows.count == 3 && sweep.rows.allSatisfy { $0.parameters["slow"] == 40 })
        // The row for fast=20 is the backtest of fast=20, slow=40.
        let row = try #require(sweep.rows.first { $0.parameters["fast"] == 20 })
        let single = try Studies.backtest(
            StudyRequest(strategy: golden, parameters: ["fast": 20, "slow": 40]), symbol: history.symbol,
            daily: history.daily, latestClosed: history.latestClosed)
        #expect(row.stats?["Return [%]"]?.number == single.stats["Return [%]"]?.number)
        #expect(throws: AppError.self) {
            try Studies.sweep(request, ranges: declared, daily: history.daily, latestClosed: 0, cap: 100)
        }
        #expect(
            try Studies.sweep(request, ranges: declared, daily: history.daily, latestClosed: 0, cap: 100, sample: 50)
                .rows.count == 50)
    }

    @Test func aWalkForwardStaysInItsRangeAndStitchesItsOutOfSampleWindows() throws {
        let dir = TemporaryDirectory()
        let (env, _) = try seeded(dir)
        let history = try Studies.history("TEST", env: env)
        var request = StudyRequest(strategy: try strategy("golden_cross"))
        request.range = try Studies.dateRange(from: "2020-06-01", to: "2022-01-31")
        let ranges = try Studies.ranges(["fast=10:20:10", "slow=100,120"], strategy: request.strategy)
        let study = try Studies.walkForward(
            request, ranges: ranges, daily: history.daily, latestClosed: history.latestClosed, inSampleBars: 150,
            outOfSampleBars: 50)
        #expect(!study.windows.isEmpty)
        let range = try #require(request.range)
        #expect(
            study.windows.allSatisfy {
                range.contains($0.inSample.lowerBound) && range.contains($0.outOfSample.upperBound)
            })
        #expect(study.stitchedEquity.count == study.windows.map(\.outOfSampleEquity.count).reduce(0, +))
        #expect(study.stitchedSessions.count == study.stitchedEquity.count)
        // Each window continues from where the last one ended.
        var level = request.configuration.cash
        var k = 0
        for w in study.windows {
            let first = w.outOfSampleEquity[0]
            for v in w.outOfSampleEquity {
                #expect(abs(study.stitchedEquity[k] - level * v / first) < 1e-9 * level)
                k += 1
            }
            level = study.stitchedEquity[k - 1]
        }
        let thirteen = try FibInterval(13)
        #expect(Studies.walkForwardBars(.daily) == (504, 126) && Studies.walkForwardBars(thirteen) == (38, 9))
    }
}

/// The UI's sweep and walk-forward are the CLI's: the same grid, range and windows give the same
/// best cell and the same windows (the CLI through the built binary, the UI through its keys and
/// effects in-process, on one home).
@Suite(.serialized) struct UIStudiesAgreeWithTheCLITests {
    static let now = "2026-11-25T23:00:00Z"

    /// Presses `e` and runs the export it asks for; returns the files written.
    func export(_ state: inout AppState, _ session: UISession) throws -> [String] {
        let effects = App.update(&state, .input(.key(KeyEvent(spec: "e")!)))
        #expect(effects == [.exportShown])
        let files = try session.exportShown(state)
        session.run(effects, &state, synchronous: true)
        #expect(state.message?.text.hasPrefix("exported \(files[0])") == true, "\(state.message?.text ?? "")")
        return files
    }

    @Test func theUIsSweepAndWalkForwardPickWhatTheCLIPicks() throws {
        let cli = try CLIHarness()
        let pinned = ["TRADLYTE_NOW": Self.now, "POLYGON_API_KEY": ""]
        #expect(try cli.run(["refresh", "--backfill", "3"], environment: pinned).status == 0)
        let env = try AppEnvironment.load(cli.environment(pinned))
        let session = try UISession(env: env, themeFlag: nil)
        var (state, effects) = try session.start(width: 80, height: 24)
        session.run(effects, &state, synchronous: true)
        App.chart("ACME", &state)
        state.strategy = "golden_cross"
        session.run(App.ensureLoaded(&state), &state, synchronous: true)
        #expect(Palette.run("range 2023-12-01 2026-10-30", &state).isEmpty)

        session.run(App.startStudy(.sweep, &state), &state, synchronous: true)
        guard case .sweep(let sweep)? = state.study?.outcome else {
            Issue.record("no sweep: \(state.study?.error ?? "")")
            return
        }
        #expect(sweep.rows.count == sweep.gridSize && sweep.gridSize == 19 * 21)
        let cliSweep = try cli.run(
            ["sweep", "golden_cross", "ACME", "--from", "2023-12-01", "--to", "2026-10-30", "--json"],
            environment: pinned)
        #expect(cliSweep.status == 0, "\(cliSweep.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(cliSweep.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(object["grid_size"] as? Double == Double(sweep.gridSize))
        let best = try #require(sweep.best)
        #expect(rows.first?["parameters"] as? [String: Double] == best.parameters)
        // Foundation's JSON reader may round the last digit.
        let score = try #require(best.stats.flatMap(BacktestRunner.Metric.sharpe.score))
        #expect(abs((rows.first?["score"] as? Double ?? .nan) - score) <= 1e-12 * abs(score))
        // Every row carries what the text table prints, and the drawdown and Sharpe.
        let bestReturn = try #require(best.stats?["Return [%]"]?.number)
        #expect(abs((rows.first?["return_pct"] as? Double ?? .nan) - bestReturn) <= 1e-9)
        #expect(rows.first?["trades"] as? Double == best.stats?["# Trades"]?.number)
        #expect(rows.allSatisfy { $0["max_drawdown_pct"] != nil && $0["sharpe"] != nil && $0["statistic"] != nil })

        // `e` writes the sweep on screen: the CLI's document, byte for byte, and every cell as CSV.
        let exported = try export(&state, session)
        #expect(try String(contentsOfFile: exported[0], encoding: .utf8) == cliSweep.stdout)
        // Named with the range's last session, so a run over another range writes beside it.
        #expect(exported[0].hasSuffix("-2026-10-30.json"), "\(exported[0])")
        let grid = try String(contentsOfFile: exported[1], encoding: .utf8).split(separator: "\n")
        #expect(grid.count == sweep.rows.count + 1 && grid[0].hasPrefix("fast,slow,statistic,score,return_pct"))

        // `a` applies the best cell; the backtest it starts runs on those parameters.
        session.run(App.update(&state, .input(.key(KeyEvent(spec: "a")!))), &state, synchronous: true)
        #expect(state.parameterOverrides["golden_cross"] == best.parameters)
        #expect(state.backtest?.result != nil, "\(state.backtest?.error ?? "")")

        session.run(App.startStudy(.walkForward, &state), &state, synchronous: true)
        guard case .walkForward(let study)? = state.study?.outcome else {
            Issue.record("no walk-forward: \(state.study?.error ?? "")")
            return
        }
        let cliWalk = try cli.run(
            ["walkforward", "golden_cross", "ACME", "--from", "2023-12-01", "--to", "2026-10-30", "--json"],
            environment: pinned)
        #expect(cliWalk.status == 0, "\(cliWalk.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(cliWalk.stdout.utf8)) as? [String: Any])
        let windows = try #require(document["windows"] as? [[String: Any]])
        #expect(document["in_sample_bars"] as? Double == Double(study.inSampleBars))
        // The bars after the last window are counted (and the UI says so): fewer than a window.
        #expect(document["uncovered_bars"] as? Double == Double(study.uncoveredBars))
        #expect(study.uncoveredBars < study.outOfSampleBars)
        if study.uncoveredBars > 0 {
            #expect(cliWalk.stdout.isEmpty == false)
            let text = try cli.run(
                ["walkforward", "golden_cross", "ACME", "--from", "2023-12-01", "--to", "2026-10-30"],
                environment: pinned)
            #expect(text.stdout.contains("The last \(study.uncoveredBars) bars"), "\(text.stdout)")
        }
        if let last = study.stitchedEquity.last {
            let stitched = try #require(document["stitched_return_pct"] as? Double)
            #expect(abs(stitched - (last / study.cash - 1) * 100) < 1e-9)
        }
        #expect(!windows.isEmpty && windows.count == study.windows.count)
        let exportedWalk = try export(&state, session)
        #expect(try String(contentsOfFile: exportedWalk[0], encoding: .utf8) == cliWalk.stdout)
        let windowRows = try String(contentsOfFile: exportedWalk[1], encoding: .utf8).split(separator: "\n")
        #expect(windowRows.count == study.windows.count + 1)
        for (cliWindow, uiWindow) in zip(windows, study.windows) {
            #expect(
                cliWindow["out_of_sample"] as? String
                    == "\(uiWindow.outOfSample.lowerBound)…\(uiWindow.outOfSample.upperBound)")
            #expect(cliWindow["parameters"] as? [String: Double] == uiWindow.parameters)
        }
    }
}

/// The portfolio service in-process: universes from the store, a sweep cell that is the run it
/// names, walk-forward windows inside the data.
@Suite(.serialized) struct PortfoliosServiceTests {
    @Test func universesSweepsAndWindows() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"watchlist": ["ACME", "TERA", "LMNA"], "backfill_years": 3}"#)
        let env = try pinnedEnvironment(dir, now: "2026-11-25T23:00:00Z")
        UISession.refresh(env: env, post: { _ in }, cancellation: CancellationFlag())
        let watchlist = try Portfolios.members(.watchlist, env: env)
        #expect(watchlist.map(\.symbol.rawValue) == ["ACME", "TERA", "LMNA"])
        let all = try Portfolios.members(.stored(minMarketCap: nil, sector: nil, type: nil), env: env)
        let big = try Portfolios.members(.stored(minMarketCap: 50e9, sector: nil, type: nil), env: env)
        #expect(all.count > big.count && !big.isEmpty)
        #expect(throws: AppError.self) {
            try Portfolios.members(.stored(minMarketCap: 1e18, sector: nil, type: nil), env: env)
        }

        let request = StudyRequest(strategy: try #require(StrategyLibrary.named("macd_crossover")).strategy)
        let latest = Studies.latestClosed(try env.openStore(), env: env)
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 2
        let rows = try Portfolios.sweep(
            request, members: watchlist, configuration: config, ranges: [], positions: [1, 2, 3], rank: nil,
            latestClosed: latest)
        #expect(rows.count == 3)
        let cell = try #require(rows.first { $0.parameters["max_positions"] == 2 })
        let single = try Portfolios.run(
            request, members: watchlist, configuration: config, rank: nil, latestClosed: latest)
        #expect(cell.stats["Return [%]"]?.number == single.stats["Return [%]"]?.number)
        let windows = try Portfolios.walkForward(
            request, members: watchlist, configuration: config, ranges: [], positions: [1, 2], rank: nil,
            latestClosed: latest, inSample: 252, outOfSample: 126)
        #expect(windows.count >= 2 && windows.allSatisfy { $0.inSample.upperBound < $0.outOfSample.lowerBound })
        let json = Portfolios.json(single, request: request).rendered()
        // The UI's `e` on a portfolio writes its document and tables (issue 24: it wrote the
        // single-symbol backtest).
        let files = try StudyExport.portfolio(single, request: request, directory: dir.path + "/exports")
        #expect(try String(contentsOfFile: files[0], encoding: .utf8) == json + "\n")
        let trades = try String(contentsOfFile: files[1], encoding: .utf8).split(separator: "\n")
        #expect(trades.count == single.trades.count + single.openTrades.count + 1)
        let equity = try String(contentsOfFile: files[2], encoding: .utf8).split(separator: "\n")
        #expect(
            equity.count == single.equity.count + 1 && equity[0] == "session,equity,cash,exposure,positions,benchmark")
        #expect(json.contains("\"benchmark\"") && json.contains("\"open_trades\""))
    }
}
