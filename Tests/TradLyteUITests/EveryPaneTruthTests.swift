import Foundation
import TermRender
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteUI

/// Issue 24's acceptance for the panes not covered by `TruthTests`: every pane at the four sizes,
/// in Unicode and in ASCII. Two checks: (1) no number is cut — nowhere on screen does "…" (ASCII
/// "~") follow a digit, "%", "=", "." or a sign, which is what a cut field leaves; (2) each pane's
/// key facts, formatted here from the engine's values as the CLI prints them, are on screen whole
/// for the rows the pane shows.
@Suite struct EveryPaneTruthTests {
    /// A pane as a user reaches it and the facts it must show whole, row by row.
    struct Pane {
        var name: String
        var state: AppState
        var facts: [String]
    }

    static func price(_ v: Double) -> String { String(format: "%.2f", v) }

    static func panes(width: Int, height: Int) throws -> [Pane] {
        var out: [Pane] = []
        // The watchlist beside the chart: each symbol's last close and day change.
        let chart = Fixture.state(width: width, height: height)
        var watch: [String] = []
        for sym in chart.watchlist.prefix(4) {
            let series = try #require(chart.series[sym])
            let change = try #require(chart.dayChange(sym))
            watch += [sym, price(series.close[series.count - 1]), String(format: "%+.2f%%", change.1)]
        }
        out.append(Pane(name: "watchlist+chart", state: chart, facts: watch))
        var quote = chart
        quote.pane = .quote
        out.append(Pane(name: "quote", state: quote, facts: []))
        // The trade list: each trade's entry, exit and return, as `backtest` prints them.
        var trades = PaneTests.backtested(width: width, height: height)
        trades.backtest?.view = .trades
        let result = try #require(trades.backtest?.result)
        let tradeFacts = result.trades.prefix(3).flatMap { tr in
            ["\(tr.entrySession)", "\(tr.exitSession)", String(format: "%+.2f", tr.returnFraction * 100)]
        }
        out.append(Pane(name: "trades", state: trades, facts: tradeFacts))
        var statistics = PaneTests.backtested(width: width, height: height)
        statistics.backtest?.view = .statistics
        out.append(Pane(name: "statistics", state: statistics, facts: []))
        // A watchlist run: each symbol's return and Sharpe.
        var run = Fixture.state(width: width, height: height)
        guard
            case .runStudy(.watchlist(let list), let name, _, let interval, _, _, let generation)? = StudyTests.run(
                &run, key: "w")
        else { throw TruthError("w did not start a watchlist run") }
        let strategy = try #require(StrategyLibrary.named(name)).strategy
        let rows = BacktestRunner.acrossSymbols(
            try CompiledStrategy(strategy), universe: list.map { (try! Symbol($0), run.series[$0]!) },
            interval: interval, configuration: BacktestConfiguration(strategy.backtest),
            latestClosed: run.latestClosed, metric: .sharpe)
        _ = App.update(&run, .studyFinished(generation: generation, .success(.watchlist(rows))))
        let runFacts = rows.prefix(3).flatMap { r -> [String] in
            guard let st = r.result?.stats else { return [r.symbol.rawValue] }
            return [
                r.symbol.rawValue, price(st["Return [%]"]?.number ?? .nan), price(st["Sharpe Ratio"]?.number ?? .nan),
            ]
        }
        out.append(Pane(name: "watchlist-run", state: run, facts: runFacts))
        // A walk-forward: each window's out-of-sample dates, parameters and out-of-sample Sharpe.
        var wf = run
        guard case .runStudy(.walkForward, _, let symbol, _, _, _, let g2)? = Fixture.keys(&wf, "f").first else {
            throw TruthError("f did not start a walk-forward")
        }
        let windows = try BacktestRunner.walkForward(
            strategy, daily: wf.series[symbol]!,
            ranges: [
                BacktestRunner.ParameterRange(name: "fast", values: [20, 50]),
                BacktestRunner.ParameterRange(name: "slow", values: [100]),
            ],
            inSampleBars: 250, outOfSampleBars: 100, configuration: BacktestConfiguration(),
            latestClosed: wf.latestClosed, metric: .sharpe)
        let study = BacktestRunner.WalkForward(windows: windows, inSampleBars: 250, outOfSampleBars: 100, cash: 10_000)
        _ = App.update(&wf, .studyFinished(generation: g2, .success(.walkForward(study))))
        let windowFacts = windows.prefix(3).flatMap { w -> [String] in
            let params = w.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(Int($0.value))" }
            let sharpe = w.outOfSampleStats["Sharpe Ratio"]?.number
            return ["\(w.outOfSample.lowerBound)–\(w.outOfSample.upperBound)", params.joined(separator: " ")]
                + (sharpe.map { $0.isFinite ? [price($0)] : [] } ?? [])
        }
        out.append(Pane(name: "walk-forward", state: wf, facts: windowFacts))
        // Picks, alerts and the pipeline's runs.
        var lists = Fixture.state(width: width, height: height)
        _ = Fixture.keys(&lists, "p")
        PaneTests.lists(&lists)
        out.append(
            Pane(
                name: "picks", state: lists,
                facts: lists.visiblePicks.flatMap { [$0.symbol.rawValue, String(format: "%.2f", $0.price)] }))
        var alerts = lists
        _ = Fixture.keys(&alerts, "A")
        out.append(
            Pane(name: "alerts", state: alerts, facts: alerts.alerts.flatMap { ["\($0.session)", $0.symbol.rawValue] }))
        var pipeline = lists
        pipeline.pane = .pipeline
        out.append(Pane(name: "pipeline", state: pipeline, facts: ["failed", "succeeded", "3.20 s", "1.25 s"]))
        var composer = Fixture.state(width: width, height: height)
        composer.pane = .strategies
        out.append(Pane(name: "strategies", state: composer, facts: []))
        var help = Fixture.state(width: width, height: height)
        _ = Fixture.keys(&help, "?")
        out.append(Pane(name: "help", state: help, facts: []))
        return out
    }

