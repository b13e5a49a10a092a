import Foundation
import TradLyteCore

/// The offline demo market: 44 fictional tickers (42 companies across sectors and two ETFs)
/// with deterministic daily history on the real NYSE calendar.
///
/// Every ticker's path is generated from its own seeded random stream starting 2010-01-04,
/// so a session's bar never changes as time passes; the provider serves the ten years up to
/// the latest closed session at the injected clock. The paths have trend regimes, volatility
/// clustering (GARCH(1,1)), overnight gaps, quarterly earnings jumps, a 4-for-1 split (NOVA,
/// 2021-08-02, served split-adjusted once effective) and a delisting (ZEPH, last traded
/// 2023-05-12). Everything it serves is labelled DEMO.
public final class DemoMarket: MarketDataProvider, Sendable {
    // Immutable after init but for the paths, built when first asked for.
    public let name = "demo"
    public let isDemo = true
    public let calendar: TradingCalendar
    /// Seconds since 1970 → "now"; injected so tests and headless renders are stable.
    private let clock: @Sendable () -> Date
    private let cache = Locked<[Symbol: Path]>([:])

    public static let anchor = SessionDate(year: 2010, month: 1, day: 4)!
    public static let historyYears = 10
    public static let splitSymbol = Symbol(known: "NOVA")
    public static let splitDate = SessionDate(year: 2021, month: 8, day: 2)!
    public static let delistedSymbol = Symbol(known: "ZEPH")
    public static let delistDate = SessionDate(year: 2023, month: 5, day: 12)!

    struct Company {
        let ticker: String, name: String, sector: String
        let price: Double, sharesMillions: Double, drift: Double, volatility: Double
        let type: String
    }

