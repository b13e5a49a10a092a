import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// What a running job may do: see whether it was cancelled, say how far it has got.
struct JobControl: Sendable {
    let id: String
    let cancellation: CancellationFlag
    let progress: @Sendable (Int, Int) -> Void
}

/// Work a job does: its document, as the CLI's `--json` prints it for the same request.
typealias JobWork = @Sendable (JobControl) throws -> JSONValue

/// Long work behind `POST /v1/jobs`: at most `slots` jobs run at once (one per core), the rest
/// wait in order. Every change of state is written to the store's `api_jobs` table, so a
/// finished result survives a restart and a job queued when the server stopped runs when it
/// starts again.
final class JobQueue: Sendable {
    private struct State {
        var waiting: [(id: String, work: JobWork)] = []
        var running: [String: CancellationFlag] = [:]
        var stopping = false
    }

    let slots: Int
    private let state = Locked(State())
    private let store: Locked<MarketStore>
    private let hub: EventHub
    private let wall: any WallClock
    private let monotonic: any MonotonicClock
    private let finished = DispatchGroup()

    init(slots: Int, store: MarketStore, hub: EventHub, wall: any WallClock, monotonic: any MonotonicClock) {
        self.slots = max(1, slots)
        self.store = Locked(store)
        self.hub = hub
        self.wall = wall
        self.monotonic = monotonic
    }

