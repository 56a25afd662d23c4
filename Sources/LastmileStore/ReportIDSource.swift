import Synchronization

/// Hands out ids for inbound reports, unique across receipts and arrivals.
protocol ReportIDSource: Sendable {
    /// One id; may wait on the database, so only for callers that may block a thread.
    func next() throws -> Int64
    /// `count` ids, waiting for the database (if at all) without holding the caller's thread.
    func next(_ count: Int) async throws -> [Int64]
    /// `count` ids if they are in hand, without waiting at all; nil (and none taken) otherwise.
    func inHand(_ count: Int) -> [Int64]?
}

/// Ids counted up in this process, from the highest the file holds: one writer owns a SQLite store.
final class CountedReportIDs: ReportIDSource {
    private let last: Atomic<Int64>

    init(after highest: Int64) {
        last = Atomic(highest)
    }

    func next() throws -> Int64 {
        last.add(1, ordering: .relaxed).newValue
    }

    func next(_ count: Int) async throws -> [Int64] {
        inHand(count) ?? []
    }

    func inHand(_ count: Int) -> [Int64]? {
        guard count > 0 else { return [] }
        let end = last.add(Int64(count), ordering: .relaxed).newValue
        return Array((end - Int64(count) + 1)...end)
    }
}
