import Foundation
import MarketData
import TradLyteCore

/// A Massive/Polygon subscription plan as the fake server enforces it. Each behaviour follows
/// the service's public record (see `FakePolygonServer`'s header for the sources).
public enum FakePlan: String, Sendable, CaseIterable {
    /// The free plan: about two years of history, today's grouped day refused until after
    /// midnight ET, no snapshots, 5 calls a minute.
    case basic
    /// Five years, 15-minute delayed snapshots (cleared at 03:30 ET), unlimited calls.
    case starter
    /// All history, real-time snapshots, unlimited calls.
    case advanced

    /// Calendar days of history served (nil: all).
    public var historyDays: Int? {
        switch self {
        case .basic: return 730
        case .starter: return 1826
        case .advanced: return nil
        }
    }

    public var hasSnapshots: Bool { self != .basic }

    /// How far behind the snapshot's last trade is.
    public var snapshotDelay: TimeInterval {
        switch self {
        case .basic, .starter: return 15 * 60
        case .advanced: return 0
        }
    }

    /// Calls per minute before 429 (nil: unlimited).
    public var callsPerMinute: Int? { self == .basic ? 5 : nil }
}

/// The market a fake server serves: the demo market plus, optionally, the awkward tickers a
/// real market has. Everything is deterministic and answers from the demo market's clock.
public final class FakeMarket: Sendable {
    public let demo: DemoMarket
    public let scenario: Scenario?
    public var calendar: TradingCalendar { demo.calendar }

    /// Events of the real world, placed on sessions the test chooses.
    public struct Scenario: Sendable {
        /// `GONE`'s last session; afterwards it is inactive with `delisted_utc`.
        public var delisting: SessionDate
        /// `NEWL`'s first session (its `list_date`).
        public var listing: SessionDate
        /// `SPLT` splits 2-for-1 effective on this session; served adjusted once effective.
        public var split: SessionDate
        /// The first grouped-daily request for this session answers with no results.
        public var emptyFirstAnswer: SessionDate?

        public init(
            delisting: SessionDate, listing: SessionDate, split: SessionDate, emptyFirstAnswer: SessionDate? = nil
        ) {
            self.delisting = delisting
            self.listing = listing
            self.split = split
            self.emptyFirstAnswer = emptyFirstAnswer
        }

        /// Events at fixed distances before the latest session closed at `now`.
        public static func recent(before now: Date, calendar: TradingCalendar = .nyse) -> Scenario {
            let latest = max(40, calendar.latestClosedSessionIndex(at: now))
            return Scenario(
                delisting: calendar.sessions[latest - 30], listing: calendar.sessions[latest - 20],
                split: calendar.sessions[latest - 10])
        }
    }

    /// The scenario's tickers: a common stock and its preferred differing only in case, an
    /// illiquid stock trading every third session, a delisting, a new listing and a split.
    public struct Ticker: Sendable {
        public let symbol: Symbol
        public let name: String
        public let type: String
        public let exchange: String
        public let price: Double
        public let sector: String
        public let shares: Double
    }

    public static let scenarioTickers: [Ticker] = [
        Ticker(
            symbol: Symbol(known: "AMPB"), name: "Ampbell Holdings Class A Common", type: "CS", exchange: "XNYS",
            price: 41.2,
            sector: "STATE COMMERCIAL BANKS", shares: 210e6),
        Ticker(
            symbol: Symbol(known: "AMpB"), name: "Ampbell Holdings 5.75% Series B Preferred", type: "PFD",
            exchange: "XNYS",
            price: 24.6, sector: "STATE COMMERCIAL BANKS", shares: 12e6),
        Ticker(
            symbol: Symbol(known: "ILLQ"), name: "Illiquid Micro Corp", type: "CS", exchange: "XNAS", price: 3.1,
            sector: "SERVICES-PREPACKAGED SOFTWARE", shares: 8e6),
        Ticker(
            symbol: Symbol(known: "GONE"), name: "Gone Acquisition Corp", type: "CS", exchange: "XNAS", price: 10.2,
            sector: "BLANK CHECKS", shares: 30e6),
        Ticker(
            symbol: Symbol(known: "NEWL"), name: "Newly Listed Inc", type: "CS", exchange: "XNAS", price: 18,
            sector: "PHARMACEUTICAL PREPARATIONS", shares: 55e6),
        Ticker(
            symbol: Symbol(known: "SPLT"), name: "Splitting Industries", type: "CS", exchange: "XNYS", price: 240,
            sector: "AIRCRAFT", shares: 90e6),
    ]

    /// Whether the scenario's empty first answer was given.
    private let emptyAnswered = Locked(false)

    public init(demo: DemoMarket, scenario: Scenario? = nil) {
        self.demo = demo
        self.scenario = scenario
    }

    public func now() -> Date { demo.now() }

    /// The latest session closed at the market's clock.
    public var latestIndex: Int { calendar.latestClosedSessionIndex(at: now(), graceMinutes: 0) }

    // MARK: - Scenario tickers

    func ticker(_ symbol: Symbol) -> Ticker? {
        guard scenario != nil else { return nil }
        return Self.scenarioTickers.first { $0.symbol == symbol }
    }

    /// The sessions a scenario ticker trades (before adjustment); `inProgress` admits today's.
    func trades(_ t: Ticker, at index: Int, inProgress: Bool = false) -> Bool {
        guard let scenario, inProgress || index <= latestIndex else { return false }
        switch t.symbol.rawValue {
        case "ILLQ": return index % 3 == 0
        case "GONE": return index <= calendar.sessionIndex(onOrBefore: scenario.delisting)
        case "NEWL": return index >= calendar.sessionIndex(onOrAfter: scenario.listing)
        default: return true
        }
    }

