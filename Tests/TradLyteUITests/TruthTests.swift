import Foundation
import TermRender
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteUI

/// Issue 24: a screen is right when each fact it exists to show is on it whole and equal to the
/// engine's value — at every supported size, in Unicode and in ASCII. The golden files show the
/// layout to a reviewer; these tests are the acceptance. Expected texts are formatted here, from
/// the statistics the CLI's `--json` prints (`BacktestStatistics`), independently of the UI's
/// own formatting code.
@Suite struct TruthTests {
    static let glyphSets: [(String, Glyphs)] = [("unicode", .unicode), ("ascii", .ascii)]

    /// "+10.76%" / "-5.73%" / "0.84", as the CLI's table prints them at two decimals.
    static func signedPercent(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        return String(format: "%+.2f%%", v)
    }

    static func fixed(_ v: Double?, suffix: String = "") -> String {
        guard let v, v.isFinite else { return "—" }
        return String(format: "%.2f", v) + suffix
    }

    /// Label → the whole fact the pane may show for it, from the engine's statistics.
    static func expectedFacts(_ stats: BacktestStatistics, benchmark: String) -> [(label: String, text: String)] {
        func n(_ k: String) -> Double? { stats[k]?.number }
        return [
            ("return", "return " + signedPercent(n("Return [%]"))),
            ("vs ", "vs \(benchmark) " + signedPercent(n("Buy & Hold Return [%]"))),
            ("Sharpe", "Sharpe " + fixed(n("Sharpe Ratio"))),
            ("Max DD", "Max DD " + fixed(n("Max. Drawdown [%]"), suffix: "%")),
            ("Win", "Win " + fixed(n("Win Rate [%]"), suffix: "%")),
            ("CAGR", "CAGR " + signedPercent(n("CAGR [%]"))),
            ("Exposure", "Exposure " + fixed(n("Exposure Time [%]"), suffix: "%")),
        ]
    }

    /// The pane's two summary lines (inside its border), as drawn with `glyphs`, split into the
    /// facts they show; ASCII frames use "-" for "·" and "~" for "…".
    static func summaryFacts(_ s: AppState, glyphs: Glyphs) -> [String] {
        let rows = Fixture.render(s, theme: .default, glyphs: glyphs).textRows
        let inner = Screens.mainInner(s)
        let separator = glyphs.unicode ? " · " : " - "
        let more = glyphs.unicode ? "…" : "~"
        var facts: [String] = []
        for y in [inner.y, inner.y + 1] {
            let line = String(Array(rows[y]).dropFirst(inner.x).prefix(inner.width))
                .trimmingCharacters(in: .whitespaces)
            for part in line.components(separatedBy: separator) {
                let fact = part.hasSuffix(" " + more) ? String(part.dropLast(2)) : part
                if fact != more && !fact.isEmpty { facts.append(fact) }
            }
        }
        return facts
    }

    /// Every fact shown is one the engine's values give, whole; the most important ones are
    /// always there; a dropped fact leaves the "more" sign.
    static func check(
        _ shown: [String], expected: [(label: String, text: String)], always: Int, context: String
    ) {
        for fact in shown {
            let known =
                expected.contains { $0.text == fact } || fact.hasSuffix("trades") || fact.contains("trades +")
                || fact.hasSuffix(" bars") || fact.hasPrefix("avg positions ") || fact.hasPrefix("turnover ")
            #expect(known, "\(context): '\(fact)' is not a whole fact with the engine's value (shown: \(shown))")
        }
        for e in expected.prefix(always) {
            #expect(shown.contains(e.text), "\(context): '\(e.text)' missing from \(shown)")
        }
    }

