import Foundation
import MarketData
import TradLyteCore
import TradLytePipeline
import TradLyteStore

/// Where things live and how the user configured them: the one place the CLI reads the
/// process environment and the config file.
package struct AppEnvironment {
    package let dataDirectory: String
    package let configDirectory: String
    package let config: AppConfig
    /// The API key and where it came from ("POLYGON_API_KEY" or the config file).
    package let apiKey: (value: String, origin: String)?
    package let baseURL: String

    package var databasePath: String { dataDirectory + "/tradlyte.sqlite" }
    package var configPath: String { configDirectory + "/config.json" }
    /// User strategy files (JSON).
    package var strategiesDirectory: String { configDirectory + "/strategies" }

    /// Resolves directories from `TRADLYTE_HOME` (data and config together) or the XDG base
    /// directories, and loads the config file when present.
    package static func load(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppEnvironment {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let data: String
        let config: String
        if let root = env["TRADLYTE_HOME"], !root.isEmpty {
            data = root
            config = root
        } else {
            data = (env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share") + "/tradlyte"
            config = (env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config") + "/tradlyte"
        }
        let path = config + "/config.json"
        let loaded = try FileManager.default.fileExists(atPath: path) ? AppConfig.load(path: path) : AppConfig()
        var key: (String, String)?
        if let k = env["POLYGON_API_KEY"], !k.isEmpty {
            key = (k, "POLYGON_API_KEY")
        } else if let k = loaded.polygonAPIKey {
            key = (k, "the config file")
        }
        if let (value, origin) = key, let problem = PolygonClient.keyProblem(value) {
            let source = origin == "POLYGON_API_KEY" ? origin : path
            throw AppError.badInput("\(problem) (in \(source)); it was not sent anywhere")
        }
        let base = env["POLYGON_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? loaded.polygonBaseURL
        var pinned: Date?
        if let text = env["TRADLYTE_NOW"], !text.isEmpty {
            guard let date = Timestamp.parse(text) else {
                throw AppError.badInput(
                    "TRADLYTE_NOW='\(text)' is not an ISO 8601 instant such as 2024-03-15T21:00:00Z")
            }
            pinned = date
        }
        return AppEnvironment(
            dataDirectory: data, configDirectory: config, config: loaded, apiKey: key, baseURL: base, pinnedNow: pinned)
    }

    /// Opens the store, creating the data directory on first use.
    package func openStore() throws -> MarketStore {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw AppError.failure(
                "cannot create the data directory \(dataDirectory): \(error.localizedDescription) — "
                    + "set TRADLYTE_HOME to a writable directory"
            )
        }
        return try MarketStore(path: databasePath)
    }

    /// "Now": the real clock, or `TRADLYTE_NOW` (an ISO 8601 instant) to pin it for tests and
    /// reproducible demos.
    package let pinnedNow: Date?

    /// The base URL as it may be shown: a key pasted into it (`?apiKey=…`) is replaced by ***.
    package var displayBaseURL: String {
        guard let key = apiKey?.value, key.count >= 4 else { return baseURL }
        return baseURL.replacingOccurrences(of: key, with: "***")
    }

    package func now() -> Date {
        clock.now()
    }

    /// The market's clock every component below the edge is given ("what session is it?").
    /// Pacing and backoff always run on the host's clock (`SystemClock`): a pinned instant
    /// never moves, so a rate limiter on it would wait forever.
    package var clock: any WallClock {
        pinnedNow.map { FixedClock($0) } ?? SystemClock()
    }

    /// Whether the offline demo market serves data: `provider` says demo, or no key is set.
    package var usesDemoMarket: Bool {
        config.provider == .demo || (config.provider == .auto && apiKey == nil)
    }

    /// The market data provider: Polygon when a key is set (unless `provider` says demo),
    /// else the offline demo market.
    /// - Parameters:
    ///   - cancellation: ends a call in progress (a transfer, a backoff, a rate-limit wait).
    ///   - notices: where waits for the provider are reported (stderr by default; the UI passes its log).
    package func makeProvider(
        cancellation: CancellationFlag = CancellationFlag(),
        notices: @escaping @Sendable (String) -> Void = { emitError("tradlyte: " + $0) }
    ) throws
        -> MarketDataProvider
    {
        if usesDemoMarket {
            let clock = self.clock
            return DemoMarket(clock: { clock.now() })
        }
        guard let key = apiKey else {
            throw AppError.badInput(
                "provider is \"polygon\" but no API key is set — export POLYGON_API_KEY "
                    + "or set polygon_api_key in \(configPath)")
        }
        // Learned plan facts are trusted for a week and for this key only.
        if databaseExists {
            do {
                let today = NewYorkTime.local(at: now()).date
                for note in try PlanFacts.review(try openStore(), key: key.value, today: today) { notices(note) }
            } catch {
                notices("could not review the plan's learned limits: \(error)")
            }
        }
        let configuration = PolygonClient.Configuration(
            apiKey: key.value, baseURL: baseURL,
            callsPerMinute: config.callsPerMinute, retries: config.retries, maxWaitSeconds: config.maxWaitSeconds)
        let userAgent = "TradLyte/\(TradLyteVersion.current) (terminal research workstation)"
        // The rate-limit file lives here; if the directory cannot be made, the limiter says so itself.
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let limiter = RateLimiter(
            callsPerMinute: config.callsPerMinute, clock: SystemClock(), sleeper: SystemClock(),
            stateFile: rateLimitFile(forKey: key.value))
        let client = PolygonClient(
            configuration: configuration, transport: CurlHTTPClient(userAgent: userAgent),
            clock: SystemClock(), sleeper: SystemClock(), limiter: limiter,
            planMemory: StoreFlagMemory(path: databasePath, now: { [clock] in clock.now() }, problems: notices).memory,
            cancellation: cancellation)
        client.onNotice(notices)
        return client
    }

    /// One rate-limit schedule per key and data directory, shared by every tradlyte process:
    /// named by a fingerprint of the key (never the key itself).
    package func rateLimitFile(forKey key: String) -> String {
        dataDirectory + "/ratelimit-" + String(Self.keyHash(key) >> 32, radix: 16) + ".state"
    }

    /// FNV-1a of the key: names what belongs to a key (its rate-limit file, its plan facts)
    /// without storing the key.
    package static func keyHash(_ key: String) -> UInt64 {
        fnv1a(key.utf8)
    }

    /// Whether a database exists yet (status should not create one just to say it is empty).
    package var databaseExists: Bool { FileManager.default.fileExists(atPath: databasePath) }
}

/// The user's settings (config.json). Unknown keys are errors so typos do not pass silently.
package struct AppConfig: Equatable {
    package enum ProviderChoice: String { case auto, polygon, demo }

    /// Minutes after the close before a session counts as closed (data providers publish
    /// the day's bars a few minutes after 16:00).
    package var closeGraceMinutes = 5
    /// Polygon API key; `POLYGON_API_KEY` takes precedence. Never printed or stored elsewhere.
    package var polygonAPIKey: String?
    /// `POLYGON_BASE_URL` takes precedence (Polygon is also served as Massive).
    package var polygonBaseURL = PolygonClient.defaultBaseURL
    /// The plan's request budget (free tier: 5).
    package var callsPerMinute = 5.0
    package var retries = 2
    /// The longest the provider may make a run wait at once (a Retry-After, the rate window);
    /// past it the rest of the run's fetches are deferred to the next run.
    package var maxWaitSeconds = 300.0
    package var quoteTTLSeconds = 60.0
    package var provider = ProviderChoice.auto
    /// "market" (grouped daily for every ticker) or "watchlist" (per-ticker ranges).
    package var mode = FetchMode.market
    package var watchlist: [String] = []
    /// Nil: 10 years on the demo market (all it serves), 5 on a real provider.
    package var backfillYears: Int?
    package var retentionDays = 30
    /// argv of a command run when a refresh fails (no shell); the summary is appended.
    package var notifyCommand: [String]?
    package var notifyTimeoutSeconds = 10.0
    /// Strategies the refresh's scan stage runs (ids or names); empty turns the stage off.
    /// Every built-in strategy unless the config names some: the first refresh has picks.
    package var scanStrategies = StrategyLibrary.all.map(\.id)
    /// Picks stored per strategy and session by every scan (the refresh's, `tradlyte scan`, the UI's).
    package var scanTop = 20
    /// The terminal UI's theme (`tradlyte themes` lists them).
    package var theme: String?
    /// The UI refreshes by itself once a session has closed that the data lacks.
    package var autoRefresh = false
    /// `tradlyte serve`: the bearer token (TRADLYTE_API_TOKEN wins; generated on first start).
    package var apiToken: String?
    /// `tradlyte serve`: requests a second and in flight at once, per token; the largest body.
    package var apiRatePerSecond = 1_000.0
    package var apiConcurrency = 64
    package var apiBodyLimitBytes = 1_048_576
    /// `tradlyte serve`: seconds a client has to send a request's headers (and, again, its body).
    package var apiHeaderTimeoutSeconds = 10.0
    /// `tradlyte serve`: origins a browser may call the API from (none: no CORS headers).
    package var corsOrigins: [String] = []
    /// `tradlyte serve`: when the daily refresh runs — "auto" (the plan's safe time), "HH:MM"
    /// New York time, or "off".
    package var schedule = "auto"
    /// `tradlyte serve`: minutes between alert checks between refreshes (0: only after a refresh).
    package var alertCheckMinutes = 15
    /// `tradlyte serve`: where fired alerts are POSTed, each signed with its secret.
    package var webhooks: [Webhook] = []

    /// A webhook: the URL an alert is POSTed to and the secret its HMAC-SHA256 signature uses.
    package struct Webhook: Equatable, Sendable {
        package var url: String
        package var secret: String

        package init(url: String, secret: String) {
            self.url = url
            self.secret = secret
        }
    }

    /// Every key the config file may hold, from the one table (`ConfigKey.all`).
    package static var knownKeys: [String] { ConfigKey.all.map(\.name) }

    package static func load(path: String) throws -> AppConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AppError.failure("cannot read the config file \(path) — check its permissions")
        }
        // An empty (or all-blank) file is an empty config, as if it were not there.
        if data.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return AppConfig() }
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(data) } catch {
            let detail = (error.diagnostics.first?.message ?? "").replacingOccurrences(of: "not valid JSON: ", with: "")
            throw AppError.badInput(
                "the config file \(path) is not valid JSON at \(detail) — fix it or move it aside")
        }
        guard case .object(let pairs) = parsed else {
            throw AppError.badInput(
                "the config file \(path) must hold a JSON object, e.g. {\"close_grace_minutes\": 5}")
        }
        var config = AppConfig()
        for (key, value) in pairs {
            guard let entry = ConfigKey.all.first(where: { $0.name == key }) else {
                let hint =
                    knownKeys.min { StrategyCatalog.distance($0, key) < StrategyCatalog.distance($1, key) }
                    .flatMap { StrategyCatalog.distance($0, key) <= 3 ? " — did you mean '\($0)'?" : nil } ?? ""
                throw AppError.badInput(
                    "\(path): unknown key '\(key)'\(hint) (known keys: \(knownKeys.joined(separator: ", ")))")
            }
            do { try entry.apply(&config, value) } catch let error as ConfigValueError {
                throw AppError.badInput("\(path): \(key) \(error.mustBe)")
            }
        }
        return config
    }
}

