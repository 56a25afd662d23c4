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
        // Written as bytes, not built as a string: an answer is serialized on its event loop's
        // thread for every request.
        var bytes: [UInt8] = []
        var size = 128 + (includeBody ? body.count : 0)
        for field in headers { size += field.name.utf8.count + field.value.utf8.count + 4 }
        bytes.reserveCapacity(size)
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        Self.appendDecimal(status.code, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: status.reasonPhrase.utf8)
        bytes.append(contentsOf: Self.lineEnd)
        for field in headers where !field.name.caseInsensitiveEquals("Content-Length")
            && !field.name.caseInsensitiveEquals("Connection") {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: Self.lineEnd)
        }
        if status.code >= 200 && status.code != 204 && status.code != 304 {
            bytes.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(body.count, to: &bytes)
            bytes.append(contentsOf: Self.lineEnd)
        }
        if !keepAlive { bytes.append(contentsOf: "Connection: close\r\n".utf8) }
        bytes.append(contentsOf: Self.lineEnd)
        if includeBody { bytes.append(contentsOf: body) }
        return bytes
    }

    private static let lineEnd: [UInt8] = [0x0D, 0x0A]

    /// Appends the decimal digits of `value`.
    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value >= 0 else { return bytes.append(contentsOf: String(value).utf8) }
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
