import Foundation
import Glibc
import LastmileTestSupport
import Synchronization
import Testing
@testable import HTTP

/// A server on an ephemeral loopback port with a few routes, stopped at the end.
final class TestServer {
    let server: HTTPServer
    let port: UInt16
    let slowRequestsStarted = Counter()

    /// With `onLoop`, `/hello` is handled on its connection's event loop.
    init(limits: HTTPLimits = HTTPLimits(), ipv6: Bool = false, onLoop: Bool = false) throws {
        var router = Router()
        router.add("GET", "/hello/{name}") { request in .text("hello \(request.parameters["name"] ?? "")") }
        router.add("POST", "/echo") { request in HTTPResponse(status: .ok, body: request.body) }
        router.add("GET", "/fail") { _ in throw CancellationError() }
        router.add("GET", "/large") { _ in HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: 32 << 20)) }
        let started = slowRequestsStarted
        router.add("GET", "/slow") { _ in
            started.increment()
            try await Task.sleep(for: .milliseconds(600))
            return .text("slow done")
        }
        let routes = router
        let helloOnLoop: @Sendable (HTTPRequest) -> Bool = { $0.head.path.hasPrefix("/hello/") }
        server = HTTPServer(limits: limits, handlesOnLoop: onLoop ? helloOnLoop : nil) { request in try await routes.handle(request) }
        port = try server.listen(host: ipv6 ? "::1" : "127.0.0.1", port: 0)
    }

    deinit { server.close() }
}

/// A count shared between a handler and the test.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

