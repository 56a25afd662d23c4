import Dispatch
import Foundation
import Glibc
import LastmileBase
import Synchronization

/// An HTTP/1.1 server on POSIX sockets: one thread accepts per listener and hands each
/// connection to one of a few event loops (`EventLoop`), which serve thousands of connections
/// each without a thread per connection, timing every phase of every connection
/// (`ConnectionTimer`). Beyond `maximumConnections` in all, or `maximumConnectionsPerPeer` from
/// one address, a new connection is answered 503 and closed at once.
public final class HTTPServer: Sendable {
    private struct State {
        var listeners: [Int32] = []
        /// Accept threads still running; each closes its own listener when it ends.
        var acceptLoops = 0
        var connections = 0
        var connectionsByPeer: [PeerAddress: Int] = [:]
        var loopsStarted = false
        var nextLoop = 0
    }

    public let limits: HTTPLimits
    let handler: HTTPHandler
    /// The clock that stamps `HTTPRequest.receivedAt`; nil: the kernel's arrival time of the request's last bytes.
    let now: (@Sendable () -> Date)?
    /// Which requests are handled on their connection's event loop rather than the concurrency
    /// pool: those whose handlers never block a thread (nil: none).
    let handlesOnLoop: (@Sendable (HTTPRequest) -> Bool)?
    private let loops: [EventLoop]
    private let state = Mutex(State())
    private let refusedFull = Atomic<Int>(0)
    private let refusedPeer = Atomic<Int>(0)
    private let largeAnswersRefused = Atomic<Int>(0)
    private let largeRequestsRefused = Atomic<Int>(0)
    /// Connections closed by a time limit, by the phase they were in.
    private let timeouts = Mutex<[HTTPServerCounts.Phase: Int]>([:])
    /// Bytes of large answers not yet written, across every loop.
    private let pendingLargeResponses = Atomic<Int>(0)
    /// Bytes large requests hold, across every loop, and by peer.
    private let pendingLargeRequests = Mutex<(total: Int, byPeer: [PeerAddress: Int])>((0, [:]))
    /// Read on every request and idle wait, so kept outside the lock.
    private let stopping = Atomic<Bool>(false)
    /// Set when a listener ended for a reason other than `stop`.
    private let listenerFailure = Mutex<String?>(nil)
    /// Told once when a listener fails for good.
    private let onListenerFailure: (@Sendable (String) -> Void)?
    /// Opens when stopping and every accept thread has ended.
    private let acceptLoopsEnded = AsyncLatch()
    /// Opens when stopping and every connection has closed.
    private let drained = AsyncLatch()
    /// A pipe written to when the server stops, so an accept loop backing off wakes at once.
    private let wake: (read: Int32, write: Int32)
    /// Errors `accept` is made to return before the real call, for tests of the accept loop.
    let injectedAcceptErrors = Mutex<[Int32]>([])

    /// Creates a server with `eventLoops` loop threads (by default one per core, up to four).
    /// Requests are stamped with `now` when given, otherwise with the time the kernel received
    /// their last bytes, which no thread scheduling can delay. Requests `handlesOnLoop` picks are
    /// handled on their connection's loop thread, without crossing to the concurrency pool: only
    /// for handlers that never block a thread, since every connection of the loop waits meanwhile.
    public init(limits: HTTPLimits = HTTPLimits(), eventLoops: Int = min(4, ProcessInfo.processInfo.activeProcessorCount),
                now: (@Sendable () -> Date)? = nil, handlesOnLoop: (@Sendable (HTTPRequest) -> Bool)? = nil,
                onListenerFailure: (@Sendable (String) -> Void)? = nil, handler: @escaping HTTPHandler) {
        self.limits = limits
        self.now = now
        self.handlesOnLoop = handlesOnLoop
        self.onListenerFailure = onListenerFailure
        self.handler = handler
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        wake = (ends[0], ends[1])
        loops = (0..<max(1, eventLoops)).compactMap { _ in try? EventLoop() }
    }

    deinit {
        if wake.read >= 0 { Glibc.close(wake.read) }
        if wake.write >= 0 { Glibc.close(wake.write) }
    }

    /// Why a listener stopped accepting although the server was not stopped; nil while all accept.
    public var failure: String? { listenerFailure.withLock { $0 } }

    /// Starts listening on `host:port` (port 0 picks a free one) and returns the bound port.
    @discardableResult
    public func listen(host: String, port: UInt16) throws -> UInt16 {
        guard !loops.isEmpty else { throw Socket.Failure(call: "epoll_create1", code: EMFILE) }
        let (descriptor, bound) = try Socket.listen(host: host, port: port)
        let startLoops = state.withLock { state -> Bool in
            state.listeners.append(descriptor)
            state.acceptLoops += 1
            defer { state.loopsStarted = true }
            return !state.loopsStarted
        }
        if startLoops { for loop in loops { loop.start(for: self) } }
        let thread = Thread { [self] in
            EventLoop.nameThisThread("lastmile-accept")
            acceptLoop(descriptor)
        }
        thread.name = "lastmile-http-accept"
        thread.start()
        return bound
    }

