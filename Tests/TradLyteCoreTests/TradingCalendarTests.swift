import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

@Suite struct TradingCalendarTests {
    let cal = TradingCalendar.nyse

    func date(_ text: String) -> SessionDate { try! SessionDate(iso: text) }

    func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func matchesExchangeCalendarsXNYSOverEveryYear() throws {
        // Fixture: every XNYS session 1990–2040, with open–close times where not 09:30–16:00.
        var expected: [SessionDate] = []
        var expectedHours: [SessionDate: (Int, Int)] = [:]
        for line in try Fixture.lines("xnys_sessions.txt") {
            let parts = line.split(separator: " ")
            let day = try SessionDate(iso: String(parts[0]))
            expected.append(day)
            if parts.count > 1 {
                let t = parts[1].split(separator: "-").map { $0.split(separator: ":").map { Int($0)! } }
                expectedHours[day] = (t[0][0] * 60 + t[0][1], t[1][0] * 60 + t[1][1])
            }
        }
        #expect(expected.count == cal.sessionCount)
        let ours = Set(cal.sessions)
        let theirs = Set(expected)
        let missing = theirs.subtracting(ours).sorted().prefix(10).map(\.description)
        let extra = ours.subtracting(theirs).sorted().prefix(10).map(\.description)
        #expect(missing.isEmpty, "sessions XNYS has and we lack: \(missing)")
        #expect(extra.isEmpty, "sessions we have and XNYS lacks: \(extra)")
        #expect(Array(cal.sessions) == expected)
        for (index, day) in cal.sessions.enumerated() {
            let hours = expectedHours[day] ?? (570, 960)
            if cal.openMinute(ofSessionAt: index) != hours.0 || cal.closeMinute(ofSessionAt: index) != hours.1 {
                Issue.record(
                    "\(day): ours \(cal.openMinute(ofSessionAt: index))-\(cal.closeMinute(ofSessionAt: index)), XNYS \(hours)"
                )
            }
        }
    }

    @Test func sessionIndexCountsFromTheFixedEpoch() {
        #expect(cal.sessionIndex(date("1990-01-02")) == 0)
        #expect(cal.sessionIndex(date("1990-01-03")) == 1)
        #expect(cal.sessionIndex(date("1990-01-01")) == nil)  // New Year's Day
        #expect(cal.sessionIndex(onOrAfter: date("1990-01-01")) == 0)
        #expect(cal.sessionIndex(onOrBefore: date("1990-01-01")) == -1)
        let sat = date("2024-03-16")
        #expect(cal.sessionIndex(onOrBefore: sat) == cal.sessionIndex(date("2024-03-15")))
        #expect(cal.sessionIndex(onOrAfter: sat) == cal.sessionIndex(date("2024-03-18")))
    }

    @Test(arguments: [
        ("2001-09-11", false), ("2001-09-17", true), ("2012-10-29", false), ("2018-12-05", false),
        ("2025-01-09", false), ("2021-06-18", true), ("2022-06-20", false), ("2024-03-29", false),
        ("2022-12-26", false), ("2021-12-31", true), ("1998-01-19", false), ("1997-01-20", true),
    ])
    func knowsHolidaysAndClosures(day: String, open: Bool) {
        #expect(cal.isSession(date(day)) == open)
    }

    @Test func navigatesBetweenSessions() {
        #expect(cal.nextSession(after: date("2024-11-27")) == date("2024-11-29"))
        #expect(cal.previousSession(before: date("2024-12-26")) == date("2024-12-24"))
        let week = cal.sessions(in: date("2024-07-01")...date("2024-07-07")).map(\.description)
        #expect(week == ["2024-07-01", "2024-07-02", "2024-07-03", "2024-07-05"])
        #expect(cal.sessions(in: date("2024-07-06")...date("2024-07-07")).isEmpty)
        #expect(cal.isEarlyClose(date("2024-07-03")))
        #expect(
            cal.earlyCloses(in: date("2024-01-01")...date("2024-12-31")).map(\.session.description)
                == ["2024-07-03", "2024-11-29", "2024-12-24"])
    }

    @Test func latestClosedSessionWaitsForCloseAndGrace() {
        // 2024-03-15 is a Friday in daylight time: 16:00 ET = 20:00 UTC.
        #expect(cal.latestClosedSession(at: instant("2024-03-15T20:04:59Z")) == date("2024-03-14"))
        #expect(cal.latestClosedSession(at: instant("2024-03-15T20:05:00Z")) == date("2024-03-15"))
        #expect(cal.latestClosedSession(at: instant("2024-03-15T20:00:00Z"), graceMinutes: 0) == date("2024-03-15"))
        // Weekend and holiday: the previous session.
        #expect(cal.latestClosedSession(at: instant("2024-03-17T12:00:00Z")) == date("2024-03-15"))
        #expect(cal.latestClosedSession(at: instant("2024-12-25T23:00:00Z")) == date("2024-12-24"))
        // Early close 13:00 ET on 2024-11-29 (standard time: 18:00 UTC).
        #expect(cal.latestClosedSession(at: instant("2024-11-29T18:06:00Z")) == date("2024-11-29"))
        #expect(cal.latestClosedSession(at: instant("2024-11-29T18:04:00Z")) == date("2024-11-27"))
        // Just after midnight ET on a Tuesday is still Monday's data.
        #expect(cal.latestClosedSession(at: instant("2024-01-09T04:30:00Z")) == date("2024-01-08"))
    }

    @Test func nextSessionReportsOpenAndCloseInstants() throws {
        let t = try #require(cal.nextSession(at: instant("2026-11-26T15:00:00Z")))  // Thanksgiving
        #expect(t.session == date("2026-11-27"))
        #expect(t.isEarlyClose && t.closeMinute == 780)
        #expect(t.open == instant("2026-11-27T14:30:00Z"))
        #expect(t.close == instant("2026-11-27T18:00:00Z"))
        // During a session: today's.
        #expect(cal.nextSession(at: instant("2024-03-15T15:00:00Z"))?.session == date("2024-03-15"))
        // After the close: the next one.
        #expect(cal.nextSession(at: instant("2024-03-15T20:00:00Z"))?.session == date("2024-03-18"))
    }

    @Test func newYorkTimeAgreesWithTheSystemTimeZoneDatabase() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        var rng = SeededRandom(seed: 7)
        let start = instant("1990-01-01T00:00:00Z").timeIntervalSince1970
        let end = instant("2040-12-31T00:00:00Z").timeIntervalSince1970
        for _ in 0..<20_000 {
            let t = Double(Int64.random(in: Int64(start)...Int64(end), using: &rng))
            let d = Date(timeIntervalSince1970: t)
            #expect(NewYorkTime.utcOffset(atUTCSeconds: Int64(t)) == zone.secondsFromGMT(for: d), "at \(d)")
        }
        // Around transitions, to the second.
        for text in [
            "2024-03-10T06:59:59Z", "2024-03-10T07:00:00Z", "2024-11-03T05:59:59Z", "2024-11-03T06:00:00Z",
            "2006-04-02T07:00:00Z", "2006-10-29T05:59:59Z", "2006-10-29T06:00:00Z",
        ] {
            let d = instant(text)
            #expect(
                NewYorkTime.utcOffset(atUTCSeconds: Int64(d.timeIntervalSince1970)) == zone.secondsFromGMT(for: d),
                "at \(text)")
        }
    }
}
