/// A Setup → Trigger → Exit strategy, as stored in a
/// `tradlyte.strategy/1` JSON file.
public struct Strategy: Equatable, Sendable {
    public static let schema = "tradlyte.strategy/1"

    public enum Direction: String, Sendable, CaseIterable { case long, short, both }
    public enum Action: String, Sendable, CaseIterable { case buy, sell }

    /// A declared parameter: its default and the range a sweep may explore.
    public struct Parameter: Equatable, Sendable {
        public var name: String
        public var defaultValue: Double
        public var min: Double?
        public var max: Double?
        public var step: Double?
    }

    /// A rule, optionally evaluated on its own Fibonacci interval.
    public struct Step: Equatable, Sendable {
        public var rule: String
        public var interval: FibInterval?
    }

    public struct Trigger: Equatable, Sendable {
        public var rule: String
        public var action: Action
        public var interval: FibInterval?
    }

    /// How far a stop or target sits from the entry.
    public enum Distance: Equatable, Sendable {
        /// Percent of the entry price.
        case percent(Double)
        /// A multiple of ATR(period) at the entry bar.
        case atr(multiple: Double, period: Int)
        /// At the entry bar's low, high, open or close, moved by `offsetPercent` (away from
        /// the position).
        case anchored(Anchor, offsetPercent: Double)
    }

    public enum Anchor: String, Sendable, CaseIterable {
        case entryLow = "entry_low"
        case entryHigh = "entry_high"
        case entryOpen = "entry_open"
        case entryClose = "entry_close"
    }

    public struct Exit: Equatable, Sendable {
        public var rule: Step?
        public var stopLoss: Distance?
        public var takeProfit: Distance?
        public var trailingStop: Distance?
        public var maxBars: Int?
    }

    /// Backtest defaults a strategy may carry (the backtester's own defaults apply otherwise).
    public struct BacktestSettings: Equatable, Sendable {
        public enum Fill: String, Sendable, CaseIterable {
            case nextOpen = "next_open"
            case close
        }
        public var cash: Double?
        /// Commission as a fraction of the traded value (0.001 = 0.1%).
        public var commission: Double?
        public var commissionFixed: Double?
        public var slippageBps: Double?
        public var fill: Fill?
        /// Fraction of equity committed per entry (0 < size ≤ 1).
        public var size: Double?
        public var fractionalShares: Bool?
        public var closeAtEnd: Bool?
    }

    public var name: String
    public var description: String
    public var interval: FibInterval
    public var direction: Direction
    public var parameters: [Parameter]
    public var setup: Step?
    public var trigger: Trigger
    public var exit: Exit
    public var backtest: BacktestSettings?

    /// Parameter values: defaults, replaced by `overrides` where given.
    public func parameterValues(_ overrides: [String: Double] = [:]) -> [String: Double] {
        var values: [String: Double] = [:]
        for p in parameters { values[p.name] = overrides[p.name] ?? p.defaultValue }
        return values
    }

    /// Every interval the strategy reads (base first).
    public var intervals: [FibInterval] {
        var all = [interval]
        for i in [setup?.interval, trigger.interval, exit.rule?.interval].compactMap({ $0 }) where !all.contains(i) {
            all.append(i)
        }
        return all
    }
}

/// A problem in a strategy file: its JSON path, and for rules the rule's own diagnostic.
public struct StrategyDiagnostic: Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public let rule: RuleDiagnostic?
    public let ruleSource: String?

    public init(path: String, message: String, rule: RuleDiagnostic? = nil, ruleSource: String? = nil) {
        self.path = path
        self.message = message
        self.rule = rule
        self.ruleSource = ruleSource
    }

    public var description: String {
        if let rule, let ruleSource {
            return "\(path) " + rule.rendered(source: ruleSource, indent: "    ")
        }
        return "\(path): \(message)"
    }
}

public struct StrategyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let diagnostics: [StrategyDiagnostic]
    public init(diagnostics: [StrategyDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
