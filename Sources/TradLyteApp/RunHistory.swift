import Foundation
import TradLyteCore
import TradLyteStore

/// `tradlyte runs`: the recent pipeline runs with their stages (none before the first run).
package enum RunHistory {
    package struct Row: Encodable {
        package var id: Int64, trigger: String, status: String, started_at: Date, finished_at: Date?, error: String?,
            summary: String?
        package var stages: [Stage]
        package struct Stage: Encodable {
            package var stage: String, status: String, attempts: Int, seconds: Double?, counts: [String: Int],
                error: String?
        }
    }

    /// The last `last` runs, newest first, each with its stages.
    package static func rows(last: Int, env: AppEnvironment) throws -> [Row] {
        guard env.databaseExists else { return [] }
        let store = try env.openStore()
        return try store.runs(last: max(1, last)).map { r in
            Row(
                id: r.id, trigger: r.trigger.rawValue, status: r.status.rawValue, started_at: r.startedAt,
                finished_at: r.finishedAt, error: r.error, summary: r.summary,
                stages: try store.stages(ofRun: r.id).map { s in
                    .init(
                        stage: s.stage, status: s.status.rawValue, attempts: s.attempts,
                        seconds: s.finishedAt.map { $0.timeIntervalSince(s.startedAt) }, counts: s.counts,
                        error: s.error)
                })
        }
    }
}
