import Foundation
import TermRender
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteUI

/// The backtest, picks, alerts and pipeline panes: update logic and golden snapshots.
@Suite struct PaneTests {
    /// The fixture state with a MACD-crossover backtest of ACME landed (it trades often).
    static func backtested(width: Int, height: Int) -> AppState {
        var s = Fixture.state(width: width, height: height)
        s.strategies = StrategyLibrary.all.map(\.id)
        s.strategy = "macd_crossover"
        let effects = Fixture.keys(&s, "b")
        guard case .runBacktest(let name, let symbol, let interval, _, _, let generation)? = effects.first else {
            Issue.record("b did not ask for a backtest: \(effects)")
            return s
        }
        #expect(name == "macd_crossover" && symbol == "ACME" && interval == .daily && s.backtest?.running == true)
        let strategy = StrategyLibrary.named(name)!.strategy
        let compiled = try! CompiledStrategy(strategy)
        let result = Backtester.run(
            compiled, daily: s.series[symbol]!, configuration: BacktestConfiguration(strategy.backtest),
            latestClosed: s.latestClosed)
        _ = App.update(&s, .backtestFinished(generation: generation, .success(result)))
        return s
    }

    @Test(arguments: ScreenSnapshotTests.sizes) func backtestPaneShowsEquityDrawdownStatisticsAndTrades(
        width: Int, height: Int
    ) {
        let s = Self.backtested(width: width, height: height)
        #expect(s.backtest?.result != nil && s.backtest?.running == false)
        let b = Fixture.render(s)
        #expect(b.textRows.joined().contains("trades"))
        assertSnapshot(b, named: "pane-backtest-\(width)x\(height)")
    }

