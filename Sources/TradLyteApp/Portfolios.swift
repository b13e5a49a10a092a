import Foundation
import TradLyteCore
import TradLyteStore
import TradLyteUI

/// Which symbols a portfolio backtest may hold.
package enum PortfolioUniverse: Sendable, Equatable {
    case watchlist
    case symbols([String])
    /// Every stored symbol, narrowed by what is known of it (market cap, sector, type are the
    /// stored metadata — today's, not as of each bar; price and liquidity are judged bar by bar).
    case stored(minMarketCap: Double?, sector: String?, type: String?)
}

/// The portfolio backtest behind `tradlyte portfolio` (and, next, the UI's portfolio view): the
/// universe read from the store, the strategy compiled with its parameters, one run.
package enum Portfolios {
    /// The members for `universe`: each symbol's whole daily history, delisted ones marked.
    package static func members(_ universe: PortfolioUniverse, env: AppEnvironment) throws -> [PortfolioBacktester
        .Member]
    {
        guard env.databaseExists else { throw AppError.badInput("no data yet — run: tradlyte refresh") }
        let store = try env.openStore()
        let infos = Dictionary(uniqueKeysWithValues: try store.symbols().map { ($0.symbol, $0) })
        var list: [Symbol]?
        switch universe {
        case .watchlist:
            // The UI's watchlist: configured symbols the store holds, else the largest stored.
            list = try App.watchlist(configured: env.config.watchlist, stored: try store.symbols()).map {
                try store.resolveSymbol($0)
            }
            if list?.isEmpty == true {
                throw AppError.badInput("no symbol is stored yet — run: tradlyte refresh")
            }
        case .symbols(let names):
            list = try names.map { try store.resolveSymbol($0) }
        case .stored(let cap, let sector, let type):
            list = infos.values.filter { info in
                (cap == nil || (info.marketCap ?? 0) >= cap!)
                    && (sector == nil || (info.industry ?? "").localizedCaseInsensitiveContains(sector!))
                    && (type == nil || info.type?.caseInsensitiveCompare(type!) == .orderedSame)
            }.map(\.symbol).sorted()
            if list?.isEmpty == true { throw AppError.badInput("no stored symbol passes the filters") }
        }
        let loaded = try store.dailyUniverse(symbols: list).filter { !$0.1.isEmpty }
        // A symbol asked for by name must have bars (a typo is not an empty member).
        if case .symbols = universe, let missing = list?.first(where: { s in !loaded.contains { $0.0 == s } }) {
            throw StoreError.unknownSymbol(missing.rawValue)
        }
        guard !loaded.isEmpty else { throw AppError.badInput("none of these symbols has stored bars") }
        return loaded.map { symbol, daily in
            let info = infos[symbol]
            return PortfolioBacktester.Member(
                symbol: symbol, daily: daily, delisted: info.map { !$0.active || $0.delistDate != nil } ?? false)
        }
    }

    /// The portfolio's account settings from a study's (cash, commission, slippage, fractions).
    package static func configuration(_ request: StudyRequest) -> PortfolioBacktester.Configuration {
        var config = PortfolioBacktester.Configuration()
        config.cash = request.configuration.cash
        config.commission = request.configuration.commission
        config.commissionFixed = request.configuration.commissionFixed
        config.slippageBps = request.configuration.slippageBps
        config.fractionalShares = request.configuration.fractionalShares
        return config
    }

    /// One run of `request`'s strategy over `members`.
    package static func run(
        _ request: StudyRequest, members: [PortfolioBacktester.Member],
        configuration: PortfolioBacktester.Configuration,
        rank: String?, latestClosed: Int32, cancellation: CancellationFlag? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(AppError) -> PortfolioBacktester.Result {
        // The portfolio trades on the requested interval: the strategy compiled for it.
        var onInterval = request
        onInterval.strategy.interval = request.baseInterval
        let compiled = try Studies.compile(onInterval)
        var rule: CompiledRule?
        if let rank {
            do { rule = try RuleCompiler().compile(rank) } catch {
                throw AppError.badInput("--rank: cannot read the expression:\n\(error)")
            }
        }
        var config = configuration
        config.range = request.range
        return PortfolioBacktester.run(
            compiled, universe: members, configuration: config, latestClosed: latestClosed, rank: rule,
            executor: Workers.allCores, cancellation: cancellation, progress: progress)
    }

    /// One cell of a portfolio sweep: the parameters (with `max_positions`) and its statistics.
    package struct SweepRow: Sendable {
        package var parameters: [String: Double]
        package var stats: BacktestStatistics
    }

    /// Every combination of the strategy's `ranges` and the position limits, best first by the
    /// request's metric (each combination one portfolio run).
    package static func sweep(
        _ request: StudyRequest, members: [PortfolioBacktester.Member],
        configuration: PortfolioBacktester.Configuration,
        ranges: [BacktestRunner.ParameterRange], positions: [Int], rank: String?, latestClosed: Int32,
        cap: Int = Studies.gridCap
    ) throws(AppError) -> [SweepRow] {
        try checkGrid(ranges, positions: positions, cap: cap)
        var combos: [[String: Double]] = [[:]]
        for r in ranges { combos = combos.flatMap { c in r.values.map { c.merging([r.name: $0]) { $1 } } } }
        var rows: [SweepRow] = []
        for combo in combos {
            var cell = request
            cell.parameters = request.parameters.merging(combo) { $1 }
            for n in positions {
                var config = configuration
                config.maxPositions = n
                let r = try run(cell, members: members, configuration: config, rank: rank, latestClosed: latestClosed)
                rows.append(SweepRow(parameters: combo.merging(["max_positions": Double(n)]) { $1 }, stats: r.stats))
            }
        }
        let metric = request.metric
        return rows.sorted { (metric.score($0.stats) ?? -.infinity) > (metric.score($1.stats) ?? -.infinity) }
    }

    /// Refuses, before anything is built, a grid of parameter combinations times position
    /// limits over `cap` (counted without overflow).
    package static func checkGrid(
        _ ranges: [BacktestRunner.ParameterRange], positions: [Int], cap: Int = Studies.gridCap
    ) throws(AppError) {
        let (size, overflow) = BacktestRunner.gridSize(ranges).multipliedReportingOverflow(by: positions.count)
        let total = overflow ? Int.max : size
        guard total <= cap else {
            throw AppError.badInput(
                "the grid has \(BacktestRunner.gridSizeText(total)) combinations, over the cap of "
                    + "\(NumberText.grouped(cap)) — narrow the --param ranges or --max-positions")
        }
    }

    /// Rolling windows over the members' sessions (`inSample` then `outOfSample` sessions): the
    /// best combination of `ranges` and `positions` in sample, by the request's metric, is
    /// traded on the next window (earlier bars warm the indicators up in both).
    package static func walkForward(
        _ request: StudyRequest, members: [PortfolioBacktester.Member],
        configuration: PortfolioBacktester.Configuration,
        ranges: [BacktestRunner.ParameterRange], positions: [Int], rank: String?, latestClosed: Int32,
        inSample: Int = 504, outOfSample: Int = 126
    ) throws(AppError) -> [BacktestRunner.WalkForwardWindow] {
        try Studies.windowSizes(inSample, outOfSample, unit: "sessions")
        let calendar = TradingCalendar.nyse
        let first = members.compactMap { $0.daily.sessionIndex.first }.min() ?? 0
        let last = min(members.compactMap { $0.daily.sessionIndex.last }.max() ?? 0, latestClosed)
        guard inSample > 0, outOfSample > 0, Int(last - first) + 1 >= inSample + outOfSample else {
            throw AppError.badInput(
                "\(Int(last - first) + 1) sessions are fewer than one in-sample plus out-of-sample window "
                    + "(\(inSample) + \(outOfSample))")
        }
        try checkGrid(ranges, positions: positions)
        var windows: [BacktestRunner.WalkForwardWindow] = []
        var start = Int(first)
        while start + inSample + outOfSample - 1 <= Int(last) {
            let isRange = calendar.sessions[start]...calendar.sessions[start + inSample - 1]
            let oosRange = calendar.sessions[start + inSample]...calendar.sessions[start + inSample + outOfSample - 1]
            var cell = request
            cell.range = isRange
            let rows = try sweep(
                cell, members: members, configuration: configuration, ranges: ranges, positions: positions, rank: rank,
                latestClosed: latestClosed)
            if let best = rows.first {
                var config = configuration
                config.maxPositions = Int(best.parameters["max_positions"] ?? Double(configuration.maxPositions))
                var trade = request
                trade.range = oosRange
                trade.parameters = request.parameters.merging(best.parameters.filter { $0.key != "max_positions" }) {
                    $1
                }
                let oos = try run(
                    trade, members: members, configuration: config, rank: rank, latestClosed: latestClosed)
                windows.append(
                    BacktestRunner.WalkForwardWindow(
                        inSample: isRange, outOfSample: oosRange, parameters: best.parameters,
                        inSampleStats: best.stats, outOfSampleStats: oos.stats, outOfSampleEquity: oos.equity,
                        outOfSampleSessions: oos.lastSessions))
            }
            start += outOfSample
        }
        return windows
    }

    /// The watchlist the UI shows, for `backtest --watchlist` (see `App.watchlist`).
    package static func watchlist(env: AppEnvironment, store: MarketStore) throws -> [Symbol] {
        try App.watchlist(configured: env.config.watchlist, stored: try store.symbols()).map {
            try store.resolveSymbol($0)
        }
    }

    /// The JSON document `tradlyte portfolio --json` prints.
    package static func json(_ r: PortfolioBacktester.Result, request: StudyRequest) -> JSONValue {
        func trade(_ t: PortfolioBacktester.Trade, open: Bool) -> JSONValue {
            var object: [(String, JSONValue)] = [("symbol", .string(t.symbol.rawValue))]
            if case .object(let pairs) = StudyJSON.trade(t.trade, open: open) { object += pairs }
            return .object(object)
        }
        let sessions = r.lastSessions.map { JSONValue.string(TradingCalendar.nyse.sessions[Int($0)].description) }
        return .object([
            ("strategy", .string(request.strategy.name)),
            ("interval", .number(Double(r.interval.sessions))),
            ("stats", StudyJSON.stats(r.stats)),
            ("turnover", .number(r.turnover)),
            ("average_positions", .number(r.averagePositions)),
            ("max_positions_held", .number(Double(r.maxPositionsHeld))),
            (
                "contribution_pct",
                .object(r.contribution.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .number($0.value)) })
            ),
            ("trades", .array(r.trades.map { trade($0, open: false) })),
            ("open_trades", .array(r.openTrades.map { trade($0, open: true) })),
            ("sessions", .array(sessions)),
            ("equity", .array(r.equity.map(JSONValue.number))),
            ("cash", .array(r.cash.map(JSONValue.number))),
            ("exposure", .array(r.exposure.map(JSONValue.number))),
            ("positions", .array(r.positions.map { .number(Double($0)) })),
            ("benchmark", .array(r.benchmark.map(JSONValue.number))),
        ])
    }
}
