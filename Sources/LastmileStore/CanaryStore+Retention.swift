import Foundation

/// What one pruning pass removed.
public struct PruneSummary: Sendable, Equatable {
    public var canaries = 0
    public var receipts = 0
    public var arrivals = 0
    /// Transactions used; each removed at most `batchSize` rows.
    public var batches = 0

    public init() {}
}

extension CanaryStore {
    /// Deletes settled canaries and reports older than `cutoff`, `batchSize` rows
    /// per transaction, so ingest is never held up behind one long delete.
    public func prune(before cutoff: Date, batchSize: Int = 1_000) async throws -> PruneSummary {
        var summary = PruneSummary()
        let limit = max(1, batchSize)
        let statements = [
            ("receipts", "DELETE FROM receipts WHERE id IN (SELECT id FROM receipts WHERE ingested_at < ? LIMIT \(limit))"),
            ("arrivals", "DELETE FROM arrivals WHERE id IN (SELECT id FROM arrivals WHERE ingested_at < ? LIMIT \(limit))"),
            ("canaries", """
                DELETE FROM canaries WHERE id IN
                  (SELECT id FROM canaries WHERE state = 'settled' AND settled_at < ? LIMIT \(limit))
                """),
        ]
        for (table, sql) in statements {
            while true {
                let removed = try await writeRemoving(sql, cutoff: cutoff)
                summary.batches += 1
                switch table {
                case "receipts": summary.receipts += removed
                case "arrivals": summary.arrivals += removed
                default: summary.canaries += removed
                }
                if removed < limit { break }
            }
        }
        return summary
    }

    private func writeRemoving(_ sql: String, cutoff: Date) async throws -> Int {
        try await writer.write { connection in
            try connection.run(sql, [SQLiteValue(cutoff)])
            return connection.changes
        }
    }
}
