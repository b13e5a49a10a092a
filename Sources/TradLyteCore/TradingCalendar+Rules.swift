/// The NYSE's holiday and early-close rules, year by year.
///
/// Sources: NYSE Rule 7.2 and its historical notices, cross-checked against exchange_calendars'
/// XNYS calendar (the test fixture). Where the exchange made one-off decisions they are listed
/// as such rather than bent into a rule.
enum NYSERules {
    /// Weekday closures of a year (weekends are never sessions and are not listed).
    static func holidays(year: Int) -> [SessionDate] {
        var days: [SessionDate] = []
        func add(_ day: SessionDate?) {
            if let day, !day.isWeekend, day.year == year { days.append(day) }
        }
        // New Year's Day: a Sunday moves to Monday; a Saturday is not observed on the Friday
        // before (NYSE Rule 7.2 — the year-end session stays open).
        let newYear = SessionDate(year: year, month: 1, day: 1)!
        add(newYear.weekday == 0 ? newYear.adding(days: 1) : newYear)
        if year >= 1998 { add(NewYorkTime.nthWeekday(1, 3, month: 1, year: year)) }  // Martin Luther King Jr. Day
        add(NewYorkTime.nthWeekday(1, 3, month: 2, year: year))  // Washington's Birthday
        add(easterSunday(year: year).adding(days: -2))  // Good Friday
        add(NewYorkTime.lastWeekday(1, month: 5, year: year))  // Memorial Day
        if year >= 2022 { add(observed(SessionDate(year: year, month: 6, day: 19)!)) }  // Juneteenth
        add(observed(SessionDate(year: year, month: 7, day: 4)!))  // Independence Day
        add(NewYorkTime.nthWeekday(1, 1, month: 9, year: year))  // Labor Day
        add(NewYorkTime.nthWeekday(4, 4, month: 11, year: year))  // Thanksgiving
        add(observed(SessionDate(year: year, month: 12, day: 25)!))  // Christmas
        for (y, m, d) in unscheduledClosures where y == year {
            add(SessionDate(year: y, month: m, day: d))
        }
        return days
    }

    /// Early closes of a year with their close minute (local New York time).
    static func earlyCloses(year: Int) -> [(SessionDate, Int)] {
        // Before 1993 the exchange closed early at 14:00; since then at 13:00.
        let minute = year < 1993 ? 14 * 60 : 13 * 60
        var result: [(SessionDate, Int)] = []
        // Day after Thanksgiving: from 1992.
        if year >= 1992 {
            result.append((NewYorkTime.nthWeekday(4, 4, month: 11, year: year).adding(days: 1), minute))
        }
        // Christmas Eve on a Monday–Thursday (a Friday Christmas Eve is the observed holiday).
        let christmasEve = SessionDate(year: year, month: 12, day: 24)!
        if (1...4).contains(christmasEve.weekday) { result.append((christmasEve, minute)) }
        // July 3rd, from 1995: Monday, Tuesday or Thursday; on Wednesdays only since 2013
        // (1996 and 2002 closed early on July 5th instead; see the one-off list).
        let july3 = SessionDate(year: year, month: 7, day: 3)!
        if year >= 1995 && ([1, 2, 4].contains(july3.weekday) || (july3.weekday == 3 && year >= 2013)) {
            result.append((july3, minute))
        }
        for (y, m, d) in oneOffEarlyCloses where y == year {
            result.append((SessionDate(year: y, month: m, day: d)!, minute))
        }
        return result
    }

    /// Saturday holidays move to Friday, Sunday holidays to Monday.
    static func observed(_ day: SessionDate) -> SessionDate {
        switch day.weekday {
        case 6: return day.adding(days: -1)
        case 0: return day.adding(days: 1)
        default: return day
        }
    }

    /// Easter Sunday (anonymous Gregorian algorithm).
    static func easterSunday(year: Int) -> SessionDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return SessionDate(year: year, month: month, day: day)!
    }

    /// Closures the exchange decided case by case.
    static let unscheduledClosures: [(Int, Int, Int)] = [
        (1994, 4, 27),  // President Nixon's funeral
        (2001, 9, 11), (2001, 9, 12), (2001, 9, 13), (2001, 9, 14),  // September 11
        (2004, 6, 11),  // President Reagan's funeral
        (2007, 1, 2),  // President Ford's funeral
        (2012, 10, 29), (2012, 10, 30),  // Hurricane Sandy
        (2018, 12, 5),  // President G. H. W. Bush's funeral
        (2025, 1, 9),  // President Carter's funeral
    ]

    /// Early closes the exchange decided case by case.
    static let oneOffEarlyCloses: [(Int, Int, Int)] = [
        (1996, 7, 5), (1997, 12, 26), (1999, 12, 31), (2002, 7, 5), (2003, 12, 26),
    ]
}
