/// Handles one request.
/// Handles one request. A thrown error becomes a 500 answer; it never stops the server.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Routes requests by method and path pattern; `{name}` in a pattern matches one
/// path segment and is passed to the handler in `parameters`.
public struct Router: Sendable {
    private struct Route: Sendable {
        var method: String
        var segments: [Segment]
        var handler: HTTPHandler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. HEAD is answered by GET routes without a body.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// Finds the handler: 404 when no pattern matches the path, 405 with `Allow` when
    /// one does for other methods.
    public func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        // Split as bytes: a split by Character walks grapheme clusters.
        let path = request.path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map { String(Substring($0)) }
        var allowed: [String] = []
        for route in routes {
            guard let parameters = match(route.segments, path) else { continue }
            let method = request.method == "HEAD" ? "GET" : request.method
            if route.method == method {
                var routed = request
                routed.parameters = parameters
                return try await route.handler(routed)
            }
            allowed.append(route.method)
        }
        if allowed.isEmpty { return .error(.notFound, "no such path") }
        if allowed.contains("GET") { allowed.append("HEAD") }
        var response = HTTPResponse.error(.methodNotAllowed, "use \(allowed.joined(separator: " or "))")
        response.headers.set("Allow", allowed.joined(separator: ", "))
        return response
    }

    private func match(_ segments: [Segment], _ path: [String]) -> [String: String]? {
        guard segments.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let literal): guard literal == part else { return nil }
            case .parameter(let name): parameters[name] = part
            }
        }
        return parameters
    }
}
