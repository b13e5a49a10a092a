import Foundation
import Testing
import TradLyteTestSupport

/// `strategy validate` through the built binary: its exit code and its report on stderr.
/// (The studies and strategy files are tested in-process in TradLyteAppTests.)
@Suite struct AnalyticsCLITests {
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
}