/// What a config value must be, said after the key's name ("must be a number from 0 to 240").
package struct ConfigValueError: Error {
    package let mustBe: String
}

/// One key of the config file: its name, how its JSON value sets the config (or what it must
/// be), and what it means. The loader, the unknown-key message and the README's table (a test
/// holds them to it) all come from `all`.
package struct ConfigKey: Sendable {
    package let name: String
    package let doc: String
    let apply: @Sendable (inout AppConfig, JSONValue) throws -> Void

    init(
        _ name: String, _ doc: String, _ apply: @escaping @Sendable (inout AppConfig, JSONValue) throws -> Void
    ) {
        self.name = name
        self.doc = doc
        self.apply = apply
    }

    static func number(_ value: JSONValue, _ range: ClosedRange<Double>) throws -> Double {
        guard case .number(let n) = value, range.contains(n) else {
            throw ConfigValueError(
                mustBe: "must be a number from \(IndicatorSpec.format(range.lowerBound)) to "
                    + IndicatorSpec.format(range.upperBound))
        }
        return n
    }

    static func whole(_ value: JSONValue, _ range: ClosedRange<Double>, _ unit: String) throws -> Int {
        guard case .number(let n) = value, range.contains(n), n == n.rounded() else {
            throw ConfigValueError(
                mustBe: "must be a whole number of \(unit) from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
        }
        return Int(n)
    }

    static func string(_ value: JSONValue, _ mustBe: String) throws -> String {
        guard case .string(let s) = value, !s.isEmpty else { throw ConfigValueError(mustBe: mustBe) }
        return s
    }

    static func strings(_ value: JSONValue, _ mustBe: String, nonEmpty: Bool = false) throws
        -> [String]
    {
        guard case .array(let items) = value, !nonEmpty || !items.isEmpty else {
            throw ConfigValueError(mustBe: mustBe)
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw ConfigValueError(mustBe: mustBe) }
            out.append(s)
        }
        return out
    }

    package static let all: [ConfigKey] = [
        ConfigKey("close_grace_minutes", "minutes after the close before a session counts as closed (default 5)") {
            $0.closeGraceMinutes = try whole($1, 0...240, "minutes")
        },
        ConfigKey("polygon_api_key", "the Polygon key (POLYGON_API_KEY wins)") {
            $0.polygonAPIKey = try string($1, "must be a non-empty string")
        },
        ConfigKey("polygon_base_url", "where requests go (POLYGON_BASE_URL wins)") { config, value in
            let s = try string(value, "must be an http(s) URL, e.g. \(PolygonClient.defaultBaseURL)")
            guard s.hasPrefix("http://") || s.hasPrefix("https://") else {
                throw ConfigValueError(mustBe: "must be an http(s) URL, e.g. \(PolygonClient.defaultBaseURL)")
            }
            config.polygonBaseURL = s
        },
        ConfigKey("calls_per_minute", "the plan's call budget (default 5, the free tier)") {
            $0.callsPerMinute = try number($1, 0.1...100_000)
        },
        ConfigKey("retries", "retries on 429, 5xx and timeouts (default 2)") {
            $0.retries = Int(try number($1, 0...10))
        },
        ConfigKey("max_wait_seconds", "the longest wait a provider may ask for (default 300)") {
            $0.maxWaitSeconds = try number($1, 60...86_400)
        },
        ConfigKey("quote_ttl_seconds", "how long a cached quote is reused (default 60)") {
            $0.quoteTTLSeconds = try number($1, 0...86_400)
        },
        ConfigKey("provider", "auto, polygon or demo") { config, value in
            guard case .string(let s) = value, let choice = AppConfig.ProviderChoice(rawValue: s) else {
                throw ConfigValueError(mustBe: "must be \"auto\", \"polygon\" or \"demo\"")
            }
            config.provider = choice
        },
        ConfigKey("mode", "market (grouped daily) or watchlist (per-ticker ranges)") { config, value in
            guard case .string(let s) = value, let mode = FetchMode(rawValue: s) else {
                throw ConfigValueError(
                    mustBe: "must be \"market\" (grouped daily) or \"watchlist\" (per-ticker ranges)")
            }
            config.mode = mode
        },
        ConfigKey("watchlist", "the UI's watchlist and watchlist mode's symbols") { config, value in
            let mustBe = "must be an array of symbols such as [\"AAPL\"]"
            var symbols: [String] = []
            for text in try strings(value, mustBe) {
                do { symbols.append(try Symbol(typed: text).rawValue) } catch {
                    throw ConfigValueError(mustBe: mustBe + " ('\(text)': \(error))")
                }
            }
            config.watchlist = symbols
        },
        ConfigKey("backfill_years", "history depth for a cold start and new symbols") {
            $0.backfillYears = Int(try number($1, 1...30))
        },
        ConfigKey("retention_days", "how long raw provider rows are kept (default 30)") {
            $0.retentionDays = Int(try number($1, 0...3650))
        },
        ConfigKey("notify_command", "argv run when a refresh fails (no shell)") {
            $0.notifyCommand = try strings(
                $1, "must be an argv array, e.g. [\"notify-send\", \"TradLyte\"] (no shell)", nonEmpty: true)
        },
        ConfigKey("notify_timeout_seconds", "how long notify_command may run (default 10)") {
            $0.notifyTimeoutSeconds = try number($1, 1...600)
        },
        ConfigKey("scan_strategies", "the strategies every scan runs ([] turns scanning off)") {
            $0.scanStrategies = try strings($1, "must be an array of strategy names, e.g. [\"golden_cross\"]")
        },
        ConfigKey("scan_top", "picks every scan keeps per strategy and session (default 20)") {
            $0.scanTop = Int(
                try number($1, Double(ScanSettings.topRange.lowerBound)...Double(ScanSettings.topRange.upperBound)))
        },
        ConfigKey("theme", "the UI's theme (tradlyte themes)") {
            $0.theme = try string($1, "must be a theme name such as \"gruvbox\"")
        },
        ConfigKey("auto_refresh", "the UI refreshes by itself once a session the data lacks has closed") {
            config, value in
            guard case .bool(let b) = value else { throw ConfigValueError(mustBe: "must be true or false") }
            config.autoRefresh = b
        },
        ConfigKey("api_token", "tradlyte serve's bearer token (TRADLYTE_API_TOKEN wins; made on first start)") {
            config, value in
            let token = try string(value, "must be a string of at least 32 characters")
            guard token.count >= 32, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw ConfigValueError(mustBe: "must be at least 32 printable ASCII characters without spaces")
            }
            config.apiToken = token
        },
        ConfigKey("api_rate_per_second", "requests a second one token may make to tradlyte serve (default 1000)") {
            $0.apiRatePerSecond = try number($1, 1...10_000_000)
        },
        ConfigKey("api_concurrency", "requests one token may have in flight at once (default 64)") {
            $0.apiConcurrency = try whole($1, 1...100_000, "requests")
        },
        ConfigKey("api_body_limit_bytes", "the largest request body tradlyte serve reads (default 1048576)") {
            $0.apiBodyLimitBytes = try whole($1, 1_024...1_073_741_824, "bytes")
        },
        ConfigKey("api_header_timeout_seconds", "seconds a client has to send a request's headers, then its body") {
            $0.apiHeaderTimeoutSeconds = try number($1, 1...300)
        },
        ConfigKey("cors_origins", "origins a browser may call the API from (default none: no CORS)") {
            config, value in
            let mustBe = "must be an array of origins such as [\"http://localhost:3000\"]"
            let origins = try strings(value, mustBe)
            guard origins.allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") || $0 == "*" }) else {
                throw ConfigValueError(mustBe: mustBe)
            }
            config.corsOrigins = origins
        },
        ConfigKey("schedule", "when tradlyte serve refreshes: auto (the plan's safe time), HH:MM New York, off") {
            config, value in
            let mustBe = "must be \"auto\", \"off\" or a New York time such as \"16:10\""
            let text = try string(value, mustBe)
            guard text == "auto" || text == "off" || RefreshSchedule.clockTime(text) != nil else {
                throw ConfigValueError(mustBe: mustBe)
            }
            config.schedule = text
        },
        ConfigKey("alert_check_minutes", "minutes between tradlyte serve's alert checks (default 15; 0 off)") {
            $0.alertCheckMinutes = try whole($1, 0...1_440, "minutes")
        },
        ConfigKey("webhooks", "where tradlyte serve POSTs fired alerts: [{\"url\": …, \"secret\": …}]") {
            config, value in
            let mustBe = "must be an array of {\"url\": \"https://…\", \"secret\": \"at least 16 characters\"}"
            guard case .array(let items) = value else { throw ConfigValueError(mustBe: mustBe) }
            var hooks: [AppConfig.Webhook] = []
            for item in items {
                guard case .object(let pairs) = item, pairs.count == 2,
                    case .string(let url)? = pairs.first(where: { $0.0 == "url" })?.1,
                    case .string(let secret)? = pairs.first(where: { $0.0 == "secret" })?.1,
                    url.hasPrefix("http://") || url.hasPrefix("https://"), secret.count >= 16
                else { throw ConfigValueError(mustBe: mustBe) }
                hooks.append(AppConfig.Webhook(url: url, secret: secret))
            }
            config.webhooks = hooks
        },
    ]
}

