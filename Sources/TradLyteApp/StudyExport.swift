import Foundation
import TradLyteCore

/// What the UI's `e` writes from each result pane — the document the CLI's `--json` prints for
/// the same study, plus CSV files of its tables — into `<data dir>/exports/`, atomically.
package enum StudyExport {
    /// Writes `files` (a suffix such as ".json" or "-trades.csv", and the text) beside `base`.
    static func write(_ base: String, _ files: [(suffix: String, text: String)]) throws -> [String] {
        try FileManager.default.createDirectory(
            atPath: (base as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var paths: [String] = []
        for (suffix, text) in files {
            let path = base + suffix
            try AtomicFile.replace(path, with: Data(text.utf8), mode: 0o644, what: "the export directory")
            paths.append(path)
        }
        return paths
    }

    /// A CSV field: quoted when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ v: Double?) -> String { v.map { $0.isFinite ? NumberText.shortest($0) : "" } ?? "" }

    static func base(_ directory: String, _ parts: [String]) -> String {
        directory + "/" + parts.map { $0.replacingOccurrences(of: "/", with: "_") }.joined(separator: "-")
    }

    /// A sweep: the JSON of `tradlyte sweep --json` (rows best first) and every combination as a
    /// CSV row with its statistic, return, trades, drawdown and Sharpe.
    package static func sweep(
        _ sweep: BacktestRunner.Sweep, strategy: String, symbol: String, interval: FibInterval, through: String,
        directory: String
    ) throws -> [String] {
        let m = sweep.metric
        func score(_ r: BacktestRunner.SweepRow) -> Double { r.stats.flatMap(m.score) ?? -.infinity }
        let ranked = sweep.rows.sorted { score($0) > score($1) }
        let names = Array(Set(sweep.rows.flatMap { $0.parameters.keys })).sorted()
        var csv =
            (names + ["statistic", "score", "return_pct", "trades", "max_drawdown_pct", "sharpe", "problem"])
            .joined(separator: ",") + "\n"
        for r in ranked {
            let stats = r.stats
            let cells =
                names.map { number(r.parameters[$0]) } + [
                    field(m.statistic), number(stats.flatMap(m.score)), number(stats?["Return [%]"]?.number),
                    number(stats?["# Trades"]?.number), number(stats?["Max. Drawdown [%]"]?.number),
                    number(stats?["Sharpe Ratio"]?.number), field(r.problem ?? ""),
                ]
            csv += cells.joined(separator: ",") + "\n"
        }
        let json = StudyJSON.sweep(sweep, ranked: ranked).rendered() + "\n"
        let name = base(directory, ["sweep", strategy, symbol, "\(interval.sessions)d", through])
        return try write(name, [(".json", json), ("-grid.csv", csv)])
    }

    /// A walk-forward: the JSON of `tradlyte walkforward --json`, the windows as CSV, and the
    /// out-of-sample windows' equity traded back to back.
    package static func walkForward(
        _ study: BacktestRunner.WalkForward, metric: BacktestRunner.Metric, strategy: String, symbol: String,
        interval: FibInterval, through: String, directory: String
    ) throws -> [String] {
        let names = Array(Set(study.windows.flatMap { $0.parameters.keys })).sorted()
        var windows =
            (["in_sample_from", "in_sample_to", "out_of_sample_from", "out_of_sample_to"] + names + [
                "in_sample_\(metric.rawValue)", "out_of_sample_\(metric.rawValue)", "in_sample_return_pct",
                "out_of_sample_return_pct",
            ]).joined(separator: ",") + "\n"
        for w in study.windows {
            let cells =
                [
                    w.inSample.lowerBound.description, w.inSample.upperBound.description,
                    w.outOfSample.lowerBound.description, w.outOfSample.upperBound.description,
                ] + names.map { number(w.parameters[$0]) } + [
                    number(w.inSampleStats[metric.statistic]?.number),
                    number(w.outOfSampleStats[metric.statistic]?.number),
                    number(w.inSampleStats["Return [%]"]?.number), number(w.outOfSampleStats["Return [%]"]?.number),
                ]
            windows += cells.joined(separator: ",") + "\n"
        }
        var equity = "session,equity\n"
        let sessions = TradingCalendar.nyse.sessions
        for (session, value) in zip(study.stitchedSessions, study.stitchedEquity) {
            equity += "\(sessions[Int(session)]),\(number(value))\n"
        }
        let json = StudyJSON.walkForward(study).rendered() + "\n"
        let name = base(directory, ["walkforward", strategy, symbol, "\(interval.sessions)d", through])
        return try write(name, [(".json", json), ("-windows.csv", windows), ("-equity.csv", equity)])
    }

    /// A watchlist run: the JSON of `tradlyte backtest --watchlist --json` and its ranked table.
    package static func watchlist(
        _ rows: [BacktestRunner.SymbolRow], strategy: String, interval: FibInterval, through: String,
        directory: String
    ) throws -> [String] {
        let columns = [
            "Return [%]", "Buy & Hold Return [%]", "Sharpe Ratio", "Max. Drawdown [%]", "Win Rate [%]", "CAGR [%]",
            "# Trades",
        ]
        var csv = (["symbol"] + columns.map(field) + ["problem"]).joined(separator: ",") + "\n"
        for r in rows {
            let cells = [r.symbol.rawValue] + columns.map { number(r.result?.stats[$0]?.number) }
            csv += (cells + [field(r.problem ?? "")]).joined(separator: ",") + "\n"
        }
        let json = StudyJSON.acrossSymbols(rows).rendered() + "\n"
        let name = base(directory, ["watchlist", strategy, "\(interval.sessions)d", through])
        return try write(name, [(".json", json), ("-ranking.csv", csv)])
    }

    /// A portfolio: the JSON of `tradlyte portfolio --json`, its trades, its equity (with cash,
    /// exposure, positions and the benchmark per session) and its statistics.
    package static func portfolio(
        _ r: PortfolioBacktester.Result, request: StudyRequest, directory: String
    ) throws -> [String] {
        var trades =
            "symbol,entry_date,exit_date,side,size,entry_price,exit_price,pnl,return_pct,bars_held,exit_reason\n"
        func line(_ t: PortfolioBacktester.Trade, open: Bool) -> String {
            let x = t.trade
            return [
                t.symbol.rawValue, x.entrySession.description, open ? "" : x.exitSession.description,
                x.isLong ? "long" : "short", number(abs(x.size)), number(x.entryPrice), number(x.exitPrice),
                number(x.pnl), number(x.returnFraction * 100), "\(x.barsHeld)", open ? "open" : x.exitReason.rawValue,
            ].joined(separator: ",") + "\n"
        }
        for t in r.trades { trades += line(t, open: false) }
        for t in r.openTrades { trades += line(t, open: true) }
        var equity = "session,equity,cash,exposure,positions,benchmark\n"
        let sessions = TradingCalendar.nyse.sessions
        for i in r.equity.indices {
            let cells = [
                sessions[Int(r.lastSessions[i])].description, number(r.equity[i]),
                i < r.cash.count ? number(r.cash[i]) : "", i < r.exposure.count ? number(r.exposure[i]) : "",
                i < r.positions.count ? "\(r.positions[i])" : "", i < r.benchmark.count ? number(r.benchmark[i]) : "",
            ]
            equity += cells.joined(separator: ",") + "\n"
        }
        var stats = "statistic,value\n"
        for (name, value) in r.stats.entries { stats += "\(field(name)),\(field(value.display))\n" }
        let json = Portfolios.json(r, request: request).rendered() + "\n"
        let last = r.lastSessions.last.map { sessions[Int($0)].description } ?? "empty"
        let name = base(
            directory, ["portfolio", StrategyCatalog.id(for: request.strategy.name), "\(r.interval.sessions)d", last])
        return try write(
            name, [(".json", json), ("-trades.csv", trades), ("-equity.csv", equity), ("-statistics.csv", stats)])
    }
}
