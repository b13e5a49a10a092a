import Foundation
import TermRender
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteUI

@Suite struct ComposerTests {
    static func editing(width: Int = 120, height: Int = 36) -> AppState {
        var s = Fixture.state(width: width, height: height)
        #expect(Fixture.keys(&s, "S") == [.loadStrategies])
        let entries =
            StrategyLibrary.all.map {
                ComposerPanel.Entry(id: $0.id, builtIn: true, strategy: $0.strategy, problem: nil)
            }
            + [
                ComposerPanel.Entry(
                    id: "broken", builtIn: false, strategy: nil, problem: "$.trigger.rule: unknown indicator 'smaa'")
            ]
        _ = App.update(&s, .strategiesLoaded(entries))
        _ = Fixture.keys(&s, "enter")  // golden_cross, as the user's copy
        return s
    }

    static func type(_ s: inout AppState, _ text: String) {
        for c in text { _ = App.update(&s, .input(.key(.char(c)))) }
    }

    @Test func aTypoInARuleShowsItsCaretAndTheFixedStrategySavesAsTheUsersCopy() throws {
        var s = Self.editing()
        let draft = try #require(s.composer.draft)
        #expect(draft.text(.id) == "my_golden_cross" && draft.focused == .trigger)
        #expect(draft.isDirty)  // a copy of a built-in is unsaved until saved
        _ = Fixture.keys(&s, "ctrl-u")
        Self.type(&s, "sma($fast) crosses_abve sma($slow)")
        guard case .invalid(let problems) = s.composer.draft!.compile() else {
            Issue.record("the typo passed")
            return
        }
        let p = try #require(problems.first { $0.field == .trigger })
        #expect(p.column == 11)  // under "crosses_abve"
        let screen = Fixture.render(s)
        assertSnapshot(screen, named: "composer-typo-120x36")
        let rows = screen.textRows
        let fieldRow = try #require(rows.firstIndex { $0.contains("crosses_abve") })
        let caretColumn = try #require(rows[fieldRow + 1].firstIndex(of: "^"))
        let wordColumn = try #require(rows[fieldRow].range(of: "crosses_abve")?.lowerBound)
        #expect(
            rows[fieldRow].distance(from: rows[fieldRow].startIndex, to: wordColumn)
                == rows[fieldRow + 1].distance(from: rows[fieldRow + 1].startIndex, to: caretColumn))
        // Saving an invalid strategy writes nothing.
        #expect(Fixture.keys(&s, "ctrl-s").isEmpty && s.message?.text.hasPrefix("not saved") == true)
        _ = Fixture.keys(&s, "ctrl-u")
        Self.type(&s, "sma($fast) crosses_above sma($slow) and rsi(14) < 70")
        guard case .valid(let strategy) = s.composer.draft!.compile() else {
            Issue.record("still invalid")
            return
        }
        let effects = Fixture.keys(&s, "ctrl-s")
        #expect(effects == [.saveStrategy(id: "my_golden_cross", text: strategy.fileText)])
        #expect(try Strategy.parse(strategy.fileText).trigger.rule.contains("rsi(14) < 70"))
        _ = App.update(&s, .strategySaved(id: "my_golden_cross", error: nil))
        #expect(s.strategy == "my_golden_cross" && s.composer.draft?.isDirty == false)
        _ = Fixture.keys(&s, "esc")
        #expect(s.composer.draft == nil)
        #expect(
            Fixture.keys(&s, "b").first
                == .runBacktest(
                    strategy: "my_golden_cross", symbol: "ACME", interval: .daily, parameters: [:], range: nil,
                    generation: 1))
    }

    @Test func unsavedChangesAskBeforeTheyAreDropped() {
        var s = Self.editing()
        Self.type(&s, " ")
        _ = Fixture.keys(&s, "esc")
        #expect(s.composer.draft?.confirmingDiscard == true)
        assertSnapshot(Fixture.render(s, theme: .mono), named: "composer-discard-120x36")
        _ = Fixture.keys(&s, "n")  // keeps editing
        #expect(s.composer.draft != nil && s.composer.draft?.confirmingDiscard == false)
        _ = Fixture.keys(&s, "esc", "y")
        #expect(s.composer.draft == nil && s.message?.text == "changes dropped")
    }

    @Test func fieldsParseParametersDistancesAndIntervalsWithMessagesOnTheirFields() throws {
        var s = Self.editing()
        func set(_ f: StrategyDraft.Field, _ text: String) { s.composer.draft!.fields[f] = TextField(text) }
        set(.parameters, "fast=abc")
        set(.stopLoss, "5 percent")
        set(.interval, "4d")
        set(.maxBars, "-3")
        set(.id, "my cross!")
        guard case .invalid(let problems) = s.composer.draft!.compile() else {
            Issue.record("accepted")
            return
        }
        #expect(Set(problems.map(\.field)) == [.parameters, .stopLoss, .interval, .maxBars, .id])
        set(.parameters, "fast=20 5..100/5, slow=100 50..300/10")
        set(.stopLoss, "entry_low 1%")
        set(.takeProfit, "10%")
        set(.trailingStop, "2 atr 14")
        set(.interval, "5d")
        set(.maxBars, "30")
        set(.id, "my_cross")
        guard case .valid(let st) = s.composer.draft!.compile() else {
            if case .invalid(let p) = s.composer.draft!.compile() { Issue.record("rejected: \(p)") }
            return
        }
        #expect(
            st.interval.sessions == 5 && st.exit.maxBars == 30 && st.exit.trailingStop == .atr(multiple: 2, period: 14))
        #expect(
            st.exit.stopLoss == .anchored(.entryLow, offsetPercent: 1) && st.parameters.map(\.name) == ["fast", "slow"])
        // A trailing stop cannot be anchored: the file parser's message lands on that field.
        set(.trailingStop, "entry_low 1%")
        if case .invalid(let p) = s.composer.draft!.compile() {
            #expect(p.allSatisfy { $0.field == .trailingStop })
        } else {
            Issue.record("accepted")
        }
        set(.trailingStop, "2 atr 14")
        // The form round-trips: a draft of the saved strategy shows the same texts.
        let again = StrategyDraft(st, id: "my_cross")
        for f in [StrategyDraft.Field.parameters, .stopLoss, .takeProfit, .trailingStop, .interval, .maxBars] {
            #expect(again.text(f) == s.composer.draft!.text(f))
        }
    }

    @Test func ctrlSpaceCompletesIndicatorsAndOutputs() {
        var s = Self.editing()
        _ = Fixture.keys(&s, "ctrl-u")
        Self.type(&s, "rs")
        _ = Fixture.keys(&s, "ctrl-space")
        #expect(s.composer.draft?.text(.trigger) == "rsi(")
        _ = Fixture.keys(&s, "ctrl-u")
        Self.type(&s, "macd(12,26,9).hi")
        _ = Fixture.keys(&s, "ctrl-space")
        #expect(s.composer.draft?.text(.trigger) == "macd(12,26,9).hist")
        _ = Fixture.keys(&s, "ctrl-u")
        Self.type(&s, "s")
        _ = Fixture.keys(&s, "ctrl-space")  // many candidates: listed, not inserted
        #expect(s.composer.draft?.text(.trigger) == "s" && s.message?.text.contains("sma") == true)
    }

    @Test func f5PreviewsTheDraftsSignalsOnTheChart() {
        var s = Self.editing(width: 160, height: 48)
        s.composer.draft!.fields[.parameters] = TextField("fast=5 2..50/1, slow=20 5..100/1")
        _ = Fixture.keys(&s, "f5")
        let preview = s.preview
        #expect(s.pane == .chart && preview != nil && (preview?.entries.count ?? 0) > 3)
        let text = Fixture.render(s).textRows.joined()
        #expect(text.contains("▲") && s.message?.text.contains("preview of Golden Cross") == true)
    }

    @Test func aStrategyFileThatDoesNotLoadSaysWhy() {
        var s = Self.editing()
        _ = Fixture.keys(&s, "esc", "y")
        s.composer.selected = s.composer.entries.count - 1
        _ = Fixture.keys(&s, "enter")
        #expect(s.composer.draft == nil && s.message?.text.contains("unknown indicator 'smaa'") == true)
        assertSnapshot(Fixture.render(s), named: "composer-list-broken-120x36")
    }
}

