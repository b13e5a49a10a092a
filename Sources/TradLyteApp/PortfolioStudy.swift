import Foundation
import TradLyteCore

/// `tradlyte portfolio`'s settings as a user gives them (the CLI's flags or the API's body), checked
/// by the same parsers with the same messages, and the study they ask for: one run, a sweep of
/// parameters and position limits, or a walk-forward.
package struct PortfolioOptions: Sendable, Equatable {
    package var strategy: String
    package var watchlist = false
    package var symbols: String?
    package var universe = false
    package var minMarketCap: String?
    package var sector: String?
    package var type: String?
    package var minPrice: String?
    package var minDollarVolume: String?
    package var maxPositions = "10"
    package var metric = BacktestRunner.Metric.sharpe
    package var rank: String?
    package var sizing = "equal"
    package var fraction: String?
    package var atr = "2"
    package var rebalance: Int?
    package var params: [String] = []
    package var study = StudyOptions()
    package var walkforward = false
    package var inSample = 504
    package var outOfSample = 126

    package init(strategy: String) {
        self.strategy = strategy
    }

    /// What the options ran.
    package enum Outcome {
        case single(PortfolioBacktester.Result, PortfolioBacktester.Configuration)
        case sweep([Portfolios.SweepRow])
        case walkForward([BacktestRunner.WalkForwardWindow])
    }

    /// The study, its request and how many symbols it held.
    package struct Run {
        package var outcome: Outcome
        package var request: StudyRequest
        package var members: Int

        /// The document `tradlyte portfolio --json` prints (and the API serves) for this run.
        package var json: JSONValue {
            switch outcome {
            case .single(let result, _):
                return Portfolios.json(result, request: request)
            case .sweep(let rows):
                return .object([
                    ("strategy", .string(request.strategy.name)),
                    ("symbols", .number(Double(members))),
                    ("statistic", .string(request.metric.statistic)),
                    (
                        "rows",
                        .array(
                            rows.map { row in
                                .object([
                                    ("parameters", StudyJSON.numbers(row.parameters)),
                                    ("score", request.metric.score(row.stats).map(JSONValue.number) ?? .null),
                                    ("stats", StudyJSON.stats(row.stats)),
                                ])
                            })
                    ),
                ])
            case .walkForward(let windows):
                var document = StudyJSON.walkForward(
                    BacktestRunner.WalkForward(
                        windows: windows, inSampleBars: inSampleSessions, outOfSampleBars: outOfSampleSessions,
                        cash: request.configuration.cash))
                if case .object(let pairs) = document {
                    document = .object(
                        [("strategy", .string(request.strategy.name)), ("symbols", .number(Double(members)))] + pairs)
                }
                return document
            }
        }

        var inSampleSessions = 0
        var outOfSampleSessions = 0
    }

    /// Runs the study the options describe.
    package func run(
        env: AppEnvironment, cancellation: CancellationFlag? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Run {
        let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
        try Studies.requireDistinct(params.map { String($0.prefix { $0 != "=" }) })
        let swept = params.filter { $0.contains(":") || $0.contains(",") }
        let fixed = params.filter { !swept.contains($0) }
        let request = try study.request(s, parameters: try Studies.parameters(fixed, strategy: s), metric: metric)
        try check()
        let positions = try positionValues()
        var config = Portfolios.configuration(request)
        config.maxPositions = positions[0]
        config.minPrice = try OptionInput.decimal(minPrice, option: "--min-price", in: 0...1e9, example: "5")
        config.minDollarVolume = try OptionInput.decimal(
            minDollarVolume, option: "--min-dollar-volume", in: 0...1e15, example: "1000000")
        config.sizing = try sizingChoice()
        if let rebalance {
            guard rebalance > 0 else { throw AppError.badInput("--rebalance is a number of bars, 1 or more") }
            config.rebalanceEvery = rebalance
        }
        let minCap = try OptionInput.decimal(
            minMarketCap, option: "--min-market-cap", in: 0...1e15, example: "2000000000")
        let selection: PortfolioUniverse =
            watchlist
            ? .watchlist
            : try symbols.map { .symbols(try OptionInput.tickers($0, option: "--symbols")) }
                ?? .stored(minMarketCap: minCap, sector: sector, type: type)
        let members = try Portfolios.members(selection, env: env)
        let store = try env.openStore()
        let latestClosed = Studies.latestClosed(store, env: env)
        // Only the parameters given as ranges are swept (the position limit may be alone).
        let ranges = swept.isEmpty ? [] : try Studies.ranges(swept, strategy: s)
        if walkforward {
            let windows = try Portfolios.walkForward(
                request, members: members, configuration: config, ranges: ranges,
                positions: positions, rank: rank, latestClosed: latestClosed,
                inSample: inSample, outOfSample: outOfSample)
            var run = Run(outcome: .walkForward(windows), request: request, members: members.count)
            run.inSampleSessions = inSample
            run.outOfSampleSessions = outOfSample
            return run
        }
        if !swept.isEmpty || positions.count > 1 {
            let rows = try Portfolios.sweep(
                request, members: members, configuration: config, ranges: ranges,
                positions: positions, rank: rank, latestClosed: latestClosed)
            return Run(outcome: .sweep(rows), request: request, members: members.count)
        }
        let result = try Portfolios.run(
            request, members: members, configuration: config, rank: rank, latestClosed: latestClosed,
            cancellation: cancellation, progress: progress)
        return Run(outcome: .single(result, config), request: request, members: members.count)
    }

    /// What can be checked before anything runs: one universe, no same-close fills, the position
    /// limits, the sizing, the rebalance period, the numbers (the API refuses a bad job at once).
    package func check() throws {
        let choices = [watchlist, symbols != nil, universe].filter { $0 }.count
        guard choices == 1 else {
            throw AppError.badInput("choose one universe: --watchlist, --symbols A,B,… or --universe")
        }
        if let symbols { _ = try OptionInput.tickers(symbols, option: "--symbols") }
        if study.fillClose || study.closeAtEnd {
            throw AppError.badInput(
                "a portfolio fills every order at the next open and values open positions at the last close — "
                    + "drop --fill-close and --close-at-end")
        }
        _ = try positionValues()
        _ = try sizingChoice()
        if let rebalance, rebalance <= 0 { throw AppError.badInput("--rebalance is a number of bars, 1 or more") }
        _ = try OptionInput.decimal(minPrice, option: "--min-price", in: 0...1e9, example: "5")
        _ = try OptionInput.decimal(minDollarVolume, option: "--min-dollar-volume", in: 0...1e15, example: "1000000")
        _ = try OptionInput.decimal(minMarketCap, option: "--min-market-cap", in: 0...1e15, example: "2000000000")
        _ = try study.overrides()
    }

    /// `--max-positions`: one number, a range FROM:TO:STEP or a list, each from 1 to 1000 —
    /// checked before a range is built, so `1:9223372036854775807:1` is refused at once.
    package func positionValues() throws -> [Int] {
        let usage = "--max-positions: write N, FROM:TO:STEP or N1,N2 with whole numbers from 1 to 1000 (e.g. 5:20:5)"
        let limits = 1...1_000
        if maxPositions.contains(":") {
            let parts = maxPositions.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 3, let from = parts[0], let to = parts[1], let step = parts[2] else {
                throw AppError.badInput(usage)
            }
            guard limits.contains(from), limits.contains(to), from <= to, step > 0 else {
                throw AppError.badInput("\(usage); FROM must not be above TO and STEP must be positive")
            }
            return Array(stride(from: from, through: to, by: step))
        }
        let list = maxPositions.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        var values: [Int] = []
        for value in list {
            guard let value, limits.contains(value) else { throw AppError.badInput(usage) }
            values.append(value)
        }
        guard !values.isEmpty, values.count <= limits.count else { throw AppError.badInput(usage) }
        return values
    }

    /// `--sizing` with `--fraction` and `--atr`.
    package func sizingChoice() throws -> PortfolioBacktester.Sizing {
        let fraction = try OptionInput.decimal(self.fraction, option: "--fraction", in: 0...1, example: "0.1")
        let atr = try OptionInput.decimal(self.atr, option: "--atr", in: 0...100, example: "2") ?? 2
        switch sizing {
        case "equal": return .equal
        case "fixed_fraction":
            guard let f = fraction, f > 0, f <= 1 else {
                throw AppError.badInput("--sizing fixed_fraction needs --fraction from above 0 to 1, e.g. 0.1")
            }
            return .fixedFraction(f)
        case "risk":
            guard let f = fraction, f > 0, f <= 0.5 else {
                throw AppError.badInput("--sizing risk needs --fraction (equity at risk per trade), e.g. 0.01")
            }
            guard atr > 0 else { throw AppError.badInput("--atr must be positive") }
            return .risk(fraction: f, atrMultiple: atr)
        default: throw AppError.badInput("--sizing must be equal, fixed_fraction or risk")
        }
    }
}