    /// The job's document as the API shows it.
    static func json(_ job: JobRecord, withResult: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(job.id)), ("kind", .string(job.kind)), ("state", .string(job.state.rawValue)),
            ("done", .number(Double(job.done))), ("total", .number(Double(job.total))),
            ("created_at", .string(Timestamp.format(job.createdAt, milliseconds: false))),
            ("started_at", job.startedAt.map { .string(Timestamp.format($0, milliseconds: false)) } ?? .null),
            ("finished_at", job.finishedAt.map { .string(Timestamp.format($0, milliseconds: false)) } ?? .null),
            ("error", job.error.map(JSONValue.string) ?? .null),
            // The request was stored from a parsed body; should it not parse, it is shown as text.
            ("request", (try? JSONValue.parse(Data(job.request.utf8))) ?? .string(job.request)),
        ]
        if withResult {
            // A stored result that no longer parses is shown as text rather than lost.
            pairs.append(("result", job.result.map { (try? JSONValue.parse(Data($0.utf8))) ?? .string($0) } ?? .null))
        }
        return .object(pairs)
    }

    private func save(_ job: JobRecord) throws {
        try store.withLock { try $0.saveJob(job) }
    }

    func get(_ id: String) throws -> JobRecord? {
        try store.withLock { try $0.jobs(id: id, limit: 1).first }
    }

    func list(limit: Int) throws -> [JobRecord] {
        try store.withLock { try $0.jobs(limit: limit) }
    }

    /// The refresh job queued or running, if any.
    func activeRefresh() throws -> JobRecord? {
        try store.withLock { try $0.jobs(limit: 500) }.first { $0.kind == "refresh" && !$0.state.isFinished }
    }

    /// Queues a job and starts it when a slot is free.
    func submit(kind: String, request: JSONValue, work: @escaping JobWork) throws -> JobRecord {
        let id = "j_" + String(APIToken.generate().dropFirst(3).prefix(16))
        let job = JobRecord(
            id: id, kind: kind, request: request.compact(), state: .queued, createdAt: wall.now())
        try save(job)
        hub.publish("job.queued", Self.json(job, withResult: false))
        state.withLock { $0.waiting.append((id, work)) }
        pump()
        return job
    }

    /// Queues a job stored before a restart (its work rebuilt from its request).
    func resume(_ job: JobRecord, work: @escaping JobWork) throws {
        var job = job
        job.state = .queued
        job.startedAt = nil
        job.done = 0
        try save(job)
        state.withLock { $0.waiting.append((job.id, work)) }
        pump()
    }

    /// Cancels a queued job at once or asks a running one to stop; nil when there is no such job.
    func cancel(_ id: String) throws -> JobRecord? {
        guard var job = try get(id) else { return nil }
        let (wasWaiting, flag) = state.withLock { s -> (Bool, CancellationFlag?) in
            let before = s.waiting.count
            s.waiting.removeAll { $0.id == id }
            return (s.waiting.count != before, s.running[id])
        }
        if wasWaiting {
            job.state = .cancelled
            job.finishedAt = wall.now()
            job.error = "cancelled before it started"
            try save(job)
            hub.publish("job.finished", Self.json(job, withResult: false))
        }
        flag?.cancel()
        return job
    }

    private func pump() {
        while let next = state.withLock({ s -> (String, JobWork, CancellationFlag)? in
            guard !s.stopping, s.running.count < slots, !s.waiting.isEmpty else { return nil }
            let (id, work) = s.waiting.removeFirst()
            let flag = CancellationFlag()
            s.running[id] = flag
            return (id, work, flag)
        }) {
            finished.enter()
            let thread = Thread { [self] in
                run(next.0, next.1, next.2)
                state.withLock { _ = $0.running.removeValue(forKey: next.0) }
                finished.leave()
                pump()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func run(_ id: String, _ work: JobWork, _ flag: CancellationFlag) {
        // A job the store cannot read back stays queued in it and runs on the next start.
        guard var job = try? get(id) else { return }
        job.state = .running
        job.startedAt = wall.now()
        // A job whose state cannot be written still runs; its end is written again below.
        try? save(job)
        hub.publish("job.started", Self.json(job, withResult: false))
        let lastReport = Locked<UInt64>(0)
        let started = job
        let progress: @Sendable (Int, Int) -> Void = { [self] done, total in
            // After a cancel the remaining items end at once; counting them would report the job
            // as complete.
            guard !flag.isCancelled else { return }
            let now = monotonic.uptimeNanoseconds()
            // At most four reports a second reach the store and the stream.
            let due = lastReport.withLock { last -> Bool in
                guard done >= total || now &- last >= 250_000_000 else { return false }
                last = now
                return true
            }
            guard due else { return }
            var update = started
            update.done = done
            update.total = total
            // Progress not kept is kept with the next report or the end.
            try? save(update)
            hub.publish(
                "job.progress",
                .object([("id", .string(id)), ("done", .number(Double(done))), ("total", .number(Double(total)))]))
        }
        do {
            let document = try work(JobControl(id: id, cancellation: flag, progress: progress))
            if flag.isCancelled {
                job.state = .cancelled
                job.error = "cancelled while running; nothing was kept"
            } else {
                job.state = .succeeded
                job.result = document.compact()
                if job.total == 0 { job.total = 1 }
                job.done = job.total
            }
        } catch {
            job.state = flag.isCancelled ? .cancelled : .failed
            job.error = flag.isCancelled ? "cancelled while running" : APIProblem.from(error).detail
        }
        // The last progress kept, if the store can say; the end is written below either way.
        if let latest = try? get(id) {
            job.done = max(job.done, latest.done)
            job.total = max(job.total, latest.total)
        }
        job.finishedAt = wall.now()
        do { try save(job) } catch {
            emitError("tradlyte serve: job \(id) finished but could not be recorded: \(error)")
        }
        hub.publish("job.finished", Self.json(job, withResult: false))
    }

    /// Shutdown: nothing new starts; running jobs are asked to stop and recorded as cancelled
    /// (queued ones stay queued and run on the next start). Waits up to `seconds`.
    func stop(waiting seconds: Double) -> Bool {
        let flags = state.withLock { s -> [CancellationFlag] in
            s.stopping = true
            return Array(s.running.values)
        }
        for flag in flags { flag.cancel() }
        return finished.wait(timeout: SystemClock().deadline(after: seconds)) == .success
    }

    /// Jobs a previous server left queued or running.
    func unfinished() throws -> [JobRecord] {
        try store.withLock { try $0.jobs(limit: 10_000) }.filter { !$0.state.isFinished }.reversed()
    }
}
