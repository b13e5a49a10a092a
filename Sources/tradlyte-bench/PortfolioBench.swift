import Foundation
import TradLyteApp
import TradLyteCore

/// Portfolio target: one SMA-cross strategy over 1,000 symbols × 2,500 bars with 20 positions
/// and equal sizing in ≤ 0.25 s, ≥ 5× faster than vectorbt's cash-sharing `from_signals` on the
/// same panel and signals (timed warm by scripts/bench_portfolio_peer.py), peak memory ≤ 1 GB.
enum PortfolioBench {
    static func run() throws {
        let strategy = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "SMA cross", "direction": "long",
             "trigger": {"rule": "sma(10) crosses_above sma(30)", "action": "buy"},
             "exit": {"rule": "sma(10) crosses_below sma(30)"}}
            """)
        let compiled = try CompiledStrategy(strategy)
        let members = (0..<1000).map {
            PortfolioBacktester.Member(
                symbol: Symbol(known: "P\($0)"), daily: BacktestBench.series(UInt64($0) + 101, count: 2500))
        }
        var config = PortfolioBacktester.Configuration()
        config.maxPositions = 20
        config.commission = 0.001
        _ = PortfolioBacktester.run(
            compiled, universe: Array(members.prefix(50)), configuration: config, latestClosed: 7000,
            executor: Workers.allCores)
        var runs: [Double] = []
        var trades = 0
        for _ in 0..<5 {
            runs.append(
                time {
                    let r = PortfolioBacktester.run(
                        compiled, universe: members, configuration: config, latestClosed: 7000,
                        executor: Workers.allCores)
                    trades = r.trades.count + r.openTrades.count
                })
        }
        let median = runs.sorted()[runs.count / 2]
        let peak = peakResidentBytes()
        var fields: [String: Any] = [
            "benchmark": "portfolio_1000_symbols_x_2500_20_positions", "seconds": rounded(median, 3),
            "best_seconds": rounded(runs.min() ?? 0, 3), "trades": trades, "target_seconds": 0.25,
            "peak_resident_mb": peak / 1_048_576, "target_mb": 1024,
        ]
        var pass = median <= 0.25 && peak <= 1024 * 1_048_576
        if let vbt = peer(members, compiled, config)?["vectorbt_seconds"] as? Double {
            fields["vectorbt_from_signals_seconds"] = rounded(vbt, 3)
            fields["times_faster_than_vectorbt"] = rounded(vbt / median, 1)
            pass = pass && vbt / median >= 5
        } else {
            fields["vectorbt_from_signals_seconds"] = NSNull()
            fields["note"] = "vectorbt not timed (pip install vectorbt)"
        }
        fields["pass"] = pass
        report(fields)
    }

    /// Writes the panel (open, close, entries, exits; bars × symbols, float64 and bool .npy)
    /// and times vectorbt on it.
    static func peer(
        _ members: [PortfolioBacktester.Member], _ strategy: CompiledStrategy,
        _ config: PortfolioBacktester.Configuration
    ) -> [String: Any]? {
        let dir = NSTemporaryDirectory() + "tradlyte-bench-portfolio-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else {
            return nil
        }
        let bars = members[0].daily.count
        let columns = members.count
        var open = [Double](repeating: .nan, count: bars * columns)
        var close = open
        var entries = [UInt8](repeating: 0, count: bars * columns)
        var exits = entries
        for (j, m) in members.enumerated() {
            let s = strategy.signals(daily: m.daily, latestClosed: 7000)
            let e = s.entries
            let x = s.exits
            for i in 0..<min(bars, s.count) {
                open[i * columns + j] = s.columns.open[i]
                close[i * columns + j] = s.columns.close[i]
                entries[i * columns + j] = e[i] ? 1 : 0
                exits[i * columns + j] = x[i] ? 1 : 0
            }
        }
        func npy(_ name: String, _ descr: String, _ body: Data) -> Bool {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(bars), \(columns)), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
            data += Data([UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]) + Data(header.utf8)
            return FileManager.default.createFile(atPath: dir + "/" + name, contents: data + body)
        }
        let ok =
            npy("open.npy", "<f8", open.withUnsafeBufferPointer { Data(buffer: $0) })
            && npy("close.npy", "<f8", close.withUnsafeBufferPointer { Data(buffer: $0) })
            && npy("entries.npy", "|b1", Data(entries)) && npy("exits.npy", "|b1", Data(exits))
        guard ok else { return nil }
        return runPeer(
            "bench_portfolio_peer.py", [dir, "\(config.maxPositions)", "\(config.commission)", "\(config.cash)"])
    }
}
