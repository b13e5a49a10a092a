import CSQLite
import Foundation
import TradLyteCore
import TradLyteTestSupport

@testable import TradLyteStore

/// The instant store tests write at (a pinned clock, never the host's).
let pinnedNow = ManualClock(iso: "2026-11-25T23:00:00Z").now()

extension TemporaryDirectory {
    var databasePath: String {
        path + "/tradlyte.sqlite"
    }
}

/// Runs raw SQL on a database file with the C API, bypassing the store (to tamper with it).
func rawSQL(_ path: String, _ sql: String) {
    var db: OpaquePointer?
    precondition(sqlite3_open(path, &db) == SQLITE_OK)
    defer { sqlite3_close(db) }
    var error: UnsafeMutablePointer<CChar>?
    if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
        let message = error.map { String(cString: $0) } ?? "?"
        sqlite3_free(error)
        fatalError("raw SQL failed: \(message)")
    }
}

/// A sha-like fingerprint of a file's bytes (FNV-1a 64), to prove it was not modified.
func fingerprint(_ path: String) -> UInt64 {
    let data = FileManager.default.contents(atPath: path) ?? Data()
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

/// Daily bars on consecutive sessions from `start`, a deterministic random walk.
func makeBars(from start: String, count: Int, seed: UInt64 = 1, calendar: TradingCalendar = .nyse) -> [DailyBar] {
    var generator = SeededGenerator(seed: seed)
    func next() -> Double {
        generator.unit()
    }
    var index = calendar.sessionIndex(onOrAfter: try! SessionDate(iso: start))
    var price = 50 + 100 * next()
    var bars: [DailyBar] = []
    for _ in 0..<count {
        let open = price * (1 + (next() - 0.5) * 0.02)
        let close = open * (1 + (next() - 0.5) * 0.04)
        let high = max(open, close) * (1 + next() * 0.01)
        let low = min(open, close) * (1 - next() * 0.01)
        bars.append(
            DailyBar(
                session: calendar.sessions[index], open: open, high: high, low: low, close: close,
                volume: (next() * 1_000_000).rounded(), vwap: (open + close) / 2, trades: Int(next() * 5000)))
        price = close
        index += 1
    }
    return bars
}

func provenance(_ run: Int64? = nil) -> Provenance {
    Provenance(runID: run, provider: "test", endpoint: "unit", fetchedAt: Date(timeIntervalSince1970: 1_700_000_000))
}
