/// How long something takes, the way the CLI and the UI say it: "45 s", "12 min", "3.1 h".
public enum DurationText {
    public static func short(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
        let tenths = (seconds / 360).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) h"
    }
}
