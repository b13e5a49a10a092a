import Testing
import TradLyteTestSupport

@testable import TradLyteCore

@Suite struct FibResamplerTests {
    let cal = TradingCalendar.nyse

    func idx(_ text: String) -> Int32 { Int32(cal.sessionIndex(try! SessionDate(iso: text))!) }

    /// Sessions 2024-11-20 … 2024-12-06 (Thanksgiving on the 28th) with 2024-12-02 missing;
    /// bar k has open 100+k, high 110+k, low 90+k, close 105+k, volume 1000·(k+1).
    func thanksgivingSeries() throws -> BarSeries {
        let days = [
            "2024-11-20", "2024-11-21", "2024-11-22", "2024-11-25", "2024-11-26", "2024-11-27",
            "2024-11-29", "2024-12-03", "2024-12-04", "2024-12-05", "2024-12-06",
        ]
        var s = BarSeries()
        for (k, day) in days.enumerated() {
            let d = Double(k)
            try s.append(
                sessionIndex: idx(day), open: 100 + d, high: 110 + d, low: 90 + d, close: 105 + d,
                volume: 1000 * (d + 1))
        }
        return s
    }

    @Test func fiveSessionBarsAcrossAHolidayAndAGap() throws {
        let bars = FibResampler.resample(
            try thanksgivingSeries(), interval: try FibInterval(5), latestClosed: idx("2024-12-06"))
        #expect(bars.map(\.bucket) == [1757, 1758, 1759, 1760])
        // 1757 holds only 2024-11-20 (its other sessions precede the data).
        #expect(bars[0].sessionsPresent == 1 && bars[0].firstSession == idx("2024-11-20") && bars[0].complete)
        // 1758: the five sessions 11-21 … 11-27 (the holiday is not a session, so no gap).
        #expect(
            bars[1]
                == FibBar(
                    bucket: 1758, firstSession: idx("2024-11-21"), lastSession: idx("2024-11-27"),
                    sessionsPresent: 5, complete: true, open: 101, high: 115, low: 91, close: 110, volume: 20_000))
        // 1759: 11-29 … 12-05 with 12-02 missing: four sessions present.
        #expect(
            bars[2]
                == FibBar(
                    bucket: 1759, firstSession: idx("2024-11-29"), lastSession: idx("2024-12-05"),
                    sessionsPresent: 4, complete: true, open: 106, high: 119, low: 96, close: 114, volume: 34_000))
        // 1760 is forming: it ends four sessions after 12-06.
        #expect(bars[3].sessionsPresent == 1 && !bars[3].complete)
        #expect(bars[3].calendarSessions(interval: try FibInterval(5)) == idx("2024-12-06")...idx("2024-12-06") + 4)
    }

    @Test func anchoringIsGlobalAndIgnoresWhereHistoryStarts() throws {
        let full = try thanksgivingSeries()
        var trimmed = BarSeries()
        for i in 3..<full.count { trimmed.appendUnchecked(from: full, at: i) }
        let five = try FibInterval(5)
        let a = FibResampler.resample(full, interval: five, latestClosed: idx("2024-12-06"))
        let b = FibResampler.resample(trimmed, interval: five, latestClosed: idx("2024-12-06"))
        // Later buckets are identical; trimming only shortens the bucket it cuts into.
        #expect(Array(a.suffix(2)) == Array(b.suffix(2)))
        #expect(a.map(\.bucket).suffix(3) == b.map(\.bucket)[...])
    }

    @Test func matchesThePandasReference() throws {
        let asOf = try Fixture.asOf("resample_daily.csv")
        let latest = Int32(cal.sessionIndex(asOf)!)
        var series: [String: BarSeries] = [:]
        for line in try Fixture.lines("resample_daily.csv").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            try series[f[0], default: BarSeries()].append(
                sessionIndex: Int32(cal.sessionIndex(try SessionDate(iso: f[1]))!), open: Double(f[2])!,
                high: Double(f[3])!, low: Double(f[4])!, close: Double(f[5])!, volume: Double(f[6])!)
        }
        let intervals = try FibInterval.allowedSessions.map { try FibInterval($0) }
        var ours: [String: [[FibBar]]] = [:]
        for (symbol, s) in series {
            ours[symbol] = FibResampler.resample(s, intervals: intervals, latestClosed: latest)
        }
        var compared = 0
        var position: [String: Int] = [:]
        for line in try Fixture.lines("resample_expected.csv").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            let k = intervals.firstIndex(of: try FibInterval(Int(f[1])!))!
            let key = "\(f[0])/\(f[1])"
            let i = position[key, default: 0]
            position[key] = i + 1
            let bars = try #require(ours[f[0]]?[k])
            guard i < bars.count else {
                Issue.record("\(key): we have \(bars.count) bars, pandas more")
                continue
            }
            let expected = FibBar(
                bucket: Int32(f[2])!, firstSession: Int32(cal.sessionIndex(try SessionDate(iso: f[3]))!),
                lastSession: Int32(cal.sessionIndex(try SessionDate(iso: f[4]))!), sessionsPresent: Int32(f[5])!,
                complete: f[6] == "1", open: Double(f[7])!, high: Double(f[8])!, low: Double(f[9])!,
                close: Double(f[10])!, volume: Double(f[11])!)
            #expect(bars[i] == expected, "\(key) bar \(i)")
            compared += 1
        }
        for (symbol, perInterval) in ours {
            for (k, bars) in perInterval.enumerated() {
                #expect(bars.count == position["\(symbol)/\(intervals[k].sessions)"], "\(symbol)/\(intervals[k]) count")
            }
        }
        #expect(compared > 1500)
    }

    @Test func singlePassOverSeveralIntervalsEqualsOnePassEach() throws {
        let s = try thanksgivingSeries()
        let latest = idx("2024-12-04")
        let all = FibResampler.resample(s, intervals: FibInterval.standard, latestClosed: latest)
        for (k, interval) in FibInterval.standard.enumerated() {
            #expect(all[k] == FibResampler.resample(s, interval: interval, latestClosed: latest))
        }
    }

    @Test func emptySeriesGivesNoBars() {
        #expect(FibResampler.resample(BarSeries(), interval: .daily, latestClosed: 100).isEmpty)
    }

    /// Random histories built by random incremental batches (appends, backfills, corrections)
    /// while the clock moves forward must equal one full rebuild at the end.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func incrementalUpdatesEqualAFullRebuild(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let intervals = try FibInterval.allowedSessions.map { try FibInterval($0) }
        let start = Int32.random(in: 5000...6000, using: &rng)
        var daily = BarSeries()
        var latest = start + Int32.random(in: 0...20, using: &rng)
        var bars = [[FibBar]](repeating: [], count: intervals.count)
        for _ in 0..<40 {
            // A batch of new or changed sessions anywhere in [start, latest + 3].
            var batch: [Int32: (Double, Double, Double, Double, Double)] = [:]
            for _ in 0..<Int.random(in: 1...25, using: &rng) {
                let s = Int32.random(in: start...(latest + 3), using: &rng)
                let o = Double.random(in: 10...20, using: &rng)
                let c = Double.random(in: 10...20, using: &rng)
                batch[s] = (o, max(o, c) + 1, min(o, c) - 1, c, Double(Int.random(in: 0...1000, using: &rng)))
            }
            var updates = BarSeries()
            for s in batch.keys.sorted() {
                let b = batch[s]!
                try updates.append(sessionIndex: s, open: b.0, high: b.1, low: b.2, close: b.3, volume: b.4)
            }
            daily = daily.merging(updates)
            latest += Int32.random(in: 0...6, using: &rng)  // time moves forward (or not)
            for (k, interval) in intervals.enumerated() {
                bars[k] =
                    FibResampler.update(
                        bars[k], series: daily, changedSessions: updates.sessionIndex,
                        interval: interval, latestClosed: latest
                    ).bars
            }
        }
        let rebuilt = FibResampler.resample(daily, intervals: intervals, latestClosed: latest)
        for k in intervals.indices {
            #expect(bars[k] == rebuilt[k], "interval \(intervals[k]) seed \(seed)")
        }
    }

    @Test func updateReportsOnlyWhatChanged() throws {
        let s = try thanksgivingSeries()
        let five = try FibInterval(5)
        let before = FibResampler.resample(s, interval: five, latestClosed: idx("2024-12-06"))
        var fix = BarSeries()
        try fix.append(sessionIndex: idx("2024-12-02"), open: 100, high: 200, low: 50, close: 120, volume: 1)
        let merged = s.merging(fix)
        let update = FibResampler.update(
            before, series: merged, changedSessions: fix.sessionIndex,
            interval: five, latestClosed: idx("2024-12-06"))
        #expect(update.upserted.map(\.bucket) == [1759])  // 1760 is forming but unchanged
        #expect(update.upserted[0].sessionsPresent == 5 && update.upserted[0].high == 200)
        #expect(update.removedBuckets.isEmpty)
        #expect(update.bars == FibResampler.resample(merged, interval: five, latestClosed: idx("2024-12-06")))
    }

    @Test func intervalsAreValidated() {
        #expect(throws: FibIntervalError.notAllowed(4)) { try FibInterval(4) }
        #expect((try? FibInterval(parsing: "13d"))?.sessions == 13)
        #expect(throws: FibIntervalError.malformed("weekly")) { try FibInterval(parsing: "weekly") }
        #expect(FibInterval.standard.map(\.sessions) == [3, 5, 8, 13, 21, 34])
        #expect(abs(FibInterval.standard[1].periodsPerYear - 50.4) < 1e-12)
    }
}