@Suite struct ComposerExtrasTests {
    @Test func ctrlCWithUnsavedChangesAsksFirstThenQuits() {
        var s = ComposerTests.editing()
        _ = Fixture.keys(&s, "ctrl-c")
        #expect(!s.quit && s.composer.draft?.confirmingDiscard == true)
        _ = Fixture.keys(&s, "y")
        #expect(s.quit)
    }

    @Test func aPreviewShadesTheBarsWhereTheSetupHolds() throws {
        var s = Fixture.state(width: 160, height: 48)
        let withSetup = try #require(StrategyLibrary.all.first { $0.strategy.setup != nil })
        s.composer.entries = [
            ComposerPanel.Entry(id: withSetup.id, builtIn: true, strategy: withSetup.strategy, problem: nil)
        ]
        s.pane = .strategies
        _ = Fixture.keys(&s, "enter", "f5")
        let preview = try #require(s.preview)
        #expect(!preview.setup.isEmpty && s.pane == .chart)
        // Shaded columns carry the shade style somewhere in the plot.
        let runs = Fixture.render(s).styleRuns.joined(separator: "\n")
        #expect(
            runs.contains(Theme.default["grid"].fg.description + "+")
                || runs.contains("/" + Theme.default["grid"].fg.description))
    }

    @Test func backtestsCanBeLimitedToADateRange() throws {
        var s = Fixture.state(width: 120, height: 36)
        s.strategies = ["golden_cross"]
        _ = Palette.run("range 2023-06-01 2024-01-31", &s)
        let range = try #require(s.backtestRange)
        #expect(range == SessionDate(year: 2023, month: 6, day: 1)!...SessionDate(year: 2024, month: 1, day: 31)!)
        guard case .runBacktest(_, _, _, _, let r, _)? = Fixture.keys(&s, "b").first else {
            Issue.record("no backtest")
            return
        }
        #expect(r == range)
        _ = Palette.run("range 2024-02-01 2024-01-01", &s)
        #expect(s.message?.level == .warn)
        _ = Palette.run("range clear", &s)
        #expect(s.backtestRange == nil)
    }
}

