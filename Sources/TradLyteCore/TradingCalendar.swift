import Foundation

/// The NYSE trading calendar from 1990-01-01 to 2040-12-31, computed by rule.
///
/// Every daily bar in the engine is keyed by a session of this calendar, and every
/// Fibonacci-session bar is a run of consecutive sessions counted from a fixed epoch:
/// `sessionIndex(1990-01-02) == 0`. The rules (regular holidays with their observed dates,
/// Good Friday, Juneteenth from 2022, the unscheduled closures and early closes) are in
/// `TradingCalendar+Rules.swift`; tests compare the result with exchange_calendars' XNYS.
public final class TradingCalendar: Sendable {
    /// The shared NYSE calendar. Building it takes well under a millisecond.
    public static let nyse = TradingCalendar()

    public static let regularOpenMinute = 9 * 60 + 30
    public static let regularCloseMinute = 16 * 60

    public let firstDay: SessionDate
    public let lastDay: SessionDate
    /// Every session in order; the array index is the session index.
    public let sessions: [SessionDate]
    /// Per calendar day from `firstDay`: the session index when the day is a session, else
    /// `-(index of the next session) - 1`.
    private let slots: [Int32]
    /// Close minute (local New York time) of each early-close session, by session index.
    private let earlyCloses: [Int32: Int]
    /// `yyyymmdd` of each session, by session index (the database's date form).
    private let sessionKeys: [Int32]
    /// Session index (or -1) by `(year - firstYear) * 372 + (month - 1) * 31 + (day - 1)`:
    /// turns a stored `yyyymmdd` into a session index with one array read.
    private let indexByKey: [Int32]

    init() {
        firstDay = SessionDate(year: 1990, month: 1, day: 1)!
        lastDay = SessionDate(year: 2040, month: 12, day: 31)!
        var holidays = Set<Int32>()
        var early: [Int32: Int] = [:]  // by day number
        for year in firstDay.year...lastDay.year {
            for day in NYSERules.holidays(year: year) { holidays.insert(day.dayNumber) }
            for (day, minute) in NYSERules.earlyCloses(year: year) { early[day.dayNumber] = minute }
        }
        var sessions: [SessionDate] = []
        var slots = [Int32](repeating: 0, count: Int(lastDay.dayNumber - firstDay.dayNumber) + 1)
        for offset in slots.indices {
            let day = firstDay.adding(days: offset)
            if !day.isWeekend && !holidays.contains(day.dayNumber) {
                slots[offset] = Int32(sessions.count)
                sessions.append(day)
            } else {
                // The count of sessions seen so far is the index of the next session.
                slots[offset] = -Int32(sessions.count) - 1
            }
        }
        var closes: [Int32: Int] = [:]
        for (dayNumber, minute) in early {
            let slot = slots[Int(dayNumber - firstDay.dayNumber)]
            if slot >= 0 { closes[slot] = minute }
        }
        self.sessions = sessions
        self.slots = slots
        self.earlyCloses = closes
        sessionKeys = sessions.map { Int32($0.yyyymmdd) }
        var byKey = [Int32](repeating: -1, count: (lastDay.year - firstDay.year + 1) * 372)
        for (index, key) in sessionKeys.enumerated() {
            let k = Int(key)
            byKey[(k / 10_000 - firstDay.year) * 372 + ((k / 100) % 100 - 1) * 31 + (k % 100 - 1)] = Int32(index)
        }
        indexByKey = byKey
    }

    /// The session index of a `yyyymmdd` date, or `nil` when it is not a session.
    @inlinable
    public func sessionIndex(yyyymmdd key: Int) -> Int? {
        let y = key / 10_000 - firstDayYear
        let m = (key / 100) % 100
        let d = key % 100
        guard y >= 0, m >= 1, m <= 12, d >= 1, d <= 31 else { return nil }
        let slot = y * 372 + (m - 1) * 31 + (d - 1)
        guard slot < indexByKeyCount else { return nil }
        let index = indexByKeyValue(slot)
        return index >= 0 ? Int(index) : nil
    }

    /// `yyyymmdd` of the session at `index` (which must be valid).
    @inlinable
    public func yyyymmdd(ofSessionAt index: Int) -> Int { Int(sessionKeyValue(index)) }

    @usableFromInline var firstDayYear: Int { 1990 }
    @usableFromInline var indexByKeyCount: Int { indexByKey.count }
    @usableFromInline func indexByKeyValue(_ slot: Int) -> Int32 { indexByKey[slot] }
    @usableFromInline func sessionKeyValue(_ index: Int) -> Int32 { sessionKeys[index] }

    public var firstSession: SessionDate { sessions[0] }
    public var lastSession: SessionDate { sessions[sessions.count - 1] }
    public var sessionCount: Int { sessions.count }

    /// Whether the calendar covers `date` at all (1990-01-01 … 2040-12-31).
    public func covers(_ date: SessionDate) -> Bool { date >= firstDay && date <= lastDay }

    public func isSession(_ date: SessionDate) -> Bool {
        guard covers(date) else { return false }
        return slots[Int(date.dayNumber - firstDay.dayNumber)] >= 0
    }

