import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

/// Options shared by the backtesting commands.
struct BacktestOptions: ParsableArguments {
    @Option(name: .long, help: "Base interval in sessions (default: the strategy's).") var interval: String?
    @Option(name: .long, help: "First date traded (YYYY-MM-DD); earlier bars only warm up indicators.") var from:
        String?
    @Option(name: .long, help: "Last date traded (YYYY-MM-DD).") var to: String?
    @Option(name: .long, help: "Starting cash (default 10000, or the strategy's).") var cash: String?
    @Option(name: .long, help: "Commission per fill as a fraction of value, e.g. 0.001 for 0.1%.") var commission:
        String?
    @Option(name: .long, help: "Fixed commission per fill.") var commissionFixed: String?
    @Option(name: .long, help: "Slippage in basis points.") var slippage: String?
    @Flag(name: .long, help: "Fill at the signal bar's close instead of the next open.") var fillClose = false
    @Flag(name: .long, help: "Allow fractional shares.") var fractional = false
    @Flag(name: .long, help: "Close a trade still open at the end (and count it).") var closeAtEnd = false

    /// The options as the app takes them (the API fills the same struct from a request body).
    var study: StudyOptions {
        StudyOptions(
            interval: interval, from: from, to: to, cash: cash, commission: commission,
            commissionFixed: commissionFixed, slippage: slippage, fillClose: fillClose, fractional: fractional,
            closeAtEnd: closeAtEnd)
    }

    /// The study these options ask for.
    func request(_ strategy: Strategy, parameters: [String: Double] = [:], metric: BacktestRunner.Metric = .sharpe)
        throws -> StudyRequest
    {
        try study.request(strategy, parameters: parameters, metric: metric)
    }
}

