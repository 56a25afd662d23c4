import Foundation
import Synchronization

/// How many bytes of reports a shared store's inbox holds, as the intake writer last counted
/// them plus what it added since: counted again every `recountInterval`, at the start of a
/// transaction (so the count holds only what is committed), since a count reads the whole
/// table and the leader takes entries out meanwhile.
final class InboxFill: Sendable {
    private struct State {
        var bytes = 0
        var countedAt: ContinuousClock.Instant?
        /// How many counts were made: a charge made before the last one is not in it.
        var count = 0
        /// Entries charged whose writes have not ended, and the count they were charged after.
        /// A write runs again when another of its batch fails, and is charged once per count.
        var charged: [UUID: Int] = [:]
    }

    let limit: Int
    private let state = Mutex(State())

    static let recountInterval = Duration.seconds(10)

    init(limit: Int) {
        self.limit = limit
    }

    /// The bytes counted now.
    var bytes: Int { state.withLock { $0.bytes } }

    /// Counts what the inbox holds when the last count is `recountInterval` old; runs first in
    /// every intake transaction.
    func recountIfDue(on connection: any DatabaseConnection, at now: ContinuousClock.Instant = .now) throws {
        let due = state.withLock { state in state.countedAt.map { now - $0 >= Self.recountInterval } ?? true }
        guard due else { return }
        // octet_length of a bytea reads its stored size, not its bytes.
        let counted = try connection.scalar("SELECT coalesce(sum(octet_length(reports) + octet_length(raw_payload)), 0) FROM inbox")
        state.withLock { state in
            state.bytes = Int(counted?.integer ?? 0)
            state.countedAt = now
            state.count += 1
        }
    }

    /// Counts `size` bytes for the entry `charge` unless they are counted since the last count;
    /// refuses the entry past the limit.
    func charge(_ charge: UUID, size: Int) throws(InboxFull) {
        try state.withLock { state throws(InboxFull) in
            guard state.charged[charge] != state.count else { return }
            guard state.bytes + size <= limit else { throw InboxFull(bytes: state.bytes, limit: limit) }
            state.bytes += size
            state.charged[charge] = state.count
        }
    }

    /// The entry's write ended: its bytes stay counted if it was stored, and are given back if
    /// not (unless a count made since never had them).
    func settle(_ charge: UUID, size: Int, stored: Bool) {
        state.withLock { state in
            guard let chargedAfter = state.charged.removeValue(forKey: charge), !stored, chargedAfter == state.count else { return }
            state.bytes -= size
        }
    }
}