/// Plan facts kept in the store's engine flags, on a connection of their own opened when first
/// needed (a quote may run on a background thread).
package final class StoreFlagMemory: Sendable {
    private let path: String
    private let store = Locked<MarketStore?>(nil)
    private let now: @Sendable () -> Date
    private let problems: @Sendable (String) -> Void

    /// - Parameter problems: told when a fact cannot be read or kept (the run goes on and
    ///   learns it again), in the words the user sees.
    package init(
        path: String, now: @escaping @Sendable () -> Date, problems: @escaping @Sendable (String) -> Void
    ) {
        self.path = path
        self.now = now
        self.problems = problems
    }

    /// A fact remembered is dated (`PlanFacts` forgets it a week later, or when the key changes).
    package var memory: PlanMemory {
        PlanMemory(
            recall: { [self] name in withStore { try $0.flag(name) } ?? nil },
            remember: { [self] name, value in
                let today = NewYorkTime.local(at: now()).date.description
                _ = withStore { store in
                    try store.setFlag(name, value)
                    try store.setFlag(PlanFacts.learnedFlag(name), value == nil ? nil : today)
                }
            })
    }

    /// Runs `body` on the memory's connection; a failure is reported (not swallowed) and
    /// answers nil, so the plan's limit is learned again rather than the call failing.
    private func withStore<T>(_ body: (MarketStore) throws -> T) -> T? {
        store.withLock { store in
            do {
                if store == nil { store = try MarketStore(path: path) }
                return try body(store!)
            } catch {
                problems("the plan's learned limits could not be read or kept (\(error)); they are learned again")
                return nil
            }
        }
    }
}

