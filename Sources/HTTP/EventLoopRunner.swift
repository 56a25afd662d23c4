import CEpoll
import Foundation
import Glibc
import LastmileBase

/// The body of an event loop's thread: waits in `epoll`, reads what arrives, parses it, hands
/// whole requests to the handler (on this thread for the requests the server picks, on the
/// concurrency pool for the rest), writes the answers without blocking, and closes connections
/// whose time limits ran out. It never blocks on one
/// connection, so a silent or trickling peer costs a few hundred bytes, not a thread.
struct EventLoopRunner {
    /// How often time limits are checked: their precision.
    static let sweepInterval = Duration.milliseconds(100)

    let server: HTTPServer
    let loop: EventLoop
    private var connections: [UInt64: LoopConnection] = [:]
    private var nextID: UInt64 = 1
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    private var stopped = false

    init(server: HTTPServer, loop: EventLoop) {
        self.server = server
        self.loop = loop
    }

    mutating func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var nextSweep = ContinuousClock.now.advanced(by: Self.sweepInterval)
        while true {
            // With no connection there is no time limit to check: sleep until something arrives;
            // with work of this thread's own still posted, only look.
            let wait = loop.hasCommands ? 0
                : connections.isEmpty ? -1 : Int32(clamping: max(0, ContinuousClock.now.duration(to: nextSweep).wholeMilliseconds) + 1)
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(loop.epoll, $0.baseAddress, Int32($0.count), wait) }
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                if event.data.u64 == 0 {
                    guard handle(loop.takeCommands()) else { return }
                } else if let connection = connections[event.data.u64] {
                    handle(connection, events: event.events)
                }
            }
            // What this thread posted meanwhile (a handler that ran here, and its answer) is
            // done before the next wait, and woke no one.
            for _ in 0..<Self.localRounds {
                let commands = loop.takeCommands(readingCounter: false)
                if commands.isEmpty { break }
                guard handle(commands) else { return }
            }
            let now = ContinuousClock.now
            if now >= nextSweep {
                sweep(at: now)
                nextSweep = now.advanced(by: Self.sweepInterval)
            }
        }
    }

    /// How many rounds of its own posted work a loop does before it looks at its sockets again:
    /// enough for a handler that ran here to answer, few enough that one that keeps posting
    /// cannot keep the loop from its connections.
    static let localRounds = 4

    // MARK: Commands

    /// Carries out commands taken from the mailbox; false once told to exit.
    private mutating func handle(_ commands: [EventLoop.Command]) -> Bool {
        var exiting = false
        for command in commands {
            if exiting {
                switch command {
                case .run(let job):
                    // Jobs posted just before the exit still run, elsewhere.
                    globalConcurrentExecutor.enqueue(ExecutorJob(job))
                case .adopt(let descriptor, let peer, _):
                    // Accepted just before the exit: closed, and no longer counted against the caps.
                    Glibc.close(descriptor)
                    server.connectionClosed(peer: peer)
                default:
                    break
                }
                continue
            }
            switch command {
            case .run(let job):
                job.runSynchronously(on: loop.asUnownedTaskExecutor())
            case .adopt(let descriptor, let peer, let acceptedAt):
                adopt(descriptor, peer: peer, acceptedAt: acceptedAt)
            case .respond(let id, let response):
                if let connection = connections[id] { respond(connection, with: response) }
            case .stop:
                stopped = true
                for connection in Array(connections.values) where connection.isIdle { close(connection) }
            case .closeAll:
                for connection in Array(connections.values) { close(connection) }
            case .exit:
                for connection in Array(connections.values) { close(connection) }
                exiting = true
            }
        }
        return !exiting
    }

    private mutating func adopt(_ descriptor: Int32, peer: PeerAddress?, acceptedAt: ContinuousClock.Instant) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        if server.now == nil { Socket.enableReceiveTimestamps(descriptor) }
        let connection = LoopConnection(id: nextID, descriptor: descriptor, peer: peer, limits: server.limits,
                                        acceptedAt: acceptedAt, interest: EPOLLIN.rawValue)
        nextID += 1
        var event = epoll_event()
        event.events = connection.interest
        event.data.u64 = connection.id
        connections[connection.id] = connection
        if stopped || epoll_ctl(loop.epoll, EPOLL_CTL_ADD, descriptor, &event) != 0 { close(connection) }
    }

    // MARK: Readiness

    private mutating func handle(_ connection: LoopConnection, events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            // Reset, or shut in both directions: nothing more can be read or written, and these
            // events would repeat at every wait. One whose handler runs is forgotten when its answer comes.
            if connection.timer.phase == .handling {
                _ = epoll_ctl(loop.epoll, EPOLL_CTL_DEL, connection.descriptor, nil)
                connection.interest = 0
                connection.hungUp = true
            } else {
                close(connection)
            }
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            flush(connection)
            guard connections[connection.id] != nil else { return }
        }
        if events & EPOLLIN.rawValue != 0, connection.interest & EPOLLIN.rawValue != 0 {
            if connection.timer.phase == .handling {
                // The peer sends before its answer (a pipelined request, or its end): nothing
                // more is read until the answer is out.
                connection.interest &= ~EPOLLIN.rawValue
                setInterest(connection)
            } else {
                read(connection)
            }
        }
    }

    private mutating func read(_ connection: LoopConnection) {
        if connection.timer.phase == .lingering {
            discard(connection)
            return
        }
        let (count, arrivedAt) = Socket.receive(connection.descriptor, into: &scratch)
        if count < 0 {
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { close(connection) }
            return
        }
        guard count > 0 else {
            close(connection)
            return
        }
        connection.lastArrival = arrivedAt.map { Date(timeIntervalSince1970: Double($0.tv_sec) + Double($0.tv_nsec) / 1e9) } ?? Date()
        connection.timer.received(at: .now)
        connection.parser.append(scratch[0..<count])
        guard reserveRequestRoom(connection) else { return }
        process(connection)
    }

    /// Reads and throws away what a lingering connection's peer still sends; closes it at the
    /// peer's end of stream or error.
    private mutating func discard(_ connection: LoopConnection) {
        let count = scratch.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { close(connection) }
    }

    /// Parses what the connection has buffered, up to the next whole request, which goes to the handler.
    private mutating func process(_ connection: LoopConnection) {
        do {
            while let event = try connection.parser.next() {
                switch event {
                case .head(let head):
                    connection.timer.headReceived(at: .now)
                    if head.expectsContinue && connection.parser.isReadingBody {
                        // A large body that would find no room now is refused before it is asked
                        // for (a chunked one is taken to be as large as a body may be).
                        let declared = min(head.contentLength ?? .max, server.limits.maximumBodyBytes)
                        if declared > server.limits.largeRequestBytes, !server.hasRequestRoom(declared, peer: connection.peer) {
                            refuseLargeRequest(connection)
                            return
                        }
                        connection.output += Self.continueAnswer
                        flush(connection)
                        guard connections[connection.id] != nil else { return }
                    }
                case .request(var request):
                    request.receivedAt = server.now?() ?? connection.lastArrival ?? Date()
                    connection.timer.requestReceived()
                    connection.keepAlive = request.head.keepAlive
                    connection.isHead = request.method == "HEAD"
                    // The handler holds the body now: counted with what the parser still holds,
                    // and never refused, since it is all read and its answer is due.
                    _ = reserveRequestRoom(connection, handed: request.body.count, refusing: false)
                    updateInterest(connection)
                    dispatch(request, to: connection.id)
                    return
                }
            }
            // Pipelined bytes of the next request start its head's clock.
            if connection.parser.isMidRequest { connection.timer.received(at: .now) }
            // A chunked body grows as it is parsed; a drained buffer was given back.
            _ = reserveRequestRoom(connection)
        } catch {
            answerAndClose(connection, HTTPResponse.error(error.status, error.reason))
        }
    }

    private static let continueAnswer = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Sets aside with the server what the connection's request holds once it is large (its
    /// buffer's room and its body's bytes, with `handed` bytes of a body its handler holds), or
    /// gives back what it no longer holds. Past the server's room, or its peer's share of it, the
    /// request is answered 503 and the connection closed (false), unless not `refusing`. While a
    /// handler runs, what was set aside stays: it holds the body.
    private mutating func reserveRequestRoom(_ connection: LoopConnection, handed: Int = 0, refusing: Bool = true) -> Bool {
        let held = connection.parser.heldBytes + handed
        let wanted = held > server.limits.largeRequestBytes ? held : 0
        if wanted > connection.reservedRequest {
            guard server.reserveRequest(wanted - connection.reservedRequest, peer: connection.peer, regardless: !refusing) else {
                refuseLargeRequest(connection)
                return false
            }
        } else if wanted < connection.reservedRequest {
            server.releaseRequest(connection.reservedRequest - wanted, peer: connection.peer)
        }
        connection.reservedRequest = wanted
        return true
    }

    /// Answers 503 to a large request the server has no room for, and closes the connection.
    private mutating func refuseLargeRequest(_ connection: LoopConnection) {
        server.countLargeRequestRefused()
        // What was buffered goes back now, not once the answer is out.
        connection.parser = HTTPRequestParser(limits: server.limits)
        releaseRequestRoom(connection)
        answerAndClose(connection, HTTPResponse.error(.serviceUnavailable, "too many large requests are being read; retry later"))
    }

    private func releaseRequestRoom(_ connection: LoopConnection) {
        guard connection.reservedRequest > 0 else { return }
        server.releaseRequest(connection.reservedRequest, peer: connection.peer)
        connection.reservedRequest = 0
    }

    /// Hands `request` to the handler: on this loop's thread when the server says the request's
    /// handler never blocks a thread, on the concurrency pool otherwise.
    private func dispatch(_ request: HTTPRequest, to id: UInt64) {
        let handler = server.handler
        let loop = self.loop
        let work: @Sendable () async -> Void = {
            let response: HTTPResponse
            do {
                response = try await handler(request)
            } catch {
                response = .error(.internalServerError, "the request could not be handled")
            }
            loop.post(.respond(id: id, response: response))
        }
        if server.handlesOnLoop?(request) == true {
            Task(executorPreference: loop, operation: work)
        } else {
            Task(operation: work)
        }
    }

    // MARK: Writing

    private mutating func respond(_ connection: LoopConnection, with response: HTTPResponse) {
        guard connection.timer.phase == .handling else { return }
        guard !connection.hungUp else {
            close(connection)
            return
        }
        var keepAlive = connection.keepAlive && !stopped && !server.isStopping
        var bytes = response.serialized(includeBody: !connection.isHead, keepAlive: keepAlive)
        if bytes.count > server.limits.largeResponseBytes {
            if server.reserveResponse(bytes.count) {
                connection.reservedResponse = bytes.count
            } else {
                server.countLargeAnswerRefused()
                keepAlive = false
                bytes = HTTPResponse.error(.serviceUnavailable, "too many large answers are waiting to be read; retry later")
                    .serialized(keepAlive: false)
            }
        }
        connection.output += bytes
        connection.closeAfterWrite = !keepAlive
        connection.timer.writing(at: .now)
        flush(connection)
    }

    /// Answers a request refused before it was read in full, then lingers and closes.
    private mutating func answerAndClose(_ connection: LoopConnection, _ response: HTTPResponse) {
        connection.output += response.serialized(keepAlive: false)
        connection.closeAfterWrite = true
        connection.lingersAfterWrite = true
        connection.timer.writing(at: .now)
        flush(connection)
    }

    /// Sends what the connection has to send, without blocking; the rest waits for `EPOLLOUT`.
    private mutating func flush(_ connection: LoopConnection) {
        while connection.hasOutput {
            let sent = connection.output[connection.sent...].withUnsafeBytes { bytes in
                send(connection.descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent > 0 {
                connection.sent += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                close(connection)
                return
            }
        }
        if !connection.hasOutput {
            connection.output = []
            connection.sent = 0
            releaseReservation(connection)
            if connection.timer.phase == .writing {
                if connection.closeAfterWrite {
                    if connection.lingersAfterWrite { linger(connection) } else { close(connection) }
                    return
                }
                connection.timer.written(at: .now)
                // The handler is done with the body: what the parser holds now is all there is.
                guard reserveRequestRoom(connection) else { return }
                updateInterest(connection)
                process(connection)
                return
            }
        }
        updateInterest(connection)
    }

    /// Shuts the connection's sending side, so its peer sees the end of the answer, and reads
    /// on until the peer closes or `lingerTimeout` passes.
    private mutating func linger(_ connection: LoopConnection) {
        guard shutdown(connection.descriptor, Int32(SHUT_WR)) == 0 else {
            close(connection)
            return
        }
        connection.timer.lingering(at: .now)
        // What was buffered of the refused request is never read: its memory goes back now.
        connection.parser = HTTPRequestParser(limits: server.limits)
        releaseRequestRoom(connection)
        updateInterest(connection)
    }

    /// Watches for what the connection needs next: room to write while it has bytes to send, and
    /// more bytes while it is reading a request. While its handler runs, reading is left as it was
    /// (a peer that waits for its answer, as most do, costs no change and back) and stops the
    /// first time the peer sends anyway.
    private func updateInterest(_ connection: LoopConnection) {
        guard !connection.hungUp else { return }
        var wanted: UInt32 = 0
        switch connection.timer.phase {
        case .handling: wanted = (connection.interest & EPOLLIN.rawValue) | (connection.hasOutput ? EPOLLOUT.rawValue : 0)
        case .writing: if connection.hasOutput { wanted = EPOLLOUT.rawValue }
        case .waiting, .head, .body: wanted = EPOLLIN.rawValue | (connection.hasOutput ? EPOLLOUT.rawValue : 0)
        case .lingering: wanted = EPOLLIN.rawValue
        }
        guard wanted != connection.interest else { return }
        connection.interest = wanted
        setInterest(connection)
    }

    /// Tells `epoll` the connection's interest.
    private func setInterest(_ connection: LoopConnection) {
        var event = epoll_event()
        event.events = connection.interest
        event.data.u64 = connection.id
        _ = epoll_ctl(loop.epoll, EPOLL_CTL_MOD, connection.descriptor, &event)
    }

    // MARK: Time limits and closing

    private mutating func sweep(at now: ContinuousClock.Instant) {
        for connection in Array(connections.values) {
            let expiry = connection.timer.expiry(at: now)
            if expiry != nil && expiry != .lingered { server.countTimeout(Self.phase(of: connection.timer.phase)) }
            switch expiry {
            case nil:
                if stopped && connection.isIdle { close(connection) }
            case .silent, .write, .lingered:
                close(connection)
            case .request(let reason):
                // One attempt: a peer too slow to send its request gets no more of our time to read the answer.
                let bytes = HTTPResponse.error(.requestTimeout, reason).serialized(keepAlive: false)
                _ = bytes.withUnsafeBytes { send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
                close(connection)
            }
        }
    }

    private func releaseReservation(_ connection: LoopConnection) {
        guard connection.reservedResponse > 0 else { return }
        server.releaseResponse(connection.reservedResponse)
        connection.reservedResponse = 0
    }

    private static func phase(of phase: ConnectionTimer.Phase) -> HTTPServerCounts.Phase {
        switch phase {
        case .waiting, .handling: return .silent
        case .head: return .head
        case .body: return .body
        case .writing, .lingering: return .write
        }
    }

    private mutating func close(_ connection: LoopConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        releaseReservation(connection)
        releaseRequestRoom(connection)
        // Closing the descriptor also takes it out of the epoll set.
        Glibc.close(connection.descriptor)
        server.connectionClosed(peer: connection.peer)
    }
}