    @Test(arguments: ScreenSnapshotTests.sizes)
    func theBacktestPaneShowsItsKeyNumbersWholeAndEqualToTheEngine(width: Int, height: Int) throws {
        let s = PaneTests.backtested(width: width, height: height)
        let stats = try #require(s.backtest?.result?.stats)
        let expected = Self.expectedFacts(stats, benchmark: "buy & hold")
        for (name, glyphs) in Self.glyphSets {
            let shown = Self.summaryFacts(s, glyphs: glyphs)
            let context = "backtest \(width)x\(height) \(name)"
            Self.check(
                shown, expected: expected.map { ($0.label, glyphs.unicode ? $0.text : Self.ascii($0.text)) },
                always: 3, context: context)
            // The label says what the number is: "CAGR" is the CAGR, not the annualised return.
            if let cagr = shown.first(where: { $0.hasPrefix("CAGR") }) {
                #expect(cagr == Self.ascii("CAGR " + Self.signedPercent(stats["CAGR [%]"]?.number)))
            }
        }
        // From 120 columns every one of the seven statistics is on screen.
        if width >= 120 {
            let shown = Self.summaryFacts(s, glyphs: .unicode)
            #expect(expected.allSatisfy { e in shown.contains(e.text) }, "\(shown)")
        }
    }

    @Test(arguments: ScreenSnapshotTests.sizes)
    func thePortfolioPaneShowsItsKeyNumbersWholeAndEqualToTheEngine(width: Int, height: Int) throws {
        let s = try PortfolioPaneTests.landed(width: width, height: height)
        let result = try #require(s.portfolio?.result)
        let expected = Self.expectedFacts(result.stats, benchmark: "equal-weight")
        for (name, glyphs) in Self.glyphSets {
            let shown = Self.summaryFacts(s, glyphs: glyphs)
            Self.check(
                shown, expected: expected.map { ($0.label, glyphs.unicode ? $0.text : Self.ascii($0.text)) },
                always: 3, context: "portfolio \(width)x\(height) \(name)")
            if let turnover = shown.first(where: { $0.hasPrefix("turnover ") }) {
                #expect(turnover == "turnover " + String(format: "%.1f", result.turnover))
            }
        }
    }

