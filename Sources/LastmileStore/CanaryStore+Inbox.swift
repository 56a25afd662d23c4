import Foundation

/// Reports one instance took in and committed, waiting for the leader to join them to their
/// canaries. What `reports` holds is the daemon's business; the store keeps it as bytes.
public struct InboxEntry: Sendable, Hashable {
    /// Set by the store; 0 until the entry is stored.
    public var id: Int64
    /// When the receiving instance took the request in (latency keeps this stamp).
    public var receivedAt: Date
    /// The instance that took it in.
    public var instance: String
    public var reports: Data
    public var rawPayload: Data
    /// What names the report at its source (a spool file), so it is never taken in twice.
    public var sourceKey: String?

    public init(id: Int64 = 0, receivedAt: Date, instance: String, reports: Data, rawPayload: Data, sourceKey: String? = nil) {
        self.id = id
        self.receivedAt = receivedAt
        self.instance = instance
        self.reports = reports
        self.rawPayload = rawPayload
        self.sourceKey = sourceKey
    }
}

extension CanaryStore {
    /// Whether reports can wait in an inbox here (a store several instances share).
    public var hasInbox: Bool { location.isShared }

    /// Commits `entry` to the inbox; returns once it is committed. Any instance may call it,
    /// leader or not: these writes are not fenced.
    public func enqueue(_ entry: InboxEntry) async throws {
        guard let intake else { throw StoreUnsupported(what: "an inbox", location: location) }
        let size = entry.reports.count + entry.rawPayload.count
        let charge = UUID()
        var stored = false
        defer { inboxFill.settle(charge, size: size, stored: stored) }
        _ = try await intake.write { [inboxFill] connection in
            // While no leader takes entries out, the inbox must not fill the disk: past its
            // limit a report is refused, and its sender retries.
            try inboxFill.charge(charge, size: size)
            try connection.run("""
                INSERT INTO inbox (received_at, instance, reports, raw_payload, source_key) VALUES (?, ?, ?, ?, ?)
                """, [StoreValue(entry.receivedAt), .text(entry.instance), .blob(entry.reports), .blob(entry.rawPayload),
                      StoreValue(entry.sourceKey)])
        }
        stored = true
    }

    /// The oldest `limit` entries waiting in the inbox (`held`: those set aside instead).
    public func inbox(limit: Int, held: Bool = false) throws -> [InboxEntry] {
        guard hasInbox else { return [] }
        return try read { connection in
            try connection.rows("""
                SELECT id, received_at, instance, reports, raw_payload, source_key FROM inbox WHERE held = \(held)
                 ORDER BY id LIMIT \(max(1, limit))
                """).map { row in
                InboxEntry(id: row[0].integer ?? 0, receivedAt: row[1].date ?? Date(timeIntervalSince1970: 0), instance: row[2].text ?? "",
                           reports: row[3].blob ?? Data(), rawPayload: row[4].blob ?? Data(), sourceKey: row[5].text)
            }
        }
    }

    /// Entries waiting in the inbox now.
    public func inboxCount() throws -> Int {
        guard hasInbox else { return 0 }
        return try read { connection in Int(try connection.scalar("SELECT count(*) FROM inbox")?.integer ?? 0) }
    }

    /// Entries set aside because the leader could not read them.
    public func heldInboxCount() throws -> Int {
        guard hasInbox else { return 0 }
        return try read { connection in Int(try connection.scalar("SELECT count(*) FROM inbox WHERE held")?.integer ?? 0) }
    }
}

/// A store that cannot do what was asked of it where it is.
public struct StoreUnsupported: Error, CustomStringConvertible {
    public var what: String
    public var location: StoreLocation

    public var description: String { "a store at \(location) has no \(what)" }
}
