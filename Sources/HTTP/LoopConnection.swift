import Foundation

/// One connection an event loop owns: its parser, its time limits and the bytes waiting to go
/// out. Touched only by its loop's thread.
final class LoopConnection {
    let id: UInt64
    let descriptor: Int32
    let peer: PeerAddress?
    var parser: HTTPRequestParser
    var timer: ConnectionTimer
    /// Bytes to send, from `sent` on.
    var output: [UInt8] = []
    var sent = 0
    /// Bytes of a large answer set aside with the server until they are written.
    var reservedResponse = 0
    /// Bytes of a large request set aside with the server while it is read and handled.
    var reservedRequest = 0
    /// The connection closes once `output` is out.
    var closeAfterWrite = false
    /// It lingers before it closes: its request was refused before all of it was read.
    var lingersAfterWrite = false
    /// Whether the request the handler has asked for keep-alive, and whether it was a HEAD.
    var keepAlive = true
    var isHead = false
    /// The kernel's arrival time of the latest bytes read.
    var lastArrival: Date?
    /// The `epoll` events the loop is waiting for on this connection (0: none).
    var interest: UInt32
    /// The peer hung up while its request was with the handler: the loop no longer watches it.
    var hungUp = false

    init(id: UInt64, descriptor: Int32, peer: PeerAddress?, limits: HTTPLimits, acceptedAt: ContinuousClock.Instant, interest: UInt32) {
        self.id = id
        self.descriptor = descriptor
        self.peer = peer
        parser = HTTPRequestParser(limits: limits)
        timer = ConnectionTimer(limits: limits, acceptedAt: acceptedAt)
        self.interest = interest
    }

    var hasOutput: Bool { sent < output.count }

    /// Whether the connection is between requests with nothing to send: what a stopping server closes.
    var isIdle: Bool { timer.phase == .waiting && !hasOutput && !parser.isMidRequest }
}
