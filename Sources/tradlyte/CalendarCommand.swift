import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Query the NYSE trading calendar (1990–2040).",
        subcommands: [Sessions.self, EarlyCloses.self, Next.self])

    struct Range: ParsableArguments {
        @Option(name: .long, help: "First date (YYYY-MM-DD).")
        var from: String

        @Option(name: .long, help: "Last date (YYYY-MM-DD).")
        var to: String

        func resolve() throws -> ClosedRange<SessionDate> {
            let from = try parseDate(self.from, option: "--from")
            let to = try parseDate(self.to, option: "--to")
            guard from <= to else { throw AppError.badInput("--from \(from) is after --to \(to)") }
            let cal = TradingCalendar.nyse
            guard cal.covers(from), cal.covers(to) else {
                throw AppError.badInput(
                    "the calendar covers \(cal.firstDay) … \(cal.lastDay); \(cal.covers(from) ? to : from) is outside it"
                )
            }
            return from...to
        }
    }

    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the sessions in a date range, one ISO date a line.")
        @OptionGroup var range: Range

        func run() throws {
            try runReportingErrors {
                let days = TradingCalendar.nyse.sessions(in: try range.resolve())
                if !days.isEmpty { emit(days.map(\.description).joined(separator: "\n")) }
            }
        }
    }

    struct EarlyCloses: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "early-closes",
            abstract: "Print the early-close sessions in a date range, one ISO date a line.")
        @OptionGroup var range: Range

        @Flag(name: .long, help: "Add the close time (ET) after each date.")
        var times = false

        func run() throws {
            try runReportingErrors {
                let closes = TradingCalendar.nyse.earlyCloses(in: try range.resolve())
                if !closes.isEmpty {
                    emit(
                        closes.map {
                            times ? "\($0.session) \(SessionTimes.clock($0.closeMinute))" : $0.session.description
                        }
                        .joined(separator: "\n"))
                }
            }
        }
    }

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next session that has not closed yet, with its open and close in ET.")

        @Option(name: .long, help: "Ask as of this instant instead of now (ISO 8601, e.g. 2026-11-26T15:00:00Z).")
        var at: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        struct Report: Encodable {
            var session: String
            var weekday: String
            var open_et: String
            var close_et: String
            var early_close: Bool
            var open_utc: String
            var close_utc: String
            var is_open_now: Bool
        }

        func run() throws {
            try runReportingErrors {
                // The environment's clock (TRADLYTE_NOW pins it), also when the config cannot be read.
                let now = try at.map(parseInstant) ?? ((try? AppEnvironment.load())?.now() ?? SystemClock().now())
                guard let next = TradingCalendar.nyse.nextSession(at: now) else {
                    throw AppError.failure(
                        "no session after \(now) within the calendar (it ends \(TradingCalendar.nyse.lastDay))")
                }
                let report = Report(
                    session: next.session.description, weekday: next.session.weekdayName,
                    open_et: SessionTimes.clock(next.openMinute), close_et: SessionTimes.clock(next.closeMinute),
                    early_close: next.isEarlyClose, open_utc: Timestamp.format(next.open, milliseconds: false),
                    close_utc: Timestamp.format(next.close, milliseconds: false),
                    is_open_now: now >= next.open && now < next.close)
                if json {
                    emit(try jsonText(report))
                } else {
                    var line =
                        "\(report.session) \(report.weekday) opens \(report.open_et) ET, closes \(report.close_et) ET"
                    if report.early_close { line += " (early close)" }
                    if report.is_open_now { line += " — open now" }
                    emit(line)
                }
            }
        }
    }
}
