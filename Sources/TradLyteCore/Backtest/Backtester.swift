import Foundation

/// How a backtest trades. Defaults follow backtesting.py so results can be cross-checked.
public struct BacktestConfiguration: Equatable, Sendable {
    public enum Fill: String, Sendable {
        case nextOpen = "next_open"
        case close
    }

    public var cash = 10_000.0
    /// Commission as a fraction of traded value, per fill (0.002 = 0.2%).
    public var commission = 0.0
    /// Fixed commission per fill, in cash.
    public var commissionFixed = 0.0
    /// Slippage in basis points, against the trader on every fill.
    public var slippageBps = 0.0
    public var fill = Fill.nextOpen
    /// Fraction of available equity committed per entry (backtesting.py's default: all of it).
    public var size = 1 - Double.ulpOfOne
    public var fractionalShares = false
    /// Close a trade still open after the last bar at that bar's close (and count it).
    public var closeAtEnd = false

    public init() {}

    /// Defaults overridden by a strategy's own `backtest` settings.
    public init(_ s: Strategy.BacktestSettings?) {
        self.init()
        guard let s else { return }
        if let v = s.cash { cash = v }
        if let v = s.commission { commission = v }
        if let v = s.commissionFixed { commissionFixed = v }
        if let v = s.slippageBps { slippageBps = v }
        if let v = s.fill { fill = v == .close ? .close : .nextOpen }
        if let v = s.size { size = v }
        if let v = s.fractionalShares { fractionalShares = v }
        if let v = s.closeAtEnd { closeAtEnd = v }
    }
}

/// One round trip.
public struct BacktestTrade: Equatable, Sendable, Codable {
    public enum ExitReason: String, Sendable, Codable {
        case signal, reversal
        case stopLoss = "stop_loss"
        case takeProfit = "take_profit"
        case trailingStop = "trailing_stop"
        case
            maxBars = "max_bars"
        case endOfData = "end_of_data"
        /// A portfolio's position in a symbol that stopped trading, closed at its last close.
        case delisted
        /// Shares a portfolio sold to bring a position back to its target weight.
        case rebalance
    }

    /// Signed: positive long, negative short.
    public var size: Double
    public var entryBar: Int
    public var exitBar: Int
    public var entryPrice: Double
    public var exitPrice: Double
    public var entrySession: SessionDate
    public var exitSession: SessionDate
    /// Profit after both fills' commissions.
    public var pnl: Double
    /// Return relative to the entry price, net of commissions (backtesting.py's ReturnPct).
    public var returnFraction: Double
    public var commissions: Double
    public var exitReason: ExitReason

    public var barsHeld: Int { exitBar - entryBar }
    public var isLong: Bool { size > 0 }
}

/// A backtest's trades, curves and statistics.
public struct BacktestResult: Sendable {
    public var interval: FibInterval
    let source: BarSource
    /// The last session index of each bar.
    public var lastSessions: [Int32]
    public var barCount: Int { lastSessions.count }
    /// The bars traded (daily bars are built on access: hoist it).
    public var bars: [FibBar] { source.bars }
    public var trades: [BacktestTrade]
    /// Account value at each bar's close.
    public var equity: [Double]
    /// Fractional drawdown from the running peak at each bar (0 … 1).
    public var drawdown: [Double]
    /// Value of the starting cash held in the instrument from the warm-up bar on.
    public var buyAndHold: [Double]
    public var stats: BacktestStatistics
    /// The trade still open after the last bar, if any (not in the statistics unless closed).
    public var openTrade: BacktestTrade?
}

