import Foundation
import Glibc

/// Serves the requests of one connection, in order, until it closes.
struct HTTPConnection {
    let server: HTTPServer
    let descriptor: Int32

    private enum Wait {
        case data
        case timedOut
        case closed
    }

    func serve() {
        let limits = server.limits
        var parser = HTTPRequestParser(limits: limits)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var idleDeadline = Deadline(seconds: limits.idleTimeout)
        // A new connection's first request is timed from the accept, not from its first byte: a
        // scanner that connects and sends nothing is closed as one that trickles would be.
        var headDeadline: Deadline? = Deadline(seconds: limits.headerTimeout)
        var bodyDeadline: Deadline?
        var head: HTTPRequestHead?
        var lastArrival: Date?

        while true {
            // Answer everything already buffered (pipelining) before reading more.
            do {
                while let event = try parser.next() {
                    switch event {
                    case .head(let requestHead):
                        head = requestHead
                        bodyDeadline = Deadline(seconds: limits.bodyTimeout)
                        if requestHead.expectsContinue && parser.isReadingBody {
                            let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                            guard Socket.sendAll(descriptor, interim, timeout: limits.writeTimeout) else { return }
                        }
                    case .request(var request):
                        request.receivedAt = server.now?() ?? lastArrival ?? Date()
                        guard answer(request) else { return }
                        head = nil
                        headDeadline = nil
                        bodyDeadline = nil
                        idleDeadline = Deadline(seconds: limits.idleTimeout)
                    }
                }
            } catch {
                let response = HTTPResponse.error(error.status, error.reason)
                _ = Socket.sendAll(descriptor, response.serialized(keepAlive: false), timeout: 1)
                return
            }

            let midRequest = parser.isMidRequest
            if !midRequest && server.isStopping { return }
            // Between requests the idle deadline applies too, so a fresh connection waits for the
            // earlier of its head deadline and its idle deadline.
            let waiting = midRequest ? [headDeadline] : [headDeadline, idleDeadline]
            let deadline = bodyDeadline ?? waiting.compactMap { $0 }.min { $0.instant < $1.instant } ?? idleDeadline
            switch wait(until: deadline, interruptible: !midRequest) {
            case .closed:
                return
            case .timedOut:
                if midRequest {
                    let reason = head == nil ? "the request head took too long" : "the request body took too long"
                    let response = HTTPResponse.error(.requestTimeout, reason)
                    _ = Socket.sendAll(descriptor, response.serialized(keepAlive: false), timeout: 1)
                }
                return
            case .data:
                let (count, arrivedAt) = Socket.receive(descriptor, into: &buffer)
                if let arrivedAt {
                    lastArrival = Date(timeIntervalSince1970: Double(arrivedAt.tv_sec) + Double(arrivedAt.tv_nsec) / 1e9)
                } else {
                    lastArrival = Date()
                }
                if count <= 0 {
                    if count < 0 && errno == EINTR { continue }
                    return
                }
                if !parser.isMidRequest && headDeadline == nil { headDeadline = Deadline(seconds: limits.headerTimeout) }
                parser.append(buffer[0..<count])
            }
        }
    }

    /// Waits for data until `deadline`; an idle wait also ends when the server stops.
    private func wait(until deadline: Deadline, interruptible: Bool) -> Wait {
        while true {
            if deadline.passed { return .timedOut }
            if interruptible && server.isStopping { return .closed }
            let slice = min(deadline.remainingMilliseconds, 200)
            if Socket.waitReadable(descriptor, milliseconds: max(slice, 1)) { return .data }
        }
    }

    /// Runs the handler and writes its answer. False when the connection must close.
    private func answer(_ request: HTTPRequest) -> Bool {
        let response = server.respond(to: request)
        let keepAlive = request.head.keepAlive && !server.isStopping
        let bytes = response.serialized(includeBody: request.method != "HEAD", keepAlive: keepAlive)
        guard Socket.sendAll(descriptor, bytes, timeout: server.limits.writeTimeout) else { return false }
        return keepAlive
    }
}