    /// The facts layout itself: whole facts only, the most important first, the sign of more.
    @Test func factsAreLaidOutWholeOrLeftOutWithASignOfMore() {
        let facts = [
            Fact("return +10.76%", .plain, priority: 0), Fact("vs buy & hold +1.00%", .plain, priority: 1),
            Fact("Sharpe 0.84", .plain, priority: 2), Fact("Exposure 61.20%", .plain, priority: 6),
        ]
        for width in 1...80 {
            let rows = Facts.layout(facts, width: width, lines: 1)
            let texts = rows.flatMap { $0.map(\.text) }
            let line = texts.joined(separator: " · ").replacingOccurrences(of: " · …", with: " …")
            #expect(DisplayWidth.of(line) <= width, "width \(width): \(line)")
            #expect(texts.allSatisfy { t in t == Facts.more || facts.contains { $0.text == t } })
            if width >= DisplayWidth.of("return +10.76%") + 2 { #expect(texts.first == "return +10.76%") }
        }
        let two = Facts.layout(facts, width: 40, lines: 2).map { $0.map(\.text) }
        #expect(two == [["return +10.76%", "vs buy & hold +1.00%"], ["Sharpe 0.84", "Exposure 61.20%"]])
        let narrow = Facts.layout(facts, width: 30, lines: 2).map { $0.map(\.text) }
        #expect(narrow == [["return +10.76%"], ["vs buy & hold +1.00%", "…"]])
        // Read line by line, the facts come in order of importance.
        for width in 20...80 {
            let order = Facts.layout(facts, width: width, lines: 2).flatMap { $0 }.map(\.priority)
            #expect(order == order.sorted(), "width \(width): \(order)")
        }
    }

    static func ascii(_ text: String) -> String {
        var out = text
        for (u, a) in Glyphs.asciiStandIns { out = out.replacingOccurrences(of: u, with: a) }
        return out
    }
}

/// Issue 24: a trade opens on the chart where it happened, with or without `:range`, at any
/// interval (the backtest's bar numbers count from its range; the chart's from the history).
@Suite struct TradesWhereTheyHappenedTests {
    @Test(arguments: [FibInterval.daily, try! FibInterval(3)])
    func aTradeOfARangedBacktestOpensOnItsOwnBars(interval: FibInterval) throws {
        var s = Fixture.state(width: 120, height: 36)
        s.strategies = StrategyLibrary.all.map(\.id)
        s.strategy = "macd_crossover"
        s.interval = interval
        let daily = try #require(s.series["ACME"])
        let calendar = TradingCalendar.nyse
        let range = calendar.sessions[Int(daily.sessionIndex[250])]...calendar.sessions[Int(daily.sessionIndex[560])]
        _ = Palette.run("range \(range.lowerBound) \(range.upperBound)", &s)
        #expect(s.backtestRange == range)
        let effects = Fixture.keys(&s, "b")
        guard case .runBacktest(_, _, _, _, let asked, let generation)? = effects.last else {
            Issue.record("b did not ask for a backtest: \(effects)")
            return
        }
        #expect(asked == range)
        let strategy = StrategyLibrary.named("macd_crossover")!.strategy
        let result = Backtester.run(
            try CompiledStrategy(strategy), daily: daily, interval: interval,
            configuration: BacktestConfiguration(strategy.backtest), latestClosed: s.latestClosed, range: range)
        _ = App.update(&s, .backtestFinished(generation: generation, .success(result)))
        try #require(result.trades.count >= 2)
        _ = Fixture.keys(&s, "j", "enter")  // the second trade listed
        let panel = try #require(s.backtest)
        let trade = result.trades[panel.order[1]]
        let bars = s.bars()
        #expect(s.pane == .chart && s.interval == interval)
        // The crosshair is on the bar that holds the trade's entry session, and it is in view.
        let entrySession = result.lastSessions[trade.entryBar]
        let crosshair = try #require(s.crosshair)
        #expect(bars[crosshair].lastSession == entrySession, "\(bars[crosshair].lastSession) vs \(entrySession)")
        #expect(s.viewport.range(total: bars.count, columns: Screens.chartColumns(s)).contains(crosshair))
        let info = Fixture.render(s).textRows.joined()
        #expect(info.contains("\(trade.entrySession)") || s.message?.text.contains("\(trade.entrySession)") == true)
    }
}

/// Issue 24: the equity axis reads the whole series' extremes at every width, and the date axis
/// names every year it spans (it dropped them: "2019 Oct May Dec 2022").
@Suite struct ChartAxesTruthTests {
    @Test(arguments: ScreenSnapshotTests.sizes)
    func theEquityAxisShowsTheSeriesExtremesAndTheDateAxisEveryYear(width: Int, height: Int) throws {
        let s = PaneTests.backtested(width: width, height: height)
        let r = try #require(s.backtest?.result)
        let rows = Fixture.render(s).textRows.map { Array($0) }
        let body = Screens.mainInner(s).inset(top: 2)
        let layout = Screens.overviewLayout(body)
        let curve = layout.curve
        func label(_ y: Int) -> Double? {
            let text = String(rows[y][(curve.maxX - PriceChart.axisWidth)..<curve.maxX])
            return Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ""))
        }
        let all = (r.equity + r.buyAndHold).filter(\.isFinite)
        let top = try #require(label(curve.y + 1 < curve.maxY ? curve.y : curve.y))
        let bottom = try #require(label(curve.maxY - 1))
        let hi = try #require(all.max())
        let lo = try #require(all.min())
        #expect(abs(top - hi) <= max(1, hi * 1e-4), "\(width)x\(height): top \(top) vs peak \(hi)")
        #expect(abs(bottom - lo) <= max(1, lo * 1e-4), "\(width)x\(height): bottom \(bottom) vs trough \(lo)")
        // Every year the backtest spans is named on the date axis.
        let axis = String(rows[layout.axis.y][layout.axis.x..<layout.axis.maxX])
        let sessions = TradingCalendar.nyse.sessions
        let years = Set(r.lastSessions.map { sessions[Int($0)].parts.year })
        // A year needs room for its label: one spanning at least six columns must be named.
        let columns = max(1, curve.width - PriceChart.axisWidth)
        for year in years.sorted() {
            let bars = r.lastSessions.filter { sessions[Int($0)].parts.year == year }.count
            guard bars * columns / max(1, r.lastSessions.count) >= 6 else { continue }
            let named = axis.contains("\(year)") || axis.contains("'\(year % 100)")
            #expect(named, "\(width)x\(height): \(year) missing from '\(axis)'")
        }
    }
}

