import Foundation
import TermRender
import TradLyteCore
import TradLyteStore
import TradLyteUI

/// Terminal UI targets: a 200×60 chart screen of 5,000 bars with volume, two overlays and an
/// oscillator rendered into the buffer (≤ 2 ms); diffing and flushing an unchanged frame
/// (≤ 0.2 ms); key press to flushed frame for an interval switch on 2,500 daily bars
/// (≤ 16 ms); start to first frame on a 10 M-bar database (≤ 250 ms) with resident memory
/// ≤ 150 MB — the last measured on the release `tradlyte` binary itself.
enum UIBench {
    static func state(bars: Int, width: Int, height: Int) -> AppState {
        let cal = TradingCalendar.nyse
        let last = Int32(cal.sessionIndex(onOrBefore: SessionDate(year: 2024, month: 12, day: 31)!))
        var s = BarSeries(capacity: bars)
        var rng: UInt64 = 99
        var p = 100.0
        for i in 0..<bars {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Double(rng >> 11) / Double(1 << 53)
            let o = p, c = p * (1 + (r - 0.5) * 0.03)
            try! s.append(sessionIndex: last - Int32(bars) + 1 + Int32(i), open: o, high: max(o, c) * 1.005, low: min(o, c) * 0.995,
                          close: c, volume: 1e6 * (0.5 + r))
            p = c
        }
        let info = SymbolInfo(symbol: try! Symbol("BENCH"), name: "Bench Corp", marketCap: 1e9)
        var (state, _) = App.start(width: width, height: height, now: Date(timeIntervalSince1970: 1_735_675_200), symbols: [info],
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

    static func run() {
        let ctx = Screens.Context(theme: .default, glyphs: .unicode)
        var s = state(bars: 5000, width: 200, height: 60)
        s.focus = .main
        #if DEBUG
        let runs = 5
        #else
        let runs = 41
        #endif
        let render = median(runs) { _ = Screens.render(s, ctx) }
        s.viewport.zoom = 0  // 8 bars per column: ~1,100 of the 5,000 bars on screen
        let renderWide = median(runs) { _ = Screens.render(s, ctx) }
        report(["benchmark": "ui_render_chart_200x60_5000_bars", "median_ms": rounded(render * 1000, 3),
                "zoomed_out_median_ms": rounded(renderWide * 1000, 3), "overlays": s.overlays.count, "oscillator": s.oscillator ?? "none",
                "target_ms": 2, "pass": max(render, renderWide) <= 0.002])

        let backend = MemoryBackend(width: 200, height: 60)
        let frame = Screens.render(s, ctx)
        backend.flush(frame)
        let unchanged = median(runs * 5) { backend.flush(frame) }
        report(["benchmark": "ui_diff_flush_unchanged_frame_200x60", "median_ms": rounded(unchanged * 1000, 4), "target_ms": 0.2,
                "pass": unchanged <= 0.0002])

        var k = state(bars: 2500, width: 200, height: 60)
        let keyBackend = MemoryBackend(width: 200, height: 60)
        keyBackend.flush(Screens.render(k, ctx))
        var toggle = false
        let keyToFrame = median(runs) {
            toggle.toggle()
            _ = App.update(&k, .input(.key(KeyEvent(.char(toggle ? "3" : "1")))))
            keyBackend.flush(Screens.render(k, ctx))
        }
        report(["benchmark": "ui_key_to_frame_interval_switch_2500_bars", "median_ms": rounded(keyToFrame * 1000, 3), "target_ms": 16,
                "pass": keyToFrame <= 0.016])
    }

    /// Start to first frame of the release `tradlyte` binary on a 10 M-bar database, and its
    /// peak resident memory. Needs `swift build -c release --product tradlyte` (make bench).
    static func startup(_ market: SyntheticMarket) {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tradlyte").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            report(["benchmark": "ui_start_to_first_frame_10m_bars", "pass": NSNull(),
                    "note": "build the release CLI first: swift build -c release --product tradlyte (make bench does)"])
            return
        }
        let dir = NSTemporaryDirectory() + "tradlyte-bench-ui-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try MarketStore(path: dir + "/tradlyte.sqlite")
            try store.upsertSymbols(market.symbols.enumerated().map { SymbolInfo(symbol: $1, name: "Company \($0)", marketCap: Double($0) * 1e7) })
            var k = 0
            while k < market.series.count {
                let end = min(market.series.count, k + 200)
                try store.upsertDailyBars((k..<end).map { .init(symbol: market.symbols[$0], series: market.series[$0]) })
                k = end
            }
        } catch {
            FileHandle.standardError.write(Data("tradlyte-bench: ui startup benchmark could not build its database: \(error)\n".utf8))
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
                       let kb = line.split(separator: " ").compactMap({ Int($0) }).first {
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
        report(["benchmark": "ui_start_to_first_frame_10m_bars", "daily_bars": market.barCount, "median_ms": rounded(samples[2] * 1000, 1),
                "peak_resident_mb": rounded(Double(peak) / 1_048_576, 1), "target_ms": 250, "target_resident_mb": 150,
                "note": "process start to a rendered 200×60 chart screen (tradlyte render chart: the UI's start path without the terminal); peak memory sampled from /proc every 0.2 ms",
                "pass": samples[2] <= 0.25 && peak <= 150 * 1_048_576])
    }
}