    static let companies: [Company] = [
        .init(
            ticker: "ACME", name: "Acme Dynamics", sector: "Industrials", price: 42, sharesMillions: 310, drift: 0.07,
            volatility: 0.24, type: "CS"),
        .init(
            ticker: "BOLT", name: "Boltline Energy", sector: "Energy", price: 28, sharesMillions: 520, drift: 0.03,
            volatility: 0.33, type: "CS"),
        .init(
            ticker: "CRSP", name: "Crispin Foods", sector: "Consumer Staples", price: 55, sharesMillions: 190,
            drift: 0.05, volatility: 0.17, type: "CS"),
        .init(
            ticker: "DYNA", name: "Dynastar Semiconductors", sector: "Technology", price: 36, sharesMillions: 880,
            drift: 0.16, volatility: 0.38, type: "CS"),
        .init(
            ticker: "ELMR", name: "Elmridge Health", sector: "Health Care", price: 61, sharesMillions: 240, drift: 0.08,
            volatility: 0.22, type: "CS"),
        .init(
            ticker: "FJRD", name: "Fjord Shipping", sector: "Industrials", price: 14, sharesMillions: 150, drift: 0.02,
            volatility: 0.41, type: "CS"),
        .init(
            ticker: "GLNT", name: "Gallant Insurance", sector: "Financials", price: 47, sharesMillions: 410,
            drift: 0.06, volatility: 0.20, type: "CS"),
        .init(
            ticker: "HRZN", name: "Horizon Mobile", sector: "Communication Services", price: 33, sharesMillions: 1200,
            drift: 0.05, volatility: 0.26, type: "CS"),
        .init(
            ticker: "IONX", name: "Ionix Batteries", sector: "Technology", price: 9, sharesMillions: 300, drift: 0.12,
            volatility: 0.55, type: "CS"),
        .init(
            ticker: "JUNO", name: "Juno Apparel", sector: "Consumer Discretionary", price: 22, sharesMillions: 140,
            drift: 0.04, volatility: 0.30, type: "CS"),
        .init(
            ticker: "KSTL", name: "Kestrel Steel", sector: "Materials", price: 31, sharesMillions: 260, drift: 0.03,
            volatility: 0.34, type: "CS"),
        .init(
            ticker: "LMNA", name: "Lumina Software", sector: "Technology", price: 74, sharesMillions: 520, drift: 0.14,
            volatility: 0.30, type: "CS"),
        .init(
            ticker: "MRDN", name: "Meridian Bancorp", sector: "Financials", price: 38, sharesMillions: 700, drift: 0.05,
            volatility: 0.23, type: "CS"),
        .init(
            ticker: "NOVA", name: "Novagen Therapeutics", sector: "Health Care", price: 48, sharesMillions: 160,
            drift: 0.15, volatility: 0.42, type: "CS"),
        .init(
            ticker: "OKRA", name: "Okra Organic Markets", sector: "Consumer Staples", price: 19, sharesMillions: 95,
            drift: 0.04, volatility: 0.25, type: "CS"),
        .init(
            ticker: "PLSR", name: "Pulsar Networks", sector: "Technology", price: 52, sharesMillions: 430, drift: 0.10,
            volatility: 0.31, type: "CS"),
        .init(
            ticker: "QRTZ", name: "Quartz Instruments", sector: "Industrials", price: 66, sharesMillions: 120,
            drift: 0.07, volatility: 0.21, type: "CS"),
        .init(
            ticker: "RVNA", name: "Riverna Utilities", sector: "Utilities", price: 44, sharesMillions: 380, drift: 0.04,
            volatility: 0.15, type: "CS"),
        .init(
            ticker: "SLTE", name: "Slate Realty Trust", sector: "Real Estate", price: 27, sharesMillions: 210,
            drift: 0.03, volatility: 0.21, type: "CS"),
        .init(
            ticker: "TERA", name: "Terabyte Cloud", sector: "Technology", price: 88, sharesMillions: 610, drift: 0.17,
            volatility: 0.35, type: "CS"),
        .init(
            ticker: "UMBR", name: "Umbra Security", sector: "Technology", price: 24, sharesMillions: 180, drift: 0.09,
            volatility: 0.37, type: "CS"),
        .init(
            ticker: "VRDN", name: "Viridian Agriculture", sector: "Materials", price: 35, sharesMillions: 230,
            drift: 0.04, volatility: 0.27, type: "CS"),
        .init(
            ticker: "WAVE", name: "Waverly Media", sector: "Communication Services", price: 17, sharesMillions: 340,
            drift: 0.01, volatility: 0.32, type: "CS"),
        .init(
            ticker: "XENO", name: "Xenon Aerospace", sector: "Industrials", price: 93, sharesMillions: 270, drift: 0.08,
            volatility: 0.26, type: "CS"),
        .init(
            ticker: "YARD", name: "Yardley Home", sector: "Consumer Discretionary", price: 41, sharesMillions: 200,
            drift: 0.06, volatility: 0.24, type: "CS"),
        .init(
            ticker: "ZEPH", name: "Zephyr Airlines", sector: "Industrials", price: 21, sharesMillions: 310,
            drift: -0.05, volatility: 0.45, type: "CS"),
        .init(
            ticker: "AURA", name: "Aura Cosmetics", sector: "Consumer Staples", price: 39, sharesMillions: 150,
            drift: 0.06, volatility: 0.23, type: "CS"),
        .init(
            ticker: "BRKN", name: "Brookstone Capital", sector: "Financials", price: 57, sharesMillions: 330,
            drift: 0.07, volatility: 0.22, type: "CS"),
        .init(
            ticker: "CDRX", name: "Cedrix Pharma", sector: "Health Care", price: 29, sharesMillions: 260, drift: 0.05,
            volatility: 0.36, type: "CS"),
        .init(
            ticker: "DRFT", name: "Driftwood Resorts", sector: "Consumer Discretionary", price: 46, sharesMillions: 110,
            drift: 0.04, volatility: 0.29, type: "CS"),
        .init(
            ticker: "EMBR", name: "Ember Oilfield", sector: "Energy", price: 16, sharesMillions: 420, drift: 0.02,
            volatility: 0.40, type: "CS"),
        .init(
            ticker: "FLUX", name: "Flux Robotics", sector: "Technology", price: 12, sharesMillions: 240, drift: 0.18,
            volatility: 0.50, type: "CS"),
        .init(
            ticker: "GRVL", name: "Gravel Construction", sector: "Materials", price: 23, sharesMillions: 170,
            drift: 0.05, volatility: 0.28, type: "CS"),
        .init(
            ticker: "HELX", name: "Helix Genomics", sector: "Health Care", price: 71, sharesMillions: 140, drift: 0.11,
            volatility: 0.44, type: "CS"),
        .init(
            ticker: "INDG", name: "Indigo Telecom", sector: "Communication Services", price: 26, sharesMillions: 900,
            drift: 0.02, volatility: 0.19, type: "CS"),
        .init(
            ticker: "JADE", name: "Jade Payments", sector: "Financials", price: 64, sharesMillions: 360, drift: 0.13,
            volatility: 0.30, type: "CS"),
        .init(
            ticker: "KRYO", name: "Kryo Cold Chain", sector: "Industrials", price: 18, sharesMillions: 90, drift: 0.06,
            volatility: 0.35, type: "CS"),
        .init(
            ticker: "LOOP", name: "Loop Logistics", sector: "Industrials", price: 37, sharesMillions: 280, drift: 0.07,
            volatility: 0.25, type: "CS"),
        .init(
            ticker: "MSTC", name: "Mosaic Water", sector: "Utilities", price: 51, sharesMillions: 220, drift: 0.05,
            volatility: 0.16, type: "CS"),
        .init(
            ticker: "NRTH", name: "Northgate REIT", sector: "Real Estate", price: 33, sharesMillions: 310, drift: 0.03,
            volatility: 0.20, type: "CS"),
        .init(
            ticker: "ORBT", name: "Orbit Satellite", sector: "Communication Services", price: 58, sharesMillions: 190,
            drift: 0.09, volatility: 0.34, type: "CS"),
        .init(
            ticker: "PRSM", name: "Prism Optics", sector: "Technology", price: 45, sharesMillions: 230, drift: 0.10,
            volatility: 0.33, type: "CS"),
        .init(
            ticker: "DMOX", name: "Demo Total Market ETF", sector: "ETF", price: 100, sharesMillions: 900, drift: 0.08,
            volatility: 0.16, type: "ETF"),
        .init(
            ticker: "DTEK", name: "Demo Technology Select ETF", sector: "ETF", price: 60, sharesMillions: 400,
            drift: 0.12, volatility: 0.24, type: "ETF"),
    ]