/// "Return [%]  18.4418" rows, or JSON-safe dictionaries.
func statsTable(_ stats: BacktestStatistics) -> String {
    table(stats.entries.map { [$0.name, $0.value.display] })
}

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest a strategy on a symbol, or across the stored universe or the watchlist, ranked.",
        discussion:
            "Signals come from bar closes and fill at the next open (--fill-close for the same close). Statistics use backtesting.py's names and definitions. Exit code 2 for bad input (unknown symbol, empty date range, too few bars for the warm-up)."
    )

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Argument(help: "The symbol (omit with --universe or --watchlist).") var symbol: String?
    @OptionGroup var options: BacktestOptions
    @Flag(name: .long, help: "Every stored symbol, ranked.") var universe = false
    @Flag(name: .long, help: "The watchlist from the config, ranked.") var watchlist = false
    /// Sharpe by default, as the UI's `w` ranks (they disagreed: return here, Sharpe there).
    @Option(name: .long, help: "The statistic to rank by.") var rankBy: BacktestRunner.Metric = .sharpe
    @Option(name: .long, help: "Rows to show when ranking.") var top: Int = 25
    @Option(name: .customLong("param"), help: "Override a parameter: NAME=VALUE (repeatable).") var params: [String] =
        []
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            let metric = rankBy
            let request = try options.request(
                s, parameters: try Studies.parameters(params, strategy: s), metric: metric)
            _ = try Studies.compile(request)
            if universe || watchlist {
                try ranked(request, env: env)
                return
            }
            guard let symbolText = symbol else { throw AppError.badInput("give a SYMBOL, or --universe / --watchlist") }
            let history = try Studies.history(symbolText, env: env)
            let result = try Studies.backtest(
                request, symbol: history.symbol, daily: history.daily, latestClosed: history.latestClosed)
            if json {
                emit(StudyJSON.backtest(result, request: request, symbol: history.symbol).rendered())
                return
            }
            printReport(result, request: request, symbol: history.symbol)
        }
    }

    /// The strategy across the stored universe or the watchlist, ranked.
    func ranked(_ request: StudyRequest, env: AppEnvironment) throws {
        guard env.databaseExists else { throw AppError.badInput("no data yet — run: tradlyte refresh") }
        let store = try env.openStore()
        let list = watchlist ? try Portfolios.watchlist(env: env, store: store) : nil
        if watchlist && (list ?? []).isEmpty {
            throw AppError.badInput("no symbol is stored yet — run: tradlyte refresh")
        }
        let rows = try Studies.acrossSymbols(
            request, universe: try store.dailyUniverse(symbols: list),
            latestClosed: Studies.latestClosed(store, env: env))
        if json {
            emit(StudyJSON.acrossSymbols(rows).rendered())
            return
        }
        var t = [["#", "SYMBOL", "RETURN %", "SHARPE", "SQN", "MAX DD %", "TRADES", "WIN %"]]
        for (i, r) in rows.prefix(top).enumerated() {
            guard let st = r.result?.stats else {
                t.append(["\(i + 1)", r.symbol.rawValue, "—", "", "", "", "", r.problem ?? ""])
                continue
            }
            func v(_ k: String) -> String { st[k]?.number.map { String(format: "%.2f", $0) } ?? "—" }
            t.append([
                "\(i + 1)", r.symbol.rawValue, v("Return [%]"), v("Sharpe Ratio"), v("SQN"),
                v("Max. Drawdown [%]"), st["# Trades"]?.display ?? "—", v("Win Rate [%]"),
            ])
        }
        emit(table(t))
        emit("\n\(request.strategy.name) on \(rows.count) symbols, ranked by \(request.metric.statistic).")
    }

    /// The text report: settings, statistics, the trades and the trade still open.
    func printReport(_ result: BacktestResult, request: StudyRequest, symbol: Symbol) {
        let config = request.configuration
        emit(
            "\(request.strategy.name) on \(symbol), \(result.interval) bars, \(request.parameterText), "
                + "cash \(NumberText.shortest(config.cash)), "
                + "commission \(NumberText.shortest(config.commission * 100))%"
        )
        if isatty(STDOUT_FILENO) == 1 { emit("Equity  " + TextFormats.sparkline(result.equity, width: 60)) }
        emit("")
        emit(statsTable(result.stats))
        guard !result.trades.isEmpty || result.openTrade != nil else { return }
        emit("")
        var t = [["#", "ENTRY", "EXIT", "SIDE", "SIZE", "ENTRY $", "EXIT $", "P&L", "RETURN %", "BARS", "REASON"]]
        func row(_ number: String, _ tr: BacktestTrade, exit: String, reason: String) -> [String] {
            [
                number, tr.entrySession.description, exit, tr.isLong ? "long" : "short",
                NumberText.shortest(abs(tr.size)), String(format: "%.2f", tr.entryPrice),
                String(format: "%.2f", tr.exitPrice), String(format: "%.2f", tr.pnl),
                String(format: "%.2f", tr.returnFraction * 100), "\(tr.barsHeld)", reason,
            ]
        }
        for (i, tr) in result.trades.enumerated() {
            t.append(row("\(i + 1)", tr, exit: tr.exitSession.description, reason: tr.exitReason.rawValue))
        }
        if let open = result.openTrade {
            t.append(row("open", open, exit: "(\(open.exitSession))", reason: "open"))
        }
        emit(table(t))
        if result.openTrade != nil {
            emit("\nThe open trade is valued at the last close and not counted; --close-at-end closes and counts it.")
        }
    }
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract:
            "Backtest every combination of parameter ranges; print the ranked table and, for two parameters, "
            + "a heat map.",
        discussion:
            "Without --param the sweep covers the ranges the strategy declares (the grid the UI's sweep runs). "
            + "A parameter given one value (--param slow=150) is held there."
    )

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Argument(help: "The symbol.") var symbol: String
    @Option(name: .customLong("param"), help: "NAME=FROM:TO:STEP or NAME=V1,V2 (repeatable).") var params: [String] = []
    @Option(name: .long, help: "The statistic each cell shows and the rows are ranked by.")
    var metric: BacktestRunner.Metric = .sharpe
    @Option(name: .long, help: "Refuse grids larger than this.") var max: Int = Studies.gridCap
    @Option(name: .long, help: "Run a random subset of this many combinations.") var random: Int?
    @Option(name: .long, help: "Rows to show.") var top: Int = 20
    @OptionGroup var options: BacktestOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            let request = try options.request(s, metric: metric)
            let ranges = try Studies.ranges(params, strategy: s)
            let history = try Studies.history(symbol, env: env)
            let clock = SystemClock()
            let started = clock.uptimeNanoseconds()
            let sweep = try Studies.sweep(
                request, ranges: ranges, daily: history.daily, latestClosed: history.latestClosed, cap: max,
                sample: random)
            let seconds = Double(clock.uptimeNanoseconds() - started) / 1e9
            let m = sweep.metric
            let ranked = Studies.ranked(sweep)
            if json {
                emit(StudyJSON.sweep(sweep, ranked: ranked).rendered())
                return
            }
            let names = ranges.map(\.name)
            var t = [names.map { $0.uppercased() } + [m.statistic, "RETURN %", "TRADES"]]
            for r in ranked.prefix(top) {
                t.append(
                    names.map { IndicatorSpec.format(r.parameters[$0] ?? .nan) } + [
                        r.stats.flatMap(m.score).map { String(format: "%.4f", $0) } ?? (r.problem ?? "—"),
                        r.stats?["Return [%]"]?.number.map { String(format: "%.2f", $0) } ?? "—",
                        r.stats?["# Trades"]?.display ?? "—",
                    ])
            }
            emit(table(t))
            if let h = sweep.heatmap { printHeatmap(h, metric: m) }
            if let best = sweep.best {
                let cells = names.map { "\($0)=\(IndicatorSpec.format(best.parameters[$0] ?? .nan))" }
                emit(
                    "\nBest: " + cells.joined(separator: " ")
                        + " — \(sweep.rows.count) of \(BacktestRunner.gridSizeText(sweep.gridSize)) combinations on "
                        + "\(history.symbol) in "
                        + String(format: "%.2f s", seconds))
            }
        }
    }

    /// The metric by two parameters, shaded low → high.
    func printHeatmap(
        _ h: (x: BacktestRunner.ParameterRange, y: BacktestRunner.ParameterRange, values: [[Double?]]),
        metric m: BacktestRunner.Metric
    ) {
        emit("\n\(m.statistic) by \(h.x.name) (columns) and \(h.y.name) (rows): ░▒▓█ low → high")
        let all = h.values.flatMap { $0 }.compactMap { $0 }
        let lo = all.min() ?? 0
        let hi = all.max() ?? 1
        let shades = Array(" ░▒▓█")
        let header = h.x.values.map { IndicatorSpec.format($0).padding(toLength: 4, withPad: " ", startingAt: 0) }
        emit("        " + header.joined())
        for (y, row) in h.values.enumerated() {
            let cells = row.map { v -> String in
                guard let v else { return "  · " }
                let k = hi > lo ? Int((v - lo) / (hi - lo) * 3.999) + 1 : 4
                return String(repeating: String(shades[k]), count: 3) + " "
            }
            emit(IndicatorSpec.format(h.y.values[y]).padding(toLength: 8, withPad: " ", startingAt: 0) + cells.joined())
        }
    }
}

