import HummingbirdCore
import Logging
import NIOCore

/// Closes a connection whose client is too slow: a request's headers must arrive within
/// `headerTimeout` of its first byte (of the connection, for the first request), and a body
/// with a `Content-Length` within `requestTimeout` of the headers' end. NIO serves other
/// connections while one trickles in; this only frees what a slow (or hostile) client holds.
/// It reads the raw bytes ahead of the HTTP decoder and leaves after a WebSocket upgrade; it
/// also answers `Expect: 100-continue`.
final class SlowClientGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Phase {
        case headers(seen: Int)  // bytes of the current header block
        case body(remaining: Int)
        case idle
    }

    private let headerTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var phase = Phase.headers(seen: 0)
    private var tail: [UInt8] = []  // the header block so far (bounded)
    private var last4: UInt32 = 0  // the last four bytes of the header block
    private var timer: Scheduled<Void>?

    init(headerTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    private func arm(_ context: ChannelHandlerContext, _ amount: TimeAmount) {
        timer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: amount) { loopBound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var upgrade = false
        for byte in buffer.readableBytesView {
            switch phase {
            case .idle:
                phase = .headers(seen: 1)
                tail = [byte]
                last4 = UInt32(byte)
                arm(context, headerTimeout)
            case .headers(let seen):
                // The block is kept (up to 16 KB, for the headers read below); its end is found
                // from the last four bytes, however long it is.
                if tail.count < 16_384 { tail.append(byte) }
                last4 = (last4 << 8) | UInt32(byte)
                phase = .headers(seen: seen + 1)
                if last4 == 0x0D0A_0D0A {
                    let head = String(decoding: tail, as: UTF8.self).lowercased()
                    upgrade = head.contains("\r\nupgrade: websocket")
                    let length = Self.contentLength(head)
                    // curl sends `Expect: 100-continue` with bodies over 1 KB and waits a second
                    // for the interim answer, which the HTTP layer does not give: given here, ahead
                    // of the decoder, straight to the socket.
                    if length > 0, head.contains("\r\nexpect: 100-continue") {
                        let interim = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")
                        context.writeAndFlush(NIOAny(interim), promise: nil)
                    }
                    tail.removeAll(keepingCapacity: true)
                    last4 = 0
                    if length > 0 {
                        phase = .body(remaining: length)
                        arm(context, requestTimeout)
                    } else {
                        phase = .idle
                        timer?.cancel()
                    }
                }
            case .body(let remaining):
                if remaining <= 1 {
                    phase = .idle
                    timer?.cancel()
                } else {
                    phase = .body(remaining: remaining - 1)
                }
            }
            if upgrade { break }
        }
        context.fireChannelRead(data)
        if upgrade {
            timer?.cancel()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    static func contentLength(_ head: String) -> Int {
        guard let range = head.range(of: "\r\ncontent-length:") else { return 0 }
        let digits = head[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
        return Int(digits) ?? 0
    }
}

/// The HTTP/1 + WebSocket channel with `SlowClientGuard` in front.
struct GuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let headerTimeout: TimeAmount
    let requestTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let guardHandler = SlowClientGuard(headerTimeout: headerTimeout, requestTimeout: requestTimeout)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(guardHandler, position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
