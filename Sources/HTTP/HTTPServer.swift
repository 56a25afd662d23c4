import Dispatch
import Foundation
import Glibc
import LastmileBase
import Synchronization

/// An HTTP/1.1 server on POSIX sockets: one thread accepts per listener, one
/// thread serves each connection with blocking reads bounded by `poll` deadlines.
public final class HTTPServer: Sendable {
    private struct State {
        var listeners: [Int32] = []
        /// Accept threads still running; each closes its own listener when it ends.
        var acceptLoops = 0
        var connections: Set<Int32> = []
    }

    public let limits: HTTPLimits
    let handler: HTTPHandler
    /// The clock that stamps `HTTPRequest.receivedAt`; nil: the kernel's arrival time of the request's last bytes.
    let now: (@Sendable () -> Date)?
    private let state = Mutex(State())
    private let rejected = Atomic<Int>(0)
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

    /// Creates a server. Requests are stamped with `now` when given, otherwise with the
    /// time the kernel received their last bytes, which no thread scheduling can delay.
    public init(limits: HTTPLimits = HTTPLimits(), now: (@Sendable () -> Date)? = nil,
                onListenerFailure: (@Sendable (String) -> Void)? = nil, handler: @escaping HTTPHandler) {
        self.limits = limits
        self.now = now
        self.onListenerFailure = onListenerFailure
        self.handler = handler
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        wake = (ends[0], ends[1])
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
        let (descriptor, bound) = try Socket.listen(host: host, port: port)
        state.withLock {
            $0.listeners.append(descriptor)
            $0.acceptLoops += 1
        }
        let thread = Thread { [self] in acceptLoop(descriptor) }
        thread.name = "lastmile-http-accept"
        thread.start()
        return bound
    }

    /// Connections open now.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Connections turned away because the server was full.
    public var rejectedConnectionCount: Int { rejected.load(ordering: .relaxed) }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Stops accepting, lets requests in flight finish (up to `grace` seconds),
    /// closes idle connections, and returns when all are closed. Waits without polling.
    public func stop(grace: Double = 10) async {
        stopAccepting()
        await acceptLoopsEnded.wait(timeout: .seconds(2))
        if await drained.wait(timeout: .seconds(grace)) { return }
        shutDownConnections()
        await drained.wait(timeout: .seconds(2))
    }

    /// Stops at once, without waiting: no new connections, and every open one is shut down
    /// (its thread closes it). For places that cannot wait, such as `deinit`.
    public func close() {
        stopAccepting()
        shutDownConnections()
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
        noteProgress()
    }

    private func shutDownConnections() {
        state.withLock { state in
            for descriptor in state.connections { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Opens the stop latches whose condition now holds.
    private func noteProgress() {
        guard isStopping else { return }
        let (loops, connections) = state.withLock { ($0.acceptLoops, $0.connections.count) }
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
        while true {
            let descriptor = accept(on: listener)
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
            let isStopping = self.isStopping
            let refusal = state.withLock { state -> String? in
                if isStopping { return "shutting down" }
                guard state.connections.count < limits.maximumConnections else { return "too many connections" }
                state.connections.insert(descriptor)
                return nil
            }
            if let refusal {
                if refusal == "shutting down" {
                    Glibc.close(descriptor)
                    return
                }
                rejected.add(1, ordering: .relaxed)
                let response = HTTPResponse.error(.serviceUnavailable, refusal)
                _ = Socket.sendAll(descriptor, response.serialized(keepAlive: false), timeout: 0.5)
                Glibc.close(descriptor)
                continue
            }
            var noDelay: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            if now == nil { Socket.enableReceiveTimestamps(descriptor) }
            let thread = Thread { [self] in
                HTTPConnection(server: self, descriptor: descriptor).serve()
                state.withLock { state in
                    state.connections.remove(descriptor)
                    Glibc.close(descriptor)
                }
                noteProgress()
            }
            thread.name = "lastmile-http-connection"
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func accept(on listener: Int32) -> Int32 {
        if let injected = injectedAcceptErrors.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            errno = injected
            return -1
        }
        return acceptClosingOnExec(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
    }

    /// Runs the handler from a connection thread and waits for its answer.
    func respond(to request: HTTPRequest) -> HTTPResponse {
        let result = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        Task {
            let response: HTTPResponse
            do {
                response = try await handler(request)
            } catch {
                response = .error(.internalServerError, "the request could not be handled")
            }
            result.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 } ?? .error(.internalServerError, "no response")
    }
}
