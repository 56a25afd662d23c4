import Foundation

/// A host and port to listen on: `127.0.0.1:9733`, `[::1]:9733`, `0.0.0.0:9733`, `localhost:9733`.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var isIPv6: Bool

    public init(host: String, port: UInt16, isIPv6: Bool) {
        self.host = host
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// Whether only this machine can reach the address (127.0.0.0/8, ::1 or localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses an address, or says why it cannot.
    public static func parse(_ text: String) -> Result<ListenAddress, ListenAddressError> {
        let host: String, portText: Substring, isIPv6: Bool
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.init("missing ']' after the IPv6 address")) }
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { return .failure(.init("expected ':PORT' after ']'")) }
            portText = after.dropFirst()
            guard isIPv6Literal(host) else { return .failure(.init("\"\(host)\" is not an IPv6 address")) }
            isIPv6 = true
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.init("expected HOST:PORT")) }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return .failure(.init("write an IPv6 address in brackets: [::1]:9733")) }
            guard host == "localhost" || isIPv4Literal(host) else {
                return .failure(.init("\"\(host)\" is not an IPv4 address (or localhost)"))
            }
            isIPv6 = false
        }
        guard let port = UInt16(portText) else {
            return .failure(.init("\"\(portText)\" is not a port between 0 (any free port) and 65535"))
        }
        return .success(ListenAddress(host: host == "localhost" ? "127.0.0.1" : host, port: port, isIPv6: isIPv6))
    }

    static func isIPv4Literal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && UInt8(part) != nil
        }
    }

    static func isIPv6Literal(_ text: String) -> Bool {
        let allowed = Set("0123456789abcdefABCDEF:.")
        guard !text.isEmpty, text.allSatisfy(allowed.contains), text.contains(":") else { return false }
        let doubleColons = text.components(separatedBy: "::").count - 1
        guard doubleColons <= 1 else { return false }
        let groups = text.split(separator: ":", omittingEmptySubsequences: true)
        return groups.count <= 8 && groups.allSatisfy { $0.count <= 4 || isIPv4Literal(String($0)) }
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a listen address did not parse.
public struct ListenAddressError: Error, Hashable, Sendable {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
}
