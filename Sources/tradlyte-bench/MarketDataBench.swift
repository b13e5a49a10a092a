import Foundation
import MarketData
import PolygonFake
import TradLyteCore

/// Market data targets: parsing a 12,000-ticker grouped-daily payload (≤ 30 ms) and
/// fetching 500 grouped-daily sessions from the fake server under a 1,000 calls/min limit
/// (wall time within 10% of the 29.94 s the limit allows; no 429s).
enum MarketDataBench {
    static func run(fetch: Bool) {
        parse()
        if fetch { fetchPaced() }
    }

    static func parse() {
        let session = SessionDate(year: 2024, month: 3, day: 15)!
        let t = Int64(NewYorkTime.instant(on: session, minuteOfDay: 0).timeIntervalSince1970 * 1000)
        var rng = SystemRandomNumberGenerator()
        var items: [String] = []
        items.reserveCapacity(12_000)
        for k in 0..<12_000 {
            let o = Double.random(in: 5...500, using: &rng)
            let c = o * Double.random(in: 0.95...1.05, using: &rng)
            let h = max(o, c) * 1.01
            let l = min(o, c) * 0.99
            let ticker = "T" + String(k, radix: 36).uppercased()
            items.append(
                #"{"T":"\#(ticker)","v":\#(Int.random(in: 1000...50_000_000, using: &rng)),"vw":\#(c),"o":\#(o),"c":\#(c),"h":\#(h),"l":\#(l),"t":\#(t),"n":\#(Int.random(in: 10...90_000, using: &rng))}"#
            )
        }
        let payload = Data(
            (#"{"status":"OK","queryCount":12000,"resultsCount":12000,"adjusted":true,"results":["#
                + items.joined(separator: ",") + "]}").utf8)
        let client = PolygonClient(
            configuration: .init(apiKey: "bench"), transport: CurlHTTPClient(userAgent: "bench"),
            clock: SystemClock(), sleeper: SystemClock())
        var samples: [Double] = []
        var count = 0
        for _ in 0..<20 {
            samples.append(time { count = (try? client.parseGroupedDaily(payload, session: session).count) ?? -1 })
        }
        samples.sort()
        report([
            "benchmark": "parse_grouped_daily", "tickers": count, "bytes": payload.count,
            "median_ms": rounded(samples[10] * 1000, 3), "target_ms": 30,
            "pass": count == 12_000 && samples[10] * 1000 <= 30,
        ])
    }

    static func fetchPaced() {
        let server = FakePolygonServer(apiKey: "bench-key", market: DemoMarket(clock: { Date() }))
        server.rateLimitPerMinute = 1000
        do { try server.start() } catch {
            FileHandle.standardError.write(Data("tradlyte-bench: cannot start the fake server: \(error)\n".utf8))
            return
        }
        defer { server.stop() }
        let configuration = PolygonClient.Configuration(
            apiKey: "bench-key", baseURL: server.baseURL,
            callsPerMinute: 1000, retries: 2)
        let client = PolygonClient(
            configuration: configuration, transport: CurlHTTPClient(userAgent: "bench"),
            clock: SystemClock(), sleeper: SystemClock())
        let cal = TradingCalendar.nyse
        let last = cal.sessionIndex(onOrBefore: SessionDate(year: 2024, month: 12, day: 31)!)
        let sessions = (0..<500).map { cal.sessions[last - 499 + $0] }
        var fetched = 0
        let elapsed = time {
            for s in sessions { fetched += (try? client.groupedDaily(s).count) ?? 0 }
        }
        let allowed = client.limiter.estimatedSeconds(forCalls: 500)
        let throttled = server.requests.count - 500
        report([
            "benchmark": "fetch_500_sessions_paced", "calls_per_minute": 1000, "seconds": rounded(elapsed, 2),
            "limit_allows_seconds": rounded(allowed, 2), "ratio": rounded(elapsed / allowed, 3), "bars": fetched,
            "http_429_retries": throttled, "pass": elapsed <= allowed * 1.1 && throttled == 0,
        ])
    }
}
