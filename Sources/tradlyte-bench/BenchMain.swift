import Dispatch
import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// `tradlyte-bench` measures the engine's speed targets in a release build and prints one
/// JSON object per result. Usage:
///
///     swift run -c release tradlyte-bench [all|resample|store] [--symbols N] [--sessions N] [--seed N] [--dir PATH]
@main
struct BenchMain {
    static func main() throws {
        if ProcessInfo.processInfo.environment["TRADLYTE_BENCH_NO_HEAP_TUNING"] == nil { HeapTuning.keepFreedHeap() }
        var args = Array(CommandLine.arguments.dropFirst())
        if args.contains("--help") || args.contains("-h") {
            print(
                """
                usage: tradlyte-bench [all|resample|store|indicators|marketdata|pipeline|backtest|portfolio|ui|serve]
                                      [--symbols N] [--sessions N] [--seed N] [--dir PATH]
                  resample  resample N×M seeded daily bars into the six Fibonacci intervals (time, peak memory)
                  store     bulk insert, full ordered read and per-symbol reads through MarketStore
                  backtest  SMA-cross backtest vs backtesting.py, 1,000-symbol panel, 1,000-combination sweep, 12,000-symbol scan
                  portfolio  one strategy over 1,000 symbols x 2,500 bars, 20 positions,
                             vs vectorbt's cash-sharing from_signals
                  pipeline  2-year backfill and daily run of 12,000 symbols; all Fibonacci bars of 10 M daily bars
                  marketdata  parse a 12,000-ticker grouped-daily payload; fetch 500 sessions from the fake server at 1,000/min
                  ui        chart screen render, unchanged-frame flush, key to frame; start to first frame of release `tradlyte` on N×M bars
                  indicators  six indicators over N×M bars against TA-Lib (scripts/bench_talib.py), rule compile and evaluation
                  serve     release `tradlyte serve` under wrk (64 connections): cached quote, 2,500 daily bars,
                            13-session bars, a backtest; vs FastAPI on uvicorn (scripts/bench_fastapi.py)
                Defaults: 4000 symbols × 2500 sessions (10 M bars), seed 42, a temporary directory.
                Build in release mode: swift run -c release tradlyte-bench all
                """)
            return
        }
        let which = args.first.flatMap { $0.hasPrefix("--") ? nil : $0 } ?? "all"
        if args.first == which { args.removeFirst() }
        var options = Options()
        var i = 0
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--symbols":
                options.symbols = Int(value) ?? options.symbols
                i += 1
            case "--sessions":
                options.sessions = Int(value) ?? options.sessions
                i += 1
            case "--seed":
                options.seed = UInt64(value) ?? options.seed
                i += 1
            case "--dir":
                options.directory = value
                i += 1
            default:
                FileHandle.standardError.write(
                    Data("tradlyte-bench: unknown argument '\(args[i])' — see --help\n".utf8))
                exit(2)
            }
            i += 1
        }
        #if DEBUG
            FileHandle.standardError.write(
                Data("tradlyte-bench: warning: debug build — figures are not comparable; use -c release\n".utf8))
        #endif
        func market() -> SyntheticMarket {
            SyntheticMarket(symbols: options.symbols, sessions: options.sessions, seed: options.seed)
        }
        switch which {
        case "resample": ResampleBench.run(market())
        case "store": StoreBench.run(market(), options: options)
        case "indicators": try IndicatorBench.run(bars: options.symbols * options.sessions, seed: options.seed)
        case "marketdata": MarketDataBench.run(fetch: true)
        case "backtest": try BacktestBench.run()
        case "portfolio": try PortfolioBench.run()
        case "serve": ServeBench.run()
        case "ui":
            try UIBench.run()
            UIBench.startup(market())
        case "pipeline":
            PipelineBench.run(symbols: 12_000)
            PipelineBench.resampleAll(market())
        case "all":
            let universe = market()
            ResampleBench.run(universe)
            StoreBench.run(universe, options: options)
            try IndicatorBench.run(bars: options.symbols * options.sessions, seed: options.seed)
            MarketDataBench.run(fetch: true)
            PipelineBench.run(symbols: 12_000)
            PipelineBench.resampleAll(universe)
            try BacktestBench.run()
            try UIBench.run()
            UIBench.startup(universe)
            ServeBench.run()
        default:
            FileHandle.standardError.write(
                Data(
                    "tradlyte-bench: unknown benchmark '\(which)' — use all, resample, store, indicators, marketdata, pipeline, backtest, portfolio, ui or serve\n"
                        .utf8))
            exit(2)
        }
    }
}

struct Options {
    var symbols = 4000
    var sessions = 2500
    var seed: UInt64 = 42
    var directory: String?
}

/// Prints one result as a JSON object on its own line.
func report(_ fields: [String: Any]) {
    do {
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    } catch {
        FileHandle.standardError.write(Data("tradlyte-bench: a result could not be written: \(error)\n".utf8))
    }
}

/// Seconds taken by `body`.
func time(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let d = try clock.measure(body)
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Peak resident memory of this process so far (VmHWM), in bytes; 0 where /proc is absent.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

func rounded(_ x: Double, _ digits: Int = 4) -> Double {
    let p = pow(10, Double(digits))
    return (x * p).rounded() / p
}

/// A seeded universe of random-walk daily bars on the last `sessions` sessions up to 2024.
struct SyntheticMarket {
    let symbols: [Symbol]
    let series: [BarSeries]
    let latestClosed: Int32

    init(symbols count: Int, sessions: Int, seed: UInt64) {
        let cal = TradingCalendar.nyse
        let last = cal.sessionIndex(onOrBefore: SessionDate(year: 2024, month: 12, day: 31)!)
        let first = max(0, last - sessions + 1)
        var rng = seed | 1
        func next() -> Double {  // xorshift64*
            rng ^= rng >> 12
            rng ^= rng << 25
            rng ^= rng >> 27
            return Double((rng &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
        var names: [Symbol] = []
        var all: [BarSeries] = []
        names.reserveCapacity(count)
        all.reserveCapacity(count)
        for k in 0..<count {
            names.append(Symbol(known: "S\(k)"))
            var s = BarSeries(capacity: last - first + 1)
            var price = 5 + 200 * next()
            for index in first...last {
                let open = price * (1 + (next() - 0.5) * 0.02)
                let close = open * (1 + (next() - 0.5) * 0.04)
                let high = max(open, close) * (1 + next() * 0.01)
                let low = min(open, close) * (1 - next() * 0.01)
                s.sessionIndex.append(Int32(index))
                s.open.append(open)
                s.high.append(high)
                s.low.append(low)
                s.close.append(close)
                s.volume.append((next() * 1e6).rounded())
                price = close
            }
            all.append(s)
        }
        symbols = names
        series = all
        latestClosed = Int32(last)
    }

    var barCount: Int { series.reduce(0) { $0 + $1.count } }
}

/// Runs `scripts/NAME` with python3 and these arguments and reads the JSON object it prints
/// (nil when python, the script or its answer is missing).
func runPeer(_ name: String, _ arguments: [String]) -> [String: Any]? {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/" + name).path
    guard FileManager.default.fileExists(atPath: script) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
}