@Suite struct PaletteReachTests {
    @Test func everyPaneAndStudyIsReachableFromThePalette() {
        var s = Fixture.state(width: 120, height: 36)
        s.strategies = ["golden_cross"]
        #expect(Palette.run("strategies", &s) == [.loadStrategies] && s.pane == .strategies)
        #expect(Palette.run("picks", &s) == [.loadPicks] && s.pane == .picks)
        #expect(Palette.run("rescan", &s) == [.runScan])
        #expect(Palette.run("alerts", &s) == [.loadAlerts] && s.pane == .alerts)
        #expect(Palette.run("mark read", &s) == [.markAlertsRead(nil)])
        #expect(Palette.run("pipeline", &s) == [.loadRuns, .loadPlan] && s.pane == .pipeline)
        #expect(Palette.run("refresh now", &s) == [.startRefresh])
        #expect(Palette.run("refresh cancel", &s) == [.cancelRefresh])
        if case .runStudy(.sweep, _, _, _, _, _, _)? = Palette.run("sweep", &s).last {} else { Issue.record("sweep") }
        if case .runStudy(.walkForward, _, _, _, _, _, _)? = Palette.run("walkforward", &s).last {
        } else {
            Issue.record("walkforward")
        }
        if case .runStudy(.watchlist, _, _, _, _, _, _)? = Palette.run("watchlist run", &s).last {
        } else {
            Issue.record("watchlist run")
        }
        if case .runBacktest? = Palette.run("backtest", &s).last {} else { Issue.record("backtest") }
        #expect(Palette.matches("sw", s).first == "sweep")
    }
}