/// Issue 24's smaller defects, each named for what the user sees.
@Suite struct SmallTruthTests {
    @Test func searchingDemoDoesNotMatchEveryDemoCompany() {
        let symbols = [
            SymbolInfo(symbol: try! Symbol("ACME"), name: "Acme Widgets (DEMO)"),
            SymbolInfo(symbol: try! Symbol("DMOX"), name: "Demographic Data (DEMO)"),
        ]
        #expect(Search.matches("demo", in: symbols).map(\.symbol.rawValue) == ["DMOX"])
        #expect(Search.matches("widg", in: symbols).map(\.symbol.rawValue) == ["ACME"])
    }

    @Test func theFirstRunHintSaysWhatIsTrueForThisSetUp() {
        func hint(demo: Bool) -> String {
            let (s, _) = App.start(
                width: 100, height: 30, now: Date(timeIntervalSince1970: 1_764_000_000), symbols: [], watchlist: [],
                demo: demo, latestClosed: 0, dataThrough: nil, unreadAlerts: 0, theme: "default", themes: ["default"])
            return s.message?.text ?? ""
        }
        #expect(hint(demo: true).contains("offline demo market"))
        #expect(!hint(demo: false).contains("demo") && hint(demo: false).contains("your provider"))
    }

    @Test func theAddPickerMarksSymbolsAlreadyListedAndSaysSoOnEnter() {
        var s = Fixture.state(width: 100, height: 30)
        s.overlay = .search(TextField(), selected: 0, adding: true)
        let rows = Fixture.render(s).textRows
        func row(_ sym: String) -> String? { rows.first { $0.contains(" \(sym) ") && $0.contains("│") } }
        #expect(row("ACME")?.contains("✓") == true && row("GRID")?.contains("✓") == false, "\(rows)")
        let ascii = Fixture.render(s, theme: .default, glyphs: .ascii).textRows
        #expect(ascii.contains { $0.contains("* ACME") })
        // Enter on a listed symbol does not claim to add it; on another, it adds it.
        _ = Fixture.keys(&s, "enter")
        #expect(
            s.watchlist == ["ACME", "TERA", "NOVA", "ZEN"] && s.message?.text == "ACME is already on the watchlist")
        s.overlay = .search(TextField(), selected: 0, adding: true)
        _ = Fixture.keys(&s, "G", "R", "I", "D", "enter")
        #expect(s.watchlist.last == "GRID" && s.message?.text == "added GRID to the watchlist")
    }

    /// LAST stayed at yesterday's close all session on a plan with delayed snapshots: now the
    /// watchlist asks for snapshots every five minutes in session and shows them, labelled.
    @Test func lastIsTheLatestDelayedSnapshotDuringTheSessionAndSaysSo() throws {
        var s = Fixture.state(width: 100, height: 30)
        s.livePrices = true
        let series = try #require(s.series["ACME"])
        let last = TradingCalendar.nyse.sessions[Int(series.sessionIndex.last!)]
        // 10:30 ET on the session after the stored history.
        let next = TradingCalendar.nyse.sessions[Int(series.sessionIndex.last!) + 1]
        let open = NewYorkTime.instant(on: next, minuteOfDay: 10 * 60 + 30)
        var effects = App.update(&s, .tick(open))
        #expect(effects.contains(.watchQuotes(["ACME", "TERA", "NOVA", "ZEN"])), "\(effects)")
        effects = App.update(&s, .tick(open.addingTimeInterval(120)))
        #expect(!effects.contains { if case .watchQuotes = $0 { true } else { false } })  // not before 5 minutes
        effects = App.update(&s, .tick(open.addingTimeInterval(300)))
        #expect(effects.contains(.watchQuotes(["ACME", "TERA", "NOVA", "ZEN"])), "\(effects)")
        let quote = QuoteView(
            price: 51.25, change: 1.5, changePercent: 3.01, dayLow: 49, dayHigh: 52, volume: 1e6,
            source: "delayed", asOf: open.addingTimeInterval(-900))
        _ = App.update(&s, .watchQuotesLoaded(["ACME": quote], snapshots: true))
        let screen = Fixture.render(s).textRows
        let acme = try #require(screen.first { $0.contains("│ACME") })
        #expect(acme.contains("51.25") && acme.contains("+3.01%"), "\(acme)")
        #expect(screen.contains { $0.contains("DELAYED") })
        // A snapshot from the stored session itself is not newer than the close: LAST stays.
        s.quotes["ACME"]?.asOf = NewYorkTime.instant(on: last, minuteOfDay: 15 * 60)
        #expect(s.sessionQuote("ACME") == nil)
        // A plan without snapshots stops the rounds.
        _ = App.update(&s, .watchQuotesLoaded([:], snapshots: false))
        #expect(!s.livePrices)
    }

    @Test func configuredSymbolsNotStoredYetAreListedAsLoadingDuringARefresh() {
        var s = Fixture.state(width: 100, height: 30)
        s.configuredWatchlist = s.watchlist + ["LATER"]
        let idle = Fixture.render(s).textRows.joined()
        #expect(idle.contains("LATER") && idle.contains("no data"))
        s.refresh = RefreshPanel()
        let busy = Fixture.render(s).textRows.joined()
        #expect(busy.contains("LATER") && busy.contains("loading…"))
    }
}