/// Simulates a strategy's signals with look-ahead-safe fills.
///
/// Signals come from bar closes; orders fill at the next bar's open (or at the signal bar's
/// close with `fill: close`). Stops, targets and trailing stops are checked inside each bar
/// against its high and low: a gap through a stop fills at the open, and when a stop and a
/// target are both inside one bar the stop wins. Sizing commits a fraction of equity in whole
/// shares unless fractional shares are allowed; commission (percent and/or fixed) applies to
/// every fill and slippage moves fills against the trader.
public enum Backtester {
    /// - Parameter range: bars (of the strategy's interval) ending in this date range are
    ///   traded and measured; earlier bars only warm the indicators up.
    public static func run(
        _ strategy: CompiledStrategy, daily: BarSeries, interval: FibInterval? = nil,
        configuration: BacktestConfiguration, latestClosed: Int32, range: ClosedRange<SessionDate>? = nil,
        calendar: TradingCalendar = .nyse
    ) -> BacktestResult {
        var signals = strategy.signals(daily: daily, interval: interval, latestClosed: latestClosed)
        var warmup = [strategy.setup, strategy.trigger, strategy.exit].compactMap { $0?.indicatorLookback }.max() ?? 0
        if let range {
            let lo = calendar.sessionIndex(onOrAfter: range.lowerBound)
            let hi = calendar.sessionIndex(onOrBefore: range.upperBound)
            let sessions = signals.lastSessions
            let keep = sessions.indices.filter { Int(sessions[$0]) >= lo && Int(sessions[$0]) <= hi }
            if let first = keep.first, let last = keep.last {
                signals = signals.slice(first...last)
                warmup = max(0, warmup - first)
            } else {
                signals = signals.slice(0..<0)
            }
        }
        return simulate(
            signals: signals, strategy: strategy.strategy, warmup: warmup, configuration: configuration,
            calendar: calendar)
    }