    @Test func aSupersededOrCancelledBacktestIsIgnored() {
        var s = Fixture.state(width: 100, height: 30)
        s.strategies = ["golden_cross", "rsi_reversion"]
        _ = Fixture.keys(&s, "b")
        let first = s.backtest!.generation
        let effects = Fixture.keys(&s, "n")
        #expect(s.strategy == "rsi_reversion")
        #expect(
            effects == [
                .cancelBacktest(generation: first),
                .runBacktest(
                    strategy: "rsi_reversion", symbol: "ACME", interval: .daily, parameters: [:], range: nil,
                    generation: first + 1),
            ])
        _ = App.update(&s, .backtestFinished(generation: first, .failure(EffectFailure("old"))))
        #expect(s.backtest?.running == true && s.backtest?.error == nil)
        _ = Fixture.keys(&s, "esc")
        #expect(s.backtest?.cancelled == true && s.message?.text == "backtest cancelled")
        _ = App.update(&s, .backtestFinished(generation: first + 1, .failure(EffectFailure("late"))))
        #expect(s.backtest?.error == nil)
        _ = Fixture.keys(&s, "esc")
        #expect(s.pane == .chart)
    }

    @Test func enterOnATradeOpensTheChartThereWithEntryAndExitMarkers() throws {
        var s = Self.backtested(width: 160, height: 48)
        let trades = try #require(s.backtest?.result?.trades)
        try #require(trades.count >= 2)
        _ = Fixture.keys(&s, "s", "j", "enter")  // by return, the second best
        let panel = s.backtest!
        let trade = trades[panel.order[1]]
        #expect(s.pane == .chart && s.currentSymbol == "ACME")
        #expect(s.crosshair == trade.entryBar)
        let columns = Screens.chartColumns(s)
        #expect(s.viewport.range(total: 600, columns: columns).contains(trade.entryBar))
        let screen = Fixture.render(s).textRows.joined()
        #expect(screen.contains("▲") || screen.contains("▼"))
        #expect(s.message?.text.contains("\(trade.entrySession) → \(trade.exitSession)") == true)
    }

    static func lists(_ s: inout AppState) {
        let day = SessionDate(year: 2024, month: 3, day: 14)!
        let picks = [
            ScanPick(
                strategy: "golden_cross", symbol: try! Symbol("TERA"), session: day, confidence: 1, price: 122.4,
                marketCap: 310e9,
                sector: "Technology", rank: 1),
            ScanPick(
                strategy: "rsi_reversion", symbol: try! Symbol("ZEN"), session: day, confidence: 2.0 / 3, price: 326.7,
                marketCap: 8e9, sector: "Consumer", rank: 1),
        ]
        _ = App.update(&s, .picksLoaded(picks))
        let fired = Date(timeIntervalSince1970: 1_710_450_000)
        let alerts = [
            Alert(
                id: 2, ruleID: 1, symbol: try! Symbol("ACME"), session: day,
                message: "ACME closed at 43.66, above 43.50", firedAt: fired, read: false),
            Alert(
                id: 1, ruleID: 3, symbol: try! Symbol("TERA"), session: day, message: "TERA: new golden_cross pick",
                firedAt: fired, read: true),
        ]
        let rules = [
            AlertRule(id: 1, kind: .priceAbove, symbol: try! Symbol("ACME"), value: 43.5),
            AlertRule(id: 3, kind: .newPick, symbol: try! Symbol("TERA"), strategy: "golden_cross"),
        ]
        _ = App.update(&s, .alertsLoaded(alerts, rules: rules, unread: 1))
        let start = Date(timeIntervalSince1970: 1_710_460_000)
        let runs = [
            RunRecord(
                id: 7, trigger: .tui, status: .failed, startedAt: start, finishedAt: start.addingTimeInterval(3.2),
                error: "fetch: HTTP 429 after 3 attempts", summary: nil),
            RunRecord(
                id: 6, trigger: .cli, status: .succeeded, startedAt: start.addingTimeInterval(-86_400),
                finishedAt: start.addingTimeInterval(-86_398.75), error: nil, summary: "12 rows, 12 new"),
        ]
        let stages = [
            StageRecord(
                runID: 7, stage: "plan", status: .succeeded, attempts: 1, startedAt: start,
                finishedAt: start.addingTimeInterval(0.01),
                counts: ["sessions": 1], error: nil),
            StageRecord(
                runID: 7, stage: "fetch", status: .failed, attempts: 3, startedAt: start.addingTimeInterval(0.01),
                finishedAt: start.addingTimeInterval(3.2), counts: [:], error: "HTTP 429"),
        ]
        _ = App.update(&s, .runsLoaded(runs, stages: [7: stages]))
    }

    @Test(arguments: ScreenSnapshotTests.sizes) func picksAlertsAndPipelinePanes(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        #expect(Fixture.keys(&s, "p") == [.loadPicks])
        Self.lists(&s)
        assertSnapshot(Fixture.render(s), named: "pane-picks-\(width)x\(height)")
        // Every pick's symbol, confidence and price whole at every size ("106.…" was cut).
        let picks = Fixture.render(s).textRows.joined(separator: "\n")
        for p in s.visiblePicks {
            #expect(picks.contains(String(format: "%.2f", p.price)), "\(width)x\(height): \(p.symbol) price")
            #expect(picks.contains(p.symbol.rawValue))
        }
        #expect(Fixture.keys(&s, "A") == [.loadAlerts])
        assertSnapshot(Fixture.render(s), named: "pane-alerts-\(width)x\(height)")
        #expect(Fixture.keys(&s, "P") == [.loadRuns, .loadPlan])
        _ = App.update(
            &s,
            .planLoaded([
                "from the DEMO market: Latest closed session: 2024-03-15", "Grouped daily: 1 session (2024-03-15)",
            ]))
        assertSnapshot(Fixture.render(s), named: "pane-pipeline-\(width)x\(height)")
        // Every word of the plan is on screen whole (it was cut mid-word at 80 columns).
        let words = Fixture.render(s).textRows.joined(separator: " ").split(separator: " ").map(String.init)
        for word in s.plan.joined(separator: " ").split(separator: " ") {
            #expect(words.contains { $0.hasSuffix(String(word)) || $0 == String(word) }, "\(width)x\(height): \(word)")
        }
    }

    @Test(arguments: ScreenSnapshotTests.sizes) func aManualRefreshShowsStagesProgressAndLogThenABannerWhenItFails(
        width: Int, height: Int
    ) {
        var s = Fixture.state(width: width, height: height)
        #expect(Fixture.keys(&s, "R") == [.startRefresh])
        #expect(Fixture.keys(&s, "R").isEmpty && s.message?.text.contains("already running") == true)
        _ = Fixture.keys(&s, "P")
        _ = App.update(&s, .refreshStage(name: "plan", status: "running", seconds: nil, detail: ""))
        _ = App.update(&s, .refreshStage(name: "plan", status: "succeeded", seconds: 0.01, detail: "sessions=3"))
        _ = App.update(&s, .refreshStage(name: "fetch_ohlcv", status: "running", seconds: nil, detail: ""))
        _ = App.update(&s, .refreshProgress(stage: "fetch_ohlcv", done: 2, total: 3, eta: 12))
        _ = App.update(&s, .refreshLog("fetch_ohlcv: 2024-03-13 done"))
        #expect(s.refresh?.stages.map(\.name) == ["plan", "fetch_ohlcv"] && s.refresh?.stages[1].done == 2)
        assertSnapshot(Fixture.render(s), named: "pane-refresh-running-\(width)x\(height)")
        // `c` is "chart" on every pane; the pipeline pane cancels with `x`.
        #expect(Fixture.keys(&s, "x") == [.cancelRefresh] && s.refresh?.cancelRequested == true)
        #expect(Keymap.action(for: KeyEvent(spec: "c")!, pane: .pipeline) == .openChart)
        let effects = App.update(
            &s,
            .refreshFinished(
                summary: "Refresh failed: fetch_ohlcv: HTTP 429 after 3 attempts", failed: true, cancelled: false))
        #expect(effects.contains(.reloadData(["ACME", "GRID", "NOVA", "TERA", "ZEN"])) && effects.contains(.loadRuns))
        #expect(s.failedBanner != nil)
        _ = Fixture.keys(&s, "esc")  // the banner stays on every screen…
        let chart = Fixture.render(s).textRows[1]
        #expect(chart.contains("Refresh failed") && chart.contains("! acknowledges"))
        _ = Fixture.keys(&s, "!")  // …until acknowledged
        #expect(s.failedBanner == nil && !Fixture.render(s).textRows[1].contains("Refresh failed"))
        // A cancelled run is not a failure.
        _ = Fixture.keys(&s, "R")
        _ = App.update(&s, .refreshFinished(summary: "Refresh cancelled", failed: true, cancelled: true))
        #expect(s.failedBanner == nil && s.refresh?.running == false)
    }

    @Test func listKeysSelectAndOpenAndAlertsCanBeMarkedAndRuled() {
        var s = Fixture.state(width: 100, height: 30)
        s.strategies = ["golden_cross"]
        Self.lists(&s)
        _ = Fixture.keys(&s, "p", "j", "enter")
        #expect(s.pane == .chart && s.currentSymbol == "ZEN")
        _ = Fixture.keys(&s, "A")
        #expect(Fixture.keys(&s, "m") == [.markAlertsRead([2])])
        #expect(Fixture.keys(&s, "M") == [.markAlertsRead(nil)])
        s.current = "ACME"
        #expect(
            Palette.run("alert above 50", &s) == [
                .addAlertRule(AlertRule(kind: .priceAbove, symbol: try! Symbol("ACME"), value: 50))
            ])
        #expect(
            Palette.run("alert change 5 3", &s) == [
                .addAlertRule(AlertRule(kind: .percentChange, symbol: try! Symbol("ACME"), value: 5, sessions: 3))
            ])
        #expect(Palette.run("alert trigger golden_cross", &s).count == 1)
        #expect(Palette.run("alert remove 3", &s) == [.removeAlertRule(3)])
        _ = Palette.run("alert above", &s)
        #expect(s.message?.level == .warn)
        _ = Palette.run("alert trigger nope", &s)
        #expect(s.message?.text.contains("golden_cross") == true)
    }
}