/// Issue 24: the equity curve and drawdown have a readout cursor (←→): that bar's date, equity,
/// drawdown and benchmark, whole and equal to the engine's series.
@Suite struct ReadoutCursorTests {
    @Test(arguments: ScreenSnapshotTests.sizes)
    func leftAndRightReadTheEquityAndDrawdownOfABar(width: Int, height: Int) throws {
        var s = PaneTests.backtested(width: width, height: height)
        let r = try #require(s.backtest?.result)
        _ = Fixture.keys(&s, "left", "left", "left")
        let bar = r.equity.count - 3
        #expect(s.backtest?.day == bar)
        let date = TradingCalendar.nyse.sessions[Int(r.lastSessions[bar])]
        for (name, glyphs) in TruthTests.glyphSets {
            let screen = Fixture.render(s, theme: .default, glyphs: glyphs).textRows.joined(separator: "\n")
            let equity = String(format: "equity %.2f", r.equity[bar])
            #expect(screen.contains("\(date)") && screen.contains(equity), "\(width)x\(height) \(name): \(equity)")
            let drawdown = String(format: "drawdown %+.2f%%", -r.drawdown[bar] * 100)
            #expect(width < 100 || screen.contains(drawdown), "\(width)x\(height) \(name): \(drawdown)")
        }
        // The cursor stops at the ends.
        for _ in 0..<(r.equity.count + 5) { _ = Fixture.keys(&s, "right") }
        #expect(s.backtest?.day == r.equity.count - 1)
    }
}

/// Issue 24: `/` filters the list on screen as you type (trades, picks, alerts); Esc clears it.
@Suite struct ListFilterTests {
    static func type(_ s: inout AppState, _ text: String) {
        for c in text { _ = Fixture.keys(&s, String(c)) }
    }

