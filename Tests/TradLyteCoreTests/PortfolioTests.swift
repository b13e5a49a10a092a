import Foundation
import Testing
import TradLyteCore
import TradLyteTestSupport

/// The portfolio backtester: a hand-checked three-symbol case and no look-ahead.
@Suite struct PortfolioTests {
    let cal = TradingCalendar.nyse

    func series(
        _ rows: [(Double, Double, Double, Double)], from: SessionDate = SessionDate(year: 2024, month: 1, day: 2)!
    )
        throws -> BarSeries
    {
        let start = cal.sessionIndex(onOrAfter: from)
        let bars = rows.enumerated().map { k, r in
            DailyBar(
                session: cal.sessions[start + k], open: r.0, high: r.1, low: r.2, close: r.3, volume: 1_000)
        }
        return try BarSeries(bars)
    }

    /// Up days enter, down days exit, a 10% stop; every candidate ranks the same.
    func strategy() throws -> CompiledStrategy {
        let json = """
            {"schema": "tradlyte.strategy/1", "name": "Up days", "interval": 1, "direction": "long",
             "trigger": {"rule": "close > open", "action": "buy"},
             "exit": {"rule": "close < open", "stop_loss": {"percent": 10}}}
            """
        return try CompiledStrategy(try Strategy.parse(Data(json.utf8)))
    }

