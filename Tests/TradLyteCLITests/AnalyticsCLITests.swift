import Foundation
import Testing
import TradLyteCore
import TradLyteTestSupport

/// The analytics commands, driven through the built binary.
@Suite struct AnalyticsCLITests {
    let cal = TradingCalendar.nyse

    /// Imports 600 sessions of a seeded random walk as symbol TEST; returns the series.
    func seed(_ cli: CLIHarness) throws -> BarSeries {
        var walk = RandomWalk(seed: 11)
        walk.closeCentre = 0.49
        let bars = walk.dailyBars(from: try SessionDate(iso: "2020-01-02"), count: 600, calendar: cal)
        let s = try BarSeries(bars)
        let result = try cli.run(["import", "csv", cli.write("TEST.csv", RandomWalk.csv(bars))])
        #expect(result.status == 0, "\(result.stderr)")
        return s
    }

    @Test func validateReportsEveryProblemAndExitsOne() throws {
        let cli = try CLIHarness()
        let file = cli.write(
            "broken.json",
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "Broken",
              "parameters": {"fast": {"default": 20, "min": 5, "max": 6000}},
              "setup": {"rule": "close > smaa(200)"},
              "trigger": {"rule": "macd(12,26,9).sig crosses_above 0", "acton": "buy"},
              "exit": {"rule": "sma($fast) crosses_below sma(50)"}
            }
            """)
        let result = try cli.run(["strategy", "validate", file])
        #expect(result.status == 1)
        let err = result.stderr
        #expect(err.contains("4 problems"), "\(err)")
        #expect(err.contains("$.trigger.acton: unknown key 'acton' — did you mean 'action'?"))
        #expect(
            err.contains(
                "$.setup.rule 1:9: unknown indicator 'smaa' — did you mean 'sma'?\n    close > smaa(200)\n            ^^^^"
            ))
        #expect(err.contains("$.trigger.rule 1:15: unknown output 'sig' of macd — did you mean 'signal'?"))
        #expect(
            err.contains("$.exit.rule 1:5: with every parameter at its max: sma: period 6000 is out of range 1…5000"))

        let good = try cli.run(["strategy", "show", "rsi_reversion"])
        let json = String(good.stdout[good.stdout.range(of: "{")!.lowerBound...])
        let valid = try cli.run(["strategy", "validate", cli.write("good.json", json)])
        #expect(valid.status == 0 && valid.stdout.contains("valid — RSI Reversion"), "\(valid.stderr)")
    }

    @Test func newCopiesATemplateThatThenAppearsInTheList() throws {
        let cli = try CLIHarness()
        let created = try cli.run(["strategy", "new", "My Cross", "--from", "golden_cross"])
        #expect(created.status == 0, "\(created.stderr)")
        let path = cli.home + "/strategies/my_cross.json"
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try cli.run(["strategy", "validate", path]).status == 0)
        let list = try cli.run(["strategy", "list"]).stdout
        #expect(list.contains("my_cross") && list.contains("user") && list.contains("vegas_channel"))
        let again = try cli.run(["strategy", "new", "My Cross"])
        #expect(again.status == 2 && again.stderr.contains("already exists"))
        #expect(try cli.run(["strategy", "show", "nope"]).stderr.contains("unknown strategy 'nope'"))
    }

    @Test func indicatorPrintsEveryOutputAndMatchesTheLibrary() throws {
        let cli = try CLIHarness()
        let series = try seed(cli)
        let result = try cli.run(["indicator", "macd(12,26,9)", "TEST", "--csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(rows[0] == ["session", "macd", "signal", "hist"])
        let m = Indicators.macd(series.close, fast: 12, slow: 26, signal: 9)
        #expect(rows.count == 601)
        for i in 0..<600 {
            let row = rows[i + 1]
            #expect(row[0] == cal.sessions[Int(series.sessionIndex[i])].description)
            if m.signal[i].isNaN {
                #expect(row[1] == "" && row[2] == "")
            } else {
                #expect(Double(row[2]) == m.signal[i])
            }
        }
        let weekly = try cli.run(["indicator", "rsi(14)", "TEST", "--interval", "5", "--csv", "--last", "2"])
        #expect(weekly.stdout.split(separator: "\n").count == 3)
        let bad = try cli.run(["indicator", "rsi(14", "TEST"])
        #expect(bad.status == 2 && bad.stderr.contains("1:7: expected ',' or ')'"))
    }

    @Test func signalsListEntriesAndExits() throws {
        let cli = try CLIHarness()
        _ = try seed(cli)
        let result = try cli.run(["signals", "macd_crossover", "TEST"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ENTRY buy") && result.stdout.contains("EXIT"))
        #expect(result.stdout.contains("MACD Crossover on TEST, 1d bars:"))
        let json = try cli.run([
            "signals", "golden_cross", "TEST", "--param", "fast=10", "--param", "slow=30", "--json",
        ])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(rows.contains { $0["entry"] as? Bool == true })
        let tooShort = try cli.run(["signals", "vegas_channel", "TEST", "--interval", "21"])
        #expect(tooShort.status == 2 && tooShort.stderr.contains("needs more than"))
        let unknown = try cli.run(["signals", "golden_cross", "TEST", "--param", "fats=10"])
        #expect(unknown.status == 2 && unknown.stderr.contains("has no parameter 'fats'"))
    }
}
