import Foundation
import MarketData
import NIOCore
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// The server's settings: where it listens, its limits, its schedule.
package struct ServerSettings: Sendable {
    package var host = "127.0.0.1"
    package var port = 8470
    package var allowRemote = false
    package var schedule = true
    /// Seconds a client has to send a request's headers, then its whole body; idle keep-alive.
    package var headerTimeout = 10.0
    package var requestTimeout = 30.0
    package var idleTimeout = 60.0
    /// Jobs running at once (one per core by default).
    package var jobSlots = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Where the access log goes (stderr, in batches, by default).
    package var accessLog: @Sendable (String) -> Void = { BufferedLog.standardError.append($0) }

    package init() {}

    /// Whether `host` is a loopback address.
    package static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}

/// A response body kept until the data changes: the bytes, their ETag and the data version
/// they were made from.
struct CachedBody: Sendable {
    var bytes: ByteBuffer
    var etag: String
    var version: String
    var contentType: String
}

/// A symbol's daily history kept until the data changes.
struct CachedHistory: Sendable {
    var symbol: Symbol
    var daily: BarSeries
    var version: String
}

/// What every route shares: the environment, the store's connections, the caches, the jobs
/// and the event stream. Routes call the app services through it.
package final class APIServices: Sendable {
    let env: AppEnvironment
    let settings: ServerSettings
    let wall: any WallClock
    let monotonic: any MonotonicClock
    package let hub: EventHub
    let jobs: JobQueue
    private let stores = Locked<[MarketStore]>([])
    private let bodies = Locked<[String: CachedBody]>([:])
    private let histories = Locked<[String: CachedHistory]>([:])
    private let catalog = Locked<(stamp: String, catalog: StrategyCatalog)?>(nil)
    package let quotes: QuoteCache

    package init(env: AppEnvironment, settings: ServerSettings, wall: any WallClock, monotonic: any MonotonicClock)
        throws
    {
        self.env = env
        self.settings = settings
        self.wall = wall
        self.monotonic = monotonic
        let hub = EventHub(wall: wall)
        self.hub = hub
        quotes = QuoteCache(env: env, wall: wall)
        let store = try env.openStore()
        jobs = JobQueue(
            slots: settings.jobSlots, store: store, hub: hub, wall: wall, monotonic: monotonic)
    }

    // MARK: - The store

    /// Runs `body` on a pooled connection (opened when none is free).
    func withStore<T>(_ body: (MarketStore) throws -> T) throws -> T {
        let store = try stores.withLock { $0.popLast() } ?? env.openStore()
        defer { stores.withLock { $0.append(store) } }
        return try body(store)
    }

    /// The data's version: the database file's and its write-ahead log's change times and sizes.
    /// Any write by any process (a CLI refresh, an import) changes it.
    var dataVersion: String {
        func stamp(_ path: String) -> String {
            var info = stat()
            guard stat(path, &info) == 0 else { return "-" }
            return "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec).\(info.st_size)"
        }
        return stamp(env.databasePath) + "/" + stamp(env.databasePath + "-wal")
    }

    /// The version last announced on the stream.
    private let announced = Locked<String?>(nil)

    /// Forgets what was cached from the data and tells the stream (a refresh finished here).
    func dataChanged() {
        bodies.withLock { $0.removeAll() }
        histories.withLock { $0.removeAll() }
        announce(dataVersion)
    }

    /// Tells the stream about data that changed without this server (a CLI refresh or import):
    /// checked every few seconds by the schedule service.
    func checkForNewData() {
        let version = dataVersion
        guard announced.withLock({ $0 }) != nil else {
            announced.withLock { $0 = version }
            return
        }
        announce(version)
    }

    private func announce(_ version: String) {
        let changed = announced.withLock { last -> Bool in
            defer { last = version }
            return last != version
        }
        if changed { hub.publish("data.updated", .object([("version", .string(version))])) }
    }

    // MARK: - Caches

    /// A cached body for `key` at the current data version, or one made by `make` (kept; the
    /// cache holds at most 512 bodies and starts over when full).
    func body(_ key: String, make: () throws -> (bytes: [UInt8], contentType: String)) throws -> CachedBody {
        let version = dataVersion
        if let hit = bodies.withLock({ $0[key] }), hit.version == version { return hit }
        let made = try make()
        let entry = CachedBody(
            bytes: ByteBuffer(bytes: made.bytes), etag: "\"" + String(fnv1a(made.bytes), radix: 16) + "\"",
            version: version,
            contentType: made.contentType)
        bodies.withLock { all in
            if all.count >= 512 { all.removeAll() }
            all[key] = entry
        }
        return entry
    }

    /// A symbol's daily history, read once per data version.
    func history(_ text: String) throws -> CachedHistory {
        let version = dataVersion
        if let hit = histories.withLock({ $0[text] }), hit.version == version { return hit }
        guard env.databaseExists else { throw StoreError.unknownSymbol(try Symbol(typed: text).rawValue) }
        let loaded = try withStore { store -> CachedHistory in
            let symbol = try store.resolveSymbol(text)
            let daily = try store.dailySeries(symbol)
            guard !daily.isEmpty else { throw StoreError.unknownSymbol(symbol.rawValue) }
            return CachedHistory(symbol: symbol, daily: daily, version: version)
        }
        histories.withLock { all in
            if all.count >= 2_048 { all.removeAll() }
            all[text] = loaded
        }
        return loaded
    }

    /// The latest closed session's index at the environment's clock.
    var latestClosed: Int32 {
        Int32(
            TradingCalendar.nyse.latestClosedSessionIndex(at: env.now(), graceMinutes: env.config.closeGraceMinutes))
    }

    /// The strategy catalog, read again when the strategies folder changes.
    func strategies() -> StrategyCatalog {
        var info = stat()
        let dir = env.strategiesDirectory
        let stamp = stat(dir, &info) == 0 ? "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : "none"
        return catalog.withLock { cached in
            if let cached, cached.stamp == stamp { return cached.catalog }
            let fresh = StrategyCatalog(directory: dir)
            cached = (stamp, fresh)
            return fresh
        }
    }

    /// A strategy by id or display name. Unlike the CLI, the API never takes a file path: a
    /// client must not make the server open (or describe) files of its choosing.
    func strategy(_ name: String) throws -> Strategy {
        try Self.refusePath(name)
        return try strategies().strategy(name)
    }

    static func refusePath(_ name: String) throws {
        if name.contains("/") || name.hasSuffix(".json") || name.contains("\\") || name.hasPrefix(".") {
            throw APIProblem(
                .badRequest,
                "'\(name)' looks like a file: the API takes a strategy id or name (GET /v1/strategies lists them; "
                    + "PUT /v1/strategies/{id} adds one)")
        }
    }

    func strategiesChanged() {
        catalog.withLock { $0 = nil }
    }
}

