import Foundation
import Testing
import TradLyteStore
import TradLyteTestSupport

/// backtest, sweep, walkforward and scan through the binary on the demo market.
@Suite(.serialized) struct BacktestCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z", "POLYGON_API_KEY": ""]

    func seeded() throws -> CLIHarness {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 3)
        return cli
    }

    @Test func backtestPrintsStatisticsAndTradesAndJSONParses() throws {
        let cli = try seeded()
        let text = try cli.run(["backtest", "macd_crossover", "LMNA", "--commission", "0.001"], environment: Self.env)
        #expect(text.status == 0, "\(text.stderr)")
        for key in ["Sharpe Ratio", "Kelly Criterion", "Bars/Year", "# Trades", "REASON"] {
            #expect(text.stdout.contains(key))
        }
        let json = try cli.run(
            ["backtest", "macd_crossover", "LMNA", "--json", "--from", "2025-01-01"], environment: Self.env)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let stats = object["stats"] as! [String: Any]
        #expect(stats["Start"] as? String ?? "" >= "2025-01-01")
        #expect((object["trades"] as! [Any]).count == Int(stats["# Trades"] as! Double))
        #expect(!json.stdout.contains("NaN") && !json.stdout.contains("inf"))
        let ranked = try cli.run(
            [
                "backtest", "golden_cross", "--universe", "--rank-by", "sharpe", "--json", "--param", "fast=10",
                "--param", "slow=50",
            ],
            environment: Self.env)
        #expect((try JSONSerialization.jsonObject(with: Data(ranked.stdout.utf8)) as! [Any]).count == 43)
    }

    @Test func badInputExitsTwoWithAClearMessage() throws {
        let cli = try seeded()
        let cases: [([String], String)] = [
            (["backtest", "golden_cross", "NOPE"], "unknown symbol 'NOPE'"),
            (["backtest", "golden_cross", "ACME", "--from", "2030-01-01"], "no 1d bars of ACME"),
            (["backtest", "golden_cross", "ACME", "--interval", "34"], "needs more than"),
            (["backtest", "golden_cross", "ACME", "--from", "2025-02-01", "--to", "2025-01-01"], "is after --to"),
            (["sweep", "golden_cross", "ACME", "--param", "fast=1:5:1"], "outside fast's declared range"),
            (
                [
                    "sweep", "golden_cross", "ACME", "--param", "fast=10:100:1", "--param", "slow=100:300:1", "--max",
                    "100",
                ], "over the cap of 100"
            ),
        ]
        for (args, message) in cases {
            let r = try cli.run(args, environment: Self.env)
            #expect(r.status == 2 && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
        }
    }

    @Test func sweepShowsAHeatMapAndWalkForwardItsWindows() throws {
        let cli = try seeded()
        let sweep = try cli.run(
            ["sweep", "golden_cross", "TERA", "--param", "fast=10:30:10", "--param", "slow=100:150:50"],
            environment: Self.env)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("by fast (columns) and slow (rows)") && sweep.stdout.contains("Best: fast="))
        let json = try cli.run(
            ["sweep", "golden_cross", "TERA", "--param", "fast=10:30:10", "--param", "slow=100:150:50", "--json"],
            environment: Self.env)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((object["rows"] as! [Any]).count == 6 && (object["heatmap"] as! [String: Any])["values"] != nil)
        let wf = try cli.run(
            [
                "walkforward", "golden_cross", "TERA", "--param", "fast=10,20", "--param", "slow=100,150",
                "--in-sample", "300", "--out-of-sample", "100", "--json",
            ], environment: Self.env)
        #expect(wf.status == 0, "\(wf.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(wf.stdout.utf8)) as? [String: Any])
        #expect((document["windows"] as? [Any])?.count ?? 0 >= 3)
        #expect(document["stitched_return_pct"] is Double && document["in_sample_bars"] as? Double == 300)
    }

    @Test func scanStoresPicksAndARerunReplacesThem() throws {
        let cli = try seeded()
        let first = try cli.run(["scan", "--json", "--top", "3"], environment: Self.env)
        #expect(first.status == 0, "\(first.stderr)")
        let picks = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [[String: Any]]
        let again = try cli.run(["scan", "--json", "--top", "3"], environment: Self.env)
        #expect(again.stdout == first.stdout)
        let store = try MarketStore(path: cli.home + "/tradlyte.sqlite")
        #expect(try store.picks().count == picks.count)
        let early = try cli.run(["scan", "golden_cross", "--date", "2026-06-01"], environment: Self.env)
        #expect(early.status == 0 && early.stdout.contains("for 2026-06-01"))
        #expect(
            try cli.run(["scan", "--date", "2026-06-06"], environment: Self.env).stderr.contains("not an NYSE session"))
    }

    @Test func portfolioOverTheWatchlistPrintsItsStatisticsAndJSON() throws {
        let cli = try seeded()
        cli.write("config.json", #"{"watchlist": ["ACME", "TERA", "LMNA", "NOVA", "DMOX", "JADE"]}"#)
        let text = try cli.run(
            ["portfolio", "golden_cross", "--watchlist", "--max-positions", "5"], environment: Self.env)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Golden Cross on 6 symbols") && text.stdout.contains("Sharpe Ratio"))
        #expect(text.stdout.contains("Max positions held") && text.stdout.contains("CONTRIBUTION %"))
        let json = try cli.run(
            ["portfolio", "macd_crossover", "--symbols", "ACME,TERA,LMNA", "--max-positions", "2", "--json"],
            environment: Self.env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let positions = try #require(object["positions"] as? [Double])
        #expect(positions.allSatisfy { $0 <= 2 } && positions.contains(2))
        #expect((object["equity"] as? [Double])?.count == positions.count)
        // A sweep over the position limit (and a strategy parameter), best first.
        let sweep = try cli.run(
            ["portfolio", "golden_cross", "--watchlist", "--max-positions", "2:6:2", "--param", "fast=20,50"],
            environment: Self.env)
        #expect(sweep.status == 0 && sweep.stdout.contains("6 portfolios of Golden Cross"), "\(sweep.stderr)")
        #expect(sweep.stdout.contains("MAX_POSITIONS") && sweep.stdout.contains("FAST"))
        let walk = try cli.run(
            [
                "portfolio", "golden_cross", "--watchlist", "--max-positions", "2,4", "--walkforward", "--in-sample",
                "252", "--out-of-sample", "126",
            ], environment: Self.env)
        #expect(walk.status == 0 && walk.stdout.contains("windows of Golden Cross portfolios"), "\(walk.stderr)")
        #expect(walk.stdout.contains("max_positions="))
        for (args, message) in [
            (["portfolio", "golden_cross", "--watchlist", "--max-positions", "0"], "whole numbers from 1 to 1000"),
            (["portfolio", "golden_cross"], "choose one universe"),
            (["portfolio", "golden_cross", "--watchlist", "--sizing", "risk"], "--sizing risk needs --fraction"),
            (["portfolio", "golden_cross", "--symbols", "NOPE"], "unknown symbol 'NOPE'"),
            (["portfolio", "golden_cross", "--watchlist", "--rank", "roc(20"], "--rank: cannot read"),
        ] {
            let r = try cli.run(args, environment: Self.env)
            #expect(r.status == 2 && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
