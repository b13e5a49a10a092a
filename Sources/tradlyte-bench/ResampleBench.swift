import Dispatch
import Foundation
import TradLyteCore

/// Resampling the whole synthetic universe into the six Fibonacci intervals, one pass per
/// symbol: single-threaded and across all cores. Target: ≤ 0.5 s for 10 M bars, ≤ 1.5 GB peak.
enum ResampleBench {
    static func run(_ market: SyntheticMarket) {
        let bars = market.barCount
        let intervals = FibInterval.standard
        var output: [[[FibBar]]] = []
        // Warm up caches and the allocator on a few symbols.
        for s in market.series.prefix(50) {
            _ = FibResampler.resample(s, intervals: intervals, latestClosed: market.latestClosed)
        }

        // 1. Single thread, every output retained in memory (the first touch of ~0.5 GB of
        //    fresh pages is part of the cost).
        let retained = time {
            output = market.series.map {
                FibResampler.resample($0, intervals: intervals, latestClosed: market.latestClosed)
            }
        }
        let produced = output.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        output = []
        // 2. Single thread, streaming: each symbol's bars are consumed (checksummed) and
        //    dropped, as a reader of the whole universe does, symbol by symbol.
        var checksum = 0.0
        var streamed = 0
        let streaming = time {
            for series in market.series {
                for bars in FibResampler.resample(series, intervals: intervals, latestClosed: market.latestClosed) {
                    streamed += bars.count
                    checksum += bars[bars.count - 1].close
                }
            }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let results = Slots<[[FibBar]]>(count: market.series.count, initial: [])
        let parallel = time {
            let chunks = cores * 8
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var k = c
                while k < market.series.count {
                    results[k] = FibResampler.resample(
                        market.series[k], intervals: intervals, latestClosed: market.latestClosed)
                    k += chunks
                }
            }
        }

        let peak = peakResidentBytes()
        report([
            "benchmark": "resample_all_intervals", "bars": bars, "symbols": market.series.count,
            "intervals": intervals.map(\.sessions), "fib_bars_out": produced,
            "seconds_all_cores_retained": rounded(parallel), "cores": cores,
            "seconds_single_thread_retained": rounded(retained),
            "seconds_single_thread_streaming": rounded(streaming),
            "ns_per_bar_single_thread_streaming": rounded(streaming * 1e9 / Double(bars), 2),
            "checksum_ok": streamed == produced && checksum.isFinite,
            "target_seconds": 0.5, "pass": parallel <= 0.5 && streamed == produced,
        ])
        report([
            "benchmark": "resample_peak_memory", "peak_resident_mb": peak / 1_048_576,
            "target_mb": 1536, "pass": peak > 0 && peak <= 1536 * 1_048_576,
            "note": "includes the 10 M input bars held in memory",
        ])
    }
}

/// Result slots filled in parallel. `@unchecked Sendable` is sound here because every index
/// is written by exactly one worker and read only after `concurrentPerform` returns.
final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T>

    init(count: Int, initial: T) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: initial)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    subscript(index: Int) -> T {
        get { buffer[index] }
        set { buffer[index] = newValue }
    }
}
