import Foundation
import TradLyteTestSupport
import Testing
import TermRender

/// Golden snapshots (STYLE 2): text rows plus style runs, compared with
/// `Snapshots/NAME.txt`. A missing file is recorded and the test fails; `RECORD_SNAPSHOTS=1`
/// re-records; a mismatch prints the differing lines.
func assertSnapshot(_ buffer: Buffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = dir.appendingPathComponent(name + ".txt")
    let actual = buffer.snapshot
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    guard !record, let expected = try? String(contentsOf: url, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        if !record { Issue.record("recorded a new snapshot \(name).txt — check it and run the tests again", sourceLocation: sourceLocation) }
        return
    }
    guard expected != actual else { return }
    let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
    var diff: [String] = []
    for i in 0..<max(e.count, a.count) {
        let want = i < e.count ? e[i] : "<none>", got = i < a.count ? a[i] : "<none>"
        guard want != got else { continue }
        diff.append("line \(i + 1):\n  expected: " + want + "\n  actual:   " + got)
        if diff.count >= 12 { diff.append("…"); break }
    }
    let report: String = "snapshot \(name) differs (RECORD_SNAPSHOTS=1 re-records):\n" + diff.joined(separator: "\n")
    Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}

/// A buffer filled with a sentinel so both overdraw and underdraw show (STYLE 3).
func sentinelBuffer(_ width: Int, _ height: Int) -> Buffer { Buffer(width: width, height: height, fill: Cell("~")) }

/// Deterministic OHLCV columns: a random walk with a trend and occasional dojis.
func walk(_ count: Int, seed: UInt64 = 7, start: Double = 100) -> (o: [Double], h: [Double], l: [Double], c: [Double], v: [Double]) {
    var state = seed
    func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    var o: [Double] = [], h: [Double] = [], l: [Double] = [], c: [Double] = [], v: [Double] = []
    var p = start
    for i in 0..<count {
        let open = p * (1 + (next() - 0.5) * 0.01)
        let close = i % 11 == 5 ? open : open * (1 + (next() - 0.48) * 0.04)
        o.append(open); c.append(close)
        h.append(max(open, close) * (1 + next() * 0.01)); l.append(min(open, close) * (1 - next() * 0.01))
        v.append(1e6 * (0.5 + next()))
        p = close
    }
    return (o, h, l, c, v)
}
