import Foundation
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteTestSupport

/// A home in `dir` with the clock pinned to 2024-03-15 21:00 UTC (after that Friday's close).
func pinnedEnvironment(_ dir: TemporaryDirectory, now: String = "2024-03-15T21:00:00Z") throws -> AppEnvironment {
    try AppEnvironment.load(["TRADLYTE_HOME": dir.path, "TRADLYTE_NOW": now, "HOME": dir.path])
}

/// `import csv` in-process: the run it records, the symbol from the file name, the errors that
/// name the flag to use, and a rejected file that stores nothing.
@Suite struct CSVImportTests {
    static let rows = """
        date,open,high,low,close,volume
        2024-03-11,10,11,9.5,10.5,1000
        2024-03-12,10.5,11.2,10.1,11,1200
        2024-03-13,11,11.5,10.8,11.1,900
        """

    @Test func aFileIsOneRecordedRunAndItsNameGivesTheSymbol() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        let file = dir.write("ACME.csv", Self.rows)
        let (summary, bars, runID) = try CSVImport.run(file: file, symbol: nil, env: env)
        #expect(summary.inserted == 3 && bars.keys.map(\.rawValue) == ["ACME"])
        let store = try env.openStore()
        #expect(try store.dailyBars(try Symbol("ACME")).map(\.close) == [10.5, 11, 11.1])
        let run = try #require(try store.runs(last: 1).first)
        #expect(run.id == runID && run.status == .succeeded && run.trigger == .cli)
        let again = try CSVImport.run(file: file, symbol: nil, env: env)
        #expect(again.summary.unchanged == 3 && again.summary.inserted == 0)
    }

    @Test func errorsNameTheFlagAndARejectedFileStoresNothing() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        let unnamed = dir.write("daily bars.csv", Self.rows)
        #expect(
            throws: AppError.badInput(
                "the file has no symbol column — pass --symbol SYMBOL (or name the file after the symbol, "
                    + "e.g. AAPL.csv)"
            )
        ) { try CSVImport.run(file: unnamed, symbol: nil, env: env) }
        let withColumn = dir.write("x.csv", "symbol,date,open,high,low,close\nACME,2024-03-11,10,11,9.5,10.5\n")
        #expect(throws: AppError.badInput("the file has its own symbol column — drop --symbol TERA")) {
            try CSVImport.run(file: withColumn, symbol: "TERA", env: env)
        }
        let broken = dir.write("TERA.csv", Self.rows + "\n2024-03-14,11,10,12,11,1\n")
        #expect(throws: (any Error).self) { try CSVImport.run(file: broken, symbol: nil, env: env) }
        #expect(try env.openStore().latestSessions().isEmpty)
    }
}

/// `status` in-process: an empty home says how to start; an imported file is what it covers.
@Suite struct StatusReportTests {
    @Test func anEmptyHomeSaysHowToStartAndAnImportIsCovered() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        let now = env.now()
        let empty = try StatusReport.make(env: env, at: now)
        #expect(empty.schema_version == nil && empty.daily_rows == 0)
        #expect(empty.hint?.hasPrefix("no market data yet — run: tradlyte refresh") == true)
        #expect(empty.latest_closed_session == "2024-03-15" && empty.provider.hasPrefix("DEMO market"))
        _ = try CSVImport.run(file: dir.write("ACME.csv", CSVImportTests.rows), symbol: nil, env: env)
        let report = try StatusReport.make(env: env, at: now)
        #expect(report.daily_rows == 3 && report.symbols == 1)
        #expect(report.first_session == "2024-03-11" && report.latest_session == "2024-03-13")
        #expect(report.sessions_behind == 2 && report.stale)
        #expect(report.last_run?.status == "succeeded" && report.last_run?.stages == ["import succeeded"])
    }
}