struct WalkForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walkforward",
        abstract: "Rolling walk-forward: optimise on an in-sample window, trade the next out-of-sample window.",
        discussion:
            "Without --param the grid is the strategy's declared ranges; without window sizes, two years (504 "
            + "sessions) in sample and six months (126 sessions) out, in bars of the interval — as in the UI.")

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Argument(help: "The symbol.") var symbol: String
    @Option(name: .customLong("param"), help: "NAME=FROM:TO:STEP (repeatable).") var params: [String] = []
    @Option(name: .long, help: "In-sample bars per window (default: 504 sessions' worth).") var inSample: Int?
    @Option(name: .long, help: "Out-of-sample bars per window (default: 126 sessions' worth).") var outOfSample: Int?
    @Option(name: .long, help: "The statistic to optimise.") var metric: BacktestRunner.Metric = .sharpe
    @OptionGroup var options: BacktestOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            let request = try options.request(s, metric: metric)
            let ranges = try Studies.ranges(params, strategy: s)
            let history = try Studies.history(symbol, env: env)
            let study = try Studies.walkForward(
                request, ranges: ranges, daily: history.daily, latestClosed: history.latestClosed,
                inSampleBars: inSample, outOfSampleBars: outOfSample)
            if json {
                emit(StudyJSON.walkForward(study).rendered())
                return
            }
            let m = request.metric
            var t = [["IN SAMPLE", "OUT OF SAMPLE", "PARAMETERS", "IS \(m.rawValue)", "OOS \(m.rawValue)", "IS RET %"]]
            t[0].append("OOS RET %")
            for w in study.windows {
                func v(_ st: BacktestStatistics, _ k: String) -> String {
                    st[k]?.number.map { String(format: "%.2f", $0) } ?? "—"
                }
                let swept = Set(ranges.map(\.name))
                let parameters = w.parameters.filter { swept.contains($0.key) }.sorted { $0.key < $1.key }
                t.append([
                    "\(w.inSample.lowerBound)…\(w.inSample.upperBound)",
                    "\(w.outOfSample.lowerBound)…\(w.outOfSample.upperBound)",
                    parameters.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }.joined(separator: " "),
                    v(w.inSampleStats, m.statistic), v(w.outOfSampleStats, m.statistic),
                    v(w.inSampleStats, "Return [%]"), v(w.outOfSampleStats, "Return [%]"),
                ])
            }
            emit(table(t))
            emit(
                "\n\(study.windows.count) window\(study.windows.count == 1 ? "" : "s") of "
                    + "\(study.inSampleBars) + \(study.outOfSampleBars) "
                    + "\(request.baseInterval) bars on \(history.symbol).")
            if study.uncoveredBars > 0, let from = study.uncoveredFrom {
                emit(
                    "The last \(study.uncoveredBars) bars (from \(from)) fall in no window: too few for another "
                        + "out-of-sample window of \(study.outOfSampleBars).")
            }
            if let last = study.stitchedEquity.last {
                let ret = (last / request.configuration.cash - 1) * 100
                emit("Out of sample, traded back to back: " + String(format: "%+.2f%%", ret))
            }
            if let wfe = study.efficiency {
                emit("Walk-forward efficiency: " + String(format: "%.2f", wfe) + " (OOS ÷ IS annualised return)")
            }
        }
    }
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the stored universe for today's signals and store the top picks per strategy.",
        discussion:
            "A signal fires when a strategy's trigger is true on the scan session and its setup holds; confidence is the share of 1d, 3d and 5d bars on which the setup also holds (for a strategy without a setup, on which the trigger also fires). Picks rank by confidence, then market cap, then symbol. Re-running a scan replaces that session's rows."
    )

    @Argument(help: "Strategies (default: scan_strategies in the config, every built-in unless set).")
    var strategies: [String] = []
    @Option(name: .long, help: "Scan session (default: the latest stored one).") var date: String?
    @Option(name: .long, help: "Picks per strategy (default: scan_top in the config, 20).") var top: Int?
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            guard env.databaseExists else { throw AppError.badInput("no data yet — run: tradlyte refresh") }
            let store = try env.openStore()
            let day = try date.map { text in
                let d = try parseDate(text, option: "--date")
                guard store.calendar.isSession(d) else {
                    throw AppError.badInput("--date \(d) (\(d.weekdayName)) is not an NYSE session")
                }
                return d
            }
            let range = ScanSettings.topRange
            if let top, !range.contains(top) {
                throw AppError.badInput("--top must be from \(range.lowerBound) to \(range.upperBound)")
            }
            let (list, session, result) = try ScanService.scan(
                env: env, store: store, names: strategies.isEmpty ? nil : strategies, top: top, session: day)
            let picks = list.flatMap { result.picks[$0.name] ?? [] }
            if json {
                emit(Documents.picks(picks).rendered())
                return
            }
            emit("Scan of \(result.symbolsScanned) symbols for \(session):")
            if picks.isEmpty { emit("No signals.") }
            var t = [["STRATEGY", "#", "SYMBOL", "CONFIDENCE", "PRICE", "MARKET CAP", "SECTOR"]]
            for p in picks {
                t.append([
                    p.strategy, "\(p.rank)", p.symbol.rawValue, String(format: "%.0f%%", p.confidence * 100),
                    String(format: "%.2f", p.price),
                    p.marketCap.map { String(format: "%.1fB", $0 / 1e9) } ?? "", p.sector ?? "",
                ])
            }
            if !picks.isEmpty { emit(table(t)) }
            for s in list where (result.signals[s.name] ?? []).count > (result.picks[s.name] ?? []).count {
                emit(
                    "\(s.name): \(result.signals[s.name]!.count) signals, "
                        + "top \((result.picks[s.name] ?? []).count) shown"
                )
            }
        }
    }
}