@Suite(.serialized) struct ServerTests {
    @Test func answersRoutesWithParameters() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /hello/world HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == "hello world\n")
        #expect(response.header("Content-Length") == "12")
    }

    @Test func keepsAliveAcrossRequests() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        for name in ["a", "b", "c"] {
            try connection.send("GET /hello/\(name) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.readResponse().body == "hello \(name)\n")
        }
        try connection.send("GET /hello/d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let last = try await connection.readResponse()
        #expect(last.header("Connection") == "close")
        #expect(await connection.isClosedByPeer())
    }

    @Test func headAnswersWithoutABody() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("HEAD /hello/x HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/y HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try await connection.readResponse(headOnly: true)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "8")
        #expect(try await connection.readResponse().body == "hello y\n")
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().status == 404)
        try connection.send("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try await connection.readResponse()
        #expect(response.status == 405)
        #expect(response.header("Allow") == "POST")
    }

    @Test func aFailingHandlerIs500AndTheServerGoesOn() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try await connection.readResponse()
        #expect(response.status == 500)
        #expect(response.body.contains("could not be handled"))
        try connection.send("GET /hello/again HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().status == 200)
    }

    @Test func malformedRequestsGetTheirStatusAndAClose() async throws {
        let test = try TestServer()
        for (text, status) in [("GET / HTTP/1.1\r\n\r\n", 400), ("GET /x HTTP/3.0\r\nHost: x\r\n\r\n", 505),
                               ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", 413)] {
            let connection = try RawConnection(port: test.port)
            try connection.send(text)
            let response = try await connection.readResponse()
            #expect(response.status == status)
            #expect(response.header("Connection") == "close")
            #expect(await connection.isClosedByPeer())
        }
    }

    @Test func aPeerStillSendingARefusedBodyReadsItsAnswerRatherThanAReset() async throws {
        let test = try TestServer()
        // Many senders write a whole request before they read a word of the answer.
        for _ in 0..<5 {
            let connection = try RawConnection(port: test.port)
            let body = [UInt8](repeating: 0x7A, count: 4 << 20)
            try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
            try await connection.send(body, timeout: 15)
            let response = try await connection.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(await connection.isClosedByPeer())
        }
    }

    @Test func expectContinueGetsAnInterimAnswer() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        let body = String(repeating: "z", count: 2048)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n")
        let interim = try await connection.readResponse(headOnly: true)
        #expect(interim.status == 100)
        try connection.send(body)
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == body)
    }

    @Test func aSlowHeadIs408() async throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 0.5
        let test = try TestServer(limits: limits)
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /hello/x HTTP/1.1\r\nHo")
        let response = try await connection.readResponse(timeout: 3)
        #expect(response.status == 408)
        #expect(await connection.isClosedByPeer())
    }

    @Test func anIdleConnectionIsClosedQuietly() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = 0.3
        let test = try TestServer(limits: limits)
        let connection = try RawConnection(port: test.port)
        #expect(await connection.isClosedByPeer(timeout: 3))
    }

    @Test func aConnectionThatSendsNothingIsClosedByTheHeadDeadline() async throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 0.5
        let test = try TestServer(limits: limits)
        let silent = try (0..<20).map { _ in try RawConnection(port: test.port) }
        for connection in silent { #expect(await connection.isClosedByPeer(timeout: 30)) }
        // One that trickled a byte keeps the deadline from its accept, not from that byte.
        let trickling = try RawConnection(port: test.port)
        try trickling.send("G")
        let response = try await trickling.readResponse(timeout: 30)
        #expect(response.status == 408)
        #expect(test.server.counts.timedOut[.silent] == 20)
        #expect(test.server.counts.timedOut[.head] == 1)
    }

    @Test func aKeptAliveConnectionTimesItsNextHeadFromItsFirstByte() async throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 1
        limits.idleTimeout = 30
        let test = try TestServer(limits: limits)
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /hello/one HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello one\n")
        // Idle for longer than the head deadline: the idle deadline is what applies between requests.
        try await Task.sleep(for: .milliseconds(1_500))
        try connection.send("GET /hello/two HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello two\n")
    }

    @Test func connectionsBeyondTheMaximumGet503() async throws {
        var limits = HTTPLimits()
        limits.maximumConnections = 3
        let test = try TestServer(limits: limits)
        let held = try (0..<3).map { _ in try RawConnection(port: test.port) }
        let deadline = Date().addingTimeInterval(2)
        while test.server.connectionCount < 3 && Date() < deadline { try await Task.sleep(for: .microseconds(10_000)) }
        let extra = try RawConnection(port: test.port)
        let response = try await extra.readResponse()
        #expect(response.status == 503)
        #expect(test.server.rejectedConnectionCount == 1)
        #expect(test.server.counts.refusedFull == 1)
        #expect(test.server.counts.refusedPeer == 0)
        _ = held
    }

    @Test func listensOnIPv6() async throws {
        let test = try TestServer(ipv6: true)
        let connection = try RawConnection(host: "::1", port: test.port)
        try connection.send("GET /hello/six HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello six\n")
    }

    @Test func stopFinishesRequestsInFlight() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        let deadline = Date().addingTimeInterval(2)
        while test.slowRequestsStarted.count == 0 && Date() < deadline { try await Task.sleep(for: .microseconds(5_000)) }
        let idle = try RawConnection(port: test.port)
        let server = test.server
        await server.stop(grace: 5)
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == "slow done\n")
        #expect(response.header("Connection") == "close")
        #expect(await idle.isClosedByPeer(timeout: 1))
        #expect(throws: (any Error).self) { try RawConnection(port: test.port) }
    }

    @Test func tricklingConnectionsDoNotStarveOthers() async throws {
        let test = try TestServer()
        let tricklers = try (0..<200).map { _ in try RawConnection(port: test.port) }
        let request = Array("GET /hello/trickle HTTP/1.1\r\nHost: x\r\n".utf8)
        for second in 0..<3 {
            for trickler in tricklers { try trickler.send([request[second]]) }
            let started = Date()
            let connection = try RawConnection(port: test.port)
            try connection.send("GET /hello/fast HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await connection.readResponse(timeout: 1)
            #expect(response.status == 200)
            #expect(Date().timeIntervalSince(started) < 1)
            try await Task.sleep(for: .microseconds(1_000_000))
        }
        #expect(test.server.connectionCount >= 200)
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                            + "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/d HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello a\n")
        #expect(try await connection.readResponse().body == "hello")
        #expect(try await connection.readResponse().body == "slow done\n")
        #expect(try await connection.readResponse().body == "hello d\n")
    }

    @Test func aHandlerThatRunsOnItsLoopAndItsAnswerWakeNoOne() async throws {
        let test = try TestServer(onLoop: true)
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /hello/first HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello first\n")
        // The connection was handed to its loop (a wake-up); from now on its requests, their
        // handlers and their answers stay on the loop's thread.
        let wakeUps = test.server.loopWakeUps
        for index in 0..<20 {
            try connection.send("GET /hello/\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.readResponse().body == "hello \(index)\n")
        }
        try connection.send("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello a\n")
        #expect(try await connection.readResponse().body == "hello b\n")
        #expect(test.server.loopWakeUps == wakeUps)
    }

    @Test func aRequestSentWhileTheOneBeforeIsHandledIsAnsweredAfterIt() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { test.slowRequestsStarted.count == 1 }
        try connection.send("GET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "slow done\n")
        #expect(try await connection.readResponse().body == "hello b\n")
        // Reading went on after the answers: the connection still serves.
        try connection.send("GET /hello/c HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello c\n")
        #expect(test.slowRequestsStarted.count == 1)
    }

    @Test func aPeerThatStopsSendingWhileItsRequestIsHandledGetsItsAnswerAndIsClosed() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { test.slowRequestsStarted.count == 1 }
        shutdown(connection.descriptor, Int32(SHUT_WR))
        #expect(try await connection.readResponse().body == "slow done\n")
        #expect(await connection.isClosedByPeer())
        try await waitUntil(seconds: 10) { test.server.connectionCount == 0 }
    }

    @Test func aSlowBodyIs408() async throws {
        var limits = HTTPLimits()
        limits.bodyTimeout = 0.5
        let test = try TestServer(limits: limits)
        let connection = try RawConnection(port: test.port)
        try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let response = try await connection.readResponse(timeout: 10)
        #expect(response.status == 408)
        #expect(response.body.contains("body took too long"))
        #expect(test.server.counts.timedOut[.body] == 1)
        #expect(await connection.isClosedByPeer())
    }

    @Test func aPeerThatHangsUpWhileItsRequestIsHandledIsForgotten() async throws {
        let test = try TestServer()
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { test.slowRequestsStarted.count == 1 }
        connection.hangUp()
        // Its answer finds nobody: the connection is closed and counted out, and others are served.
        try await waitUntil(seconds: 10) { test.server.connectionCount == 0 }
        let other = try RawConnection(port: test.port)
        try other.send("GET /hello/next HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await other.readResponse().body == "hello next\n")
    }

    @Test func largeAnswersNobodyReadsCannotHoldMoreThanTheirShareOfMemory() async throws {
        var limits = HTTPLimits()
        limits.maximumPendingResponseBytes = 40 << 20
        limits.writeTimeout = 1
        let test = try TestServer(limits: limits)
        // 32 MiB waits for a reader that never reads; the next 32 MiB would pass the 40 MiB budget.
        let hoarder = try RawConnection(port: test.port, source: "127.0.0.3")
        try hoarder.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        // Its answer is being written (and so holds its share) once its first bytes arrive.
        let descriptor = hoarder.descriptor
        let answering = await offThePool { RawConnection.waitReadable(descriptor, timeout: 30) }
        #expect(answering)
        let second = try RawConnection(port: test.port)
        try second.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = try await second.readResponse()
        #expect(refused.status == 503)
        #expect(refused.body.contains("large answers"))
        #expect(test.server.counts.largeAnswersRefused == 1)
        // Small answers are not held back.
        let small = try RawConnection(port: test.port)
        try small.send("GET /hello/small HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await small.readResponse().body == "hello small\n")
        // Once the write deadline has closed the hoarder, its share is free again.
        small.hangUp()
        try await waitUntil(seconds: 30) { test.server.connectionCount == 0 }
        let third = try RawConnection(port: test.port)
        try third.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try await third.readResponse(timeout: 30, headOnly: true)
        #expect(answer.status == 200)
    }

    @Test func largeRequestsCannotHoldMoreThanTheRoomSetAsideForThemNorOnePeerAllOfIt() async throws {
        var limits = HTTPLimits()
        limits.maximumPendingRequestBytes = 1_536 * 1024
        limits.maximumPendingRequestBytesPerPeer = 1 << 20
        // The bodies left unfinished wait for as long as the test needs, however slow the machine.
        limits.bodyTimeout = 600
        let test = try TestServer(limits: limits)
        var pending: Int { test.server.counts.pendingLargeRequestBytes }
        /// Sends a head declaring 900 KiB and 400 KiB of its body from `source`; returns once the server holds what it read.
        func hoard(from source: String) async throws -> RawConnection {
            let before = pending
            let connection = try RawConnection(port: test.port, source: source)
            try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(900 * 1024)\r\n\r\n" + String(repeating: "z", count: 400 * 1024))
            try await waitUntil(seconds: 30) { pending >= before + 400 * 1024 }
            return connection
        }
        /// Sends a whole request of `size` bytes of body from `source`; its answer.
        func post(_ size: Int, from source: String) async throws -> RawConnection.Response {
            let connection = try RawConnection(port: test.port, source: source)
            try connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n" + String(repeating: "y", count: size))
            return try await connection.readResponse(timeout: 30)
        }
        // A head alone holds nothing: only what comes.
        let declaring = try RawConnection(port: test.port, source: "127.0.0.5")
        try declaring.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(1 << 20)\r\nExpect: 100-continue\r\n\r\n")
        let descriptor = declaring.descriptor
        #expect(await offThePool { RawConnection.waitReadable(descriptor, timeout: 30) })
        #expect(pending == 0)
        // A peer may not take more than its share: its body alone passes what its first request leaves of it.
        let first = try await hoard(from: "127.0.0.3")
        let overShare = try await post(limits.maximumPendingRequestBytesPerPeer - pending + 64 * 1024, from: "127.0.0.3")
        #expect(overShare.status == 503 && overShare.body.contains("large requests"), "\(overShare.status) \(overShare.body)")
        #expect(test.server.counts.largeRequestsRefused == 1)
        // Nor may all peers together take more than the room, though each is within its share.
        let second = try await hoard(from: "127.0.0.4")
        let overRoom = limits.maximumPendingRequestBytes - pending + 64 * 1024
        #expect(overRoom + 128 * 1024 < limits.maximumPendingRequestBytesPerPeer, "the room, not the share, must be what refuses")
        let refused = try await post(overRoom, from: "127.0.0.6")
        #expect(refused.status == 503, "\(refused.status) \(refused.body)")
        #expect(test.server.counts.largeRequestsRefused == 2)
        // Small requests are not counted.
        let small = try RawConnection(port: test.port)
        try small.send("GET /hello/small HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await small.readResponse().body == "hello small\n")
        // Once they are closed, their room is free again.
        for connection in [declaring, first, second, small] { connection.hangUp() }
        try await waitUntil(seconds: 30) { test.server.connectionCount == 0 }
        #expect(pending == 0)
        let answer = try await post(600 * 1024, from: "127.0.0.3")
        #expect(answer.status == 200)
        #expect(answer.body.count == 600 * 1024)
        // Answered and idle: it holds nothing.
        try await waitUntil(seconds: 30) { pending == 0 }
    }

    @Test func askingToSendALargeBodyWithNoRoomLeftIsRefusedBeforeTheBodyIsSent() async throws {
        var limits = HTTPLimits()
        limits.maximumPendingRequestBytes = 512 * 1024
        limits.bodyTimeout = 600
        let test = try TestServer(limits: limits)
        // 100 KiB of a body being read leaves less than the 900 KiB another asks to send.
        let hoarder = try RawConnection(port: test.port, source: "127.0.0.3")
        try hoarder.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(200 * 1024)\r\n\r\n" + String(repeating: "z", count: 100 * 1024))
        try await waitUntil(seconds: 30) { test.server.counts.pendingLargeRequestBytes >= 100 * 1024 }
        let asking = try RawConnection(port: test.port, source: "127.0.0.4")
        try asking.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(900 * 1024)\r\nExpect: 100-continue\r\n\r\n")
        let answer = try await asking.readResponse(timeout: 30)
        #expect(answer.status == 503 && answer.body.contains("large requests"), "\(answer.status) \(answer.body)")
        // A small body still gets its 100 Continue.
        let small = try RawConnection(port: test.port, source: "127.0.0.5")
        try small.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let proceed = try await small.readResponse(timeout: 30, headOnly: true)
        #expect(proceed.status == 100)
        hoarder.hangUp()
    }

    @Test func requestsTheServerPicksAreHandledOnTheirLoopAndTheRestOnThePool() async throws {
        /// The name of the thread running the handler at the moment it answers.
        @Sendable func threadName() -> String {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
            return name.trimmingCharacters(in: .newlines)
        }
        let server = HTTPServer(handlesOnLoop: { $0.head.path.hasPrefix("/hooks/") }) { request in
            // A suspension and its resumption, as a handler waiting on the store has.
            try await Task.sleep(for: .milliseconds(5))
            return .text("\(request.path) \(threadName())")
        }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let connection = try RawConnection(port: port)
        try connection.send("GET /hooks/x HTTP/1.1\r\nHost: x\r\n\r\n")
        let hook = try await connection.readResponse().body
        #expect(hook == "/hooks/x lastmile-loop\n")
        try connection.send("GET /page HTTP/1.1\r\nHost: x\r\n\r\n")
        let page = try await connection.readResponse().body
        #expect(page.hasPrefix("/page "))
        #expect(!page.contains("lastmile-loop"))
    }

    @Test func aPeerThatResetsIsClosedAtOnceWhateverItWasDoing() async throws {
        let test = try TestServer()
        // One resets mid-head, one while its 32 MiB answer waits to be read.
        let heading = try RawConnection(port: test.port)
        try heading.send("GET /hello/x HT")
        let writing = try RawConnection(port: test.port)
        try writing.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { test.server.connectionCount == 2 }
        try await Task.sleep(for: .milliseconds(200))
        heading.reset()
        writing.reset()
        // Well before the head (10 s) and write (30 s) deadlines.
        try await waitUntil(seconds: 5) { test.server.connectionCount == 0 }
        #expect(test.server.counts.timedOut.isEmpty)
    }

    @Test func aPeerBeyondItsShareGets503WhileOthersAreServed() async throws {
        var limits = HTTPLimits()
        limits.maximumConnectionsPerPeer = 3
        let test = try TestServer(limits: limits)
        let held = try (0..<3).map { _ in try RawConnection(port: test.port) }
        try await waitUntil { test.server.connectionCount == 3 }
        let extra = try RawConnection(port: test.port)
        let refused = try await extra.readResponse()
        #expect(refused.status == 503)
        #expect(refused.body.contains("from 127.0.0.1"))
        #expect(test.server.rejectedConnectionCount == 1)
        #expect(test.server.counts.refusedPeer == 1)
        let other = try RawConnection(port: test.port, source: "127.0.0.2")
        try other.send("GET /hello/other HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await other.readResponse().body == "hello other\n")
        // A closed connection gives its peer its place back.
        held[0].hangUp()
        try await waitUntil { test.server.connectionCount == 3 }
        let again = try RawConnection(port: test.port)
        try again.send("GET /hello/again HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await again.readResponse().body == "hello again\n")
        _ = held
    }

    @Test func aPeerThatDoesNotTakeItsAnswerIsClosedByTheWriteDeadline() async throws {
        var limits = HTTPLimits()
        limits.writeTimeout = 0.5
        let test = try TestServer(limits: limits)
        let connection = try RawConnection(port: test.port)
        // 32 MiB: more than loopback's socket buffers hold, so the write blocks on this reader.
        try connection.send("GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        try await waitUntil { test.server.connectionCount == 1 }
        try await waitUntil(seconds: 30) { test.server.connectionCount == 0 }
        #expect(test.server.counts.timedOut[.write] == 1)
        // Others are served meanwhile and after.
        let other = try RawConnection(port: test.port)
        try other.send("GET /hello/after HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await other.readResponse().body == "hello after\n")
    }

    @Test func thousandsOfSilentConnectionsAreHeldAndClosedWhileOthersAreServed() async throws {
        // Two descriptors a connection in this process (both ends), and room for the rest.
        let count = min(2_000, (OpenFiles.raiseToHardLimit() - 600) / 2)
        #expect(count >= 200, "the open-file limit leaves room for \(count) connections only")
        var limits = HTTPLimits()
        limits.headerTimeout = 3
        let test = try TestServer(limits: limits)
        // Spread over 20 peers, under the per-peer share.
        let silent = try (0..<count).map { try RawConnection(port: test.port, source: "127.0.1.\($0 % 20 + 1)") }
        try await waitUntil { test.server.connectionCount == count }
        let connection = try RawConnection(port: test.port)
        try connection.send("GET /hello/busy HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await connection.readResponse().body == "hello busy\n")
        // The head deadline runs from the accept: every silent one is closed without a word.
        try await waitUntil(seconds: 60) { test.server.connectionCount <= 1 }
        for index in stride(from: 0, to: silent.count, by: 97) { #expect(await silent[index].isClosedByPeer(timeout: 5)) }
    }
}

/// Waits until `condition` holds, checking every 10 ms, for up to `seconds`; throws if it never does.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
    while !condition() {
        guard ContinuousClock.now < deadline else { throw RawConnection.Failure(description: "condition not met in \(seconds) s") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The test process's open-file limit.
enum OpenFiles {
    /// Raises the soft limit to the hard one and returns it.
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(min(limit.rlim_cur, 1 << 20))
    }
}

