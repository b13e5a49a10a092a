import Foundation

/// How a backtest trades. Defaults follow backtesting.py so results can be cross-checked.
public struct BacktestConfiguration: Equatable, Sendable {
    public enum Fill: String, Sendable { case nextOpen = "next_open", close }

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
        case signal, reversal, stopLoss = "stop_loss", takeProfit = "take_profit", trailingStop = "trailing_stop",
             maxBars = "max_bars", endOfData = "end_of_data"
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
    public var bars: [FibBar]
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

/// Simulates a strategy's signals with look-ahead-safe fills (ARCHITECTURE §8).
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
    public static func run(_ strategy: CompiledStrategy, daily: BarSeries, interval: FibInterval? = nil,
                           configuration: BacktestConfiguration, latestClosed: Int32, range: ClosedRange<SessionDate>? = nil,
                           calendar: TradingCalendar = .nyse) -> BacktestResult {
        var signals = strategy.signals(daily: daily, interval: interval, latestClosed: latestClosed)
        var warmup = [strategy.setup, strategy.trigger, strategy.exit].compactMap { $0?.indicatorLookback }.max() ?? 0
        if let range {
            let lo = calendar.sessionIndex(onOrAfter: range.lowerBound), hi = calendar.sessionIndex(onOrBefore: range.upperBound)
            let keep = signals.bars.indices.filter { Int(signals.bars[$0].lastSession) >= lo && Int(signals.bars[$0].lastSession) <= hi }
            if let first = keep.first, let last = keep.last {
                signals = signals.slice(first...last)
                warmup = max(0, warmup - first)
            } else {
                signals = signals.slice(0..<0)
            }
        }
        return simulate(signals: signals, strategy: strategy.strategy, warmup: warmup, configuration: configuration,
                        calendar: calendar)
    }