    /// `clock` says what "now" is: the market serves history up to the latest session closed
    /// at that instant (the executables pass the system clock, tests a manual one).
    public init(calendar: TradingCalendar = .nyse, clock: @escaping @Sendable () -> Date) {
        self.calendar = calendar
        self.clock = clock
    }

    /// The market's "now", for servers that answer from it (the fake Polygon server).
    public func now() -> Date {
        clock()
    }

    public static var tickers: [Symbol] { companies.map { Symbol(known: $0.ticker) } }

    // MARK: - Provider

    /// The sessions served at `now`: ten years up to the latest closed session.
    public func window(at now: Date) -> ClosedRange<Int>? {
        let latest = calendar.latestClosedSessionIndex(at: now)
        guard latest >= 0 else { return nil }
        let start = calendar.sessionIndex(
            onOrAfter: calendar.sessions[latest].adding(days: -365 * Self.historyYears - 2))
        let anchor = calendar.sessionIndex(Self.anchor)!
        return max(start, anchor)...latest
    }

    public func groupedDaily(_ session: SessionDate) throws -> [Symbol: DailyBar] {
        guard let index = calendar.sessionIndex(session), let window = window(at: clock()), window.contains(index)
        else { return [:] }
        var result: [Symbol: DailyBar] = [:]
        for symbol in Self.tickers {
            if let bar = bar(symbol, at: index) { result[symbol] = bar }
        }
        return result
    }

