import Foundation
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// The scan as the app runs it (`tradlyte scan`, the UI's picks pane): the stored symbols'
/// metadata for the picks, every core, and the pipeline's own scan (`StoredScan`).
package enum ScanService {
    /// Scans the stored universe on `session` and stores the picks (a re-run replaces that
    /// session's rows): `tradlyte scan` and the UI's picks pane, through the refresh's own scan.
    package static func scan(
        _ list: [Strategy], store: MarketStore, session: SessionDate, top: Int,
        at now: Date
    ) throws -> UniverseScanner.Result {
        let metadata = Dictionary(try store.symbols().map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        do {
            return try StoredScan.run(
                list, store: store, session: session, metadata: metadata, topK: top,
                executor: Workers.allCores, at: now)
        } catch let error as StrategyError {
            throw AppError.badInput(error.description)
        }
    }
}
