import Foundation
import TradLyteCore

/// The one scan of the stored universe. The refresh's scan stage, `tradlyte scan` and the UI's
/// rescan all call it, so a session's picks are the same whichever path stored them: signals are
/// decided on `UniverseScanner.signalSessions` of history and confidences measured on
/// `confirmationSessions` (read only for the symbols that signalled), through the scan session.
public enum StoredScan {
    /// Scans the stored symbols on `session` and stores the signals and top picks (a re-run
    /// replaces that session's rows for these strategies).
    public static func run(
        _ strategies: [Strategy], store: PipelineStore, session: SessionDate, metadata: [Symbol: SymbolInfo],
        topK: Int, executor: @escaping BacktestRunner.Executor = BacktestRunner.sequential, at now: Date
    ) throws -> UniverseScanner.Result {
        let compiled = try strategies.map { s throws(StrategyError) in try CompiledStrategy(s) }
        guard let index = store.calendar.sessionIndex(session) else {
            throw PipelineError.notASession(session)
        }
        let tails = try store.dailyTails(
            sessions: UniverseScanner.signalSessions(compiled), through: session, symbols: nil)
        let longer = UniverseScanner.confirmationSessions(compiled)
        let result = try UniverseScanner.scan(
            strategies, universe: tails, session: Int32(index), metadata: metadata, topK: topK,
            calendar: store.calendar, executor: executor,
            confirmationHistory: { symbols in
                try store.dailyTails(sessions: longer, through: session, symbols: symbols)
            })
        try store.saveScan(result, strategies: strategies.map(\.name), at: now)
        return result
    }
}
