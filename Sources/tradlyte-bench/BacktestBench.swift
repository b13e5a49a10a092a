import Foundation
import TradLyteApp
import TradLyteCore

/// Backtester targets: an SMA-cross backtest on 2,500 bars (≤ 50 µs, ≥ 1,000× backtesting.py),
/// one strategy over 1,000 symbols × 2,500 bars (≤ 0.2 s; vectorbt's from_signals timed on the
/// same panel when installed), a 1,000-combination sweep (≤ 1.5 s on 2 cores) and a scan of
/// 12,000 symbols × 1,260 sessions for two strategies on 1d/3d/5d (≤ 3 s). Peers are timed by
/// scripts/bench_peers.py in the same run.
enum BacktestBench {
    static func series(_ seed: UInt64, count: Int, start: Int32 = 4000) -> BarSeries {
        var rng = seed | 1
        func next() -> Double {
            rng ^= rng >> 12
            rng ^= rng << 25
            rng ^= rng >> 27
            return Double((rng &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
        var s = BarSeries(capacity: count)
        var p = 50 + 50 * next()
        for i in 0..<count {
            let o = p * (1 + (next() - 0.5) * 0.01)
            let c = o * (1 + (next() - 0.5) * 0.03)
            s.sessionIndex.append(start + Int32(i))
            s.open.append(o)
            s.high.append(max(o, c) * 1.004)
            s.low.append(min(o, c) * 0.996)
            s.close.append(c)
            s.volume.append(1e6)
            p = c
        }
        return s
    }

    static func smaCross() throws -> Strategy {
        try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "SMA cross", "direction": "both",
             "parameters": {"fast": {"default": 10, "min": 2, "max": 200, "step": 1}, "slow": {"default": 30, "min": 5, "max": 400, "step": 1}},
             "trigger": {"rule": "sma($fast) crosses_above sma($slow)", "action": "buy"},
             "exit": {"rule": "sma($fast) crosses_below sma($slow)"}}
            """)
    }

    static func run() throws {
        let one = series(7, count: 2500)
        let smaCross = try Self.smaCross()
        let compiled = try CompiledStrategy(smaCross)
        var config = BacktestConfiguration()
        config.commission = 0.002
        for _ in 0..<100 { _ = Backtester.run(compiled, daily: one, configuration: config, latestClosed: 7000) }
        // 10,000 runs in blocks of 500, half just before backtesting.py is timed and half just
        // after, so both sides are measured over the same stretch of a machine whose speed
        // drifts within minutes. Reported: the median of all runs against backtesting.py's
        // median, and the best block median against backtesting.py's best run — best against
        // best is the steadier ratio on a shared machine (slow spells cost this vector-bound
        // loop more than the interpreter), and the one the 1,000× target is judged on; the
        // 50 µs target is judged on the median.
        var samples: [Double] = []
        var blocks: [Double] = []
        samples.reserveCapacity(10_000)
        func sample() {
            for _ in 0..<10 {
                var block: [Double] = []
                block.reserveCapacity(500)
                for _ in 0..<500 {
                    block.append(
                        time { _ = Backtester.run(compiled, daily: one, configuration: config, latestClosed: 7000) })
                }
                samples += block
                block.sort()
                blocks.append(block[block.count / 2])
            }
        }
        sample()
        let peers = timePeers(one)
        sample()
        samples.sort()
        let ours = samples[samples.count / 2]
        let best = blocks.min()!
        var fields: [String: Any] = [
            "benchmark": "backtest_sma_cross_2500", "median_us": rounded(ours * 1e6, 2),
            "best_us": rounded(best * 1e6, 2), "target_us": 50,
        ]
        if let bt = peers?["backtesting_py_seconds"] as? Double,
            let btBest = peers?["backtesting_py_best_seconds"] as? Double
        {
            fields["backtesting_py_ms"] = rounded(bt * 1000, 2)
            fields["backtesting_py_best_ms"] = rounded(btBest * 1000, 2)
            fields["speedup_median"] = Int(bt / ours)
            fields["speedup_best"] = Int(btBest / best)
            fields["pass"] = ours * 1e6 <= 50 && btBest / best >= 1000
        } else {
            fields["pass"] = ours * 1e6 <= 50
            fields["note"] = "backtesting.py not timed (pip install backtesting)"
        }
        report(fields)

        let universe = (0..<1000).map { (Symbol(known: "B\($0)"), series(UInt64($0) + 11, count: 2500)) }
        _ = BacktestRunner.acrossSymbols(
            compiled, universe: Array(universe.prefix(50)), configuration: config, latestClosed: 7000,
            metric: .return, executor: Workers.allCores)
        let panel = time {
            _ = BacktestRunner.acrossSymbols(
                compiled, universe: universe, configuration: config, latestClosed: 7000, metric: .return,
                executor: Workers.allCores)
        }
        var panelFields: [String: Any] = [
            "benchmark": "backtest_1000_symbols_x_2500", "seconds": rounded(panel, 3), "target_seconds": 0.2,
            "pass": panel <= 0.2,
        ]
        if let vbt = peers?["vectorbt_seconds"] as? Double {
            panelFields["vectorbt_from_signals_seconds"] = rounded(vbt, 3)
        } else {
            panelFields["vectorbt_from_signals_seconds"] = NSNull()
            panelFields["note"] = "vectorbt not installed; it took ~0.4 s warm on this machine per the issue"
        }
        report(panelFields)

        let ranges = [
            BacktestRunner.ParameterRange(name: "fast", values: (0..<40).map { Double(5 + $0 * 2) }),
            BacktestRunner.ParameterRange(name: "slow", values: (0..<25).map { Double(100 + $0 * 10) }),
        ]
        var rows = 0
        let sweep = time {
            rows =
                (try? BacktestRunner.sweep(
                    smaCross, daily: one, ranges: ranges, configuration: config, latestClosed: 7000,
                    metric: .sharpe, executor: Workers.allCores
                ).rows.count) ?? 0
        }
        report([
            "benchmark": "sweep_1000_combinations", "combinations": rows, "seconds": rounded(sweep, 3),
            "target_seconds": 1.5,
            "pass": rows == 1000 && sweep <= 1.5,
        ])

        let scanUniverse = (0..<12_000).map { (Symbol(known: "S\($0)"), series(UInt64($0) * 3 + 5, count: 1260)) }
        let strategies = [
            StrategyLibrary.named("golden_cross")!.strategy, StrategyLibrary.named("rsi_reversion")!.strategy,
        ]
        var signals = 0
        let scan = time {
            let r = try? UniverseScanner.scan(
                strategies, universe: scanUniverse, session: 4000 + 1259, executor: Workers.allCores)
            signals = r?.signals.values.reduce(0) { $0 + $1.count } ?? -1
        }
        report([
            "benchmark": "scan_12000_x_1260_two_strategies", "signals": signals, "seconds": rounded(scan, 2),
            "target_seconds": 3,
            "pass": signals >= 0 && scan <= 3,
        ])
        // The refresh's default since issue 16: every built-in strategy.
        var all = 0
        let scanAll = time {
            let r = try? UniverseScanner.scan(
                StrategyLibrary.all.map(\.strategy), universe: scanUniverse, session: 4000 + 1259,
                executor: Workers.allCores)
            all = r?.signals.values.reduce(0) { $0 + $1.count } ?? -1
        }
        report([
            "benchmark": "scan_12000_x_1260_all_builtin_strategies", "strategies": StrategyLibrary.all.count,
            "signals": all, "seconds": rounded(scanAll, 2), "target_seconds": 3, "pass": all >= 0 && scanAll <= 3,
        ])
    }

    /// Runs scripts/bench_peers.py on the same single series.
    static func timePeers(_ s: BarSeries) -> [String: Any]? {
        let path = NSTemporaryDirectory() + "tradlyte-bench-bt-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text = "date,open,high,low,close,volume\n"
        for i in 0..<s.count {
            text +=
                "\(TradingCalendar.nyse.sessions[Int(s.sessionIndex[i])]),\(s.open[i]),\(s.high[i]),\(s.low[i]),\(s.close[i]),\(s.volume[i])\n"
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { return nil }
        return runPeer("bench_peers.py", [path])
    }
}
