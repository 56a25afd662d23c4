import Foundation
import Glibc

/// One HTTP/1.1 exchange over a plain TCP socket, with every wait bounded by a deadline.
/// Used for `http://` URLs, where a blocking socket on a thread of its own stamps the
/// moment a request leaves more precisely than a general-purpose session can.
public enum PlainHTTPExchange {
    /// A parsed response and whether its connection may be reused.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var keepAlive: Bool
    }

    /// Connects to `host:port` (a name or an address), or throws.
    public static func connect(host: String, port: UInt16, deadline: Deadline) throws(HTTPClient.Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw .transport("cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var current: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "cannot connect to \(host):\(port)"
        while let info = current {
            current = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { continue }
            if Glibc.connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
                lastError = String(cString: strerror(errno))
                close(descriptor)
                continue
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            guard poll(&entry, 1, deadline.remainingMilliseconds) == 1 else {
                close(descriptor)
                throw .timedOut
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else {
                lastError = String(cString: strerror(error))
                close(descriptor)
                continue
            }
            var noDelay: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            return descriptor
        }
        throw .transport(lastError)
    }

    /// The bytes of a request.
    public static func encode(method: String, target: String, host: String, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers where name.lowercased() != "host" && name.lowercased() != "content-length" {
            text += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || method == "POST" || method == "PUT" { text += "Content-Length: \(body.count)\r\n" }
        return Array((text + "\r\n").utf8) + body
    }

    /// Writes all of `bytes` before the deadline.
    public static func write(_ descriptor: Int32, _ bytes: [UInt8], deadline: Deadline) throws(HTTPClient.Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                guard poll(&entry, 1, deadline.remainingMilliseconds) == 1 else { throw .timedOut }
            } else {
                throw .transport("connection closed while sending")
            }
        }
    }

    /// The most an answer's status line and headers may take.
    public static let maximumHeadBytes = 64 * 1024

    /// Reads one response: Content-Length, chunked or until close; a HEAD answer has no body.
    /// Interim answers (`100 Continue`, `102 Processing`, `103 Early Hints`) are read past.
    /// Every byte received counts toward `maximumBytes`, and the deadline holds even while a
    /// peer keeps sending (endless trailers or chunk extensions).
    public static func read(_ descriptor: Int32, deadline: Deadline, headRequest: Bool = false,
                            maximumBytes: Int = 8 * 1024 * 1024) throws(HTTPClient.Failure) -> Answer {
        var buffer: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var closed = false
        var received = 0
        func fill() throws(HTTPClient.Failure) {
            // poll with no time left still reports data waiting: the deadline is checked apart.
            guard !deadline.passed else { throw .timedOut }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, deadline.remainingMilliseconds) == 1 else { throw .timedOut }
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += count
                guard received <= maximumBytes + maximumHeadBytes else { throw .transport("response larger than \(maximumBytes) bytes") }
                buffer += scratch[0..<count]
            } else if count == 0 {
                closed = true
            } else if errno != EAGAIN && errno != EINTR {
                throw .transport("connection reset")
            }
        }
        var status = 0
        var lines: [String] = []
        var statusLine: [Substring] = []
        repeat {
            var headEnd: Int?
            var searched = 0
            while headEnd == nil {
                // From a little before where the last search ended: a head arriving in pieces is not searched again from the start.
                headEnd = find([13, 10, 13, 10], in: buffer, from: max(0, searched - 3))
                searched = buffer.count
                if headEnd == nil {
                    guard buffer.count <= maximumHeadBytes else { throw .transport("answer head larger than \(maximumHeadBytes) bytes") }
                    if closed { throw .transport(buffer.isEmpty ? "connection closed before an answer" : "truncated answer") }
                    try fill()
                }
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            buffer.removeFirst(headEnd! + 4)
            lines = head.components(separatedBy: "\r\n")
            statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), statusLine[1].count == 3,
                  statusLine[1].allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(statusLine[1]), code >= 100 else {
                throw .transport("malformed status line")
            }
            status = code
        } while (100..<200).contains(status) && status != 101
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        var keepAlive = statusLine[0] == "HTTP/1.1" ? header("connection")?.lowercased() != "close"
                                                     : header("connection")?.lowercased() == "keep-alive"
        var body: [UInt8] = []
        if status == 101 {
            // Switching protocols: what follows is not HTTP, so the connection is not kept.
            keepAlive = false
        } else if headRequest || status == 204 || status == 304 {
            // No body.
        } else if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            while true {
                var lineEnd = find([13, 10], in: buffer)
                while lineEnd == nil {
                    if closed { throw .transport("truncated chunked answer") }
                    try fill()
                    lineEnd = find([13, 10], in: buffer)
                }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = ResponseLength.chunkSize(String(sizeText)) else { throw .transport("malformed chunk size") }
                guard size <= maximumBytes - body.count else {
                    throw .transport("response larger than \(maximumBytes) bytes")
                }
                buffer.removeFirst(lineEnd! + 2)
                if size == 0 {
                    // Trailers, up to the empty line.
                    while find([13, 10], in: buffer) != 0 {
                        if let end = find([13, 10], in: buffer) { buffer.removeFirst(end + 2); continue }
                        if closed { break }
                        try fill()
                    }
                    if buffer.count >= 2 { buffer.removeFirst(2) }
                    break
                }
                while buffer.count < size + 2 {
                    if closed { throw .transport("truncated chunk") }
                    try fill()
                }
                body += buffer[0..<size]
                buffer.removeFirst(size + 2)
            }
        } else if let lengthText = header("content-length") {
            guard let length = ResponseLength.contentLength(lengthText) else {
                throw .transport("malformed Content-Length: \(lengthText.prefix(40))")
            }
            guard length <= maximumBytes else { throw .transport("response larger than \(maximumBytes) bytes") }
            while buffer.count < length {
                if closed { throw .transport("truncated answer") }
                try fill()
            }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            while !closed {
                try fill()
                guard buffer.count <= maximumBytes else { throw .transport("response larger than \(maximumBytes) bytes") }
            }
            body = buffer
            buffer = []
            keepAlive = false
        }
        if !buffer.isEmpty { keepAlive = false }
        return Answer(status: status, headers: headers, body: body, keepAlive: keepAlive && !closed)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
