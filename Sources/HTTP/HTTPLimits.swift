/// What the server accepts, and how long it waits.
public struct HTTPLimits: Sendable, Hashable {
    public var maximumRequestLine = 8 * 1024
    public var maximumHeaderLine = 8 * 1024
    public var maximumHeaderBytes = 64 * 1024
    public var maximumHeaderCount = 100
    public var maximumBodyBytes = 1024 * 1024
    /// Seconds to receive a request's head: from the accept for a connection's first request (a
    /// silent connection is closed after it), from the first byte for the next ones (slowloris).
    public var headerTimeout: Double = 10
    /// Seconds to receive a request's body once its head is in.
    public var bodyTimeout: Double = 30
    /// Seconds a kept-alive connection may sit idle between requests (after its first).
    public var idleTimeout: Double = 60
    /// Seconds a response may take to write.
    public var writeTimeout: Double = 30
    /// Seconds a connection answered with an error before its request was read in full (413,
    /// 400) goes on reading, and throwing away, what its peer still sends before it is closed.
    /// Closed at once with unread bytes, the kernel would send a reset, and a peer busy writing
    /// the rest of its body would see that instead of the answer. The peer's own close ends it sooner.
    public var lingerTimeout: Double = 2
    /// Connections served at once; beyond this new ones get 503 and are closed. The server
    /// lowers it to what the process's open-file limit leaves room for.
    public var maximumConnections = 16_384
    /// Connections served at once from one IPv4 address or IPv6 /64; beyond this its new ones
    /// get 503 and are closed. Raise it when a proxy or balancer connects on everyone's behalf.
    public var maximumConnectionsPerPeer = 256
    /// Bytes of large answers (over `largeResponseBytes`) waiting for their peers to read them,
    /// in all. Beyond it, a large answer is replaced by 503: peers that ask for `/metrics` and
    /// never read it must not hold the process's memory.
    public var maximumPendingResponseBytes = 256 * 1024 * 1024
    /// What counts as a large answer. Smaller ones are not counted, so at the connection cap
    /// peers that never read can hold at most this much each (16 KiB: 256 MiB at 16,384).
    public var largeResponseBytes = 16 * 1024
    /// Bytes large requests (over `largeRequestBytes`) hold while they are read and handled, in
    /// all: their buffers' room and the bytes of their bodies their peers have sent (a body's room
    /// is at most twice that). Beyond it a request is refused with
    /// 503: peers that send megabyte bodies slowly on thousands of connections must not hold the
    /// process's memory.
    public var maximumPendingRequestBytes = 256 * 1024 * 1024
    /// The share of `maximumPendingRequestBytes` one peer (an IPv4 address, an IPv6 /64) may hold,
    /// so that one peer cannot take all the room and have everyone else's large requests refused.
    public var maximumPendingRequestBytesPerPeer = 32 * 1024 * 1024
    /// What counts as a large request. Smaller ones are not counted (16 KiB each: 256 MiB at 16,384).
    public var largeRequestBytes = 16 * 1024

    public init() {}
}
