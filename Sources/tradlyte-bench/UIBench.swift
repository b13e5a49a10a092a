import Dispatch
import Foundation
import TermRender
import TradLyteApp
import TradLyteCore
import TradLyteStore
import TradLyteUI

/// Terminal UI targets: a 200×60 chart screen of 5,000 bars with volume, two overlays and an
/// oscillator rendered into the buffer (≤ 2 ms); diffing and flushing an unchanged frame
/// (≤ 0.2 ms); key press to flushed frame for an interval switch on 2,500 daily bars
/// (≤ 16 ms); start to first frame on a 10 M-bar database (≤ 250 ms) with resident memory
/// ≤ 150 MB — the last measured on the release `tradlyte` binary itself.
enum UIBench {
    static func state(bars: Int, width: Int, height: Int) throws -> AppState {
        let cal = TradingCalendar.nyse
        let last = Int32(cal.sessionIndex(onOrBefore: SessionDate(year: 2024, month: 12, day: 31)!))
        var s = BarSeries(capacity: bars)
        var rng: UInt64 = 99
        var p = 100.0
        for i in 0..<bars {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Double(rng >> 11) / Double(1 << 53)
            let o = p
            let c = p * (1 + (r - 0.5) * 0.03)
            try s.append(
                sessionIndex: last - Int32(bars) + 1 + Int32(i), open: o, high: max(o, c) * 1.005,
                low: min(o, c) * 0.995,
                close: c, volume: 1e6 * (0.5 + r))
            p = c
        }
        let info = SymbolInfo(symbol: Symbol(known: "BENCH"), name: "Bench Corp", marketCap: 1e9)
        var (state, _) = App.start(
            width: width, height: height, now: Date(timeIntervalSince1970: 1_735_675_200), symbols: [info],
            watchlist: ["BENCH"], demo: false, latestClosed: last, dataThrough: cal.sessions[Int(last)],
            unreadAlerts: 0, theme: "default", themes: ["default"])
        _ = App.update(&state, .seriesLoaded(["BENCH": s], failures: [:]))
        return state
    }

    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        for _ in 0..<3 { body() }
        var samples = (0..<runs).map { _ in time(body) }
        samples.sort()
        return samples[runs / 2]
    }

    static func run() throws {
        let ctx = Screens.Context(theme: .default, glyphs: .unicode)
        var s = try state(bars: 5000, width: 200, height: 60)
        s.focus = .main
        #if DEBUG
            let runs = 5
        #else
            let runs = 41
        #endif
        let render = median(runs) { _ = Screens.render(s, ctx) }
        s.viewport.zoom = 0  // 8 bars per column: ~1,100 of the 5,000 bars on screen
        let renderWide = median(runs) { _ = Screens.render(s, ctx) }
        report([
            "benchmark": "ui_render_chart_200x60_5000_bars", "median_ms": rounded(render * 1000, 3),
            "zoomed_out_median_ms": rounded(renderWide * 1000, 3), "overlays": s.overlays.count,
            "oscillator": s.oscillator ?? "none",
            "target_ms": 2, "pass": max(render, renderWide) <= 0.002,
        ])

        let backend = MemoryBackend(width: 200, height: 60)
        let frame = Screens.render(s, ctx)
        backend.flush(frame)
        let unchanged = median(runs * 5) { backend.flush(frame) }
        report([
            "benchmark": "ui_diff_flush_unchanged_frame_200x60", "median_ms": rounded(unchanged * 1000, 4),
            "target_ms": 0.2,
            "pass": unchanged <= 0.0002,
        ])

        var k = try state(bars: 2500, width: 200, height: 60)
        let keyBackend = MemoryBackend(width: 200, height: 60)
        keyBackend.flush(Screens.render(k, ctx))
        var toggle = false
        let keyToFrame = median(runs) {
            toggle.toggle()
            _ = App.update(&k, .input(.key(KeyEvent(.char(toggle ? "3" : "1")))))
            keyBackend.flush(Screens.render(k, ctx))
        }
        report([
            "benchmark": "ui_key_to_frame_interval_switch_2500_bars", "median_ms": rounded(keyToFrame * 1000, 3),
            "target_ms": 16,
            "pass": keyToFrame <= 0.016,
        ])
        try composerAndBacktest(ctx, runs: runs)
    }

    /// Issue targets of the UI's second part: validation feedback per keystroke in the
    /// composer (≤ 5 ms), a 6-indicator strategy's backtest from the key press to the drawn
    /// equity curve on 2,500 bars (≤ 50 ms), and frames while a sweep runs on every core (≤ 16 ms).
    static func composerAndBacktest(_ ctx: Screens.Context, runs: Int) throws {
        // Typing a rule into the composer: each key is an update, a validation and a frame.
        var s = try state(bars: 2500, width: 160, height: 48)
        let six = try Strategy.parse(
            """
            {"schema": "tradlyte.strategy/1", "name": "Six", "description": "six indicators", "interval": 1, "direction": "long",
             "setup": {"rule": "close > ema(50) and rsi(14) > 40"},
             "trigger": {"rule": "macd(12,26,9).macd crosses_above macd(12,26,9).signal and close > bb(20,2).middle", "action": "buy"},
             "exit": {"rule": "close < sma(20) or close < close[1] - 3 * atr(14)"}}
            """)
        s.composer.entries = [ComposerPanel.Entry(id: "six", builtIn: false, strategy: six, problem: nil)]
        s.pane = .strategies
        _ = App.perform(.listOpen, &s)
        _ = App.update(&s, .input(.key(.ctrl("u"))))
        let rule = "macd(12,26,9).macd crosses_above macd(12,26,9).signal and rsi(14) < 70 and close > sma(50)"
        var validate: [Double] = []
        var keyToFrame: [Double] = []
        for c in rule {
            keyToFrame.append(
                time {
                    _ = App.update(&s, .input(.key(KeyEvent(.char(c)))))
                    validate.append(time { _ = s.composer.draft!.compile() })
                    _ = Screens.render(s, ctx)
                })
        }
        validate.sort()
        keyToFrame.sort()
        report([
            "benchmark": "ui_rule_validation_per_keystroke", "keystrokes": rule.count,
            "median_ms": rounded(validate[validate.count / 2] * 1000, 3),
            "max_ms": rounded(validate.last! * 1000, 3), "key_to_frame_max_ms": rounded(keyToFrame.last! * 1000, 3),
            "target_ms": 5,
            "pass": validate.last! <= 0.005,
        ])

        // The key press to the drawn equity curve, as the app runs it (the backtest itself on
        // the UI's background path, here inline).
        var b = try state(bars: 2500, width: 160, height: 48)
        b.strategies = ["six"]
        b.strategy = "six"
        let series = b.series["BENCH"]!
        let compiled = try CompiledStrategy(six)
        let keyToCurve = median(runs) {
            let effects = App.update(&b, .input(.key(KeyEvent(.char("b")))))
            guard case .runBacktest(_, _, let interval, _, _, let generation)? = effects.first else { return }
            let result = Backtester.run(
                compiled, daily: series, interval: interval, configuration: BacktestConfiguration(six.backtest),
                latestClosed: b.latestClosed)
            _ = App.update(&b, .backtestFinished(generation: generation, .success(result)))
            _ = Screens.render(b, ctx)
        }
        report([
            "benchmark": "ui_backtest_6_indicators_key_to_equity_curve_2500_bars",
            "median_ms": rounded(keyToCurve * 1000, 3), "target_ms": 50,
            "trades": b.backtest?.result?.trades.count ?? -1, "pass": keyToCurve <= 0.05,
        ])

        // Frames while a 1,000-combination sweep keeps every core busy.
        var f = try state(bars: 2500, width: 200, height: 60)
        let backend = MemoryBackend(width: 200, height: 60)
        let sweepStrategy = StrategyLibrary.named("golden_cross")!.strategy
        let ranges = [
            BacktestRunner.ParameterRange(name: "fast", values: (0..<40).map { Double(5 + $0 * 2) }),
            BacktestRunner.ParameterRange(name: "slow", values: (0..<25).map { Double(100 + $0 * 10) }),
        ]
        let done = DispatchSemaphore(value: 0)
        let sweepSeries = series
        let latest = f.latestClosed
        Thread.detachNewThread {
            for _ in 0..<3 {
                _ = try? BacktestRunner.sweep(
                    sweepStrategy, daily: sweepSeries, ranges: ranges, configuration: BacktestConfiguration(),
                    latestClosed: latest, metric: .sharpe, executor: Workers.allCores)
            }
            done.signal()
        }
        var frames: [Double] = []
        var toggle = false
        while done.wait(timeout: .now()) == .timedOut {
            toggle.toggle()
            frames.append(
                time {
                    _ = App.update(&f, .input(.key(KeyEvent(.char(toggle ? "3" : "1")))))
                    backend.flush(Screens.render(f, ctx))
                })
        }
        frames.sort()
        report([
            "benchmark": "ui_frames_during_background_sweep", "frames": frames.count,
            "median_ms": rounded(frames[frames.count / 2] * 1000, 3),
            "p99_ms": rounded(frames[min(frames.count - 1, frames.count * 99 / 100)] * 1000, 3),
            "max_ms": rounded(frames.last! * 1000, 3),
            "target_ms": 16, "pass": frames[min(frames.count - 1, frames.count * 99 / 100)] <= 0.016,
        ])
    }

    /// Start to first frame of the release `tradlyte` binary on a 10 M-bar database, and its
    /// peak resident memory. Needs `swift build -c release --product tradlyte` (make bench).
    static func startup(_ market: SyntheticMarket) {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tradlyte").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            report([
                "benchmark": "ui_start_to_first_frame_10m_bars", "pass": NSNull(),
                "note": "build the release CLI first: swift build -c release --product tradlyte (make bench does)",
            ])
            return
        }
        let dir = NSTemporaryDirectory() + "tradlyte-bench-ui-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try MarketStore(path: dir + "/tradlyte.sqlite")
            let infos = market.symbols.enumerated().map {
                SymbolInfo(symbol: $1, name: "Company \($0)", marketCap: Double($0) * 1e7)
            }
            try store.upsertSymbols(infos, at: Date())
            var k = 0
            while k < market.series.count {
                let end = min(market.series.count, k + 200)
                let batch = (k..<end).map {
                    MarketStore.SymbolSeries(symbol: market.symbols[$0], series: market.series[$0])
                }
                try store.upsertDailyBars(batch, at: Date())
                k = end
            }
        } catch {
            FileHandle.standardError.write(
                Data("tradlyte-bench: ui startup benchmark could not build its database: \(error)\n".utf8))
            return
        }
        var samples: [Double] = []
        var peak = 0
        for _ in 0..<5 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["render", "chart", "--size", "200x60"]
            var env = ProcessInfo.processInfo.environment
            env["TRADLYTE_HOME"] = dir
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            // Peak memory is read from the child's /proc status while it runs: getrusage's
            // RUSAGE_CHILDREN would report the benchmark's own size (the child inherits the
            // parent's high-water mark at exec).
            var childPeak = 0
            let t = time {
                try? p.run()
                let path = "/proc/\(p.processIdentifier)/status"
                while p.isRunning {
                    if let text = try? String(contentsOfFile: path, encoding: .utf8),
                        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                        let kb = line.split(separator: " ").compactMap({ Int($0) }).first
                    {
                        childPeak = max(childPeak, kb * 1024)
                    }
                    usleep(200)
                }
                p.waitUntilExit()
            }
            samples.append(t)
            peak = max(peak, childPeak)
        }
        samples.sort()
        report([
            "benchmark": "ui_start_to_first_frame_10m_bars", "daily_bars": market.barCount,
            "median_ms": rounded(samples[2] * 1000, 1),
            "peak_resident_mb": rounded(Double(peak) / 1_048_576, 1), "target_ms": 250, "target_resident_mb": 150,
            "note":
                "process start to a rendered 200×60 chart screen (tradlyte render chart: the UI's start path without the terminal); peak memory sampled from /proc every 0.2 ms",
            "pass": samples[2] <= 0.25 && peak <= 150 * 1_048_576,
        ])
    }
}
