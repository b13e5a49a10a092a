import Foundation

/// The one spelling of an instant: ISO 8601 UTC with milliseconds ("2024-03-15T21:05:00.123Z"),
/// as stored in the database and written in lock files and JSON. Written by hand so the format
/// never depends on the host's locale or Foundation version.
public enum Timestamp {
    /// `2024-03-15T21:05:00.123Z`, or `2024-03-15T21:05:00Z` without milliseconds (what the
    /// CLI's JSON and text print: second precision, as `date -u +%FT%TZ` writes it).
    public static func format(_ date: Date, milliseconds: Bool = true) -> String {
        guard milliseconds else {
            let whole = format(Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down)))
            return String(whole.prefix(19)) + "Z"
        }
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = floorDiv(ms, 86_400_000)
        var rest = ms - days * 86_400_000
        let day = SessionDate(dayNumber: Int32(days))
        let h = rest / 3_600_000
        rest %= 3_600_000
        let m = rest / 60_000
        rest %= 60_000
        let s = rest / 1000
        let milli = rest % 1000
        return "\(day)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(milli, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or an offset
    /// (`+05:30`, `-04:00`): the instants users write (`TRADLYTE_NOW`, `--at`) and the store holds.
    /// Nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            // parse answers nil for text that is not a timestamp; callers say what was wrong.
            let day = try? SessionDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)),
            let h = number(bytes[11..<13]), let m = number(bytes[14..<16]), let s = number(bytes[17..<19]),
            h < 24, m < 60, s < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if bytes[i] == UInt8(ascii: ".") {
            var scale = 0.1
            i += 1
            let start = i
            while i < bytes.count, (48...57).contains(bytes[i]) {
                fraction += Double(bytes[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == bytes.count, bytes[i + 3] == UInt8(ascii: ":"),
                let oh = number(bytes[(i + 1)..<(i + 3)]), let om = number(bytes[(i + 4)..<(i + 6)]), oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (bytes[i] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let seconds = Double(day.dayNumber) * 86_400 + Double(h * 3600 + m * 60 + s - offset)
        return Date(timeIntervalSince1970: seconds + fraction)
    }

    private static func number(_ slice: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in slice {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a < 0) ? q - 1 : q
    }
}
