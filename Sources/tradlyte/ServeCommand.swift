import ArgumentParser
import Dispatch
import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteServer

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve the REST + WebSocket API (quotes, bars, studies, jobs, alerts, refreshes) and run the schedule.",
        discussion: """
            Every route but /v1/health, /v1/version, /openapi.json and /docs needs 'Authorization: Bearer TOKEN'. \
            The token is TRADLYTE_API_TOKEN (32 characters or more), else api_token in the config (made on \
            first start, the file kept 0600); it is never printed. Loopback only unless --allow-remote. The daily refresh runs on the \
            config's schedule (auto: 16:10 New York after each session, or 00:15 the morning after for a plan \
            that publishes after midnight; "HH:MM"; "off"), alert rules are checked every alert_check_minutes. \
            SIGTERM or Ctrl-C stops it gracefully (exit 0): running jobs are cancelled and recorded, queued ones \
            run on the next start. One server per data directory. The routes: /docs on the running server, or --openapi.
            """)

    @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "The port (0: any free port, printed at start).") var port = 8470
    @Flag(name: .long, help: "Allow a --host reachable from other machines.") var allowRemote = false
    @Flag(name: .long, help: "Do not run the daily refresh on its schedule.") var noSchedule = false
    @Flag(name: .long, help: "Make a new token, store it in the config and exit.") var rotateToken = false
    @Flag(name: .long, help: "Print the OpenAPI document and exit.") var openapi = false

    func run() throws {
        if openapi {
            emit(OpenAPIDocument.text)
            return
        }
        var request = ServeRequest()
        request.host = host
        request.port = port
        request.allowRemote = allowRemote
        request.schedule = !noSchedule
        request.rotateToken = rotateToken
        let environment = ProcessInfo.processInfo.environment
        let outcome = Locked<Result<Int32, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<Int32, any Error>
            do { result = .success(try await ServeRunner.run(request, process: environment)) } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        var code: Int32 = 0
        try runReportingErrors { code = try outcome.withLock { $0! }.get() }
        if code != 0 { throw ExitCode(code) }
    }
}
