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

    /// The intervals on which a setup is confirmed by default (1d, 3d, 5d).
    public static let defaultConfirmIntervals: [FibInterval] = [.daily] + FibInterval.standard.prefix(2)

    /// Daily sessions of history on which a scan decides whether a strategy signals: its
    /// warm-up in sessions, one more bar of its interval (the oldest may be partial) and at least
    /// `minimum`, so recursive indicators (EMA, RSI) have settled. The same for every path that
    /// scans (the refresh, `tradlyte scan`, the UI).
    public static func signalSessions(_ strategies: [CompiledStrategy], minimum: Int = 300) -> Int {
        var sessions = minimum
        for c in strategies {
            sessions = max(sessions, (c.lookback + 1) * c.strategy.interval.sessions + 1)
        }
        return sessions
    }

    /// Daily sessions of history on which a signal's confidence is measured: its setup's warm-up
    /// on the widest confirming interval (`sma(200)` on 5-session bars needs 1,000 sessions) and
    /// one more bucket, and never less than `signalSessions`.
    public static func confirmationSessions(
        _ strategies: [CompiledStrategy], confirmIntervals: [FibInterval] = defaultConfirmIntervals,
        minimum: Int = 300
    ) -> Int {
        let widest = confirmIntervals.map(\.sessions).max() ?? 1
        var sessions = signalSessions(strategies, minimum: minimum)
        for c in strategies {
            if let setup = c.setup {
                sessions = max(sessions, (setup.lookback + 2) * widest + 1)
            }
        }
        return sessions
    }

    /// The longer histories of the symbols that signalled, for their confidence: each symbol's
    /// last `confirmationSessions` daily bars through the scan session.
    public typealias ConfirmationHistory = ([Symbol]) throws -> [(Symbol, BarSeries)]

    /// Scans `universe` (each symbol's daily history) for the session at index `session`.
    ///
    /// A signal fires when a strategy's trigger is true on the scan session's bar and its
    /// setup holds. Confidence is the share of `confirmIntervals` (default 1d, 3d, 5d) on
    /// which the setup also holds as of that session (1 when the strategy has no setup). With
    /// `confirmationHistory` the signals are decided on `universe` and the confidences measured
    /// on the longer histories it returns for the symbols that signalled (a daily scan reads
    /// 1,000 sessions only for the few symbols that need them).
    public static func scan(
        _ strategies: [Strategy], universe: [(Symbol, BarSeries)], session: Int32,
        metadata: [Symbol: SymbolInfo] = [:],
        confirmIntervals: [FibInterval] = defaultConfirmIntervals,
        topK: Int = 20, calendar: TradingCalendar = .nyse,
        executor: BacktestRunner.Executor = BacktestRunner.sequential,
        confirmationHistory: ConfirmationHistory? = nil
    ) throws -> Result {
        let compiled = try strategies.map { s throws(StrategyError) in try CompiledStrategy(s) }
        let slots = Locked([[ScanPick]?](repeating: nil, count: universe.count))
        let day = calendar.sessions[Int(session)]
        let measureHere = confirmationHistory == nil
        executor(universe.count) { k in
            let (symbol, full) = universe[k]
            guard let daily = history(full, through: session) else {
                slots.withLock { $0[k] = [] }
                return
            }
            var found: [ScanPick] = []
            for c in compiled {
                let signals = c.signals(daily: daily, latestClosed: session)
                guard signals.entries.last == true, let last = signals.lastSessions.last, last == session else {
                    continue
                }
                let info = metadata[symbol]
                found.append(
                    ScanPick(
                        strategy: c.strategy.name, symbol: symbol, session: day,
                        confidence: measureHere ? confidence(c, daily: daily, session: session, confirmIntervals) : 1,
                        price: signals.columns.close.last ?? .nan,
                        marketCap: info?.marketCap, sector: info?.industry))
            }
            slots.withLock { $0[k] = found }
        }
        var all = slots.withLock { $0.compactMap { $0 } }.flatMap { $0 }
        if let confirmationHistory {
            let withSetup = Dictionary(
                compiled.filter { $0.setup != nil }.map { ($0.strategy.name, $0) }, uniquingKeysWith: { a, _ in a })
            let wanted = Array(Set(all.filter { withSetup[$0.strategy] != nil }.map(\.symbol))).sorted()
            var longer: [Symbol: BarSeries] = [:]
            for (symbol, series) in try wanted.isEmpty ? [] : confirmationHistory(wanted) {
                longer[symbol] = history(series, through: session)
            }
            for i in all.indices {
                guard let c = withSetup[all[i].strategy] else { continue }
                // A symbol whose longer history is missing keeps no confirmation (0), never a guess.
                all[i].confidence =
                    longer[all[i].symbol].map { confidence(c, daily: $0, session: session, confirmIntervals) } ?? 0
            }
        }
        var signals: [String: [ScanPick]] = [:]
        for pick in all {
            signals[pick.strategy, default: []].append(pick)
        }
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

    /// The history up to the scan session only (nothing after it may leak in), or `nil` when
    /// the symbol has no bar on that session.
    static func history(_ full: BarSeries, through session: Int32) -> BarSeries? {
        let end = full.lowerBound(session &+ 1)
        guard end > 0, full.sessionIndex[end - 1] == session else { return nil }
        var daily = BarSeries(capacity: end)
        for i in 0..<end { daily.appendUnchecked(from: full, at: i) }
        return daily
    }

    /// The share of `confirmIntervals` on which `c`'s setup holds as of `session` — or, for a
    /// strategy without a setup (which scored 100% by construction), on which its trigger fires:
    /// on daily bars the session's own value, on longer bars the last completed one.
    static func confidence(
        _ c: CompiledStrategy, daily: BarSeries, session: Int32, _ confirmIntervals: [FibInterval]
    ) -> Double {
        let rule = c.setup ?? c.trigger
        var holds = 0
        for interval in confirmIntervals {
            let bars = FibResampler.resample(daily, interval: interval, latestClosed: session)
            let values = rule.condition(on: IndicatorInputs(bars))
            let v: Int8 =
                interval == .daily
                ? values.last ?? Truth.unknown
                : CompiledStrategy.align(values, from: bars, interval: interval, toLastSessions: [session])
                    .first ?? Truth.unknown
            if v == Truth.yes { holds += 1 }
        }
        return Double(holds) / Double(max(1, confirmIntervals.count))
    }
}
