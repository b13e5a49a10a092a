/// Numbers as text, the same everywhere (CLI tables, JSON-adjacent output, rule parameters),
/// independent of the locale.
public enum NumberText {
    /// The shortest text that reads back as the same value: "20", "2.5", "110.446966".
    public static func shortest(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
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
