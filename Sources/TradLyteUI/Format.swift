import Foundation
import TermRender
import TradLyteCore

/// Number formatting for screens (locale-independent, so snapshots are stable).
enum Format {
    /// Cents, four decimals below a dollar (a sub-dollar stock's tick), none from 10,000.
    static func price(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        let a = abs(v)
        return PriceScale.fixed(v, decimals: a >= 10_000 ? 0 : a < 1 && a > 0 ? 4 : 2)
    }
    static func signed(_ v: Double?, decimals: Int = 2) -> String {
        guard let v, v.isFinite else { return "—" }
        return (v >= 0 ? "+" : "") + PriceScale.fixed(v, decimals: decimals)
    }
    static func percent(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        return signed(v) + "%"
    }
    /// 1.23M, 45.6K, 2.1B.
    static func compact(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        let a = abs(v)
        let (d, suffix): (Double, String) =
            a >= 1e12 ? (1e12, "T") : a >= 1e9 ? (1e9, "B") : a >= 1e6 ? (1e6, "M") : a >= 1e3 ? (1e3, "K") : (1, "")
        return PriceScale.fixed(v / d, decimals: d == 1 ? 0 : (a / d >= 100 ? 0 : a / d >= 10 ? 1 : 2)) + suffix
    }
    static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s ago" }
        if s < 3600 { return "\(s / 60)m ago" }
        if s < 86_400 { return "\(s / 3600)h \(s % 3600 / 60)m ago" }
        return "\(s / 86_400)d ago"
    }
    /// An instant in New York time, as the header shows the clock: "2024-03-15 17:02 ET".
    static func eastern(_ date: Date) -> String {
        "\(NewYorkTime.local(at: date).date) " + clock(date)
    }
    /// "17:02 ET": the time of day in New York.
    static func clock(_ date: Date) -> String {
        let minute = NewYorkTime.local(at: date).secondOfDay / 60
        return String(format: "%02d:%02d ET", minute / 60, minute % 60)
    }
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
