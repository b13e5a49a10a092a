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
