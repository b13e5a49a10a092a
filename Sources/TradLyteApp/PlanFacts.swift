import Foundation
import MarketData
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// What the engine learned about the key's plan — its history window, that it publishes a
/// session's grouped day only after midnight, that it has no snapshots — each with the date it
/// was learned. Plans change (a user upgrades, a key is replaced), so a fact is forgotten, and
/// probed again by the next call that needs it, when the key changes, when it is a week old, and
/// on `tradlyte refresh --relearn`.
package enum PlanFacts {
    /// The facts, by their engine flag, with how a person reads them.
    package static let all: [(flag: String, meaning: String)] = [
        (Pipeline.Flag.historyWindowDays, "history window (days)"),
        (Pipeline.Flag.publishesNextDay, "publishes a session after midnight ET"),
        (PolygonClient.snapshotsFact, "snapshots"),
    ]
    /// The key the facts were learned with (a fingerprint, never the key).
    static let keyFlag = "plan.key_fingerprint"
    /// How long a fact is trusted before it is probed again.
    package static let maxAgeDays = 7

    /// The flag that holds when `flag` was learned.
    package static func learnedFlag(_ flag: String) -> String { Pipeline.Flag.learnedAt(flag) }

    /// A stable fingerprint of the key, stored to notice a key change.
    package static func fingerprint(_ key: String) -> String { String(AppEnvironment.keyHash(key), radix: 16) }

    /// One learned fact as `doctor` lists it.
    package struct Known: Equatable {
        package var meaning: String
        package var value: String
        package var learned: SessionDate?
    }

    /// The facts stored now.
    package static func known(_ store: MarketStore) throws -> [Known] {
        try all.compactMap { fact in
            guard let stored = try store.flag(fact.flag) else { return nil }
            // The after-midnight fact's value is a note with its date; its age says the date.
            let value = fact.flag == Pipeline.Flag.publishesNextDay ? "yes" : stored
            // An undated or unparseable date makes the fact stale: it is learned again.
            let learned = try store.flag(learnedFlag(fact.flag)).flatMap { try? SessionDate(iso: $0) }
            return Known(meaning: fact.meaning, value: value, learned: learned)
        }
    }

    /// Forgets every learned fact (the next calls learn them again).
    package static func forget(_ store: MarketStore) throws {
        for fact in all {
            try store.setFlag(fact.flag, nil)
            try store.setFlag(learnedFlag(fact.flag), nil)
        }
    }

    /// Dates facts learned without a date, forgets all of them when the key changed and those a
    /// week old; returns what was forgotten and why, for the run's log.
    @discardableResult
    package static func review(_ store: MarketStore, key: String, today: SessionDate) throws -> [String] {
        var notes: [String] = []
        let print = fingerprint(key)
        let previous = try store.flag(keyFlag)
        if previous != print {
            let had = try known(store)
            if previous != nil && !had.isEmpty {
                try forget(store)
                notes.append("the API key changed: the plan's limits are learned again")
            }
            // Quotes cached under the old key may be staler than the new plan serves.
            if previous != nil { try store.clearQuoteCache() }
            try store.setFlag(keyFlag, print)
        }
        for fact in all where try store.flag(fact.flag) != nil {
            // As above: a fact without a readable date is forgotten and learned again.
            guard let text = try store.flag(learnedFlag(fact.flag)), let learned = try? SessionDate(iso: text) else {
                try store.setFlag(learnedFlag(fact.flag), today.description)
                continue
            }
            let age = today.dayNumber - learned.dayNumber
            if age >= maxAgeDays {
                try store.setFlag(fact.flag, nil)
                try store.setFlag(learnedFlag(fact.flag), nil)
                notes.append("\(fact.meaning), learned \(learned) (\(age) days ago), is checked again")
            }
        }
        return notes
    }
}
