import Foundation
import TradLyteCore

/// Evaluates the alert rules on the latest closed session after a run.
struct AlertEvaluator {
    let store: PipelineStore
    let latest: SessionDate
    let strategyNamed: (String) throws -> Strategy
    let now: Date
    private(set) var rulesEvaluated = 0
    /// Rules that could not be evaluated (their strategy is gone or no longer compiles), said
    /// after the run rather than taken for "no signal".
    private(set) var problems: [String] = []

    init(store: PipelineStore, latest: SessionDate, strategyNamed: @escaping (String) throws -> Strategy, now: Date) {
        self.store = store
        self.latest = latest
        self.strategyNamed = strategyNamed
        self.now = now
    }

    mutating func evaluate() throws -> [Alert] {
        let rules = try store.alertRules().filter(\.enabled)
        rulesEvaluated = rules.count
        guard !rules.isEmpty else { return [] }
        let coverage = try store.coverage()
        var fired: [Alert] = []
        var seriesCache: [Symbol: BarSeries] = [:]
        func series(_ s: Symbol) throws -> BarSeries {
            if let cached = seriesCache[s] { return cached }
            let loaded = try store.dailySeries(s, in: nil)
            seriesCache[s] = loaded
            return loaded
        }
        let cal = store.calendar
        guard let latestIndex = cal.sessionIndex(latest) else { return [] }
        let picks = rules.contains { $0.kind == .newPick } ? try store.picks(session: latest) : []
        var compiled: [String: CompiledStrategy] = [:]
        var broken: Set<Int64> = []
        for rule in rules where rule.kind == .strategyTrigger {
            guard let name = rule.strategy else {
                problems.append(
                    "alert rule #\(rule.id) is a strategy alert without a strategy — remove it and add it again")
                broken.insert(rule.id)
                continue
            }
            guard compiled[name] == nil else { continue }
            do {
                compiled[name] = try CompiledStrategy(try strategyNamed(name))
            } catch {
                problems.append(
                    "alert rule #\(rule.id) was not evaluated: strategy \(name): \(error) — fix the strategy or "
                        + "remove the rule (tradlyte alerts)")
                broken.insert(rule.id)
            }
        }
        for rule in rules where rule.kind == .newPick {
            // One alert per picked symbol; a symbol several strategies picked names them all.
            var bySymbol: [Symbol: [String]] = [:]
            var order: [Symbol] = []
            // Picks carry the strategy's display name; a rule may name its id or file.
            let wanted = rule.strategy.map {
                // A name that is no strategy file still matches picks by display name.
                [$0.lowercased(), (try? strategyNamed($0))?.name.lowercased()].compactMap { $0 }
            }
            for pick in picks
            where (rule.symbol == nil || rule.symbol == pick.symbol)
                && (wanted == nil || wanted!.contains(pick.strategy.lowercased()))
            {
                if bySymbol[pick.symbol] == nil { order.append(pick.symbol) }
                bySymbol[pick.symbol, default: []].append(
                    "\(pick.strategy) picked \(pick.symbol) (#\(pick.rank), confidence \(Int((pick.confidence * 100).rounded()))%) at \(fmt(pick.price))"
                )
            }
            for symbol in order {
                fired.append(
                    Alert(
                        ruleID: rule.id, symbol: symbol, session: latest,
                        message: bySymbol[symbol]!.joined(separator: "; "), firedAt: now))
            }
        }
        for rule in rules where rule.kind != .newPick && !broken.contains(rule.id) {
            let symbols = rule.symbol.map { [$0] } ?? coverage.keys.sorted()
            for symbol in symbols {
                // Only symbols whose data reaches the latest session can fire for it.
                guard let c = coverage[symbol], c.latest == latest else { continue }
                let s = try series(symbol)
                guard let lastClose = s.close.last, s.sessionIndex.last == Int32(latestIndex) else { continue }
                var message: String?
                switch rule.kind {
                case .priceAbove:
                    if let v = rule.value, lastClose > v {
                        message = "\(symbol) closed at \(fmt(lastClose)), above \(fmt(v))"
                    }
                case .priceBelow:
                    if let v = rule.value, lastClose < v {
                        message = "\(symbol) closed at \(fmt(lastClose)), below \(fmt(v))"
                    }
                case .percentChange:
                    let n = max(1, rule.sessions ?? 1)
                    if let v = rule.value, s.count > n {
                        let before = s.close[s.count - 1 - n]
                        let change = (lastClose / before - 1) * 100
                        if abs(change) >= v {
                            message =
                                "\(symbol) moved \(String(format: "%+.2f", change))% over \(n) session\(n == 1 ? "" : "s") (threshold \(fmt(v))%)"
                        }
                    }
                case .newPick:
                    continue
                case .strategyTrigger:
                    guard let name = rule.strategy, let strategy = compiled[name] else { continue }
                    let signals = strategy.signals(daily: s, interval: .daily, latestClosed: Int32(latestIndex))
                    if signals.entries.last == true {
                        let st = strategy.strategy
                        message = "\(st.name) \(st.trigger.action.rawValue) signal on \(symbol) at \(fmt(lastClose))"
                    }
                }
                if let message {
                    fired.append(
                        Alert(ruleID: rule.id, symbol: symbol, session: latest, message: message, firedAt: now))
                }
            }
        }
        return fired
    }

    func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
}

/// Alert rules checked outside a run (`tradlyte serve` checks them on their own schedule too):
/// the same evaluator on the latest stored session; alerts already fired for it are not repeated.
public enum AlertCheck {
    /// The alerts newly fired and the rules that could not be evaluated.
    public static func run(
        store: PipelineStore, latest: SessionDate, strategyNamed: @escaping (String) throws -> Strategy, now: Date
    ) throws -> (fired: [Alert], problems: [String]) {
        var evaluator = AlertEvaluator(store: store, latest: latest, strategyNamed: strategyNamed, now: now)
        let candidates = try evaluator.evaluate()
        return (try store.addAlerts(candidates), evaluator.problems)
    }
}
