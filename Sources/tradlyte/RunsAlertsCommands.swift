import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Show recent pipeline runs and their stages.")
    @Option(name: .long, help: "How many runs.") var last: Int = 5
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let env = try AppEnvironment.load()
            let rows = try RunHistory.rows(last: last, env: env)
            if json {
                emit(try jsonText(rows))
                return
            }
            if rows.isEmpty {
                emit("No runs yet — run: tradlyte refresh")
                return
            }
            for r in rows {
                emit(
                    "#\(r.id) \(r.trigger) \(r.status) at \(Timestamp.format(r.started_at, milliseconds: false))"
                        + (r.summary.map { " — \($0)" } ?? ""))
                var t: [[String]] = []
                for s in r.stages {
                    t.append([
                        "  " + s.stage, s.status, "\(s.attempts)", s.seconds.map { String(format: "%.2f s", $0) } ?? "",
                        s.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                            + (s.error.map { " — \($0)" } ?? ""),
                    ])
                }
                if !t.isEmpty { emit(table([["  STAGE", "STATUS", "TRIES", "TIME", "COUNTS"]] + t)) }
            }
        }
    }
}

struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "The alert inbox and its rules (evaluated after every refresh).",
        subcommands: [List.self, Rules.self, Add.self, Remove.self, Read.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show fired alerts, newest first.")
        @Flag(name: .long, help: "Only unread alerts.") var unread = false
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let alerts = env.databaseExists ? try env.openStore().alerts(unreadOnly: unread) : []
                if json {
                    // The document `GET /v1/alerts` serves.
                    emit(JSONValue.array(alerts.map(AlertService.json)).rendered())
                    return
                }
                if alerts.isEmpty {
                    emit(
                        unread
                            ? "No unread alerts."
                            : "No alerts yet. Add a rule: tradlyte alerts add price_above ACME --value 120")
                    return
                }
                emit(
                    table(
                        [["ID", "SESSION", "SYMBOL", "", "MESSAGE"]]
                            + alerts.map {
                                [
                                    "\($0.id)", $0.session.description, $0.symbol.rawValue, $0.read ? "" : "NEW",
                                    $0.message,
                                ]
                            }))
            }
        }
    }

    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alert rules.")
        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let rules = env.databaseExists ? try env.openStore().alertRules() : []
                if rules.isEmpty {
                    emit("No alert rules.")
                    return
                }
                emit(table([["ID", "KIND", "RULE"]] + rules.map { ["\($0.id)", $0.kind.rawValue, $0.summary] }))
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Add a rule: price_above|price_below SYMBOL --value P; pct_change [SYMBOL] --value PCT --sessions N; strategy_trigger [SYMBOL] --strategy NAME; new_pick [SYMBOL] [--strategy NAME].",
            discussion:
                "Without a symbol, pct_change, strategy_trigger and new_pick watch every stored symbol. new_pick fires when the refresh's scan stage picks the symbol."
        )
        @Argument(help: "price_above, price_below, pct_change, strategy_trigger or new_pick.") var kind: String
        @Argument(help: "The symbol (omit for the whole universe).") var symbol: String?
        @Option(name: .long, help: "Price level, or percent for pct_change.") var value: String?
        @Option(name: .long, help: "Sessions for pct_change (default 1).") var sessions: Int?
        @Option(name: .long, help: "Strategy for strategy_trigger.") var strategy: String?

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let (id, rule) = try AlertRules.add(
                    kind: kind, symbol: symbol,
                    value: try OptionInput.decimal(value, option: "--value", in: -1e15...1e15, example: "120"),
                    sessions: sessions, strategy: strategy, env: env)
                emit("Added rule #\(id): \(rule.summary). It is checked after every refresh.")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a rule and its alerts.")
        @Argument(help: "Rule id (tradlyte alerts rules).") var id: Int64
        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                guard env.databaseExists, try env.openStore().removeAlertRule(id) else {
                    throw AppError.badInput("no alert rule #\(id) — tradlyte alerts rules lists them")
                }
                emit("Removed rule #\(id).")
            }
        }
    }

    struct Read: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark alerts read (all when no id is given).")
        @Argument(help: "Alert ids.") var ids: [Int64] = []
        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let n = env.databaseExists ? try env.openStore().markAlertsRead(ids.isEmpty ? nil : ids) : 0
                emit("Marked \(n) alert\(n == 1 ? "" : "s") read.")
            }
        }
    }
}
