import Foundation
import MarketData
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// Provider, options and strategies of a refresh, from the environment: shared by
/// `tradlyte refresh` and the UI's manual refresh.
package struct RefreshSetup {
    package let env: AppEnvironment
    package let provider: MarketDataProvider
    package let options: PipelineOptions
    package let catalog: StrategyCatalog
    /// Ends the provider's call in progress when the run is cancelled or interrupted.
    package let cancellation: CancellationFlag

    package init(
        env: AppEnvironment, trigger: RunTrigger, only: [Symbol]? = nil, backfill: Int? = nil,
        cancellation: CancellationFlag = CancellationFlag(),
        notices: @escaping @Sendable (String) -> Void = { emitError("tradlyte: " + $0) }
    ) throws {
        self.env = env
        self.cancellation = cancellation
        provider = try env.makeProvider(cancellation: cancellation, notices: notices)
        var options = PipelineOptions(
            trigger: trigger, mode: env.config.mode,
            // Every entry was validated when the config was loaded (a bad one is refused there).
            watchlist: env.config.watchlist.compactMap { try? Symbol($0) }, onlySymbols: only,
            backfillYears: backfill ?? env.config.backfillYears ?? (provider.isDemo ? 10 : 5),
            retentionDays: env.config.retentionDays,
            callsPerMinute: provider.isDemo ? nil : env.config.callsPerMinute,
            closeGraceMinutes: env.config.closeGraceMinutes)
        if options.mode == .watchlist && options.watchlist.isEmpty && only == nil {
            throw AppError.badInput(
                "mode is \"watchlist\" but the watchlist is empty — add symbols to \"watchlist\" in "
                    + "\(env.configPath) or pass --symbols"
            )
        }
        catalog = StrategyCatalog(directory: env.strategiesDirectory)
        let catalog = self.catalog
        let scan = ScanSettings(config: env.config)
        options.scanStrategies = try scan.load(catalog)
        options.scanTopK = scan.topK
        self.options = options
    }

    /// The pipeline on `store`; `clock` defaults to the environment's (`status --at` passes its own).
    /// The symbols whose details (market cap, sector) users see are the watchlist, then the
    /// latest picks, read from the same store.
    package func pipeline(store: MarketStore, clock: (() -> Date)? = nil) throws -> Pipeline {
        let catalog = self.catalog
        let env = self.env
        var options = self.options
        options.detailSymbols = options.watchlist
        for pick in try store.picks(session: nil) where !options.detailSymbols.contains(pick.symbol) {
            options.detailSymbols.append(pick.symbol)
        }
        return Pipeline(
            store: store, provider: provider, options: options, clock: clock ?? { env.now() },
            elapsed: SystemClock(), strategyNamed: { try catalog.strategy($0) }, executor: Workers.allCores)
    }

    /// Where the data comes from, for messages.
    package var source: String {
        provider.isDemo ? "DEMO market" : "\(provider.name.capitalizedFirst) (\(env.displayBaseURL))"
    }
}