    /// Connections open now.
    public var connectionCount: Int { state.withLock { $0.connections } }

    /// How many times a thread other than a loop's own woke one of the loops so far.
    var loopWakeUps: Int { loops.reduce(0) { $0 + $1.wakeUps } }

    /// Connections turned away because the server, or their peer's share of it, was full.
    public var rejectedConnectionCount: Int { refusedFull.load(ordering: .relaxed) + refusedPeer.load(ordering: .relaxed) }

    /// What the server holds now and what it has turned away or cut off since it started.
    public var counts: HTTPServerCounts {
        HTTPServerCounts(open: connectionCount, refusedFull: refusedFull.load(ordering: .relaxed),
                         refusedPeer: refusedPeer.load(ordering: .relaxed),
                         largeAnswersRefused: largeAnswersRefused.load(ordering: .relaxed),
                         largeRequestsRefused: largeRequestsRefused.load(ordering: .relaxed),
                         pendingLargeRequestBytes: pendingLargeRequests.withLock { $0.total }, timedOut: timeouts.withLock { $0 })
    }

    /// A loop closed a connection whose time limit ran out in `phase`.
    func countTimeout(_ phase: HTTPServerCounts.Phase) {
        timeouts.withLock { $0[phase, default: 0] += 1 }
    }

    /// A loop replaced a large answer by 503.
    func countLargeAnswerRefused() {
        largeAnswersRefused.add(1, ordering: .relaxed)
    }

    /// A loop refused a large request with 503.
    func countLargeRequestRefused() {
        largeRequestsRefused.add(1, ordering: .relaxed)
    }

    /// Sets `count` more bytes aside for a large request from `peer`; false when that would pass
    /// `maximumPendingRequestBytes`, or the peer's share of it, unless `regardless`.
    func reserveRequest(_ count: Int, peer: PeerAddress?, regardless: Bool = false) -> Bool {
        pendingLargeRequests.withLock { pending in
            guard regardless || fits(count, peer: peer, in: pending) else { return false }
            pending.total += count
            if let peer { pending.byPeer[peer, default: 0] += count }
            return true
        }
    }

    /// Whether a body of `count` bytes from `peer` would find room now.
    func hasRequestRoom(_ count: Int, peer: PeerAddress?) -> Bool {
        pendingLargeRequests.withLock { fits(count, peer: peer, in: $0) }
    }

    private func fits(_ count: Int, peer: PeerAddress?, in pending: (total: Int, byPeer: [PeerAddress: Int])) -> Bool {
        pending.total + count <= limits.maximumPendingRequestBytes
            && (peer.map { (pending.byPeer[$0] ?? 0) + count <= limits.maximumPendingRequestBytesPerPeer } ?? true)
    }

    /// `count` bytes of large requests from `peer` are no longer held.
    func releaseRequest(_ count: Int, peer: PeerAddress?) {
        pendingLargeRequests.withLock { pending in
            pending.total -= count
            if let peer, let holds = pending.byPeer[peer] { pending.byPeer[peer] = holds > count ? holds - count : nil }
        }
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Stops accepting, lets requests in flight finish (up to `grace` seconds),
    /// closes idle connections, and returns when all are closed. Waits without polling.
    public func stop(grace: Double = 10) async {
        stopAccepting()
        await acceptLoopsEnded.wait(timeout: .seconds(2))
        if await !drained.wait(timeout: .seconds(grace)) {
            for loop in loops { loop.post(.closeAll) }
            await drained.wait(timeout: .seconds(2))
        }
        for loop in loops { loop.post(.exit) }
    }

    /// Stops at once, without waiting: no new connections, and every open one is closed.
    /// For places that cannot wait, such as `deinit`.
    public func close() {
        stopAccepting()
        for loop in loops { loop.post(.exit) }
    }

    private func stopAccepting() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        // Shutting a listener down wakes its accept thread, which then closes it. Closing it
        // here instead could let a new socket reuse the number while the thread still accepts on it.
        // Under the lock, as descriptors are closed under it too: a number shut down here is still ours.
        state.withLock { state in
            for descriptor in state.listeners { shutdown(descriptor, Int32(SHUT_RDWR)) }
            state.listeners = []
        }
        var byte: UInt8 = 1
        _ = Glibc.write(wake.write, &byte, 1)
        for loop in loops { loop.post(.stop) }
        noteProgress()
    }