    @Test func slashFiltersTradesPicksAndAlertsAndEscClears() throws {
        var s = PaneTests.backtested(width: 120, height: 36)
        let trades = try #require(s.backtest?.result?.trades)
        let year = "\(trades[trades.count / 2].entrySession.parts.year)"
        let expected = trades.indices.filter {
            "\(trades[$0].entrySession) \(trades[$0].exitSession)".contains(year)
        }
        _ = Fixture.keys(&s, "/")
        Self.type(&s, year)
        #expect(s.backtest?.order == expected && !expected.isEmpty && expected.count < trades.count)
        // Enter keeps the filter and says how many rows match (the open trade only when it matches).
        _ = Fixture.keys(&s, "enter")
        let shown = expected.count + (s.backtest?.shownOpenTrade == nil ? 0 : 1)
        #expect(
            s.overlay == nil && s.message?.text.hasPrefix(shown == 1 ? "1 row matches" : "\(shown) rows match") == true)
        // The open trade is filtered too, and the title says a filter is on.
        if let open = s.backtest?.result?.openTrade, !"\(open.entrySession) open".contains(year) {
            #expect(s.backtest?.shownOpenTrade == nil)
        }
        #expect(Fixture.render(s).textRows.joined().contains("matching '\(year)'"))
        _ = Fixture.keys(&s, "/", "esc")
        #expect(s.backtest?.order.count == trades.count)
        // In the statistics view `/` is not a trade filter (it searches symbols).
        _ = Fixture.keys(&s, "v")
        if s.backtest?.view == .statistics {
            _ = Fixture.keys(&s, "/")
            if case .filter? = s.overlay { Issue.record("/ filtered the hidden trade list from the statistics view") }
            _ = Fixture.keys(&s, "esc")
        }

        var p = Fixture.state(width: 100, height: 30)
        _ = Fixture.keys(&p, "p")
        PaneTests.lists(&p)
        _ = Fixture.keys(&p, "/")
        Self.type(&p, "zen")
        #expect(p.visiblePicks.map(\.symbol.rawValue) == ["ZEN"])
        let screen = Fixture.render(p).textRows.joined(separator: "\n")
        #expect(screen.contains("/zen") && !screen.contains("122.40"), "the filtered-out TERA pick is gone")
        _ = Fixture.keys(&p, "esc")
        #expect(p.visiblePicks.count == 2)

        _ = Fixture.keys(&p, "A", "/")
        Self.type(&p, "golden")
        #expect(p.visibleAlerts.map(\.symbol.rawValue) == ["TERA"])
        _ = Fixture.keys(&p, "enter", "m")
        #expect(p.alertSelected == 0)
    }
}

/// Issue 24: a settings popup for cash, commission and slippage (`$` or `:account`), applied as
/// `:account` applies them (the CLI's limits) and shown in the titles of what they run.
@Suite struct AccountSettingsPopupTests {
    @Test func dollarOpensTheSettingsThatTheBacktestUsesAndItsTitleShows() throws {
        var s = PaneTests.backtested(width: 100, height: 30)
        _ = Fixture.keys(&s, "$")
        guard case .settings(row: 0, _)? = s.overlay else {
            Issue.record("$ did not open the settings: \(String(describing: s.overlay))")
            return
        }
        var screen = Fixture.render(s).textRows.joined(separator: "\n")
        #expect(screen.contains("Account settings") && screen.contains("the strategy's"))
        ListFilterTests.type(&s, "25000")
        var effects = Fixture.keys(&s, "enter")
        #expect(s.overlay == nil && s.account.cash == 25_000)
        #expect(effects.contains { if case .runBacktest = $0 { true } else { false } }, "b re-runs with the new cash")
        // A value past the CLI's limit is refused with the limit named, and the popup stays.
        _ = Fixture.keys(&s, "$", "down", "down")
        ListFilterTests.type(&s, "5000")
        _ = Fixture.keys(&s, "enter")
        guard case .settings(row: 2, _)? = s.overlay else {
            Issue.record("the popup closed on a refused value")
            return
        }
        #expect(s.message?.text == "slippage must be from 0 to 1000 basis points" && s.account.slippage == nil)
        _ = Fixture.keys(&s, "backspace", "backspace", "backspace", "backspace")
        ListFilterTests.type(&s, "5")
        effects = Fixture.keys(&s, "enter")
        #expect(s.account.slippage == 5 && s.overlay == nil)
        screen = Fixture.render(s).textRows.joined(separator: "\n")
        #expect(screen.contains("cash 25000"), "the title names the account")
        // `:account` with nothing after it opens the same popup; an empty value is the strategy's.
        _ = Fixture.keys(&s, ":")
        ListFilterTests.type(&s, "account")
        _ = Fixture.keys(&s, "enter")
        guard case .settings(row: 0, let field)? = s.overlay else {
            Issue.record(":account did not open the settings")
            return
        }
        #expect(field.text == "25000")
        for _ in 0..<5 { _ = Fixture.keys(&s, "backspace") }
        _ = Fixture.keys(&s, "enter")
        #expect(s.account.cash == nil && s.account.slippage == 5)
    }
}

