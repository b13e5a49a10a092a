import Foundation
import TradLyteCore
import TradLyteStore

/// A failure with the text the user sees and the exit code: 2 for bad input (fix the
/// command or the file) — `notFound` when what it names does not exist — 1 for everything else.
package enum AppError: Error, Equatable, CustomStringConvertible {
    case badInput(String)
    /// Bad input naming something that does not exist (a strategy, a symbol): the API's 404.
    case notFound(String)
    case failure(String)

    package var description: String {
        switch self {
        case .badInput(let message), .notFound(let message), .failure(let message): return message
        }
    }

    package var exitCode: Int32 {
        switch self {
        case .badInput, .notFound: return 2
        case .failure: return 1
        }
    }
}

/// The message and exit code of any error the app's services throw: 2 for bad input (fix the
/// command or the file), 1 for everything else. Errors from the core and the store already
/// carry their fix.
package func describeFailure(_ error: any Error) -> (message: String, code: Int32) {
    switch error {
    case let e as AppError: return (e.description, e.exitCode)
    case let e as StoreError:
        switch e {
        case .unknownSymbol, .invalidData: return (e.description, 2)
        default: return (e.description, 1)
        }
    case let e as CSVImportError: return (e.description, 2)
    case let e as SymbolError: return (e.description, 2)
    case let e as SessionDateError: return (e.description, 2)
    case let e as FibIntervalError: return (e.description, 2)
    default: return (String(describing: error), 1)
    }
}

/// Writes to stdout.
package func emit(_ text: String) {
    let safe = terminalSafe(text)
    FileHandle.standardOutput.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
}

/// Writes to stderr, control characters escaped as by `emit`.
package func emitError(_ text: String) {
    let safe = terminalSafe(text)
    FileHandle.standardError.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
}

/// `text` with every control character but newline and tab written as a visible escape
/// (`\u{1B}`): data echoed from files and arguments (a CSV field, a strategy's name) must not
/// drive the user's terminal with escape sequences.
package func terminalSafe(_ text: String) -> String {
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
