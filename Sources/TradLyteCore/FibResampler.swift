/// Groups daily bars into N-session bars with global anchoring (`bucket = sessionIndex / N`).
///
/// Full resampling walks a symbol's series once for all requested intervals. Incremental
/// resampling recomputes only the buckets that new or changed daily bars touch, plus the
/// still-forming buckets whose `complete` flag may have flipped; a sequence of incremental
/// updates gives exactly the bars of a full rebuild (a property test checks this), provided
/// `latestClosed` never moves backwards.
public enum FibResampler {
    /// Whether bucket `bucket` of an `n`-session interval has closed by session `latestClosed`.
    @inlinable
    public static func isComplete(bucket: Int32, sessions n: Int32, latestClosed: Int32) -> Bool {
        (bucket + 1) * n - 1 <= latestClosed
    }

    /// Resamples one series into one interval.
    public static func resample(_ series: BarSeries, interval: FibInterval, latestClosed: Int32) -> [FibBar] {
        if interval == .daily {
            // Every daily bar is its own bucket: written in place from the columns' buffers.
            return [FibBar](unsafeUninitializedCapacity: series.count) { out, initialized in
                initialized = withColumns(series) { sess, open, high, low, close, volume in
                    for i in 0..<sess.count {
                        let s = sess[i]
                        (out.baseAddress! + i).initialize(
                            to: FibBar(
                                bucket: s, firstSession: s, lastSession: s, sessionsPresent: 1,
                                complete: s <= latestClosed,
                                open: open[i], high: high[i], low: low[i], close: close[i], volume: volume[i]))
                    }
                    return sess.count
                }
            }
        }
        return resample(series, intervals: [interval], latestClosed: latestClosed)[0]
    }

    /// Resamples one series into several intervals in a single pass over the daily bars.
    /// The result has one array per interval, in the order given, each sorted by bucket.
    public static func resample(_ series: BarSeries, intervals: [FibInterval], latestClosed: Int32) -> [[FibBar]] {
        let k = intervals.count
        guard let first = series.sessionIndex.first, let last = series.sessionIndex.last, k > 0 else {
            return [[FibBar]](repeating: [], count: k)
        }
        // Each interval's output is written in place into an array sized by its bucket span
        // (appending was ~5× slower); `counts` receives how many bars each really got.
        let capacities = intervals.map { iv -> Int in
            let n = Int32(iv.sessions)
            return min(series.count, Int(last / n - first / n) + 1)
        }
        var counts = [Int](repeating: 0, count: k)
        var pointers: [UnsafeMutablePointer<FibBar>] = []
        pointers.reserveCapacity(k)

        func build(_ j: Int) -> [[FibBar]] {
            if j == k {
                fill(series, intervals: intervals, latestClosed: latestClosed, into: pointers, counts: &counts)
                return []
            }
            var inner: [[FibBar]] = []
            let bars = [FibBar](unsafeUninitializedCapacity: capacities[j]) { buffer, initialized in
                pointers.append(buffer.baseAddress!)
                inner = build(j + 1)
                initialized = counts[j]
            }
            return [bars] + inner
        }
        return build(0)
    }

    /// The single pass: walks the daily bars once, keeping one accumulator per interval.
    private static func fill(
        _ series: BarSeries, intervals: [FibInterval], latestClosed: Int32,
        into outputs: [UnsafeMutablePointer<FibBar>], counts: inout [Int]
    ) {
        let k = intervals.count
        var acc = [Accumulator](repeating: Accumulator(), count: k)
        for j in 0..<k { acc[j].n = Int32(intervals[j].sessions) }
        withColumns(series) { sess, open, high, low, close, volume in
            acc.withUnsafeMutableBufferPointer { acc in
                counts.withUnsafeMutableBufferPointer { counts in
                    for i in 0..<sess.count {
                        let s = sess[i]
                        let h = high[i]
                        let l = low[i]
                        let c = close[i]
                        let v = volume[i]
                        for j in 0..<k {
                            if s >= acc[j].nextBoundary {
                                if acc[j].count > 0 {
                                    (outputs[j] + counts[j]).initialize(to: acc[j].bar(latestClosed: latestClosed))
                                    counts[j] += 1
                                }
                                acc[j].start(session: s, open: open[i], high: h, low: l)
                            }
                            acc[j].add(session: s, high: h, low: l, close: c, volume: v)
                        }
                    }
                    for j in 0..<k where acc[j].count > 0 {
                        (outputs[j] + counts[j]).initialize(to: acc[j].bar(latestClosed: latestClosed))
                        counts[j] += 1
                    }
                }
            }
        }
    }