@Suite struct StudyTests {
    static func run(_ s: inout AppState, key: String) -> Effect? {
        s.strategies = StrategyLibrary.all.map(\.id)
        _ = Fixture.keys(&s, "b")
        return Fixture.keys(&s, key).first
    }

    @Test(arguments: ScreenSnapshotTests.sizes) func aSweepShowsAHeatMapAndAppliesTheBestCell(width: Int, height: Int)
        throws
    {
        var s = Fixture.state(width: width, height: height)
        guard case .runStudy(.sweep, let name, let symbol, let interval, _, _, let generation)? = Self.run(&s, key: "h")
        else {
            Issue.record("h did not start a sweep")
            return
        }
        let strategy = StrategyLibrary.named(name)!.strategy
        let ranges = [
            BacktestRunner.ParameterRange(name: "fast", values: [10, 20, 30, 40, 50]),
            BacktestRunner.ParameterRange(name: "slow", values: [100, 150, 200]),
        ]
        let sweep = try BacktestRunner.sweep(
            strategy, daily: s.series[symbol]!, interval: interval, ranges: ranges,
            configuration: BacktestConfiguration(strategy.backtest), latestClosed: s.latestClosed, metric: .sharpe)
        _ = App.update(&s, .studyFinished(generation: generation, .success(.sweep(sweep))))
        #expect(s.study?.running == false)
        assertSnapshot(Fixture.render(s), named: "study-sweep-\(width)x\(height)")
        // The best cell and the selected cell's facts, whole and equal to the engine's.
        let bestRow = try #require(sweep.best)
        let bestText = bestRow.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(Int($0.value))" }
        for (_, glyphs) in TruthTests.glyphSets {
            let shown = TruthTests.summaryFacts(s, glyphs: glyphs)
            #expect(shown.first == "best " + bestText.joined(separator: " "), "\(shown)")
            let study = try #require(s.study)
            let cell = try #require(study.grid?.row(column: study.column, row: study.row)?.stats)
            let ret = "return " + TruthTests.signedPercent(cell["Return [%]"]?.number)
            #expect(!shown.contains { $0.hasPrefix("return") } || shown.contains(ret), "\(shown) vs \(ret)")
            #expect(shown.allSatisfy { !$0.hasSuffix(" ") && $0.count > 2 }, "\(shown)")
        }
        // Without colour the heat map still reads: shade glyphs and the selected cell's numbers.
        let mono = Fixture.render(s, theme: .mono)
        let monoText = mono.textRows.joined()
        #expect(monoText.contains("▸ fast=10 slow=200 · sharpe"))
        #expect(width == 80 || monoText.contains("trades"))  // at 80 columns the trade count is "…" away
        #expect(["░", "▒", "▓", "█"].contains { monoText.contains($0) })
        if width == 80 { assertSnapshot(mono, named: "study-sweep-mono-80x24") }
        let best = try #require(sweep.best?.parameters)
        let effects = Fixture.keys(&s, "a")
        #expect(s.parameterOverrides[name] == best)
        #expect(effects.first == .cancelBacktest(generation: 1))  // the backtest `b` started, superseded
        #expect(
            effects.last
                == .runBacktest(
                    strategy: name, symbol: symbol, interval: interval, parameters: best, range: nil,
                    generation: s.backtest!.generation))
        #expect(s.study == nil && s.backtest?.running == true)
    }

    /// Esc stops the running study and backtest, and a newer request cancels the one it
    /// replaces: the session runner gets an effect to cancel each, not just a result to ignore.
    @Test func escAndNewerRequestsCancelRunningWork() {
        var s = Fixture.state(width: 120, height: 36)
        guard case .runStudy(.sweep, _, _, _, _, _, let sweepGeneration)? = Self.run(&s, key: "h") else {
            Issue.record("no sweep")
            return
        }
        let backtestGeneration = s.backtest!.generation
        guard case .runStudy(.sweep, _, _, _, _, _, let second)? = Fixture.keys(&s, "h").last else {
            Issue.record("no second sweep")
            return
        }
        #expect(Fixture.keys(&s, "h").first == .cancelStudy(generation: second))
        #expect(second != sweepGeneration)
        let running = s.study!.generation
        #expect(Fixture.keys(&s, "esc") == [.cancelStudy(generation: running)])
        #expect(s.study?.running == false && s.study?.error == "cancelled")
        let effects = Fixture.keys(&s, "b")
        #expect(effects.first == .cancelBacktest(generation: backtestGeneration))
        guard case .runBacktest(_, _, _, _, _, let generation)? = effects.last else {
            Issue.record("b did not start a backtest: \(effects)")
            return
        }
        #expect(Fixture.keys(&s, "esc") == [.cancelBacktest(generation: generation)])
        #expect(s.backtest?.running == false && s.backtest?.cancelled == true)
    }

    @Test func theSelectedCellCanBeAppliedAndStaleResultsAreIgnored() throws {
        var s = Fixture.state(width: 120, height: 36)
        guard case .runStudy(.sweep, let name, let symbol, _, _, _, let generation)? = Self.run(&s, key: "h") else {
            Issue.record("no sweep")
            return
        }
        _ = App.update(&s, .studyFinished(generation: generation - 1, .failure(EffectFailure("stale"))))
        #expect(s.study?.running == true)
        let strategy = StrategyLibrary.named(name)!.strategy
        let sweep = try BacktestRunner.sweep(
            strategy, daily: s.series[symbol]!,
            ranges: [
                BacktestRunner.ParameterRange(name: "fast", values: [10, 20]),
                BacktestRunner.ParameterRange(name: "slow", values: [100, 200]),
            ],
            configuration: BacktestConfiguration(), latestClosed: s.latestClosed, metric: .sharpe)
        _ = App.update(&s, .studyFinished(generation: generation, .success(.sweep(sweep))))
        s.study?.row = 0
        s.study?.column = 0
        _ = Fixture.keys(&s, "m")
        #expect(s.study?.metric == .return && Fixture.render(s).textRows.joined().contains("Return [%] (m: next)"))
        let bestByReturn = try #require(sweep.best(by: .return))
        #expect(
            sweep.rows.allSatisfy {
                ($0.stats?["Return [%]"]?.number ?? -.infinity) <= bestByReturn.stats!["Return [%]"]!.number!
            })
        _ = Fixture.keys(&s, "right", "down", "space")
        #expect(s.parameterOverrides[name] == ["fast": 20, "slow": 200])
    }

    @Test(arguments: ScreenSnapshotTests.sizes) func watchlistRunsAndWalkForwardShowTheirTables(width: Int, height: Int)
        throws
    {
        var s = Fixture.state(width: width, height: height)
        guard
            case .runStudy(.watchlist(let list), let name, _, let interval, _, _, let generation)? = Self.run(
                &s, key: "w")
        else {
            Issue.record("no run")
            return
        }
        #expect(list == ["ACME", "TERA", "NOVA", "ZEN"])
        let strategy = StrategyLibrary.named(name)!.strategy
        let rows = BacktestRunner.acrossSymbols(
            try CompiledStrategy(strategy), universe: list.map { (try! Symbol($0), s.series[$0]!) }, interval: interval,
            configuration: BacktestConfiguration(strategy.backtest), latestClosed: s.latestClosed, metric: .sharpe)
        _ = App.update(&s, .studyFinished(generation: generation, .success(.watchlist(rows))))
        assertSnapshot(Fixture.render(s), named: "study-watchlist-\(width)x\(height)")
        guard case .runStudy(.walkForward, _, let symbol, _, _, _, let g2)? = Fixture.keys(&s, "f").first else {
            Issue.record("no walk-forward")
            return
        }
        let windows = try BacktestRunner.walkForward(
            strategy, daily: s.series[symbol]!,
            ranges: [
                BacktestRunner.ParameterRange(name: "fast", values: [20, 50]),
                BacktestRunner.ParameterRange(name: "slow", values: [100]),
            ],
            inSampleBars: 250, outOfSampleBars: 100, configuration: BacktestConfiguration(),
            latestClosed: s.latestClosed, metric: .sharpe)
        let study = BacktestRunner.WalkForward(windows: windows, inSampleBars: 250, outOfSampleBars: 100, cash: 10_000)
        _ = App.update(&s, .studyFinished(generation: g2, .success(.walkForward(study))))
        assertSnapshot(Fixture.render(s), named: "study-walkforward-\(width)x\(height)")
        // The out-of-sample curve has its date axis: the first session's year is named (at the
        // sizes that draw the curve).
        if let first = study.stitchedSessions.first, height >= 30 {
            let year = TradingCalendar.nyse.sessions[Int(first)].parts.year
            #expect(Fixture.render(s).textRows.joined().contains("\(year)"), "\(width)x\(height)")
        }
        // The facts, whole and equal to the engine's (what `walkforward` prints).
        for (_, glyphs) in TruthTests.glyphSets {
            let shown = TruthTests.summaryFacts(s, glyphs: glyphs)
            let stitched = try #require(study.stitchedEquity.last)
            #expect(
                shown.first == "out of sample " + TruthTests.signedPercent((stitched / 10_000 - 1) * 100), "\(shown)")
            // (A missing efficiency is "—", which ASCII draws as the separator's "-": not checked there.)
            if glyphs.unicode || study.efficiency != nil {
                let efficiency = study.efficiency.map { String(format: "%.2f", $0) } ?? "—"
                #expect(!shown.contains { $0.hasPrefix("efficiency") } || shown.contains("efficiency \(efficiency)"))
            }
        }
        _ = Fixture.keys(&s, "esc")
        #expect(s.study == nil && s.pane == .backtest)
    }
}

