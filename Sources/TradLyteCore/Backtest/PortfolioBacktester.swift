import Foundation

/// One strategy over a universe with one account: shared cash, a limit on positions held at
/// once, ranked entries and a sizing rule.
///
/// Semantics, bar by bar on the strategy's interval (bars of every symbol share calendar
/// buckets, so "bar t" is the same span for all of them):
/// - Membership uses only data up to the bar: a symbol can fire once its indicators are warm
///   (its signals are unknown before), and it leaves after its last bar when it is delisted —
///   a position still open is closed at that bar's close, recorded with the reason `delisted`
///   (nothing is bought on that last bar).
/// - Orders placed at a close fill at the symbol's next open, exits before entries, so entries
///   can use the cash exits release. Stops, targets, trailing stops, max bars, commission and
///   slippage follow the single-symbol backtester (each position keeps its own bracket state).
/// - At each close, exits are decided for the symbols held; entries for the others that fire.
///   When more fire than slots are free (`maxPositions` minus positions held and not leaving),
///   the rank decides: by default the scanner's confidence (the share of 1d, 3d and 5d bars
///   whose setup holds, as completed by that close), then `roc(20)`; or a rank expression's
///   value at that close; highest first, ties by symbol.
/// - Sizing at the fill: `equal` commits equity ÷ `maxPositions`, `fixedFraction(f)` commits
///   f × equity, `risk(f, k)` sizes so that the stop distance (the strategy's stop, else k × ATR
///   14) loses f × equity. Equity is valued at the fill: the cash after the fills before it, and
///   every position at this bar's open (its last close when it has no bar here). Whole shares
///   unless fractional; never more than the cash held.
/// - Results: equity, cash, exposure and positions per bar, every trade with its symbol, the
///   statistics under backtesting.py's names on the portfolio equity (Buy & Hold, Alpha and
///   Beta against the benchmark), turnover, average and maximum positions, each symbol's
///   contribution, and the benchmark: equal-weight buy & hold of the universe, never rebalanced
///   (each symbol's share bought at its first close, held as cash after a delisting).
public enum PortfolioBacktester {
    public enum Sizing: Sendable, Equatable {
        case equal
        case fixedFraction(Double)
        case risk(fraction: Double, atrMultiple: Double)
    }

    public struct Configuration: Sendable {
        public var maxPositions = 10
        public var sizing = Sizing.equal
        public var cash = 10_000.0
        public var commission = 0.0
        public var commissionFixed = 0.0
        public var slippageBps = 0.0
        public var fractionalShares = false
        /// Candidates must close at or above this price, and trade at least this much a day
        /// (close × volume, averaged over the 20 bars up to the signal) — judged at the signal bar.
        public var minPrice: Double?
        public var minDollarVolume: Double?
        /// Bars ending in this range are traded and reported; earlier bars only warm up.
        public var range: ClosedRange<SessionDate>?
        /// Every this many bars (counted from the first traded one), at the open after that bar's
        /// fills, each position held is brought back to its target weight (the sizing's: equity ÷
        /// max positions, or the fixed fraction; risk sizing is not rebalanced) by selling or
        /// buying whole shares. A sale is recorded as a trade with the reason `rebalance`.
        public var rebalanceEvery: Int?
        public init() {}
    }

    /// A symbol of the universe and its daily history.
    public struct Member: Sendable {
        public var symbol: Symbol
        public var daily: BarSeries
        /// Its last bar is its last: an open position closes there.
        public var delisted: Bool
        public init(symbol: Symbol, daily: BarSeries, delisted: Bool = false) {
            self.symbol = symbol
            self.daily = daily
            self.delisted = delisted
        }
    }

    public struct Trade: Sendable {
        public var symbol: Symbol
        /// Bars are indexes into the portfolio's timeline.
        public var trade: BacktestTrade
    }

    public struct Result: Sendable {
        public var interval: FibInterval
        /// The last session of each bar of the timeline.
        public var lastSessions: [Int32]
        public var equity: [Double]
        /// The fall from the running peak, as a fraction (0 at a peak).
        public var drawdown: [Double]
        public var cash: [Double]
        /// Market value held over equity.
        public var exposure: [Double]
        public var positions: [Int]
        /// Closed trades in the order they closed; then those still open at the end.
        public var trades: [Trade]
        public var openTrades: [Trade]
        public var benchmark: [Double]
        public var stats: BacktestStatistics
        /// Value traded (entries and exits) over the average equity.
        public var turnover: Double
        public var averagePositions: Double
        public var maxPositionsHeld: Int
        /// Each symbol's profit and loss (open positions at the last close) over the starting cash.
        public var contribution: [Symbol: Double]
    }

