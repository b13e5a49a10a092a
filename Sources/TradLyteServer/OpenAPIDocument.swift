import TradLyteCore

/// The API's OpenAPI 3.1 description, served at `/openapi.json` and kept in the repository as
/// `docs/openapi.json` (a test holds the two equal, and every response the tests receive is
/// checked against it). `/docs` lists its routes.
package enum OpenAPIDocument {

    /// A small page listing every route, made from the document (no assets from elsewhere).
    static let html: String = {
        var rows = ""
        // The embedded document parses (a test holds it to docs/openapi.json); the page lists none otherwise.
        if case .object(let root)? = try? JSONSyntax.parse(Array(text.utf8)),
            case .object(let paths)? = root.first(where: { $0.0 == "paths" })?.1
        {
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for (method, operation) in operations {
                    guard case .object(let fields) = operation else { continue }
                    var summary = ""
                    if case .string(let s)? = fields.first(where: { $0.0 == "summary" })?.1 { summary = s }
                    rows +=
                        "<tr><td><code>\(method.uppercased())</code></td><td><code>\(escape(path))</code></td>"
                        + "<td>\(escape(summary))</td></tr>\n"
                }
            }
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>TradLyte API</title>
            <style>body{font-family:sans-serif;margin:2em}td{padding:.2em 1em;vertical-align:top}</style></head>
            <body><h1>TradLyte Terminal API v1</h1>
            <p>Every route but <code>/v1/health</code>, <code>/v1/version</code>, <code>/openapi.json</code> and
            <code>/docs</code> needs <code>Authorization: Bearer &lt;api_token&gt;</code>. The full description:
            <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
            Errors are <code>application/problem+json</code>.</p>
            <table>
            \(rows)</table></body></html>
            """
    }()

    /// The methods the document lists for the route `path` matches (nil: no route matches).
    static func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/").map(String.init)
        var found: [String]?
        for (template, methods) in routes
        where template.count == segments.count
            && zip(template, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 })
        {
            found = (found ?? []) + methods
        }
        return found
    }

    /// Each path's segments and its methods, from the document.
    static let routes: [([String], [String])] = {
        // The embedded document parses (a test holds it to docs/openapi.json).
        guard case .object(let root)? = try? JSONSyntax.parse(Array(text.utf8)),
            case .object(let paths)? = root.first(where: { $0.0 == "paths" })?.1
        else { return [] }
        return paths.map { path, item in
            let methods: [String]
            if case .object(let operations) = item {
                methods = operations.map { $0.0.uppercased() }
            } else {
                methods = []
            }
            return (path.split(separator: "/").map(String.init), methods)
        }
    }()

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
