/// A calendar date with no time zone: the key of a daily bar ("the session of 2024-03-15").
///
/// Stored as days since 1970-01-01 (proleptic Gregorian), so comparisons and differences are
/// integer operations. Converting an instant to a session date is the calendar's job (it
/// knows the exchange's zone); this type never guesses one.
public struct SessionDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Days since 1970-01-01.
    public let dayNumber: Int32

    public init(dayNumber: Int32) { self.dayNumber = dayNumber }

    /// A date from its parts, or `nil` when the parts do not name a real day (2023-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= SessionDate.daysInMonth(year: year, month: month)
        else { return nil }
        dayNumber = Int32(SessionDate.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses `YYYY-MM-DD`.
    public init(iso text: String) throws(SessionDateError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let y = SessionDate.digits(bytes[0..<4]), let m = SessionDate.digits(bytes[5..<7]),
            let d = SessionDate.digits(bytes[8..<10])
        else {
            throw .malformed(text)
        }
        guard let date = SessionDate(year: y, month: m, day: d) else { throw .notADay(text) }
        self = date
    }

    /// Builds a date from the `yyyymmdd` integer form used in the database.
    public init?(yyyymmdd value: Int) {
        self.init(year: value / 10_000, month: (value / 100) % 100, day: value % 100)
    }

    public var yyyymmdd: Int {
        let (y, m, d) = parts
        return y * 10_000 + m * 100 + d
    }

    public var parts: (year: Int, month: Int, day: Int) {
        SessionDate.civilFromDays(Int(dayNumber))
    }

    public var year: Int { parts.year }

    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int {
        let w = (Int(dayNumber) + 4) % 7  // 1970-01-01 was a Thursday
        return w < 0 ? w + 7 : w
    }

    public var isWeekend: Bool { weekday == 0 || weekday == 6 }

    public var weekdayName: String {
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][weekday]
    }

    public func adding(days: Int) -> SessionDate { SessionDate(dayNumber: dayNumber + Int32(days)) }

    public var description: String {
        let (y, m, d) = parts
        return SessionDate.pad(y, 4) + "-" + SessionDate.pad(m, 2) + "-" + SessionDate.pad(d, 2)
    }

    public static func < (lhs: SessionDate, rhs: SessionDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(iso: text) } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: - Civil-date arithmetic (Howard Hinnant's algorithms)

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ slice: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in slice {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

public enum SessionDateError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformed(String)
    case notADay(String)

    public var description: String {
        switch self {
        case .malformed(let text): return "'\(text)' is not a date — write dates as YYYY-MM-DD, e.g. 2024-03-15"
        case .notADay(let text): return "'\(text)' is not a day of the calendar — check the month and day"
        }
    }
}