    struct TruthError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// What a cut field leaves behind: the sign of more right after a number's character.
    static func cutNumbers(_ rows: [String], more: Character) -> [String] {
        rows.filter { row in
            let chars = Array(row)
            return chars.indices.dropFirst().contains { i in
                chars[i] == more && "0123456789%=.+-".contains(chars[i - 1])
                    // An ASCII "~" in the composer's error caret line ("^~~~") is not a cut.
                    && !(more == "~" && (chars[i - 1] == "~" || chars[i - 1] == "^"))
            }
        }
    }

    @Test(arguments: ScreenSnapshotTests.sizes)
    func everyPaneShowsItsFactsWholeAndCutsNoNumber(width: Int, height: Int) throws {
        for pane in try Self.panes(width: width, height: height) {
            for (glyphName, glyphs) in TruthTests.glyphSets {
                let rows = Fixture.render(pane.state, theme: .default, glyphs: glyphs).textRows
                let context = "\(pane.name) \(width)x\(height) \(glyphName)"
                let cut = Self.cutNumbers(rows, more: glyphs.unicode ? "…" : "~")
                #expect(cut.isEmpty, "\(context): a number cut at a border:\n\(cut.joined(separator: "\n"))")
                let screen = rows.joined(separator: "\n")
                for fact in pane.facts {
                    let shown = glyphs.unicode ? fact : TruthTests.ascii(fact)
                    #expect(screen.contains(shown), "\(context): '\(shown)' is not on screen whole")
                }
            }
        }
    }

    /// The table rule behind it: a column is drawn whole or left out (the least important first,
    /// with a sign in the header); only a last free-text column narrows, by whole words.
    @Test func tablesDrawColumnsWholeOrLeaveThemOut() {
        let columns = [
            Table.Column("STAGE", width: 14, priority: 0), Table.Column("STATUS", width: 9, priority: 3),
            Table.Column("TRIES", width: 5, .right, priority: 4), Table.Column("TOOK", width: 9, .right, priority: 1),
            Table.Column("COUNTS", width: 14, priority: 2),
        ]
        #expect(Table.widths(columns, width: 80) == [14, 9, 5, 9, 39])
        #expect(Table.widths(columns, width: 50) == [14, 9, 0, 9, 15])
        #expect(Table.widths(columns, width: 40) == [14, 0, 0, 9, 15])
        var buffer = Buffer(width: 40, height: 2)
        Table(
            columns: columns,
            rows: [
                [
                    ("fetch_ohlcv", nil), ("ok", nil), ("2513", nil), ("1.86 s", nil),
                    ("bars=109677 calls=2513", nil),
                ]
            ], style: Style(), headerStyle: Style(), selectedStyle: Style()
        ).render(Rect(x: 0, y: 0, width: 40, height: 2), &buffer)
        let row = buffer.textRows[1]
        #expect(row.contains("1.86 s") && row.contains("bars=109677 …") && !row.contains("2513"), "\(row)")
        #expect(buffer.textRows[0].hasSuffix("…"), "\(buffer.textRows[0])")
        #expect(DisplayWidth.fitWords("No alerts have fired yet", to: 16) == "No alerts have …")
        #expect(DisplayWidth.fitWords("Lumina Software", to: 6) == "Lumin…")
        // Titles: whole items; a name abbreviated by whole words, a long identifier by letters.
        let composer = Block.fitted("Strategy composer · editing my_donchian_breakout", to: 46)
        #expect(composer.hasPrefix("Strategy composer · editing my_donchian"), "\(composer)")
        #expect(composer.hasSuffix("…"), "\(composer)")
        #expect(
            Block.fitted("Backtest · golden_cross · cash 25000 · slippage 5 bps", to: 40)
                == "Backtest · golden_cross · cash 25000 …")
        #expect(
            Block.fitted("Picks · 2026-12-07 · all strategies filtered by f", to: 40)
                == "Picks · 2026-12-07 · all strategies …")
    }
}
