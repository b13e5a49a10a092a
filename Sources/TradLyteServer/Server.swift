import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// `tradlyte serve`: the router with its middleware, and the HTTP/1 + WebSocket server.
package enum APIServer {
    /// The routes behind auth, limits, CORS, problem documents and the access log.
    package static func router(services: APIServices, token: String) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.middlewares.add(HeadMiddleware())
        router.middlewares.add(
            AccessLogMiddleware(
                token: token, fingerprint: APIToken.fingerprint(token), clock: services.monotonic, wall: services.wall,
                sink: services.settings.accessLog))
        router.middlewares.add(ProblemMiddleware())
        router.middlewares.add(CORSGate(origins: services.env.config.corsOrigins))
        router.middlewares.add(AuthMiddleware(token: token, fingerprint: APIToken.fingerprint(token)))
        router.middlewares.add(
            LimitMiddleware(
                limiter: TokenLimiter(
                    rate: services.env.config.apiRatePerSecond, concurrency: services.env.config.apiConcurrency,
                    clock: services.monotonic)))
        Routes(services: services).add(to: router)
        return router
    }

    /// The application: the router on `host:port`, WebSocket upgrades on `/v1/events`, slow
    /// clients cut off, and `services` (the schedule) run beside it.
    package static func application(
        services: APIServices, token: String, extra: [any Service] = [],
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let settings = services.settings
        let router = router(services: services, token: token)
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(settings.idleTimeout)))
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: http1, ws: .init(maxFrameSize: 1 << 16))
        let hub = services.hub
        let server = HTTPServerBuilder { responder in
            GuardedChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, configuration: configuration,
                    shouldUpgrade: { head, _, _ in
                        guard head.path?.split(separator: "?").first == "/v1/events" else { return .dontUpgrade }
                        let valid =
                            head.headerFields[.authorization].flatMap(APIToken.bearer).map {
                                APIToken.matches($0, token)
                            }
                            ?? false
                        return .upgrade([:]) { inbound, outbound, _ in
                            guard valid else {
                                // The upgrade has no HTTP status to refuse with: the socket is
                                // closed at once with 1008 (policy violation) and the reason.
                                // A client already gone needs no close frame.
                                try? await outbound.close(
                                    .policyViolation,
                                    reason: "the API token is missing or wrong: send Authorization: Bearer …")
                                return
                            }
                            await stream(hub: hub, inbound: inbound, outbound: outbound)
                        }
                    }),
                headerTimeout: .milliseconds(Int64(settings.headerTimeout * 1000)),
                requestTimeout: .milliseconds(Int64(settings.requestTimeout * 1000)))
        }
        var logger = Logger(label: "tradlyte.serve")
        logger.logLevel = .warning
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            services: extra,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }

    /// Sends the hub's events to one WebSocket until either side closes.
    static func stream(hub: EventHub, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let (events, cancel) = hub.subscribe()
        defer { cancel() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in events {
                    do { try await outbound.write(.text(text)) } catch { return }
                }
            }
            group.addTask {
                // Reads until the client closes; what it sends is ignored.
                do { for try await _ in inbound.messages(maxSize: 1 << 16) {} } catch {}
            }
            await group.next()
            group.cancelAll()
            cancel()
        }
    }
}

extension APIServices {
    /// Alerts a refresh or an alert check fired: on the stream, to `notify_command`'s
    /// webhooks (each delivery recorded).
    func alertsFired(_ alerts: [Alert]) {
        guard !alerts.isEmpty else { return }
        for alert in alerts { hub.publish("alert.fired", AlertService.json(alert)) }
        let hooks = env.config.webhooks
        guard !hooks.isEmpty else { return }
        let env = self.env
        let wall = self.wall
        Thread.detachNewThread {
            do {
                let store = try env.openStore()
                let sender = WebhookSender(hooks: hooks)
                for alert in alerts { sender.deliver(alert, store: store, now: { wall.now() }) }
            } catch {
                emitError("tradlyte serve: webhooks not delivered: \(error)")
            }
        }
    }
}

/// The refresh schedule and the alert checks, as a service beside the server: each waits on
/// the injected clock for its next time, then queues a refresh job (skipped while one runs) or
/// checks the alert rules.
package struct ScheduleService: Service {
    let services: APIServices
    let sleeper: @Sendable (Double) async throws -> Void

    package init(services: APIServices, sleeper: @escaping @Sendable (Double) async throws -> Void) {
        self.services = services
        self.sleeper = sleeper
    }

    package func run() async throws {
        let env = services.env
        let hub = services.hub
        do {
            // Shutdown (SIGTERM) cancels the waits; the stream's subscribers are let go so the
            // server can finish its open WebSocket connections.
            try await withGracefulShutdownHandler {
                try await cancelWhenGracefulShutdown {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        // A service that returns stops the server: with no schedule, this one
                        // waits for the shutdown.
                        group.addTask { try await gracefulShutdown() }
                        group.addTask { try await watchData() }
                        if services.settings.schedule, env.config.schedule != "off" {
                            group.addTask { try await refreshes() }
                        }
                        if env.config.alertCheckMinutes > 0 {
                            group.addTask { try await alertChecks(every: Double(env.config.alertCheckMinutes) * 60) }
                        }
                        try await group.waitForAll()
                    }
                }
            } onGracefulShutdown: {
                hub.finishAll()
            }
        } catch is CancellationError {
            return
        }
    }

    private func refreshes() async throws {
        let env = services.env
        while !Task.isCancelled {
            let now = env.now()
            guard
                let next = RefreshSchedule.next(
                    after: now, schedule: env.config.schedule,
                    publishesNextDay: RefreshSchedule.publishesNextDay(env: env))
            else { return }
            try await sleeper(max(1, next.timeIntervalSince(now)))
            if try services.jobs.activeRefresh() != nil || RunLock.holder(directory: env.dataDirectory) != nil {
                continue
            }
            let request = RefreshRequest(trigger: .schedule, ifStale: true)
            _ = try services.jobs.submit(
                kind: "refresh", request: .object([("kind", .string("refresh")), ("trigger", .string("schedule"))])
            ) { [services] control in
                try JobKinds.runRefresh(request, services: services, control: control)
            }
        }
    }

    /// New data written by another process (a CLI refresh, an import) reaches the stream.
    private func watchData() async throws {
        while !Task.isCancelled {
            services.checkForNewData()
            try await sleeper(2)
        }
    }

    private func alertChecks(every seconds: Double) async throws {
        while !Task.isCancelled {
            try await sleeper(seconds)
            do {
                let (fired, problems) = try AlertService.check(env: services.env)
                for p in problems { services.hub.publish("alert.problem", .object([("message", .string(p))])) }
                services.alertsFired(fired)
            } catch {
                emitError("tradlyte serve: alert check failed: \(error)")
            }
        }
    }
}
