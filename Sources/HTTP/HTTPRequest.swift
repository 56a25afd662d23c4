import Foundation

/// The part of a request before its body.
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: String
    /// The request target as sent (`/hooks/receipts/r1?x=1`).
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: HTTPHeaders

    public init(method: String, target: String, minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// Whether the connection stays open after this request.
    public var keepAlive: Bool {
        if headers.contains("Connection", token: "close") { return false }
        return minorVersion >= 1 || headers.contains("Connection", token: "keep-alive")
    }

    /// The body's length as the head declares it; nil for a chunked body, or none.
    public var contentLength: Int? { headers["Content-Length"].flatMap { Int($0.trimmingSpaces()) } }

    /// Whether the client waits for `100 Continue` before sending the body.
    public var expectsContinue: Bool {
        minorVersion >= 1 && headers["Expect"].map { $0.trimmingSpaces().caseInsensitiveEquals("100-continue") } == true
    }

    /// The path, percent-decoded, without the query.
    public var path: String {
        // Searched as bytes: a Character search walks grapheme clusters.
        let raw = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(target[..<$0]) } ?? target
        // Nearly every path has nothing to decode.
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        return PercentEncoding.decode(raw) ?? raw
    }

    /// The raw query string, without `?`.
    public var query: String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[1]) : ""
    }

    /// The query's fields, decoded (`+` as space), in order.
    public var queryItems: [(name: String, value: String)] { PercentEncoding.formFields(query) }
}

/// A complete request.
public struct HTTPRequest: Sendable, Hashable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// Path parameters filled in by the router.
    public var parameters: [String: String] = [:]
    /// When its last byte was read from the socket, by the server's clock.
    public var receivedAt: Date?

    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: HTTPHeaders { head.headers }

    /// The first query value called `name`.
    public func queryValue(_ name: String) -> String? {
        head.queryItems.first { $0.name == name }?.value
    }
}

/// Percent-encoding and `application/x-www-form-urlencoded` helpers.
public enum PercentEncoding {
    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The fields of a form body or query string; malformed escapes are kept as written.
    public static func formFields(_ text: some StringProtocol) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0], plusAsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (decode(parts[1], plusAsSpace: true) ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    /// Encodes for a form body or query value: unreserved characters stay, everything else is `%XX`.
    public static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF")
                output += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
            }
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