    /// Per-symbol state: its signals, its bars on the timeline and its position.
    struct Book {
        let symbol: Symbol
        let delisted: Bool
        let signals: StrategySignals
        /// Timeline index of each of its bars.
        let step: [Int]
        /// The rank expression's value at each bar, and the setup's confidence (default rank).
        let rank: [Double]
        let confidence: [Double]
        let atr: [Double]
        /// Whether the bar passes the price and liquidity filters.
        let eligible: [Bool]
        var account: Backtester.Account
        var pendingExit: BacktestTrade.ExitReason?
    }

    /// Runs the strategy over `universe`; `rank` ranks the candidates of a close (default
    /// `roc(20)`). Returns after the bar a `cancellation` is seen at (the bars so far).
    public static func run(
        _ strategy: CompiledStrategy, universe: [Member], configuration c: Configuration, latestClosed: Int32,
        rank: CompiledRule? = nil, calendar: TradingCalendar = .nyse,
        executor: BacktestRunner.Executor = BacktestRunner.sequential,
        cancellation: CancellationFlag? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> Result {
        // `roc(20)` always compiles; were it not to, candidates would tie and go by symbol.
        let rankRule = rank ?? (try? RuleCompiler().compile("roc(20)"))
        let byConfidence = rank == nil && strategy.setup != nil
        var single = BacktestConfiguration(strategy.strategy.backtest)
        single.cash = 0
        single.size = 1
        single.commission = c.commission
        single.commissionFixed = c.commissionFixed
        single.slippageBps = c.slippageBps
        single.fractionalShares = c.fractionalShares
        single.fill = .nextOpen
        // Signals and ranks per symbol, in parallel (each writes its own slot).
        let computed = Locked(
            [(StrategySignals, [Double], [Double], [Double])?](repeating: nil, count: universe.count))
        executor(universe.count) { k in
            let daily = universe[k].daily
            let signals = strategy.signals(daily: daily, latestClosed: latestClosed)
            let inputs = signals.columns
            let rank = rankRule?.columns(on: inputs).first?.values ?? []
            let atr = Indicators.atr(high: inputs.high, low: inputs.low, close: inputs.close, period: 14)
            let confidence =
                byConfidence
                ? Self.confidence(strategy, daily: daily, signals: signals, latestClosed: latestClosed) : []
            computed.withLock { $0[k] = (signals, rank, atr, confidence) }
        }
        func eligible(_ s: StrategySignals) -> [Bool] {
            let close = s.columns.close
            let volume = s.columns.volume
            var out = [Bool](repeating: true, count: close.count)
            var window = 0.0
            for i in close.indices {
                if let p = c.minPrice, !(close[i] >= p) { out[i] = false }
                window += close[i] * volume[i]
                if i >= 20 { window -= close[i - 20] * volume[i - 20] }
                if let v = c.minDollarVolume, !(i >= 19 && window / 20 >= v) { out[i] = false }
            }
            return out
        }
        let results = computed.withLock { $0 }
        // The timeline: every bucket any symbol has a bar in (buckets are small integers: a
        // presence array, no hashing).
        var maxBucket: Int32 = -1
        let buckets = results.map { $0?.0.buckets ?? [] }
        for b in buckets { if let last = b.last { maxBucket = max(maxBucket, last) } }
        var present = [Bool](repeating: false, count: Int(maxBucket) + 1)
        var bucketSession = [Int32](repeating: 0, count: Int(maxBucket) + 1)
        for (k, r) in results.enumerated() {
            guard let s = r?.0 else { continue }
            for (i, bucket) in buckets[k].enumerated() {
                present[Int(bucket)] = true
                bucketSession[Int(bucket)] = max(bucketSession[Int(bucket)], s.lastSessions[i])
            }
        }
        var position = [Int](repeating: -1, count: present.count)
        var timeline: [Int32] = []
        for b in present.indices where present[b] {
            position[b] = timeline.count
            timeline.append(Int32(b))
        }
        let interval = results.first??.0.interval ?? strategy.strategy.interval
        // Each symbol's bars as timeline steps, in parallel (each writes its own slot).
        let steps = Locked([[Int]](repeating: [], count: universe.count))
        executor(universe.count) { k in
            let mapped = buckets[k].map { position[Int($0)] }
            steps.withLock { $0[k] = mapped }
        }
        let stepOf = steps.withLock { $0 }
        var books: [Book] = []
        for (k, member) in universe.enumerated() {
            guard let (signals, rank, atr, confidence) = results[k] else { continue }
            let account = Backtester.Account(
                configuration: single, strategy: strategy.strategy, columns: signals.columns,
                sessions: calendar.sessions, lastSessions: signals.lastSessions)
            books.append(
                Book(
                    symbol: member.symbol, delisted: member.delisted, signals: signals,
                    step: stepOf[k], rank: rank, confidence: confidence, atr: atr,
                    eligible: c.minPrice == nil && c.minDollarVolume == nil ? [] : eligible(signals),
                    account: account))
        }
        let n = timeline.count
        let direction = strategy.strategy.direction
        let side: Double = strategy.strategy.trigger.action == .buy ? 1 : -1
        let canEnter = direction == .both || (direction == .long && side > 0) || (direction == .short && side < 0)
        // Entry candidates by step (a flat list with offsets): only these, and the symbols held,
        // are looked at on a bar.
        var counts = [Int](repeating: 0, count: n + 1)
        var fires: [[Int]] = books.map { book in
            let s = book.signals
            guard canEnter else { return [] }
            // A signal needs a next bar to fill on; a delisted symbol's last bar is for selling.
            return (0..<max(0, s.count - (book.delisted ? 2 : 1))).filter { i in
                s.trigger[i] == Truth.yes && s.setup[i] == Truth.yes && (book.eligible.isEmpty || book.eligible[i])
            }
        }
        for (b, list) in fires.enumerated() { for i in list { counts[books[b].step[i] + 1] += 1 } }
        for t in 0..<n { counts[t + 1] += counts[t] }
        var fill = counts
        // Each entry's rank score and confidence are read here, a book at a time (in step
        // order the reads would jump between a thousand books' arrays on every bar).
        var events = [(book: Int, bar: Int, first: Double, score: Double)](
            repeating: (0, 0, 0, 0), count: counts[n])
        for (b, list) in fires.enumerated() {
            let rank = books[b].rank
            let confidence = books[b].confidence
            for i in list {
                let t = books[b].step[i]
                let score = rank.indices.contains(i) ? rank[i] : .nan
                let first = confidence.indices.contains(i) ? confidence[i] : 0
                events[fill[t]] = (b, i, first, score.isFinite ? score : -.infinity)
                fill[t] += 1
            }
        }
        fires = []
        var equity = [Double](repeating: c.cash, count: n)
        var cashSeries = [Double](repeating: c.cash, count: n)
        var exposure = [Double](repeating: 0, count: n)
        var positions = [Int](repeating: 0, count: n)
        var cash = c.cash
        var held = HeldBooks()
        var pendingEntries: [Int] = []
        var closed: [Trade] = []
        var traded = 0.0
        var lastClose = [Double](repeating: .nan, count: books.count)

        func record(_ b: Int) {
            guard let t = books[b].account.trades.last else { return }
            var trade = t
            trade.entryBar = books[b].step[t.entryBar]
            trade.exitBar = books[b].step[t.exitBar]
            closed.append(Trade(symbol: books[b].symbol, trade: trade))
            traded += abs(t.size) * t.exitPrice
        }
        /// Books against the shared cash the exit that `leave` makes on `b`'s account, if it
        /// closes the position (an exit order, or a stop or target inside the bar).
        func settle(_ b: Int, _ leave: (inout Backtester.Account) -> Void) {
            let size = books[b].account.size
            let entryCommission = books[b].account.entryCommission
            leave(&books[b].account)
            guard !books[b].account.inPosition, let t = books[b].account.trades.last else { return }
            cash += size * t.exitPrice - (t.commissions - entryCommission)
            held.remove(b)
            record(b)
        }
        func close(_ b: Int, bar i: Int, price: Double, reason: BacktestTrade.ExitReason) {
            settle(b) { $0.exit(at: i, price: price, reason: reason) }
        }

        // The traded steps: those whose bars end in the range (earlier ones only warm up).
        let sessionOf = timeline.map { bucketSession[Int($0)] }
        let first = c.range.map { r in sessionOf.firstIndex { calendar.sessions[Int($0)] >= r.lowerBound } ?? n } ?? 0
        let end = c.range.map { r in sessionOf.firstIndex { calendar.sessions[Int($0)] > r.upperBound } ?? n } ?? n
        // Each held book's bar at the current step (its bars are in step order).
        var current = [Int](repeating: 0, count: books.count)
        /// Brings each held position to its target weight at this open.
        func rebalance(_ t: Int, barOf: (Int) -> Int?) {
            let opens = held.books.map { b in (b, barOf(b).map { books[b].signals.columns.open[$0] }) }
            var equityNow = cash
            for (b, open) in opens { equityNow += books[b].account.size * (open ?? lastClose[b]) }
            let weight: Double
            switch c.sizing {
            case .equal: weight = 1 / Double(c.maxPositions)
            case .fixedFraction(let f): weight = f
            case .risk: return
            }
            // Sales first, so the purchases can use what they release.
            let targets = opens.compactMap { b, open -> (Int, Int, Double, Double)? in
                guard let open, let i = barOf(b), open > 0 else { return nil }
                let a = books[b].account
                let want = equityNow * weight / open
                let shares = c.fractionalShares ? want : want.rounded(.down)
                return (b, i, open, shares - abs(a.size))
            }
            for (b, i, open, change) in targets where change < 0 {
                var a = books[b].account
                let sign: Double = a.size > 0 ? 1 : -1
                let k = -change
                let price = a.slipped(open, side: -sign)
                let commission = a.commission(k, price)
                let entryShare = a.entryCommission * k / abs(a.size)
                cash += sign * k * price - commission
                traded += k * price
                let trade = BacktestTrade(
                    size: sign * k, entryBar: books[b].step[a.entryBar], exitBar: books[b].step[i],
                    entryPrice: a.entryPrice, exitPrice: price, entrySession: a.session(a.entryBar),
                    exitSession: a.session(i), pnl: sign * k * (price - a.entryPrice) - entryShare - commission,
                    returnFraction: sign * (price / a.entryPrice - 1) - (entryShare + commission) / (k * a.entryPrice),
                    commissions: entryShare + commission, exitReason: .rebalance)
                closed.append(Trade(symbol: books[b].symbol, trade: trade))
                a.entryCommission -= entryShare
                a.size -= sign * k
                books[b].account = a
            }
            for (b, _, open, change) in targets where change > 0 {
                var a = books[b].account
                let sign: Double = a.size > 0 ? 1 : -1
                let price = a.slipped(open, side: sign)
                let perShare = price * (1 + c.commission)
                var k = min(change, max(0, cash - c.commissionFixed) / perShare)
                k = c.fractionalShares ? k : k.rounded(.down)
                guard k > 0 else { continue }
                let commission = a.commission(k, price)
                cash -= sign * k * price + commission
                traded += k * price
                a.entryPrice = (abs(a.size) * a.entryPrice + k * price) / (abs(a.size) + k)
                a.entryCommission += commission
                a.size += sign * k
                books[b].account = a
            }
        }

        let stepByBook = books.map(\.step)
        var stoppedAt = end
        for t in first..<end {
            if cancellation?.isCancelled == true {
                stoppedAt = t
                break
            }
            if let progress, (t - first) % 256 == 0 { progress(t - first, end - first) }
            /// The book's bar at this step, if it has one.
            func barOf(_ b: Int) -> Int? {
                // Read in place: a copy of the book (or of its step array) would retain and
                // release its arrays for every held symbol on every bar.
                var i = current[b]
                let count = stepByBook[b].count
                while i < count && stepByBook[b][i] < t { i += 1 }
                current[b] = i
                return i < count && stepByBook[b][i] == t ? i : nil
            }
            // 1. Orders from the previous close: exits, then entries in rank order.
            for b in held.books {
                guard let i = barOf(b), let reason = books[b].pendingExit else { continue }
                books[b].pendingExit = nil
                close(b, bar: i, price: books[b].signals.columns.open[i], reason: reason)
            }
            for b in pendingEntries {
                guard let i = barOf(b), held.count < c.maxPositions, !held.contains(b) else { continue }
                let open = books[b].signals.columns.open[i]
                var equityNow = cash
                for h in held.books {
                    let price = barOf(h).map { books[h].signals.columns.open[$0] } ?? lastClose[h]
                    equityNow += books[h].account.size * price
                }
                let target: Double
                switch c.sizing {
                case .equal: target = equityNow / Double(c.maxPositions)
                case .fixedFraction(let f): target = equityNow * f
                case .risk(let f, let k):
                    let stop = books[b].account.distance(books[b].account.stopRule, price: open, at: i)
                    let perShare = stop.isFinite && stop > 0 ? stop : k * books[b].atr[max(0, i - 1)]
                    target = perShare.isFinite && perShare > 0 ? equityNow * f / perShare * open : 0
                }
                books[b].account.cash = max(0, min(target, cash))
                books[b].account.enter(at: i, price: open, side: side)
                guard books[b].account.inPosition else { continue }
                let a = books[b].account
                cash -= a.size * a.entryPrice + a.entryCommission
                traded += abs(a.size) * a.entryPrice
                held.insert(b)
            }
            pendingEntries = []
            if let every = c.rebalanceEvery, every > 0, (t - first) % every == 0, t > first {
                rebalance(t, barOf: barOf)
            }
            // 2. Brackets inside the bar.
            for b in held.books {
                guard let i = barOf(b), books[b].account.hasBrackets else { continue }
                settle(b) { $0.checkBrackets(i) }
            }
            // 3. Signals at this close: exits for the symbols held (a delisted one closes at its
            // last bar), entries for the others that fire.
            for b in held.books {
                guard let i = barOf(b) else { continue }
                let closeNow = books[b].signals.columns.close[i]
                lastClose[b] = closeNow
                if i == books[b].signals.count - 1 && books[b].delisted {
                    close(b, bar: i, price: closeNow, reason: .delisted)
                    continue
                }
                if books[b].signals.exitRule[i] == Truth.yes {
                    books[b].pendingExit = .signal
                } else if let maxBars = books[b].account.maxBars, i - books[b].account.entryBar + 1 >= maxBars {
                    books[b].pendingExit = .maxBars
                }
            }
            var candidates: [(book: Int, first: Double, score: Double)] = []
            for event in events[counts[t]..<counts[t + 1]] where !held.contains(event.book) {
                candidates.append((event.book, event.first, event.score))
            }
            let leaving = held.books.filter { books[$0].pendingExit != nil }.count
            let free = max(0, c.maxPositions - held.count + leaving)
            pendingEntries = candidates.sorted {
                if $0.first != $1.first { return $0.first > $1.first }
                return $0.score != $1.score ? $0.score > $1.score : books[$0.book].symbol < books[$1.book].symbol
            }.prefix(free).map(\.book)
            // 4. The account at this close.
            var value = 0.0
            for b in held.books { value += books[b].account.size * lastClose[b] }
            equity[t] = cash + value
            cashSeries[t] = cash
            exposure[t] = equity[t] > 0 ? abs(value) / equity[t] : 0
            positions[t] = held.count
        }
        // Only the traded steps are reported; trade bars are counted from the first of them.
        let m = stoppedAt
        let lo = min(first, m)
        equity = Array(equity[lo..<m])
        cashSeries = Array(cashSeries[lo..<m])
        exposure = Array(exposure[lo..<m])
        positions = Array(positions[lo..<m])
        let lastSessions = Array(sessionOf[lo..<m])
        for k in closed.indices {
            closed[k].trade.entryBar -= lo
            closed[k].trade.exitBar -= lo
        }
        // Positions still open, valued at their last close.
        var open: [Trade] = []
        for b in held.books {
            let a = books[b].account
            let close = lastClose[b]
            let sign: Double = a.size > 0 ? 1 : -1
            let lastBar = books[b].step.lastIndex { $0 < m } ?? a.entryBar
            open.append(
                Trade(
                    symbol: books[b].symbol,
                    trade: BacktestTrade(
                        size: a.size, entryBar: books[b].step[a.entryBar] - lo, exitBar: books[b].step[lastBar] - lo,
                        entryPrice: a.entryPrice, exitPrice: close, entrySession: a.session(a.entryBar),
                        exitSession: a.session(lastBar), pnl: a.size * (close - a.entryPrice) - a.entryCommission,
                        returnFraction: sign * (close / a.entryPrice - 1) - a.entryCommission
                            / (abs(a.size) * a.entryPrice),
                        commissions: a.entryCommission, exitReason: .endOfData)))
        }
        let benchmark = Self.benchmark(books, steps: lo..<m, cash: c.cash)
        let drawdown = Backtester.drawdowns(equity)
        let byEntry = closed.map(\.trade).sorted { $0.entryBar < $1.entryBar }
        let stats = BacktestStatistics.compute(
            trades: byEntry, equity: equity, drawdown: drawdown, lastSessions: lastSessions, close: benchmark,
            warmup: 0, interval: interval, calendar: calendar)
        var contribution: [Symbol: Double] = [:]
        for trade in closed + open { contribution[trade.symbol, default: 0] += trade.trade.pnl / c.cash * 100 }
        let meanEquity = equity.isEmpty ? c.cash : equity.reduce(0, +) / Double(equity.count)
        return Result(
            interval: interval, lastSessions: lastSessions, equity: equity, drawdown: drawdown, cash: cashSeries,
            exposure: exposure,
            positions: positions, trades: closed, openTrades: open, benchmark: benchmark, stats: stats,
            turnover: traded / meanEquity,
            averagePositions: positions.isEmpty ? 0 : Double(positions.reduce(0, +)) / Double(positions.count),
            maxPositionsHeld: positions.max() ?? 0, contribution: contribution)
    }

    /// The scanner's confidence at each strategy bar: the share of 1d, 3d and 5d bars on which the
    /// setup holds — the daily value of the bar's last session, the last completed longer bar.
    static func confidence(
        _ c: CompiledStrategy, daily: BarSeries, signals: StrategySignals, latestClosed: Int32
    ) -> [Double] {
        guard let setup = c.setup else { return [] }
        let intervals = UniverseScanner.defaultConfirmIntervals
        var holds = [Int](repeating: 0, count: signals.count)
        for interval in intervals {
            let bars = FibResampler.resample(daily, interval: interval, latestClosed: latestClosed)
            let values = setup.condition(on: IndicatorInputs(bars))
            let aligned: [Int8]
            if interval == .daily {
                // A daily bar's own value at the strategy bar's last session.
                var k = 0
                aligned = signals.lastSessions.map { last in
                    while k + 1 < bars.count && bars[k + 1].lastSession <= last { k += 1 }
                    return k < bars.count && bars[k].lastSession == last ? values[k] : Truth.unknown
                }
            } else {
                aligned = CompiledStrategy.align(
                    values, from: bars, interval: interval, toLastSessions: signals.lastSessions)
            }
            for (i, v) in aligned.enumerated() where v == Truth.yes { holds[i] += 1 }
        }
        return holds.map { Double($0) / Double(intervals.count) }
    }

    /// Equal-weight buy & hold of the universe, never rebalanced: each symbol's 1/N of the cash
    /// buys at its first close and is held (as cash after its last bar when delisted).
    static func benchmark(_ books: [Book], steps: Range<Int>, cash: Double) -> [Double] {
        guard !books.isEmpty, !steps.isEmpty else { return [Double](repeating: cash, count: steps.count) }
        let share = cash / Double(books.count)
        var value = [Double](repeating: 0, count: steps.count)
        value.withUnsafeMutableBufferPointer { value in
            for b in books.indices {
                books[b].signals.columns.close.withUnsafeBufferPointer { closes in
                    books[b].step.withUnsafeBufferPointer { step in
                        guard let first = step.firstIndex(where: { steps.contains($0) }), closes[first] > 0 else {
                            for t in value.indices { value[t] += share }
                            return
                        }
                        // The starting share until its first bar in range, then each bar's value
                        // from its step until the next bar's (the last one's to the end).
                        let shares = share / closes[first]
                        let (lo, hi) = (steps.lowerBound, steps.upperBound)
                        for t in lo..<min(step[first], hi) { value[t - lo] += share }
                        for k in first..<step.count {
                            let from = max(step[k], lo)
                            let to = k + 1 < step.count ? min(step[k + 1], hi) : hi
                            guard from < to else { continue }
                            let level = shares * closes[k]
                            for t in from..<to { value[t - lo] += level }
                        }
                    }
                }
            }
        }
        return value
    }
}

/// The books a portfolio holds (at most `maxPositions`, a few dozen): a sorted array, so the
/// per-bar loops walk them in book order without sorting or hashing on every bar.
struct HeldBooks {
    private(set) var books: [Int] = []

    var count: Int { books.count }

    func contains(_ book: Int) -> Bool { books.contains(book) }

    mutating func insert(_ book: Int) {
        let at = books.firstIndex { $0 >= book } ?? books.count
        if at == books.count || books[at] != book { books.insert(book, at: at) }
    }

    mutating func remove(_ book: Int) {
        if let at = books.firstIndex(of: book) { books.remove(at: at) }
    }
}