@Suite struct PicksAndAutoRefreshTests {
    @Test func picksFilterByStrategyAndRescanOnDemand() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "p")
        PaneTests.lists(&s)
        #expect(s.visiblePicks.count == 2)
        _ = Fixture.keys(&s, "f")
        #expect(s.pickFilter == "golden_cross" && s.visiblePicks.map(\.symbol.rawValue) == ["TERA"])
        _ = Fixture.keys(&s, "f", "enter")
        #expect(s.pickFilter == "rsi_reversion" && s.currentSymbol == "ZEN")
        _ = Fixture.keys(&s, "p")
        #expect(Fixture.keys(&s, "r") == [.runScan] && s.scanning)
        #expect(Fixture.keys(&s, "r").isEmpty)  // one scan at a time
        _ = App.update(&s, .picksLoaded([]))
        #expect(!s.scanning && s.message?.text == "scan stored 0 picks")
    }

    @Test func autoRefreshStartsOnceWhenASessionClosedThatTheDataLacks() {
        var s = Fixture.state(width: 100, height: 30)
        s.autoRefresh = true
        // Data through Friday 2024-03-15; Monday 2024-03-18 after the close it is stale.
        let monday = ISO8601DateFormatter().date(from: "2024-03-18T20:10:00Z")!
        #expect(App.update(&s, .tick(monday)) == [.startRefresh])
        #expect(App.update(&s, .tick(monday.addingTimeInterval(60))).isEmpty)  // running
        _ = App.update(&s, .refreshFinished(summary: "Refresh failed", failed: true, cancelled: false))
        #expect(App.update(&s, .tick(monday.addingTimeInterval(120))).isEmpty)  // once per session
        s.autoRefresh = false
        #expect(App.update(&s, .tick(ISO8601DateFormatter().date(from: "2024-03-19T20:10:00Z")!)).isEmpty)
    }

    @Test(arguments: ScreenSnapshotTests.sizes) func composerScreens(width: Int, height: Int) {
        var s = ComposerTests.editing(width: width, height: height)
        assertSnapshot(Fixture.render(s), named: "composer-form-\(width)x\(height)")
        _ = Fixture.keys(&s, "esc", "y")
        assertSnapshot(Fixture.render(s), named: "composer-list-\(width)x\(height)")
    }

    /// Quitting while a refresh runs asks first; a second q cancels the refresh and quits, any
    /// other key keeps it running; Ctrl-C cancels and quits without asking.
    @Test func quittingMidRefreshAsksFirst() {
        var s = Fixture.state(width: 100, height: 30)
        #expect(Fixture.keys(&s, "R") == [.startRefresh])
        _ = App.update(&s, .refreshStage(name: "fetch_ohlcv", status: "running", seconds: nil, detail: ""))
        _ = App.update(&s, .refreshProgress(stage: "fetch_ohlcv", done: 40, total: 500, eta: 5520))
        #expect(Fixture.render(s).textRows[0].contains("fetch_ohlcv 40/500 ETA 1.5 h"))
        // The pipeline pane says the ETA in the header's format (it said "ETA 5520 s" beside "1.5 h").
        var pane = s
        pane.pane = .pipeline
        let screen = Fixture.render(pane).textRows.joined(separator: "\n")
        #expect(screen.contains("ETA 1.5 h") && !screen.contains("5520"), "\(screen)")
        #expect(Fixture.keys(&s, "q").isEmpty)
        #expect(!s.quit && s.confirmingQuit)
        #expect(s.message?.text.contains("q again cancels it") == true)
        #expect(Fixture.keys(&s, "j").isEmpty)
        #expect(!s.quit && !s.confirmingQuit && s.refresh?.running == true)
        _ = Fixture.keys(&s, "q")
        #expect(Fixture.keys(&s, "q") == [.cancelRefresh])
        #expect(s.quit)
        var t = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&t, "R")
        _ = App.update(&t, .refreshStage(name: "fetch_ohlcv", status: "running", seconds: nil, detail: ""))
        #expect(Fixture.keys(&t, "ctrl-c") == [.cancelRefresh] && t.quit)
        var idle = Fixture.state(width: 100, height: 30)
        #expect(Fixture.keys(&idle, "q").isEmpty && idle.quit)
    }

    /// Typed tickers resolve like the CLI's: case-insensitively when unambiguous, asking for the
    /// exact case when a preferred and its common stock differ only in case.
    @Test func typedSymbolsResolveCaseInsensitivelyAndAskWhenAmbiguous() throws {
        var s = Fixture.state(width: 100, height: 30)
        s.symbols += [
            SymbolInfo(symbol: try Symbol("AMPB"), type: "CS"),
            SymbolInfo(symbol: try Symbol("AMpB"), type: "PFD"),
        ]
        _ = Palette.run("add ampb", &s)
        #expect(s.message?.text.contains("AMPB and AMpB") == true)
        #expect(!s.watchlist.contains("AMPB") && !s.watchlist.contains("AMpB"))
        _ = Palette.run("add AMpB", &s)
        #expect(s.watchlist.contains("AMpB") && !s.watchlist.contains("AMPB"))
        #expect((try? App.resolveTyped("acme", in: s.symbols).get()) == "ACME")
    }
}

