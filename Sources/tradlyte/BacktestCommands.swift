import ArgumentParser
import Foundation
import TermRender
import TradLyteApp
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// Options shared by the backtesting commands.
struct BacktestOptions: ParsableArguments {
    @Option(name: .long, help: "Base interval in sessions (default: the strategy's).") var interval: String?
    @Option(name: .long, help: "First date traded (YYYY-MM-DD); earlier bars only warm up indicators.") var from:
        String?
    @Option(name: .long, help: "Last date traded (YYYY-MM-DD).") var to: String?
    @Option(name: .long, help: "Starting cash (default 10000, or the strategy's).") var cash: Double?
    @Option(name: .long, help: "Commission per fill as a fraction of value, e.g. 0.001 for 0.1%.") var commission:
        Double?
    @Option(name: .long, help: "Fixed commission per fill.") var commissionFixed: Double?
    @Option(name: .long, help: "Slippage in basis points.") var slippage: Double?
    @Flag(name: .long, help: "Fill at the signal bar's close instead of the next open.") var fillClose = false
    @Flag(name: .long, help: "Allow fractional shares.") var fractional = false
    @Flag(name: .long, help: "Close a trade still open at the end (and count it).") var closeAtEnd = false

    func configuration(for strategy: Strategy) throws -> BacktestConfiguration {
        var c = BacktestConfiguration(strategy.backtest)
        if let cash {
            guard cash > 0, cash <= 1e15 else {
                let hint = "give a positive amount up to 1e15, e.g. --cash 10000"
                throw AppError.badInput("--cash \(cash) is out of range — \(hint)")
            }
            c.cash = cash
        }
        if let commission {
            guard (0..<0.1).contains(commission) else {
                throw AppError.badInput("--commission is a fraction from 0 to below 0.1 (0.001 = 0.1%)")
            }
            c.commission = commission
        }
        if let commissionFixed {
            guard commissionFixed >= 0, commissionFixed <= 1e9 else {
                throw AppError.badInput("--commission-fixed must be from 0 to 1e9")
            }
            c.commissionFixed = commissionFixed
        }
        if let slippage {
            guard (0...1000).contains(slippage) else {
                throw AppError.badInput("--slippage must be 0–1000 basis points")
            }
            c.slippageBps = slippage
        }
        if fillClose { c.fill = .close }
        if fractional { c.fractionalShares = true }
        if closeAtEnd { c.closeAtEnd = true }
        return c
    }

    func dateRange() throws -> ClosedRange<SessionDate>? {
        let f = try from.map { try parseDate($0, option: "--from") }
        let t = try to.map { try parseDate($0, option: "--to") }
        if f == nil && t == nil { return nil }
        let lo = f ?? SessionDate(year: 1900, month: 1, day: 1)!
        let hi = t ?? SessionDate(year: 2100, month: 1, day: 1)!
        guard lo <= hi else { throw AppError.badInput("--from \(lo) is after --to \(hi)") }
        return lo...hi
    }

    func intervalValue() throws -> FibInterval? { try interval.map { try FibInterval(parsing: $0) } }
}

/// "Return [%]  18.4418" rows, or JSON-safe dictionaries.
func statsTable(_ stats: BacktestStatistics) -> String {
    table(stats.entries.map { [$0.name, $0.value.display] })
}

