/// Numbers as text, the same everywhere (CLI tables, JSON-adjacent output, rule parameters),
/// independent of the locale.
public enum NumberText {
    /// The shortest text that reads back as the same value: "20", "2.5", "110.446966".
    public static func shortest(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e16 ? String(Int64(value)) : String(value)
    }

    /// Thousands separated by commas: "12,345".
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}

extension NumberText {
    /// A plain decimal number as a person types it — `12`, `-0.5`, `.25`, `1.5e4` — and finite:
    /// nil for `inf`, `nan`, hexadecimal (`0x10`, which `Double("0x10")` reads as 16), an
    /// exponent that overflows (`1e400`), blanks and anything else. Every number a user gives an
    /// option, a parameter or a palette command goes through here.
    public static func decimal<S: StringProtocol>(_ text: S) -> Double? {
        var digits = 0
        var seenPoint = false
        var seenExponent = false
        var exponentDigits = 0
        var previous: UInt8 = 0
        for (offset, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if seenExponent { exponentDigits += 1 } else { digits += 1 }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let exponentSign = previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E")
                guard offset == 0 || exponentSign else { return nil }
            case UInt8(ascii: "."):
                guard !seenPoint, !seenExponent else { return nil }
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard !seenExponent, digits > 0 else { return nil }
                seenExponent = true
            default:
                return nil
            }
            previous = byte
        }
        guard digits > 0, !seenExponent || exponentDigits > 0, let value = Double(String(text)), value.isFinite
        else { return nil }
        return value
    }
}
