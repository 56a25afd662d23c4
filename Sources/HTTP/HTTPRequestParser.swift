/// An incremental HTTP/1.x request parser over bytes, with RFC 9112's framing
/// rules and the limits of `HTTPLimits`. Pure: it never touches a socket.
///
/// Feed it bytes with `append`, then call `next()` until it returns nil. It
/// yields `.head` when a request's head is complete (so the server can answer
/// `Expect: 100-continue` and switch timeouts) and `.request` when the whole
/// request is in. Pipelined requests come out one after another.
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable, Hashable {
        case head(HTTPRequestHead)
        case request(HTTPRequest)
    }

    private enum State: Sendable {
        case requestLine(emptyLinesSkipped: Int)
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    public let limits: HTTPLimits
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Room a parser keeps between requests; beyond it, a finished request's buffer is freed.
    static let keptCapacity = 8 * 1024

    /// Bytes of room the parser holds now (its buffer's capacity).
    var heldCapacity: Int { buffer.capacity }

    /// Bytes the request being read holds: the buffer's room (which the lines of a head left
    /// parsed but unfinished still take) and the body's bytes so far. A body grows as its bytes
    /// come, so its room is at most twice what its peer has sent.
    var heldBytes: Int { buffer.capacity + body.count }
    /// Where the search for the current line's end has got to: bytes before it hold no LF, so a
    /// line that arrives a byte at a time is scanned once, not once per byte.
    private var lineScanned = 0
    private var state: State = .requestLine(emptyLinesSkipped: 0)
    private var method = ""
    private var target = ""
    private var minorVersion = 1
    private var headers = HTTPHeaders()
    private var headerBytes = 0
    private var trailerBytes = 0
    private var body: [UInt8] = []
    private var head: HTTPRequestHead?

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 4096 && readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            lineScanned = max(0, lineScanned - readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Whether a request has started but not finished.
    public var isMidRequest: Bool {
        if case .requestLine = state { return readIndex < buffer.count }
        return true
    }

    /// Whether the current request's head is complete and its body is still due.
    public var isReadingBody: Bool {
        switch state {
        case .requestLine, .headers: return false
        default: return true
        }
    }

    /// The next complete head or request, nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .requestLine(let skipped):
                guard let line = try takeLine(limit: limits.maximumRequestLine, tooLong: .uriTooLong,
                                              what: "request line") else {
                    // Between requests with every byte read (an empty line may follow the last
                    // request): a large request's room is given back here too.
                    releaseIfDrained()
                    return nil
                }
                if line.isEmpty {
                    guard skipped < 8 else { throw HTTPParseError(.badRequest, "too many empty lines before the request") }
                    state = .requestLine(emptyLinesSkipped: skipped + 1)
                    continue
                }
                try parseRequestLine(line)
                headers = HTTPHeaders()
                headerBytes = 0
                state = .headers
            case .headers:
                guard let line = try takeLine(limit: limits.maximumHeaderLine, tooLong: .headerFieldsTooLarge,
                                              what: "header line") else { return nil }
                headerBytes += line.count + 2
                guard headerBytes <= limits.maximumHeaderBytes else {
                    throw HTTPParseError(.headerFieldsTooLarge, "headers exceed \(limits.maximumHeaderBytes) bytes")
                }
                if line.isEmpty {
                    let event = try finishHead()
                    return event
                }
                try parseHeaderLine(line)
            case .fixedBody(let remaining):
                let available = min(remaining, buffer.count - readIndex)
                body.append(contentsOf: buffer[readIndex..<(readIndex + available)])
                readIndex += available
                if remaining - available > 0 {
                    state = .fixedBody(remaining: remaining - available)
                    return nil
                }
                return completeRequest()
            case .chunkSize:
                guard let line = try takeLine(limit: limits.maximumHeaderLine, tooLong: .badRequest,
                                              what: "chunk size line") else { return nil }
                let size = try parseChunkSize(line)
                if size == 0 {
                    trailerBytes = 0
                    state = .trailers
                } else {
                    guard body.count + size <= limits.maximumBodyBytes else {
                        throw HTTPParseError(.contentTooLarge, "body exceeds \(limits.maximumBodyBytes) bytes")
                    }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let available = min(remaining, buffer.count - readIndex)
                body.append(contentsOf: buffer[readIndex..<(readIndex + available)])
                readIndex += available
                if remaining - available > 0 {
                    state = .chunkData(remaining: remaining - available)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count - readIndex >= 2 else {
                    if buffer.count - readIndex == 1, buffer[readIndex] != 0x0D, buffer[readIndex] != 0x0A {
                        throw HTTPParseError(.badRequest, "chunk data longer than its size")
                    }
                    if buffer.count - readIndex == 1, buffer[readIndex] == 0x0A {
                        readIndex += 1
                        state = .chunkSize
                        continue
                    }
                    return nil
                }
                if buffer[readIndex] == 0x0D && buffer[readIndex + 1] == 0x0A {
                    readIndex += 2
                } else if buffer[readIndex] == 0x0A {
                    readIndex += 1
                } else {
                    throw HTTPParseError(.badRequest, "chunk data longer than its size")
                }
                state = .chunkSize
            case .trailers:
                guard let line = try takeLine(limit: limits.maximumHeaderLine, tooLong: .headerFieldsTooLarge,
                                              what: "trailer line") else { return nil }
                trailerBytes += line.count + 2
                guard trailerBytes <= limits.maximumHeaderBytes else {
                    throw HTTPParseError(.headerFieldsTooLarge, "trailers exceed \(limits.maximumHeaderBytes) bytes")
                }
                if line.isEmpty { return completeRequest() }
                guard line.first != 0x20, line.first != 0x09, line.contains(UInt8(ascii: ":")) else {
                    throw HTTPParseError(.badRequest, "malformed trailer field")
                }
            }
        }
    }

    // MARK: Lines

    /// The next line without its CRLF (or bare LF), nil if incomplete. A bare CR is an error.
    private mutating func takeLine(limit: Int, tooLong: HTTPStatus, what: String) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        var index = max(readIndex, lineScanned)
        let end = buffer.count
        while index < end {
            let byte = buffer[index]
            if byte == 0x0A {
                var lineEnd = index
                if lineEnd > readIndex && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = buffer[readIndex..<lineEnd]
                if line.count > limit {
                    throw HTTPParseError(tooLong, "\(what) exceeds \(limit) bytes")
                }
                if line.contains(0x0D) { throw HTTPParseError(.badRequest, "bare carriage return in \(what)") }
                readIndex = index + 1
                lineScanned = readIndex
                return line
            }
            index += 1
        }
        lineScanned = end
        if end - readIndex > limit + 1 {
            throw HTTPParseError(tooLong, "\(what) exceeds \(limit) bytes")
        }
        return nil
    }

    // MARK: Head

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private mutating func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HTTPParseError(.badRequest, "malformed request line")
        }
        guard parts[0].allSatisfy(Self.isTokenByte) else { throw HTTPParseError(.badRequest, "malformed method") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPParseError(.badRequest, "malformed request target")
        }
        guard parts[1].first == UInt8(ascii: "/") || (parts[1].elementsEqual("*".utf8)) else {
            throw HTTPParseError(.badRequest, "request target must be a path")
        }
        switch String(decoding: parts[2], as: UTF8.self) {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        case let version where version.hasPrefix("HTTP/") && version.count == 8:
            throw HTTPParseError(.versionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported")
        default:
            throw HTTPParseError(.badRequest, "malformed HTTP version")
        }
        method = String(decoding: parts[0], as: UTF8.self)
        target = String(decoding: parts[1], as: UTF8.self)
    }

    private mutating func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) {
        if line.first == 0x20 || line.first == 0x09 {
            throw HTTPParseError(.badRequest, "obsolete line folding in headers")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw HTTPParseError(.badRequest, "header line without a colon")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
            throw HTTPParseError(.badRequest, "malformed header name")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseError(.badRequest, "control character in a header value")
        }
        guard headers.fields.count < limits.maximumHeaderCount else {
            throw HTTPParseError(.headerFieldsTooLarge, "more than \(limits.maximumHeaderCount) header fields")
        }
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Decides the body's framing (RFC 9112 §6) and yields the head.
    private mutating func finishHead() throws(HTTPParseError) -> Event {
        if minorVersion == 1 {
            let hosts = headers.values("Host")
            guard hosts.count == 1 else {
                throw HTTPParseError(.badRequest, hosts.isEmpty ? "missing Host header" : "more than one Host header")
            }
        }
        let transferEncodings = headers.values("Transfer-Encoding")
        let contentLengths = headers.values("Content-Length")
        body = []
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else {
                throw HTTPParseError(.badRequest, "both Transfer-Encoding and Content-Length")
            }
            guard minorVersion == 1 else { throw HTTPParseError(.badRequest, "Transfer-Encoding in an HTTP/1.0 request") }
            let codings = transferEncodings.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces().lowercased() } }
            guard codings.last == "chunked" else {
                throw HTTPParseError(.badRequest, "Transfer-Encoding must end with chunked")
            }
            guard codings == ["chunked"] else { throw HTTPParseError(.notImplemented, "only chunked transfer coding is supported") }
            state = .chunkSize
        } else if !contentLengths.isEmpty {
            let values = contentLengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() } }
            guard let first = values.first, values.allSatisfy({ $0 == first }) else {
                throw HTTPParseError(.badRequest, "conflicting Content-Length values")
            }
            guard !first.isEmpty, first.count <= 18, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(first) else {
                throw HTTPParseError(.badRequest, "malformed Content-Length")
            }
            guard length <= limits.maximumBodyBytes else {
                throw HTTPParseError(.contentTooLarge, "body of \(length) bytes exceeds \(limits.maximumBodyBytes)")
            }
            // Room for a small body at once; a large one grows as its bytes come, so a head alone
            // never makes the process set aside what its peer may never send.
            if length <= limits.largeRequestBytes { body.reserveCapacity(length) }
            state = .fixedBody(remaining: length)
        } else {
            state = .fixedBody(remaining: 0)
        }
        let head = HTTPRequestHead(method: method, target: target, minorVersion: minorVersion, headers: headers)
        self.head = head
        return .head(head)
    }

    private func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var digits = line
        if let semicolon = line.firstIndex(of: UInt8(ascii: ";")) { digits = line[line.startIndex..<semicolon] }
        while let last = digits.last, last == 0x20 || last == 0x09 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 8 else { throw HTTPParseError(.badRequest, "malformed chunk size") }
        var size = 0
        for byte in digits {
            guard let value = PercentEncoding.hexValue(byte) else { throw HTTPParseError(.badRequest, "malformed chunk size") }
            size = size * 16 + Int(value)
        }
        return size
    }

    private mutating func completeRequest() -> Event {
        let request = HTTPRequest(head: head!, body: body)
        body = []
        head = nil
        releaseIfDrained()
        state = .requestLine(emptyLinesSkipped: 0)
        return .request(request)
    }

    /// With everything read, a large request's room is given back, not kept by a connection left idle.
    private mutating func releaseIfDrained() {
        guard readIndex == buffer.count, buffer.capacity > Self.keptCapacity else { return }
        buffer = []
        readIndex = 0
        lineScanned = 0
    }
}
