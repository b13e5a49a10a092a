import Foundation
import TermRender
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteUI

/// A pinned world: Friday 2024-03-15 at 14:00 New York time (market open), five symbols with
/// 600 sessions each ending that day (the day's bar still forming), the default theme.
enum Fixture {
    static let calendar = TradingCalendar.nyse
    static let now = ISO8601DateFormatter().date(from: "2024-03-15T18:00:00Z")!
    static let last = Int32(calendar.sessionIndex(SessionDate(year: 2024, month: 3, day: 15)!)!)
    static let names = [
        ("ACME", "Acme Industrial", 52e9), ("TERA", "Terabyte Systems", 310e9), ("NOVA", "Novagen Therapeutics", 74e9),
        ("ZEN", "Zen Foods 禅", 8e9), ("GRID", "Gridline Utilities", 21e9),
    ]

    static func series(_ k: Int) -> BarSeries {
        let w = walk(600, seed: UInt64(k) * 31 + 3, start: 40 + Double(k) * 55)
        var s = BarSeries(capacity: 600)
        for i in 0..<600 {
            try! s.append(
                sessionIndex: last - 599 + Int32(i), open: w.o[i], high: w.h[i], low: w.l[i], close: w.c[i],
                volume: w.v[i])
        }
        return s
    }

    static func state(width: Int, height: Int) -> AppState {
        let symbols = names.map {
            SymbolInfo(symbol: try! Symbol($0.0), name: $0.1, exchange: "XNAS", marketCap: $0.2, industry: "Technology")
        }
        var (s, effects) = App.start(
            width: width, height: height, now: now, symbols: symbols, watchlist: ["ACME", "TERA", "NOVA", "ZEN"],
            demo: true, latestClosed: last - 1, dataThrough: calendar.sessions[Int(last)], unreadAlerts: 2,
            theme: "default", themes: ["default", "gruvbox", "mono"])
        #expect(effects == [.loadSeries(["ACME", "TERA", "NOVA", "ZEN"])])
        var loaded: [String: BarSeries] = [:]
        for (k, n) in names.enumerated() { loaded[n.0] = series(k) }
        _ = App.update(&s, .seriesLoaded(loaded, failures: [:]))
        return s
    }

    static func render(_ s: AppState, theme: Theme = .default, glyphs: Glyphs = .unicode) -> Buffer {
        Screens.render(s, Screens.Context(theme: theme, glyphs: glyphs))
    }

    static func keys(_ s: inout AppState, _ specs: String...) -> [Effect] {
        var effects: [Effect] = []
        for spec in specs { effects += App.update(&s, .input(.key(KeyEvent(spec: spec)!))) }
        return effects
    }
}

/// Frames reuse the chart's resampled bars instead of resampling the daily series each time.
@Suite struct ChartBarsCacheTests {
    static func storage(_ bars: [FibBar]) -> UnsafeRawPointer? {
        bars.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func framesReuseTheResampleUntilItsInputsChange() throws {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "3")
        let first = s.bars()
        let five = try FibInterval(5)
        #expect(s.interval == five)
        #expect(first == FibResampler.resample(s.series["ACME"]!, interval: five, latestClosed: s.latestClosed))
        _ = Fixture.render(s)
        #expect(Self.storage(s.bars()) == Self.storage(first))  // the same array: no resample
        s.latestClosed += 1
        let later = s.bars()
        #expect(Self.storage(later) != Self.storage(first))
        #expect(later == FibResampler.resample(s.series["ACME"]!, interval: five, latestClosed: s.latestClosed))
        var corrected = s.series["ACME"]!
        corrected.close[corrected.count - 1] = corrected.high[corrected.count - 1]
        s.series["ACME"] = corrected
        #expect(s.bars().last?.close == corrected.close.last)
    }
}

@Suite struct ScreenSnapshotTests {
    static let sizes = [(80, 24), (100, 30), (120, 36), (160, 48)]

    @Test(arguments: sizes) func watchlistAndDailyChart(width: Int, height: Int) {
        assertSnapshot(
            Fixture.render(Fixture.state(width: width, height: height)), named: "screen-chart-\(width)x\(height)")
    }

    @Test(arguments: sizes) func fiveSessionChartWithCrosshairAndMACD(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = Fixture.keys(&s, "3", "o", "x", "left", "left", "tab")
        assertSnapshot(Fixture.render(s), named: "screen-chart5d-\(width)x\(height)")
    }

    @Test(arguments: sizes) func quotePanelFromTheLatestLocalBar(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        let effects = Fixture.keys(&s, "j", "i")
        #expect(effects == [.fetchQuote("TERA")])
        s.message = nil
        assertSnapshot(Fixture.render(s), named: "screen-quote-\(width)x\(height)")
    }