/// The quote service behind `/v1/quotes`: each symbol's quote is kept for the configured TTL
/// (`quote_ttl_seconds`, default 60) in memory, and concurrent requests for one symbol wait for
/// one provider call (single flight). Misses go through the app's quote service (store cache,
/// provider, stored bars), as `tradlyte quote` does.
package final class QuoteCache: Sendable {
    struct Entry: Sendable {
        var result: UncheckedSendable<QuoteService.Result>
        var cachedAt: Date
    }

    private let env: AppEnvironment
    private let wall: any WallClock
    private let pool = QuotePool()
    private let entries = Locked<[String: Entry]>([:])
    private let flights = Locked<[String: Task<Entry, any Error>]>([:])
    /// Provider calls made (a test counts them to prove single flight).
    package let calls = Locked(0)

    init(env: AppEnvironment, wall: any WallClock) {
        self.env = env
        self.wall = wall
    }

    var ttl: Double { env.config.quoteTTLSeconds }

    /// A fresh entry for `symbol`, or nil.
    func cached(_ symbol: String) -> Entry? {
        guard let e = entries.withLock({ $0[symbol] }) else { return nil }
        let age = env.now().timeIntervalSince(e.result.value.quote.fetchedAt)
        return age < ttl && age >= 0 ? e : nil
    }

    /// The quote of `symbol` (as typed; resolved by the store), from the cache or one call: the
    /// first request for it starts the call, the others wait on the same task.
    func quote(_ symbol: String) async throws -> Entry {
        if let hit = cached(symbol) { return hit }
        let flight = flights.withLock { all -> Task<Entry, any Error> in
            if let running = all[symbol] { return running }
            let task = Task { try await self.fetch(symbol) }
            all[symbol] = task
            return task
        }
        return try await flight.value
    }

    /// One provider call; its entry is cached before the flight ends, so a request arriving
    /// after finds it.
    private func fetch(_ symbol: String) async throws -> Entry {
        let outcome: Result<Entry, any Error> = await offload { [self] in
            try pool.use(env: env) { service, store in
                let resolved = try store.resolveSymbol(symbol)
                calls.withLock { $0 += 1 }
                let result = try service.quote(resolved, at: env.now())
                return Entry(result: UncheckedSendable(result), cachedAt: wall.now())
            }
        }
        if case .success(let entry) = outcome { entries.withLock { $0[symbol] = entry } }
        flights.withLock { _ = $0.removeValue(forKey: symbol) }
        return try outcome.get()
    }
}

/// Runs blocking work (SQLite, a provider call, a backtest) on a Dispatch thread so the
/// server's async threads stay free for other requests.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
    await withCheckedContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(returning: Result { try work() })
        }
    }
}
