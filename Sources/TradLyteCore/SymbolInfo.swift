/// What we know about a symbol besides its bars (the store's `symbols` table).
public struct SymbolInfo: Equatable, Sendable, Codable {
    public var symbol: Symbol
    public var name: String?
    /// Polygon's type code: CS (common stock), ADRC, ETF, ETV, PFD, …
    public var type: String?
    /// Primary exchange MIC, e.g. XNAS.
    public var exchange: String?
    public var active: Bool
    public var marketCap: Double?
    /// Industry (Polygon's `sic_description`).
    public var industry: String?
    public var description: String?
    public var listDate: SessionDate?
    public var delistDate: SessionDate?

    public init(
        symbol: Symbol, name: String? = nil, type: String? = nil, exchange: String? = nil,
        active: Bool = true, marketCap: Double? = nil, industry: String? = nil,
        description: String? = nil, listDate: SessionDate? = nil, delistDate: SessionDate? = nil
    ) {
        self.symbol = symbol
        self.name = name
        self.type = type
        self.exchange = exchange
        self.active = active
        self.marketCap = marketCap
        self.industry = industry
        self.description = description
        self.listDate = listDate
        self.delistDate = delistDate
    }
}
