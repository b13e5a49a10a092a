import Foundation
import TermRender

/// Number formatting for screens (locale-independent, so snapshots are stable).
enum Format {
    static func price(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "—" }
        return PriceScale.fixed(v, decimals: abs(v) >= 10_000 ? 0 : 2)
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
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
