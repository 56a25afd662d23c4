/// What an `HTTPServer` holds now, and what it has turned away or cut off since it started.
public struct HTTPServerCounts: Sendable, Hashable {
    /// Where a connection was when a time limit closed it.
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        /// Nothing of a request had arrived (a silent or idle connection).
        case silent
        /// A request's head was arriving.
        case head
        /// A request's body was arriving.
        case body
        /// Its answer was being written.
        case write
    }

    /// Connections open now.
    public var open: Int
    /// Connections answered 503 at the accept because the server was full.
    public var refusedFull: Int
    /// Connections answered 503 at the accept because their peer had its share.
    public var refusedPeer: Int
    /// Large answers replaced by 503 because others were waiting to be read.
    public var largeAnswersRefused: Int
    /// Large requests refused with 503 because others held the room for them.
    public var largeRequestsRefused: Int
    /// Bytes large requests hold now.
    public var pendingLargeRequestBytes: Int
    /// Connections closed by a time limit, by phase.
    public var timedOut: [Phase: Int]
}
