/// One strategy's signal on one symbol for a scan session.
public struct ScanPick: Equatable, Sendable, Codable {
    public var strategy: String
    public var symbol: Symbol
    public var session: SessionDate
    /// Share of the confirming intervals whose setup also holds (0…1).
    public var confidence: Double
    public var price: Double
    public var marketCap: Double?
    public var sector: String?
    /// 1-based rank within the strategy (picks only).
    public var rank: Int

    public init(
        strategy: String, symbol: Symbol, session: SessionDate, confidence: Double, price: Double, marketCap: Double?,
        sector: String?, rank: Int = 0
    ) {
        self.strategy = strategy
        self.symbol = symbol
        self.session = session
        self.confidence = confidence
        self.price = price
        self.marketCap = marketCap
        self.sector = sector
        self.rank = rank
    }
}

/// The universe scanner: which symbols each strategy signals on the scan session.
public enum UniverseScanner {
    public struct Result: Sendable {
        public var session: SessionDate
        /// Every signal that fired, by strategy.
        public var signals: [String: [ScanPick]]
        /// The top picks per strategy, ranked by confidence, then market cap, then symbol.
        public var picks: [String: [ScanPick]]
        public var symbolsScanned: Int
    }

    /// Scans `universe` (each symbol's daily history) for the session at index `session`.
    ///
    /// A signal fires when a strategy's trigger is true on the scan session's bar and its
    /// setup holds. Confidence is the share of `confirmIntervals` (default 1d, 3d, 5d) on
    /// which the setup also holds as of that session (1 when the strategy has no setup).
    public static func scan(
        _ strategies: [Strategy], universe: [(Symbol, BarSeries)], session: Int32,
        metadata: [Symbol: SymbolInfo] = [:],
        confirmIntervals: [FibInterval] = [.daily] + FibInterval.standard.prefix(2),
        topK: Int = 20, calendar: TradingCalendar = .nyse,
        executor: BacktestRunner.Executor = BacktestRunner.sequential
    ) throws(StrategyError) -> Result {
        let compiled = try strategies.map { s throws(StrategyError) in try CompiledStrategy(s) }
        let slots = Slots<[ScanPick]>(count: universe.count)
        let day = calendar.sessions[Int(session)]
        executor(universe.count) { k in
            let (symbol, full) = universe[k]
            // The history up to the scan session only: nothing after it may leak in.
            let end = full.lowerBound(session &+ 1)
            guard end > 0, full.sessionIndex[end - 1] == session else {
                slots[k] = []
                return
            }
            var daily = BarSeries(capacity: end)
            for i in 0..<end { daily.appendUnchecked(from: full, at: i) }
            var found: [ScanPick] = []
            for c in compiled {
                let signals = c.signals(daily: daily, latestClosed: session)
                guard signals.entries.last == true, let last = signals.lastSessions.last, last == session else {
                    continue
                }
                var confidence = 1.0
                if let setup = c.setup {
                    var holds = 0
                    for interval in confirmIntervals {
                        let bars = FibResampler.resample(daily, interval: interval, latestClosed: session)
                        let values = setup.condition(on: IndicatorInputs(bars))
                        // As of the scan session: the daily value itself, or the last completed higher bar.
                        let v: Int8 =
                            interval == .daily
                            ? values.last ?? Truth.unknown
                            : CompiledStrategy.align(values, from: bars, interval: interval, toLastSessions: [last])
                                .first ?? Truth.unknown
                        if v == Truth.yes { holds += 1 }
                    }
                    confidence = Double(holds) / Double(max(1, confirmIntervals.count))
                }
                let info = metadata[symbol]
                found.append(
                    ScanPick(
                        strategy: c.strategy.name, symbol: symbol, session: day, confidence: confidence,
                        price: signals.columns.close.last ?? .nan,
                        marketCap: info?.marketCap, sector: info?.industry))
            }
            slots[k] = found
        }
        var signals: [String: [ScanPick]] = [:]
        for pick in slots.values.flatMap({ $0 }) { signals[pick.strategy, default: []].append(pick) }
        var picks: [String: [ScanPick]] = [:]
        for (name, list) in signals {
            let ranked = list.sorted { a, b in
                if a.confidence != b.confidence { return a.confidence > b.confidence }
                if (a.marketCap ?? -1) != (b.marketCap ?? -1) { return (a.marketCap ?? -1) > (b.marketCap ?? -1) }
                return a.symbol < b.symbol
            }
            signals[name] = ranked
            picks[name] = ranked.prefix(topK).enumerated().map { i, p in
                var q = p
                q.rank = i + 1
                return q
            }
        }
        return Result(session: day, signals: signals, picks: picks, symbolsScanned: universe.count)
    }
}
