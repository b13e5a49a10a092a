import Foundation
import Hummingbird
import HummingbirdWebSocket

/// Each request's context: Hummingbird's storage, the WebSocket handler a `/v1/events` upgrade
/// sets, and the authenticated token's fingerprint (for per-token limits and the access log).
package struct APIContext: RequestContext, WebSocketRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let webSocket: WebSocketHandlerReference<APIContext>
    package var tokenID: String?
    package var maxUploadSize: Int

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        maxUploadSize = 1 << 20
    }

}

extension APIContext {
    /// A path parameter, percent-decoded (`/v1/strategies/Golden%20Cross`).
    func segment(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIProblem(.badRequest, "'\(raw)' is not a valid percent-encoded path segment")
        }
        return decoded
    }
}