/// Rewrites the config file through `edit` without ever losing what it cannot read: the file
/// it replaces must parse as a JSON object (else nothing is written and the error says what is
/// wrong — a hand edit or an editor's half-written save must not cost the API key and every
/// setting), and its previous bytes are kept as `config.json.bak` with the same permissions.
package func rewriteConfig(_ path: String, _ edit: (inout [(String, JSONValue)]) -> Void) throws {
    var pairs: [(String, JSONValue)] = []
    var previous: Data?
    if FileManager.default.fileExists(atPath: path) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AppError.failure("cannot read \(path) — check its permissions; nothing was written")
        }
        previous = data
        if !data.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(data) } catch {
                let detail = (error.diagnostics.first?.message ?? "").replacingOccurrences(
                    of: "not valid JSON: ", with: "")
                throw AppError.badInput("\(path) is not valid JSON (\(detail)) — nothing was written")
            }
            guard case .object(let existing) = parsed else {
                throw AppError.badInput(
                    "\(path) does not hold a JSON object — nothing was written; fix the file first")
            }
            pairs = existing
        }
    }
    edit(&pairs)
    if let previous {
        var info = stat()
        var mode = stat(path, &info) == 0 ? info.st_mode & 0o777 : 0o600
        if holdsSecret(String(decoding: previous, as: UTF8.self)) { mode &= 0o700 }
        try AtomicFile.replace(path + ".bak", with: previous, mode: mode, what: "the config file's backup")
    }
    try replaceConfigFile(path, with: Data((JSONValue.object(pairs).rendered() + "\n").utf8))
}

/// Replaces the config file atomically without ever widening who can read it: the new file is
/// created with the old one's mode (0600 when it holds an API key, whatever the old mode), never
/// through the umask, then renamed over the old one.
package func replaceConfigFile(_ path: String, with data: Data) throws {
    var mode: mode_t = 0o600
    var info = stat()
    if stat(path, &info) == 0 {
        mode = info.st_mode & 0o777
    }
    if holdsSecret(String(decoding: data, as: UTF8.self)) {
        mode &= 0o700
    }
    try AtomicFile.replace(path, with: data, mode: mode, what: "the config file")
}

/// Whether config text holds a secret (the provider key, the API token, a webhook secret): such a
/// file is readable by its owner only.
package func holdsSecret(_ text: String) -> Bool {
    ["\"polygon_api_key\"", "\"api_token\"", "\"webhooks\""].contains { text.contains($0) }
}

/// FNV-1a, 64 bits: a change detector and a name for a key's files (the API's ETags, the rate
/// limiter's state file), not a secret.
package func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3 }
    return hash
}