/// A sweep of three parameters is read a pair at a time, and a cell applies its best combination.
@Suite struct ThreeParameterSweepTests {
    @Test func xCyclesThePairsAndSpaceAppliesTheCellsBestCombination() throws {
        var s = Fixture.state(width: 120, height: 36)
        s.strategies = StrategyLibrary.all.map(\.id)
        s.strategy = "macd_crossover"
        _ = Fixture.keys(&s, "b")
        guard
            case .runStudy(.sweep, let name, let symbol, let interval, _, _, let generation)? =
                Fixture.keys(&s, "h").last
        else {
            Issue.record("h did not start a sweep")
            return
        }
        let strategy = StrategyLibrary.named(name)!.strategy
        let sweep = try BacktestRunner.sweep(
            strategy, daily: s.series[symbol]!, interval: interval,
            ranges: [
                BacktestRunner.ParameterRange(name: "fast", values: [8, 12]),
                BacktestRunner.ParameterRange(name: "slow", values: [26, 30, 40]),
                BacktestRunner.ParameterRange(name: "signal", values: [5, 9]),
            ],
            configuration: BacktestConfiguration(strategy.backtest), latestClosed: s.latestClosed, metric: .sharpe)
        _ = App.update(&s, .studyFinished(generation: generation, .success(.sweep(sweep))))
        #expect(SweepGrid.pairs(sweep).count == 3)
        let first = try #require(s.study?.grid)
        #expect([first.x.name, first.y.name] == ["fast", "signal"])
        _ = Fixture.keys(&s, "x")
        let second = try #require(s.study?.grid)
        #expect([second.x.name, second.y.name] == ["fast", "slow"] && second.y.values == [26, 30, 40])
        // Each cell holds the best of the combinations sharing its two values.
        let cell = try #require(second.row(column: 1, row: 2))
        let candidates = sweep.rows.filter { $0.parameters["fast"] == 12 && $0.parameters["slow"] == 40 }
        let best = candidates.compactMap { $0.stats.flatMap(BacktestRunner.Metric.sharpe.score) }.max()
        #expect(cell.stats.flatMap(BacktestRunner.Metric.sharpe.score) == best)
        _ = Fixture.keys(&s, "right", "down", "down", "space")
        #expect(s.parameterOverrides[name] == cell.parameters)
    }
}

