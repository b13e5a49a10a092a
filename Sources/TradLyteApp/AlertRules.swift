import Foundation
import MarketData
import TradLyteCore
import TradLyteStore

/// `tradlyte alerts add`: a rule checked before it is stored, so it can fire.
package enum AlertRules {
    /// Validates and stores a rule; a symbol nobody knows (it would never fire) is refused.
    /// Returns the rule's id and the rule.
    package static func add(
        kind: String, symbol: String?, value: Double?, sessions: Int?, strategy: String?, env: AppEnvironment
    ) throws -> (id: Int64, rule: AlertRule) {
        guard let k = AlertRule.Kind(rawValue: kind) else {
            throw AppError.badInput(
                "unknown alert kind '\(kind)' — use "
                    + AlertRule.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        var sym = try symbol.map { try Symbol(typed: $0) }
        switch k {
        case .priceAbove, .priceBelow:
            guard sym != nil else { throw AppError.badInput("\(kind) needs a symbol") }
            guard let v = value, v > 0, v <= DailyBar.maxPrice else {
                throw AppError.badInput("\(kind) needs --value with a positive price (at most 1e9)")
            }
        case .percentChange:
            guard let v = value, v > 0, v <= 10_000 else {
                throw AppError.badInput("pct_change needs --value with a positive percent (at most 10000)")
            }
            if let s = sessions, s < 1 || s > 1000 {
                throw AppError.badInput("--sessions must be from 1 to 1000")
            }
        case .strategyTrigger:
            guard let name = strategy else { throw AppError.badInput("strategy_trigger needs --strategy NAME") }
            _ = try StrategyCatalog(directory: env.strategiesDirectory).strategy(name)
        case .newPick:
            if let name = strategy {
                _ = try StrategyCatalog(directory: env.strategiesDirectory).strategy(name)
            }
        }
        let store = try env.openStore()
        // A rule on a symbol nobody knows would never fire: say so now. Before the first
        // refresh the store knows nothing, so the demo market's tickers are checked then.
        if let typed = symbol, let first = sym {
            let stored = try store.symbols().map(\.symbol)
            let resolved = stored.isEmpty ? first : try store.resolveSymbol(typed)
            let demoKnows = !env.usesDemoMarket || DemoMarket.tickers.contains(resolved)
            guard stored.isEmpty ? demoKnows : stored.contains(resolved) else {
                throw AppError.notFound(
                    "unknown symbol '\(resolved)' — it has no data in the store; "
                        + "refresh or import it first (tradlyte export symbols lists what is stored)")
            }
            sym = resolved
        }
        let rule = AlertRule(
            kind: k, symbol: sym, value: value, sessions: k == .percentChange ? (sessions ?? 1) : nil,
            strategy: strategy)
        let id = try store.addAlertRule(rule, at: env.now())
        return (id, rule)
    }
}
