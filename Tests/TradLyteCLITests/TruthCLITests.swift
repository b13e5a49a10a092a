import Foundation
import Testing
import TradLyteCore
import TradLyteTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 24 through the built binary: status that agrees with itself and stage times that are
/// the time the stages took (with the clock pinned, as TRADLYTE_NOW does).
@Suite struct TruthCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z"]

    @Test func statusGivesOneVerdictAndNamesARunningRefreshInsteadOfAdvisingAnother() throws {
        let cli = try CLIHarness()
        let refresh = try cli.run(["refresh", "--backfill", "2"], environment: Self.env)
        #expect(refresh.status == 0, "\(refresh.stderr)")
        // The stages' times are what they took, not the pinned clock's zero.
        let fetch = try #require(
            refresh.stderr.split(separator: "\n").first { $0.contains("fetch_ohlcv: succeeded in") })
        #expect(!fetch.contains("succeeded in 0.00 s"), "\(fetch)")
        // Up to date, with the rest of the configured history still to come: never "behind".
        let status = try cli.run(["status"], environment: Self.env)
        #expect(status.stdout.contains("up to date") && status.stdout.contains("history still to backfill"))
        #expect(!status.stdout.contains("behind the calendar"), "\(status.stdout)")
        // A refresh holds the lock: status names it and advises no other.
        let lock = cli.home + "/tradlyte.lock"
        let fd = open(lock, O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let holder = "pid 424242, tui refresh started 2026-11-25T23:00:00Z"
        _ = ftruncate(fd, 0)
        _ = holder.withCString { write(fd, $0, strlen($0)) }
        let busy = try cli.run(
            ["status"], environment: Self.env.merging(["TRADLYTE_NOW": "2026-11-27T23:00:00Z"]) { $1 })
        #expect(busy.stdout.contains("Refreshing  \(holder)"), "\(busy.stdout)")
        #expect(busy.stdout.contains("a refresh is running"))
        #expect(!busy.stdout.contains("run: tradlyte refresh"), "\(busy.stdout)")
        flock(fd, LOCK_UN)
        let after = try cli.run(
            ["status"], environment: Self.env.merging(["TRADLYTE_NOW": "2026-11-27T23:00:00Z"]) { $1 })
        #expect(after.stdout.contains("behind the calendar") && !after.stdout.contains("Refreshing"), "\(after.stdout)")
    }
}

/// Issue 24: `tradlyte render` prints every result pane, and what it shows is what the CLI's
/// `--json` says for the same study.
@Suite struct RenderEveryPaneCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z"]

    @Test func everyResultPaneRendersAndTheSweepsBestIsTheCLIs() throws {
        let cli = try CLIHarness()
        cli.write("config.json", #"{"watchlist": ["ACME", "TERA", "NOVA"]}"#)
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 3)
        for (screen, needle) in [
            ("trades", "ENTRY"), ("sweep", "best fast="), ("walkforward", "out of sample"),
            ("watchlist-run", "SYMBOL"), ("portfolio", "vs equal-weight"),
        ] {
            let r = try cli.run(
                ["render", screen, "--symbol", "ACME", "--strategy", "golden_cross", "--size", "120x36"],
                environment: Self.env)
            #expect(r.status == 0, "\(screen): \(r.stderr)")
            #expect(r.stdout.contains(needle), "\(screen): \(r.stdout)")
        }
        let json = try cli.run(["sweep", "golden_cross", "ACME", "--json"], environment: Self.env)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = try #require(document["rows"] as? [[String: Any]])
        let best = try #require(rows.first?["parameters"] as? [String: Double])
        let text = best.sorted { $0.key < $1.key }.map { "\($0.key)=\(Int($0.value))" }.joined(separator: " ")
        let screen = try cli.run(
            ["render", "sweep", "--symbol", "ACME", "--strategy", "golden_cross", "--size", "120x36"],
            environment: Self.env)
        #expect(screen.stdout.contains("best \(text)"), "\(text) not in:\n\(screen.stdout)")
    }
}

/// Issue 24: one watchlist for the CLI and the UI on a fresh home (`portfolio --watchlist`
/// failed with "no watchlist symbol has stored bars" while the UI showed ten symbols).
@Suite struct OneWatchlistCLITests {
    static let env = ["TRADLYTE_NOW": "2026-11-25T23:00:00Z"]

    @Test func aFreshHomesWatchlistIsTheSameForTheUIBacktestAndPortfolio() throws {
        let cli = try CLIHarness()
        try cli.seedDemo(now: Self.env["TRADLYTE_NOW"]!, backfillYears: 2)
        let screen = try cli.run(["render", "watchlist", "--size", "100x30"], environment: Self.env)
        let shown = screen.stdout.split(separator: "\n").compactMap { line -> String? in
            let cells = line.split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = cells.first?.split(separator: " ").first, first.allSatisfy(\.isUppercase),
                first.count >= 2, first != "SYM"
            else { return nil }
            return String(first)
        }
        #expect(shown.count == 10, "\(screen.stdout)")
        let ranked = try cli.run(["backtest", "golden_cross", "--watchlist", "--json"], environment: Self.env)
        #expect(ranked.status == 0, "\(ranked.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(ranked.stdout.utf8)) as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["symbol"] as? String }) == Set(shown))
        // A watchlist run trades the range asked for (it traded the whole history under a ranged title).
        let ranged = try cli.run(
            ["backtest", "rsi_reversion", "--watchlist", "--from", "2025-06-02", "--json"], environment: Self.env)
        let rangedRows = try #require(
            try JSONSerialization.jsonObject(with: Data(ranged.stdout.utf8)) as? [[String: Any]], "\(ranged.stderr)")
        for row in rangedRows {
            let start = (row["stats"] as? [String: Any])?["Start"] as? String ?? ""
            #expect(start >= "2025-06-02", "\(row["symbol"] ?? "?") starts \(start)")
        }
        let portfolio = try cli.run(["portfolio", "golden_cross", "--watchlist"], environment: Self.env)
        #expect(portfolio.status == 0, "\(portfolio.stderr)")
        #expect(portfolio.stdout.contains("on 10 symbols"), "\(portfolio.stdout)")
    }
}