func statsJSON(_ stats: BacktestStatistics) -> [String: JSONValue] {
    var out: [String: JSONValue] = [:]
    for (name, value) in stats.entries {
        switch value {
        case .number(let v), .days(let v): out[name] = .number(v)
        case .count(let n): out[name] = .number(Double(n))
        case .date(let d): out[name] = .string(d.description)
        case .missing(let why): out[name] = .object([("value", .null), ("reason", .string(why))])
        }
    }
    return out
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
    @Option(name: .long, help: "Rank by: return, sharpe, sortino, sqn, drawdown, calmar, winrate.") var rankBy: String =
        "return"
    @Option(name: .long, help: "Rows to show when ranking.") var top: Int = 25
    @Option(name: .customLong("param"), help: "Override a parameter: NAME=VALUE (repeatable).") var params: [String] =
        []
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            let compiled: CompiledStrategy
            do { compiled = try CompiledStrategy(s, parameters: try parseOverrides(params, strategy: s)) } catch let e
                as StrategyError
            {
                throw AppError.badInput("the strategy does not compile with these parameters:\n\(e)")
            }
            let config = try options.configuration(for: s)
            let interval = try options.intervalValue()
            let range = try options.dateRange()
            guard env.databaseExists else { throw AppError.badInput("no data yet — run: tradlyte refresh") }
            let store = try env.openStore()
            let latest = Int32(
                store.calendar.latestClosedSessionIndex(at: env.now(), graceMinutes: env.config.closeGraceMinutes))
            if universe || watchlist {
                guard let metric = BacktestRunner.Metric(rawValue: rankBy) else {
                    throw AppError.badInput(
                        "--rank-by must be one of \(BacktestRunner.Metric.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                let list = watchlist ? env.config.watchlist.compactMap { try? Symbol($0) } : nil
                if watchlist && (list ?? []).isEmpty {
                    throw AppError.badInput(
                        "the watchlist is empty — add \"watchlist\": [\"ACME\", …] to \(env.configPath)")
                }
                let data = try store.dailyUniverse(symbols: list)
                let rows = BacktestRunner.acrossSymbols(
                    compiled, universe: data, interval: interval, configuration: config,
                    latestClosed: latest, metric: metric, executor: Workers.allCores)
                if json {
                    emit(
                        JSONValue.array(
                            rows.map { r in
                                .object([
                                    ("symbol", .string(r.symbol.rawValue)),
                                    (
                                        "stats",
                                        r.result.map { .object(statsJSON($0.stats).sorted { $0.key < $1.key }) }
                                            ?? .null
                                    ),
                                    ("problem", r.problem.map(JSONValue.string) ?? .null),
                                ])
                            }
                        ).rendered())
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
                        v("Max. Drawdown [%]"), v("# Trades"), v("Win Rate [%]"),
                    ])
                }
                emit(table(t))
                emit("\n\(s.name) on \(rows.count) symbols, ranked by \(metric.statistic).")
                return
            }
            guard let symbolText = symbol else { throw AppError.badInput("give a SYMBOL, or --universe / --watchlist") }
            let (sym, daily, _) = try loadDaily(symbolText, env: env)
            let result = Backtester.run(
                compiled, daily: daily, interval: interval, configuration: config, latestClosed: latest, range: range)
            if result.barCount == 0 {
                throw AppError.badInput(
                    "no \(interval ?? s.interval) bars of \(sym) in \(range.map { "\($0.lowerBound) … \($0.upperBound)" } ?? "the store")"
                )
            }
            if result.barCount <= compiled.lookback {
                throw AppError.badInput(
                    "\(sym) has \(result.barCount) \(result.interval) bars; \(s.name) needs more than \(compiled.lookback) to warm up"
                )
            }
            if json {
                let trades: [JSONValue] = result.trades.map { t in
                    .object([
                        ("entry_bar", .number(Double(t.entryBar))), ("exit_bar", .number(Double(t.exitBar))),
                        ("entry_date", .string(t.entrySession.description)),
                        ("exit_date", .string(t.exitSession.description)),
                        ("size", .number(t.size)), ("entry_price", .number(t.entryPrice)),
                        ("exit_price", .number(t.exitPrice)),
                        ("pnl", .number(t.pnl)), ("return_pct", .number(t.returnFraction * 100)),
                        ("bars_held", .number(Double(t.barsHeld))),
                        ("exit_reason", .string(t.exitReason.rawValue)),
                    ])
                }
                emit(
                    JSONValue.object([
                        ("strategy", .string(s.name)), ("symbol", .string(sym.rawValue)),
                        ("interval", .number(Double(result.interval.sessions))),
                        ("stats", .object(statsJSON(result.stats).sorted { $0.key < $1.key })),
                        ("trades", .array(trades)), ("equity", .array(result.equity.map(JSONValue.number))),
                    ]).rendered())
                return
            }
            emit(
                "\(s.name) on \(sym), \(result.interval) bars, cash \(NumberText.shortest(config.cash)), commission \(NumberText.shortest(config.commission * 100))%"
            )
            if isatty(STDOUT_FILENO) == 1 { emit("Equity  " + Sparkline.text(result.equity, width: 60)) }
            emit("")
            emit(statsTable(result.stats))
            if !result.trades.isEmpty {
                emit("")
                var t = [
                    ["#", "ENTRY", "EXIT", "SIDE", "SIZE", "ENTRY $", "EXIT $", "P&L", "RETURN %", "BARS", "REASON"]
                ]
                for (i, tr) in result.trades.enumerated() {
                    t.append([
                        "\(i + 1)", tr.entrySession.description, tr.exitSession.description,
                        tr.isLong ? "long" : "short",
                        NumberText.shortest(abs(tr.size)), String(format: "%.2f", tr.entryPrice),
                        String(format: "%.2f", tr.exitPrice),
                        String(format: "%.2f", tr.pnl), String(format: "%.2f", tr.returnFraction * 100),
                        "\(tr.barsHeld)", tr.exitReason.rawValue,
                    ])
                }
                emit(table(t))
            }
            if let open = result.openTrade {
                emit(
                    "\nOpen at the end: \(open.isLong ? "long" : "short") \(NumberText.shortest(abs(open.size))) since \(open.entrySession) (unrealised \(String(format: "%.2f", open.pnl)); --close-at-end counts it)"
                )
            }
        }
    }
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract:
            "Backtest every combination of parameter ranges; print the ranked table and, for two parameters, a heat map."
    )

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Argument(help: "The symbol.") var symbol: String
    @Option(name: .customLong("param"), help: "NAME=FROM:TO:STEP or NAME=V1,V2 (repeatable).") var params: [String] = []
    @Option(name: .long, help: "Metric: return, sharpe, sortino, sqn, drawdown, calmar, winrate.") var metric: String =
        "sharpe"
    @Option(name: .long, help: "Refuse grids larger than this.") var max: Int = 10_000
    @Option(name: .long, help: "Run a random subset of this many combinations.") var random: Int?
    @Option(name: .long, help: "Rows to show.") var top: Int = 20
    @OptionGroup var options: BacktestOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            guard !params.isEmpty else {
                throw AppError.badInput(
                    "give at least one --param NAME=FROM:TO:STEP (parameters: \(s.parameters.map(\.name).joined(separator: ", ")))"
                )
            }
            guard let m = BacktestRunner.Metric(rawValue: metric) else {
                throw AppError.badInput(
                    "--metric must be one of \(BacktestRunner.Metric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let ranges: [BacktestRunner.ParameterRange]
            do {
                ranges = try params.map { p throws(StrategyError) in
                    try BacktestRunner.ParameterRange.parse(p, strategy: s)
                }
            } catch {
                throw AppError.badInput("--param \(error)")
            }
            let (sym, daily, store) = try loadDaily(symbol, env: env)
            let latest = Int32(
                store.calendar.latestClosedSessionIndex(at: env.now(), graceMinutes: env.config.closeGraceMinutes))
            let grid = ranges.reduce(1) { $0 * $1.values.count }
            if min(grid, random ?? grid) > max {
                throw AppError.badInput(
                    "--param: the grid has \(grid) combinations, over the cap of \(max) — narrow the ranges, "
                        + "raise --max or use --random N")
            }
            let sweep: BacktestRunner.Sweep
            let started = Date()
            do {
                sweep = try BacktestRunner.sweep(
                    s, daily: daily, interval: try options.intervalValue(), ranges: ranges,
                    configuration: try options.configuration(for: s), latestClosed: latest, metric: m,
                    cap: max, randomSubset: random, range: try options.dateRange(), executor: Workers.allCores)
            } catch let e as StrategyError { throw AppError.badInput(e.description) }
            func score(_ r: BacktestRunner.SweepRow) -> Double { r.stats.flatMap(m.score) ?? -.infinity }
            let ranked = sweep.rows.sorted { score($0) > score($1) }
            if json {
                emit(
                    JSONValue.object([
                        ("metric", .string(m.statistic)), ("grid_size", .number(Double(sweep.gridSize))),
                        (
                            "rows",
                            .array(
                                ranked.map { r in
                                    .object([
                                        (
                                            "parameters",
                                            .object(
                                                r.parameters.sorted { $0.key < $1.key }.map {
                                                    ($0.key, .number($0.value))
                                                })
                                        ),
                                        ("score", r.stats.flatMap(m.score).map(JSONValue.number) ?? .null),
                                        ("problem", r.problem.map(JSONValue.string) ?? .null),
                                    ])
                                })
                        ),
                        (
                            "heatmap",
                            sweep.heatmap.map { h in
                                .object([
                                    (
                                        "x",
                                        .object([
                                            ("name", .string(h.x.name)),
                                            ("values", .array(h.x.values.map(JSONValue.number))),
                                        ])
                                    ),
                                    (
                                        "y",
                                        .object([
                                            ("name", .string(h.y.name)),
                                            ("values", .array(h.y.values.map(JSONValue.number))),
                                        ])
                                    ),
                                    (
                                        "values",
                                        .array(
                                            h.values.map { row in .array(row.map { $0.map(JSONValue.number) ?? .null })
                                            })
                                    ),
                                ])
                            } ?? .null
                        ),
                    ]).rendered())
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
            if let h = sweep.heatmap {
                emit("\n\(m.statistic) by \(h.x.name) (columns) and \(h.y.name) (rows): ░▒▓█ low → high")
                let all = h.values.flatMap { $0 }.compactMap { $0 }
                let lo = all.min() ?? 0
                let hi = all.max() ?? 1
                let shades = Array(" ░▒▓█")
                emit(
                    "        "
                        + h.x.values.map { IndicatorSpec.format($0).padding(toLength: 4, withPad: " ", startingAt: 0) }
                        .joined())
                for (y, row) in h.values.enumerated() {
                    let cells = row.map { v -> String in
                        guard let v else { return "  · " }
                        let k = hi > lo ? Int((v - lo) / (hi - lo) * 3.999) + 1 : 4
                        return String(repeating: String(shades[k]), count: 3) + " "
                    }
                    emit(
                        IndicatorSpec.format(h.y.values[y]).padding(toLength: 8, withPad: " ", startingAt: 0)
                            + cells.joined())
                }
            }
            if let best = sweep.best {
                emit(
                    "\nBest: "
                        + names.map { "\($0)=\(IndicatorSpec.format(best.parameters[$0]!))" }.joined(separator: " ")
                        + " — \(sweep.rows.count) of \(sweep.gridSize) combinations on \(sym) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s"
                )
            }
        }
    }
}

