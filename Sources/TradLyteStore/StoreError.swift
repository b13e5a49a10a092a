import Foundation

/// Everything the store can report, with text that says what to do.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    /// `touched`: this process had committed changes to the file before the damage showed, so
    /// the message must not claim the file was left as it was.
    case notADatabase(path: String, detail: String, touched: Bool = false)
    case newerSchema(path: String, found: Int, known: Int)
    case migrationMismatch(path: String, version: Int, expected: String, found: String)
    case readOnly(path: String, detail: String)
    /// The database is writable but its WAL shared-memory or log file (left by another user
    /// or a crashed process) is not.
    case readOnlySidecar(path: String, database: String)
    case diskFull(path: String)
    case busy(path: String)
    case unknownSymbol(String)
    /// What the user typed matches several securities that differ only in case.
    case ambiguousSymbol(String, candidates: [String])
    case invalidData(String)
    case sqlite(SQLiteError)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the database \(path): \(reason) — check that the directory exists and is writable"
        case .notADatabase(let path, let detail, let touched):
            let state =
                touched
                ? "Changes this command committed before the damage showed are in it; nothing more was written"
                : "It was left untouched"
            return
                "\(path) is not a TradLyte database or is corrupt (\(detail)). \(state): move it aside (or restore a backup) and run again"
        case .newerSchema(let path, let found, let known):
            return
                "\(path) was written by a newer TradLyte (schema \(found); this build knows \(known)). Upgrade tradlyte, or point TRADLYTE_HOME at another directory"
        case .migrationMismatch(let path, let version, let expected, let found):
            return
                "\(path) has migration \(version) named '\(found)' where this build expects '\(expected)' — it was written by a different build; use a matching tradlyte"
        case .readOnly(let path, let detail):
            return
                "the database \(path) is read-only (\(detail)) — fix its permissions or the file system mount; nothing was changed"
        case .readOnlySidecar(let path, let database):
            let what = path.hasSuffix("-shm") ? "the shared-memory index of the write-ahead log" : "the write-ahead log"
            return "\(path) (\(what) beside \(database)) cannot be written by this user — "
                + "delete it when no other tradlyte is running (SQLite recreates it) or fix its owner; "
                + "nothing was changed"
        case .diskFull(let path):
            return
                "the disk holding \(path) is full — free some space and run again; the last complete transaction is intact"
        case .busy(let path):
            return
                "the database \(path) is locked by another process — wait for it to finish (or stop it) and run again"
        case .unknownSymbol(let symbol):
            return
                "unknown symbol '\(symbol)' — it has no data in the store; import or refresh it first (tradlyte export symbols lists what is stored)"
        case .ambiguousSymbol(let typed, let candidates):
            let list = candidates.joined(separator: " and ")
            return "'\(typed)' matches \(list), different securities whose tickers differ only in case "
                + "(e.g. a preferred share and its common stock) — type the ticker with its exact case"
        case .invalidData(let message):
            return message
        case .sqlite(let error):
            return "database error: \(error)"
        }
    }

    static func wrap(_ error: SQLiteError, path: String, touched: Bool = false) -> StoreError {
        if error.isCorrupt { return .notADatabase(path: path, detail: error.message, touched: touched) }
        if error.isReadOnly {
            for sidecar in [path + "-shm", path + "-wal"] where FileManager.default.fileExists(atPath: sidecar) {
                if !FileManager.default.isWritableFile(atPath: sidecar) {
                    return .readOnlySidecar(path: sidecar, database: path)
                }
            }
            return .readOnly(path: path, detail: error.message)
        }
        if error.isFull { return .diskFull(path: path) }
        if error.isBusy { return .busy(path: path) }
        return .sqlite(error)
    }
}