    /// A deterministic bar: a smooth walk seeded by the ticker, split-adjusted once effective.
    func scenarioBar(_ t: Ticker, at index: Int, inProgress: Bool = false) -> DailyBar? {
        guard let scenario, trades(t, at: index, inProgress: inProgress) else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in t.symbol.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3 }
        let phase = Double(hash % 1000) / 1000 * 6.28
        let x = Double(index)
        let close = t.price * (1 + 0.08 * sin(x / 17 + phase) + 0.03 * sin(x / 3.1 + 2 * phase))
        let open = t.price * (1 + 0.08 * sin((x - 0.5) / 17 + phase) + 0.03 * sin((x - 0.5) / 3.1 + 2 * phase))
        let high = max(open, close) * 1.012
        let low = min(open, close) * 0.988
        var volume = (t.shares / 400) * (1.2 + sin(x / 5 + phase))
        if t.symbol.rawValue == "ILLQ" { volume = (volume / 1000).rounded() + 0.5 }  // fractional shares
        var factor = 1.0
        let splitIndex = calendar.sessionIndex(onOrAfter: scenario.split)
        if t.symbol.rawValue == "SPLT" && latestIndex >= splitIndex && index < splitIndex { factor = 2 }
        let r = { (p: Double) in (p / factor * 10_000).rounded() / 10_000 }
        return DailyBar(
            session: calendar.sessions[index], open: r(open), high: r(high), low: r(low), close: r(close),
            volume: (volume * factor).rounded(.down) + (t.symbol.rawValue == "ILLQ" ? 0.5 : 0),
            vwap: r((high + low + 2 * close) / 4), trades: Int(volume / 90))
    }

    // MARK: - What the routes serve

    /// Every ticker that traded `session` (as served once published).
    public func groupedDaily(_ session: SessionDate) throws -> [Symbol: DailyBar] {
        if let empty = scenario?.emptyFirstAnswer, empty == session {
            let first = emptyAnswered.withLock { answered -> Bool in
                defer { answered = true }
                return !answered
            }
            if first { return [:] }
        }
        var day = try demo.groupedDaily(session)
        if scenario != nil, let index = calendar.sessionIndex(session) {
            for t in Self.scenarioTickers {
                if let bar = scenarioBar(t, at: index) { day[t.symbol] = bar }
            }
        }
        return day
    }

    public func dailyBars(_ symbol: Symbol, from: SessionDate, to: SessionDate) throws -> [DailyBar] {
        guard let t = ticker(symbol) else { return try demo.dailyBars(symbol, from: from, to: to) }
        let lo = calendar.sessionIndex(onOrAfter: from)
        let hi = min(latestIndex, calendar.sessionIndex(onOrBefore: to))
        guard lo <= hi else { return [] }
        return (lo...hi).compactMap { scenarioBar(t, at: $0) }
    }

    /// Every ticker with metadata; inactive ones carry their delist date.
    public func symbols() throws -> [SymbolInfo] {
        var all = try demo.symbols()
        guard let scenario else { return all }
        for t in Self.scenarioTickers {
            let last = (0...latestIndex).reversed().lazy.compactMap { self.scenarioBar(t, at: $0) }.first
            let delisted =
                t.symbol.rawValue == "GONE" && latestIndex > calendar.sessionIndex(onOrBefore: scenario.delisting)
            let listed = t.symbol.rawValue == "NEWL" ? scenario.listing : DemoMarket.anchor
            guard t.symbol.rawValue != "NEWL" || latestIndex >= calendar.sessionIndex(onOrAfter: scenario.listing)
            else { continue }
            all.append(
                SymbolInfo(
                    symbol: t.symbol, name: t.name, type: t.type, exchange: t.exchange, active: !delisted,
                    marketCap: (last?.close ?? t.price) * t.shares, industry: t.sector,
                    description: "\(t.name), a ticker of the fake server's real-world scenario.",
                    listDate: listed, delistDate: delisted ? scenario.delisting : nil))
        }
        return all
    }

    public func splits(since: SessionDate) throws -> [Split] {
        var all = try demo.splits(since: since)
        if let scenario, scenario.split >= since, calendar.sessionIndex(onOrAfter: scenario.split) <= latestIndex + 30 {
            all.append(Split(symbol: try Symbol("SPLT"), date: scenario.split, from: 1, to: 2))
        }
        return all
    }

    /// The bar of `symbol` for the session at `index`, if it traded.
    public func bar(_ symbol: Symbol, at index: Int) throws -> DailyBar? {
        if let t = ticker(symbol) { return scenarioBar(t, at: index) }
        let session = calendar.sessions[index]
        return try demo.dailyBars(symbol, from: session, to: session).first
    }

    /// The whole bar of a session in progress (what its close will be), for snapshots.
    public func sessionBar(_ symbol: Symbol, at index: Int) -> DailyBar? {
        if let t = ticker(symbol) { return scenarioBar(t, at: index, inProgress: true) }
        return demo.sessionBar(symbol, at: index)
    }

    /// The last session at or before `index` on which `symbol` traded.
    public func lastBar(_ symbol: Symbol, atOrBefore index: Int) throws -> DailyBar? {
        var k = index
        while k >= max(0, index - 40) {
            if let bar = try bar(symbol, at: k) { return bar }
            k -= 1
        }
        return nil
    }

    /// Whether the market knows the ticker (exact case).
    public func knows(_ symbol: Symbol) -> Bool {
        ticker(symbol) != nil || DemoMarket.tickers.contains(symbol)
    }
}
