import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// Loads a symbol's whole daily history (recursive indicators are computed over all of it).
func loadDaily(_ symbolText: String, env: AppEnvironment) throws -> (Symbol, BarSeries, MarketStore) {
    guard env.databaseExists else { throw StoreError.unknownSymbol(try Symbol(typed: symbolText).rawValue) }
    let store = try env.openStore()
    let symbol = try store.resolveSymbol(symbolText)
    let daily = try store.dailySeries(symbol)
    guard !daily.isEmpty else { throw StoreError.unknownSymbol(symbol.rawValue) }
    return (symbol, daily, store)
}

struct SignalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signals",
        abstract: "Show a strategy's setup, trigger, entry and exit signals on a symbol.",
        discussion:
            "By default prints the bars with an entry or a rule exit; --all prints every bar's states (setup/trigger/exit: 1 true, 0 false, blank unknown)."
    )

    @Argument(help: "Strategy id, name or file.") var strategy: String
    @Argument(help: "The symbol.") var symbol: String
    @Option(name: .long, help: "Base interval in sessions (default: the strategy's).") var interval: String?
    @Flag(name: .long, help: "Print every bar, not only events.") var all = false
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Option(name: .customLong("param"), help: "Override a parameter: NAME=VALUE (repeatable).") var params: [String] =
        []

    struct Row: Encodable {
        var start: String, end: String, close: Double
        var setup: Int?, trigger: Int?, exit: Int?
        var entry: Bool
    }

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let catalog = StrategyCatalog(directory: env.strategiesDirectory)
            let s = try catalog.strategy(strategy)
            let overrides = try parseOverrides(params, strategy: s)
            let base = try interval.map { try FibInterval(parsing: $0) }
            let (sym, daily, store) = try loadDaily(symbol, env: env)
            let compiled: CompiledStrategy
            do { compiled = try CompiledStrategy(s, parameters: overrides) } catch {
                throw AppError.badInput("the strategy does not compile with these parameters:\n\(error)")
            }
            let latest = Int32(
                store.calendar.latestClosedSessionIndex(at: Date(), graceMinutes: env.config.closeGraceMinutes))
            let signals = compiled.signals(daily: daily, interval: base, latestClosed: latest)
            let cal = store.calendar
            func tri(_ v: Int8) -> Int? { v == Truth.unknown ? nil : Int(v) }
            let entries = signals.entries
            let exits = signals.exits
            var rows: [Row] = []
            let bars = signals.bars
            for (i, bar) in bars.enumerated() where all || entries[i] || exits[i] {
                let span = bar.calendarSessions(interval: signals.interval)
                rows.append(
                    Row(
                        start: cal.sessions[Int(span.lowerBound)].description,
                        end: cal.sessions[Int(bar.lastSession)].description,
                        close: bar.close, setup: tri(signals.setup[i]), trigger: tri(signals.trigger[i]),
                        exit: tri(signals.exitRule[i]), entry: entries[i]))
            }
            if signals.count <= compiled.lookback {
                throw AppError.badInput(
                    "\(sym) has \(signals.count) \(signals.interval) bars; \(s.name) needs more than \(compiled.lookback) to warm up — use a shorter interval or import more history"
                )
            }
            if json {
                emit(try jsonText(rows))
                return
            }
            var table_ = [["BAR", "CLOSE", "SETUP", "TRIGGER", "EXIT", "EVENT"]]
            for r in rows {
                let event =
                    r.entry ? (signals.action == .buy ? "ENTRY buy" : "ENTRY sell") : (r.exit == 1 ? "EXIT" : "")
                table_.append([
                    "\(r.start)…\(r.end)", NumberText.shortest(r.close), r.setup.map(String.init) ?? "",
                    r.trigger.map(String.init) ?? "",
                    r.exit.map(String.init) ?? "", event,
                ])
            }
            emit(table(table_))
            emit(
                "\n\(s.name) on \(sym), \(signals.interval) bars: \(entries.filter { $0 }.count) entries, \(exits.filter { $0 }.count) rule exits over \(signals.count) bars (warm-up \(compiled.lookback))."
            )
        }
    }
}

/// Parses `--param NAME=VALUE` against the strategy's declared parameters.
func parseOverrides(_ items: [String], strategy: Strategy) throws -> [String: Double] {
    var result: [String: Double] = [:]
    for item in items {
        let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let value = Double(parts[1]) else {
            throw AppError.badInput("--param \(item): write NAME=VALUE, e.g. --param fast=20")
        }
        guard strategy.parameters.contains(where: { $0.name == parts[0] }) else {
            let names = strategy.parameters.map(\.name).joined(separator: ", ")
            throw AppError.badInput(
                "--param \(item): \(strategy.name) has no parameter '\(parts[0])' (parameters: \(names.isEmpty ? "none" : names))"
            )
        }
        result[parts[0]] = value
    }
    return result
}

struct IndicatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicator",
        abstract: "Print the value(s) of an indicator expression for each bar of a symbol.",
        discussion:
            "EXPR is any rule expression: 'rsi(14)', 'macd(12,26,9)' (all three outputs), 'bb(20,2)', 'close - sma(50)', 'close > sma(200)'. Values are empty where not available (warm-up). Conditions print 1 or 0."
    )

    @Argument(help: "The expression, quoted.") var expression: String
    @Argument(help: "The symbol.") var symbol: String
    @Option(name: .long, help: "Sessions per bar: 1, 3, 5, 8, 13, 21, 34 or 55.") var interval: String = "1"
    @Flag(name: .long, help: "Print CSV.") var csv = false
    @Option(name: .long, help: "Only the last N bars.") var last: Int?

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let iv = try FibInterval(parsing: interval)
            let rule: CompiledRule
            do { rule = try RuleCompiler().compile(expression) } catch {
                throw AppError.badInput("cannot read the expression:\n\(error)")
            }
            let (_, daily, store) = try loadDaily(symbol, env: env)
            let latest = Int32(
                store.calendar.latestClosedSessionIndex(at: Date(), graceMinutes: env.config.closeGraceMinutes))
            let bars = FibResampler.resample(daily, interval: iv, latestClosed: latest)
            let columns = rule.columns(on: IndicatorInputs(bars))
            let cal = store.calendar
            var rows: [[String]] = [["session"] + columns.map(\.name)]
            let from = max(0, bars.count - (last ?? bars.count))
            for i in from..<bars.count {
                rows.append(
                    [cal.sessions[Int(bars[i].lastSession)].description]
                        + columns.map { $0.values[i].isNaN ? "" : NumberText.shortest($0.values[i]) })
            }
            emit(csv ? rows.map { $0.joined(separator: ",") }.joined(separator: "\n") : table(rows))
        }
    }
}
