import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

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

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let s = try StrategyCatalog(directory: env.strategiesDirectory).strategy(strategy)
            let request = StudyRequest(
                strategy: s, parameters: try Studies.parameters(params, strategy: s),
                interval: try interval.map { try FibInterval(parsing: $0) })
            let history = try Studies.history(symbol, env: env)
            let report = try Studies.signals(request, history: history, all: all)
            if json {
                emit(try jsonText(report.rows))
                return
            }
            var rows = [["BAR", "CLOSE", "SETUP", "TRIGGER", "EXIT", "EVENT"]]
            for r in report.rows {
                let event = r.entry ? (report.buys ? "ENTRY buy" : "ENTRY sell") : (r.exit == 1 ? "EXIT" : "")
                rows.append([
                    "\(r.start)…\(r.end)", NumberText.shortest(r.close), r.setup.map(String.init) ?? "",
                    r.trigger.map(String.init) ?? "", r.exit.map(String.init) ?? "", event,
                ])
            }
            emit(table(rows))
            emit(
                "\n\(s.name) on \(history.symbol), \(report.interval) bars: \(report.entries) entries, "
                    + "\(report.ruleExits) rule exits over \(report.bars) bars (warm-up \(report.lookback)).")
        }
    }
}

struct IndicatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicator",
        abstract: "Print the value(s) of an indicator expression for each bar of a symbol.",
        discussion:
            "EXPR is any rule expression: 'rsi(14)', 'macd(12,26,9)' (all three outputs), 'bb(20,2)', 'close - sma(50)', 'close > sma(200)'. Values are empty where not available (warm-up). Conditions print 1 or 0."
    )

    @Argument(help: "The expression, quoted (none: list the indicators).") var expression: String?
    @Argument(help: "The symbol.") var symbol: String?
    @Option(name: .long, help: "Sessions per bar: 1, 3, 5, 8, 13, 21, 34 or 55.") var interval: String = "1"
    @Flag(name: .long, help: "Print CSV.") var csv = false
    @Option(name: .long, help: "Only the last N bars.") var last: Int?

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            guard let expression else {
                try StrategyCommand.IndicatorsList().run()
                emit("\nUsage: tradlyte indicator 'rsi(14)' ACME [--interval 5] [--csv] [--last 20]")
                return
            }
            guard let symbol else {
                throw AppError.badInput(
                    "give the symbol after the expression, e.g. tradlyte indicator '\(expression)' ACME")
            }
            let iv = try FibInterval(parsing: interval)
            let history = try Studies.history(symbol, env: env)
            let rows = try Studies.indicator(expression, history: history, interval: iv, last: last)
            emit(csv ? rows.map { $0.joined(separator: ",") }.joined(separator: "\n") : table(rows))
        }
    }
}
