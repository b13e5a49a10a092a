import Foundation
import TradLyteCore

/// The JSON documents the studies write (`--json`, and the UI's export): one shape for each
/// study, whoever asks.
package enum StudyJSON {
    /// Statistics by backtesting.py's names; a missing value is `{"value": null, "reason": …}`.
    package static func stats(_ stats: BacktestStatistics) -> JSONValue {
        var out: [(String, JSONValue)] = []
        for (name, value) in stats.entries {
            switch value {
            case .number(let v), .days(let v): out.append((name, .number(v)))
            case .count(let n): out.append((name, .number(Double(n))))
            case .date(let d): out.append((name, .string(d.description)))
            case .missing(let why): out.append((name, .object([("value", .null), ("reason", .string(why))])))
            }
        }
        return .object(out.sorted { $0.0 < $1.0 })
    }

    /// One trade, the open one flagged.
    package static func trade(_ t: BacktestTrade, open: Bool = false) -> JSONValue {
        .object([
            ("entry_bar", .number(Double(t.entryBar))),
            ("exit_bar", .number(Double(t.exitBar))),
            ("entry_date", .string(t.entrySession.description)),
            ("exit_date", .string(t.exitSession.description)),
            ("size", .number(t.size)),
            ("entry_price", .number(t.entryPrice)),
            ("exit_price", .number(t.exitPrice)),
            ("pnl", .number(t.pnl)),
            ("return_pct", .number(t.returnFraction * 100)),
            ("bars_held", .number(Double(t.barsHeld))),
            ("exit_reason", .string(open ? "open" : t.exitReason.rawValue)),
        ])
    }

    /// A single backtest: settings, statistics, the closed trades (as `# Trades` counts them),
    /// the trade still open at the end (or null) and the equity.
    package static func backtest(_ result: BacktestResult, request: StudyRequest, symbol: Symbol) -> JSONValue {
        .object([
            ("strategy", .string(request.strategy.name)),
            ("symbol", .string(symbol.rawValue)),
            ("interval", .number(Double(result.interval.sessions))),
            ("parameters", parameters(request)),
            ("stats", stats(result.stats)),
            ("trades", .array(result.trades.map { trade($0) })),
            ("open_trade", result.openTrade.map { trade($0, open: true) } ?? .null),
            ("equity", .array(result.equity.map(JSONValue.number))),
        ])
    }

    /// The ranked run across symbols.
    package static func acrossSymbols(_ rows: [BacktestRunner.SymbolRow]) -> JSONValue {
        .array(
            rows.map { r in
                .object([
                    ("symbol", .string(r.symbol.rawValue)),
                    ("stats", r.result.map { stats($0.stats) } ?? .null),
                    ("problem", r.problem.map(JSONValue.string) ?? .null),
                ])
            })
    }

    /// A sweep's rows, best first, and its heat map for two parameters.
    package static func sweep(_ sweep: BacktestRunner.Sweep, ranked: [BacktestRunner.SweepRow]) -> JSONValue {
        let m = sweep.metric
        func stat(_ r: BacktestRunner.SweepRow, _ name: String) -> JSONValue {
            r.stats?[name]?.number.map(JSONValue.number) ?? .null
        }
        // Each row carries what the text table prints (the statistic, return, trades) and the
        // drawdown and Sharpe a reader weighs it against.
        let rows: [JSONValue] = ranked.map { r in
            .object([
                ("parameters", numbers(r.parameters)),
                ("score", r.stats.flatMap(m.score).map(JSONValue.number) ?? .null),
                ("statistic", .string(m.statistic)),
                ("return_pct", stat(r, "Return [%]")),
                ("trades", stat(r, "# Trades")),
                ("max_drawdown_pct", stat(r, "Max. Drawdown [%]")),
                ("sharpe", stat(r, "Sharpe Ratio")),
                ("problem", r.problem.map(JSONValue.string) ?? .null),
            ])
        }
        let heatmap: JSONValue =
            sweep.heatmap.map { h in
                .object([
                    ("x", axis(h.x)),
                    ("y", axis(h.y)),
                    ("values", .array(h.values.map { row in .array(row.map { $0.map(JSONValue.number) ?? .null }) })),
                ])
            } ?? .null
        return .object([
            ("metric", .string(m.statistic)),
            ("grid_size", .number(Double(sweep.gridSize))),
            ("rows", .array(rows)),
            ("heatmap", heatmap),
        ])
    }

    /// The walk-forward: its windows, their sizes, the out-of-sample windows traded back to back
    /// (return and equity by session) and the walk-forward efficiency — all the text prints.
    package static func walkForward(_ study: BacktestRunner.WalkForward) -> JSONValue {
        let windows: JSONValue = .array(
            study.windows.map { w in
                .object([
                    ("in_sample", .string("\(w.inSample.lowerBound)…\(w.inSample.upperBound)")),
                    ("out_of_sample", .string("\(w.outOfSample.lowerBound)…\(w.outOfSample.upperBound)")),
                    ("parameters", numbers(w.parameters)),
                    ("in_sample_stats", stats(w.inSampleStats)),
                    ("out_of_sample_stats", stats(w.outOfSampleStats)),
                ])
            })
        let sessions = TradingCalendar.nyse.sessions
        let stitched: JSONValue = .array(
            zip(study.stitchedSessions, study.stitchedEquity).map { session, equity in
                .object([("session", .string(sessions[Int(session)].description)), ("equity", .number(equity))])
            })
        let stitchedReturn = study.stitchedEquity.last.map { ($0 / study.cash - 1) * 100 }
        return .object([
            ("windows", windows),
            ("in_sample_bars", .number(Double(study.inSampleBars))),
            ("out_of_sample_bars", .number(Double(study.outOfSampleBars))),
            ("stitched_return_pct", stitchedReturn.map(JSONValue.number) ?? .null),
            ("efficiency", study.efficiency.map(JSONValue.number) ?? .null),
            ("uncovered_bars", .number(Double(study.uncoveredBars))),
            ("uncovered_from", study.uncoveredFrom.map { .string($0.description) } ?? .null),
            ("stitched_equity", stitched),
        ])
    }

    static func axis(_ range: BacktestRunner.ParameterRange) -> JSONValue {
        .object([("name", .string(range.name)), ("values", .array(range.values.map(JSONValue.number)))])
    }

    package static func numbers(_ values: [String: Double]) -> JSONValue {
        .object(values.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })
    }

    static func parameters(_ request: StudyRequest) -> JSONValue {
        var values: [String: Double] = [:]
        for p in request.strategy.parameters { values[p.name] = request.parameters[p.name] ?? p.defaultValue }
        return numbers(values)
    }
}
