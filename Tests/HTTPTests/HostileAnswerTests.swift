import Foundation
import Glibc
import LastmileTestSupport
import Synchronization
import Testing
@testable import HTTP

/// Answers from a peer that is broken or hostile (a provider, a gateway, whoever sits on the
/// path): none holds a thread past its deadline, takes unbounded memory, or carries the
/// request's credentials elsewhere.
@Suite struct HostileAnswerTests {
    static let endlessTrailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"

    @Test func endlessTrailersEndAtTheDeadline() async throws {
        let server = try StreamingServer(head: Self.endlessTrailers, repeating: "X-Filler: y\r\n")
        let outcome = try await Self.readAnswer(from: server, deadline: 0.3)
        #expect(outcome == .failure(.timedOut))
    }

    @Test func endlessTrailersCountTowardTheCapThoughEachIsReadAndDropped() async throws {
        let server = try StreamingServer(head: Self.endlessTrailers, repeating: "X-Filler: " + String(repeating: "y", count: 1000) + "\r\n")
        let outcome = try await Self.readAnswer(from: server, deadline: 120, maximumBytes: 1024 * 1024)
        #expect(outcome == .failure(.transport("response larger than 1048576 bytes")))
    }

    @Test func anEndlessChunkExtensionIsCutOffAtTheSizeCap() async throws {
        let server = try StreamingServer(head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;", repeating: String(repeating: "x", count: 4096))
        let outcome = try await Self.readAnswer(from: server, deadline: 60, maximumBytes: 1024 * 1024)
        #expect(outcome == .failure(.transport("response larger than 1048576 bytes")))
    }

    @Test func anEndlessHeadIsRefusedAtItsCap() async throws {
        let server = try StreamingServer(head: "HTTP/1.1 200 OK\r\n", repeating: "X-Filler: y\r\n")
        let outcome = try await Self.readAnswer(from: server, deadline: 60)
        #expect(outcome == .failure(.transport("answer head larger than \(PlainHTTPExchange.maximumHeadBytes) bytes")))
    }

    @Test func aBodyUntilCloseStopsAtTheCap() async throws {
        let server = try StreamingServer(head: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", repeating: String(repeating: "z", count: 1000))
        let outcome = try await Self.readAnswer(from: server, deadline: 60, maximumBytes: 64 * 1024)
        #expect(outcome == .failure(.transport("response larger than 65536 bytes")))
    }

    @Test func interimAnswersAreReadPastToTheFinalOne() async throws {
        let server = try RawTestServer(responses: [
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        ])
        let response = try await HTTPClient().send(HTTPClient.Request(method: "POST", url: URL(string: "http://127.0.0.1:\(server.port)/")!,
                                                                      body: Data("x".utf8), timeout: 5))
        #expect(response.status == 201)
        #expect(response.body == Data("ok".utf8))
    }

    @Test func aRedirectIsTheAnswerAndItsTargetNeverSeesTheCredentials() async throws {
        let elsewhere = Counter()
        let target = HTTPServer { _ in
            elsewhere.increment()
            return .text("forged")
        }
        let targetPort = try target.listen(host: "127.0.0.1", port: 0)
        defer { target.close() }
        let redirecting = HTTPServer { _ in
            HTTPResponse(status: HTTPStatus(307), headers: HTTPHeaders([("Location", "http://127.0.0.1:\(targetPort)/steal")]))
        }
        let port = try redirecting.listen(host: "127.0.0.1", port: 0)
        defer { redirecting.close() }
        let request = HTTPClient.Request(method: "POST", url: URL(string: "http://127.0.0.1:\(port)/send")!,
                                         headers: [("Authorization", "Bearer secret")], body: Data("x".utf8), timeout: 10)
        let response = try await HTTPClient().exchangeThroughSession(request)
        #expect(response.status == 307)
        #expect(elsewhere.count == 0)
    }

    @Test func aBodyPastTheCapIsRefusedThroughTheSessionToo() async throws {
        let server = HTTPServer { _ in HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: HTTPClient.maximumResponseBytes + 1)) }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let request = HTTPClient.Request(url: URL(string: "http://127.0.0.1:\(port)/big")!, timeout: 30)
        await #expect(throws: HTTPClient.Failure.transport("response larger than \(HTTPClient.maximumResponseBytes) bytes")) {
            try await HTTPClient().exchangeThroughSession(request)
        }
        let small = HTTPServer { _ in HTTPResponse(status: .ok, body: Array("fine".utf8)) }
        let smallPort = try small.listen(host: "127.0.0.1", port: 0)
        defer { small.close() }
        let answer = try await HTTPClient().exchangeThroughSession(HTTPClient.Request(url: URL(string: "http://127.0.0.1:\(smallPort)/")!, timeout: 10))
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == "fine")
    }

    @Test func anAbsurdTimeoutIsBoundedRatherThanACrash() async {
        #expect(Deadline(seconds: 1e300).instant > ContinuousClock.now)
        #expect(Deadline(seconds: .infinity).instant > ContinuousClock.now)
        #expect(Deadline(seconds: .nan).passed)
        // Through URLSession too, which would trap turning such an interval into an integer.
        for timeout in [Double.nan, -1, 1e300] {
            let request = HTTPClient.Request(url: URL(string: "http://127.0.0.1:1/")!, timeout: timeout)
            await #expect(throws: HTTPClient.Failure.self) { try await HTTPClient().exchangeThroughSession(request) }
        }
    }

    /// Sends a GET to `server` and reads the answer on a thread of its own (the read blocks), waiting
    /// at most a minute for it to end: a read that never ends fails the test instead of hanging it.
    static func readAnswer(from server: StreamingServer, deadline seconds: Double, maximumBytes: Int = 8 * 1024 * 1024) async throws
        -> Result<Int, HTTPClient.Failure> {
        let port = server.port
        // The server listens until the read is over, whatever the optimiser makes of its last use.
        defer { withExtendedLifetime(server) {} }
        let outcome = Mutex<Result<Int, HTTPClient.Failure>?>(nil)
        let thread = Thread {
            let result: Result<Int, HTTPClient.Failure>
            do throws(HTTPClient.Failure) {
                let deadline = Deadline(seconds: seconds)
                let descriptor = try PlainHTTPExchange.connect(host: "127.0.0.1", port: port, deadline: deadline)
                defer { close(descriptor) }
                try PlainHTTPExchange.write(descriptor, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), deadline: deadline)
                result = .success(try PlainHTTPExchange.read(descriptor, deadline: deadline, maximumBytes: maximumBytes).status)
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
        }
        thread.start()
        let ended = await Eventually.holds(within: .seconds(60)) { outcome.withLock { $0 != nil } }
        try #require(ended, "the read did not end")
        return try #require(outcome.withLock { $0 })
    }
}

/// A listener that answers its first connection with `head`, then `repeating` over and over until
/// the peer goes away.
final class StreamingServer: Sendable {
    let port: UInt16
    private let descriptor: Int32

    init(head: String, repeating filler: String) throws {
        let (descriptor, port) = try Socket.listen(host: "127.0.0.1", port: 0)
        self.descriptor = descriptor
        self.port = port
        let thread = Thread {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard Socket.sendAll(client, Array(head.utf8), timeout: 5) else { return }
            let bytes = Array(filler.utf8)
            while Socket.sendAll(client, bytes, timeout: 5) {}
        }
        thread.start()
    }

    deinit { close(descriptor) }
}
