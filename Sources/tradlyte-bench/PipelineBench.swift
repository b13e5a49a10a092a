import Foundation
import MarketData
import TradLyteApp
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// Pipeline targets on a 12,000-symbol synthetic market served from memory (a "local
/// source"): a 2-year backfill (≤ 60 s), the daily incremental run of one grouped session
/// (≤ 3 s) and every Fibonacci interval resampled from 10 M stored daily bars (≤ 30 s).
enum PipelineBench {
    /// A deterministic in-memory market of `count` tickers.
    final class LocalMarket: MarketDataProvider, @unchecked Sendable {
        // Unchecked: `clock` reads the bench's own "now" variable, which the bench changes only
        // between runs, on the thread that runs them; everything else is immutable after init.
        let name = "local"
        let isDemo = false
        let symbolsList: [Symbol]
        let first: Int
        let closes: [[Double]]
        let clock: () -> Date
        let cal = TradingCalendar.nyse

        init(count: Int, from first: Int, through last: Int, clock: @escaping () -> Date) {
            self.first = first
            self.clock = clock
            symbolsList = (0..<count).map { Symbol(known: "L\(String($0, radix: 36).uppercased())") }
            var rng: UInt64 = 0x5EED
            func next() -> Double {
                rng ^= rng >> 12
                rng ^= rng << 25
                rng ^= rng >> 27
                return Double((rng &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
            }
            closes = (0..<count).map { _ in
                var p = 10 + 200 * next()
                return (first...last).map { _ in
                    p *= 1 + (next() - 0.5) * 0.03
                    return p
                }
            }
        }

        func bar(_ k: Int, _ index: Int) -> DailyBar? {
            let j = index - first
            guard j >= 0, j < closes[k].count else { return nil }
            let c = closes[k][j]
            let o = j > 0 ? closes[k][j - 1] : c
            return DailyBar(
                session: cal.sessions[index], open: o, high: max(o, c) * 1.004, low: min(o, c) * 0.996, close: c,
                volume: Double(100_000 + (k * 7919 + j * 104_729) % 900_000))
        }

        var latest: Int { cal.latestClosedSessionIndex(at: clock()) }

        func groupedDaily(_ session: SessionDate) throws -> [Symbol: DailyBar] {
            guard let index = cal.sessionIndex(session), index <= latest else { return [:] }
            var result: [Symbol: DailyBar] = [:]
            result.reserveCapacity(symbolsList.count)
            for (k, s) in symbolsList.enumerated() { if let b = bar(k, index) { result[s] = b } }
            return result
        }

        func dailyBars(_ symbol: Symbol, from: SessionDate, to: SessionDate) throws -> [DailyBar] {
            guard let k = symbolsList.firstIndex(of: symbol) else { throw ProviderError.unknownSymbol(symbol.rawValue) }
            return (cal.sessionIndex(onOrAfter: from)...min(latest, cal.sessionIndex(onOrBefore: to))).compactMap {
                bar(k, $0)
            }
        }

        func symbols() throws -> [SymbolInfo] {
            symbolsList.map {
                SymbolInfo(symbol: $0, name: "Local \($0)", type: "CS", exchange: "XNAS", marketCap: 1e9)
            }
        }

        func splits(since: SessionDate) throws -> [Split] { [] }
        func details(_ symbol: Symbol) throws -> SymbolInfo {
            SymbolInfo(symbol: symbol, name: "Local \(symbol)", type: "CS", exchange: "XNAS", marketCap: 1e9)
        }
        func quote(_ symbol: Symbol, at now: Date) throws -> Quote? { nil }
    }

    static func run(symbols count: Int) {
        let dir = NSTemporaryDirectory() + "tradlyte-bench-pipeline-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cal = TradingCalendar.nyse
        let day1 = cal.sessionIndex(onOrBefore: SessionDate(year: 2024, month: 12, day: 30)!)
        var nowIndex = day1
        func closeOf(_ index: Int) -> Date { cal.times(ofSessionAt: index)!.close.addingTimeInterval(3600) }
        // Five years of history: the backfill fetches two, the rest is loaded before the daily run
        // so its scan reads what a five-year database gives it.
        let market = LocalMarket(count: count, from: day1 - 1270, through: day1 + 1, clock: { closeOf(nowIndex) })
        do {
            let store = try MarketStore(path: dir + "/pipeline.sqlite")
            var options = PipelineOptions(trigger: .schedule, backfillYears: 2, chunkSessions: 126)
            // The refresh's default: every built-in strategy.
            options.scanStrategies = StrategyLibrary.all.map(\.strategy)
            let backfill = Pipeline(
                store: store, provider: market, options: options, clock: { closeOf(nowIndex) }, elapsed: SystemClock(),
                executor: Workers.allCores)
            var outcome: RunOutcome?
            let backfillSeconds = time { outcome = backfill.run() }
            report([
                "benchmark": "pipeline_backfill_2y", "symbols": count,
                "sessions": outcome?.plan?.groupedSessions.count ?? 0,
                "bars": outcome?.ingest.inserted ?? 0, "status": outcome?.status.rawValue ?? "?",
                "seconds": rounded(backfillSeconds, 2),
                "bronze_s": rounded(outcome?.ingest.bronzeSeconds ?? 0, 2),
                "consolidate_s": rounded(outcome?.ingest.consolidateSeconds ?? 0, 2),
                "target_seconds": 60, "pass": outcome?.status == .succeeded && backfillSeconds <= 60,
            ])

            let older = cal.sessions[day1 - 1270]...cal.sessions[day1 - 505]
            for start in stride(from: 0, to: count, by: 500) {
                let batch = try market.symbolsList[start..<min(count, start + 500)].map { symbol in
                    MarketStore.SymbolSeries(
                        symbol: symbol,
                        series: try BarSeries(market.dailyBars(symbol, from: older.lowerBound, to: older.upperBound)))
                }
                try store.upsertDailyBars(batch, at: closeOf(nowIndex))
            }
            // The load's last WAL checkpoint is paid by the load, as on a database that has settled.
            try store.setFlag("bench.settled", "older history loaded")

            nowIndex = day1 + 1
            let daily = Pipeline(
                store: store, provider: market, options: options, clock: { closeOf(nowIndex) }, elapsed: SystemClock(),
                executor: Workers.allCores)
            // Stage times on the monotonic clock (the run's own clock is pinned to the session).
            var started: [String: UInt64] = [:]
            var stageSeconds: [String] = []
            let dailySeconds = time {
                outcome = daily.run(events: { event in
                    switch event {
                    case .stageStarted(let name): started[name] = DispatchTime.now().uptimeNanoseconds
                    case .stageFinished(let record):
                        guard let t0 = started[record.stage] else { return }
                        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                        stageSeconds.append(record.stage + "=" + String(format: "%.3f", seconds))
                    default: break
                    }
                })
            }
            // The scan stage's parts, measured on their own.
            var tails: [(Symbol, BarSeries)] = []
            let history = UniverseScanner.signalSessions(try options.scanStrategies.map { try CompiledStrategy($0) })
            let readSeconds = try time {
                tails = try store.dailyTails(sessions: history, through: cal.sessions[nowIndex])
            }
            let scanSeconds = time {
                _ = try? UniverseScanner.scan(
                    options.scanStrategies, universe: tails, session: Int32(nowIndex), topK: 20,
                    executor: Workers.allCores)
            }
            report([
                "benchmark": "pipeline_scan_parts", "history_sessions": history,
                "read_tails_seconds": rounded(readSeconds, 3),
                "scan_seconds": rounded(scanSeconds, 3),
            ])
            report([
                "benchmark": "pipeline_daily_incremental", "symbols": count,
                "sessions": outcome?.plan?.groupedSessions.count ?? 0,
                "bars": outcome?.ingest.inserted ?? 0,
                "status": outcome?.status.rawValue ?? "?", "seconds": rounded(dailySeconds, 3),
                "stages": stageTimes(outcome?.stages ?? []), "stage_wall_seconds": stageSeconds,
                "target_seconds": 3, "pass": outcome?.status == .succeeded && dailySeconds <= 3,
            ])
        } catch {
            FileHandle.standardError.write(Data("tradlyte-bench: pipeline benchmark failed: \(error)\n".utf8))
        }
    }

    static func stageTimes(_ stages: [StageRecord]) -> [String] {
        stages.map { s in
            let seconds = s.finishedAt.map { $0.timeIntervalSince(s.startedAt) } ?? 0
            return s.stage + "=" + String(format: "%.3f", seconds)
        }
    }

    /// Every bar of all six Fibonacci intervals from 10 M stored daily bars, read and resampled:
    /// what the full rebuild of the old `bars_fib` table did (≤ 30 s), and now the most any reader
    /// of the whole universe pays.
    static func resampleAll(_ market: SyntheticMarket) {
        let dir = NSTemporaryDirectory() + "tradlyte-bench-resample-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try MarketStore(path: dir + "/resample.sqlite")
            var k = 0
            while k < market.series.count {
                let end = min(market.series.count, k + 200)
                let batch = (k..<end).map {
                    MarketStore.SymbolSeries(symbol: market.symbols[$0], series: market.series[$0])
                }
                try store.upsertDailyBars(batch, at: Date())
                k = end
            }
            var produced = 0
            let seconds = try time {
                let universe = try store.universe()
                for k in universe.symbols.indices {
                    let all = FibResampler.resample(
                        universe.series(at: k), intervals: FibInterval.standard, latestClosed: market.latestClosed)
                    produced += all.reduce(0) { $0 + $1.count }
                }
            }
            report([
                "benchmark": "pipeline_resample_all", "daily_bars": market.barCount, "fib_bars": produced,
                "seconds": rounded(seconds, 2), "target_seconds": 30, "pass": seconds <= 30,
            ])
        } catch {
            FileHandle.standardError.write(Data("tradlyte-bench: resample benchmark failed: \(error)\n".utf8))
        }
    }
}
