/// Who may write the leader's changes to a shared store: the holder of the leader lease in one
/// term. Every transaction of the leader's writer checks it first and holds the lease row until
/// it commits, so a deposed leader that wakes up cannot write.
public struct LeaseFence: Sendable, Hashable {
    public var holder: String
    public var term: Int64
    public var table: PostgresLeaseTable

    public init(holder: String, term: Int64, table: PostgresLeaseTable = PostgresLeaseTable()) {
        self.holder = holder
        self.term = term
        self.table = table
    }
}

/// A leader-only write refused: this instance does not hold the lease in the term it acts in.
public struct NotLeading: Error, CustomStringConvertible {
    public var holder: String
    public var term: Int64?

    public var description: String {
        term.map { "\(holder) no longer leads in term \($0); the write was not made" }
            ?? "\(holder) does not lead; only the leader writes canaries"
    }
}