/// The mouse, the views that keep the numbers at 80 columns, and the palette's history.
@Suite struct MouseLayoutAndHistoryTests {
    func click(_ s: inout AppState, _ x: Int, _ y: Int, _ kind: MouseEvent.Kind = .press) -> [Effect] {
        App.update(&s, .input(.mouse(MouseEvent(kind: kind, x: x, y: y))))
    }

    @Test func clicksSelectWhatTheyLandOnAndAPopupKeepsTheMouse() throws {
        var s = Fixture.state(width: 100, height: 30)
        // Behind the help popup nothing is reached; the wheel scrolls the help.
        _ = Fixture.keys(&s, "?")
        _ = click(&s, 2, Screens.watchlistTop + 2)
        #expect(s.selected == 0)
        _ = click(&s, 50, 10, .wheelDown)
        #expect(s.overlay == .help(scroll: 3))
        _ = Fixture.keys(&s, "esc")
        // A watchlist row, then the 5:13d tab.
        _ = click(&s, 2, Screens.watchlistTop + 2)
        #expect(s.selected == 2 && s.currentSymbol == "NOVA")
        let inner = Screens.mainInner(s)
        let tab = " 1:1d  2:3d  3:5d  4:8d  5:13d".count - 3
        _ = click(&s, inner.x + tab, inner.y)
        #expect(s.interval == (try FibInterval(13)) && s.focus == .main)
        // A trade row in the backtest pane.
        var b = PaneTests.backtested(width: 100, height: 30)
        let trades = Screens.overviewLayout(Screens.mainInner(b).inset(top: 2)).trades
        _ = click(&b, trades.x + 3, trades.y + 3)
        #expect(b.backtest?.selected == 2)
        _ = click(&b, trades.x + 3, trades.y + 3, .wheelDown)
        #expect(b.backtest?.selected == 3)
    }

