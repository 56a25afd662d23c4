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

    /// Whether the count is due.
    func isStale(at now: ContinuousClock.Instant) -> Bool {
        countedAt.map { now - $0 >= Self.recountInterval } ?? true
    }
}
