import Foundation
import Glibc
import LastmileTestSupport
import Synchronization
import Testing
@testable import HTTP

/// A plain-HTTP peer (an Alertmanager, a webhook receiver, Kannel) may answer anything: the
/// client reads it to an answer or an error, never a trap.
@Suite struct HostilePeerTests {
    /// Reads `bytes` as the answer from a peer that then closes the connection.
    static func read(_ bytes: [UInt8], maximumBytes: Int = 64 * 1024) -> Result<PlainHTTPExchange.Answer, HTTPClient.Failure> {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return .failure(.transport("socketpair")) }
        defer { close(pair[0]) }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(pair[1], $0.baseAddress, min($0.count, 64 * 1024), Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { break }
            offset += sent
        }
        close(pair[1])
        do throws(HTTPClient.Failure) {
            return .success(try PlainHTTPExchange.read(pair[0], deadline: Deadline(seconds: 5), maximumBytes: maximumBytes))
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 -200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 99999999999999999999 OK\r\nContent-Length: 0\r\n\r\n",
    ])
    func absurdLengthsAreErrors(answer: String) {
        guard case .failure = Self.read(Array(answer.utf8)) else {
            Issue.record("accepted: \(answer.debugDescription)")
            return
        }
    }

    @Test func aLengthBeyondTheLimitIsAnErrorBeforeAnythingIsRead() {
        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"
        guard case .failure(let failure) = Self.read(Array(answer.utf8), maximumBytes: 1_000) else {
            Issue.record("accepted a body over the limit")
            return
        }
        #expect("\(failure)".contains("larger than"))
    }

    @Test func honestAnswersStillRead() throws {
        let plain = try Self.read(Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)).get()
        #expect(plain.status == 200 && plain.body == Array("hello".utf8))
        let chunked = try Self.read(Array("HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\n\r\n".utf8)).get()
        #expect(chunked.status == 202 && chunked.body == Array("hello!".utf8))
    }

    /// Ten thousand mutations of valid answers: each is read to an answer or an error.
    @Test func mutatedAnswersNeverTrap() {
        let seeds = [
            "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: application/json\r\n\r\n{\"ok\":true}",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n",
            "HTTP/1.0 500 Internal Server Error\r\n\r\nbody until close",
        ].map { Array($0.utf8) }
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEF-+ ;:\r\n\u{0}\u{7f}".utf8) + [0xFF, 0xC3]
        var answered = 0, refused = 0
        for round in 0..<10_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = alphabet.randomElement(using: &random)!
                case 1: bytes.insert(contentsOf: Array("fffffffffffffff".utf8).prefix(Int.random(in: 1...15, using: &random)), at: index)
                case 2: bytes.remove(at: index)
                default: bytes.insert(contentsOf: Array("-1".utf8), at: index)
                }
                if bytes.isEmpty { bytes = [0x48] }
            }
            switch Self.read(bytes) {
            case .success: answered += 1
            case .failure: refused += 1
            }
        }
        #expect(answered + refused == 10_000)
        #expect(answered > 0 && refused > 0, "answered \(answered), refused \(refused)")
    }
}

/// The accept loop keeps a listener alive through transient errors and reports a dead one.
@Suite struct AcceptLoopTests {
    @Test func transientAcceptErrorsAreRetriedAndTheServerKeepsAnswering() async throws {
        let server = HTTPServer { _ in .text("ok") }
        server.injectedAcceptErrors.withLock { $0 = [ENOBUFS, ENOMEM, EPROTO, EMFILE, ENETDOWN, EPERM] }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        // However long a loaded machine takes to get to it: the point is that an answer comes.
        let response = try await LoopbackHTTP.request(port: port, path: "/", timeout: 120)
        #expect(response.status == 200)
        #expect(server.failure == nil)
        #expect(server.injectedAcceptErrors.withLock { $0.isEmpty })
    }

    @Test func aListenerThatReallyFailsIsReported() async throws {
        let told = Mutex<String?>(nil)
        let server = HTTPServer(onListenerFailure: { reason in told.withLock { $0 = reason } }) { _ in .text("ok") }
        server.injectedAcceptErrors.withLock { $0 = [EBADF] }
        _ = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let deadline = ContinuousClock.now + .seconds(10)
        while server.failure == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.failure?.contains("accept failed") == true)
        #expect(told.withLock { $0 } == server.failure)
    }

    @Test func errorsAreClassified() {
        #expect(AcceptBackoff.classify(EINTR) == .retryNow)
        #expect(AcceptBackoff.classify(ENOBUFS) == .retryLater)
        #expect(AcceptBackoff.classify(EBADF) == .fatal)
        // A new connection's pending network error, not the listener's.
        for code in [EOPNOTSUPP, EPROTO, ENETDOWN, EHOSTUNREACH] { #expect(AcceptBackoff.classify(code) == .retryLater) }
        var backoff = AcceptBackoff()
        #expect(backoff.next() == 10_000)
        #expect(backoff.next() == 20_000)
        for _ in 0..<20 { _ = backoff.next() }
        #expect(backoff.next() == 1_000_000)
    }
}

/// Out of descriptors, every accept fails at once while a connection waits: the loop must back
/// off, not spin.
@Suite struct AcceptBackoffUnderPressureTests {
    @Test func aFailingAcceptWithAConnectionPendingBacksOff() async throws {
        let server = HTTPServer { _ in .text("ok") }
        server.injectedAcceptErrors.withLock { $0 = Array(repeating: EMFILE, count: 1_000) }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let pending = try RawConnection(port: port)
        try pending.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .seconds(1))
        // Backing off from 10 ms, doubling, a second holds well under twenty attempts; a spinning
        // loop would have used all thousand errors in milliseconds.
        let left = server.injectedAcceptErrors.withLock { $0.count }
        #expect(left > 950, "the accept loop retried \(1_000 - left) times in a second")
        #expect(server.failure == nil)
    }
}