    @Test func atEightyColumnsTheStatisticsAreAViewAwayAndTheLayoutKeys() {
        var s = PaneTests.backtested(width: 80, height: 24)
        #expect(Fixture.render(s).textRows.joined().contains("Max DD"))
        _ = Fixture.keys(&s, "v")
        #expect(s.backtest?.view == .statistics)
        #expect(Fixture.render(s).textRows.joined().contains("Sharpe Ratio"))
        assertSnapshot(Fixture.render(s), named: "pane-backtest-statistics-80x24")
        // The table scrolls to the rest.
        for _ in 0..<20 { _ = Fixture.keys(&s, "down") }
        #expect(Fixture.render(s).textRows.joined().contains("Max. Drawdown [%]"))
        _ = Fixture.keys(&s, "v")
        #expect(s.backtest?.view == .trades && Fixture.render(s).textRows.joined().contains("open"))
        _ = Fixture.keys(&s, "\\")
        #expect(s.watchlistHidden && Screens.sidebarWidth(s) == 0)
        assertSnapshot(Fixture.render(s), named: "pane-backtest-trades-wide-80x24")
        _ = Fixture.keys(&s, "\\", "z")
        #expect(s.zoomed && Screens.sidebarWidth(s) == 0)
        _ = Fixture.keys(&s, "tab")
        #expect(Screens.sidebarWidth(s) == 80)  // the focused watchlist takes the screen
        _ = Fixture.keys(&s, "z")
        #expect(Screens.sidebarWidth(s) == Screens.watchlistWidth(80))
    }

    @Test func thePaletteRemembersItsCommands() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, ":", "i", "n", "t", "e", "r", "v", "a", "l", " ", "5", "d", "enter")
        #expect(s.interval == (try? FibInterval(5)))
        _ = Fixture.keys(&s, ":", "m", "o", "d", "e", " ", "l", "i", "n", "e", "enter")
        _ = Fixture.keys(&s, ":", "up")
        #expect(s.overlay == .palette(TextField("mode line"), selected: 0))
        _ = Fixture.keys(&s, "ctrl-p")
        #expect(s.overlay == .palette(TextField("interval 5d"), selected: 0))
        _ = Fixture.keys(&s, "ctrl-n", "ctrl-n")
        #expect(s.overlay == .palette(TextField(), selected: 0))
    }
}

/// Small things a demanding user noticed: delisted symbols, stale footers, mono candles, prices.
@Suite struct SmallDefectTests {
    @Test func aDelistedSymbolIsMarkedAndGreyed() {
        var s = Fixture.state(width: 100, height: 30)
        let k = s.symbols.firstIndex { $0.symbol.rawValue == "TERA" }!
        s.symbols[k].active = false
        s.symbols[k].delistDate = SessionDate(year: 2024, month: 3, day: 1)
        let text = Fixture.render(s).textRows
        #expect(text.contains { $0.contains("TERA†") && $0.contains("delist") })
        _ = Fixture.keys(&s, "down")
        #expect(Fixture.render(s).textRows.joined().contains("DELISTED 2024-03-01"))
    }

    @Test func anInformationLineExpiresAndAWarningStays() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "s")
        #expect(s.message?.text == "sorted by symbol")
        for _ in 0..<49 { _ = App.update(&s, .tick(s.now)) }
        #expect(s.message != nil)
        _ = App.update(&s, .tick(s.now))
        #expect(s.message == nil)
        s.message = ("a warning", .warn)
        for _ in 0..<100 { _ = App.update(&s, .tick(s.now)) }
        #expect(s.message?.text == "a warning")
    }

    @Test func monoCandlesTellDownFromUpByGlyphAndSubDollarPricesKeepTheirTicks() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "o")
        let mono = Fixture.render(s, theme: .mono).textRows.joined()
        #expect(mono.contains("║") && mono.contains("┃"))
        #expect(!Fixture.render(s).textRows.joined().contains("║"))
        #expect(Format.price(0.0123) == "0.0123" && Format.price(12.3456) == "12.35" && Format.price(12_345) == "12345")
    }
}

/// One legend entry per indicator, and help lines that wrap under their description.
@Suite struct LegendAndHelpTests {
    @Test func aBandIsNamedOnceAndHelpWrapsWithAHangingIndent() {
        var s = Fixture.state(width: 160, height: 48)
        _ = Palette.run("overlay bb 20", &s)
        let tabs = Fixture.render(s).textRows[2]
        #expect(tabs.components(separatedBy: "BB(").count == 2, "\(tabs)")
        var narrow = Fixture.state(width: 80, height: 24)
        _ = Fixture.keys(&narrow, "?")
        let rows = Fixture.render(narrow).textRows
        let wrapped = rows.firstIndex { $0.contains("pipeline runs, the next run's plan") }
        #expect(wrapped.map { rows[$0 + 1].contains(String(repeating: " ", count: 18) + "progress") } == true)
    }
}

