import Foundation

extension CanaryStore {
    /// The stored parts of one message, in order.
    public func parts(receiver: String, sender: String, reference: String) throws -> [StoredPart] {
        try read { connection in
            let statement = try connection.query("""
                SELECT m.total, m.part, m.body, m.reported_at, m.ingested_at, coalesce(p.body, m.raw_payload)
                  FROM message_parts m LEFT JOIN payloads p ON p.id = m.payload_id
                 WHERE m.receiver = ? AND m.sender = ? AND m.reference = ? ORDER BY m.part
                """, [.text(receiver), .text(sender), .text(reference)])
            return try statement.rows().map { row in
                StoredPart(receiver: receiver, sender: sender, reference: reference, total: Int(row[0].integer ?? 0),
                           part: Int(row[1].integer ?? 0), body: row[2].text ?? "", reportedAt: row[3].date,
                           ingestedAt: row[4].date ?? Date(timeIntervalSince1970: 0), rawPayload: row[5].blob ?? Data())
            }
        }
    }

    /// Messages whose parts are all stored (after a crash between storing the last part and assembling).
    public func completeMessages() throws -> [(receiver: String, sender: String, reference: String)] {
        try read { connection in
            let statement = try connection.query("""
                SELECT receiver, sender, reference FROM message_parts
                 GROUP BY receiver, sender, reference HAVING count(*) >= max(total)
                """, [])
            return try statement.rows().map { ($0[0].text ?? "", $0[1].text ?? "", $0[2].text ?? "") }
        }
    }

    /// Whether an arrival from this source (a spool file) is already stored, or waits in the inbox.
    public func hasArrival(sourceKey: String) throws -> Bool {
        try read { connection in
            guard connection.dialect == .postgres else {
                return try connection.scalar("SELECT 1 FROM arrivals WHERE source_key = ?", [.text(sourceKey)]) != nil
            }
            // One statement, so one snapshot: asked one after the other, an entry the leader moves
            // from the inbox to `arrivals` between the two questions is in neither answer.
            return try connection.scalar("""
                SELECT 1 WHERE EXISTS (SELECT 1 FROM arrivals WHERE source_key = ?) OR EXISTS (SELECT 1 FROM inbox WHERE source_key = ?)
                """, [.text(sourceKey), .text(sourceKey)]) != nil
        }
    }
}
