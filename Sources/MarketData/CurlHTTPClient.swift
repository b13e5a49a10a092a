import CCurl
import Foundation
import TradLyteCore

/// HTTP GET over libcurl: the only file that touches the CCurl module.
///
/// TLS verification stays on, redirects are returned (never followed here: the caller decides
/// whether a `Location` stays on its base), responses may be gzip-compressed, proxies come from
/// `HTTPS_PROXY`/`NO_PROXY` (libcurl reads them), and finished handles go back to a pool
/// so connections are reused. Each transfer blocks its calling thread: run them on your own
/// threads, never on the cooperative pool.
public final class CurlHTTPClient: HTTPTransport, Sendable {
    // Idle handles; a handle checked out is used by one thread at a time.
    private let idle = Locked<[UnsafeMutableRawPointer]>([])
    public let userAgent: String
    /// Abort a transfer that moves fewer than `lowSpeedBytes` per second for `lowSpeedSeconds`.
    public let lowSpeedBytes: Int
    public let lowSpeedSeconds: Int

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(userAgent: String, lowSpeedBytes: Int = 1, lowSpeedSeconds: Int = 20) {
        _ = Self.globalInit
        self.userAgent = userAgent
        self.lowSpeedBytes = lowSpeedBytes
        self.lowSpeedSeconds = lowSpeedSeconds
    }

    deinit {
        idle.withLock { handles in
            for handle in handles { curl_easy_cleanup(handle) }
        }
    }

    /// The curl version string, for `tradlyte doctor`.
    public static var libraryVersion: String {
        _ = globalInit
        return String(cString: curl_version())
    }

    private func checkout() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.popLast() } ?? curl_easy_init()
    }

    private func checkin(_ handle: UnsafeMutableRawPointer) {
        idle.withLock { $0.append(handle) }
    }

    /// Context the C callbacks write into.
    private final class Transfer {
        var body = Data()
        var headers: [String: String] = [:]
        var status = 0
        let cancel: CancellationFlag?
        init(cancel: CancellationFlag?) { self.cancel = cancel }
    }

    public func get(_ request: HTTPRequest, cancel: CancellationFlag? = nil) throws(HTTPError) -> HTTPResponse {
        try perform(request, body: nil, cancel: cancel)
    }

    /// POSTs `body` (a webhook's delivery); the response as for `get`.
    public func post(_ request: HTTPRequest, body: Data, cancel: CancellationFlag? = nil) throws(HTTPError)
        -> HTTPResponse
    {
        try perform(request, body: body, cancel: cancel)
    }

    private func perform(_ request: HTTPRequest, body: Data?, cancel: CancellationFlag?) throws(HTTPError)
        -> HTTPResponse
    {
        if cancel?.isCancelled == true { throw .cancelled }
        guard let handle = checkout() else { throw .transfer("curl_easy_init failed") }
        curl_easy_reset(handle)
        let transfer = Transfer(cancel: cancel)
        let context = Unmanaged.passRetained(transfer)
        defer { context.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        defer { curl_slist_free_all(headerList) }

        let url = request.fullURL
        tradlyte_curl_setopt_string(handle, CURLOPT_URL, url)
        if let body {
            tradlyte_curl_setopt_long(handle, CURLOPT_POST, 1)
            tradlyte_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            // COPYPOSTFIELDS copies the bytes (POSTFIELDSIZE set first, so a NUL does not end them).
            body.withUnsafeBytes { raw in
                tradlyte_curl_setopt_pointer(
                    handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
        } else {
            tradlyte_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        }
        tradlyte_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // Redirects come back to the caller, which follows only those that stay on its base.
        tradlyte_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        tradlyte_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        tradlyte_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        tradlyte_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")  // every encoding curl supports (gzip, …)
        tradlyte_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        tradlyte_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000))
        tradlyte_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
        tradlyte_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, lowSpeedBytes)
        tradlyte_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, lowSpeedSeconds)
        tradlyte_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        tradlyte_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        tradlyte_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque())
        tradlyte_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context.toOpaque())
        tradlyte_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        tradlyte_curl_setopt_write(handle) { data, size, count, ctx in
            let t = Unmanaged<Transfer>.fromOpaque(ctx!).takeUnretainedValue()
            t.body.append(UnsafeRawPointer(data!).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        tradlyte_curl_setopt_header(handle) { data, size, count, ctx in
            let t = Unmanaged<Transfer>.fromOpaque(ctx!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                t.headers = [:]  // a redirect or 100-continue starts a new header block
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                t.headers[name] = value
            }
            return size * count
        }
        tradlyte_curl_setopt_progress(handle) { ctx, _, _, _, _ in
            let t = Unmanaged<Transfer>.fromOpaque(ctx!).takeUnretainedValue()
            return t.cancel?.isCancelled == true ? 1 : 0  // non-zero aborts the transfer
        }

        let code = curl_easy_perform(handle)
        var status = 0
        tradlyte_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // Unset the callbacks' context before the handle goes back to the pool.
        tradlyte_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        checkin(handle)

        guard code == CURLE_OK else { throw Self.map(code, url: request.url, cancelled: cancel?.isCancelled == true) }
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    static func map(_ code: CURLcode, url: String, cancelled: Bool) -> HTTPError {
        let message = String(cString: curl_easy_strerror(code))
        let host = URL(string: url)?.host ?? url
        switch code {
        case CURLE_ABORTED_BY_CALLBACK: return cancelled ? .cancelled : .transfer(message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dns(host: host, detail: message)
        case CURLE_COULDNT_CONNECT: return .connect("\(host): \(message)")
        case CURLE_OPERATION_TIMEDOUT: return .timeout("\(host): \(message)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .tls("\(host): \(message)")
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_BAD_CONTENT_ENCODING:
            return .transfer("\(host): \(message)")
        default: return .transfer("\(host): \(message) (curl code \(code.rawValue))")
        }
    }
}