    public func dailyBars(_ symbol: Symbol, from: SessionDate, to: SessionDate) throws -> [DailyBar] {
        guard Self.companies.contains(where: { $0.ticker == symbol.rawValue }) else {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        guard let window = window(at: clock()) else { return [] }
        let lo = max(window.lowerBound, calendar.sessionIndex(onOrAfter: from))
        let hi = min(window.upperBound, calendar.sessionIndex(onOrBefore: to))
        guard lo <= hi else { return [] }
        return (lo...hi).compactMap { bar(symbol, at: $0) }
    }

    public func symbols() throws -> [SymbolInfo] {
        let now = clock()
        let latest = window(at: now)?.upperBound
        return Self.companies.map { c in
            let symbol = Symbol(known: c.ticker)
            let delisted =
                symbol == Self.delistedSymbol && latest.map { $0 > calendar.sessionIndex(Self.delistDate)! } == true
            let lastClose =
                latest.flatMap { l in self.bar(symbol, at: min(l, self.lastTradedIndex(symbol))) }?.close ?? c.price
            var shares = c.sharesMillions * 1e6
            if symbol == Self.splitSymbol, let latest, latest >= calendar.sessionIndex(Self.splitDate)! { shares *= 4 }
            // Whole dollars, as the service reports them (a product of doubles printed 16868799999.999998).
            return SymbolInfo(
                symbol: symbol, name: c.name + " (DEMO)", type: c.type, exchange: c.type == "ETF" ? "ARCX" : "XNAS",
                active: !delisted, marketCap: (lastClose * shares).rounded(), industry: c.sector,
                description: "Fictional \(c.sector.lowercased()) company in the offline demo market.",
                listDate: Self.anchor, delistDate: delisted ? Self.delistDate : nil)
        }
    }

    public func details(_ symbol: Symbol) throws -> SymbolInfo {
        guard let info = try symbols().first(where: { $0.symbol == symbol }) else {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        return info
    }

    public func splits(since: SessionDate) throws -> [Split] {
        guard let window = window(at: clock()), calendar.sessionIndex(Self.splitDate)! <= window.upperBound,
            Self.splitDate >= since
        else {
            return []
        }
        return [Split(symbol: Self.splitSymbol, date: Self.splitDate, from: 1, to: 4)]
    }

    public func quote(_ symbol: Symbol, at now: Date) throws -> Quote? {
        guard Self.companies.contains(where: { $0.ticker == symbol.rawValue }) else {
            throw ProviderError.unknownSymbol(symbol.rawValue)
        }
        guard let window = window(at: now) else { return nil }
        let last = min(window.upperBound, lastTradedIndex(symbol))
        guard let bar = bar(symbol, at: last) else { return nil }
        let previous = last > 0 ? self.bar(symbol, at: last - 1) : nil
        let change = previous.map { bar.close - $0.close }
        let times = calendar.times(ofSessionAt: last)!
        return Quote(
            symbol: symbol, price: bar.close, change: change,
            changePercent: previous.map { (bar.close / $0.close - 1) * 100 },
            open: bar.open, dayHigh: bar.high, dayLow: bar.low, volume: bar.volume, session: bar.session,
            asOf: times.close, fetchedAt: now, source: .demo)
    }

    // MARK: - Paths

    /// A ticker's unadjusted path from the anchor session through 2040.
    struct Path {
        let first: Int
        var open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]
    }

    func lastTradedIndex(_ symbol: Symbol) -> Int {
        symbol == Self.delistedSymbol ? calendar.sessionIndex(Self.delistDate)! : calendar.sessionCount - 1
    }

    /// The whole bar a session has (or will have once it closes), as adjusted at the current
    /// clock; for servers that show a session in progress (the fake's snapshots).
    public func sessionBar(_ symbol: Symbol, at index: Int) -> DailyBar? {
        guard Self.companies.contains(where: { $0.ticker == symbol.rawValue }) else { return nil }
        return bar(symbol, at: index)
    }

    /// The bar as served at the current clock: split-adjusted once the split is effective.
    func bar(_ symbol: Symbol, at index: Int) -> DailyBar? {
        guard index <= lastTradedIndex(symbol) else { return nil }
        let path = self.path(symbol)
        let k = index - path.first
        guard k >= 0, k < path.close.count else { return nil }
        var factor = 1.0
        if symbol == Self.splitSymbol, let latest = window(at: clock())?.upperBound {
            let split = calendar.sessionIndex(Self.splitDate)!
            if latest >= split && index < split { factor = 4 }  // adjusted history divides earlier prices by 4
        }
        let r = { (x: Double) in (x / factor * 10_000).rounded() / 10_000 }
        return DailyBar(
            session: calendar.sessions[index], open: r(path.open[k]), high: r(path.high[k]), low: r(path.low[k]),
            close: r(path.close[k]), volume: (path.volume[k] * factor).rounded(),
            vwap: r((path.high[k] + path.low[k] + 2 * path.close[k]) / 4), trades: Int(path.volume[k] / 180))
    }

    func path(_ symbol: Symbol) -> Path {
        if let cached = cache.withLock({ $0[symbol] }) { return cached }
        let built = Self.generate(Self.companies.first { $0.ticker == symbol.rawValue }!, calendar: calendar)
        cache.withLock { $0[symbol] = built }
        return built
    }

    static func generate(_ c: Company, calendar: TradingCalendar) -> Path {
        var rng = Xoshiro(seed: fnv1a(c.ticker) ^ 0x7E57_D3A0)
        let first = calendar.sessionIndex(anchor)!
        let count = calendar.sessionCount - first
        var path = Path(first: first, open: [], high: [], low: [], close: [], volume: [])
        path.open.reserveCapacity(count)
        path.high.reserveCapacity(count)
        path.low.reserveCapacity(count)
        path.close.reserveCapacity(count)
        path.volume.reserveCapacity(count)
        let dailyVol = c.volatility / 252.0.squareRoot()
        var variance = dailyVol * dailyVol
        let omega = variance * 0.05
        let alpha = 0.08
        let beta = 0.87  // GARCH(1,1), persistence 0.95
        var regimeDrift = c.drift
        var price = c.price
        var lastShock = 0.0
        let baseVolume = c.sharesMillions * 1e6 * 0.004
        let earningsOffset = Int(fnv1a(c.ticker + "earn") % 63)
        let split = calendar.sessionIndex(splitDate)!
        for k in 0..<count {
            // Regimes: roughly every 18 months the trend may turn (bull, bear, sideways).
            if rng.uniform() < 1.0 / 380.0 {
                let draw = rng.uniform()
                // Bull, bear or sideways, averaging out near the ticker's long-run drift.
                regimeDrift = draw < 0.55 ? c.drift + 0.08 : (draw < 0.8 ? c.drift - 0.22 : c.drift * 0.5)
            }
            variance = omega + alpha * lastShock * lastShock + beta * variance
            let sigma = variance.squareRoot()
            // Overnight gap, larger on earnings days (every 63 sessions, per-ticker offset).
            let earnings = (k + earningsOffset) % 63 == 0 && c.type != "ETF"
            let gap =
                earnings
                ? rng.normal() * sigma * 4 + (rng.uniform() < 0.5 ? -1 : 1) * sigma * 2 : rng.normal() * sigma * 0.3
            let open = price * exp(gap)
            // Log-return drift net of the variance term, plus a gentle pull toward the ticker's
            // long-run trend line so prices stay plausible over 30 years of sessions.
            let trend = log(c.price) + c.drift * Double(k) / 252
            let pull = (trend - log(price)) / 400
            let intraday = rng.normal() * sigma * 0.9 + (regimeDrift / 252) - 0.5 * variance + pull
            var close = open * exp(intraday)
            lastShock = log(close / price) - regimeDrift / 252
            let spread = abs(rng.normal()) * sigma * 0.6 + sigma * 0.2
            var high = max(open, close) * exp(abs(rng.normal()) * spread * 0.5)
            var low = min(open, close) * exp(-abs(rng.normal()) * spread * 0.5)
            var o = open
            if c.ticker == splitSymbol.rawValue && first + k >= split {
                // After the split the unadjusted price is a quarter.
                o /= 4
                close /= 4
                high /= 4
                low /= 4
            }
            let volume =
                baseVolume * (0.6 + rng.uniform()) * (1 + abs(lastShock) / max(sigma, 1e-9) * 0.4) * (earnings ? 3 : 1)
            path.open.append(o)
            path.high.append(high)
            path.low.append(low)
            path.close.append(close)
            path.volume.append(volume.rounded() * (c.ticker == splitSymbol.rawValue && first + k >= split ? 4 : 1))
            price = c.ticker == splitSymbol.rawValue && first + k >= split ? close * 4 : close
            // Keep prices in a sane band without breaking the walk.
            if price < 1 { price = 1 + rng.uniform() }
        }
        return path
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

/// xoshiro256** with Box–Muller normals: fast, seeded, identical on every platform.
struct Xoshiro {
    var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var split = SeededRandom(seed: seed)
        s = (split.next(), split.next(), split.next(), split.next())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
