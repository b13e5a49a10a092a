import Foundation
import MarketData
import TradLyteCore
import TradLyteStore

/// `tradlyte doctor`: what works and what to fix — the key and provider, the rate limit, the
/// database, the theme, the terminal and the locale.
package enum Doctor {
    package enum Level: String {
        case ok = "ok"
        case warn = "warn"
        case fail = "FAIL"
    }

    package struct Check {
        package let name: String
        package let level: Level
        package let detail: String
        package var fix: String? = nil
    }

    /// What the doctor knows of the terminal it reports to.
    package struct Terminal {
        package var isTTY: Bool
        package var size: (columns: Int, rows: Int)?

        package init(isTTY: Bool, size: (columns: Int, rows: Int)?) {
            self.isTTY = isTTY
            self.size = size
        }
    }

    /// Every check, in the order printed. Contacts the provider when a key is set.
    package static func checks(env: AppEnvironment, environment: [String: String], terminal: Terminal) -> [Check] {
        var checks: [Check] = []

        // Provider and key.
        if let key = env.apiKey {
            checks.append(
                Check(name: "API key", level: .ok, detail: "set (from \(key.origin)); never printed or stored"))
            let url = URL(string: env.baseURL)
            if url?.host == nil {
                checks.append(
                    Check(
                        name: "Base URL", level: .fail, detail: "'\(env.displayBaseURL)' is not a URL",
                        fix: "set POLYGON_BASE_URL or polygon_base_url to e.g. "
                            + PolygonClient.defaultBaseURL))
            } else {
                let loopback = ["127.0.0.1", "localhost", "::1"].contains(url!.host!)
                let secure = env.baseURL.hasPrefix("https://") || loopback
                checks.append(
                    Check(
                        name: "Base URL", level: secure ? .ok : .warn, detail: env.displayBaseURL,
                        fix: secure ? nil : "use https:// so the key is not sent in clear text"))
                let client = PolygonClient(
                    configuration: .init(
                        apiKey: key.value, baseURL: env.baseURL, callsPerMinute: 600, retries: 0, timeout: 10),
                    transport: CurlHTTPClient(userAgent: "TradLyte/\(TradLyteVersion.current) doctor"),
                    clock: SystemClock(), sleeper: SystemClock())
                do {
                    let market = try client.marketStatus()
                    checks.append(
                        Check(name: "Polygon", level: .ok, detail: "reachable, key accepted, market \(market)"))
                } catch let error as ProviderError {
                    checks.append(
                        Check(
                            name: "Polygon", level: .fail, detail: client.redact(error.description),
                            fix: fix(for: error)))
                } catch {
                    checks.append(Check(name: "Polygon", level: .fail, detail: client.redact("\(error)")))
                }
            }
        } else {
            checks.append(
                Check(
                    name: "API key", level: .warn, detail: "not set — running on the offline DEMO market",
                    fix: "export POLYGON_API_KEY=… (or polygon_api_key in \(env.configPath)) to use Polygon"))
        }

        // Rate limit.
        let system = SystemClock()
        let limiter = RateLimiter(callsPerMinute: env.config.callsPerMinute, clock: system, sleeper: system)
        let year = limiter.estimatedSeconds(forCalls: 252)
        let tier = env.config.callsPerMinute <= 5 ? " (free tier)" : ""
        checks.append(
            Check(
                name: "Rate limit", level: .ok,
                detail:
                    "\(IndicatorSpec.format(env.config.callsPerMinute)) calls/min\(tier), \(env.config.retries) "
                    + "retries; a one-year grouped-daily backfill takes ~\(DurationText.short(year))",
                fix: env.config.callsPerMinute <= 5 && env.apiKey != nil
                    ? "a paid plan allows more: set calls_per_minute in the config" : nil))

        // Database.
        if env.databaseExists {
            do {
                let store = try env.openStore()
                let summary = try store.summary()
                let integrity = try store.quickCheck()
                // What was learned about the plan, with its age and how to reset it.
                let facts = try PlanFacts.known(store)
                if !facts.isEmpty {
                    let today = NewYorkTime.local(at: env.now()).date
                    let text = facts.map { f in
                        let age =
                            f.learned.map { "learned \($0), \(today.dayNumber - $0.dayNumber) days ago" } ?? "undated"
                        return "\(f.meaning): \(f.value) (\(age))"
                    }.joined(separator: "; ")
                    checks.append(
                        Check(
                            name: "Plan", level: .ok, detail: text,
                            fix: "checked again after \(PlanFacts.maxAgeDays) days or with a new key; "
                                + "tradlyte refresh --relearn forgets them now"))
                }
                checks.append(
                    Check(
                        name: "Database", level: integrity == "ok" ? .ok : .fail,
                        detail:
                            "\(env.databasePath), schema \(try store.currentSchemaVersion()), "
                            + "\(NumberText.grouped(summary.dailyRows)) daily bars, integrity \(integrity)",
                        fix: integrity == "ok" ? nil : "restore a backup or move the file aside and refresh"))
            } catch {
                checks.append(Check(name: "Database", level: .fail, detail: "\(error)"))
            }
        } else {
            let writable =
                FileManager.default.isWritableFile(atPath: env.dataDirectory)
                || !FileManager.default.fileExists(atPath: env.dataDirectory)
            checks.append(
                Check(
                    name: "Database", level: writable ? .ok : .fail,
                    detail: "\(env.databasePath) does not exist yet (it is created on first use)",
                    fix: writable ? nil : "make \(env.dataDirectory) writable or set TRADLYTE_HOME"))
        }

        // Terminal and locale.
        let term = environment["TERM"] ?? ""
        let tty = terminal.isTTY
        if term.isEmpty || term == "dumb" {
            checks.append(
                Check(
                    name: "Terminal", level: .warn, detail: "TERM is \(term.isEmpty ? "not set" : "dumb")",
                    fix: "set TERM (e.g. xterm-256color) to use the terminal UI"))
        } else {
            let dims = terminal.size.map { ", \($0.columns)×\($0.rows)" } ?? ""
            let small = terminal.size.map { $0.columns < 60 || $0.rows < 16 } ?? false
            checks.append(
                Check(
                    name: "Terminal", level: small ? .warn : .ok,
                    detail:
                        "TERM=\(term)\(tty ? "" : " (stdout is not a terminal)")\(dims)"
                        + (environment["NO_COLOR"] != nil ? ", NO_COLOR set" : ""),
                    fix: small ? "the UI needs at least 60×16" : nil))
        }
        let locale =
            environment["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LC_CTYPE"].flatMap {
                $0.isEmpty ? nil : $0
            } ?? environment["LANG"] ?? ""
        let utf8 = locale.lowercased().contains("utf-8") || locale.lowercased().contains("utf8")
        checks.append(
            Check(
                name: "Locale", level: utf8 ? .ok : .warn, detail: locale.isEmpty ? "not set" : locale,
                fix: utf8 ? nil : "export LANG=C.UTF-8 for box and chart glyphs (ASCII is used otherwise)"))
        checks.append(Check(name: "libcurl", level: .ok, detail: CurlHTTPClient.libraryVersion))

        checks.append(theme(env: env, environment: environment))
        checks.append(
            Check(
                name: "API server",
                level: .ok,
                detail: ServerRecord.running(env: env).map { "running at \($0)" }
                    ?? "not running (tradlyte serve starts it)"))
        return checks
    }

    /// The configured theme loads (a bad one would stop `tradlyte ui`).
    static func theme(env: AppEnvironment, environment: [String: String]) -> Check {
        let name = env.config.theme ?? "default"
        do {
            _ = try ThemeCatalog(env: env, processEnv: environment).resolve(
                flag: nil, config: env.config.theme, processEnv: environment)
            return Check(name: "Theme", level: .ok, detail: name)
        } catch {
            return Check(
                name: "Theme", level: .fail, detail: "\(error)",
                fix: "fix the theme file, or set \"theme\" in \(env.configPath) to one `tradlyte themes` lists")
        }
    }

    /// The summary line and whether any check failed.
    package static func verdict(_ checks: [Check]) -> (text: String, failed: Bool) {
        let failed = checks.filter { $0.level == .fail }.count
        let warned = checks.filter { $0.level == .warn }.count
        if failed > 0 { return ("\(failed) problem\(failed == 1 ? "" : "s") to fix.", true) }
        if warned > 0 { return ("Working, with \(warned) warning\(warned == 1 ? "" : "s").", false) }
        return ("Everything looks good.", false)
    }

    static func fix(for error: ProviderError) -> String {
        switch error {
        case .unauthorized: return "check the key at your Polygon dashboard; export POLYGON_API_KEY=…"
        case .notEntitled, .outsideHistory, .notYetPublished:
            return "your plan lacks the market-status endpoint; the daily pipeline may still work"
        case .rateLimited: return "wait a minute, or lower calls_per_minute"
        case .transport: return "check the base URL (POLYGON_BASE_URL) and your network or proxy (HTTPS_PROXY/NO_PROXY)"
        default: return "see the message above"
        }
    }
}