/// `quote` in-process: a typed symbol resolves, an unknown one is reported by name and the rest
/// still quote; a second quote within the TTL comes from the cache.
@Suite struct QuoteReportTests {
    @Test func quotesResolveTypedSymbolsAndReportUnknownOnes() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        _ = try CSVImport.run(file: dir.write("ACME.csv", CSVImportTests.rows), symbol: nil, env: env)
        let (rows, failures) = try QuoteReport.quotes(["acme", "NOPE"], env: env)
        #expect(rows.map(\.symbol) == ["ACME"] && rows[0].price > 0)
        #expect(failures.count == 1 && failures[0].hasPrefix("NOPE: "))
        let again = try QuoteReport.quotes(["ACME"], env: env)
        #expect(again.rows.first?.source.hasSuffix("(cached)") == true)
        #expect(again.rows.first?.price == rows[0].price)
    }
}

/// `export` in-process: a symbol's 3-session bars with the sessions their buckets span, a range
/// that keeps whole bars, and an unknown symbol.
@Suite struct ExportTests {
    @Test func barsCarryTheirBucketsSpanAndARangeKeepsWholeBars() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        _ = try CSVImport.run(file: dir.write("ACME.csv", CSVImportTests.rows), symbol: nil, env: env)
        let three = try FibInterval(3)
        let all = try Export.bars("acme", interval: three, from: nil, to: nil, env: env)
        #expect(all.map(\.sessions).reduce(0, +) == 3 && all.allSatisfy { $0.symbol == "ACME" })
        #expect(all.first?.first_session == "2024-03-11" && all.last?.last_session == "2024-03-13")
        for row in all { #expect(row.start_session <= row.first_session && row.last_session <= row.end_session) }
        let late = try Export.bars("ACME", interval: three, from: try SessionDate(iso: "2024-03-13"), to: nil, env: env)
        #expect(late.count == 1 && late[0].last_session == "2024-03-13")
        #expect(try Export.symbols(env: env).map(\.symbol) == ["ACME"])
        #expect(throws: StoreError.self) { try Export.bars("NOPE", interval: three, from: nil, to: nil, env: env) }
    }
}

/// `alerts add` in-process: a rule that could fire is stored; one on a symbol nobody knows, an
/// unknown kind or a missing value is refused with what to do.
@Suite struct AlertRulesTests {
    @Test func rulesThatCanFireAreStoredAndOthersRefused() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        // Before any data the demo market's tickers are known.
        let (id, rule) = try AlertRules.add(
            kind: "price_above", symbol: "acme", value: 120, sessions: nil, strategy: nil, env: env)
        #expect(rule.symbol?.rawValue == "ACME" && rule.value == 120)
        #expect(try env.openStore().alertRules().map(\.id) == [id])
        #expect(throws: AppError.self) {
            try AlertRules.add(kind: "price_above", symbol: "NOPE", value: 1, sessions: nil, strategy: nil, env: env)
        }
        #expect(throws: AppError.badInput("pct_change needs --value with a positive percent (at most 10000)")) {
            try AlertRules.add(kind: "pct_change", symbol: nil, value: nil, sessions: nil, strategy: nil, env: env)
        }
        #expect(throws: AppError.self) {
            try AlertRules.add(kind: "price_sideways", symbol: "ACME", value: 1, sessions: nil, strategy: nil, env: env)
        }
        #expect(try env.openStore().alertRules().count == 1)
    }
}

/// `runs` in-process: none before the first run; an import is a run with its stage.
@Suite struct RunHistoryTests {
    @Test func anImportIsARunWithItsStage() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        #expect(try RunHistory.rows(last: 5, env: env).isEmpty)
        _ = try CSVImport.run(file: dir.write("ACME.csv", CSVImportTests.rows), symbol: nil, env: env)
        let rows = try RunHistory.rows(last: 5, env: env)
        #expect(rows.count == 1 && rows[0].status == "succeeded" && rows[0].trigger == "cli")
        #expect(rows[0].stages.map(\.stage) == ["import"] && rows[0].stages[0].counts["inserted"] == 3)
    }
}