    /// The simulation proper, on precomputed signals.
    public static func simulate(
        signals: StrategySignals, strategy: Strategy, warmup: Int,
        configuration c: BacktestConfiguration, calendar: TradingCalendar = .nyse
    ) -> BacktestResult {
        let lastSessions = signals.lastSessions
        let n = min(lastSessions.count, signals.trigger.count, signals.setup.count, signals.exitRule.count)
        let cols = signals.columns
        var account = Account(
            configuration: c, strategy: strategy, columns: cols, sessions: calendar.sessions, lastSessions: lastSessions
        )
        let direction = strategy.direction
        let entrySide = account.entrySide
        let nextOpen = c.fill == .nextOpen

        // Equity is written in the trading pass; drawdown and buy-and-hold, which depend on
        // no trading state, in vectorised passes after it.
        var equity = [Double](repeating: 0, count: n)
        if n > 0 {
            cols.open.withUnsafeBufferPointer { open in
                cols.close.withUnsafeBufferPointer { close in
                    signals.trigger.withUnsafeBufferPointer { trigger in
                        signals.setup.withUnsafeBufferPointer { setup in
                            signals.exitRule.withUnsafeBufferPointer { exitRule in
                                equity.withUnsafeMutableBufferPointer { eq in
                                    /// Orders placed at a bar's close for the next bar's open (side 0: none).
                                    var pendingExit: BacktestTrade.ExitReason?
                                    var pendingEntry = 0.0
                                    // Without stops, targets or a time exit, nothing can happen on a bar with no
                                    // pending order and no signal: such stretches only mark the account to market,
                                    // in a tight loop with the position held in registers.
                                    let quietable = !account.hasBrackets && account.maxBars == nil
                                    var i = 0
                                    while i < n {
                                        if quietable && pendingExit == nil && pendingEntry == 0 {
                                            let end = Self.nextSignal(
                                                from: i, before: n - 1, exit: exitRule, trigger: trigger, setup: setup)
                                            if account.inPosition {
                                                let cash = account.cash
                                                let size = account.size
                                                let entry = account.entryPrice
                                                for j in i..<end { eq[j] = cash + size * (close[j] - entry) }
                                            } else {
                                                for j in i..<end { eq[j] = account.cash }
                                            }
                                            i = end
                                        }
                                        defer { i += 1 }
                                        // 1. Orders from the previous close fill at this open.
                                        if nextOpen && i > 0 {
                                            if let reason = pendingExit {
                                                account.exit(at: i, price: open[i], reason: reason)
                                            }
                                            if pendingEntry != 0 && !account.inPosition {
                                                account.enter(at: i, price: open[i], side: pendingEntry)
                                            }
                                            pendingExit = nil
                                            pendingEntry = 0
                                        }
                                        // 2. Stops, targets and trailing stops inside the bar.
                                        if account.hasBrackets && account.inPosition { account.checkBrackets(i) }

                                        // 3. Signals at this close.
                                        let entry = trigger[i] == Truth.yes && setup[i] == Truth.yes
                                        let ruleExit = exitRule[i] == Truth.yes
                                        var exitReason: BacktestTrade.ExitReason?
                                        var entrySideNow = 0.0
                                        if account.inPosition {
                                            if entry || ruleExit || account.maxBars != nil {
                                                let long = account.size > 0
                                                let reversalEntry = entry && (long ? entrySide < 0 : entrySide > 0)
                                                if direction == .both {
                                                    // Long/short: the trigger opens one side, the exit rule the other.
                                                    if reversalEntry {
                                                        exitReason = .reversal
                                                        entrySideNow = entrySide
                                                    } else if ruleExit && (long ? entrySide > 0 : entrySide < 0) {
                                                        exitReason = .reversal
                                                        entrySideNow = -entrySide
                                                    }
                                                } else if ruleExit || reversalEntry {
                                                    exitReason = .signal
                                                }
                                                if exitReason == nil, let maxBars = account.maxBars,
                                                    i - account.entryBar + (nextOpen ? 1 : 0) >= maxBars
                                                {
                                                    exitReason = .maxBars
                                                }
                                            }
                                        } else if entry {
                                            if direction == .both || (direction == .long && entrySide > 0)
                                                || (direction == .short && entrySide < 0)
                                            {
                                                entrySideNow = entrySide
                                            }
                                        } else if direction == .both && ruleExit {
                                            entrySideNow = -entrySide
                                        }
                                        if nextOpen {
                                            pendingExit = exitReason
                                            pendingEntry = entrySideNow
                                        } else {
                                            if let r = exitReason { account.exit(at: i, price: close[i], reason: r) }
                                            if entrySideNow != 0, !account.inPosition,
                                                i < n - 1 || c.closeAtEnd == false
                                            {
                                                account.enter(at: i, price: close[i], side: entrySideNow)
                                            }
                                        }
                                        // 4. Account value at this close.
                                        if i == n - 1 && account.inPosition && c.closeAtEnd {
                                            account.exit(at: n - 1, price: close[n - 1], reason: .endOfData)
                                        }
                                        eq[i] =
                                            account.inPosition
                                            ? account.cash + account.size * (close[i] - account.entryPrice)
                                            : account.cash
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let drawdown = Self.drawdowns(equity)
        // Buy-and-hold: the starting cash, invested at the warm-up bar's close.
        let buyAndHold = [Double](unsafeUninitializedCapacity: n) { out, count in
            if n > 0 {
                let from = min(warmup, n)
                let holdScale = c.cash / cols.close[min(warmup, n - 1)]
                out.baseAddress!.initialize(repeating: c.cash, count: from)
                cols.close.withUnsafeBufferPointer { close in
                    for i in from..<n { out[i] = close[i] * holdScale }
                }
            }
            count = n
        }

        var openTrade: BacktestTrade?
        if account.inPosition, n > 0 {
            let close = cols.close[n - 1]
            let p = account
            let sign: Double = p.size > 0 ? 1 : -1
            openTrade = BacktestTrade(
                size: p.size, entryBar: p.entryBar, exitBar: n - 1, entryPrice: p.entryPrice,
                exitPrice: close, entrySession: p.session(p.entryBar), exitSession: p.session(n - 1),
                pnl: p.size * (close - p.entryPrice) - p.entryCommission,
                returnFraction: sign * (close / p.entryPrice - 1) - p.entryCommission / (abs(p.size) * p.entryPrice),
                commissions: p.entryCommission, exitReason: .endOfData)
        }
        let stats = BacktestStatistics.compute(
            trades: account.trades, equity: equity, drawdown: drawdown, lastSessions: lastSessions,
            close: cols.close, warmup: warmup, interval: signals.interval, calendar: calendar)
        return BacktestResult(
            interval: signals.interval, source: signals.source, lastSessions: lastSessions, trades: account.trades,
            equity: equity, drawdown: drawdown, buyAndHold: buyAndHold, stats: stats, openTrade: openTrade)
    }

    /// The first bar in `start..<limit` with a rule exit or an entry (trigger and setup both
    /// yes), or `limit`. Signals are sparse, so eight bars are tested per step: a `Truth`
    /// byte is yes (0x01) when its low bit is set and its sign bit is not (unknown is 0xFF),
    /// which whole 64-bit words test at once.
    static func nextSignal(
        from start: Int, before limit: Int, exit: UnsafeBufferPointer<Int8>, trigger: UnsafeBufferPointer<Int8>,
        setup: UnsafeBufferPointer<Int8>
    ) -> Int {
        @inline(__always) func yes(_ w: UInt64) -> UInt64 { w & ~(w >> 7) & 0x0101_0101_0101_0101 }
        @inline(__always) func word(_ b: UnsafeBufferPointer<Int8>, _ i: Int) -> UInt64 {
            UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
        }
        var i = start
        while i + 8 <= limit, yes(word(exit, i)) | (yes(word(trigger, i)) & yes(word(setup, i))) == 0 { i += 8 }
        while i < limit && exit[i] != Truth.yes && !(trigger[i] == Truth.yes && setup[i] == Truth.yes) { i += 1 }
        return min(max(i, start), limit)
    }

    /// Fractional drawdown from the running peak at each bar (1 − equity / peak; a NaN never
    /// raises the peak), by the C kernel `tl_drawdowns`: four bars per step with their prefix
    /// maximum in vector lanes, so the peak's dependency chain is one step per four bars.
    static func drawdowns(_ equity: [Double]) -> [Double] {
        [Double](unsafeUninitializedCapacity: equity.count) { out, count in
            equity.withUnsafeBufferPointer { Kernels.drawdowns($0, into: out.baseAddress) }
            count = equity.count
        }
    }

    /// The cash, the open position (at most one) and the closed trades of a simulation.
    /// Prices absent from a position (no stop, no target) are NaN rather than optionals, so
    /// the per-bar loop stays branch-light.
    struct Account {
        let c: BacktestConfiguration
        let open: [Double], high: [Double], low: [Double], close: [Double]
        let sessions: [SessionDate]
        let lastSessions: [Int32]
        let entrySide: Double
        let maxBars: Int?
        let stopRule: Strategy.Distance?, targetRule: Strategy.Distance?, trailRule: Strategy.Distance?
        let hasBrackets: Bool
        /// ATR by period, for ATR-based distances (computed once).
        let atr: [Int: [Double]]

        var cash: Double
        var trades: [BacktestTrade] = []
        var inPosition = false
        /// Signed: positive long, negative short.
        var size = 0.0
        var entryBar = 0
        var entryPrice = 0.0
        var entryCommission = 0.0
        var stop = Double.nan, target = Double.nan
        /// Trailing stop: a fixed distance (ATR at entry) or a fraction of the running extreme.
        var trailDistance = Double.nan, trailFraction = Double.nan
        var extreme = 0.0

        init(
            configuration: BacktestConfiguration, strategy: Strategy, columns: IndicatorInputs, sessions: [SessionDate],
            lastSessions: [Int32]
        ) {
            c = configuration
            open = columns.open
            high = columns.high
            low = columns.low
            close = columns.close
            self.sessions = sessions
            self.lastSessions = lastSessions
            entrySide = strategy.trigger.action == .buy ? 1 : -1
            maxBars = strategy.exit.maxBars
            stopRule = strategy.exit.stopLoss
            targetRule = strategy.exit.takeProfit
            trailRule = strategy.exit.trailingStop
            hasBrackets = stopRule != nil || targetRule != nil || trailRule != nil
            var atr: [Int: [Double]] = [:]
            for d in [stopRule, targetRule, trailRule] {
                if case .atr(_, let p)? = d, atr[p] == nil {
                    atr[p] = Indicators.atr(high: high, low: low, close: close, period: p)
                }
            }
            self.atr = atr
            cash = configuration.cash
        }

        func session(_ i: Int) -> SessionDate { sessions[Int(lastSessions[i])] }
        func commission(_ size: Double, _ price: Double) -> Double {
            c.commissionFixed + abs(size) * price * c.commission
        }
        func slipped(_ price: Double, side: Double) -> Double { price * (1 + side * c.slippageBps / 10_000) }

        mutating func exit(at i: Int, price raw: Double, reason: BacktestTrade.ExitReason) {
            guard inPosition else { return }
            let price = slipped(raw, side: size > 0 ? -1 : 1)
            let exitCommission = commission(size, price)
            let gross = size * (price - entryPrice)
            cash += gross - exitCommission
            let total = entryCommission + exitCommission
            let sign: Double = size > 0 ? 1 : -1
            trades.append(
                BacktestTrade(
                    size: size, entryBar: entryBar, exitBar: i, entryPrice: entryPrice, exitPrice: price,
                    entrySession: session(entryBar), exitSession: session(i), pnl: gross - total,
                    returnFraction: sign * (price / entryPrice - 1) - total / (abs(size) * entryPrice),
                    commissions: total, exitReason: reason))
            inPosition = false
        }

        /// A stop, target or trail distance at entry bar `i`; NaN when none applies.
        func distance(_ d: Strategy.Distance?, price: Double, at i: Int) -> Double {
            switch d {
            case .percent(let pct)?: return price * pct / 100
            case .atr(let m, let period)?: return (atr[period]?[max(0, i - 1)] ?? .nan) * m
            default: return .nan
            }
        }

        mutating func enter(at i: Int, price raw: Double, side: Double) {
            let price = slipped(raw, side: side)
            let perShare = price + (c.commissionFixed / max(c.size, 1e-12) + price * c.commission)
            var shares = max(0, cash) * c.size / perShare
            shares = c.fractionalShares ? shares : shares.rounded(.down)
            guard shares > 0 else { return }
            size = shares * side
            entryCommission = commission(size, price)
            cash -= entryCommission
            entryBar = i
            entryPrice = price
            extreme = price
            inPosition = true
            guard hasBrackets else { return }
            stop = .nan
            if case .anchored(let anchor, let offset)? = stopRule {
                // The entry bar is the signal bar for next-open fills.
                let ref = max(0, c.fill == .nextOpen ? i - 1 : i)
                let base: Double =
                    switch anchor {
                    case .entryLow: low[ref]
                    case .entryHigh: high[ref]
                    case .entryOpen: open[ref]
                    case .entryClose: close[ref]
                    }
                stop = base * (1 - side * offset / 100)
            } else {
                stop = price - side * distance(stopRule, price: price, at: i)
            }
            target = price + side * distance(targetRule, price: price, at: i)
            if case .percent(let pct)? = trailRule {
                trailFraction = pct / 100
                trailDistance = .nan
            } else {
                trailFraction = .nan
                trailDistance = distance(trailRule, price: price, at: i)
            }
        }

        /// Stops and targets inside bar `i` (a gap through fills at the open; the stop wins ties).
        mutating func checkBrackets(_ i: Int) {
            let long = size > 0
            var trail = Double.nan
            if !trailDistance.isNaN { trail = long ? extreme - trailDistance : extreme + trailDistance }
            if !trailFraction.isNaN { trail = long ? extreme * (1 - trailFraction) : extreme * (1 + trailFraction) }
            // The tightest stop is the one that triggers first; the fixed stop wins a tie.
            var level = stop
            var reason = BacktestTrade.ExitReason.stopLoss
            if !trail.isNaN && (level.isNaN || (long ? trail > level : trail < level)) {
                level = trail
                reason = .trailingStop
            }
            if !level.isNaN && (long ? low[i] <= level : high[i] >= level) {
                exit(at: i, price: long ? min(open[i], level) : max(open[i], level), reason: reason)
                return
            }
            if !target.isNaN && (long ? high[i] >= target : low[i] <= target) {
                exit(at: i, price: long ? max(open[i], target) : min(open[i], target), reason: .takeProfit)
                return
            }
            extreme = long ? max(extreme, high[i]) : min(extreme, low[i])
        }
    }
}
