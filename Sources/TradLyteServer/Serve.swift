import Foundation
import Hummingbird
import ServiceLifecycle
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// What `tradlyte serve` was asked for on the command line.
package struct ServeRequest: Sendable {
    package var host = "127.0.0.1"
    package var port = 8470
    package var allowRemote = false
    package var schedule = true
    package var rotateToken = false

    package init() {}
}

/// `tradlyte serve` from start to shutdown: checks, the token, jobs left by a previous server,
/// the server and its schedule, the record `status` reads, and a graceful stop on SIGTERM or
/// SIGINT (running jobs cancelled and recorded, queued ones kept for the next start).
package enum ServeRunner {
    /// Runs until a signal; returns the exit code.
    package static func run(_ request: ServeRequest, process: [String: String]) async throws -> Int32 {
        let env = try AppEnvironment.load(process)
        if request.rotateToken {
            _ = try APIToken.resolve(env: env, process: process, rotate: true)
            emit(
                "A new API token is in \(env.configPath) (api_token). A running tradlyte serve keeps the old one "
                    + "until it restarts; clients read the new one from there.")
            return 0
        }
        guard (0...65_535).contains(request.port) else {
            throw AppError.badInput("--port must be from 0 (any free port) to 65535")
        }
        guard !request.host.isEmpty else { throw AppError.badInput("--host is empty — e.g. --host 127.0.0.1") }
        if !ServerSettings.isLoopback(request.host) && !request.allowRemote {
            throw AppError.badInput(
                "--host \(request.host) listens beyond this machine; add --allow-remote if that is meant "
                    + "(anyone who can reach the port and holds the token can run studies and refreshes)")
        }
        if let other = ServerRecord.running(env: env), other.pid != getpid() {
            throw AppError.badInput(
                "another tradlyte serve already serves this data: \(other) — stop it first (kill \(other.pid)), "
                    + "or give this one its own TRADLYTE_HOME")
        }
        let (token, origin) = try APIToken.resolve(env: env, process: process, rotate: false)
        var settings = ServerSettings()
        settings.host = request.host
        settings.port = request.port
        settings.allowRemote = request.allowRemote
        settings.schedule = request.schedule
        settings.headerTimeout = env.config.apiHeaderTimeoutSeconds
        settings.requestTimeout = env.config.apiHeaderTimeoutSeconds * 3
        let services = try APIServices(env: env, settings: settings, wall: env.clock, monotonic: SystemClock())
        try resumeJobs(services)
        let record = env.dataDirectory + "/serve.json"
        let schedule = ScheduleService(services: services) { seconds in
            try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
        }
        let app = APIServer.application(services: services, token: token, extra: [schedule]) { port in
            let url = "http://\(hostForURL(request.host)):\(port)"
            writeRecord(record, url: url, env: env)
            emit("TradLyte API on \(url) — token: \(origin); routes: \(url)/docs")
            if request.allowRemote && !ServerSettings.isLoopback(request.host) {
                emit(
                    "--allow-remote: every route (quotes, bars, studies, strategies, alerts, refreshes) is reachable "
                        + "by anyone on the network who holds the token, over plain HTTP — put TLS in front "
                        + "(a reverse proxy) before using it beyond a trusted network.")
            }
            emit(scheduleLine(env: env, enabled: request.schedule))
        }
        // A record left behind names a dead process, which status and doctor ignore.
        defer { try? FileManager.default.removeItem(atPath: record) }
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch  where "\(error)".contains("Address already in use") {
            throw AppError.failure(
                "port \(request.port) on \(request.host) is already in use (another tradlyte serve, or another "
                    + "program) — choose another with --port")
        } catch  where "\(error)".contains("Cannot assign requested address") {
            throw AppError.badInput("--host \(request.host) is not an address of this machine")
        }
        services.hub.finishAll()
        let stopped = services.jobs.stop(waiting: 30)
        BufferedLog.standardError.flush()
        emit(
            stopped
                ? "Stopped; jobs recorded."
                : "Stopped; a job did not stop within 30 s: it is recorded as running and runs again on the next start."
        )
        return 0
    }

    static func hostForURL(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    static func scheduleLine(env: AppEnvironment, enabled: Bool) -> String {
        guard enabled, env.config.schedule != "off" else {
            return "Schedule: off (refresh with POST /v1/pipeline/refresh or tradlyte refresh)."
        }
        let next = RefreshSchedule.next(
            after: env.now(), schedule: env.config.schedule,
            publishesNextDay: RefreshSchedule.publishesNextDay(env: env))
        let when =
            next.map { d -> String in
                let local = NewYorkTime.local(at: d)
                return
                    "\(local.date) \(String(format: "%02d:%02d", local.secondOfDay / 3600, local.secondOfDay / 60 % 60)) New York"
            } ?? "never"
        let alerts =
            env.config.alertCheckMinutes > 0 ? "every \(env.config.alertCheckMinutes) min" : "after refreshes only"
        return "Schedule: \(env.config.schedule) — next refresh \(when); alert checks \(alerts)."
    }

    /// Jobs a previous server left queued or running run again (their results are what the
    /// same request gives); one whose request no longer holds is recorded as failed, with why.
    static func resumeJobs(_ services: APIServices) throws {
        for job in try services.jobs.unfinished() {
            do {
                let value = try JSONSyntax.parse(Array(job.request.utf8))
                var fields = try BodyFields(value)
                _ = try fields.required("kind")
                let work = try JobKinds.make(job.kind, fields: fields, services: services)
                try services.jobs.resume(job, work: work)
            } catch {
                var failed = job
                failed.state = .failed
                failed.error = "not resumed after a restart: \(APIProblem.from(error).detail)"
                failed.finishedAt = services.wall.now()
                try services.withStore { try $0.saveJob(failed) }
            }
        }
    }

    /// `<data>/serve.json`: who serves where, for `tradlyte status` and `doctor`.
    static func writeRecord(_ path: String, url: String, env: AppEnvironment) {
        let record: JSONValue = .object([
            ("pid", .number(Double(getpid()))), ("url", .string(url)),
            ("started_at", .string(Timestamp.format(env.now(), milliseconds: false))),
        ])
        do {
            try AtomicFile.replace(path, with: Data((record.rendered() + "\n").utf8), mode: 0o644, what: "serve.json")
        } catch {
            emitError("tradlyte serve: \(error) (status will not show the server)")
        }
    }
}
