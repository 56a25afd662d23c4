/// A response to send.
public struct HTTPResponse: Sendable, Hashable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response; the text gets a trailing newline.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                     body: Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ body: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
    }

    /// An error with a short plain-text reason.
    public static func error(_ status: HTTPStatus, _ reason: String) -> HTTPResponse {
        text("\(status.code) \(status.reasonPhrase): \(reason)", status: status)
    }

    /// The bytes on the wire. `includeBody` is false for HEAD (the length still describes the body).
    public func serialized(includeBody: Bool = true, keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in headers where !field.name.caseInsensitiveEquals("Content-Length")
            && !field.name.caseInsensitiveEquals("Connection") {
            head += "\(field.name): \(field.value)\r\n"
        }
        if status.code >= 200 && status.code != 204 && status.code != 304 {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += keepAlive ? "" : "Connection: close\r\n"
        head += "\r\n"
        var bytes = Array(head.utf8)
        if includeBody { bytes += body }
        return bytes
    }
}
