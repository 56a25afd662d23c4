import Foundation

/// What one pruning pass removed.
public struct PruneSummary: Sendable, Equatable {
    public var canaries = 0
    public var receipts = 0
    public var arrivals = 0
    /// Unmatched reports past their own, shorter retention.
    public var unmatched = 0
    /// Parts of long messages that never completed.
    public var parts = 0
    /// Request bodies no report refers to any more.
    public var payloads = 0
    /// Transactions used; each removed at most `batchSize` rows.
    public var batches = 0

    public init() {}
}

extension CanaryStore {
    /// Deletes settled canaries and reports older than `cutoff`, unmatched reports and incomplete
    /// message parts older than `unmatchedCutoff`, and request bodies nothing refers to any more,
    /// `batchSize` rows per transaction, so ingest is never held up behind one long delete.
    public func prune(before cutoff: Date, unmatchedBefore unmatchedCutoff: Date? = nil,
                      batchSize: Int = 1_000) async throws -> PruneSummary {
        var summary = PruneSummary()
        let limit = max(1, batchSize)
        let junkCutoff = max(unmatchedCutoff ?? cutoff, cutoff)
        let statements: [(WritableKeyPath<PruneSummary, Int>, Date, String)] = [
            (\.receipts, cutoff, "DELETE FROM receipts WHERE id IN (SELECT id FROM receipts WHERE ingested_at < ? LIMIT \(limit))"),
            (\.arrivals, cutoff, "DELETE FROM arrivals WHERE id IN (SELECT id FROM arrivals WHERE ingested_at < ? LIMIT \(limit))"),
            (\.unmatched, junkCutoff, """
                DELETE FROM receipts WHERE id IN
                  (SELECT id FROM receipts WHERE unmatched_reason IS NOT NULL AND ingested_at < ? LIMIT \(limit))
                """),
            (\.unmatched, junkCutoff, """
                DELETE FROM arrivals WHERE id IN
                  (SELECT id FROM arrivals WHERE unmatched_reason IS NOT NULL AND ingested_at < ? LIMIT \(limit))
                """),
            (\.parts, junkCutoff, """
                DELETE FROM message_parts WHERE \(dialect.rowIdentity) IN
                  (SELECT \(dialect.rowIdentity) FROM message_parts WHERE ingested_at < ? LIMIT \(limit))
                """),
            (\.canaries, cutoff, """
                DELETE FROM canaries WHERE id IN
                  (SELECT id FROM canaries WHERE state = 'settled' AND settled_at < ? LIMIT \(limit))
                """),
            // Every row that refers to a payload is written in the payload's own transaction, so
            // one that nothing refers to now never will again.
            (\.payloads, .distantFuture, """
                DELETE FROM payloads WHERE id IN
                  (SELECT id FROM payloads p WHERE p.received_at < ?
                      AND NOT EXISTS (SELECT 1 FROM receipts WHERE payload_id = p.id)
                      AND NOT EXISTS (SELECT 1 FROM arrivals WHERE payload_id = p.id)
                      AND NOT EXISTS (SELECT 1 FROM message_parts WHERE payload_id = p.id) LIMIT \(limit))
                """),
        ]
        for (field, before, sql) in statements {
            while true {
                // A shutdown does not wait for a prune of millions of rows: the next one goes on.
                try Task.checkCancellation()
                let removed = try await writeRemoving(sql, cutoff: before)
                summary.batches += 1
                summary[keyPath: field] += removed
                if removed < limit { break }
            }
        }
        return summary
    }

    private func writeRemoving(_ sql: String, cutoff: Date) async throws -> Int {
        // A leader's write: one queued in a term does not run in another.
        let term = termOfWrite()
        return try await writer.write { connection in
            try term?.check()
            return try connection.run(sql, [StoreValue(cutoff)])
        }
    }
}
