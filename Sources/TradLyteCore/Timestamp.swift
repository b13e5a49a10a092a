import Foundation

/// The one spelling of an instant: ISO 8601 UTC with milliseconds ("2024-03-15T21:05:00.123Z"),
/// as stored in the database and written in lock files and JSON. Written by hand so the format
/// never depends on the host's locale or Foundation version.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
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

    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"),
            // parse answers nil for text that is not a timestamp; callers say what was wrong.
            let day = try? SessionDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)),
            let h = number(bytes[11..<13]), let m = number(bytes[14..<16]), let s = number(bytes[17..<19])
        else { return nil }
        var millis = 0
        if bytes.count >= 24, bytes[19] == UInt8(ascii: "."), let ms = number(bytes[20..<23]) { millis = ms }
        let seconds = Double(day.dayNumber) * 86_400 + Double(h * 3600 + m * 60 + s) + Double(millis) / 1000
        return Date(timeIntervalSince1970: seconds)
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
