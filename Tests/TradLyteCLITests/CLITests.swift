import Foundation
import Testing
import TradLyteCore
import TradLyteTestSupport

/// End-to-end tests of the `tradlyte` command line, driving the real binary on a real
/// database in a temporary TRADLYTE_HOME.
@Suite struct CLITests {
    let cal = TradingCalendar.nyse

    /// `count` consecutive sessions from 2015-01-02 as a CSV with a header (a random walk).
    func csv(count: Int, seed: UInt64 = 3) -> (text: String, series: BarSeries) {
        var walk = RandomWalk(seed: seed)
        let bars = walk.dailyBars(from: SessionDate(year: 2015, month: 1, day: 2)!, count: count, calendar: cal)
        return (RandomWalk.csv(bars), try! BarSeries(bars))
    }

    @Test func importThenExportFiveSessionBarsRoundTrips() throws {
        let cli = try CLIHarness()
        let (text, series) = csv(count: 2500)
        let file = cli.write("data.csv", text)
        let imported = try cli.run(["import", "csv", file, "--symbol", "TEST"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Imported 2,500 rows for TEST"))

        let exported = try cli.run(["export", "bars", "TEST", "--interval", "5"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let rows = exported.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        // The binary used the real clock; every bar of 2015–2024 data is complete by now.
        let expected = FibResampler.resample(
            series, interval: try FibInterval(5), latestClosed: Int32(cal.sessionCount))
        #expect(rows.count == expected.count)
        for (row, bar) in zip(rows, expected) {
            #expect(row[0] == "TEST" && row[1] == "5" && Int32(row[2]) == bar.bucket)
            #expect(row[5] == cal.sessions[Int(bar.firstSession)].description)
            #expect(row[6] == cal.sessions[Int(bar.lastSession)].description)
            #expect(Int32(row[7]) == bar.sessionsPresent && row[8] == "1")
            #expect(Double(row[9]) == bar.open && Double(row[10]) == bar.high && Double(row[11]) == bar.low)
            #expect(Double(row[12]) == bar.close && Double(row[13]) == bar.volume)
        }
        // Daily export returns the imported values exactly (no rounding to cents).
        let daily = try cli.run(["export", "bars", "TEST", "--interval", "1", "--format", "json"])
        struct Row: Decodable {
            let first_session: String
            let open, high, low, close, volume: Double
        }
        let decoded = try JSONDecoder().decode([Row].self, from: Data(daily.stdout.utf8))
        #expect(decoded.count == 2500)
        #expect(decoded.map(\.close) == series.close && decoded.map(\.open) == series.open)
        #expect(decoded[17].first_session == cal.sessions[Int(series.sessionIndex[17])].description)

        // Importing the same file again changes nothing.
        let again = try cli.run(["import", "csv", file, "--symbol", "TEST"])
        #expect(again.stdout.contains("0 new, 0 changed, 2,500 unchanged"))
    }

    @Test func aBadRowRejectsTheFileAndLeavesTheStoreUnchanged() throws {
        let cli = try CLIHarness()
        let (text, _) = csv(count: 50)
        #expect(try cli.run(["import", "csv", cli.write("TEST.csv", text)]).status == 0)  // symbol from the file name
        let unnamed = try cli.run(["import", "csv", cli.write("daily bars.csv", text)])
        #expect(unnamed.status == 2 && unnamed.stderr.contains("no symbol column — pass --symbol SYMBOL"))
        let before = try cli.run(["export", "bars", "TEST", "--interval", "3"]).stdout

        var lines = csv(count: 60, seed: 4).text.split(separator: "\n").map(String.init)
        lines[42] = lines[42].replacingOccurrences(of: ",", with: ";")
        let bad = try cli.run([
            "import", "csv", cli.write("bad.csv", lines.joined(separator: "\n")), "--symbol", "TEST",
        ])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("line 43:"))
        #expect(bad.stderr.contains("nothing was imported"))
        #expect(try cli.run(["export", "bars", "TEST", "--interval", "3"]).stdout == before)
    }

    @Test func statusReportsCoverageAndFreshnessAsJSON() throws {
        let cli = try CLIHarness()
        let empty = try cli.run(["status", "--json"])
        #expect(empty.status == 0)
        let e = try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as! [String: Any]
        #expect(e["daily_rows"] as? Int == 0 && (e["hint"] as? String)?.contains("tradlyte refresh") == true)

        _ = try cli.run(["import", "csv", cli.write("AAA.csv", csv(count: 30).text)])
        let status = try cli.run(["status", "--json", "--at", "2015-02-17T12:00:00Z"])
        let s = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        #expect(s["symbols"] as? Int == 1 && s["daily_rows"] as? Int == 30)
        #expect(s["first_session"] as? String == "2015-01-02")
        #expect(s["latest_session"] as? String == "2015-02-13")
        #expect(s["latest_closed_session"] as? String == "2015-02-13")  // the 16th was Presidents' Day
        #expect(s["stale"] as? Bool == false && s["sessions_behind"] as? Int == 0)
        #expect((s["last_run"] as? [String: Any])?["status"] as? String == "succeeded")

        let text = try cli.run(["status", "--at", "2015-03-02T22:00:00Z"])
        #expect(text.stdout.contains("STALE, 10 sessions behind"))
    }

    @Test func exportsSymbolsAsCSVAndJSON() throws {
        let cli = try CLIHarness()
        _ = try cli.run(["import", "csv", cli.write("BBB.csv", csv(count: 5).text)])
        _ = try cli.run(["import", "csv", cli.write("AAA.csv", csv(count: 5).text)])
        let out = try cli.run(["export", "symbols"]).stdout.split(separator: "\n")
        #expect(out.first?.hasPrefix("symbol,name,") == true)
        #expect(out.dropFirst().map { String($0.prefix(3)) } == ["AAA", "BBB"])
        let json = try cli.run(["export", "symbols", "--format", "json"]).stdout
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        #expect(rows.map { $0["symbol"] as? String } == ["AAA", "BBB"])
    }

    @Test func calendarCommandsPrintOneDateALine() throws {
        let cli = try CLIHarness()
        let sessions = try cli.run(["calendar", "sessions", "--from", "2024-12-20", "--to", "2025-01-03"])
        #expect(
            sessions.stdout
                == "2024-12-20\n2024-12-23\n2024-12-24\n2024-12-26\n2024-12-27\n2024-12-30\n2024-12-31\n2025-01-02\n2025-01-03\n"
        )
        let early = try cli.run(["calendar", "early-closes", "--from", "2024-01-01", "--to", "2025-12-31"])
        #expect(early.stdout == "2024-07-03\n2024-11-29\n2024-12-24\n2025-07-03\n2025-11-28\n2025-12-24\n")
        let next = try cli.run(["calendar", "next", "--at", "2026-11-26T15:00:00Z", "--json"])
        let n = try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as! [String: Any]
        #expect(
            n["session"] as? String == "2026-11-27" && n["close_et"] as? String == "13:00"
                && n["early_close"] as? Bool == true)
        let plain = try cli.run(["calendar", "next", "--at", "2024-03-15T15:00:00Z"])
        #expect(plain.stdout == "2024-03-15 Friday opens 09:30 ET, closes 16:00 ET — open now\n")
        // Without --at, "now" is the environment's clock (pinned here), not the host's.
        let pinned = try cli.run(["calendar", "next"], environment: ["TRADLYTE_NOW": "2024-03-15T22:00:00Z"])
        #expect(pinned.stdout.hasPrefix("2024-03-18 Monday opens 09:30 ET"))
    }

    @Test func badInputGetsAClearMessageAndExitCodeTwo() throws {
        let cli = try CLIHarness()
        let cases: [([String], String)] = [
            (["export", "bars", "NOPE", "--interval", "5"], "unknown symbol 'NOPE'"),
            (["export", "bars", "B@D"], "'@' at position 2"),
            (["export", "bars", "AAPL", "--interval", "4"], "interval 4 is not supported"),
            (
                ["calendar", "sessions", "--from", "2024-02-30", "--to", "2024-03-01"],
                "--from: '2024-02-30' is not a day"
            ),
            (["calendar", "sessions", "--from", "2024-03-02", "--to", "2024-03-01"], "is after --to"),
            (["calendar", "sessions", "--from", "1980-01-01", "--to", "1990-03-01"], "the calendar covers"),
            (["import", "csv", cli.home + "/missing.csv", "--symbol", "X"], "no such file"),
        ]
        for (args, message) in cases {
            let result = try cli.run(args)
            #expect(result.status == 2, "\(args): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(args): \(result.stderr)")
        }
    }

    @Test func aConfigFileWithAnUnknownKeyIsRejected() throws {
        let cli = try CLIHarness()
        _ = cli.write("config.json", #"{"close_grace_minutes": 10, "colour": "red"}"#)
        let result = try cli.run(["status"])
        #expect(result.status == 2 && result.stderr.contains("unknown key 'colour'"))
        _ = cli.write("config.json", #"{"close_grace_minutes": 0}"#)
        let ok = try cli.run(["status", "--json", "--at", "2024-03-15T20:00:30Z"])
        let s = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as! [String: Any]
        #expect(s["latest_closed_session"] as? String == "2024-03-15")
    }

    @Test func versionAndHelp() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["--version"]).stdout == TradLyteVersion.current + "\n")
        let help = try cli.run(["--help"]).stdout
        for word in ["status", "import", "export", "calendar"] { #expect(help.contains(word)) }
    }
}
