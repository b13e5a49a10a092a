import Foundation
import TradLyteCore
import TradLyteStore

/// The store's bulk paths on a real file: insert, full ordered read, and one symbol's reads.
/// Targets: insert ≥ 500,000 bars/s; full read ≥ 2,000,000 bars/s; one symbol's 2,500 bars
/// for one interval ≤ 2 ms.
enum StoreBench {
    static func run(_ market: SyntheticMarket, options: Options) {
        let fm = FileManager.default
        let dir = options.directory ?? NSTemporaryDirectory() + "tradlyte-bench-\(getpid())"
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/bench.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
        defer {
            if options.directory == nil { try? fm.removeItem(atPath: dir) }
        }
        do {
            let store = try MarketStore(path: path)
            let bars = market.barCount
            // Insert in transactions of ~500,000 bars, as a backfill would.
            let perBatch = max(1, 500_000 / max(1, market.series.first?.count ?? 1))
            let insert = try time {
                var k = 0
                while k < market.series.count {
                    let end = min(market.series.count, k + perBatch)
                    let batch = (k..<end).map {
                        MarketStore.SymbolSeries(symbol: market.symbols[$0], series: market.series[$0])
                    }
                    try store.upsertDailyBars(batch, at: Date())
                    k = end
                }
            }
            report([
                "benchmark": "store_bulk_insert", "bars": bars, "seconds": rounded(insert),
                "bars_per_second": Int(Double(bars) / insert), "target_bars_per_second": 500_000,
                "pass": Double(bars) / insert >= 500_000,
            ])

            var universe: MarketStore.UniverseColumns?
            let read = try time { universe = try store.universe() }
            let readCount = universe?.barCount ?? 0
            universe = nil
            report([
                "benchmark": "store_full_ordered_read", "bars": readCount, "seconds": rounded(read),
                "bars_per_second": Int(Double(readCount) / read), "target_bars_per_second": 2_000_000,
                "pass": readCount == bars && Double(readCount) / read >= 2_000_000,
            ])

            // One symbol's bars for one interval: daily (2,500 bars) and a Fibonacci interval,
            // which is resampled from the daily history on read.
            let stride = max(1, market.symbols.count / 100)
            let sample = Array(market.symbols.indices.filter { $0 % stride == 0 }.prefix(100))
            for interval in [FibInterval.daily, FibInterval.standard[1]] {
                var samples: [Double] = []
                var count = 0
                for k in sample {
                    let t = try time {
                        count = try store.bars(market.symbols[k], interval: interval, latestClosed: market.latestClosed)
                            .count
                    }
                    samples.append(t)
                }
                samples.sort()
                let median = samples[samples.count / 2]
                let p95 = samples[samples.count * 95 / 100]
                report([
                    "benchmark": "store_read_one_symbol", "interval": interval.sessions, "bars": count,
                    "median_ms": rounded(median * 1000), "p95_ms": rounded(p95 * 1000), "target_ms": 2.0,
                    "pass": p95 * 1000 <= 2.0,
                ])
            }
        } catch {
            FileHandle.standardError.write(Data("tradlyte-bench: store benchmark failed: \(error)\n".utf8))
            exit(1)
        }
    }
}