@Suite struct ASCIIFallbackTests {
    /// With ASCII glyphs (a non-UTF-8 locale) no screen draws anything beyond ASCII, except
    /// text that comes from the data itself.
    @Test func everyPaneDrawsOnlyASCIIWithTheASCIIGlyphs() {
        var s = PaneTests.backtested(width: 160, height: 48)
        PaneTests.lists(&s)
        func check(_ name: String) {
            let text = Fixture.render(s, theme: .mono, glyphs: .ascii).textRows.joined()
            let odd = text.unicodeScalars.filter { !$0.isASCII && $0 != "禅" }  // 禅 is data (a company name)
            #expect(odd.isEmpty, "\(name): \(String(String.UnicodeScalarView(odd)))")
        }
        check("backtest")
        for key in ["p", "A", "P", "c", "i", "?"] {
            _ = Fixture.keys(&s, key)
            check(key)
            if key == "?" { _ = Fixture.keys(&s, "esc") }
        }
        let entries = StrategyLibrary.all.map {
            ComposerPanel.Entry(id: $0.id, builtIn: true, strategy: $0.strategy, problem: nil)
        }
        _ = Fixture.keys(&s, "S")
        _ = App.update(&s, .strategiesLoaded(entries))
        check("composer list")
        _ = Fixture.keys(&s, "enter")
        check("composer form")
    }
}

/// One command table: the keymap, the palette (names, completion, dispatch, disabled reasons)
/// and the help screen's command line all come from `Commands.all`.
@Suite struct CommandTableTests {
    @Test func everyPaletteNameIsOfferedAndRuns() {
        for command in Commands.all {
            guard let name = command.name else { continue }
            var s = Fixture.state(width: 120, height: 36)
            s.strategies = StrategyLibrary.all.map(\.id)
            #expect(Palette.matches(name, s).contains { $0.hasPrefix(name) }, "\(name) is not offered")
            _ = Palette.run(name, &s)
            #expect(s.message?.text.contains("unknown command") != true, "\(name)")
        }
        #expect(Keymap.bindings.count == Commands.all.filter { $0.section != nil }.count)
        #expect(Commands.examples.first == "interval 5d")
    }

    @Test func aDisabledCommandSaysWhyAndDoesNothing() {
        var s = Fixture.state(width: 120, height: 36)
        #expect(Palette.run("new strategy", &s).isEmpty)
        #expect(s.message?.text.hasPrefix("open the composer first") == true)
        #expect(Palette.run("q", &s).isEmpty && s.quit)
    }
}

/// A problem's caret follows the field as it scrolls.
@Suite struct ScrolledFieldCaretTests {
    @Test func theCaretPointsAtTheProblemInTheScrolledField() {
        var s = ComposerTests.editing()
        // A long trigger with the typo near its start, typed until the field scrolls past it.
        _ = Fixture.keys(&s, "ctrl-u")
        for c in "close crosses_abve sma(20) and close > sma(50) and close > sma(100) and volume > 0" {
            _ = Fixture.keys(&s, c == " " ? "space" : String(c))
        }
        let rows = Fixture.render(s, theme: .default).textRows
        let marked = rows.first { $0.contains("◂") }
        #expect(marked != nil, "\(rows.joined(separator: "\n"))")
        #expect(!rows.contains { $0.contains("^~") && $0.hasSuffix("^") })
    }
}