struct WalkForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walkforward",
        abstract: "Rolling walk-forward: optimise on an in-sample window, trade the next out-of-sample window.")

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Argument(help: "The symbol.") var symbol: String
    @Option(name: .customLong("param"), help: "NAME=FROM:TO:STEP (repeatable).") var params: [String] = []
    @Option(name: .long, help: "In-sample bars per window.") var inSample: Int = 504
    @Option(name: .long, help: "Out-of-sample bars per window.") var outOfSample: Int = 126
    @Option(name: .long, help: "Metric to optimise.") var metric: String = "sharpe"
    @OptionGroup var options: BacktestOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            guard let m = BacktestRunner.Metric(rawValue: metric) else {
                throw AppError.badInput(
                    "--metric must be one of \(BacktestRunner.Metric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !params.isEmpty else { throw AppError.badInput("give at least one --param NAME=FROM:TO:STEP") }
            let (sym, daily, store) = try loadDaily(symbol, env: env)
            let latest = Int32(
                store.calendar.latestClosedSessionIndex(at: env.now(), graceMinutes: env.config.closeGraceMinutes))
            let windows: [BacktestRunner.WalkForwardWindow]
            do {
                let ranges = try params.map { p throws(StrategyError) in
                    try BacktestRunner.ParameterRange.parse(p, strategy: s)
                }
                windows = try BacktestRunner.walkForward(
                    s, daily: daily, interval: try options.intervalValue(), ranges: ranges,
                    inSampleBars: inSample, outOfSampleBars: outOfSample,
                    configuration: try options.configuration(for: s), latestClosed: latest,
                    metric: m, executor: Workers.allCores)
            } catch let e as StrategyError { throw AppError.badInput(e.description) }
            if json {
                emit(
                    JSONValue.array(
                        windows.map { w in
                            .object([
                                ("in_sample", .string("\(w.inSample.lowerBound)…\(w.inSample.upperBound)")),
                                ("out_of_sample", .string("\(w.outOfSample.lowerBound)…\(w.outOfSample.upperBound)")),
                                (
                                    "parameters",
                                    .object(w.parameters.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })
                                ),
                                ("in_sample_stats", .object(statsJSON(w.inSampleStats).sorted { $0.key < $1.key })),
                                (
                                    "out_of_sample_stats",
                                    .object(statsJSON(w.outOfSampleStats).sorted { $0.key < $1.key })
                                ),
                            ])
                        }
                    ).rendered())
                return
            }
            var t = [
                [
                    "IN SAMPLE", "OUT OF SAMPLE", "PARAMETERS", "IS \(m.rawValue)", "OOS \(m.rawValue)", "IS RET %",
                    "OOS RET %",
                ]
            ]
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
                    v(w.inSampleStats, "Return [%]"),
                    v(w.outOfSampleStats, "Return [%]"),
                ])
            }
            emit(table(t))
            emit("\n\(windows.count) windows of \(inSample) + \(outOfSample) bars on \(sym).")
        }
    }
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the stored universe for today's signals and store the top picks per strategy.",
        discussion:
            "A signal fires when a strategy's trigger is true on the scan session and its setup holds; confidence is the share of 1d, 3d and 5d bars on which the setup also holds. Picks rank by confidence, then market cap, then symbol. Re-running a scan replaces that session's rows."
    )

    @Argument(help: "Strategies (default: the built-in library).") var strategies: [String] = []
    @Option(name: .long, help: "Scan session (default: the latest closed one).") var date: String?
    @Option(name: .long, help: "Picks per strategy.") var top: Int = 10
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let catalog = StrategyCatalog(directory: env.strategiesDirectory)
            let list = try (strategies.isEmpty ? StrategyLibrary.all.map(\.id) : strategies).map {
                try catalog.strategy($0)
            }
            guard env.databaseExists else { throw AppError.badInput("no data yet — run: tradlyte refresh") }
            let store = try env.openStore()
            let cal = store.calendar
            let session: SessionDate
            if let date {
                let d = try parseDate(date, option: "--date")
                guard cal.isSession(d) else {
                    throw AppError.badInput("--date \(d) (\(d.weekdayName)) is not an NYSE session")
                }
                session = d
            } else {
                guard let latest = try store.summary().latestSession else {
                    throw AppError.badInput("no data yet — run: tradlyte refresh")
                }
                session = latest
            }
            let result = try ScanService.scan(list, store: store, session: session, top: top, at: env.now())
            let picks = list.flatMap { result.picks[$0.name] ?? [] }
            if json {
                emit(
                    JSONValue.array(
                        picks.map { p in
                            .object([
                                ("strategy", .string(p.strategy)), ("rank", .number(Double(p.rank))),
                                ("symbol", .string(p.symbol.rawValue)), ("confidence", .number(p.confidence)),
                                ("price", .number(p.price)), ("market_cap", p.marketCap.map(JSONValue.number) ?? .null),
                                ("sector", p.sector.map(JSONValue.string) ?? .null),
                            ])
                        }
                    ).rendered())
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
                emit("\(s.name): \(result.signals[s.name]!.count) signals, top \(top) shown")
            }
        }
    }
}