/// The portfolio pane: a run over the watchlist, its picture at 80×24 and 160×48, a trade opened
/// on the chart with its marks, and Esc cancelling a run.
@Suite struct PortfolioPaneTests {
    static func landed(width: Int, height: Int) throws -> AppState {
        var s = Fixture.state(width: width, height: height)
        s.strategies = StrategyLibrary.all.map(\.id)
        s.strategy = "macd_crossover"
        _ = Fixture.keys(&s, "b")
        let effects = Fixture.keys(&s, "P")
        guard case .runPortfolio(let name, let universe?, let positions, _, _, let generation)? = effects.last else {
            Issue.record("P did not start a portfolio: \(effects)")
            return s
        }
        #expect(universe == ["ACME", "TERA", "NOVA", "ZEN"] && positions == 10)  // the engine's default, as the CLI
        #expect(effects.first == .cancelBacktest(generation: 1))
        let strategy = try CompiledStrategy(StrategyLibrary.named(name)!.strategy)
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 2
        let members = try universe.map { PortfolioBacktester.Member(symbol: try Symbol($0), daily: s.series[$0]!) }
        let result = PortfolioBacktester.run(
            strategy, universe: members, configuration: config, latestClosed: s.latestClosed)
        _ = App.update(&s, .portfolioProgress(generation: generation, done: 10, total: 600))
        #expect(Fixture.render(s).textRows.joined().contains("10/600 bars"))
        _ = App.update(&s, .portfolioFinished(generation: generation, .success(result)))
        return s
    }

    @Test(arguments: [(80, 24), (160, 48)]) func aPortfolioRunDrawsItsEquityHoldingsAndTrades(width: Int, height: Int)
        throws
    {
        var s = try Self.landed(width: width, height: height)
        let text = Fixture.render(s).textRows.joined()
        #expect(text.contains("Portfolio · macd_crossover") && text.contains("Sharpe") && text.contains("equal-weight"))
        assertSnapshot(Fixture.render(s), named: "pane-portfolio-\(width)x\(height)")
        // `v` shows the whole statistics table at any width, and back.
        _ = Fixture.keys(&s, "v")
        #expect(Fixture.render(s).textRows.joined().contains("Sortino Ratio"))
        _ = Fixture.keys(&s, "v")
        // Enter charts the selected trade's symbol with its entry (and exit) marked.
        let (trade, _) = try #require(s.portfolio?.listed.first)
        _ = Fixture.keys(&s, "enter")
        #expect(s.pane == .chart && s.currentSymbol == trade.symbol.rawValue && s.markedTrade != nil)
        #expect(Fixture.render(s).textRows.joined().contains("▲"))
        _ = Fixture.keys(&s, "b")
        #expect(s.markedTrade == nil)
    }

    @Test func escCancelsARunningPortfolio() {
        var s = Fixture.state(width: 100, height: 30)
        s.strategies = StrategyLibrary.all.map(\.id)
        _ = Fixture.keys(&s, "b")
        guard case .runPortfolio(_, _, _, _, _, let generation)? = Palette.run("portfolio universe 10", &s).last else {
            Issue.record("no portfolio")
            return
        }
        #expect(s.portfolio?.maxPositions == 10 && s.portfolio?.universe == .stored)
        #expect(Fixture.keys(&s, "esc") == [.cancelPortfolio(generation: generation)])
        #expect(s.portfolio?.cancelled == true)
        _ = App.update(&s, .portfolioFinished(generation: generation, .failure(EffectFailure("late"))))
        #expect(s.portfolio?.error == nil)  // a cancelled run's result is dropped
        _ = Fixture.keys(&s, "esc")
        #expect(s.portfolio == nil)
    }
}

/// More of issue 16's defects, each pinned.
@Suite struct JourneyDefectTests {
    @Test func theStudyTitleNamesTheAppliedParameters() throws {
        var s = Fixture.state(width: 120, height: 36)
        s.strategies = StrategyLibrary.all.map(\.id)
        s.parameterOverrides["golden_cross"] = ["fast": 20, "slow": 150]
        _ = Fixture.keys(&s, "b", "h")
        #expect(s.study?.parameters == ["fast": 20, "slow": 150])
        #expect(Fixture.render(s).textRows[1].contains("fast=20 slow=150"))
    }

    @Test func openingATradeShowsItsOwnMarksNotThePreviews() throws {
        var s = PaneTests.backtested(width: 120, height: 36)
        s.preview = SignalPreview(
            symbol: "ACME", interval: .daily, entries: Array(s.bars().suffix(40).map(\.lastSession)), exits: [],
            setup: [], buy: true)
        let r = try #require(s.backtest?.result)
        _ = Fixture.keys(&s, "enter")
        #expect(s.preview == nil && s.chartTrade == 0)
        let marks = Screens.tradeMarkers(s, bars: s.bars(), ctx: Screens.Context(theme: .default, glyphs: .unicode))
        #expect(marks.count == 2 && marks.map(\.bar) == [r.trades[0].entryBar, r.trades[0].exitBar])
    }

    @Test func aLongMessageKeepsItsStartAndHintsNameRealCommands() {
        var s = Fixture.state(width: 80, height: 24)
        s.message = ("START of a very long message " + String(repeating: "x", count: 200), .warn)
        let footer = Fixture.render(s).textRows[23]
        #expect(footer.hasPrefix(" START of a very long message") && footer.hasSuffix("…"))
        _ = Palette.run("overlay nope", &s)
        #expect(s.message?.text.contains("`tradlyte strategy indicators`") == true)
        var empty = App.start(
            width: 80, height: 24, now: Fixture.now, symbols: [], watchlist: [], demo: true, latestClosed: 0,
            dataThrough: nil, unreadAlerts: 0, theme: "default", themes: ["default"]
        ).0
        #expect(empty.message?.text.contains("tradlyte import csv FILE.csv") == true)
        empty.message = nil
    }
}