    @Test(arguments: sizes) func helpOverlay(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = Fixture.keys(&s, "?")
        assertSnapshot(Fixture.render(s), named: "screen-help-\(width)x\(height)")
    }

    @Test(arguments: sizes) func searchAndPalette(width: Int, height: Int) {
        var s = Fixture.state(width: width, height: height)
        _ = Fixture.keys(&s, "/", "n", "o")
        assertSnapshot(Fixture.render(s), named: "screen-search-\(width)x\(height)")
        _ = Fixture.keys(&s, "esc", ":", "i", "n")
        assertSnapshot(Fixture.render(s), named: "screen-palette-\(width)x\(height)")
    }

    @Test func monoThemeAndASCIIGlyphs() throws {
        var s = Fixture.state(width: 80, height: 24)
        _ = Fixture.keys(&s, "m", "m")  // line chart
        assertSnapshot(Fixture.render(s, theme: .mono, glyphs: .ascii), named: "screen-mono-ascii-80x24")
        let text = Fixture.render(s, theme: .mono, glyphs: .ascii).textRows.joined()
        #expect(
            text.unicodeScalars.allSatisfy {
                $0.isASCII || $0 == "·" || $0 == "│" || $0 == "—" || $0 == "–" || $0 == "…" || $0 == "→" || $0 == "↑"
                    || $0 == "↓" || $0 == "✉"
            }
                || !text.contains("┃"))
    }

    @Test(arguments: [(59, 24), (80, 15), (20, 8), (1, 1)]) func tooSmallTerminalsSayWhatIsNeeded(
        width: Int, height: Int
    ) {
        let b = Fixture.render(Fixture.state(width: width, height: height))
        #expect(b.width == width && b.height == height)
        if width >= 40 && height >= 3 {
            #expect(b.textRows.joined().contains("at least 60×16"))
        }
    }
}