    /// Worked by hand: AAA and BBB win the three-way tie at the first close by symbol; BBB's stop
    /// goes the next day and frees the slot for CCC; AAA's exit signal lets BBB back in; CCC is
    /// delisted at its last close; AAA re-enters with the cash left and is open at the end.
    @Test func threeSymbolsWithATieAStopAndADelisting() throws {
        let universe = [
            PortfolioBacktester.Member(
                symbol: try Symbol("AAA"),
                daily: try series([
                    (10, 11, 9.5, 11), (11, 12, 10.8, 11.5), (11.5, 11.6, 10, 10.2), (10, 10.5, 9.8, 10.4),
                    (10.4, 10.6, 10.3, 10.5), (10.5, 10.6, 10.4, 10.55),
                ])),
            PortfolioBacktester.Member(
                symbol: try Symbol("BBB"),
                daily: try series([
                    (20, 21, 19.8, 21), (21, 21.2, 18, 18.5), (18.5, 19, 18.2, 18.9), (19, 19.5, 18.8, 19.2),
                    (19.2, 19.3, 19.0, 19.1), (19.1, 19.2, 19.0, 19.05),
                ])),
            PortfolioBacktester.Member(
                symbol: try Symbol("CCC"),
                daily: try series([
                    (30, 30.5, 29.9, 30.2), (30.2, 31, 30, 30.8), (31, 31.5, 30.5, 31.2), (31.2, 31.4, 30, 30.5),
                ]),
                delisted: true),
        ]
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 2
        config.cash = 3_000
        let result = PortfolioBacktester.run(
            try strategy(), universe: universe, configuration: config, latestClosed: Int32(cal.sessions.count - 1),
            rank: try RuleCompiler().compile("1"))
        let trades = result.trades.map {
            "\($0.symbol) \($0.trade.entrySession)…\($0.trade.exitSession) "
                + "\(Int($0.trade.size))@\($0.trade.entryPrice)→\($0.trade.exitPrice) \($0.trade.exitReason.rawValue)"
        }
        #expect(
            trades == [
                "BBB 2024-01-03…2024-01-03 71@21.0→18.9 stop_loss",
                "AAA 2024-01-03…2024-01-05 136@11.0→10.0 signal",
                "CCC 2024-01-04…2024-01-05 43@31.0→30.5 delisted",
                "BBB 2024-01-05…2024-01-09 71@19.0→19.1 signal",
            ])
        let open = try #require(result.openTrades.first)
        #expect(result.openTrades.count == 1 && open.symbol.rawValue == "AAA")
        #expect(open.trade.size == 129 && open.trade.entryPrice == 10.4 && open.trade.exitPrice == 10.55)
        // Sizing values the account at the fill: the cash after that open's exits, positions at
        // the open (BBB's re-entry: 1,381.9 + 43 × 31.2 = 2,723.5, half of it buys 71 at 19).
        let expected = [3_000, 2_918.9, 2_750.7, 2_707.6, 2.8 + 71 * 19.1 + 129 * 10.5, 1_358.9 + 129 * 10.55]
        for (k, v) in expected.enumerated() {
            #expect(abs(result.equity[k] - v) < 1e-9, "bar \(k): \(result.equity[k]) ≠ \(v)")
        }
        #expect(result.positions == [0, 1, 2, 1, 2, 1])
        #expect(result.maxPositionsHeld == 2)
        #expect(abs((result.contribution[try Symbol("CCC")] ?? 0) - (-21.5 / 3_000 * 100)) < 1e-9)
        #expect(result.stats["# Trades"]?.number == 4)
        // The benchmark: a third of the cash in each at its first close, CCC's share held as cash
        // after its last bar.
        let third = 1_000.0
        let bench5 = third / 11 * 10.55 + third / 21 * 19.05 + third / 30.2 * 30.5
        #expect(abs(result.benchmark[5] - bench5) < 1e-9)
    }

    /// The default rank is the scanner's confidence, then roc(20): a symbol whose setup has held
    /// on its 3d and 5d bars too beats one that only just crossed, however fast it rose.
    @Test func confidenceRanksBeforeRateOfChange() throws {
        // FAST sits at 30 and jumps to 51 (roc 70%); STEADY has been above 50 all along (roc 0).
        var fast = [(Double, Double, Double, Double)](repeating: (30, 30.5, 29.5, 30), count: 29)
        fast.append((31, 51.5, 30.5, 51))
        fast.append((51, 52, 50.5, 51.5))
        var steady = [(Double, Double, Double, Double)](repeating: (60, 60.5, 59.5, 60), count: 29)
        steady.append((59.5, 60.5, 59, 60))
        steady.append((60, 60.5, 59.5, 60.2))
        let universe = [
            PortfolioBacktester.Member(symbol: try Symbol("FAST"), daily: try series(fast)),
            PortfolioBacktester.Member(symbol: try Symbol("STEADY"), daily: try series(steady)),
        ]
        let json = """
            {"schema": "tradlyte.strategy/1", "name": "Above 50", "interval": 1, "direction": "long",
             "setup": {"rule": "close > 50"}, "trigger": {"rule": "close > open", "action": "buy"},
             "exit": {"max_bars": 100}}
            """
        let strategy = try CompiledStrategy(try Strategy.parse(Data(json.utf8)))
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 1
        let latest = Int32(cal.sessions.count - 1)
        let byDefault = PortfolioBacktester.run(
            strategy, universe: universe, configuration: config, latestClosed: latest)
        #expect(byDefault.openTrades.map(\.symbol.rawValue) == ["STEADY"])
        let byRoc = PortfolioBacktester.run(
            strategy, universe: universe, configuration: config, latestClosed: latest,
            rank: try RuleCompiler().compile("roc(20)"))
        #expect(byRoc.openTrades.map(\.symbol.rawValue) == ["FAST"])
    }

    /// Every third bar the positions go back to equal weight: the winner is trimmed (a
    /// `rebalance` trade), the laggard topped up with what the trim released.
    @Test func aPeriodicRebalanceRestoresTheTargetWeights() throws {
        let universe = [
            PortfolioBacktester.Member(
                symbol: try Symbol("AAA"),
                daily: try series([
                    (10, 10.5, 9.9, 10.2), (10, 12, 10, 12), (12, 14, 12, 14), (14, 15, 14, 15), (15, 15, 15, 15),
                ])),
            PortfolioBacktester.Member(
                symbol: try Symbol("BBB"),
                daily: try series([
                    (20, 20.5, 19.9, 20.2), (20, 20, 20, 20), (20, 20, 20, 20), (20, 20, 20, 20), (20, 20, 20, 20),
                ])),
        ]
        let json = """
            {"schema": "tradlyte.strategy/1", "name": "Hold", "interval": 1, "direction": "long",
             "trigger": {"rule": "close > open", "action": "buy"}, "exit": {"rule": "close < 0"}}
            """
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 2
        config.rebalanceEvery = 3
        let r = PortfolioBacktester.run(
            try CompiledStrategy(try Strategy.parse(Data(json.utf8))), universe: universe, configuration: config,
            latestClosed: Int32(cal.sessions.count - 1), rank: try RuleCompiler().compile("1"))
        let trim = try #require(r.trades.first)
        #expect(r.trades.count == 1 && trim.symbol.rawValue == "AAA" && trim.trade.exitReason == .rebalance)
        #expect(trim.trade.size == 72 && trim.trade.exitPrice == 14 && trim.trade.pnl == 288)
        #expect(r.openTrades.map { "\($0.symbol) \(Int($0.trade.size))" } == ["AAA 428", "BBB 300"])
        #expect(abs(r.equity[4] - 12_428) < 1e-9)
    }

    /// Changing bars after a session changes nothing the portfolio decided before it.
    @Test func aFutureBarChangesNoEarlierDecision() throws {
        var universe: [PortfolioBacktester.Member] = []
        var changed: [PortfolioBacktester.Member] = []
        let cut = 300
        for k in 0..<8 {
            var walk = RandomWalk(seed: UInt64(100 + k))
            let bars = walk.dailyBars(from: SessionDate(year: 2020, month: 1, day: 2)!, count: 500, calendar: cal)
            universe.append(PortfolioBacktester.Member(symbol: try Symbol("S\(k)"), daily: try BarSeries(bars)))
            var future = bars
            for i in cut..<future.count {
                future[i].close *= 1.3
                future[i].high = max(future[i].high, future[i].close)
            }
            changed.append(PortfolioBacktester.Member(symbol: try Symbol("S\(k)"), daily: try BarSeries(future)))
        }
        let strategy = try CompiledStrategy(try #require(StrategyLibrary.named("macd_crossover")).strategy)
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 3
        let latest = Int32(cal.sessions.count - 1)
        let a = PortfolioBacktester.run(strategy, universe: universe, configuration: config, latestClosed: latest)
        let b = PortfolioBacktester.run(strategy, universe: changed, configuration: config, latestClosed: latest)
        #expect(a.trades.count > 5)
        #expect(Array(a.equity.prefix(cut)) == Array(b.equity.prefix(cut)))
        let before = { (r: PortfolioBacktester.Result) in
            r.trades.filter { $0.trade.exitBar < cut }.map { "\($0.symbol) \($0.trade.entryBar) \($0.trade.exitBar)" }
        }
        #expect(before(a) == before(b))
        #expect(a.equity.last != b.equity.last)
    }
}

