import CSQLite
import Foundation
import Testing
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// Defects an independent drill found with hostile input, each driven through the built
/// binary: every case failed before its fix.
@Suite struct HostileInputCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z"]

    @Test func aStrategyFileThatCannotLoadStopsNoCommandThatDoesNotUseIt() throws {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 1)
        let chain = String(repeating: "close > 1 and ", count: 14_000) + "close > 1"
        let file = """
            {"schema": "tradlyte.strategy/1", "name": "Chain", "interval": "1d",
             "trigger": {"rule": "\(chain)", "action": "buy"}, "exit": {"rule": "close < 1"}}
            """
        try FileManager.default.createDirectory(atPath: cli.home + "/strategies", withIntermediateDirectories: true)
        cli.write("strategies/chain.json", file)
        let list = try cli.run(["strategy", "list"], environment: Self.env)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("chain"), "\(list.stdout)")
        let backtest = try cli.run(["backtest", "golden_cross", "ACME"], environment: Self.env)
        #expect(backtest.status == 0, "\(backtest.stderr)")
        #expect(try cli.run(["scan", "golden_cross"], environment: Self.env).status == 0)
        let used = try cli.run(["backtest", "chain", "ACME"], environment: Self.env)
        #expect(used.status == 2 && used.stderr.contains("too deeply"), "\(used.status) \(used.stderr)")
    }

    @Test func csvImportRejectsFutureSessionsOddNumbersAndAmbiguousHeaders() throws {
        let cli = try CLIHarness()
        let cases: [(String, String)] = [
            ("date,open,high,low,close,volume\n2039-01-03,1,2,1,2,100\n", "after the latest closed session 2026-11-25"),
            ("date,open,high,low,close,volume\n2024-03-15,0x1p3,9,7,8,100\n", "open '0x1p3' is not a number"),
            ("date,open,high,low,close,volume\n2024-03-15,1,2,1,2,1e308\n", "beyond any session's volume"),
            ("date,open,high,low,close,close,volume\n2024-03-15,1,2,1,2,2,100\n", "names the close column twice"),
            ("date,open,high,low,close,volume\n2024-03-15,1,2,1,2,1\u{1B}[2J\n", "\\u{1B}[2J"),
        ]
        for (text, message) in cases {
            let r = try cli.run(["import", "csv", cli.write("X.csv", text)], environment: Self.env)
            #expect(r.status == 2, "\(text.debugDescription): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(text.debugDescription): \(r.stderr)")
            #expect(!r.stderr.contains("\u{1B}"), "an escape reached the terminal")
        }
        // Old-Mac line endings (CR only) are read like any other.
        let cr = "date,open,high,low,close,volume\r2024-03-14,1,2,1,2,100\r2024-03-15,2,3,2,3,100\r"
        let imported = try cli.run(["import", "csv", cli.write("CR.csv", cr)], environment: Self.env)
        #expect(imported.status == 0 && imported.stdout.contains("Imported 2 rows for CR"), "\(imported.stderr)")
    }

    @Test func anotherApplicationsDatabaseIsLeftByteForByteAsItWas() throws {
        let cli = try CLIHarness()
        let path = cli.home + "/tradlyte.sqlite"
        var db: OpaquePointer?
        #expect(sqlite3_open(path, &db) == SQLITE_OK)
        let sql = "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('mine')"
        #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let status = try cli.run(["status"], environment: Self.env)
        #expect(status.status != 0 && status.stderr.contains("another application"), "\(status.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    /// A `-shm` left by another user: the database itself is writable, its shared-memory file
    /// is not. Root ignores file modes, so under root (as in CI) the refresh runs as `nobody`.
    @Test func aReadOnlySharedMemoryFileIsNamed() throws {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 1)
        let shm = cli.home + "/tradlyte.sqlite-shm"
        #expect(FileManager.default.createFile(atPath: shm, contents: Data(count: 32_768)))
        let process = Process()
        process.environment = cli.environment(Self.env)
        if getuid() == 0 {
            let nobody: UInt32 = 65_534
            for name in try FileManager.default.contentsOfDirectory(atPath: cli.home) + [""] {
                chown(cli.home + "/" + name, nobody, nobody)
            }
            chown(shm, 0, 0)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", cli.binary, "refresh"]
        } else {
            process.executableURL = URL(fileURLWithPath: cli.binary)
            process.arguments = ["refresh"]
        }
        chmod(shm, 0o444)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(stderr.contains("tradlyte.sqlite-shm") && stderr.contains("cannot be written"), "\(stderr)")
    }

    @Test func outOfRangeNumbersAndUnknownSymbolsAreRefused() throws {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 1)
        let cash = try cli.run(["backtest", "golden_cross", "ACME", "--cash", "1e400"], environment: Self.env)
        #expect(cash.status == 2 && cash.stderr.contains("--cash"), "\(cash.stderr)")
        let inf = try cli.run(["alerts", "add", "price_above", "ACME", "--value", "inf"], environment: Self.env)
        #expect(inf.status == 2 && inf.stderr.contains("--value"), "\(inf.stderr)")
        let nope = try cli.run(["alerts", "add", "price_above", "NOPE", "--value", "5"], environment: Self.env)
        #expect(nope.status == 2 && nope.stderr.contains("unknown symbol 'NOPE'"), "\(nope.stderr)")
        let usage = try cli.run(["backtest", "--no-such-flag"], environment: Self.env)
        #expect(usage.status == 64)  // the README lists 64 for usage errors
    }

    @Test func bareQuoteAndIndicatorHelpInsteadOfAUsageErrorAndNumbersAlignRight() throws {
        let cli = try CLIHarness()
        cli.write("config.json", #"{"watchlist": ["ACME", "TERA"]}"#)
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 1)
        let quote = try cli.run(["quote"], environment: Self.env)
        #expect(quote.status == 0 && quote.stdout.contains("ACME") && quote.stdout.contains("TERA"), "\(quote.stderr)")
        let list = try cli.run(["indicator"], environment: Self.env)
        #expect(list.status == 0 && list.stdout.contains("rsi") && list.stdout.contains("Usage: tradlyte indicator"))
        // 55-session bars are taken wherever an interval is, the chart included.
        #expect(try cli.run(["chart", "ACME", "--interval", "55"], environment: Self.env).status == 0)
        let half = try cli.run(["indicator", "rsi(14)"], environment: Self.env)
        #expect(half.status == 2 && half.stderr.contains("give the symbol"))
        // Numbers right-aligned, counts without decimals.
        let ranked = try cli.run(["backtest", "golden_cross", "--watchlist"], environment: Self.env)
        let lines = ranked.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        let trades = try #require(header.range(of: "TRADES"))
        for row in lines.dropFirst().prefix(2)
        where row.count >= header.distance(from: header.startIndex, to: trades.upperBound) {
            let end = header.distance(from: header.startIndex, to: trades.upperBound)
            let cell = row.prefix(end).suffix(6)
            #expect(!cell.hasSuffix(" ") && !cell.contains("."), "\(row)")
        }
    }

    @Test func configAndStrategySyntaxErrorsNameTheLineAndColumnAndAnEmptyConfigIsNoConfig() throws {
        let cli = try CLIHarness()
        cli.write("config.json", "")
        #expect(try cli.run(["status"], environment: Self.env).status == 0)
        cli.write("config.json", "{\n  \"watchlist\": [\"ACME\",\n  \"theme\": 3\n}")
        let bad = try cli.run(["status"], environment: Self.env)
        #expect(bad.status == 2 && bad.stderr.contains("line 3, column 10: expected ',' or ']'"), "\(bad.stderr)")
        let strategy = cli.write("s.json", "{\"schema\": \"tradlyte.strategy/1\",\n \"name\": x}")
        let validate = try cli.run(["strategy", "validate", strategy], environment: Self.env)
        #expect(validate.status == 1 && validate.stderr.contains("line 2, column 10"), "\(validate.stderr)")
    }
}
