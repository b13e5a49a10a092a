import Foundation
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// Issue 23 through the built binary: the parameter-count file, the range probes, the numeric
/// matrix, empty lists and impossible ranges — each refused with exit 2 and the option's name,
/// at once (a timeout would mean a spin) — and a corrupt database that is never written to.
@Suite struct RoundTwoCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z"]

    func demoHome() throws -> CLIHarness {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 3)
        return cli
    }

    @Test func aStrategyWithSixtyFourParametersIsValidatedAndRefusedNotCrashed() throws {
        let cli = try demoHome()
        var parameters: [String] = []
        for i in 0..<64 { parameters.append(#""p\#(i)": {"default": 1, "min": 1, "max": 2, "step": 1}"#) }
        try FileManager.default.createDirectory(atPath: cli.home + "/strategies", withIntermediateDirectories: true)
        let file = cli.write(
            "strategies/pm64.json",
            #"{"schema": "tradlyte.strategy/1", "name": "P", "description": "p", "interval": 1, "direction": "long", "#
                + #""parameters": {\#(parameters.joined(separator: ", "))}, "#
                + #""trigger": {"rule": "close > sma(20)", "action": "buy"}, "exit": {"rule": "close < sma(20)"}}"#)
        let validate = try cli.run(["strategy", "validate", file], environment: Self.env)
        #expect(validate.status == 0 && validate.stdout.contains("over the 10,000 cap"), "\(validate.stdout)")
        for command in [["sweep", "pm64", "ACME"], ["walkforward", "pm64", "ACME"]] {
            let r = try cli.run(command, environment: Self.env)
            #expect(
                r.status == 2 && r.stderr.contains("more than 9,223,372,036,854,775,806"), "\(command): \(r.stderr)")
        }
        let sampled = try cli.run(["sweep", "pm64", "ACME", "--random", "20", "--json"], environment: Self.env)
        #expect(sampled.status == 0, "\(sampled.stderr)")
        // A declared range no sweep could hold makes the file invalid, with the field's path.
        let huge = cli.write(
            "strategies/huge.json",
            #"{"schema": "tradlyte.strategy/1", "name": "H", "interval": 1, "direction": "long", "#
                + #""parameters": {"fast": {"default": 10, "min": 1, "max": 4000000000, "step": 1}}, "#
                + #""trigger": {"rule": "close > sma($fast)", "action": "buy"}, "exit": {"rule": "close < sma(20)"}}"#)
        let bad = try cli.run(["strategy", "validate", huge], environment: Self.env)
        #expect(bad.status == 1 && bad.stderr.contains("$.parameters.fast.step"), "\(bad.stderr)")
        #expect(bad.stderr.contains("4,000,000,000 values"), "\(bad.stderr)")
    }

    @Test func rangeProbesAndTheNumericMatrixAreRefusedAtOnceWithTheOptionsName() throws {
        let cli = try demoHome()
        let cases: [([String], String)] = [
            (
                ["sweep", "golden_cross", "ACME", "--param", "fast=1:4000000000:1", "--param", "slow=1:4000000000:1"],
                "4,000,000,000 values"
            ),
            (["walkforward", "golden_cross", "ACME", "--param", "fast=1:4000000000:1"], "4,000,000,000 values"),
            (["sweep", "golden_cross", "ACME", "--param", "fast=1:9223372036854775807:1"], "values, over the 100,000"),
            (["sweep", "golden_cross", "ACME", "--param", "fast=1:1e400:1"], "plain decimal"),
            (["sweep", "golden_cross", "ACME", "--param", "fast=10:20:1e-15"], "STEP must be at least"),
            (["sweep", "golden_cross", "ACME", "--param", "fast=1:10:1e-300"], "STEP must be at least"),
            (["sweep", "golden_cross", "ACME", "--param", "fast=0x10"], "plain decimal"),
            (["sweep", "golden_cross", "ACME", "--to", "1989-12-29"], "--from/--to: no bars through 1989-12-29"),
            (
                ["portfolio", "golden_cross", "--symbols", "ACME,NOVA", "--max-positions", "1:4000000000:1"],
                "--max-positions"
            ),
            (
                ["portfolio", "golden_cross", "--symbols", "ACME,NOVA", "--max-positions", "1:9223372036854775807:1"],
                "--max-positions"
            ),
            (["portfolio", "golden_cross", "--symbols", "ACME,NOVA", "--min-price", "inf"], "--min-price"),
            (["portfolio", "golden_cross", "--symbols", "ACME,NOVA", "--min-price", "nan"], "--min-price"),
            (["portfolio", "golden_cross", "--symbols", "ACME,NOVA", "--min-market-cap", "0x10"], "--min-market-cap"),
            (
                [
                    "portfolio", "golden_cross", "--symbols", "ACME", "--sizing", "risk", "--fraction", "0.01", "--atr",
                    "1e400",
                ],
                "--atr"
            ),
            (["portfolio", "golden_cross", "--symbols", ""], "--symbols"),
            (["backtest", "golden_cross", "ACME", "--cash", "0x10"], "--cash"),
            (["backtest", "golden_cross", "ACME", "--cash", "1e400"], "--cash"),
            (["backtest", "golden_cross", "ACME", "--slippage", "inf"], "--slippage"),
            (["backtest", "golden_cross", "ACME", "--commission-fixed", "nan"], "--commission-fixed"),
            (["backtest", "golden_cross", "ACME", "--commission", "0x1p-3"], "--commission"),
            (["backtest", "golden_cross", "ACME", "--param", "fast=0x10"], "--param"),
            (["backtest", "golden_cross", "ACME", "--from", "2025-01-02", "--to", "2024-01-02"], "is after --to"),
            (["alerts", "add", "price_above", "ACME", "--value", "0x10"], "--value"),
            (["refresh", "--dry-run", "--symbols", ""], "--symbols"),
            (["refresh", "--dry-run", "--symbols", "ACME,,NOVA"], "--symbols"),
            (["indicator", "sma()", "ACME"], "empty parentheses"),
            // Found by the drill of this fix: crashes on huge caps and windows, a parameter twice.
            (["sweep", "golden_cross", "ACME", "--max", "9223372036854775807"], "--max and --random"),
            (["walkforward", "golden_cross", "ACME", "--in-sample", "9223372036854775807"], "--in-sample"),
            (["walkforward", "golden_cross", "ACME", "--in-sample", "0"], "--in-sample"),
            (
                [
                    "portfolio", "golden_cross", "--symbols", "ACME,NOVA", "--walkforward", "--out-of-sample",
                    "9223372036854775807",
                ], "--out-of-sample"
            ),
            (["sweep", "golden_cross", "ACME", "--param", "fast=10", "--param", "fast=20"], "given twice"),
            (
                ["portfolio", "golden_cross", "--symbols", "ACME", "--param", "fast=10", "--param", "fast=20:30:5"],
                "given twice"
            ),
            (["backtest", "golden_cross", "ACME", "--to", "1989-12-29"], "--from/--to: no 1d bars of ACME through"),
        ]
        for (arguments, needle) in cases {
            let r = try cli.run(arguments, environment: Self.env)
            #expect(r.status == 2, "\(arguments): exit \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(needle), "\(arguments): \(r.stderr)")
        }
    }

    @Test func aBaseURLHoldingTheKeyIsNeverPrintedWithIt() throws {
        let cli = try CLIHarness()
        let key = "canary-key-7731"
        let env = Self.env.merging([
            "POLYGON_API_KEY": key, "POLYGON_BASE_URL": "http://127.0.0.1:9/\(key)?apiKey=\(key)",
        ]) { $1 }
        for command in [["refresh", "--dry-run"], ["status"], ["doctor"]] {
            let r = try cli.run(command, environment: env)
            #expect(!(r.stdout + r.stderr).contains(key), "\(command) printed the key")
            #expect((r.stdout + r.stderr).contains("127.0.0.1:9/***"), "\(command): \(r.stdout) \(r.stderr)")
        }
    }

    /// The file's bytes (a few MB: compared whole rather than hashed).
    func hash(_ path: String) -> Data {
        FileManager.default.contents(atPath: path) ?? Data()
    }

    @Test func aCorruptDatabaseIsRefusedByImportAndNeverCalledUntouchedWhenItChanged() throws {
        let cli = try demoHome()
        let database = cli.home + "/tradlyte.sqlite"
        // Checkpointed into one file, then a page of the daily bars overwritten with noise.
        do {
            let store = try MarketStore(path: database)
            _ = try store.quickCheck()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
        #expect(size > 1_000_000)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: database))
        try handle.seek(toOffset: UInt64(size / 2 / 4096 * 4096))
        handle.write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
        try handle.close()
        let before = hash(database)
        let csv = cli.write("ACME.csv", "date,open,high,low,close,volume\n2026-11-25,1,2,1,2,100\n")
        let imported = try cli.run(["import", "csv", csv], environment: Self.env)
        #expect(imported.status != 0)
        #expect(imported.stderr.contains("quick integrity check"), "\(imported.stderr)")
        #expect(hash(database) == before)
        // A day later the refresh has work: it checks first and writes nothing.
        let refresh = try cli.run(["refresh"], environment: ["TRADLYTE_NOW": "2026-11-26T23:00:00Z"])
        #expect(refresh.status == 1, "\(refresh.stdout)")
        #expect(refresh.stderr.contains("quick integrity check") && refresh.stderr.contains("left as it was"))
        #expect(hash(database) == before)
    }
}
