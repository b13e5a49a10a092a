import Foundation
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// What every scan runs and keeps, read from the config once: the refresh's scan stage,
/// `tradlyte scan` and the UI's rescan all store the same picks for a session (they overwrite
/// each other's rows, so they must agree).
package struct ScanSettings: Sendable, Equatable {
    /// Strategy ids or names (`scan_strategies`); empty turns scanning off everywhere.
    package var strategies: [String]
    /// Picks stored per strategy (`scan_top`).
    package var topK: Int
    /// What `scan_top` and `tradlyte scan --top` accept.
    package static let topRange = 1...500

    package init(strategies: [String], topK: Int) {
        self.strategies = strategies
        self.topK = topK
    }

    package init(config: AppConfig) {
        self.init(strategies: config.scanStrategies, topK: config.scanTop)
    }

    /// The strategies, loaded (built-in or from the strategies folder); `names` overrides the
    /// config's (`tradlyte scan STRATEGY…`). Empty when scanning is off.
    package func load(_ catalog: StrategyCatalog, names: [String]? = nil) throws -> [Strategy] {
        try (names ?? strategies).map { try catalog.strategy($0) }
    }
}

/// The scan as the app runs it (`tradlyte scan`, the UI's picks pane): the stored symbols'
/// metadata for the picks, every core, and the pipeline's own scan (`StoredScan`).
package enum ScanService {
    /// `tradlyte scan` and the UI's rescan: the configured (or named) strategies on `session`
    /// (default: the latest stored one), keeping the configured number of picks unless `top`
    /// overrides it. Returns the strategies scanned, the session and the result.
    package static func scan(
        env: AppEnvironment, store: MarketStore, names: [String]? = nil, top: Int? = nil, session: SessionDate? = nil
    ) throws -> (strategies: [Strategy], session: SessionDate, result: UniverseScanner.Result) {
        let settings = ScanSettings(config: env.config)
        let list = try settings.load(StrategyCatalog(directory: env.strategiesDirectory), names: names)
        guard !list.isEmpty else {
            throw AppError.badInput(
                "no strategies to scan: scan_strategies is [] in \(env.configPath) — name strategies "
                    + "(tradlyte scan golden_cross) or list them in scan_strategies")
        }
        guard let day = try session ?? store.summary().latestSession else {
            throw AppError.badInput("no data yet — run: tradlyte refresh")
        }
        let result = try scan(list, store: store, session: day, top: top ?? settings.topK, at: env.now())
        return (list, day, result)
    }

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