    /// Runs `body` on the series' columns as buffers, all cut to the shortest column.
    private static func withColumns<R>(
        _ series: BarSeries,
        _ body: (
            UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Double>,
            UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>,
            UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>
        ) -> R
    ) -> R {
        let n = [
            series.sessionIndex.count, series.open.count, series.high.count, series.low.count,
            series.close.count, series.volume.count,
        ].min()!
        func cut<T>(_ b: UnsafeBufferPointer<T>) -> UnsafeBufferPointer<T> { UnsafeBufferPointer(rebasing: b[0..<n]) }
        return series.sessionIndex.withUnsafeBufferPointer { sess in
            series.open.withUnsafeBufferPointer { open in
                series.high.withUnsafeBufferPointer { high in
                    series.low.withUnsafeBufferPointer { low in
                        series.close.withUnsafeBufferPointer { close in
                            series.volume.withUnsafeBufferPointer { volume in
                                body(cut(sess), cut(open), cut(high), cut(low), cut(close), cut(volume))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The buckets that bars on `sessions` fall into, sorted and unique.
    public static func touchedBuckets<S: Sequence>(sessions: S, interval: FibInterval) -> [Int32]
    where S.Element == Int32 {
        let n = Int32(interval.sessions)
        return Array(Set(sessions.map { $0 / n })).sorted()
    }

    /// Recomputes the given buckets from `series`, which must hold every daily bar of those
    /// buckets. Buckets without any daily bar yield no bar.
    public static func bars(
        forBuckets buckets: [Int32], in series: BarSeries, interval: FibInterval,
        latestClosed: Int32
    ) -> [FibBar] {
        let n = Int32(interval.sessions)
        var result: [FibBar] = []
        result.reserveCapacity(buckets.count)
        for bucket in buckets.sorted() {
            let positions = series.positions(in: bucket * n...bucket * n + n - 1)
            guard !positions.isEmpty else { continue }
            var acc = Accumulator()
            acc.n = n
            let first = positions.lowerBound
            acc.start(
                session: series.sessionIndex[first], open: series.open[first],
                high: series.high[first], low: series.low[first])
            for i in positions {
                acc.add(
                    session: series.sessionIndex[i], high: series.high[i], low: series.low[i],
                    close: series.close[i], volume: series.volume[i])
            }
            result.append(acc.bar(latestClosed: latestClosed))
        }
        return result
    }

    /// The outcome of an incremental update: the symbol's full bar list for the interval, and
    /// what changed relative to the previous list (for writing back to a store).
    public struct Update: Equatable, Sendable {
        public var bars: [FibBar]
        /// New or different bars, sorted by bucket.
        public var upserted: [FibBar]
        /// Buckets that had a bar before and have none now.
        public var removedBuckets: [Int32]
    }

    /// Applies new or changed daily bars to a previous bar list.
    ///
    /// - Parameters:
    ///   - previous: the interval's bars before the change, sorted by bucket.
    ///   - series: the symbol's daily series after the change (at least every touched bucket).
    ///   - changedSessions: session indexes whose daily bar was added, changed or removed.
    ///   - latestClosed: the latest closed session index now (never earlier than last time).
    public static func update(
        _ previous: [FibBar], series: BarSeries, changedSessions: [Int32],
        interval: FibInterval, latestClosed: Int32
    ) -> Update {
        var touched = Set(touchedBuckets(sessions: changedSessions, interval: interval))
        for bar in previous where !bar.complete { touched.insert(bar.bucket) }
        let touchedSorted = touched.sorted()
        let fresh = bars(forBuckets: touchedSorted, in: series, interval: interval, latestClosed: latestClosed)

        var merged: [FibBar] = []
        merged.reserveCapacity(previous.count + fresh.count)
        var upserted: [FibBar] = []
        var removed: [Int32] = []
        var freshByBucket: [Int32: FibBar] = [:]
        for bar in fresh { freshByBucket[bar.bucket] = bar }

        var i = 0
        var j = 0
        while i < previous.count || j < fresh.count {
            if j == fresh.count || (i < previous.count && previous[i].bucket < fresh[j].bucket) {
                let old = previous[i]
                if touched.contains(old.bucket) {
                    if freshByBucket[old.bucket] == nil { removed.append(old.bucket) }
                } else {
                    merged.append(old)
                }
                i += 1
            } else {
                let new = fresh[j]
                if i < previous.count && previous[i].bucket == new.bucket {
                    if previous[i] != new { upserted.append(new) }
                    i += 1
                } else {
                    upserted.append(new)
                }
                merged.append(new)
                j += 1
            }
        }
        return Update(bars: merged, upserted: upserted, removedBuckets: removed)
    }

    /// Running OHLCV of the bucket being built.
    struct Accumulator {
        var n: Int32 = 1
        var nextBoundary: Int32 = .min
        var bucket: Int32 = 0
        var first: Int32 = 0
        var last: Int32 = 0
        var count: Int32 = 0
        var open = 0.0, high = 0.0, low = 0.0, close = 0.0, volume = 0.0

        @inline(__always)
        mutating func start(session s: Int32, open o: Double, high h: Double, low l: Double) {
            bucket = s / n
            nextBoundary = (bucket + 1) * n
            first = s
            count = 0
            open = o
            high = h
            low = l
            volume = 0
        }

        @inline(__always)
        mutating func add(session s: Int32, high h: Double, low l: Double, close c: Double, volume v: Double) {
            last = s
            count += 1
            if h > high { high = h }
            if l < low { low = l }
            close = c
            volume += v
        }

        @inline(__always)
        func bar(latestClosed: Int32) -> FibBar {
            FibBar(
                bucket: bucket, firstSession: first, lastSession: last, sessionsPresent: count,
                complete: FibResampler.isComplete(bucket: bucket, sessions: n, latestClosed: latestClosed),
                open: open, high: high, low: low, close: close, volume: volume)
        }
    }
}
