import Foundation

/// Wall-clock time in America/New_York, computed by the US daylight-saving rules.
///
/// The engine needs exactly one zone and must not depend on the host's tz database (containers
/// often have none), so the rules are written out: since 2007 DST runs from the second Sunday
/// of March to the first Sunday of November; 1987–2006 from the first Sunday of April to the
/// last Sunday of October; earlier years use the last Sunday of April. Transitions happen at
/// 02:00 local time. Tests compare this against the system's tz database.
public enum NewYorkTime {
    public static let standardOffset = -5 * 3600
    public static let daylightOffset = -4 * 3600

    /// The zone's offset from UTC, in seconds, at an instant given as seconds since 1970.
    public static func utcOffset(atUTCSeconds t: Int64) -> Int {
        let day = Int(floorDiv(t, 86_400))
        let year = SessionDate.civilFromDays(day).year
        let (start, end) = daylightWindowUTC(year: year)
        return (t >= start && t < end) ? daylightOffset : standardOffset
    }

    /// The local date and the second of that local day for an instant.
    public static func local(at date: Date) -> (date: SessionDate, secondOfDay: Int) {
        let t = Int64(floor(date.timeIntervalSince1970))
        let localT = t + Int64(utcOffset(atUTCSeconds: t))
        let day = floorDiv(localT, 86_400)
        return (SessionDate(dayNumber: Int32(day)), Int(localT - day * 86_400))
    }

    /// The instant at which the local clock in New York shows `minuteOfDay` on `date`.
    /// Within the skipped or repeated hour of a transition (never market hours) the
    /// standard-time reading wins.
    public static func instant(on date: SessionDate, minuteOfDay: Int) -> Date {
        let localT = Int64(date.dayNumber) * 86_400 + Int64(minuteOfDay) * 60
        let asDaylight = localT - Int64(daylightOffset)
        let t = utcOffset(atUTCSeconds: asDaylight) == daylightOffset ? asDaylight : localT - Int64(standardOffset)
        return Date(timeIntervalSince1970: TimeInterval(t))
    }

    /// [start, end) of daylight time in UTC seconds for a year.
    static func daylightWindowUTC(year: Int) -> (Int64, Int64) {
        let startDay: SessionDate
        let endDay: SessionDate
        if year >= 2007 {
            startDay = nthWeekday(0, 2, month: 3, year: year)
            endDay = nthWeekday(0, 1, month: 11, year: year)
        } else if year >= 1987 {
            startDay = nthWeekday(0, 1, month: 4, year: year)
            endDay = lastWeekday(0, month: 10, year: year)
        } else {
            startDay = lastWeekday(0, month: 4, year: year)
            endDay = lastWeekday(0, month: 10, year: year)
        }
        // 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC.
        return (Int64(startDay.dayNumber) * 86_400 + 7 * 3600, Int64(endDay.dayNumber) * 86_400 + 6 * 3600)
    }

    /// The n-th (1-based) given weekday (0 = Sunday) of a month.
    static func nthWeekday(_ weekday: Int, _ n: Int, month: Int, year: Int) -> SessionDate {
        let first = SessionDate(year: year, month: month, day: 1)!
        let delta = (weekday - first.weekday + 7) % 7
        return first.adding(days: delta + 7 * (n - 1))
    }

    static func lastWeekday(_ weekday: Int, month: Int, year: Int) -> SessionDate {
        let last = SessionDate(year: year, month: month, day: SessionDate.daysInMonth(year: year, month: month))!
        let delta = (last.weekday - weekday + 7) % 7
        return last.adding(days: -delta)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