/// Parity with vectorbt's grouped, cash-sharing portfolio on the same signals and fills
/// (Tests/Fixtures/portfolio_*, made by scripts/make_portfolio_fixtures.py, which documents how
/// vectorbt's call sequence and sizing were set to trade as the engine does).
@Suite struct PortfolioParityTests {
    struct Expected: Decodable {
        struct Trade: Decodable {
            var symbol: String
            var entry_date: String
            var exit_date: String
            var size: Double
            var entry_price: Double
            var exit_price: Double
            var pnl: Double
        }
        struct Open: Decodable {
            var symbol: String
            var entry_date: String
            var size: Double
            var entry_price: Double
        }
        var max_positions: Int
        var cash: Double
        var delisted: [String: Int]
        var equity: [Double]
        var trades: [Trade]
        var open: [Open]
        var stats: [String: Double?]
    }

    @Test func tradesEquityAndStatisticsMatchVectorbt() throws {
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(try Fixture.text("portfolio_expected.json").utf8))
        var bars: [String: [DailyBar]] = [:]
        for line in try Fixture.lines("portfolio_data.csv").dropFirst() where !line.isEmpty {
            let f = line.split(separator: ",").map(String.init)
            bars[f[0], default: []].append(
                DailyBar(
                    session: try SessionDate(iso: f[1]), open: Double(f[2])!, high: Double(f[3])!,
                    low: Double(f[4])!, close: Double(f[5])!, volume: Double(f[6])!))
        }
        let universe = try bars.keys.sorted().map { name in
            PortfolioBacktester.Member(
                symbol: try Symbol(name), daily: try BarSeries(bars[name]!), delisted: expected.delisted[name] != nil)
        }
        let strategy = try CompiledStrategy(
            try Strategy.parse(
                Data(
                    """
                    {"schema": "tradlyte.strategy/1", "name": "SMA 5/15", "interval": 1, "direction": "long",
                     "trigger": {"rule": "sma(5) crosses_above sma(15)", "action": "buy"},
                     "exit": {"rule": "sma(5) crosses_below sma(15)"}}
                    """.utf8)))
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = expected.max_positions
        config.cash = expected.cash
        let r = PortfolioBacktester.run(
            strategy, universe: universe, configuration: config,
            latestClosed: Int32(TradingCalendar.nyse.sessions.count - 1))
        #expect(r.equity.count == expected.equity.count)
        for (k, (ours, theirs)) in zip(r.equity, expected.equity).enumerated() {
            #expect(abs(ours - theirs) <= 1e-9 * abs(theirs), "bar \(k): \(ours) ≠ \(theirs)")
        }
        let ours = r.trades.sorted {
            ($0.trade.exitSession, $0.symbol.rawValue) < ($1.trade.exitSession, $1.symbol.rawValue)
        }
        #expect(ours.count == expected.trades.count)
        for (a, b) in zip(ours, expected.trades) {
            #expect(a.symbol.rawValue == b.symbol)
            #expect(a.trade.entrySession.description == b.entry_date && a.trade.exitSession.description == b.exit_date)
            #expect(a.trade.size == b.size && a.trade.entryPrice == b.entry_price && a.trade.exitPrice == b.exit_price)
            #expect(abs(a.trade.pnl - b.pnl) <= 1e-9 * max(1, abs(b.pnl)), "\(a.symbol) \(a.trade.pnl) ≠ \(b.pnl)")
        }
        #expect(ours.contains { $0.trade.exitReason == .delisted })
        #expect(r.openTrades.map(\.symbol.rawValue) == expected.open.map(\.symbol))
        #expect(zip(r.openTrades, expected.open).allSatisfy { $0.trade.size == $1.size })
        for (name, value) in expected.stats {
            guard let value else { continue }
            let mine = try #require(r.stats[name]?.number, "\(name)")
            #expect(abs(mine - value) <= 1e-6, "\(name): \(mine) ≠ \(value)")
        }
    }
}