    /// The simulation proper, on precomputed signals.
    public static func simulate(signals: StrategySignals, strategy: Strategy, warmup: Int,
                                configuration c: BacktestConfiguration, calendar: TradingCalendar = .nyse) -> BacktestResult {
        let bars = signals.bars
        let n = bars.count
        let open = signals.columns.open, high = signals.columns.high, low = signals.columns.low, close = signals.columns.close
        let entries = signals.entries, exits = signals.exits
        let direction = strategy.direction
        let entrySide: Double = strategy.trigger.action == .buy ? 1 : -1
        let atrPeriods = Set([strategy.exit.stopLoss, strategy.exit.takeProfit, strategy.exit.trailingStop].compactMap { d -> Int? in
            if case .atr(_, let p)? = d { return p }
            return nil
        })
        var atr: [Int: [Double]] = [:]
        for p in atrPeriods { atr[p] = Indicators.atr(high: high, low: low, close: close, period: p) }

        var cash = c.cash
        var equity = [Double](repeating: c.cash, count: n)
        var trades: [BacktestTrade] = []

        struct Position {
            var size: Double
            var entryBar: Int
            var entryPrice: Double
            var entryCommission: Double
            var stop: Double?
            var target: Double?
            /// Trailing stop: a fixed distance (ATR at entry) or a percentage of the running extreme.
            var trailDistance: Double?
            var trailPercent: Double?
            var extreme: Double
        }
        var position: Position?
        /// Orders placed at a bar's close for the next bar's open.
        var pendingExit: BacktestTrade.ExitReason?
        var pendingEntry: Double?  // side

        func commission(_ size: Double, _ price: Double) -> Double { c.commissionFixed + abs(size) * price * c.commission }
        func slipped(_ price: Double, side: Double) -> Double { price * (1 + side * c.slippageBps / 10_000) }
        let sessions = calendar.sessions
        func session(_ i: Int) -> SessionDate { sessions[Int(bars[i].lastSession)] }
        let maxBars = strategy.exit.maxBars
        let stopRule = strategy.exit.stopLoss, targetRule = strategy.exit.takeProfit, trailRule = strategy.exit.trailingStop

        func exitPosition(at i: Int, price raw: Double, reason: BacktestTrade.ExitReason) {
            guard let p = position else { return }
            let price = slipped(raw, side: p.size > 0 ? -1 : 1)
            let exitCommission = commission(p.size, price)
            let gross = p.size * (price - p.entryPrice)
            cash += gross - exitCommission
            let total = p.entryCommission + exitCommission
            let sign: Double = p.size > 0 ? 1 : -1
            trades.append(BacktestTrade(size: p.size, entryBar: p.entryBar, exitBar: i, entryPrice: p.entryPrice, exitPrice: price,
                                        entrySession: session(p.entryBar), exitSession: session(i), pnl: gross - total,
                                        returnFraction: sign * (price / p.entryPrice - 1) - total / (abs(p.size) * p.entryPrice),
                                        commissions: total, exitReason: reason))
            position = nil
        }

        func enter(at i: Int, price raw: Double, side: Double) {
            let price = slipped(raw, side: side)
            let perShare = price + (c.commissionFixed / max(c.size, 1e-12) + price * c.commission)
            let available = max(0, cash)
            var size = available * c.size / perShare
            size = c.fractionalShares ? size : size.rounded(.down)
            guard size > 0 else { return }
            size *= side
            let fee = commission(size, price)
            cash -= fee
            func distance(_ d: Strategy.Distance?) -> Double? {
                guard let d else { return nil }
                switch d {
                case .percent(let pct): return price * pct / 100
                case .atr(let m, let period):
                    let a = atr[period]?[max(0, i - 1)] ?? .nan
                    return a.isNaN ? nil : a * m
                case .anchored: return nil
                }
            }
            var stop: Double?
            if let d = stopRule {
                if case .anchored(let anchor, let offset) = d {
                    // The entry bar is the signal bar for next-open fills.
                    let ref = max(0, c.fill == .nextOpen ? i - 1 : i)
                    let base: Double = switch anchor {
                    case .entryLow: low[ref]
                    case .entryHigh: high[ref]
                    case .entryOpen: open[ref]
                    case .entryClose: close[ref]
                    }
                    stop = base * (1 - side * offset / 100)
                } else if let dist = distance(d) {
                    stop = price - side * dist
                }
            }
            let target = distance(targetRule).map { price + side * $0 }
            var trailPercent: Double?
            if case .percent(let pct)? = trailRule { trailPercent = pct / 100 }
            position = Position(size: size, entryBar: i, entryPrice: price, entryCommission: fee, stop: stop, target: target,
                                trailDistance: trailPercent == nil ? distance(trailRule) : nil,
                                trailPercent: trailPercent, extreme: price)
        }

        /// Stops and targets inside bar `i` (a gap through fills at the open; the stop wins ties).
        let hasBrackets = stopRule != nil || targetRule != nil || trailRule != nil
        func checkBrackets(_ i: Int) {
            guard hasBrackets, var p = position else { return }
            let long = p.size > 0
            var trail: Double?
            if let d = p.trailDistance { trail = long ? p.extreme - d : p.extreme + d }
            if let f = p.trailPercent { trail = long ? p.extreme * (1 - f) : p.extreme * (1 + f) }
            let stops: [(Double, BacktestTrade.ExitReason)] = [(p.stop, .stopLoss), (trail, .trailingStop)].compactMap { v, r in v.map { ($0, r) } }
            // The tightest stop is the one that triggers first.
            if let (level, reason) = (long ? stops.max { $0.0 < $1.0 } : stops.min { $0.0 < $1.0 }) {
                if long ? low[i] <= level : high[i] >= level {
                    let price = long ? min(open[i], level) : max(open[i], level)
                    exitPosition(at: i, price: price, reason: reason)
                    return
                }
            }
            if let t = p.target, long ? high[i] >= t : low[i] <= t {
                exitPosition(at: i, price: long ? max(open[i], t) : min(open[i], t), reason: .takeProfit)
                return
            }
            p.extreme = long ? max(p.extreme, high[i]) : min(p.extreme, low[i])
            position = p
        }

        for i in 0..<n {
            // 1. Orders from the previous close fill at this open.
            if c.fill == .nextOpen && i > 0 {
                if let reason = pendingExit { exitPosition(at: i, price: open[i], reason: reason) }
                if let side = pendingEntry, position == nil { enter(at: i, price: open[i], side: side) }
                pendingExit = nil
                pendingEntry = nil
            }
            // 2. Stops, targets and trailing stops inside the bar.
            checkBrackets(i)

            // 3. Signals at this close.
            var exitReason: BacktestTrade.ExitReason?
            var entrySideNow: Double?
            if let p = position {
                let long = p.size > 0
                let ruleExit = exits[i]
                let reversalEntry = entries[i] && (long ? entrySide < 0 : entrySide > 0)
                if direction == .both {
                    // Long/short: the trigger opens one side, the exit rule the other.
                    if entries[i] && (long ? entrySide < 0 : entrySide > 0) { exitReason = .reversal; entrySideNow = entrySide }
                    else if ruleExit && (long ? entrySide > 0 : entrySide < 0) { exitReason = .reversal; entrySideNow = -entrySide }
                } else if ruleExit || reversalEntry {
                    exitReason = .signal
                }
                if exitReason == nil, let maxBars, i - p.entryBar + (c.fill == .nextOpen ? 1 : 0) >= maxBars {
                    exitReason = .maxBars
                }
            } else if entries[i] {
                let side = entrySide
                if direction == .both || (direction == .long && side > 0) || (direction == .short && side < 0) { entrySideNow = side }
            } else if direction == .both && exits[i] {
                entrySideNow = -entrySide
            }
            if c.fill == .close {
                if let r = exitReason { exitPosition(at: i, price: close[i], reason: r) }
                if let side = entrySideNow, position == nil, i < n - 1 || c.closeAtEnd == false { enter(at: i, price: close[i], side: side) }
            } else {
                pendingExit = exitReason
                pendingEntry = entrySideNow
            }
            // 4. Account value at this close.
            if let p = position { equity[i] = cash + p.size * (close[i] - p.entryPrice) } else { equity[i] = cash }
        }

        var openTrade: BacktestTrade?
        if position != nil, n > 0 {
            if c.closeAtEnd {
                exitPosition(at: n - 1, price: close[n - 1], reason: .endOfData)
                equity[n - 1] = cash
            } else if let p = position {
                let sign: Double = p.size > 0 ? 1 : -1
                openTrade = BacktestTrade(size: p.size, entryBar: p.entryBar, exitBar: n - 1, entryPrice: p.entryPrice,
                                          exitPrice: close[n - 1], entrySession: session(p.entryBar), exitSession: session(n - 1),
                                          pnl: p.size * (close[n - 1] - p.entryPrice) - p.entryCommission,
                                          returnFraction: sign * (close[n - 1] / p.entryPrice - 1) - p.entryCommission / (abs(p.size) * p.entryPrice),
                                          commissions: p.entryCommission, exitReason: .endOfData)
            }
        }

        var peak = -Double.infinity
        let drawdown = equity.map { e -> Double in
            peak = max(peak, e)
            return 1 - e / peak
        }
        let base = n > 0 ? close[min(warmup, n - 1)] : 1
        let buyAndHold = (0..<n).map { i in i < warmup ? c.cash : c.cash * close[i] / base }
        let stats = BacktestStatistics.compute(trades: trades, equity: equity, drawdown: drawdown, bars: bars, close: close,
                                               warmup: warmup, interval: signals.interval, calendar: calendar)
        return BacktestResult(interval: signals.interval, bars: bars, trades: trades, equity: equity, drawdown: drawdown,
                              buyAndHold: buyAndHold, stats: stats, openTrade: openTrade)
    }
}
