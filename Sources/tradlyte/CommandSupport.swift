import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// Runs a command body, printing any error as `tradlyte: error: …` on stderr and exiting with
/// its code. Errors from the core and the store already carry their fix.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let (message, code): (String, Int32)
        switch error {
        case let e as AppError: (message, code) = (e.description, e.exitCode)
        case let e as StoreError:
            switch e {
            case .unknownSymbol, .invalidData: (message, code) = (e.description, 2)
            default: (message, code) = (e.description, 1)
            }
        case let e as CSVImportError: (message, code) = (e.description, 2)
        case let e as SymbolError: (message, code) = (e.description, 2)
        case let e as SessionDateError: (message, code) = (e.description, 2)
        case let e as FibIntervalError: (message, code) = (e.description, 2)
        default: (message, code) = (String(describing: error), 1)
        }
        emitError("tradlyte: error: \(message)")
        throw ExitCode(code)
    }
}

/// Encodes a value as pretty, key-sorted JSON.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
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
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