@Suite struct AppUpdateTests {
    @Test func intervalKeysSwitchAcrossAllSevenIntervals() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "7")
        #expect(s.interval.sessions == 34)
        _ = Fixture.keys(&s, "]")
        #expect(s.interval == .daily)
        _ = Fixture.keys(&s, "[", "[")
        #expect(s.interval.sessions == 21)
        _ = Fixture.keys(&s, "2")
        #expect(s.interval.sessions == 3)
        let first = Fixture.last - 599
        #expect(s.bars().count == Int(Fixture.last / 3 - first / 3 + 1))  // buckets anchored on the calendar, not the data
    }

    @Test func zoomAndPanStayWithinTheData() {
        var s = Fixture.state(width: 100, height: 30)
        for _ in 0..<10 { _ = Fixture.keys(&s, "-") }
        #expect(s.viewport.zoom == 0)
        #expect(s.message?.text == "zoom limit")
        _ = Fixture.keys(&s, "home")
        #expect(s.viewport.pan == s.viewport.maxPan(total: 600, columns: Screens.chartColumns(s)))
        _ = Fixture.keys(&s, "end")
        #expect(s.viewport.pan == 0)
        for _ in 0..<10 { _ = Fixture.keys(&s, "+") }
        #expect(s.viewport.zoom == Viewport.zooms.count - 1)
        _ = Fixture.keys(&s, "home")
        let maxPan = s.viewport.maxPan(total: 600, columns: Screens.chartColumns(s))
        #expect(s.viewport.pan == maxPan && maxPan > 0)
        _ = Fixture.keys(&s, "pgup")
        #expect(s.viewport.pan == maxPan)
        _ = Fixture.keys(&s, "end")
        #expect(s.viewport.pan == 0)
    }

    @Test func crosshairMovesByBarAndPansAtTheEdge() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "x")
        #expect(s.crosshair == 599)
        let columns = Screens.chartColumns(s)
        let visible = s.viewport.capacity(columns: columns)
        for _ in 0..<visible { _ = Fixture.keys(&s, "left") }
        #expect(s.crosshair == 599 - visible)
        #expect(s.viewport.pan == 1)
        _ = Fixture.keys(&s, "esc")
        #expect(s.crosshair == nil)
    }

    @Test func searchChartsASymbolOutsideTheWatchlistAndAddingSavesIt() {
        var s = Fixture.state(width: 100, height: 30)
        var effects = Fixture.keys(&s, "/", "g", "r", "i", "d", "enter")
        #expect(s.currentSymbol == "GRID")
        #expect(effects.isEmpty)  // already loaded
        #expect(!s.watchlist.contains("GRID"))
        effects = Fixture.keys(&s, "a", "g", "r", "i", "d", "enter")
        #expect(s.watchlist.last == "GRID")
        #expect(effects.first == .saveWatchlist(["ACME", "TERA", "NOVA", "ZEN", "GRID"]))
        effects = Fixture.keys(&s, "d")
        #expect(effects.first == .saveWatchlist(["ACME", "TERA", "NOVA", "ZEN"]))
        _ = Fixture.keys(&s, "/", "x", "y", "z", "q", "enter")
        #expect(s.message?.level == .error)
    }

    @Test func reorderingAndSorting() {
        var s = Fixture.state(width: 100, height: 30)
        let effects = Fixture.keys(&s, "J")
        #expect(s.watchlist == ["TERA", "ACME", "NOVA", "ZEN"] && s.selected == 1)
        #expect(effects == [.saveWatchlist(["TERA", "ACME", "NOVA", "ZEN"])])
        _ = Fixture.keys(&s, "s")
        #expect(s.sort == .symbol && s.sortedWatchlist == ["ACME", "NOVA", "TERA", "ZEN"] && s.currentSymbol == "ACME")
        _ = Fixture.keys(&s, "K")
        #expect(s.message?.level == .warn)
    }

    @Test func paletteRunsCommandsAndCompletesWithTab() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, ":", "i", "n", "t", "tab")
        if case .palette(let field, _)? = s.overlay {
            #expect(field.text == "interval 1d ")
        } else {
            Issue.record("palette closed")
        }
        _ = Fixture.keys(&s, "ctrl-u")
        for c in "interval 13d" { _ = App.update(&s, .input(.key(.char(c)))) }
        _ = Fixture.keys(&s, "enter")
        #expect(s.interval.sessions == 13 && s.overlay == nil)
        _ = Palette.run("overlay bb 20 2 2", &s)
        #expect(s.overlays.last == OverlayChoice("bb", [20, 2, 2]))
        _ = Palette.run("overlay rsi", &s)
        #expect(s.message?.text.contains("osc rsi") == true)
        _ = Palette.run("osc macd", &s)
        #expect(s.oscillator == "macd")
        #expect(Palette.run("theme gruvbox", &s) == [.setTheme("gruvbox")])
        _ = Palette.run("frobnicate", &s)
        #expect(s.message?.text.contains("unknown command") == true)
    }

    @Test func ctrlCAndQQuitFromAnywhere() {
        var s = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&s, "/", "ctrl-c")
        #expect(s.quit)
        var t = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&t, "q")
        #expect(t.quit)
    }

    @Test func idleTicksDoNotRedrawUntilTheMinuteChanges() {
        var s = Fixture.state(width: 100, height: 30)
        let r = s.revision
        _ = App.update(&s, .tick(Fixture.now.addingTimeInterval(10)))
        #expect(s.revision == r)
        _ = App.update(&s, .tick(Fixture.now.addingTimeInterval(70)))
        #expect(s.revision > r)
    }

    @Test func everyActionHasAKeyAndNoKeyIsBoundTwiceWhereItApplies() {
        // The general sections are active together; a pane's section overrides them in its pane.
        let groups: [Set<KeyBinding.Section>] = [
            [.general, .watchlist, .chart], [.backtest], [.picks], [.alerts], [.pipeline],
        ]
        for group in groups {
            var seen: [KeyEvent: Action] = [:]
            for b in Keymap.bindings where group.contains(b.section) {
                for k in b.keys {
                    if let other = seen[k], other != b.action {
                        Issue.record("\(k) is bound to \(other) and \(b.action)")
                    }
                    seen[k] = b.action
                }
            }
        }
        #expect(Keymap.action(for: KeyEvent(.char("s")), pane: .backtest) == .sortTrades)
        #expect(Keymap.action(for: KeyEvent(.char("s")), pane: .chart) == .sortNext)
        #expect(Keymap.action(for: KeyEvent(.char("q")), pane: .backtest) == .quit)
        let bound = Set(Keymap.bindings.map(\.action))
        #expect(Set(Action.allCases).subtracting(bound).isEmpty)
    }

    @Test func searchRanksExactTickersFirstThenPrefixesThenNames() {
        let symbols = ["NOV", "NOVA", "INOV", "ACME"].map {
            SymbolInfo(symbol: try! Symbol($0), name: $0 == "ACME" ? "Novel Acme" : "Co")
        }
        #expect(Search.matches("nov", in: symbols).map(\.symbol.rawValue) == ["NOV", "NOVA", "ACME", "INOV"])
    }
}
