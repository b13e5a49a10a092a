import ArgumentParser
import Foundation
import TradLyteCore
import TradLyteStore

/// A failure with the text the user sees and the exit code: 2 for bad input (fix the
/// command or the file), 1 for everything else.
enum CLIError: Error, CustomStringConvertible {
    case badInput(String)
    case failure(String)

    var description: String {
        switch self {
        case .badInput(let message), .failure(let message): return message
        }
    }

    var exitCode: Int32 {
        switch self {
        case .badInput: return 2
        case .failure: return 1
        }
    }
}

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
        case let e as CLIError: (message, code) = (e.description, e.exitCode)
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

/// Writes to stdout.
func emit(_ text: String) {
    let safe = terminalSafe(text)
    FileHandle.standardOutput.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
}

/// Writes to stderr, control characters escaped as by `emit`.
func emitError(_ text: String) {
    let safe = terminalSafe(text)
    FileHandle.standardError.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
}

/// `text` with every control character but newline and tab written as a visible escape
/// (`\u{1B}`): data echoed from files and arguments (a CSV field, a strategy's name) must not
/// drive the user's terminal with escape sequences.
func terminalSafe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else {
        return text
    }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if isControl(scalar) {
            out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
        } else {
            out.append(scalar)
        }
    }
    return String(out)
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return (v < 0x20 && v != 0x0A && v != 0x09) || (0x7F...0x9F).contains(v)
}

/// "12,345".
func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

/// Shortest text that reads back as the same Double ("110.446966", "2721017").
func number(_ value: Double) -> String {
    if value.isFinite && value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
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
    do { return try SessionDate(iso: text) } catch {
        throw CLIError.badInput("\(option): \(error.description)")
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

/// Quotes a CSV field when it needs it.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
