import Foundation

/// How many bytes of reports a shared store's inbox holds, as the intake writer last counted
/// them plus what it added since: counted again every `recountInterval`, since a count reads the
/// whole table and the leader takes entries out meanwhile.
struct InboxFill: Sendable {
    let limit: Int
    var bytes = 0
    var countedAt: ContinuousClock.Instant?

    static let recountInterval = Duration.seconds(10)

    init(limit: Int) {
        self.limit = limit
    }

    /// Entries counted whose writes have not ended: a write runs again when another of its
    /// batch fails, and must not be counted twice.
    private var charged: Set<UUID> = []

    /// Counts `size` bytes for the entry `charge` unless they are counted already; refuses the
    /// entry past the limit.
    mutating func charge(_ charge: UUID, size: Int) throws(InboxFull) {
        guard !charged.contains(charge) else { return }
        guard bytes + size <= limit else { throw InboxFull(bytes: bytes, limit: limit) }
        bytes += size
        charged.insert(charge)
    }

    /// The entry's write ended: its bytes stay counted if it was stored, and are given back if not.
    mutating func settle(_ charge: UUID, size: Int, stored: Bool) {
        guard charged.remove(charge) != nil, !stored else { return }
        bytes -= size
    }

    /// Whether the count is due.
    func isStale(at now: ContinuousClock.Instant) -> Bool {
        countedAt.map { now - $0 >= Self.recountInterval } ?? true
    }
}
