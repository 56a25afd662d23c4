/// Which of a connection's time limits applies, and when it runs out: a value that moves
/// with what happens on the connection, over instants its caller supplies, so it can be tested
/// with a clock that only moves when told.
///
/// - Before the first request, the head must be in `headerTimeout` after the accept, even if
///   nothing at all arrives: a scanner that connects and stays silent is closed like one that
///   trickles.
/// - Between later requests, the connection may sit idle for `idleTimeout`; the next head must
///   then be in `headerTimeout` after its first byte.
/// - Once a head is in, the body must be in `bodyTimeout` after it.
/// - While the handler runs, no limit applies (the server's stop bounds it).
/// - A response must be written within `writeTimeout` of its start.
/// - A connection that lingers after an error answer is closed `lingerTimeout` after it.
public struct ConnectionTimer: Sendable, Hashable {
    public typealias Instant = ContinuousClock.Instant

    /// Where the connection is.
    public enum Phase: Sendable, Hashable {
        /// No request started: waiting for its first byte.
        case waiting
        /// A request's head is arriving.
        case head
        /// A request's body is arriving.
        case body
        /// The whole request is in and the handler has it.
        case handling
        /// Its response is being written.
        case writing
        /// Its error answer is out and its sending side shut: what the peer still sends is read
        /// and thrown away until it closes or the time runs out.
        case lingering
    }

    /// What ran out, and what the server does about it.
    public enum Expiry: Sendable, Hashable {
        /// Nothing of a request arrived in time: close without a word.
        case silent
        /// A request started but did not finish in time: answer 408 with this reason, then close.
        case request(String)
        /// The peer did not take its response in time: close.
        case write
        /// A lingering connection's time is over: close (not a timeout of the peer's).
        case lingered
    }

    public let limits: HTTPLimits
    public private(set) var phase: Phase = .waiting
    /// When the current limit runs out; nil while the handler runs.
    public private(set) var deadline: Instant?
    /// The first request's head is timed from the accept rather than from its first byte.
    private var headDeadline: Instant?

    /// A connection accepted at `acceptedAt`.
    public init(limits: HTTPLimits, acceptedAt: Instant) {
        self.limits = limits
        let head = acceptedAt.advanced(by: .seconds(limits.headerTimeout))
        headDeadline = head
        deadline = min(head, acceptedAt.advanced(by: .seconds(limits.idleTimeout)))
    }

    /// Bytes of a request arrived at `now`; the first byte of a request starts its head's clock.
    public mutating func received(at now: Instant) {
        guard phase == .waiting else { return }
        phase = .head
        deadline = headDeadline ?? now.advanced(by: .seconds(limits.headerTimeout))
        headDeadline = nil
    }

    /// A request's head is complete at `now`.
    public mutating func headReceived(at now: Instant) {
        phase = .body
        headDeadline = nil
        deadline = now.advanced(by: .seconds(limits.bodyTimeout))
    }

    /// The whole request is in; the handler has it.
    public mutating func requestReceived() {
        phase = .handling
        headDeadline = nil
        deadline = nil
    }

    /// The response started going out at `now`.
    public mutating func writing(at now: Instant) {
        phase = .writing
        deadline = now.advanced(by: .seconds(limits.writeTimeout))
    }

    /// The response is out at `now`, and the connection stays open for the next request.
    public mutating func written(at now: Instant) {
        phase = .waiting
        deadline = now.advanced(by: .seconds(limits.idleTimeout))
    }

    /// The error answer is out at `now`; the connection lingers before it closes.
    public mutating func lingering(at now: Instant) {
        phase = .lingering
        headDeadline = nil
        deadline = now.advanced(by: .seconds(limits.lingerTimeout))
    }

    /// What has run out at `now`, if anything.
    public func expiry(at now: Instant) -> Expiry? {
        guard let deadline, now >= deadline else { return nil }
        switch phase {
        case .waiting: return .silent
        case .head: return .request("the request head took too long")
        case .body: return .request("the request body took too long")
        case .handling: return nil
        case .writing: return .write
        case .lingering: return .lingered
        }
    }
}
