import Synchronization

/// Hands out ids for inbound reports, unique across receipts and arrivals.
protocol ReportIDSource: Sendable {
    func next() throws -> Int64
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
}
