import Foundation
import TradLyteApp
import TradLyteCore

/// `/v1/events`: every subscriber gets each event as one JSON text message —
/// `{"type": "refresh.stage", "at": "…", "data": {…}}`. Types: refresh.started, refresh.plan,
/// refresh.stage, refresh.progress, refresh.notice, refresh.finished, job.queued, job.started,
/// job.progress, job.finished, alert.fired, data.updated. A subscriber that falls 1,000 events
/// behind loses the oldest (the stream is live news, not a log; `GET /v1/jobs` and
/// `/v1/pipeline/runs` hold the record).
package final class EventHub: Sendable {
    private let subscribers = Locked<[Int: AsyncStream<String>.Continuation]>([:])
    private let next = Locked(0)
    private let wall: any WallClock

    package init(wall: any WallClock) {
        self.wall = wall
    }

    /// A new subscription: its events and the call that ends it.
    package func subscribe() -> (events: AsyncStream<String>, cancel: @Sendable () -> Void) {
        let id = next.withLock { n -> Int in
            n += 1
            return n
        }
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        subscribers.withLock { $0[id] = continuation }
        let cancel: @Sendable () -> Void = { [weak self] in
            self?.subscribers.withLock { $0.removeValue(forKey: id) }?.finish()
        }
        continuation.onTermination = { _ in cancel() }
        return (stream, cancel)
    }

    package var count: Int { subscribers.withLock { $0.count } }

    package func publish(_ type: String, _ data: JSONValue) {
        let text = JSONValue.object([
            ("type", .string(type)), ("at", .string(Timestamp.format(wall.now(), milliseconds: true))), ("data", data),
        ]).compact()
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(text) }
    }

    /// Ends every subscription (shutdown).
    package func finishAll() {
        for continuation in subscribers.withLock({ all -> [AsyncStream<String>.Continuation] in
            defer { all.removeAll() }
            return Array(all.values)
        }) {
            continuation.finish()
        }
    }
}

extension EventHub {
    /// A refresh's event as the stream carries it.
    func publish(refresh event: RefreshEvent, job: String?) {
        let jobField: (String, JSONValue) = ("job", job.map(JSONValue.string) ?? .null)
        switch event {
        case .started(let source):
            publish("refresh.started", .object([jobField, ("source", .string(source))]))
        case .notice(let text):
            publish("refresh.notice", .object([jobField, ("message", .string(text))]))
        case .alert:
            break  // published once, with the webhooks, by `APIServices.alertsFired`
        case .planned(_, let lines):
            publish("refresh.plan", .object([jobField, ("lines", .array(lines.map(JSONValue.string)))]))
        case .pipeline(let p):
            switch p {
            case .planned: break
            case .stageStarted(let stage):
                publish(
                    "refresh.stage", .object([jobField, ("stage", .string(stage)), ("status", .string("running"))]))
            case .progress(let stage, let done, let total, let eta):
                publish(
                    "refresh.progress",
                    .object([
                        jobField, ("stage", .string(stage)), ("done", .number(Double(done))),
                        ("total", .number(Double(total))), ("eta_seconds", eta.map(JSONValue.number) ?? .null),
                    ]))
            case .message(let text):
                publish("refresh.notice", .object([jobField, ("message", .string(text))]))
            case .stageFinished(let record):
                publish(
                    "refresh.stage",
                    .object([
                        jobField, ("stage", .string(record.stage)), ("status", .string(record.status.rawValue)),
                        (
                            "counts",
                            .object(
                                record.counts.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
                        ),
                        ("error", record.error.map(JSONValue.string) ?? .null),
                    ]))
            }
        }
    }
}
