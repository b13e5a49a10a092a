import Foundation

/// A corporate split: `to` new shares for every `from` old ones, effective on `date`.
public struct Split: Equatable, Sendable, Codable {
    public var symbol: Symbol
    public var date: SessionDate
    public var from: Double
    public var to: Double

    public init(symbol: Symbol, date: SessionDate, from: Double, to: Double) {
        self.symbol = symbol
        self.date = date
        self.from = from
        self.to = to
    }
}
