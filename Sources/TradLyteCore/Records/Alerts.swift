import Foundation

/// An alert rule, evaluated after every pipeline run. `symbol == nil` means the whole universe.
public struct AlertRule: Equatable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The close is above `value`.
        case priceAbove = "price_above"
        /// The close is below `value`.
        case priceBelow = "price_below"
        /// The close moved at least `value` percent (either way) over `sessions` sessions.
        case percentChange = "pct_change"
        /// `strategy`'s entry fires on the latest bar.
        case strategyTrigger = "strategy_trigger"
        /// The scanner picked the symbol (for `strategy`, or any strategy) on the latest session.
        case newPick = "new_pick"
    }

    public var id: Int64
    public var kind: Kind
    public var symbol: Symbol?
    public var value: Double?
    public var sessions: Int?
    public var strategy: String?
    public var enabled: Bool

    public init(
        id: Int64 = 0, kind: Kind, symbol: Symbol?, value: Double? = nil, sessions: Int? = nil, strategy: String? = nil,
        enabled: Bool = true
    ) {
        self.id = id
        self.kind = kind
        self.symbol = symbol
        self.value = value
        self.sessions = sessions
        self.strategy = strategy
        self.enabled = enabled
    }

    /// "ACME close above 120".
    public var summary: String {
        let who = symbol?.rawValue ?? "any symbol"
        switch kind {
        case .priceAbove: return "\(who) close above \(IndicatorSpec.format(value ?? 0))"
        case .priceBelow: return "\(who) close below \(IndicatorSpec.format(value ?? 0))"
        case .percentChange: return "\(who) moves \(IndicatorSpec.format(value ?? 0))% over \(sessions ?? 1) session(s)"
        case .strategyTrigger: return "\(strategy ?? "?") entry on \(who)"
        case .newPick: return "new scanner pick\(strategy.map { " for \($0)" } ?? "") on \(who)"
        }
    }
}

/// A fired alert in the inbox.
public struct Alert: Equatable, Sendable, Codable {
    public var id: Int64
    public var ruleID: Int64
    public var symbol: Symbol
    public var session: SessionDate
    public var message: String
    public var firedAt: Date
    public var read: Bool

    public init(
        id: Int64 = 0, ruleID: Int64, symbol: Symbol, session: SessionDate, message: String, firedAt: Date,
        read: Bool = false
    ) {
        self.id = id
        self.ruleID = ruleID
        self.symbol = symbol
        self.session = session
        self.message = message
        self.firedAt = firedAt
        self.read = read
    }
}
