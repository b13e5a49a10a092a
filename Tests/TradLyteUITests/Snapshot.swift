import Foundation
import TermRender
import Testing
import TradLyteTestSupport

/// Golden snapshots: text rows plus style runs, compared with
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
        if !record {
            Issue.record(
                "recorded a new snapshot \(name).txt — check it and run the tests again", sourceLocation: sourceLocation
            )
        }
        return
    }
    guard expected != actual else { return }
    let e = expected.components(separatedBy: "\n")
    let a = actual.components(separatedBy: "\n")
    var diff: [String] = []
    for i in 0..<max(e.count, a.count) {
        let want = i < e.count ? e[i] : "<none>"
        let got = i < a.count ? a[i] : "<none>"
        guard want != got else { continue }
        diff.append("line \(i + 1):\n  expected: " + want + "\n  actual:   " + got)
        if diff.count >= 12 {
            diff.append("…")
            break
        }
    }
    let report: String = "snapshot \(name) differs (RECORD_SNAPSHOTS=1 re-records):\n" + diff.joined(separator: "\n")
    Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}

/// A buffer filled with a sentinel so both overdraw and underdraw show.
func sentinelBuffer(_ width: Int, _ height: Int) -> Buffer { Buffer(width: width, height: height, fill: Cell("~")) }

/// Deterministic OHLCV columns: a random walk with a trend and occasional dojis.
func walk(_ count: Int, seed: UInt64 = 7, start: Double = 100) -> (
    o: [Double], h: [Double], l: [Double], c: [Double], v: [Double]
) {
    var walk = RandomWalk(seed: seed, start: start)
    walk.openSpread = 0.01
    walk.closeCentre = 0.48
    walk.dojiEvery = 11
    walk.volume = { 1e6 * (0.5 + $0) }
    let bars = walk.bars(count)
    return (bars.map(\.open), bars.map(\.high), bars.map(\.low), bars.map(\.close), bars.map(\.volume))
}
