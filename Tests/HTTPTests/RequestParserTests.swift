import Testing
@testable import HTTP

/// Feeds bytes to a parser and collects what comes out.
func parse(_ text: String, limits: HTTPLimits = HTTPLimits(), chunked: Bool = false) throws(HTTPParseError) -> [HTTPRequestParser.Event] {
    var parser = HTTPRequestParser(limits: limits)
    var events: [HTTPRequestParser.Event] = []
    let bytes = Array(text.utf8)
    if chunked {
        for byte in bytes {
            parser.append([byte])
            while let event = try parser.next() { events.append(event) }
        }
    } else {
        parser.append(bytes)
        while let event = try parser.next() { events.append(event) }
    }
    return events
}

func requests(_ text: String, limits: HTTPLimits = HTTPLimits(), chunked: Bool = false) throws(HTTPParseError) -> [HTTPRequest] {
    try parse(text, limits: limits, chunked: chunked).compactMap { event in
        if case .request(let request) = event { return request }
        return nil
    }
}

func failure(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseError? {
    do {
        _ = try parse(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite struct RequestParserTests {
    @Test func aSimpleGet() throws {
        let parsed = try requests("GET /metrics?x=1&y=a%20b HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n")
        #expect(parsed.count == 1)
        let request = try #require(parsed.first)
        #expect(request.method == "GET")
        #expect(request.path == "/metrics")
        #expect(request.queryValue("y") == "a b")
        #expect(request.headers["user-agent"] == "t")
        #expect(request.head.keepAlive)
        #expect(request.body.isEmpty)
    }

    @Test func aBodyByContentLength() throws {
        let request = try #require(try requests("POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").first)
        #expect(request.body == Array("hello".utf8))
    }

    @Test func aLargeRequestsRoomIsGivenBackOnceItIsRead() throws {
        var parser = HTTPRequestParser()
        let body = String(repeating: "x", count: 60_000)
        parser.append(Array("POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        #expect(parser.heldCapacity >= 60_000)
        var read: [HTTPRequest] = []
        while let event = try parser.next() { if case .request(let request) = event { read.append(request) } }
        #expect(read.map(\.body.count) == [60_000])
        // An idle keep-alive connection keeps a few bytes, not the largest request it ever read.
        #expect(parser.heldCapacity <= HTTPRequestParser.keptCapacity)
        // A pipelined request after it keeps its bytes until it is read.
        var pipelined = HTTPRequestParser()
        pipelined.append(Array("POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        var both: [HTTPRequest] = []
        while let event = try pipelined.next() { if case .request(let request) = event { both.append(request) } }
        #expect(both.map(\.method) == ["POST", "GET"])
        // An empty line after a large request leaves bytes unread when it completes: its room
        // is given back once that line is read, not kept by the idle connection.
        var trailing = HTTPRequestParser()
        trailing.append(Array("POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)\r\n".utf8))
        while try trailing.next() != nil {}
        #expect(trailing.heldCapacity <= HTTPRequestParser.keptCapacity)
        trailing.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(try trailing.next() == .head(HTTPRequestHead(method: "GET", target: "/", headers: HTTPHeaders([("Host", "a")]))))
    }

    @Test func aLineThatComesAByteAtATimeIsReadWhole() throws {
        var parser = HTTPRequestParser()
        let text = "GET /" + String(repeating: "a", count: 4_000) + " HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "b", count: 4_000) + "\r\n\r\n"
        var read: [HTTPRequest] = []
        for byte in text.utf8 {
            parser.append(CollectionOfOne(byte))
            while let event = try parser.next() { if case .request(let request) = event { read.append(request) } }
        }
        #expect(read.count == 1 && read.first?.path.count == 4_001 && read.first?.headers["X-Long"]?.count == 4_000)
    }

    @Test func aChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /h HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        let request = try #require(try requests(text).first)
        #expect(request.body == Array("hello world".utf8))
    }

    @Test func aRequestDribbledOneByteAtATimeParses() throws {
        let text = "POST /h HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "POST /i HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
        let parsed = try requests(text, chunked: true)
        #expect(parsed.map(\.path) == ["/h", "/i"])
        #expect(parsed.map(\.body) == [Array("abc".utf8), Array("xyz".utf8)])
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let parsed = try requests("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.0\r\n\r\n")
        #expect(parsed.map(\.path) == ["/a", "/b", "/c"])
        #expect(parsed.map(\.head.keepAlive) == [true, true, false])
    }

    @Test func theHeadComesBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST /h HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n".utf8))
        guard case .head(let head)? = try parser.next() else { Issue.record("no head"); return }
        #expect(head.expectsContinue)
        #expect(parser.isReadingBody)
        #expect(try parser.next() == nil)
        parser.append([UInt8](repeating: 65, count: 2000))
        guard case .request(let request)? = try parser.next() else { Issue.record("no request"); return }
        #expect(request.body.count == 2000)
    }

    @Test func connectionHeadersDecideKeepAlive() throws {
        let parsed = try requests("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(parsed.map(\.head.keepAlive) == [false, true])
    }

    @Test func lineFeedsAloneAreAccepted() throws {
        #expect(try requests("GET /a HTTP/1.1\nHost: a\n\n").count == 1)
    }
}

@Suite struct RequestParserLimitTests {
    static let limits = HTTPLimits()

    @Test func requestLineAtTheLimitPassesAndOneOverIs414() {
        let fixed = "GET  HTTP/1.1".utf8.count
        let exact = "GET /" + String(repeating: "a", count: Self.limits.maximumRequestLine - fixed - 1) + " HTTP/1.1"
        #expect(exact.utf8.count == Self.limits.maximumRequestLine)
        #expect(failure(exact + "\r\nHost: a\r\n\r\n") == nil)
        let over = "GET /" + String(repeating: "a", count: Self.limits.maximumRequestLine - fixed) + " HTTP/1.1"
        #expect(failure(over + "\r\nHost: a\r\n\r\n")?.status == .uriTooLong)
        // Without any newline yet: refused as soon as it cannot fit.
        #expect(failure(over + over)?.status == .uriTooLong)
    }

    @Test func oneHeaderAtTheLimitPassesAndOneOverIs431() {
        let prefix = "X-Long: "
        let exact = prefix + String(repeating: "v", count: Self.limits.maximumHeaderLine - prefix.count)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\n\(exact)\r\n\r\n") == nil)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\n\(exact)v\r\n\r\n")?.status == .headerFieldsTooLarge)
    }

    @Test func allHeadersAtTheLimitPassAndOneByteOverIs431() {
        var limits = HTTPLimits()
        limits.maximumHeaderBytes = 1_000
        // Header bytes count each line with its CRLF, the final empty line included.
        let host = "Host: a\r\n"
        let fill = 1_000 - host.utf8.count - 2 - "X: \r\n".utf8.count
        let exact = "GET / HTTP/1.1\r\n" + host + "X: " + String(repeating: "v", count: fill) + "\r\n\r\n"
        #expect(failure(exact, limits: limits) == nil)
        let over = "GET / HTTP/1.1\r\n" + host + "X: " + String(repeating: "v", count: fill + 1) + "\r\n\r\n"
        #expect(failure(over, limits: limits)?.status == .headerFieldsTooLarge)
    }

    @Test func headerCountAtTheLimitPassesAndOneMoreIs431() {
        let fields = (1..<Self.limits.maximumHeaderCount).map { "X-\($0): v\r\n" }.joined()
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n") == nil)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\n\(fields)X-Extra: v\r\n\r\n")?.status == .headerFieldsTooLarge)
    }

    @Test func bodyAtTheLimitPassesAndOneByteOverIs413() {
        let size = Self.limits.maximumBodyBytes
        let exact = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n" + String(repeating: "b", count: size)
        #expect(failure(exact) == nil)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(size + 1)\r\n\r\n")?.status == .contentTooLarge)
        let chunkedOver = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(size, radix: 16) + "\r\n" + String(repeating: "b", count: size) + "\r\n1\r\n"
        #expect(failure(chunkedOver)?.status == .contentTooLarge)
    }
}

@Suite struct RequestParserRejectionTests {
    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both Transfer-Encoding and Content-Length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, "conflicting Content-Length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n", 400, "conflicting Content-Length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "malformed Content-Length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n", 400, "malformed Content-Length"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "malformed chunk size"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400, "malformed chunk size"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n", 400, "malformed chunk size"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400, "chunk data longer"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "must end with chunked"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "only chunked"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n", 400, "obsolete line folding"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Bad : v\r\n\r\n", 400, "malformed header name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "without a colon"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "missing Host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "only HTTP/1.0"),
        ("GET / FOO\r\nHost: a\r\n\r\n", 400, "malformed HTTP version"),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line"),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed method"),
        ("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "must be a path"),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, "bare carriage return"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", 400, "control character"),
    ] as [(String, Int, String)])
    func rejected(text: String, status: Int, reason: String) throws {
        let error = try #require(failure(text))
        #expect(error.status.code == status)
        #expect(error.reason.contains(reason), "\(error.reason)")
    }

    @Test func repeatedIdenticalContentLengthsAreOneLength() throws {
        let request = try #require(try requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok").first)
        #expect(request.body == Array("ok".utf8))
    }
}
