import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

/// Runs a command body, printing any error as `tradlyte: error: …` on stderr and exiting with
/// its code. Errors from the core and the store already carry their fix.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let (message, code) = describeFailure(error)
        emitError("tradlyte: error: \(message)")
        throw ExitCode(code)
    }
}

/// Encodes a value as pretty, key-sorted JSON (the API serves the same).
func jsonText<T: Encodable>(_ value: T) throws -> String {
    try Documents.json(value)
}

/// Parses an ISO date argument for an option such as `--from`.
func parseDate(_ text: String, option: String) throws -> SessionDate {
    try Studies.date(text, option: option)
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

/// Quotes a CSV field when it needs it.
func csvField(_ text: String) -> String {
    Documents.csvField(text)
}
