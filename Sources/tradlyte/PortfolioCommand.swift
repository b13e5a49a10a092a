import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct PortfolioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract:
            "Backtest a strategy over a universe with one account: shared cash, a position limit, ranked entries.",
        discussion:
            "Orders fill at the next open, exits before entries; when more symbols fire than slots are free, the "
            + "scanner's confidence then roc(20) decide, or --rank (highest first, ties by symbol). "
            + "Sizing: equal (equity / max positions), fixed_fraction "
            + "(--fraction of equity), risk (--fraction of equity lost at the stop: the strategy's, "
            + "else --atr x ATR 14). "
            + "The benchmark is equal-weight buy & hold of the universe."
    )

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Flag(name: .long, help: "The watchlist from the config.") var watchlist = false
    @Option(name: .long, help: "Symbols, comma-separated.") var symbols: String?
    @Flag(name: .long, help: "Every stored symbol (see the filters).") var universe = false
    @Option(name: .long, help: "With --universe: minimum market cap.") var minMarketCap: String?
    @Option(name: .long, help: "With --universe: sector (part of the name).") var sector: String?
    @Option(name: .long, help: "With --universe: type code, e.g. CS or ETF.") var type: String?
    @Option(name: .long, help: "Candidates close at or above this price.") var minPrice: String?
    @Option(name: .long, help: "Candidates trade at least this much a day (20-bar average).") var minDollarVolume:
        String?
    @Option(name: .long, help: "Positions held at once; a range (5:20:5) or list (5,10) sweeps it.")
    var maxPositions: String = "10"
    @Option(name: .long, help: "With a sweep: the statistic to rank by.") var metric: BacktestRunner.Metric = .sharpe
    @Option(name: .long, help: "Rank expression for candidates (default: the setup's confidence, then roc(20)).")
    var rank: String?
    @Option(name: .long, help: "equal, fixed_fraction or risk.") var sizing: String = "equal"
    @Option(name: .long, help: "Fraction of equity for fixed_fraction and risk (e.g. 0.1, 0.01).") var fraction: String?
    @Option(name: .long, help: "ATR multiple for risk sizing without a strategy stop.") var atr: String = "2"
    @Option(name: .long, help: "Every N bars, bring the positions back to their target weights.") var rebalance: Int?
    @Option(
        name: .customLong("param"),
        help: "A parameter: NAME=VALUE, or NAME=FROM:TO:STEP / NAME=V1,V2 to sweep it (repeatable).")
    var params: [String] = []
    @OptionGroup var options: BacktestOptions
    @Flag(name: .long, help: "Walk forward: optimise the grid in sample, trade it out of sample.") var walkforward =
        false
    @Option(name: .long, help: "With --walkforward: sessions in sample.") var inSample: Int = 504
    @Option(name: .long, help: "With --walkforward: sessions out of sample.") var outOfSample: Int = 126
    @Option(name: .long, help: "Trades to list (most recent).") var top: Int = 20
    @Flag(name: .long, help: "Print JSON (a run, a sweep or a walk-forward).") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            var o = PortfolioOptions(strategy: strategy)
            o.watchlist = watchlist
            o.symbols = symbols
            o.universe = universe
            o.minMarketCap = minMarketCap
            o.sector = sector
            o.type = type
            o.minPrice = minPrice
            o.minDollarVolume = minDollarVolume
            o.maxPositions = maxPositions
            o.metric = metric
            o.rank = rank
            o.sizing = sizing
            o.fraction = fraction
            o.atr = atr
            o.rebalance = rebalance
            o.params = params
            o.study = options.study
            o.walkforward = walkforward
            o.inSample = inSample
            o.outOfSample = outOfSample
            let run = try o.run(env: env)
            if json {
                emit(run.json.rendered())
                return
            }
            switch run.outcome {
            case .walkForward(let windows):
                printWalkForward(windows, request: run.request, members: run.members)
            case .sweep(let rows):
                printSweep(rows, request: run.request, members: run.members)
            case .single(let result, let config):
                printReport(result, request: run.request, members: run.members, config: config)
            }
        }
    }

    /// The walk-forward's windows.
    func printWalkForward(_ windows: [BacktestRunner.WalkForwardWindow], request: StudyRequest, members: Int) {
        let m = request.metric
        var t = [["IN SAMPLE", "OUT OF SAMPLE", "PARAMETERS", "IS \(m.rawValue)", "OOS \(m.rawValue)", "OOS RET %"]]
        for w in windows {
            func v(_ st: BacktestStatistics, _ k: String) -> String {
                st[k]?.number.map { String(format: "%.2f", $0) } ?? "—"
            }
            t.append([
                "\(w.inSample.lowerBound)…\(w.inSample.upperBound)",
                "\(w.outOfSample.lowerBound)…\(w.outOfSample.upperBound)",
                w.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }
                    .joined(separator: " "),
                v(w.inSampleStats, m.statistic), v(w.outOfSampleStats, m.statistic),
                v(w.outOfSampleStats, "Return [%]"),
            ])
        }
        emit(table(t))
        emit(
            "\n\(windows.count) window\(windows.count == 1 ? "" : "s") of \(request.strategy.name) portfolios on "
                + "\(members) symbols, optimised on \(m.statistic).")
        let study = BacktestRunner.WalkForward(
            windows: windows, inSampleBars: 0, outOfSampleBars: 0, cash: request.configuration.cash)
        if let last = study.stitchedEquity.last {
            let ret = (last / request.configuration.cash - 1) * 100
            emit("Out of sample, traded back to back: " + String(format: "%+.2f%%", ret))
        }
        if let wfe = study.efficiency {
            emit("Walk-forward efficiency: " + String(format: "%.2f", wfe) + " (OOS ÷ IS annualised return)")
        }
    }

    /// The sweep's table, best first.
    func printSweep(_ rows: [Portfolios.SweepRow], request: StudyRequest, members: Int) {
        let names = (rows.first?.parameters.keys.sorted() ?? []).filter { $0 != "max_positions" } + ["max_positions"]
        let m = request.metric
        var t = [names.map { $0.uppercased() } + [m.statistic, "RETURN %", "MAX DD %", "TRADES"]]
        for row in rows.prefix(top) {
            func v(_ k: String) -> String { row.stats[k]?.number.map { String(format: "%.2f", $0) } ?? "—" }
            t.append(
                names.map { IndicatorSpec.format(row.parameters[$0] ?? .nan) } + [
                    m.score(row.stats).map { String(format: "%.4f", $0) } ?? "—", v("Return [%]"),
                    v("Max. Drawdown [%]"), row.stats["# Trades"]?.display ?? "—",
                ])
        }
        emit(table(t))
        emit("\n\(rows.count) portfolios of \(request.strategy.name) on \(members) symbols, ranked by \(m.statistic).")
    }

    func printReport(
        _ r: PortfolioBacktester.Result, request: StudyRequest, members: Int, config: PortfolioBacktester.Configuration
    ) {
        emit(
            "\(request.strategy.name) on \(members) symbols, \(r.interval) bars, at most \(config.maxPositions) "
                + "positions, cash \(NumberText.shortest(config.cash))")
        emit("")
        emit(statsTable(r.stats))
        emit("")
        emit(
            table([
                ["Turnover", String(format: "%.2f", r.turnover)],
                ["Average positions", String(format: "%.2f", r.averagePositions)],
                ["Max positions held", "\(r.maxPositionsHeld)"],
            ]))
        let contributions = r.contribution.sorted { $0.value > $1.value }
        if !contributions.isEmpty {
            emit("")
            var rows = [["SYMBOL", "CONTRIBUTION %"]]
            for (symbol, value) in contributions.prefix(5)
                + contributions.suffix(min(5, max(0, contributions.count - 5)))
            {
                rows.append([symbol.rawValue, String(format: "%.2f", value)])
            }
            emit(table(rows))
        }
        let listed = Array(r.trades.suffix(top)).map { ($0, false) } + r.openTrades.map { ($0, true) }
        guard !listed.isEmpty else { return }
        emit("")
        var rows = [["SYMBOL", "ENTRY", "EXIT", "SIZE", "ENTRY $", "EXIT $", "P&L", "RETURN %", "REASON"]]
        for (t, open) in listed {
            rows.append([
                t.symbol.rawValue, t.trade.entrySession.description, open ? "open" : t.trade.exitSession.description,
                NumberText.shortest(abs(t.trade.size)), String(format: "%.2f", t.trade.entryPrice),
                String(format: "%.2f", t.trade.exitPrice), String(format: "%.2f", t.trade.pnl),
                String(format: "%.2f", t.trade.returnFraction * 100), open ? "open" : t.trade.exitReason.rawValue,
            ])
        }
        emit(table(rows))
        emit("\n\(r.trades.count) trades closed, \(r.openTrades.count) open at the end (valued at the last close).")
    }
}
