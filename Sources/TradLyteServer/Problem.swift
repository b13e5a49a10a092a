import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// An error answered as `application/problem+json` (RFC 9457): the status, a title, the CLI's
/// message as the detail, and any extra members (a strategy's problems with line and column).
struct APIProblem: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var detail: String
    var extra: [(String, JSONValue)] = []
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ detail: String, extra: [(String, JSONValue)] = [], headers: HTTPFields = [:])
    {
        self.status = status
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    var document: JSONValue {
        .object(
            [
                ("type", .string("about:blank")), ("title", .string(status.reasonPhrase)),
                ("status", .number(Double(status.code))), ("detail", .string(detail)),
            ] + extra)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(
            status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: document.compact())))
    }

    /// The problem for any error an app service throws: 404 for an unknown symbol, strategy or
    /// job; 400 for other bad input; 503 while the store is busy; 500 for the rest.
    static func from(_ error: any Error) -> APIProblem {
        if let problem = error as? APIProblem { return problem }
        if let store = error as? StoreError {
            switch store {
            case .unknownSymbol: return APIProblem(.notFound, store.description)
            case .busy:
                return APIProblem(.serviceUnavailable, store.description, headers: [.retryAfter: "5"])
            default: break
            }
        }
        if case ProviderError.unknownSymbol(let symbol)? = error as? ProviderError {
            return APIProblem(.notFound, "unknown symbol '\(symbol)' — neither the store nor the provider knows it")
        }
        if let http = error as? HTTPError {
            return APIProblem(http.status, http.body.map { String(describing: $0) } ?? http.status.reasonPhrase)
        }
        if case AppError.notFound(let message)? = error as? AppError { return APIProblem(.notFound, message) }
        let (message, code) = describeFailure(error)
        if code == 2 { return APIProblem(.badRequest, message) }
        return APIProblem(.internalServerError, message)
    }
}

/// Turns every error a route throws into a problem document (Hummingbird's own errors too:
/// an unknown route, a body over the limit).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // A path the API has, asked with another method: 405 with the methods it takes.
            if let methods = OpenAPIDocument.methods(for: request.uri.path), !methods.isEmpty,
                !methods.contains(request.method.rawValue)
            {
                let allow = methods.sorted().joined(separator: ", ")
                throw APIProblem(
                    .methodNotAllowed, "\(request.uri.path) takes \(allow), not \(request.method.rawValue)",
                    headers: [.allow: allow])
            }
            throw APIProblem(
                .notFound, "no route \(request.method.rawValue) \(request.uri.path) — /docs lists the routes")
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            throw APIProblem(
                .methodNotAllowed,
                "\(request.uri.path) does not take \(request.method.rawValue) — /docs lists the routes",
                headers: error.headers)
        } catch {
            throw APIProblem.from(error)
        }
    }
}

/// `HEAD` for every `GET` route (each is registered for both): the same status and headers,
/// errors included, without the body.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .head else { return try await next(request, context) }
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        let length = response.body.contentLength
        response.body = ResponseBody()
        if let length { response.headers[.contentLength] = "\(length)" }
        return response
    }
}
