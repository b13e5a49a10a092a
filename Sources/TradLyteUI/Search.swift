import Foundation
import TermRender
import TradLyteCore

/// Fuzzy symbol search over tickers and company names.
public enum Search {
    /// Best matches first: exact ticker, ticker prefix, name word prefix, then subsequences.
    public static func matches(_ query: String, in symbols: [SymbolInfo], limit: Int = 50) -> [SymbolInfo] {
        let q = query.trimmingCharacters(in: .whitespaces).lowercased()
        guard !q.isEmpty else { return Array(symbols.sorted { $0.symbol.rawValue < $1.symbol.rawValue }.prefix(limit)) }
        var scored: [(Int, SymbolInfo)] = []
        for info in symbols {
            let sym = info.symbol.rawValue.lowercased()
            // The demo market's "(DEMO)" label is not part of a company's name: "demo" must not
            // match every company.
            var name = (info.name ?? "").lowercased()
            if name.hasSuffix(" (demo)") { name = String(name.dropLast(7)) }
            var score: Int?
            if sym == q {
                score = 0
            } else if sym.hasPrefix(q) {
                score = 10 + sym.count
            } else if name.split(separator: " ").contains(where: { $0.hasPrefix(q) }) {
                score = 100
            } else if name.contains(q) {
                score = 200
            } else if let gap = subsequenceGap(q, sym) {
                score = 300 + gap
            } else if let gap = subsequenceGap(q, name) {
                score = 400 + gap
            }
            if let score { scored.append((score, info)) }
        }
        return scored.sorted { ($0.0, $0.1.symbol.rawValue) < ($1.0, $1.1.symbol.rawValue) }.prefix(limit).map(\.1)
    }

    /// Characters skipped when `q` is a subsequence of `text` (nil when it is not).
    static func subsequenceGap(_ q: String, _ text: String) -> Int? {
        var it = text.makeIterator()
        var gap = 0
        outer: for c in q {
            while let t = it.next() {
                if t == c { continue outer }
                gap += 1
            }
            return nil
        }
        return gap
    }
}