    /// Sessions counted from 1990-01-02 (= 0), or `nil` when `date` is not a session.
    public func sessionIndex(_ date: SessionDate) -> Int? {
        guard covers(date) else { return nil }
        let slot = slots[Int(date.dayNumber - firstDay.dayNumber)]
        return slot >= 0 ? Int(slot) : nil
    }

    /// The index of the first session on or after `date` (clamped to the calendar's range;
    /// `sessionCount` when `date` is after the last session).
    public func sessionIndex(onOrAfter date: SessionDate) -> Int {
        if date < firstDay { return 0 }
        if date > lastDay { return sessions.count }
        let slot = slots[Int(date.dayNumber - firstDay.dayNumber)]
        return slot >= 0 ? Int(slot) : Int(-slot - 1)
    }

    /// The index of the last session on or before `date` (-1 when before the first session).
    public func sessionIndex(onOrBefore date: SessionDate) -> Int {
        if date > lastDay { return sessions.count - 1 }
        if date < firstDay { return -1 }
        let slot = slots[Int(date.dayNumber - firstDay.dayNumber)]
        return slot >= 0 ? Int(slot) : Int(-slot - 1) - 1
    }

    /// The session with a given index, or `nil` outside the calendar.
    public func session(at index: Int) -> SessionDate? {
        sessions.indices.contains(index) ? sessions[index] : nil
    }

    public func nextSession(after date: SessionDate) -> SessionDate? {
        session(at: sessionIndex(onOrAfter: date.adding(days: 1)))
    }

    public func previousSession(before date: SessionDate) -> SessionDate? {
        session(at: sessionIndex(onOrBefore: date.adding(days: -1)))
    }

    /// Sessions in a closed date range, in order.
    public func sessions(in range: ClosedRange<SessionDate>) -> ArraySlice<SessionDate> {
        let lo = sessionIndex(onOrAfter: range.lowerBound)
        let hi = sessionIndex(onOrBefore: range.upperBound)
        return lo <= hi ? sessions[lo...hi] : []
    }

    /// Close time of a session in minutes after local midnight (960 = 16:00, 780 = 13:00).
    public func closeMinute(ofSessionAt index: Int) -> Int {
        earlyCloses[Int32(index)] ?? Self.regularCloseMinute
    }

    public func openMinute(ofSessionAt index: Int) -> Int { Self.regularOpenMinute }

    public func isEarlyClose(_ date: SessionDate) -> Bool {
        guard let index = sessionIndex(date) else { return false }
        return earlyCloses[Int32(index)] != nil
    }

    /// Early-close sessions in a range with their close minute, in order.
    public func earlyCloses(in range: ClosedRange<SessionDate>) -> [(session: SessionDate, closeMinute: Int)] {
        sessions(in: range).compactMap { day in
            earlyCloses[Int32(sessionIndex(day)!)].map { (day, $0) }
        }
    }

    /// The session whose close (plus `graceMinutes`) is the most recent at or before `instant`:
    /// today when today is a session past its close + grace, else the previous session.
    /// This is the "latest expected session" that drives freshness and planning.
    public func latestClosedSession(at instant: Date, graceMinutes: Int = 5) -> SessionDate? {
        let (today, second) = NewYorkTime.local(at: instant)
        if let index = sessionIndex(today), second >= (closeMinute(ofSessionAt: index) + graceMinutes) * 60 {
            return sessions[index]
        }
        return session(at: sessionIndex(onOrBefore: today.adding(days: -1)))
    }

    /// The index form of `latestClosedSession(at:graceMinutes:)`; -1 before the first session.
    public func latestClosedSessionIndex(at instant: Date, graceMinutes: Int = 5) -> Int {
        latestClosedSession(at: instant, graceMinutes: graceMinutes).flatMap(sessionIndex) ?? -1
    }

    /// The next session that has not closed yet at `instant` (today's while it is open or
    /// before the open), with its open and close instants.
    public func nextSession(at instant: Date) -> SessionTimes? {
        let (today, second) = NewYorkTime.local(at: instant)
        var index = sessionIndex(onOrAfter: today)
        if index < sessions.count, sessions[index] == today, second >= closeMinute(ofSessionAt: index) * 60 {
            index += 1
        }
        return times(ofSessionAt: index)
    }

    public func times(ofSessionAt index: Int) -> SessionTimes? {
        guard let day = session(at: index) else { return nil }
        let open = openMinute(ofSessionAt: index)
        let close = closeMinute(ofSessionAt: index)
        return SessionTimes(
            session: day, index: index, openMinute: open, closeMinute: close,
            open: NewYorkTime.instant(on: day, minuteOfDay: open),
            close: NewYorkTime.instant(on: day, minuteOfDay: close))
    }
}

/// When a session opens and closes, both as New York wall-clock minutes and as instants.
public struct SessionTimes: Equatable, Sendable {
    public let session: SessionDate
    public let index: Int
    public let openMinute: Int
    public let closeMinute: Int
    public let open: Date
    public let close: Date

    public var isEarlyClose: Bool { closeMinute != TradingCalendar.regularCloseMinute }

    /// "HH:MM" for a minute of the day.
    public static func clock(_ minute: Int) -> String {
        SessionDate.pad(minute / 60, 2) + ":" + SessionDate.pad(minute % 60, 2)
    }
}