    /// Sets aside room for a large answer of `count` bytes; false when the pending ones leave none.
    func reserveResponse(_ count: Int) -> Bool {
        let after = pendingLargeResponses.add(count, ordering: .relaxed).newValue
        guard after > limits.maximumPendingResponseBytes else { return true }
        pendingLargeResponses.subtract(count, ordering: .relaxed)
        return false
    }

    /// A large answer of `count` bytes is written, or will never be.
    func releaseResponse(_ count: Int) {
        pendingLargeResponses.subtract(count, ordering: .relaxed)
    }

    /// A loop closed a connection from `peer`.
    func connectionClosed(peer: PeerAddress?) {
        state.withLock { Self.uncount(peer, in: &$0) }
        noteProgress()
    }

    private static func uncount(_ peer: PeerAddress?, in state: inout State) {
        state.connections -= 1
        guard let peer, let count = state.connectionsByPeer[peer] else { return }
        state.connectionsByPeer[peer] = count > 1 ? count - 1 : nil
    }

    /// Opens the stop latches whose condition now holds.
    private func noteProgress() {
        guard isStopping else { return }
        let (loops, connections) = state.withLock { ($0.acceptLoops, $0.connections) }
        if loops == 0 { acceptLoopsEnded.open() }
        if connections == 0 { drained.open() }
    }

    private func acceptLoop(_ listener: Int32) {
        defer {
            state.withLock { state in
                state.listeners.removeAll { $0 == listener }
                Glibc.close(listener)
                state.acceptLoops -= 1
            }
            noteProgress()
        }
        var backoff = AcceptBackoff()
        let maximum = Self.connectionCap(limits.maximumConnections)
        while true {
            var address = sockaddr_storage()
            let descriptor = accept(on: listener, into: &address)
            if descriptor < 0 {
                let code = errno
                switch AcceptBackoff.classify(code) {
                case .retryNow:
                    continue
                case .retryLater:
                    // Out of descriptors, buffers or memory, or a network error passed up by the
                    // kernel: the listener itself is fine, so wait and try again. The wait is on the
                    // stop pipe, not the listener: a pending connection must not cut the back-off
                    // short (out of descriptors, every accept would fail at once), but a stop does.
                    var waiting = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
                    _ = poll(&waiting, 1, Int32(max(1, backoff.next() / 1_000)))
                    continue
                case .fatal:
                    if !isStopping {
                        let reason = "accept failed: \(String(cString: strerror(code)))"
                        listenerFailure.withLock { $0 = $0 ?? reason }
                        onListenerFailure?(reason)
                    }
                    return
                }
            }
            backoff.reset()
            let acceptedAt = ContinuousClock.now
            let peer = PeerAddress(address)
            let isStopping = self.isStopping
            let admission = state.withLock { state -> (refusal: String?, byPeer: Bool, loop: Int) in
                if isStopping { return ("shutting down", false, 0) }
                guard state.connections < maximum else { return ("too many connections", false, 0) }
                if let peer {
                    let fromPeer = state.connectionsByPeer[peer, default: 0]
                    guard fromPeer < limits.maximumConnectionsPerPeer else { return ("too many connections from \(peer)", true, 0) }
                    state.connectionsByPeer[peer] = fromPeer + 1
                }
                state.connections += 1
                state.nextLoop = (state.nextLoop + 1) % loops.count
                return (nil, false, state.nextLoop)
            }
            if let refusal = admission.refusal {
                if isStopping {
                    Glibc.close(descriptor)
                    return
                }
                if admission.byPeer { refusedPeer.add(1, ordering: .relaxed) } else { refusedFull.add(1, ordering: .relaxed) }
                // One attempt into an empty send buffer: the accept thread never waits on a peer.
                let response = HTTPResponse.error(.serviceUnavailable, refusal)
                _ = Socket.sendAll(descriptor, response.serialized(keepAlive: false), timeout: 0)
                Glibc.close(descriptor)
                continue
            }
            if !loops[admission.loop].post(.adopt(descriptor: descriptor, peer: peer, acceptedAt: acceptedAt)) {
                // The server was closed meanwhile and its loops have ended.
                Glibc.close(descriptor)
                connectionClosed(peer: peer)
            }
        }
    }

    /// `configured`, lowered to what the process's open-file limit leaves room for (each
    /// connection is a descriptor, and the rest of the process needs some too).
    static func connectionCap(_ configured: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return configured }
        return max(1, min(configured, Int(limit.rlim_cur) - 256))
    }

    private func accept(on listener: Int32, into address: inout sockaddr_storage) -> Int32 {
        if let injected = injectedAcceptErrors.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            errno = injected
            return -1
        }
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                acceptClosingOnExec(listener, $0, &length, Int32(SOCK_CLOEXEC.rawValue))
            }
        }
    }
}