/// Issue 24: each pane's footer names its own keys, and the help popup pages by its height.
@Suite struct FooterTruthTests {
    func footer(_ s: AppState) -> String { Fixture.render(s).textRows.last ?? "" }

    @Test func eachResultPaneNamesItsOwnKeysAndTheHelpPopupPagesByItsHeight() throws {
        var s = PaneTests.backtested(width: 120, height: 36)
        #expect(footer(s).contains("h sweep"))
        s.study = StudyPanel(kind: .sweep, strategy: "macd_crossover", symbol: "ACME", interval: .daily, generation: 9)
        #expect(footer(s).contains("m metric") && !footer(s).contains("h sweep"), "\(footer(s))")
        s.study = StudyPanel(
            kind: .walkForward, strategy: "macd_crossover", symbol: "ACME", interval: .daily, generation: 9)
        #expect(footer(s).contains("e export") && !footer(s).contains("Enter chart"), "\(footer(s))")
        s.study = nil
        s.portfolio = PortfolioPanel(strategy: "macd_crossover", universe: .stored, maxPositions: 5, generation: 3)
        #expect(footer(s).contains("v statistics") && !footer(s).contains("h sweep"), "\(footer(s))")
        s.portfolio = nil
        _ = Fixture.keys(&s, "?")
        #expect(footer(s).contains("PgUp/PgDn page") && !footer(s).contains("Enter choose"), "\(footer(s))")
        _ = Fixture.keys(&s, "pgdn")
        guard case .help(let scroll)? = s.overlay else {
            Issue.record("help closed")
            return
        }
        #expect(scroll == 36 - 5)
    }
}

/// Issue 24: the chart's info line keeps the date, the close and its change at every size, and
/// shows each other number whole or not at all ("C 581.58 V 2" was cut).
@Suite struct InfoLineTruthTests {
    @Test(arguments: ScreenSnapshotTests.sizes)
    func theInfoLineShowsTheBarsNumbersWhole(width: Int, height: Int) throws {
        let s = Fixture.state(width: width, height: height)
        let bars = s.bars()
        let bar = try #require(bars.last)
        let prev = bars[bars.count - 2].close
        let rows = Fixture.render(s).textRows
        let date = "\(TradingCalendar.nyse.sessions[Int(bar.lastSession)])"
        let line = try #require(rows.first { $0.contains(date + " ") && $0.contains(" C ") }, "no info line")
        let f = { (v: Double) in String(format: "%.2f", v) }
        let change = bar.close - prev
        let expected = [
            "C " + f(bar.close),
            String(format: "%+.2f (%+.2f%%)", change, change / prev * 100),
        ]
        for e in expected { #expect(line.contains(e), "\(width)x\(height): '\(e)' missing from \(line)") }
        for (label, value) in [("O ", bar.open), ("H ", bar.high), ("L ", bar.low)] where line.contains(" " + label) {
            #expect(line.contains(" " + label + f(value)), "\(width)x\(height): \(label) cut in \(line)")
        }
    }
}

/// Issue 24: the footer's keys, the header's clock, the composer's keys and the chart's tabs and
/// legend are whole items at every size ("b re…", "market open ·…", "Ctrl-Space complet", "cand").
@Suite struct WholeItemsTests {
    @Test(arguments: ScreenSnapshotTests.sizes)
    func footersHeadersAndLegendsShowWholeItems(width: Int, height: Int) {
        let hints = "↑↓ trades · Enter chart · v view · e export · h sweep · f walk-fwd · n/N strategy · b rerun"
        let items = Set(hints.components(separatedBy: " · "))
        var s = PaneTests.backtested(width: width, height: height)
        s.message = ("showing the statistics — v for the next view", .info)
        s.refresh = RefreshPanel()
        let rows = Fixture.render(s).textRows
        let footer = rows[rows.count - 1]
        let shownKeys = footer.components(separatedBy: "  ").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        for item in shownKeys.components(separatedBy: " · ") where !shownKeys.isEmpty {
            #expect(items.contains(item), "\(width)x\(height): '\(item)' is not a whole key hint in '\(footer)'")
        }
        #expect(!rows[0].contains("…") && !rows[0].contains("·…"), "\(width)x\(height): \(rows[0])")
        _ = Fixture.keys(&s, "esc")
        let chart = Fixture.render(s).textRows.joined(separator: "\n")
        #expect(!chart.contains(" cand\n") && !chart.contains("cand│"), "\(width)x\(height)")
    }
}

/// Issue 24: a heat map too wide for numbers still reads without colour (the plain text of
/// `tradlyte render sweep` showed an empty grid: colour only), its column labels never run
/// together, and cells out of view are said.
@Suite struct HeatMapTruthTests {
    @Test func aNarrowColouredHeatMapShowsShadesWholeLabelsAndWhatIsOutOfView() {
        let xs = BacktestRunner.ParameterRange(name: "fast", values: (5...40).map(Double.init))
        let ys = BacktestRunner.ParameterRange(name: "slow", values: (1...30).map { Double($0 * 10) })
        let values = ys.values.indices.map { j in xs.values.indices.map { i -> Double? in Double(i + j) / 10 } }
        var buf = Buffer(width: 80, height: 20)
        Screens.heatMap(
            (xs, ys, values), metric: .sharpe, best: ["fast": 40, "slow": 300], cursor: (0, 0),
            Screens.Context(theme: .default, glyphs: .unicode), Rect(x: 0, y: 0, width: 80, height: 20), &buf)
        let rows = buf.textRows
        #expect(["░", "▒", "▓", "█"].contains { rows[1].contains($0) }, "\(rows[1])")
        // Column labels apart: every number is separated by a space.
        let labels = rows[0].split(separator: " ").dropFirst()
        #expect(labels.allSatisfy { Double($0) != nil }, "\(rows[0])")
        #expect(rows.joined().contains("the best is off screen"))
        // With room for the whole legend, the rows and columns out of view are said too.
        var wide = Buffer(width: 160, height: 20)
        Screens.heatMap(
            (xs, ys, values), metric: .sharpe, best: ["fast": 40, "slow": 300], cursor: (0, 0),
            Screens.Context(theme: .default, glyphs: .unicode), Rect(x: 0, y: 0, width: 160, height: 20), &wide)
        let legend = wide.textRows.joined(separator: "\n")
        #expect(legend.contains("rows 1–18 of 30"), "\(legend)")
    }
}

/// Issue 24 (found by a drill): the statistics view scrolls to its last row at 80×24.
@Suite struct StatisticsScrollTests {
    @Test func theStatisticsViewReachesItsLastRowAtEightyByTwentyFour() throws {
        var s = PaneTests.backtested(width: 80, height: 24)
        _ = Fixture.keys(&s, "v")
        #expect(s.backtest?.view == .statistics)
        let last = try #require(s.backtest?.result?.stats.entries.last?.name)
        for _ in 0..<60 { _ = Fixture.keys(&s, "down") }
        let screen = Fixture.render(s).textRows.joined(separator: "\n")
        #expect(screen.contains(last), "\(last) not reachable:\n\(screen)")
    }
}
